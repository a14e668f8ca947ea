package scan

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/sqlite"
)

// memForge is a crawler.Forge over a map: enough to test what the scanner
// does with forges (ordering, discovery, errors), not how forges crawl —
// the forge packages test that against the fake forges.
type memForge struct {
	mu    sync.Mutex
	repos map[string]crawler.Facts // path -> facts
	orgs  map[string][]crawler.OrgRepo
	jobs  [][]crawler.Job
}

func (m *memForge) Fetch(ctx context.Context, jobs []crawler.Job, now time.Time) []crawler.Facts {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.jobs = append(m.jobs, jobs)
	out := make([]crawler.Facts, len(jobs))
	for i, j := range jobs {
		f, ok := m.repos[j.Ref.Path]
		if !ok {
			f = crawler.Facts{Error: "not found", NotFound: true}
		}
		f.CrawledAt = now
		out[i] = f
	}
	return out
}

func (m *memForge) ListOrg(ctx context.Context, org string) ([]crawler.OrgRepo, error) {
	repos, ok := m.orgs[org]
	if !ok {
		return nil, fmt.Errorf("organisation %s not found", org)
	}
	return repos, nil
}

func healthy() crawler.Facts {
	return crawler.Facts{Visibility: crawler.VisibilityPublic, DefaultBranch: "main", License: crawler.LicenseFacts{ForgeSPDX: "MIT", Files: []crawler.LicenseFile{{Path: "LICENSE", SPDX: "MIT"}}},
		CI: crawler.CIFacts{Systems: []string{}, Status: crawler.StatusNone}}
}

func testConfig(t *testing.T, extra string) *config.Config {
	t.Helper()
	y := `forges:
  - {name: github, type: github, url: https://github.com}
  - {name: framagit, type: gitlab, url: https://framagit.org}
defis:
  - slug: one
    name: One
    repos: [https://github.com/a/listed, https://framagit.org/g/sub/p]
    orgs: [https://github.com/org]
    exclude: ["*-archive", "org/skip-*"]
` + extra
	cfg, err := config.Parse("test.yml", []byte(y), nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestCheckOrderAndErrors(t *testing.T) {
	gh := &memForge{repos: map[string]crawler.Facts{"a/listed": healthy(), "a/b": healthy()}}
	gl := &memForge{repos: map[string]crawler.Facts{"g/sub/p": healthy()}}
	sc, err := New(testConfig(t, ""), Options{Forges: map[string]crawler.Forge{"github": gh, "framagit": gl}})
	if err != nil {
		t.Fatal(err)
	}
	urls := []string{"https://framagit.org/g/sub/p", "https://github.com/a/b", "https://github.com/a/missing", "https://github.com/a/b.git", "https://github.com/a/listed"}
	snaps, err := sc.Check(context.Background(), urls)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ repo, defi, err string }{
		{"framagit.org/g/sub/p", "one", ""}, {"github.com/a/b", "", ""}, {"github.com/a/missing", "", "not_found"},
		{"github.com/a/b", "", ""}, {"github.com/a/listed", "one", ""},
	}
	if len(snaps) != len(want) {
		t.Fatalf("%d results for %d URLs", len(snaps), len(urls))
	}
	for i, w := range want {
		r := snaps[i].Result
		if r.Repo != w.repo || r.Defi != w.defi || r.Failure != w.err || (w.err == "") != (r.Score != nil) || (w.err == "") != (r.Error == "") {
			t.Errorf("result %d = %s défi %q error %q score %v; want %+v", i, r.Repo, r.Defi, r.Error, r.Score, w)
		}
	}
	// The same repository given twice is fetched once.
	n := 0
	for _, batch := range gh.jobs {
		for _, j := range batch {
			if j.Ref.Path == "a/b" {
				n++
			}
		}
	}
	if n != 1 {
		t.Errorf("a/b fetched %d times", n)
	}
	if _, err := sc.Check(context.Background(), []string{"https://example.org/a/b"}); err == nil || !strings.Contains(err.Error(), "example.org") {
		t.Errorf("a URL on no configured forge: err = %v", err)
	}
}

// TestCheckGivesOrgReposTheirDefi: a repository the configuration follows
// through an organisation is checked under its défi, as the crawl stores
// it; excluded ones and forks are not.
func TestCheckGivesOrgReposTheirDefi(t *testing.T) {
	fork := healthy()
	fork.Fork = true
	gh := &memForge{repos: map[string]crawler.Facts{
		"org/one": healthy(), "org/old-archive": healthy(), "org/skip-me": healthy(), "org/fork": fork, "other/one": healthy(),
	}}
	gl := &memForge{repos: map[string]crawler.Facts{}}
	sc, err := New(testConfig(t, ""), Options{Forges: map[string]crawler.Forge{"github": gh, "framagit": gl}})
	if err != nil {
		t.Fatal(err)
	}
	urls := []string{"https://github.com/org/one", "https://github.com/org/old-archive", "https://github.com/org/skip-me", "https://github.com/org/fork", "https://github.com/other/one"}
	snaps, err := sc.Check(context.Background(), urls)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"one", "", "", "", ""} {
		if got := snaps[i].Result.Defi; got != want {
			t.Errorf("%s: défi %q, want %q", urls[i], got, want)
		}
	}
}

