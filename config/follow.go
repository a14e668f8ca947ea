package config

import "strings"

// Followed tells which stored repositories the configuration still follows,
// and under which défi. The store keeps every repository ever crawled; the
// readers (metrics, pages, API) show only those still configured, so a
// repository removed from the configuration disappears from dashboards
// instead of lingering with a frozen score.
type Followed struct {
	forgeByHost map[string]string // host -> configured forge name
	repos       map[string]string // repo id -> défi slug
	order       map[string]int    // repo id -> position in the configuration
	rank        map[string]int    // repo id -> position in a crawl's results
	last        int               // the rank after every défi's
	cfg         *Config
	// orgRank is, per défi with organisations, the position of their
	// repositories in a crawl's results: after the défi's listed ones,
	// before the next défi's.
	orgRank map[string]int
}

// NewFollowed indexes cfg's repositories and organisations.
func NewFollowed(cfg *Config) *Followed {
	f := &Followed{
		forgeByHost: map[string]string{},
		repos:       map[string]string{},
		order:       map[string]int{},
		rank:        map[string]int{},
		cfg:         cfg,
		orgRank:     map[string]int{},
	}
	for _, fg := range cfg.Forges {
		f.forgeByHost[strings.ToLower(fg.Host)] = fg.Name
	}
	for _, d := range cfg.Defis {
		for _, r := range d.Repos {
			id := r.ID()
			if _, dup := f.repos[id]; dup {
				continue // the first défi listing a repository owns it
			}
			f.repos[id] = d.Slug
			f.order[id] = len(f.order)
			f.rank[id] = f.last
			f.last++
		}
		if len(d.Orgs) > 0 {
			f.orgRank[d.Slug] = f.last
			f.last++
		}
	}
	return f
}

// Defi returns the slug of the défi following repo (host/path) and whether
// the configuration follows it at all.
func (f *Followed) Defi(repo string) (string, bool) {
	if d, ok := f.repos[repo]; ok {
		return d, true
	}
	return f.cfg.OrgDefi(repo)
}

// Order ranks repo as a crawl orders its results: défi by défi, in the
// configuration's order, each défi's listed repositories in the order
// written, then its organisations' repositories (all of one rank: the
// caller sorts them by name, as the crawl does).
func (f *Followed) Order(repo string) int {
	if i, ok := f.rank[repo]; ok {
		return i
	}
	if d, ok := f.cfg.OrgDefi(repo); ok {
		return f.orgRank[d]
	}
	return f.last
}

// Explicit returns the repositories the configuration names one by one, in
// order: the ones /readyz waits for.
func (f *Followed) Explicit() []string {
	out := make([]string, len(f.order))
	for id, i := range f.order {
		out[i] = id
	}
	return out
}

// HasOrgs says whether some défi follows whole organisations.
func (f *Followed) HasOrgs() bool { return len(f.orgRank) > 0 }

// Forge returns the configured forge name for a web host ("" if none).
func (f *Followed) Forge(host string) string { return f.forgeByHost[strings.ToLower(host)] }
