package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/store"
)

// Opener opens one database; every call opens the same one again, as a
// second process or a restart would.
type Opener func(ctx context.Context) (store.Store, error)

// NewDB makes a fresh, empty database for one test and returns how to open
// it. It registers the clean-up with t.
type NewDB func(t testing.TB) Opener

// Run runs the conformance suite against the back-end newDB makes.
//
// Ordering tests keep snapshots at least a microsecond apart: Postgres's
// timestamptz holds microseconds (the result JSON keeps the nanoseconds).
func Run(t *testing.T, newDB NewDB) {
	tests := []struct {
		name string
		fn   func(*testing.T, NewDB)
	}{
		{"RoundTrip", testRoundTrip},
		{"Newest", testNewest},
		{"NotFound", testNotFound},
		{"History", testHistory},
		{"NewestIn", testNewestIn},
		{"Atomic", testAtomic},
		{"Invalid", testInvalid},
		{"Reports", testReports},
		{"Sent", testSent},
		{"Claim", testClaim},
		{"ClaimRace", testClaimRace},
		{"Results", testResults},
		{"Cache", testCache},
		{"Reopen", testReopen},
		{"Close", testClose},
		{"CloseInFlight", testCloseInFlight},
		{"ConcurrentWriters", testConcurrentWriters},
		{"ConcurrentOpen", testConcurrentOpen},
		{"Parts", testParts},
		{"InterruptedBetweenParts", testInterruptedBetweenParts},
		{"LatestOfAndIndex", testLatestOfAndIndex},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newDB)
		})
	}
}

// Open opens a store with open and closes it when the test ends.
func Open(t testing.TB, open Opener) store.Store {
	t.Helper()
	s, err := open(context.Background())
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return s
}

func save(t testing.TB, s store.Store, snaps ...store.Snapshot) {
	t.Helper()
	if err := s.SaveCrawl(context.Background(), snaps); err != nil {
		t.Fatalf("SaveCrawl: %v", err)
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return b
}

func testRoundTrip(t *testing.T, newDB NewDB) {
	s := Open(t, newDB(t))
	ctx := context.Background()
	paris := time.FixedZone("CET", 3600)
	// Nanoseconds and a non-UTC zone: the result comes back in UTC with the
	// nanoseconds kept.
	at := time.Date(2026, 11, 23, 9, 0, 0, 123456789, paris)

	rich := Result("github.com/org/rich", at, 73)
	rich.Checks[0].Details["extra"] = map[string]any{
		"float": 0.1, "big": 1e21, "neg": -3, "nil": nil, "list": []any{1, "deux", true, nil},
		"html": "<a href=\"x\">&</a>", "nul": "a\x00b", "unicode": "défi ✓",
	}
	rich.Checks = append(rich.Checks, checks.Check{Name: "publiccode", Score: 0, Reason: "Absent.", Remediation: "Ajoutez publiccode.yml.", Details: map[string]any{}})
	facts := Facts("github.com/org/rich", at)
	// A NUL byte survives (Postgres's jsonb would refuse it). Invalid UTF-8
	// cannot: JSON turns it into U+FFFD on the way in.
	facts.Readme.Text = "binary \x00 README"
	facts.Release = &crawler.Release{Tag: "v1.0.0", PublishedAt: at}

	nilDetails := Result("github.com/org/nil-details", at, 50)
	nilDetails.Checks[3].Details = nil

	tests := []struct {
		name string
		snap store.Snapshot
	}{
		{"facts and rich details", store.Snapshot{Facts: facts, Result: rich}},
		{"imported without facts", store.Snapshot{Result: Result("github.com/org/imported", at, 10)}},
		{"error result", store.Snapshot{Facts: Facts("github.com/org/broken", at), Result: ErrorResult("github.com/org/broken", at, "GET https://api.github.com: 502 \x00")}},
		{"nil details", store.Snapshot{Result: nilDetails}},
		{"no checks", store.Snapshot{Result: checks.Result{Repo: "gitlab.com/g/sub/empty", CrawledAt: at, Checks: nil}}},
	}
	for _, tc := range tests {
		save(t, s, tc.snap)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.snap.Result
			want.CrawledAt = want.CrawledAt.UTC()
			wantJSON := mustJSON(t, want)

			got, err := s.Get(ctx, want.Repo)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if gotJSON := mustJSON(t, got.Result); !bytes.Equal(gotJSON, wantJSON) {
				t.Errorf("Get result:\n got %s\nwant %s", gotJSON, wantJSON)
			}
			if got.Result.CrawledAt.Location() != time.UTC || !got.Result.CrawledAt.Equal(at) {
				t.Errorf("crawled_at = %v, want %v in UTC", got.Result.CrawledAt, at)
			}
			if tc.snap.Facts == nil {
				if got.Facts != nil {
					t.Errorf("facts = %+v, want nil", got.Facts)
				}
			} else if g, w := mustJSON(t, got.Facts), mustJSON(t, tc.snap.Facts); !bytes.Equal(g, w) {
				t.Errorf("facts:\n got %s\nwant %s", g, w)
			}

			// Every reader returns the same bytes.
			hist, err := s.History(ctx, want.Repo, time.Time{}, at.Add(time.Hour))
			if err != nil || len(hist) != 1 {
				t.Fatalf("History = %d results, %v; want 1", len(hist), err)
			}
			if g := mustJSON(t, hist[0]); !bytes.Equal(g, wantJSON) {
				t.Errorf("History result:\n got %s\nwant %s", g, wantJSON)
			}
			latest, err := s.Latest(ctx)
			if err != nil {
				t.Fatalf("Latest: %v", err)
			}
			found := false
			for _, l := range latest {
				if l.Result.Repo == want.Repo {
					found = true
					if g := mustJSON(t, l.Result); !bytes.Equal(g, wantJSON) {
						t.Errorf("Latest result:\n got %s\nwant %s", g, wantJSON)
					}
				}
			}
			if !found {
				t.Errorf("Latest misses %s", want.Repo)
			}
		})
	}
	last, err := s.LastCrawl(ctx)
	if err != nil || !last.Equal(at.Truncate(time.Microsecond)) && !last.Equal(at) || last.Location() != time.UTC {
		t.Errorf("LastCrawl = %v, %v; want %v in UTC", last, err, at.UTC())
	}
}

