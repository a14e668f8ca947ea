package crawler

import (
	"errors"
	"fmt"
)

// ErrListingCut marks an organisation's listing stopped before its end:
// the forge kept answering "next page" with a page already read, or with
// more pages than the organisation can hold. The repositories read so far
// come with it; the crawl reports the listing as incomplete.
var ErrListingCut = errors.New("listing cut")

// MaxListPages bounds any organisation listing: 1,000 pages of 100 is
// 100,000 repositories, beyond the largest organisations on github.com or
// gitlab.com. A forge announcing its total gets a tighter bound (Pager.Total).
const MaxListPages = 1000

// Pager follows an organisation's listing page by page and stops one that
// does not end. An honest forge is followed to its last page; a repeated
// cursor or page, a page that brings no repository not seen before, or
// more pages than the forge's announced total (or MaxListPages) allows
// stop it with ErrListingCut. The forge packages call Next once per page.
type Pager struct {
	pages   int
	max     int
	cursors map[string]bool
	seen    map[string]bool
}

// Total tightens the bound once the forge says how many repositories the
// listing holds (GitHub's totalCount, GitLab's X-Total-Pages): the pages
// they fill at perPage, plus a few for repositories created during the
// listing.
func (p *Pager) Total(items, perPage int) {
	if items < 0 || perPage <= 0 {
		return
	}
	n := (items+perPage-1)/perPage + 2
	if p.max == 0 || n < p.max {
		p.max = min(n, MaxListPages)
	}
}

// Next records a page read at cursor (a GraphQL cursor, a page number or
// URL; "" for the first page) holding paths, and says whether to ask the
// next one. more is what the forge says (hasNextPage, a next link).
func (p *Pager) Next(cursor string, paths []string, more bool) error {
	if p.cursors == nil {
		p.cursors, p.seen = map[string]bool{}, map[string]bool{}
	}
	if p.max == 0 {
		p.max = MaxListPages
	}
	if p.cursors[cursor] {
		return fmt.Errorf("%w: the forge answered the page at %q twice, after %d pages", ErrListingCut, cursor, p.pages)
	}
	p.cursors[cursor] = true
	p.pages++
	fresh := 0
	for _, path := range paths {
		if !p.seen[path] {
			p.seen[path] = true
			fresh++
		}
	}
	if !more {
		return nil
	}
	if fresh == 0 {
		return fmt.Errorf("%w: page %d brings no repository not listed before, yet the forge says there are more", ErrListingCut, p.pages)
	}
	if p.pages >= p.max {
		return fmt.Errorf("%w: the forge still says there are more after %d pages (%d repositories), more than the organisation can hold", ErrListingCut, p.pages, len(p.seen))
	}
	return nil
}
