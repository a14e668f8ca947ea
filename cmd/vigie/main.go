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
	"strings"
	"syscall"
)

// Exit codes, as docs/reference.md fixes them.
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

// helpRequested is `vigie COMMAND --help`: the command's usage goes to
// stdout and the exit code is 0.
type helpRequested struct{ usage string }

func (e helpRequested) Error() string { return e.usage }

// app holds what every subcommand needs; tests run it in-process.
type app struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	log            *slog.Logger
	// level is the logger's level: check and crawl print every result on
	// stdout, so their logs keep to warnings unless VIGIE_DEBUG is set.
	level *slog.LevelVar
	debug bool
}

// quiet raises the log level to warnings, unless VIGIE_DEBUG asks for
// everything: the results already say what happened to each repository.
func (a *app) quiet() {
	if !a.debug {
		a.level.Set(slog.LevelWarn)
	}
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
	a := &app{stdout: stdout, stderr: stderr, getenv: getenv, level: new(slog.LevelVar)}
	if getenv("VIGIE_DEBUG") != "" {
		a.debug = true
		a.level.Set(slog.LevelDebug)
	}
	a.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: a.level}))
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
	var he helpRequested
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &he):
		fmt.Fprint(stdout, he.usage)
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
// `-h`/`--help` gives the command's usage with every flag (exit 0).
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, helpRequested{commandUsage(fs)}
			}
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

// commandUsage writes a command's usage line (from usageText) and every
// flag with its meaning and default.
func commandUsage(fs *flag.FlagSet) string {
	var b strings.Builder
	b.WriteString("usage:\n")
	for _, line := range strings.Split(usageText, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "vigie" && f[1] == fs.Name() {
			b.WriteString(line + "\n")
		}
	}
	b.WriteString("\nflags:\n")
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	return b.String()
}