// snap is a test snapshot: score < 0 makes it an error result. Scores are
// unique within a test case so a returned snapshot says which one it is.
type snap struct {
	repo  string
	at    time.Duration // after T0
	score int
}

func (sn snap) snapshot() store.Snapshot {
	at := T0.Add(sn.at)
	if sn.score < 0 {
		return store.Snapshot{Result: ErrorResult(sn.repo, at, "HTTP 502")}
	}
	return store.Snapshot{Facts: Facts(sn.repo, at), Result: Result(sn.repo, at, sn.score)}
}

// scoreOf identifies a result by its score, -1 for an error.
func scoreOf(r checks.Result) int {
	if r.Error != "" || r.Score == nil {
		return -1
	}
	return *r.Score
}

func testNewest(t *testing.T, newDB NewDB) {
	const a, b, upper = "github.com/org/a", "gitlab.com/org/b", "github.com/Org/C"
	tests := []struct {
		name   string
		crawls [][]snap
		latest map[string]int // repo -> score of the newest snapshot
		good   map[string]int // repo -> score of the newest good one (absent: ErrNotFound)
		last   time.Duration
	}{
		{
			name:   "newer crawl wins",
			crawls: [][]snap{{{a, 0, 1}, {b, 0, 2}}, {{a, time.Hour, 3}}},
			latest: map[string]int{a: 3, b: 2}, good: map[string]int{a: 3, b: 2}, last: time.Hour,
		},
		{
			name:   "older import does not replace newer",
			crawls: [][]snap{{{a, time.Hour, 1}}, {{a, 0, 2}, {b, -time.Hour, 3}}},
			latest: map[string]int{a: 1, b: 3}, good: map[string]int{a: 1, b: 3}, last: time.Hour,
		},
		{
			name:   "same time: later saved wins",
			crawls: [][]snap{{{a, 0, 1}}, {{a, 0, 2}}},
			latest: map[string]int{a: 2}, good: map[string]int{a: 2},
		},
		{
			name:   "same time in one crawl: later in the crawl wins",
			crawls: [][]snap{{{a, 0, 1}, {a, 0, 2}}},
			latest: map[string]int{a: 2}, good: map[string]int{a: 2},
		},
		{
			name:   "one crawl with several times",
			crawls: [][]snap{{{a, 2 * time.Hour, 1}, {a, 0, 2}, {b, time.Hour, 3}}},
			latest: map[string]int{a: 1, b: 3}, good: map[string]int{a: 1, b: 3}, last: 2 * time.Hour,
		},
		{
			name:   "a microsecond apart",
			crawls: [][]snap{{{a, 2 * time.Microsecond, 1}}, {{a, time.Microsecond, 2}}},
			latest: map[string]int{a: 1}, good: map[string]int{a: 1}, last: 2 * time.Microsecond,
		},
		{
			name:   "error is newest",
			crawls: [][]snap{{{a, 0, 1}}, {{a, time.Hour, 2}}, {{a, 2 * time.Hour, -1}}},
			latest: map[string]int{a: -1}, good: map[string]int{a: 2}, last: 2 * time.Hour,
		},
		{
			name:   "only errors",
			crawls: [][]snap{{{a, 0, -1}, {b, 0, 5}}},
			latest: map[string]int{a: -1, b: 5}, good: map[string]int{b: 5},
		},
		{
			name:   "byte order of names",
			crawls: [][]snap{{{b, 0, 1}, {a, 0, 2}, {upper, 0, 3}}},
			latest: map[string]int{a: 2, b: 1, upper: 3}, good: map[string]int{a: 2, b: 1, upper: 3},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := Open(t, newDB(t))
			ctx := context.Background()
			for _, c := range tc.crawls {
				var snaps []store.Snapshot
				for _, sn := range c {
					snaps = append(snaps, sn.snapshot())
				}
				save(t, s, snaps...)
			}

			latest, err := s.Latest(ctx)
			if err != nil {
				t.Fatalf("Latest: %v", err)
			}
			if len(latest) != len(tc.latest) {
				t.Errorf("Latest returned %d snapshots, want %d", len(latest), len(tc.latest))
			}
			for i, l := range latest {
				if i > 0 && latest[i-1].Result.Repo >= l.Result.Repo {
					t.Errorf("Latest not sorted by repo: %q then %q", latest[i-1].Result.Repo, l.Result.Repo)
				}
				if want, ok := tc.latest[l.Result.Repo]; !ok || scoreOf(l.Result) != want {
					t.Errorf("Latest %s = score %d, want %d (listed: %v)", l.Result.Repo, scoreOf(l.Result), want, ok)
				}
				if (l.Facts == nil) != (l.Result.Error != "") {
					t.Errorf("Latest %s: facts %v for error %q", l.Result.Repo, l.Facts != nil, l.Result.Error)
				}
			}
			for repo, want := range tc.latest {
				got, err := s.Get(ctx, repo)
				if err != nil || scoreOf(got.Result) != want {
					t.Errorf("Get %s = score %d, %v; want %d", repo, scoreOf(got.Result), err, want)
				}
				good, err := s.LatestGood(ctx, repo)
				if w, ok := tc.good[repo]; ok {
					if err != nil || scoreOf(good.Result) != w {
						t.Errorf("LatestGood %s = score %d, %v; want %d", repo, scoreOf(good.Result), err, w)
					}
				} else if !errors.Is(err, store.ErrNotFound) {
					t.Errorf("LatestGood %s = score %d, %v; want ErrNotFound", repo, scoreOf(good.Result), err)
				}
			}
			last, err := s.LastCrawl(ctx)
			if err != nil || !last.Equal(T0.Add(tc.last)) || last.Location() != time.UTC {
				t.Errorf("LastCrawl = %v, %v; want %v in UTC", last, err, T0.Add(tc.last))
			}
		})
	}
}