// TestCheckListedRepoInAnotherCase: a listed repository typed in another
// case is checked as the configuration lists it (the forges ignore case).
func TestCheckListedRepoInAnotherCase(t *testing.T) {
	gh := &memForge{repos: map[string]crawler.Facts{"a/listed": healthy()}}
	sc, err := New(testConfig(t, ""), Options{Forges: map[string]crawler.Forge{"github": gh, "framagit": &memForge{}}})
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := sc.Check(context.Background(), []string{"https://GitHub.com/A/Listed.git"})
	if err != nil {
		t.Fatal(err)
	}
	if r := snaps[0].Result; r.Repo != "github.com/a/listed" || r.Defi != "one" || r.Error != "" {
		t.Errorf("result = %s défi %q error %q", r.Repo, r.Defi, r.Error)
	}
}

func TestCrawlDiscoversOrgsAndReportsGone(t *testing.T) {
	ctx := context.Background()
	gh := &memForge{
		repos: map[string]crawler.Facts{"a/listed": healthy(), "org/one": healthy(), "org/two": healthy(), "org/fork": healthy()},
		orgs: map[string][]crawler.OrgRepo{"org": {
			{Path: "org/one"}, {Path: "org/two"}, {Path: "org/fork", Fork: true},
			{Path: "org/old-archive"}, {Path: "org/skip-me"}, {Path: "a/listed"},
		}},
	}
	gl := &memForge{repos: map[string]crawler.Facts{"g/sub/p": healthy()}}
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "v.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clock := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	sc, err := New(testConfig(t, ""), Options{Store: st, Now: func() time.Time { return clock }, Forges: map[string]crawler.Forge{"github": gh, "framagit": gl}})
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := sc.Crawl(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range snaps {
		got = append(got, s.Result.Repo+"@"+s.Result.Defi)
	}
	want := "github.com/a/listed@one framagit.org/g/sub/p@one github.com/org/one@one github.com/org/two@one"
	if strings.Join(got, " ") != want {
		t.Fatalf("first crawl = %v\nwant %s", got, want)
	}

	// org/two disappears from the organisation: reported once as gone.
	gh.orgs["org"] = gh.orgs["org"][:1]
	clock = clock.Add(time.Hour)
	snaps, err = sc.Crawl(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last := snaps[len(snaps)-1].Result
	if len(snaps) != 4 || last.Repo != "github.com/org/two" || !strings.HasPrefix(last.Error, "gone:") {
		t.Fatalf("second crawl: %d results, last %s %q", len(snaps), last.Repo, last.Error)
	}
	clock = clock.Add(time.Hour)
	if snaps, _ = sc.Crawl(ctx); len(snaps) != 3 {
		t.Errorf("third crawl: %d results, want 3 (gone reported once)", len(snaps))
	}
	// Stored: the crawl time of the last crawl.
	if at, err := st.LastCrawl(ctx); err != nil || !at.Equal(clock) {
		t.Errorf("LastCrawl = %v %v, want %v", at, err, clock)
	}

	// An organisation that cannot be listed keeps what is known: its
	// repositories from earlier crawls are crawled, nothing is reported
	// gone, and the crawl is stored but says it is incomplete.
	delete(gh.orgs, "org")
	clock = clock.Add(time.Hour)
	snaps, err = sc.Crawl(ctx)
	if !errors.Is(err, ErrPartial) || !strings.Contains(err.Error(), "https://github.com/org") {
		t.Errorf("crawl with an unlistable organisation: err = %v", err)
	}
	found := false
	for _, s := range snaps {
		if strings.HasPrefix(s.Result.Error, "gone:") {
			t.Errorf("%s reported gone while its organisation could not be listed", s.Result.Repo)
		}
		found = found || s.Result.Repo == "github.com/org/one"
	}
	if !found {
		t.Error("github.com/org/one, known from earlier crawls, was not crawled")
	}
	if at, _ := st.LastCrawl(ctx); !at.Equal(clock) {
		t.Errorf("an incomplete crawl was not stored (last crawl %v)", at)
	}
}

func TestCrawlInterruptedStoresNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	gh := &memForge{repos: map[string]crawler.Facts{"a/listed": healthy()}, orgs: map[string][]crawler.OrgRepo{"org": nil}}
	gl := &memForge{repos: map[string]crawler.Facts{"g/sub/p": healthy()}}
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "v.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sc, _ := New(testConfig(t, ""), Options{Store: st, Forges: map[string]crawler.Forge{"github": gh, "framagit": gl}})
	cancel()
	if _, err := sc.Crawl(ctx); err == nil {
		t.Fatal("an interrupted crawl reported success")
	}
	if latest, _ := st.Latest(context.Background()); len(latest) != 0 {
		t.Errorf("an interrupted crawl stored %d snapshots", len(latest))
	}
}

// The forges may reuse stored facts for a repository that did not change,
// but only facts this instance's crawl wrote: seeded history (the demo's
// invented past), imported results or facts of unknown origin never stand
// for today's.
func TestCrawlReusesOnlyItsOwnFacts(t *testing.T) {
	for _, tt := range []struct {
		origin string
		reused bool
	}{
		{crawler.OriginCrawl, true},
		{crawler.OriginSeeded, false},
		{"import", false},
		{"", false},
	} {
		t.Run("origin "+tt.origin, func(t *testing.T) {
			cfg := testConfig(t, "")
			cfg.Defis[0].Orgs = nil
			st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "v.db"), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			gh := &memForge{repos: map[string]crawler.Facts{"a/listed": healthy()}}
			gl := &memForge{repos: map[string]crawler.Facts{"g/sub/p": healthy()}}
			sc, err := New(cfg, Options{Store: st, Forges: map[string]crawler.Forge{"github": gh, "framagit": gl}, Now: func() time.Time { return time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC) }})
			if err != nil {
				t.Fatal(err)
			}
			snaps, err := sc.Crawl(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range snaps {
				if s.Facts.Origin != crawler.OriginCrawl {
					t.Fatalf("%s: a crawl wrote facts of origin %q", s.Result.Repo, s.Facts.Origin)
				}
			}
			// History written later by someone else, same head commit.
			past := snaps[0]
			f := *past.Facts
			f.Origin = tt.origin
			f.CrawledAt = f.CrawledAt.Add(time.Hour)
			past.Facts, past.Result.CrawledAt = &f, f.CrawledAt
			if err := st.SaveCrawl(context.Background(), []store.Snapshot{past}); err != nil {
				t.Fatal(err)
			}
			sc.opts.Now = func() time.Time { return time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC) }
			if _, err := sc.Crawl(context.Background()); err != nil {
				t.Fatal(err)
			}
			job := gh.jobs[len(gh.jobs)-1][0]
			if got := job.Previous != nil; got != tt.reused {
				t.Errorf("facts of origin %q handed to the forge for reuse: %v, want %v", tt.origin, got, tt.reused)
			}
		})
	}
}

