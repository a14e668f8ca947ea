package checks

import (
	"strings"

	"github.com/eiglink/vigie/crawler"
)

// ContinuityOf tells whether a défi's code lives on after its end: the
// commits on the default branch strictly after the end day (its end in the
// schedule's time zone, d.EndedAt), their distinct authors, the authors of
// the 90 days before the crawl who are not in the défi's team (matched by
// login or commit e-mail, case aside), and the busiest author's share of
// those 90 days' commits (team's included; nil without a commit).
func ContinuityOf(f crawler.Facts, d DefiProfile) Continuity {
	c := Continuity{DefiEnded: d.Ended}
	switch s := f.Since; {
	case s != nil && s.From.Equal(d.EndedAt):
		c.CommitsSinceEnd, c.AuthorsSinceEnd = s.Commits, len(s.Authors)
	case !f.Activity.LastCommitAt.IsZero() && f.Activity.LastCommitAt.Before(d.EndedAt):
		// Nothing since the end: the head commit is older.
	default:
		// Facts gathered without the end date (stored before it was
		// configured): the window's commits after the end, a lower bound.
		authors := map[string]bool{}
		for _, cm := range f.Activity.Recent {
			if !cm.At.Before(d.EndedAt) {
				c.CommitsSinceEnd++
				authors[cm.Author] = true
			}
		}
		c.AuthorsSinceEnd = len(authors)
	}
	team := map[string]bool{}
	for _, t := range d.Team {
		t = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(t), "@"))
		team[t] = true
	}
	inTeam := func(cm crawler.CommitStamp) bool {
		a := strings.ToLower(cm.Author)
		return team[strings.TrimPrefix(a, "@")] || cm.Email != "" && team[strings.ToLower(cm.Email)]
	}
	counts := map[string]int{}
	outside := map[string]bool{}
	for _, cm := range f.Activity.Recent {
		counts[cm.Author]++
		if !inTeam(cm) {
			outside[cm.Author] = true
		}
	}
	c.AuthorsOutsideTeam90d = len(outside)
	if n := len(f.Activity.Recent); n > 0 {
		top := 0
		for _, k := range counts {
			top = max(top, k)
		}
		share := float64(top) / float64(n)
		c.TopAuthorShare90d = &share
	}
	return c
}

// ContinuityState sums a continuity up for the weekly report: "dormant"
// (no commit in the last 90 days), "handed_over" (someone outside the
// team committed in them), "alive" (the team still commits), "" without
// an end date.
func ContinuityState(c *Continuity) string {
	switch {
	case c == nil:
		return ""
	case c.TopAuthorShare90d == nil:
		return "dormant"
	case c.AuthorsOutsideTeam90d > 0:
		return "handed_over"
	}
	return "alive"
}