func testNotFound(t *testing.T, newDB NewDB) {
	s := Open(t, newDB(t))
	ctx := context.Background()
	if last, err := s.LastCrawl(ctx); err != nil || !last.IsZero() {
		t.Errorf("LastCrawl on an empty store = %v, %v; want zero, nil", last, err)
	}
	if l, err := s.Latest(ctx); err != nil || len(l) != 0 {
		t.Errorf("Latest on an empty store = %d snapshots, %v; want none", len(l), err)
	}
	save(t, s, snap{"github.com/org/a", 0, 1}.snapshot())
	for _, repo := range []string{"github.com/org/missing", "github.com/org/A", "github.com/org/a/", ""} {
		if _, err := s.Get(ctx, repo); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get %q: %v, want ErrNotFound", repo, err)
		}
		if _, err := s.LatestGood(ctx, repo); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("LatestGood %q: %v, want ErrNotFound", repo, err)
		}
	}
}

func testHistory(t *testing.T, newDB NewDB) {
	const a, b = "github.com/org/a", "github.com/org/b"
	s := Open(t, newDB(t))
	ctx := context.Background()
	// Saved out of time order, with a tie at T0+1h (score 4 saved after 3).
	save(t, s, snap{a, time.Hour, 3}.snapshot(), snap{b, 0, 90}.snapshot(), snap{a, -time.Hour, 1}.snapshot())
	save(t, s, snap{a, 2 * time.Hour, -1}.snapshot(), snap{a, 0, 2}.snapshot())
	save(t, s, snap{a, time.Hour, 4}.snapshot())

	tests := []struct {
		name     string
		repo     string
		from, to time.Time
		want     []int
	}{
		{"all time", a, time.Time{}, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), []int{1, 2, 3, 4, -1}},
		{"far beyond the storable", a, time.Time{}.Add(-time.Hour), time.Unix(1<<40, 0), []int{1, 2, 3, 4, -1}},
		{"from is included, to excluded", a, T0, T0.Add(2 * time.Hour), []int{2, 3, 4}},
		{"just after from", a, T0.Add(time.Microsecond), T0.Add(2*time.Hour + time.Microsecond), []int{3, 4, -1}},
		{"empty range", a, T0, T0, nil},
		{"reversed range", a, T0.Add(time.Hour), T0, nil},
		{"other repo", b, time.Time{}, T0.Add(time.Hour), []int{90}},
		{"unknown repo", "github.com/org/none", time.Time{}, T0.Add(time.Hour), nil},
		{"bounds in another zone", a, T0.In(time.FixedZone("X", -5*3600)), T0.Add(time.Hour).In(time.FixedZone("Y", 9*3600)), []int{2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.History(ctx, tc.repo, tc.from, tc.to)
			if err != nil {
				t.Fatalf("History: %v", err)
			}
			var scores []int
			for _, r := range got {
				scores = append(scores, scoreOf(r))
				if r.Repo != tc.repo || r.CrawledAt.Location() != time.UTC {
					t.Errorf("History returned %s at %v", r.Repo, r.CrawledAt)
				}
			}
			if !slices.Equal(scores, tc.want) {
				t.Errorf("History scores = %v, want %v", scores, tc.want)
			}
		})
	}
}

func testNewestIn(t *testing.T, newDB NewDB) {
	const a, b, c, d = "github.com/org/a", "github.com/org/b", "gitlab.com/g/c", "github.com/Org/d"
	s := Open(t, newDB(t))
	ctx := context.Background()
	week := 7 * 24 * time.Hour
	save(t, s, snap{a, 0, 1}.snapshot(), snap{b, 3 * time.Hour, 10}.snapshot(), snap{c, -time.Hour, 20}.snapshot())
	save(t, s, snap{a, time.Hour, 2}.snapshot(), snap{d, week, 30}.snapshot(), snap{c, week - time.Microsecond, -1}.snapshot())
	save(t, s, snap{a, time.Hour, 3}.snapshot()) // ties with score 2, saved later

	tests := []struct {
		name     string
		from, to time.Time
		want     map[string]int
	}{
		{"the week", T0, T0.Add(week), map[string]int{a: 3, b: 10, c: -1}},
		{"the week before", T0.Add(-week), T0, map[string]int{c: 20}},
		{"the week after", T0.Add(week), T0.Add(2 * week), map[string]int{d: 30}},
		{"from included, to excluded", T0.Add(time.Hour), T0.Add(3 * time.Hour), map[string]int{a: 3}},
		{"first hour", T0, T0.Add(time.Hour), map[string]int{a: 1}},
		{"nothing", T0.Add(10 * week), T0.Add(11 * week), map[string]int{}},
		{"everything", time.Time{}, time.Unix(1<<40, 0), map[string]int{a: 3, b: 10, c: -1, d: 30}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.NewestIn(ctx, tc.from, tc.to)
			if err != nil {
				t.Fatalf("NewestIn: %v", err)
			}
			if len(got) != len(tc.want) {
				t.Errorf("NewestIn returned %d results, want %d", len(got), len(tc.want))
			}
			for i, r := range got {
				if i > 0 && got[i-1].Repo >= r.Repo {
					t.Errorf("NewestIn not sorted: %q then %q", got[i-1].Repo, r.Repo)
				}
				if w, ok := tc.want[r.Repo]; !ok || scoreOf(r) != w {
					t.Errorf("NewestIn %s = %d, want %d (listed: %v)", r.Repo, scoreOf(r), w, ok)
				}
			}
		})
	}
}

