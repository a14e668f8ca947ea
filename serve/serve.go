// Package serve runs `vigie serve`: the web front and /metrics, the crawl
// and weekly-report schedule, and a graceful shutdown.
package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/crawler/httpx"
	"github.com/eiglink/vigie/metrics"
	"github.com/eiglink/vigie/scan"
	"github.com/eiglink/vigie/serve/leader"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/web"
)

// Deps are what Run needs besides the configuration.
type Deps struct {
	// Store holds the history. Required.
	Store store.Store
	// Scanner crawls on schedule and runs the check form. Required. Build
	// it with HTTP clients from scan.ForgeHTTP(Metrics, ...) so forge
	// requests and rate limits reach /metrics.
	Scanner *scan.Scanner
	// Metrics is the registry /metrics serves; nil builds one (then forge
	// requests are not counted).
	Metrics *metrics.Metrics
	// Report writes (and, as configured, sends) the weekly report for the
	// week before now; nil disables the weekly job.
	Report func(ctx context.Context, now time.Time) error
	// Logger receives the service's logs; nil means slog.Default().
	Logger *slog.Logger
	// Listen overrides the configuration's http.listen ("127.0.0.1:0" picks
	// a free port; see Ready).
	Listen string
	// Ready, when set, is called with the listening address once the server
	// accepts connections.
	Ready func(addr string)
	// BaseURL is the public root of the site, for the badge snippet; ""
	// takes http.public_url (and without it the snippet holds paths on the
	// site: never an address taken from a request).
	BaseURL string
	// Timeouts bound what a client may hold; zero fields take the
	// defaults of DefaultTimeouts.
	Timeouts Timeouts
	// Elector says whether this process runs the schedule (crawls and
	// weekly report) when several serve one database; nil means it is
	// alone (leader.Single). Every process serves the pages, API, badge
	// and /metrics from the store either way.
	Elector leader.Elector
}

// Timeouts are the HTTP server's bounds on its clients.
type Timeouts struct {
	// ReadHeader bounds reading a request's headers: a client trickling
	// them is cut off.
	ReadHeader time.Duration
	// Read bounds reading the whole request (no route takes a body; one
	// sent is refused, and this bounds a trickled one all the same).
	Read time.Duration
	// Write bounds a request's handling and answer, from the end of its
	// headers. It is raised, when shorter, to outlast a check from the
	// form (its own bound plus 30 s).
	Write time.Duration
	// Idle bounds a kept-alive connection waiting for its next request.
	Idle time.Duration
}

// DefaultTimeouts are the bounds `vigie serve` applies.
var DefaultTimeouts = Timeouts{
	ReadHeader: 10 * time.Second,
	Read:       30 * time.Second,
	Write:      90 * time.Second,
	Idle:       2 * time.Minute,
}

// maxHeaderBytes bounds a request's headers: vigie's longest URL (a check
// of a GitLab path at its deepest) is under 8 KB.
const maxHeaderBytes = 64 << 10

func (t Timeouts) orDefault() Timeouts {
	d := DefaultTimeouts
	if t.ReadHeader > 0 {
		d.ReadHeader = t.ReadHeader
	}
	if t.Read > 0 {
		d.Read = t.Read
	}
	if t.Write > 0 {
		d.Write = t.Write
	}
	if t.Idle > 0 {
		d.Idle = t.Idle
	}
	return d
}

// adHocChecker runs the web form's checks on the scanner with their
// requests marked ad hoc: they may not spend the share of each forge quota
// kept for the scheduled crawls (scan.CrawlShare).
type adHocChecker struct{ sc *scan.Scanner }

func (a adHocChecker) Check(ctx context.Context, urls []string) ([]store.Snapshot, error) {
	return a.sc.Check(httpx.AdHoc(ctx), urls)
}

