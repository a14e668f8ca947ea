// Command vigie watches the code repositories of a public innovation
// programme: it crawls them on GitHub and GitLab, scores their licence,
// README, CI and activity, keeps the history, and reports.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// Exit codes, as CONTRACT.md fixes them.
const (
	exitOK          = 0
	exitBelowMin    = 1
	exitUsage       = 2
	exitUnreachable = 3
)

// usageError is a problem with the command line or the configuration: exit
// code 2 and one line on stderr.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// exitError carries a non-zero exit code without a message of its own (the
// results already said everything).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// app holds what every subcommand needs; tests run it in-process.
type app struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	log            *slog.Logger
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

const usageText = `usage:
  vigie check  [--config FILE] [--format text|json] [--min-score N] URL...
  vigie crawl  --config FILE [--format text|json]
  vigie serve  --config FILE [--listen ADDR] | --demo
  vigie report --config FILE [--week YYYY-Www] [--out DIR] [--send] [--dry-run]
  vigie import --config FILE RESULTS.json
  vigie export --config FILE [--since DATE]
  vigie version`

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	a := &app{stdout: stdout, stderr: stderr, getenv: getenv}
	level := slog.LevelInfo
	if getenv("VIGIE_DEBUG") != "" {
		level = slog.LevelDebug
	}
	a.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if len(args) == 0 {
		fmt.Fprintln(stderr, usageText)
		fmt.Fprintln(stderr, "vigie: no command given")
		return exitUsage
	}
	var err error
	switch args[0] {
	case "check":
		err = a.check(ctx, args[1:])
	case "crawl":
		err = a.crawl(ctx, args[1:])
	case "serve":
		err = a.serve(ctx, args[1:])
	case "report":
		err = a.report(ctx, args[1:])
	case "import":
		err = a.importResults(ctx, args[1:])
	case "export":
		err = a.export(ctx, args[1:])
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, versionString())
	case "help", "--help", "-h", "-help":
		fmt.Fprintln(stdout, usageText)
	default:
		err = usagef("unknown command %q: use check, crawl, serve, report, import, export or version", args[0])
	}
	var ue usageError
	var ee exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "vigie: "+ue.Error())
		return exitUsage
	default:
		fmt.Fprintln(stderr, "vigie: "+err.Error())
		return exitUnreachable
	}
}

// parseFlags parses flags wherever they stand among the positional
// arguments (`vigie check URL --format json` works too).
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