// state is what a reader sees of a store, to tell whether a failed write
// left anything behind.
func state(t testing.TB, s store.Store) []byte {
	t.Helper()
	ctx := context.Background()
	latest, err := s.Latest(ctx)
	if err != nil {
		t.Fatalf("Latest: %v", err)
	}
	last, err := s.LastCrawl(ctx)
	if err != nil {
		t.Fatalf("LastCrawl: %v", err)
	}
	all, err := s.NewestIn(ctx, time.Time{}, T0.Add(time.Hour))
	if err != nil {
		t.Fatalf("NewestIn: %v", err)
	}
	var hist [][]checks.Result
	for _, l := range latest {
		h, err := s.History(ctx, l.Result.Repo, time.Time{}, time.Unix(1<<40, 0))
		if err != nil {
			t.Fatalf("History: %v", err)
		}
		hist = append(hist, h)
	}
	return mustJSON(t, map[string]any{"latest": latest, "last": last, "all": all, "history": hist})
}

func testAtomic(t *testing.T, newDB NewDB) {
	tests := []struct {
		name string
		// run makes one SaveCrawl that must fail as a whole.
		run func(ctx context.Context, s store.Store) error
	}{
		{"encoding fails midway", func(ctx context.Context, s store.Store) error {
			snaps := Crawl(1000, T0.Add(2*time.Hour))
			snaps[700].Result.Checks[1].Details["bytes"] = math.NaN()
			return s.SaveCrawl(ctx, snaps)
		}},
		{"context cancelled before", func(ctx context.Context, s store.Store) error {
			ctx, cancel := context.WithCancel(ctx)
			cancel()
			return s.SaveCrawl(ctx, Crawl(1000, T0.Add(2*time.Hour)))
		}},
		{"facts fail to encode at the end", func(ctx context.Context, s store.Store) error {
			snaps := Crawl(500, T0.Add(2*time.Hour))
			snaps[499].Facts.License.Files[0].Coverage = math.Inf(1)
			return s.SaveCrawl(ctx, snaps)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := Open(t, newDB(t))
			save(t, s, Crawl(10, T0)...)
			before := state(t, s)
			if err := tc.run(context.Background(), s); err == nil {
				t.Fatal("SaveCrawl succeeded, want an error")
			}
			if after := state(t, s); !bytes.Equal(before, after) {
				t.Errorf("a failed SaveCrawl changed the store:\nbefore %.300s\nafter  %.300s", before, after)
			}
			// The store still works after the failure.
			save(t, s, Crawl(20, T0.Add(time.Hour))...)
			if l, err := s.Latest(context.Background()); err != nil || len(l) != 20 {
				t.Errorf("Latest after recovery = %d, %v; want 20", len(l), err)
			}
		})
	}

	// Cancelled while writing: whichever way the race goes, the crawl is
	// stored whole or not at all.
	t.Run("context cancelled while writing", func(t *testing.T) {
		t.Parallel()
		s := Open(t, newDB(t))
		save(t, s, Crawl(10, T0)...)
		before := state(t, s)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.SaveCrawl(ctx, Crawl(3000, T0.Add(2*time.Hour))) }()
		time.Sleep(5 * time.Millisecond)
		cancel()
		err := <-done
		checkWholeOrNothing(t, s, err, before, 3000, T0.Add(2*time.Hour))
	})
}

// checkWholeOrNothing checks that a SaveCrawl of n snapshots (Crawl(n, at))
// that returned err left the store as before (err != nil) or holds it all.
func checkWholeOrNothing(t *testing.T, s store.Store, err error, before []byte, n int, at time.Time) {
	t.Helper()
	ctx := context.Background()
	latest, lerr := s.Latest(ctx)
	if lerr != nil {
		t.Fatalf("Latest: %v", lerr)
	}
	newer := 0
	for _, l := range latest {
		if l.Result.CrawledAt.Equal(at) {
			newer++
		}
	}
	switch {
	case err == nil && newer != n:
		t.Errorf("SaveCrawl succeeded but %d of %d snapshots are stored", newer, n)
	case err != nil && newer != 0:
		t.Errorf("SaveCrawl failed (%v) but %d of %d snapshots are stored", err, newer, n)
	case err != nil && before != nil:
		if after := state(t, s); !bytes.Equal(before, after) {
			t.Errorf("a failed SaveCrawl (%v) changed the store", err)
		}
	}
	t.Logf("SaveCrawl: %v; %d of %d stored", err, newer, n)
}

func testInvalid(t *testing.T, newDB NewDB) {
	s := Open(t, newDB(t))
	save(t, s, Crawl(3, T0)...)
	before := state(t, s)
	tests := []struct {
		name  string
		spoil func(*store.Snapshot)
	}{
		{"empty repo", func(sn *store.Snapshot) { sn.Result.Repo = "" }},
		{"zero crawled_at", func(sn *store.Snapshot) { sn.Result.CrawledAt = time.Time{} }},
		{"crawled_at after year 9999", func(sn *store.Snapshot) { sn.Result.CrawledAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			snaps := Crawl(100, T0.Add(time.Hour))
			tc.spoil(&snaps[50])
			if err := s.SaveCrawl(context.Background(), snaps); err == nil {
				t.Fatal("SaveCrawl accepted an invalid snapshot")
			}
			if after := state(t, s); !bytes.Equal(before, after) {
				t.Error("a rejected SaveCrawl changed the store")
			}
		})
	}
	if err := s.SaveCrawl(context.Background(), nil); err != nil {
		t.Errorf("SaveCrawl of no snapshots: %v", err)
	}
}

