// `vigie export`: every stored result, as `vigie import` reads them back.

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/eiglink/vigie/checks"
)

func (a *app) export(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	cfgFile := fs.String("config", "", "configuration file (its storage is read)")
	since := fs.String("since", "", "only results crawled from this day (YYYY-MM-DD, in schedule.timezone) or instant (RFC 3339) on")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("export takes no arguments (got %q)", rest[0])
	}
	cfg, err := a.loadConfig(*cfgFile, true)
	if err != nil {
		return err
	}
	var from time.Time
	if *since != "" {
		if from, err = parseSince(*since, cfg.Schedule.Location); err != nil {
			return usagef("--since %q: %v", *since, err)
		}
	}
	st, err := a.openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := writeResults(ctx, a.stdout, func(fn func(checks.Result) error) error { return st.Results(ctx, from, fn) })
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	a.log.Info("export done", "results", n, "since", *since)
	return nil
}

// parseSince reads --since: a day (its start in loc) or an RFC 3339 instant.
func parseSince(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("not a day (2026-11-30) nor an RFC 3339 time (2026-11-30T08:00:00Z)")
	}
	return t, nil
}

// writeResults prints the results each streams as one JSON array, one
// result a time (a whole history is never held in memory), in the
// indentation `vigie crawl --format json` uses. It returns how many it
// wrote.
func writeResults(ctx context.Context, w io.Writer, each func(func(checks.Result) error) error) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	n := 0
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("  ", "  ")
	enc.SetEscapeHTML(false)
	if _, err := bw.WriteString("["); err != nil {
		return 0, err
	}
	err := each(func(r checks.Result) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		buf.Reset()
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("encode %s at %s: %w", r.Repo, r.CrawledAt.Format(time.RFC3339), err)
		}
		sep := ",\n  "
		if n == 0 {
			sep = "\n  "
		}
		if _, err := bw.WriteString(sep); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		if _, err := bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		n++
		return nil
	})
	if err != nil {
		return n, err
	}
	end := "\n]\n"
	if n == 0 {
		end = "]\n"
	}
	if _, err := bw.WriteString(end); err != nil {
		return n, fmt.Errorf("write: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("write: %w", err)
	}
	return n, nil
}