// Run serves until ctx is cancelled or SIGINT/SIGTERM arrives, then shuts
// down: the HTTP server finishes its requests (10 s at most), the scheduler
// stops, and a running crawl is abandoned through its context (the store
// writes a crawl in one transaction, so nothing half-written remains).
func Run(ctx context.Context, cfg *config.Config, deps Deps) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := deps.Logger
	if log == nil {
		log = slog.Default()
		deps.Logger = log
	}
	if cfg == nil || deps.Store == nil || deps.Scanner == nil {
		return errors.New("serve: configuration, store and scanner are required")
	}
	if deps.Metrics == nil {
		deps.Metrics = metrics.New(cfg, deps.Store, log)
	}
	addr := cfg.HTTP.Listen
	if deps.Listen != "" {
		addr = deps.Listen
	}
	if addr == "" {
		addr = ":8080"
	}

	site, err := web.New(web.Options{
		Config: cfg, Store: deps.Store, Checker: adHocChecker{deps.Scanner},
		Metrics: deps.Metrics.Handler(), Logger: log, BaseURL: deps.BaseURL,
		CheckTimeout: cfg.HTTP.CheckTimeout,
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}

	el := deps.Elector
	if el == nil {
		el = leader.Single{}
	}
	var lead term
	c := &crawls{scanner: deps.Scanner, metrics: deps.Metrics, log: log}
	sched, err := schedule(cfg, c, deps.Report, el, &lead, log)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		_ = sched.Shutdown()
		return fmt.Errorf("serve: listening on %s: %w", addr, err)
	}
	to := deps.Timeouts.orDefault()
	// The form's check answers synchronously: the answer must be allowed
	// to outlast the check's own bound, plus rendering.
	to.Write = max(to.Write, site.CheckTimeout()+30*time.Second)
	srv := &http.Server{
		Handler:           site.Handler(),
		ReadHeaderTimeout: to.ReadHeader,
		ReadTimeout:       to.Read,
		WriteTimeout:      to.Write,
		IdleTimeout:       to.Idle,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		// Requests outlive the cancellation of ctx: Shutdown lets them
		// finish (10 s at most) instead of cutting them off.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.InfoContext(ctx, "vigie serve: listening", "addr", ln.Addr().String(),
		"crawl", cfg.Schedule.Crawl, "report", cfg.Schedule.Report, "timezone", cfg.Schedule.Location.String())
	if deps.Ready != nil {
		deps.Ready(ln.Addr().String())
	}

	// The leader's first move is the start-up crawl, beside the server:
	// pages answer (from the history) while it goes. A replica taking over
	// from a dead leader makes the same move, which runs the crawl a tick
	// missed in between (and only then: it crawls when the newest stored
	// crawl is older than the crawl period).
	var wg sync.WaitGroup
	wg.Go(func() {
		el.Campaign(ctx, func(leads bool) {
			deps.Metrics.SetLeader(leads)
			if !leads {
				lead.end()
				log.Info("vigie serve: another replica runs the schedule")
				return
			}
			tctx := lead.begin(ctx)
			wg.Go(func() { c.startup(tctx, deps.Store, cfg) })
		})
	})

	select {
	case err = <-served:
		err = fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
		err = nil
	}
	log.Info("vigie serve: shutting down")
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if e := srv.Shutdown(shutCtx); e != nil {
		log.Warn("vigie serve: HTTP shutdown, closing the remaining connections", "err", e)
		_ = srv.Close()
	}
	if e := sched.Shutdown(); e != nil {
		log.Warn("vigie serve: scheduler shutdown", "err", e)
	}
	wg.Wait()
	return err
}

// term is the current leadership: its context is cancelled when
// leadership is lost, so a crawl or report under way stops rather than run
// beside the new leader's.
type term struct {
	mu     sync.Mutex
	ctx    context.Context
	cancel context.CancelFunc
}

// begin starts a term under parent and returns its context.
func (t *term) begin(parent context.Context) context.Context {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cancel != nil {
		t.cancel()
	}
	t.ctx, t.cancel = context.WithCancel(parent)
	return t.ctx
}

// end cancels the current term.
func (t *term) end() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cancel != nil {
		t.cancel()
	}
}

// context is the current term's context; outside a term, a cancelled one.
func (t *term) context() context.Context {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ctx == nil {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx
	}
	return t.ctx
}

// crawlRunner is the part of *scan.Scanner the schedule uses.
type crawlRunner interface {
	// Stream crawls in parts, each stored as it is done: a scheduled
	// crawl holds one part at a time, whatever the programme's size.
	Stream(ctx context.Context, each func(int, store.Snapshot)) (scan.Stats, error)
}

// crawls runs one crawl at a time, whoever asks (the schedule, start-up).
type crawls struct {
	scanner crawlRunner
	metrics *metrics.Metrics
	log     *slog.Logger
	mu      sync.Mutex
	// clock is the time source; nil means time.Now.
	clock func() time.Time
}

func (c *crawls) now() time.Time {
	if c.clock != nil {
		return c.clock()
	}
	return time.Now()
}

