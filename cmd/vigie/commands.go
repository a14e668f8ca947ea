// The subcommands that work on the store: serve, report and import.

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/importer"
	"github.com/eiglink/vigie/internal/demo"
	"github.com/eiglink/vigie/metrics"
	"github.com/eiglink/vigie/report"
	"github.com/eiglink/vigie/scan"
	"github.com/eiglink/vigie/serve"
	"github.com/eiglink/vigie/serve/leader"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/open"
)

func (a *app) openStore(ctx context.Context, cfg *config.Config) (store.Store, error) {
	st, err := open.Open(ctx, cfg.Storage.Driver, cfg.Storage.DSN, a.log)
	if err != nil {
		return nil, fmt.Errorf("%s: storage: %w", cfg.File, err)
	}
	return st, nil
}

func (a *app) serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfgFile := fs.String("config", "", "configuration file")
	listen := fs.String("listen", "", "address to listen on (overrides http.listen)")
	demoMode := fs.Bool("demo", false, "serve a built-in demonstration programme (no network, no token)")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("serve takes no arguments (got %q)", rest[0])
	}
	if *demoMode {
		if *listen == "" {
			*listen = ":8080"
		}
		return demo.Run(ctx, demo.Options{Listen: *listen, Logger: a.log})
	}
	cfg, err := a.loadConfig(*cfgFile, true)
	if err != nil {
		return err
	}
	st, err := a.openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	a.warnAnonymous(cfg)
	m := metrics.New(cfg, st, a.log)
	sc, err := scan.New(cfg, scan.Options{Store: st, Logger: a.log, HTTP: scan.ForgeHTTP(m, st, a.log)})
	if err != nil {
		return err
	}
	weekly := func(ctx context.Context, now time.Time) error {
		// The archive is the store (/reports/); the files go to the
		// working directory as `vigie report` writes them.
		_, err := report.Run(ctx, st, cfg, report.RunOptions{Send: true, Now: now, Logger: a.log})
		return err
	}
	deps := serve.Deps{Store: st, Scanner: sc, Metrics: m, Report: weekly, Listen: *listen, Logger: a.log}
	if cfg.Storage.Driver == "postgres" {
		// Replicas may share the database: one of them runs the schedule.
		el, err := leader.NewPostgres(cfg.Storage.DSN, 0, a.log)
		if err != nil {
			return fmt.Errorf("%s: storage.dsn: %w", cfg.File, err)
		}
		deps.Elector = el
	}
	return serve.Run(ctx, cfg, deps)
}

func (a *app) report(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	cfgFile := fs.String("config", "", "configuration file")
	week := fs.String("week", "", "ISO week, e.g. 2026-W48 (default: the last complete week)")
	out := fs.String("out", ".", "directory the report is written into")
	send := fs.Bool("send", false, "mail the report (at most once per recipient and week)")
	dryRun := fs.Bool("dry-run", false, "write the mails as .eml files instead of sending")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("report takes no arguments (got %q)", rest[0])
	}
	cfg, err := a.loadConfig(*cfgFile, true)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return usagef("--out %s: %v", *out, err)
	}
	st, err := a.openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := report.Run(ctx, st, cfg, report.RunOptions{Week: *week, Out: *out, Send: *send, DryRun: *dryRun, Now: time.Now(), Logger: a.log})
	if err != nil {
		if errors.Is(err, report.ErrBadWeek) || errors.Is(err, report.ErrNoData) || errors.Is(err, report.ErrNoRecipient) {
			return usageError{err}
		}
		return err
	}
	a.log.Info("report written", "week", res.Week, "html", res.HTMLPath, "json", res.JSONPath)
	return nil
}

func (a *app) importResults(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	cfgFile := fs.String("config", "", "configuration file")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("import: give one RESULTS.json file (got %d)", len(files))
	}
	cfg, err := a.loadConfig(*cfgFile, true)
	if err != nil {
		return err
	}
	f, err := os.Open(files[0])
	if err != nil {
		return usagef("import: %v", err)
	}
	defer f.Close()
	st, err := a.openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := importer.Import(ctx, st, cfg, f, files[0], importer.Options{Now: time.Now(), Logger: a.log})
	if err != nil {
		if errors.Is(err, importer.ErrInvalid) {
			return usageError{err}
		}
		return err
	}
	a.log.Info("import done", "file", files[0], "read", res.Read, "stored", res.Stored, "already_stored", res.Skipped)
	return nil
}