// cancellingForge cancels the crawl when asked for the repository at
// path, as a signal would between two parts.
type cancellingForge struct {
	*memForge
	path   string
	cancel context.CancelFunc
}

func (c *cancellingForge) Fetch(ctx context.Context, jobs []crawler.Job, now time.Time) []crawler.Facts {
	c.memForge.mu.Lock()
	for _, j := range jobs {
		if j.Ref.Path == c.path && c.cancel != nil {
			c.cancel()
		}
	}
	c.memForge.mu.Unlock()
	return c.memForge.Fetch(ctx, jobs, now)
}

// A crawl streamed in parts: each part is stored with its previous facts
// read for it alone; a crawl interrupted between parts keeps the parts it
// stored and the previous snapshots of the rest, and is not a crawl done.
func TestCrawlInParts(t *testing.T) {
	ctx := context.Background()
	gh := &memForge{
		repos: map[string]crawler.Facts{"a/listed": healthy(), "org/one": healthy(), "org/two": healthy()},
		orgs:  map[string][]crawler.OrgRepo{"org": {{Path: "org/one"}, {Path: "org/two"}}},
	}
	gl := &memForge{repos: map[string]crawler.Facts{"g/sub/p": healthy()}}
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "v.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	clock := t0
	cf := &cancellingForge{memForge: gh}
	sc, err := New(testConfig(t, ""), Options{Store: st, PartSize: 1, Now: func() time.Time { return clock },
		Forges: map[string]crawler.Forge{"github": cf, "framagit": gl}})
	if err != nil {
		t.Fatal(err)
	}
	var seen []int
	stats, err := sc.Stream(ctx, func(i int, snap store.Snapshot) { seen = append(seen, i) })
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(seen)
	if stats.Repos != 4 || stats.Parts != 4 || !slices.Equal(seen, []int{0, 1, 2, 3}) {
		t.Errorf("first crawl: %+v, indexes %v; want 4 repositories in 4 parts", stats, seen)
	}
	// Every part's jobs carry the previous crawl's facts on the next crawl.
	gh.jobs = nil
	clock = t0.Add(6 * time.Hour)
	if _, err := sc.Crawl(ctx); err != nil {
		t.Fatal(err)
	}
	for _, jobs := range gh.jobs {
		if len(jobs) != 1 || jobs[0].Previous == nil || !jobs[0].Previous.CrawledAt.Equal(t0) {
			t.Errorf("second crawl's part %v: want one job with the first crawl's facts", jobs)
		}
	}
	t1 := clock

	// The third crawl is stopped while its third GitHub part is fetched:
	// two parts are fetched at a time, so one of the first two at least
	// was stored (the other may have been rolled back), the third not.
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cf.path, cf.cancel = "org/two", cancel
	clock = t1.Add(6 * time.Hour)
	if _, err := sc.Crawl(cctx); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("interrupted crawl: err = %v", err)
	}
	latest, err := st.Latest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	at := map[string]time.Time{}
	for _, sn := range latest {
		at[sn.Result.Repo] = sn.Result.CrawledAt
	}
	if !at["github.com/org/two"].Equal(t1) {
		t.Errorf("github.com/org/two, fetched as the crawl stopped: newest snapshot crawled at %v, want the previous crawl's %v", at["github.com/org/two"], t1)
	}
	stored := 0
	for _, repo := range []string{"github.com/a/listed", "github.com/org/one"} {
		switch {
		case at[repo].Equal(clock):
			stored++
		case !at[repo].Equal(t1):
			t.Errorf("%s: newest snapshot crawled at %v, want %v or %v", repo, at[repo], clock, t1)
		}
	}
	if stored == 0 {
		t.Error("no part of the interrupted crawl was kept")
	}
	if last, err := st.LastCrawl(ctx); err != nil || !last.Equal(t1) {
		t.Errorf("LastCrawl = %v %v, want the last complete crawl's %v", last, err, t1)
	}
}
