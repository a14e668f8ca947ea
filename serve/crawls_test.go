package serve

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eiglink/vigie/internal/readertest"
	"github.com/eiglink/vigie/metrics"
	"github.com/eiglink/vigie/scan"
	"github.com/eiglink/vigie/serve/leader"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/memstore"
)

// blockingCrawler counts crawls; each waits for release.
type blockingCrawler struct {
	n       atomic.Int32
	started chan struct{}
	release chan struct{}
}

func (b *blockingCrawler) Stream(ctx context.Context, each func(int, store.Snapshot)) (scan.Stats, error) {
	b.n.Add(1)
	if b.started != nil {
		b.started <- struct{}{}
	}
	if b.release != nil {
		<-b.release
	}
	return scan.Stats{}, nil
}

func newCrawls(t *testing.T, cr crawlRunner, now time.Time) *crawls {
	cfg := readertest.Config()
	return &crawls{scanner: cr, metrics: metrics.New(cfg, memstore.New(), nil), log: slog.New(slog.DiscardHandler), clock: func() time.Time { return now }}
}

func TestStartupCrawlOnlyWhenStale(t *testing.T) {
	cfg := readertest.Config() // crawl every 6 hours
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	ref := cfg.Defis[0].Repos[0]
	for _, tc := range []struct {
		name string
		last time.Time // zero: empty store
		want int32
	}{
		{"empty store", time.Time{}, 1},
		{"fresh", now.Add(-2 * time.Hour), 0},
		{"older than the period", now.Add(-7 * time.Hour), 1},
		// The ticks are at 0, 6, 12 and 18 h in Paris (10:00 UTC is
		// 11:00 there): a tick passed since the last crawl was missed.
		{"a tick missed", time.Date(2026, 11, 29, 4, 59, 0, 0, time.UTC), 1},
		{"the tick's own crawl", time.Date(2026, 11, 29, 5, 0, 0, 3e6, time.UTC), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := memstore.New()
			if !tc.last.IsZero() {
				if err := st.SaveCrawl(context.Background(), []store.Snapshot{readertest.Snap(ref, tc.last, [4]int{}, time.Time{})}); err != nil {
					t.Fatal(err)
				}
			}
			cr := &blockingCrawler{}
			newCrawls(t, cr, now).startup(context.Background(), st, cfg)
			if got := cr.n.Load(); got != tc.want {
				t.Errorf("crawls = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestNeverTwoCrawlsAtOnce(t *testing.T) {
	cr := &blockingCrawler{started: make(chan struct{}, 1), release: make(chan struct{})}
	c := newCrawls(t, cr, time.Now())
	done := make(chan bool)
	go func() { done <- c.run(context.Background()) }()
	<-cr.started // the first crawl is running
	if c.run(context.Background()) {
		t.Error("a second crawl ran while the first was running")
	}
	close(cr.release)
	if !<-done {
		t.Error("the first crawl did not run")
	}
	if got := cr.n.Load(); got != 1 {
		t.Errorf("crawls = %d, want 1", got)
	}
}

func TestScheduleJobs(t *testing.T) {
	cfg := readertest.Config()
	c := newCrawls(t, &blockingCrawler{}, time.Now())
	report := func(context.Context, time.Time) error { return nil }
	s, err := schedule(cfg, c, report, leader.Single{}, &term{}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	names := map[string]time.Time{}
	for _, j := range s.Jobs() {
		next, err := j.NextRun()
		if err != nil {
			t.Fatal(err)
		}
		names[j.Name()] = next
	}
	// Monday 08:00 in Paris, whatever the machine's zone.
	if r, ok := names["report"]; !ok || r.In(cfg.Schedule.Location).Weekday() != time.Monday || r.In(cfg.Schedule.Location).Hour() != 8 {
		t.Errorf("report job next run = %v (%v)", r, ok)
	}
	if cr, ok := names["crawl"]; !ok || cr.In(cfg.Schedule.Location).Hour()%6 != 0 {
		t.Errorf("crawl job next run = %v (%v)", cr, ok)
	}

	cfg.Schedule.Crawl = "not a cron"
	if _, err := schedule(cfg, c, nil, leader.Single{}, &term{}, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("a bad crawl expression was accepted")
	}
}

// switchElector leads when told to.
type switchElector struct{ leads atomic.Bool }

func (s *switchElector) IsLeader(context.Context) error {
	if s.leads.Load() {
		return nil
	}
	return leader.ErrNotLeader
}

func (s *switchElector) Campaign(ctx context.Context, changed func(bool)) { <-ctx.Done() }

// TestOnlyTheLeaderRunsTheSchedule: with a crawl every second, a follower's
// ticks run nothing, a leader's run the crawl, and a term ended cancels the
// crawl under way.
func TestOnlyTheLeaderRunsTheSchedule(t *testing.T) {
	cfg := readertest.Config()
	cfg.Schedule.Crawl = "* * * * * *"
	cr := &ctxCrawler{cancelled: make(chan struct{})}
	c := newCrawls(t, cr, time.Now())
	el := &switchElector{}
	var lead term
	s, err := schedule(cfg, c, nil, el, &lead, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	time.Sleep(2500 * time.Millisecond)
	if n := cr.n.Load(); n != 0 {
		t.Fatalf("a follower crawled %d times", n)
	}
	el.leads.Store(true)
	lead.begin(context.Background())
	deadline := time.Now().Add(10 * time.Second)
	for cr.n.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if cr.n.Load() == 0 {
		t.Fatal("the leader's ticks ran no crawl")
	}
	el.leads.Store(false)
	lead.end()
	select {
	case <-cr.cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the crawl under way outlived the leadership")
	}
}

// ctxCrawler counts crawls, each running until its context ends.
type ctxCrawler struct {
	n         atomic.Int32
	cancelled chan struct{}
	once      atomic.Bool
}

func (c *ctxCrawler) Stream(ctx context.Context, each func(int, store.Snapshot)) (scan.Stats, error) {
	c.n.Add(1)
	<-ctx.Done()
	if c.once.CompareAndSwap(false, true) {
		close(c.cancelled)
	}
	return scan.Stats{}, ctx.Err()
}
