package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/eiglink/vigie/metrics"
	"github.com/eiglink/vigie/report"
	"github.com/eiglink/vigie/scan"
	"github.com/eiglink/vigie/serve"
)

// Options configure `vigie serve --demo`.
type Options struct {
	// Listen is the address to serve on ("127.0.0.1:0" picks a free port;
	// see Ready); "" means the server's default.
	Listen string
	// Logger receives the service's logs; nil means slog.Default().
	Logger *slog.Logger
	// Ready, when set, is called with the listening address once the
	// server accepts connections.
	Ready func(addr string)
	// GitHubSchemaPath, when set, has the fake GitHub validate every
	// GraphQL query against the schema file there (GitHub's published
	// one): tests set it, the binary does not.
	GitHubSchemaPath string
}

// Run serves the demonstration programme until ctx is cancelled: it starts
// the in-process forges and a database in a temporary directory, gives
// them four weeks of history and a first weekly report, then runs the
// production server on them. Everything is removed when it returns.
func Run(ctx context.Context, opts Options) error {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	d, err := startDemo(ctx, log, opts.GitHubSchemaPath)
	if err != nil {
		return err
	}
	defer d.close()
	cfg, st := d.cfg, d.store
	m := metrics.New(cfg, st, log)
	sc, err := scan.New(cfg, scan.Options{Store: st, Logger: log, HTTP: scan.ForgeHTTP(m, st, log)})
	if err != nil {
		return fmt.Errorf("demo scanner: %w", err)
	}
	now := time.Now()
	if err := seedDemoHistory(ctx, cfg, st, sc, now); err != nil {
		return err
	}
	// Today's crawl, before serving: every page then tells the present
	// (the seeded weeks are the past), and this week's report tells the
	// demo's stories (a CI broken, a licence lost this week).
	start := time.Now()
	if _, err := sc.Crawl(ctx); err != nil && !errors.Is(err, scan.ErrPartial) {
		return fmt.Errorf("demo crawl: %w", err)
	}
	m.CrawlDone(time.Since(start))
	weekly := func(ctx context.Context, now time.Time) error {
		_, err := report.Run(ctx, st, cfg, report.RunOptions{Out: d.dir, Now: now, Logger: log})
		return err
	}
	// The last complete week's report and this week's so far, so the
	// archive has something to show.
	if err := weekly(ctx, now); err != nil {
		return fmt.Errorf("demo report: %w", err)
	}
	thisWeek := report.WeekOf(now, cfg.Schedule.Location).String()
	if _, err := report.Run(ctx, st, cfg, report.RunOptions{Week: thisWeek, Out: d.dir, Now: time.Now(), Logger: log}); err != nil {
		return fmt.Errorf("demo report %s: %w", thisWeek, err)
	}
	return serve.Run(ctx, cfg, serve.Deps{Store: st, Scanner: sc, Metrics: m, Report: weekly,
		Listen: opts.Listen, Logger: log, Ready: opts.Ready})
}