func testReports(t *testing.T, newDB NewDB) {
	s := Open(t, newDB(t))
	ctx := context.Background()
	if _, err := s.Report(ctx, "2026-W48"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Report of an empty archive: %v, want ErrNotFound", err)
	}
	if rs, err := s.Reports(ctx); err != nil || len(rs) != 0 {
		t.Errorf("Reports of an empty archive = %v, %v", rs, err)
	}
	gen := time.Date(2026, 11, 30, 7, 0, 0, 123456000, time.FixedZone("CET", 3600))
	saves := []store.Report{
		{Week: "2026-W48", GeneratedAt: gen, HTML: []byte("<p>v1</p>"), JSON: []byte(`{"week":"2026-W48"}`)},
		{Week: "2026-W09", GeneratedAt: gen.Add(-time.Hour), HTML: []byte("<p>W09 é</p>"), JSON: []byte(`{}`)},
		{Week: "2026-W48", GeneratedAt: gen.Add(time.Minute), HTML: []byte("<p>v2</p>"), JSON: []byte(`{"week":"2026-W48","v":2}`)},
		{Week: "2025-W52", GeneratedAt: gen.Add(-2 * time.Hour), HTML: []byte{0, 1, 2, 0xff}, JSON: nil},
	}
	for _, r := range saves {
		if err := s.SaveReport(ctx, r); err != nil {
			t.Fatalf("SaveReport %s: %v", r.Week, err)
		}
	}
	if err := s.SaveReport(ctx, store.Report{GeneratedAt: gen}); err == nil {
		t.Error("SaveReport accepted an empty week")
	}
	tests := []struct {
		week string
		want store.Report
	}{
		{"2026-W48", saves[2]},
		{"2026-W09", saves[1]},
		{"2025-W52", saves[3]},
	}
	for _, tc := range tests {
		got, err := s.Report(ctx, tc.week)
		if err != nil {
			t.Errorf("Report %s: %v", tc.week, err)
			continue
		}
		if got.Week != tc.want.Week || !got.GeneratedAt.Equal(tc.want.GeneratedAt) || got.GeneratedAt.Location() != time.UTC ||
			!bytes.Equal(got.HTML, tc.want.HTML) || !bytes.Equal(got.JSON, tc.want.JSON) {
			t.Errorf("Report %s = %+v, want %+v", tc.week, got, tc.want)
		}
	}
	list, err := s.Reports(ctx)
	if err != nil {
		t.Fatalf("Reports: %v", err)
	}
	var weeks []string
	for _, r := range list {
		weeks = append(weeks, r.Week)
		if r.HTML != nil || r.JSON != nil {
			t.Errorf("Reports returned the body of %s", r.Week)
		}
		if r.GeneratedAt.IsZero() || r.GeneratedAt.Location() != time.UTC {
			t.Errorf("Reports %s generated at %v", r.Week, r.GeneratedAt)
		}
	}
	if want := []string{"2026-W48", "2026-W09", "2025-W52"}; !slices.Equal(weeks, want) {
		t.Errorf("Reports weeks = %v, want %v", weeks, want)
	}
}

func testSent(t *testing.T, newDB NewDB) {
	s := Open(t, newDB(t))
	ctx := context.Background()
	at := T0.Add(7 * 24 * time.Hour)
	marks := [][3]string{
		{"2026-W48", "", "coaches@example.org"},
		{"2026-W48", "defi-a", "coach-a@example.org"},
	}
	for _, m := range marks {
		for range 2 { // recording twice is not an error
			if err := s.MarkSent(ctx, m[0], m[1], m[2], at); err != nil {
				t.Fatalf("MarkSent %v: %v", m, err)
			}
		}
	}
	tests := []struct {
		week, scope, recipient string
		want                   bool
	}{
		{"2026-W48", "", "coaches@example.org", true},
		{"2026-W48", "defi-a", "coach-a@example.org", true},
		{"2026-W49", "", "coaches@example.org", false},
		{"2026-W48", "defi-a", "coaches@example.org", false},
		{"2026-W48", "defi-b", "coach-a@example.org", false},
		{"2026-W48", "", "coach-a@example.org", false},
	}
	for _, tc := range tests {
		got, err := s.Sent(ctx, tc.week, tc.scope, tc.recipient)
		if err != nil || got != tc.want {
			t.Errorf("Sent(%q, %q, %q) = %v, %v; want %v", tc.week, tc.scope, tc.recipient, got, err, tc.want)
		}
	}
}

func testClaim(t *testing.T, newDB NewDB) {
	open := newDB(t)
	// Two handles: the claims of two processes on one database.
	a, b := Open(t, open), Open(t, open)
	ctx := context.Background()
	at := T0.Add(7 * 24 * time.Hour)
	const week = "2026-W48"
	steps := []struct {
		name   string
		do     func() (bool, error)
		want   bool
		reason string
	}{
		{"first claim", func() (bool, error) { return a.ClaimSend(ctx, week, "", "Coach@Example.org", at) }, true, ""},
		{"claim again", func() (bool, error) { return b.ClaimSend(ctx, week, "", "coach@example.org", at) }, false, "claimed by the other process"},
		{"another scope, same mailbox", func() (bool, error) { return b.ClaimSend(ctx, week, "defi-a", " COACH@example.org", at) }, false, "one mail per recipient and week"},
		{"another week", func() (bool, error) { return b.ClaimSend(ctx, "2026-W49", "", "coach@example.org", at) }, true, ""},
		{"another recipient", func() (bool, error) { return b.ClaimSend(ctx, week, "", "other@example.org", at) }, true, ""},
		{"released, claimed again", func() (bool, error) {
			if err := b.ReleaseSend(ctx, week, "OTHER@example.org"); err != nil {
				return false, err
			}
			return a.ClaimSend(ctx, week, "", "other@example.org", at)
		}, true, ""},
		{"still fresh", func() (bool, error) {
			return b.ClaimSend(ctx, week, "", "coach@example.org", at.Add(store.ClaimTimeout-time.Second))
		}, false, "its holder may still be sending"},
		{"abandoned claim taken over", func() (bool, error) {
			return b.ClaimSend(ctx, week, "", "coach@example.org", at.Add(store.ClaimTimeout+time.Second))
		}, true, ""},
		{"sent: never again", func() (bool, error) {
			if err := b.MarkSent(ctx, week, "", "coach@example.org", at); err != nil {
				return false, err
			}
			return a.ClaimSend(ctx, week, "", "coach@example.org", at.Add(30*24*time.Hour))
		}, false, "the mail was sent"},
		{"release after send keeps it", func() (bool, error) {
			if err := a.ReleaseSend(ctx, week, "coach@example.org"); err != nil {
				return false, err
			}
			return a.ClaimSend(ctx, week, "", "coach@example.org", at)
		}, false, "a sent mail's claim is not released"},
	}
	for _, st := range steps {
		got, err := st.do()
		if err != nil || got != st.want {
			t.Errorf("%s: claimed = %v, %v; want %v %s", st.name, got, err, st.want, st.reason)
		}
	}
	if sent, err := a.Sent(ctx, week, "", "coach@example.org"); err != nil || !sent {
		t.Errorf("Sent after MarkSent = %v, %v", sent, err)
	}
}