// run crawls unless a crawl is already running (then it returns false):
// a late tick must not queue a second crawl behind a long one.
func (c *crawls) run(ctx context.Context) bool {
	if !c.mu.TryLock() {
		c.log.InfoContext(ctx, "crawl: skipped, one is already running")
		return false
	}
	defer c.mu.Unlock()
	start := time.Now()
	stats, err := c.scanner.Stream(ctx, nil)
	d := time.Since(start)
	if errors.Is(err, scan.ErrPartial) {
		// Stored, with an organisation left unlisted: a done crawl all
		// the same.
		c.log.WarnContext(ctx, "crawl: incomplete", "err", err)
		err = nil
	}
	if err != nil {
		c.log.ErrorContext(ctx, "crawl: failed", "err", err, "duration", d)
		return true
	}
	c.metrics.CrawlDone(d)
	c.log.InfoContext(ctx, "crawl: done", "repos", stats.Repos, "unreachable", stats.Unreachable, "parts", stats.Parts, "duration", d.Round(time.Millisecond))
	return true
}

// startup crawls now when a scheduled crawl time has passed since the
// newest stored crawl (or there is none): a fresh or long-stopped instance
// does not wait hours for its first figures, and a replica taking over
// from a leader that died runs the tick the handover missed — once: a tick
// whose crawl was stored is not run again.
func (c *crawls) startup(ctx context.Context, st store.Store, cfg *config.Config) {
	last, err := st.LastCrawl(ctx)
	if err != nil {
		c.log.ErrorContext(ctx, "crawl: reading the last crawl time", "err", err)
		return
	}
	now := c.now()
	if !last.IsZero() {
		sched, err := config.ParseCron(cfg.Schedule.Crawl)
		if err == nil { // validated by config already; crawl to be safe
			loc := cfg.Schedule.Location
			if loc == nil {
				loc = time.UTC
			}
			if next := sched.Next(last.In(loc)); next.After(now) {
				c.log.InfoContext(ctx, "crawl: start-up crawl not needed", "last", last, "next", next)
				return
			}
		}
	}
	c.log.InfoContext(ctx, "crawl: start-up crawl", "last", last)
	c.run(ctx)
}

// Period is the time between two runs of a cron expression after now. The
// expression has five fields, or six with seconds first (as the
// configuration accepts).
func Period(expr string, loc *time.Location, now time.Time) (time.Duration, error) {
	sched, err := config.ParseCron(expr)
	if err != nil {
		return 0, fmt.Errorf("cron expression %q: %w", expr, err)
	}
	if loc != nil {
		now = now.In(loc)
	}
	next := sched.Next(now)
	return sched.Next(next).Sub(next), nil
}

// schedule starts the crawl and report jobs in the configured time zone.
// Every replica schedules them; the elector lets only the leader's run,
// under the current term's context.
func schedule(cfg *config.Config, c *crawls, report func(context.Context, time.Time) error, el leader.Elector, lead *term, log *slog.Logger) (gocron.Scheduler, error) {
	loc := cfg.Schedule.Location
	if loc == nil {
		loc = time.UTC
	}
	s, err := gocron.NewScheduler(gocron.WithLocation(loc), gocron.WithStopTimeout(30*time.Second),
		gocron.WithDistributedElector(el))
	if err != nil {
		return nil, fmt.Errorf("serve: scheduler: %w", err)
	}
	_, err = s.NewJob(gocron.CronJob(cfg.Schedule.Crawl, true),
		gocron.NewTask(func() { c.run(lead.context()) }),
		gocron.WithName("crawl"), gocron.WithSingletonMode(gocron.LimitModeReschedule))
	if err != nil {
		_ = s.Shutdown()
		return nil, fmt.Errorf("serve: schedule.crawl %q: %w", cfg.Schedule.Crawl, err)
	}
	if report != nil {
		_, err = s.NewJob(gocron.CronJob(cfg.Schedule.Report, true),
			gocron.NewTask(func() {
				ctx := lead.context()
				if err := report(ctx, time.Now()); err != nil {
					log.ErrorContext(ctx, "report: weekly report failed", "err", err)
					return
				}
				log.InfoContext(ctx, "report: weekly report done")
			}),
			gocron.WithName("report"), gocron.WithSingletonMode(gocron.LimitModeReschedule))
		if err != nil {
			_ = s.Shutdown()
			return nil, fmt.Errorf("serve: schedule.report %q: %w", cfg.Schedule.Report, err)
		}
	}
	s.Start()
	return s, nil
}