// testClaimRace has many claimants on several handles ask for the same
// mails at the same instant: each mail goes to exactly one.
func testClaimRace(t *testing.T, newDB NewDB) {
	open := newDB(t)
	handles := []store.Store{Open(t, open), Open(t, open), Open(t, open)}
	ctx := context.Background()
	const claimants, mails = 12, 5
	var wg sync.WaitGroup
	won := make([]int, mails)
	var mu sync.Mutex
	start := make(chan struct{})
	errs := make(chan error, claimants*mails)
	for c := range claimants {
		wg.Go(func() {
			<-start
			for m := range mails {
				ok, err := handles[c%len(handles)].ClaimSend(ctx, "2026-W48", "", fmt.Sprintf("coach-%d@example.org", m), T0)
				if err != nil {
					errs <- err
					continue
				}
				if ok {
					mu.Lock()
					won[m]++
					mu.Unlock()
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("ClaimSend: %v", err)
	}
	for m, n := range won {
		if n != 1 {
			t.Errorf("mail %d claimed %d times, want once", m, n)
		}
	}
}

func testResults(t *testing.T, newDB NewDB) {
	s := Open(t, newDB(t))
	ctx := context.Background()
	// Stored out of time order, two at the same instant, an error, an
	// imported result without facts.
	save(t, s, store.Snapshot{Result: Result("github.com/org/b", T0.Add(2*time.Hour), 20)})
	save(t, s, store.Snapshot{Facts: Facts("github.com/org/a", T0), Result: Result("github.com/org/a", T0, 10)},
		store.Snapshot{Result: ErrorResult("gitlab.com/g/c", T0.Add(time.Hour), "HTTP 502")})
	save(t, s, store.Snapshot{Result: Result("github.com/org/a", T0.Add(2*time.Hour), 30)})
	save(t, s, store.Snapshot{Result: Result("github.com/org/a", T0.Add(3*time.Hour), 40)})
	id := func(r checks.Result) string { return fmt.Sprintf("%s:%d", r.Repo, scoreOf(r)) }
	tests := []struct {
		name  string
		since time.Time
		want  []string
	}{
		{"all", time.Time{}, []string{"github.com/org/a:10", "gitlab.com/g/c:-1", "github.com/org/b:20", "github.com/org/a:30", "github.com/org/a:40"}},
		{"since, inclusive", T0.Add(2 * time.Hour), []string{"github.com/org/b:20", "github.com/org/a:30", "github.com/org/a:40"}},
		{"after the newest", T0.Add(4 * time.Hour), nil},
	}
	for _, tc := range tests {
		var got []string
		var results []checks.Result
		err := s.Results(ctx, tc.since, func(r checks.Result) error {
			got = append(got, id(r))
			results = append(results, r)
			return nil
		})
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: Results = %v, %v; want %v", tc.name, got, err, tc.want)
		}
		// The results are the stored ones, byte for byte.
		for _, r := range results {
			h, err := s.History(ctx, r.Repo, r.CrawledAt, r.CrawledAt.Add(time.Microsecond))
			if err != nil || len(h) != 1 || !bytes.Equal(mustJSON(t, h[0]), mustJSON(t, r)) {
				t.Errorf("%s: result %s differs from History's %v", tc.name, id(r), err)
			}
		}
	}
	stop := errors.New("stop")
	n := 0
	err := s.Results(ctx, time.Time{}, func(checks.Result) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("Results with fn failing: %d calls, %v; want 1 call and its error", n, err)
	}
}

func testCache(t *testing.T, newDB NewDB) {
	s := Open(t, newDB(t))
	ctx := context.Background()
	if _, _, err := s.CacheGet(ctx, "https://api.github.com/repos/o/r"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CacheGet of a missing key: %v, want ErrNotFound", err)
	}
	puts := []struct{ key, etag, body string }{
		{"https://api.github.com/repos/o/r", `W/"abc"`, `{"id":1}`},
		{"https://gitlab.com/api/v4/projects/1", `"x"`, ""},
		{"https://api.github.com/repos/o/r", `W/"def"`, "binary\x00\xff"},
	}
	for _, p := range puts {
		if err := s.CachePut(ctx, p.key, p.etag, []byte(p.body)); err != nil {
			t.Fatalf("CachePut %s: %v", p.key, err)
		}
	}
	tests := []struct{ key, etag, body string }{puts[2], puts[1]}
	for _, tc := range tests {
		etag, body, err := s.CacheGet(ctx, tc.key)
		if err != nil || etag != tc.etag || string(body) != tc.body || body == nil {
			t.Errorf("CacheGet %s = %q, %q, %v; want %q, %q", tc.key, etag, body, err, tc.etag, tc.body)
		}
	}
}

func testReopen(t *testing.T, newDB NewDB) {
	open := newDB(t)
	ctx := context.Background()
	s1, err := open(ctx)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	save(t, s1, Crawl(50, T0)...)
	if err := s1.SaveReport(ctx, store.Report{Week: "2026-W48", GeneratedAt: T0, HTML: []byte("x"), JSON: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	before := state(t, s1)
	if err := s1.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	// Opening again migrates nothing and loses nothing.
	s2 := Open(t, open)
	if after := state(t, s2); !bytes.Equal(before, after) {
		t.Error("the store changed across a close and reopen")
	}
	if _, err := s2.Report(ctx, "2026-W48"); err != nil {
		t.Errorf("Report after reopen: %v", err)
	}
}

func testClose(t *testing.T, newDB NewDB) {
	s, err := newDB(t)(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	ctx := context.Background()
	calls := map[string]func() error{
		"SaveCrawl":  func() error { return s.SaveCrawl(ctx, Crawl(1, T0)) },
		"Latest":     func() error { _, err := s.Latest(ctx); return err },
		"Get":        func() error { _, err := s.Get(ctx, "x"); return err },
		"LatestGood": func() error { _, err := s.LatestGood(ctx, "x"); return err },
		"History":    func() error { _, err := s.History(ctx, "x", T0, T0); return err },
		"NewestIn":   func() error { _, err := s.NewestIn(ctx, T0, T0); return err },
		"LastCrawl":  func() error { _, err := s.LastCrawl(ctx); return err },
		"SaveReport": func() error { return s.SaveReport(ctx, store.Report{Week: "w"}) },
		"Report":     func() error { _, err := s.Report(ctx, "w"); return err },
		"Reports":    func() error { _, err := s.Reports(ctx); return err },
		"MarkSent":   func() error { return s.MarkSent(ctx, "w", "", "r", T0) },
		"Sent":       func() error { _, err := s.Sent(ctx, "w", "", "r"); return err },
		"ClaimSend":  func() error { _, err := s.ClaimSend(ctx, "w", "", "r", T0); return err },
		"Release":    func() error { return s.ReleaseSend(ctx, "w", "r") },
		"Results":    func() error { return s.Results(ctx, time.Time{}, func(checks.Result) error { return nil }) },
		"CacheGet":   func() error { _, _, err := s.CacheGet(ctx, "k"); return err },
		"CachePut":   func() error { return s.CachePut(ctx, "k", "e", nil) },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, store.ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
}

func testCloseInFlight(t *testing.T, newDB NewDB) {
	// Close comes at different points of the write (before it starts,
	// during, after); every outcome must be all or nothing.
	for _, delay := range []time.Duration{0, time.Millisecond, 5 * time.Millisecond, 20 * time.Millisecond} {
		t.Run(delay.String(), func(t *testing.T) {
			open := newDB(t)
			ctx := context.Background()
			s, err := open(ctx)
			if err != nil {
				t.Fatal(err)
			}
			save(t, s, Crawl(10, T0)...)
			const n = 2000
			at := T0.Add(time.Hour)
			done := make(chan error, 1)
			go func() { done <- s.SaveCrawl(ctx, Crawl(n, at)) }()
			time.Sleep(delay)
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			saveErr := <-done
			if saveErr != nil && !errors.Is(saveErr, store.ErrClosed) {
				t.Errorf("SaveCrawl racing Close: %v, want success or ErrClosed", saveErr)
			}
			s2 := Open(t, open)
			checkWholeOrNothing(t, s2, saveErr, nil, n, at)
			if l, err := s2.Latest(ctx); err != nil || len(l) < 10 {
				t.Errorf("Latest after reopen = %d, %v; the earlier crawl is lost", len(l), err)
			}
		})
	}
}

func testConcurrentWriters(t *testing.T, newDB NewDB) {
	open := newDB(t)
	// Two handles on one database: two processes, as far as the database
	// can tell.
	handles := []store.Store{Open(t, open), Open(t, open)}
	ctx := context.Background()
	const writers, per = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, writers*3)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := handles[w%len(handles)]
			snaps := make([]store.Snapshot, per)
			for i := range snaps {
				repo := RepoName(w*per + i)
				snaps[i] = store.Snapshot{Result: Result(repo, T0.Add(time.Duration(w)*time.Minute), w)}
			}
			errs <- s.SaveCrawl(ctx, snaps)
			errs <- s.CachePut(ctx, RepoName(w), "e", []byte("b"))
			errs <- s.MarkSent(ctx, "2026-W48", "", RepoName(w), T0)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent write: %v", err)
		}
	}
	for _, s := range handles {
		latest, err := s.Latest(ctx)
		if err != nil || len(latest) != writers*per {
			t.Errorf("Latest = %d snapshots, %v; want %d", len(latest), err, writers*per)
		}
	}
}

func testConcurrentOpen(t *testing.T, newDB NewDB) {
	open := newDB(t)
	const n = 8
	var wg sync.WaitGroup
	stores := make([]store.Store, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = open(context.Background())
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
			continue
		}
		save(t, stores[i], snap{RepoName(i), 0, i}.snapshot())
		if err := stores[i].Close(); err != nil {
			t.Errorf("close %d: %v", i, err)
		}
	}
	s := Open(t, open)
	if l, err := s.Latest(context.Background()); err != nil || len(l) != n {
		t.Errorf("Latest = %d, %v; want %d", len(l), err, n)
	}
}

// scores returns the score of every repository's newest snapshot.
func scores(t *testing.T, s store.Store) map[string]int {
	t.Helper()
	latest, err := s.Latest(context.Background())
	if err != nil {
		t.Fatalf("Latest: %v", err)
	}
	out := map[string]int{}
	for _, sn := range latest {
		if sn.Result.Score == nil || sn.Facts == nil {
			t.Fatalf("%s: newest snapshot without score or facts", sn.Result.Repo)
		}
		out[sn.Result.Repo] = *sn.Result.Score
	}
	return out
}

// A crawl stored in parts: each part is seen whole by readers as soon as
// it is committed, next to the previous crawl's snapshots of the rest;
// LastCrawl counts the crawl once ended.
func testParts(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	s := Open(t, newDB(t))
	save(t, s, Crawl(6, T0)...) // scores 40..45
	t1 := T0.Add(time.Hour)
	id, err := s.BeginCrawl(ctx, t1)
	if err != nil {
		t.Fatalf("BeginCrawl: %v", err)
	}
	next := Crawl(6, t1)
	for i := range next {
		sc := 90 + i
		next[i].Result.Score = &sc
	}
	parts := [][]store.Snapshot{next[:2], next[2:5], next[5:]}
	for n, part := range parts {
		if err := s.SavePart(ctx, id, part); err != nil {
			t.Fatalf("SavePart %d: %v", n, err)
		}
		got := scores(t, s)
		for i := range 6 {
			want := 40 + i
			if i < 2 || n >= 1 && i < 5 || n == 2 {
				want = 90 + i
			}
			if got[RepoName(i)] != want {
				t.Errorf("after part %d: %s scores %d, want %d", n, RepoName(i), got[RepoName(i)], want)
			}
		}
		if last, err := s.LastCrawl(ctx); err != nil || !last.Equal(T0) {
			t.Errorf("after part %d, before the end: LastCrawl = %v %v, want the previous crawl's %v", n, last, err, T0)
		}
	}
	if err := s.EndCrawl(ctx, id); err != nil {
		t.Fatalf("EndCrawl: %v", err)
	}
	if last, err := s.LastCrawl(ctx); err != nil || !last.Equal(t1) {
		t.Errorf("after the end: LastCrawl = %v %v, want %v", last, err, t1)
	}
	if err := s.SavePart(ctx, id, Crawl(1, t1)); err == nil {
		t.Error("SavePart after EndCrawl: no error")
	}
	if err := s.EndCrawl(ctx, id); err == nil {
		t.Error("EndCrawl twice: no error")
	}
	if err := s.SavePart(ctx, id+1000, Crawl(1, t1)); err == nil {
		t.Error("SavePart to a crawl never begun: no error")
	}
	// A part that cannot be stored leaves nothing of itself.
	id2, err := s.BeginCrawl(ctx, t1.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	bad := Crawl(3, t1.Add(time.Hour))
	bad[2].Result.Repo = ""
	if err := s.SavePart(ctx, id2, bad); err == nil {
		t.Error("SavePart with a snapshot without repo: no error")
	}
	if got := scores(t, s); got[RepoName(0)] != 90 {
		t.Errorf("a refused part left its first snapshot: %v", got)
	}
	h, err := s.History(ctx, RepoName(0), time.Time{}, T0.Add(24*time.Hour))
	if err != nil || len(h) != 2 {
		t.Errorf("History of %s: %d results %v, want the two crawls'", RepoName(0), len(h), err)
	}
}

// A crawl killed between parts (never ended): the parts it committed stay,
// the rest keeps the previous snapshot, on reopening too; LastCrawl stays
// the previous complete crawl's; the next crawl goes on as usual.
func testInterruptedBetweenParts(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	open := newDB(t)
	s, err := open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	save(t, s, Crawl(4, T0)...)
	t1 := T0.Add(6 * time.Hour)
	id, err := s.BeginCrawl(ctx, t1)
	if err != nil {
		t.Fatal(err)
	}
	part := Crawl(2, t1)
	for i := range part {
		sc := 99
		part[i].Result.Score = &sc
	}
	if err := s.SavePart(ctx, id, part); err != nil {
		t.Fatal(err)
	}
	// The process dies: the second part is never written.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := Open(t, open)
	got := scores(t, s2)
	want := map[string]int{RepoName(0): 99, RepoName(1): 99, RepoName(2): 42, RepoName(3): 43}
	if !maps.Equal(got, want) {
		t.Errorf("after a crawl killed between parts: %v, want %v", got, want)
	}
	if last, err := s2.LastCrawl(ctx); err != nil || !last.Equal(T0) {
		t.Errorf("LastCrawl = %v %v, want the last complete crawl's %v", last, err, T0)
	}
	t2 := t1.Add(6 * time.Hour)
	id2, err := s2.BeginCrawl(ctx, t2)
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.SavePart(ctx, id2, Crawl(4, t2)); err != nil {
		t.Fatal(err)
	}
	if err := s2.EndCrawl(ctx, id2); err != nil {
		t.Fatal(err)
	}
	if last, err := s2.LastCrawl(ctx); err != nil || !last.Equal(t2) {
		t.Errorf("LastCrawl after the next crawl = %v %v, want %v", last, err, t2)
	}
}

// LatestOf reads the newest snapshots of some repositories; Index sums up
// the newest snapshot of every one.
func testLatestOfAndIndex(t *testing.T, newDB NewDB) {
	ctx := context.Background()
	s := Open(t, newDB(t))
	save(t, s, Crawl(700, T0)...)
	newer := Crawl(3, T0.Add(time.Hour))
	newer[1] = store.Snapshot{Facts: &crawler.Facts{Ref: crawler.Ref{Path: "x"}, CrawledAt: T0.Add(time.Hour), Error: "gone: no longer listed"},
		Result: ErrorResult(RepoName(1), T0.Add(time.Hour), "gone: no longer listed")}
	save(t, s, newer...)
	var ask []string
	for i := 699; i >= 0; i -= 2 { // 350 repositories, more than one statement's worth on some databases
		ask = append(ask, RepoName(i))
	}
	ask = append(ask, "github.com/org/never-stored")
	got, err := s.LatestOf(ctx, ask)
	if err != nil {
		t.Fatalf("LatestOf: %v", err)
	}
	if len(got) != 350 {
		t.Fatalf("LatestOf: %d snapshots, want 350", len(got))
	}
	for i, sn := range got {
		if want := RepoName(2*i + 1); sn.Result.Repo != want || sn.Facts == nil {
			t.Fatalf("LatestOf[%d] = %s (facts %v), want %s with its facts, sorted", i, sn.Result.Repo, sn.Facts != nil, want)
		}
	}
	if !got[0].Result.CrawledAt.Equal(T0.Add(time.Hour)) || got[0].Result.Error == "" {
		t.Errorf("LatestOf gave %s's older snapshot", got[0].Result.Repo)
	}
	idx, err := s.Index(ctx)
	if err != nil {
		t.Fatalf("Index: %v", err)
	}
	if len(idx) != 700 {
		t.Fatalf("Index: %d entries, want 700", len(idx))
	}
	r := Result(RepoName(5), T0, 0)
	if e := idx[5]; e.Repo != r.Repo || e.URL != r.URL || e.Forge != r.Forge || e.Defi != r.Defi || e.Error != "" {
		t.Errorf("Index[5] = %+v, want the result's repo, url, forge, défi", e)
	}
	if e := idx[1]; e.Error != "gone: no longer listed" || e.Repo != RepoName(1) {
		t.Errorf("Index[1] = %+v, want the newest snapshot's error", e)
	}
}
