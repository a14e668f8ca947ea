package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/locale"
	"github.com/eiglink/vigie/scan"
	"github.com/eiglink/vigie/store"
)

// loadConfig reads --config, or the built-in public forges when file is ""
// and the command allows it.
func (a *app) loadConfig(file string, required bool) (*config.Config, error) {
	if file == "" {
		if required {
			return nil, usagef("--config FILE is required")
		}
		cfg, err := config.Builtin(a.getenv)
		if err != nil {
			return nil, usageError{err}
		}
		return cfg, nil
	}
	cfg, err := config.Load(file, a.getenv)
	if err != nil {
		return nil, usageError{err}
	}
	return cfg, nil
}

func (a *app) check(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	cfgFile := fs.String("config", "", "configuration file (default: public github.com and gitlab.com)")
	format := fs.String("format", "text", "output format: text or json")
	minScore := fs.Int("min-score", -1, "exit 1 when a repository scores below N (0..100)")
	urls, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return usagef("--format %q: use text or json", *format)
	}
	if *minScore > 100 {
		return usagef("--min-score %d: scores go from 0 to 100", *minScore)
	}
	if len(urls) == 0 {
		return usagef("check: give at least one repository URL")
	}
	cfg, err := a.loadConfig(*cfgFile, false)
	if err != nil {
		return err
	}
	// Every URL is checked before anything is said or called.
	for _, u := range urls {
		if _, err := cfg.Resolve(u); err != nil {
			return usageError{withForgeHint(err, *cfgFile)}
		}
	}
	a.quiet()
	a.warnAnonymous(cfg)
	sc, err := a.scanner(ctx, cfg, nil)
	if err != nil {
		return err
	}
	snaps, err := sc.Check(ctx, urls)
	if err != nil {
		return usageError{withForgeHint(err, *cfgFile)}
	}
	return a.printResults(snaps, *format, *minScore)
}

func (a *app) crawl(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("crawl", flag.ContinueOnError)
	cfgFile := fs.String("config", "", "configuration file")
	format := fs.String("format", "text", "output format: text or json")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("crawl takes no arguments (got %q): the repositories come from --config", rest[0])
	}
	if *format != "text" && *format != "json" {
		return usagef("--format %q: use text or json", *format)
	}
	cfg, err := a.loadConfig(*cfgFile, true)
	if err != nil {
		return err
	}
	a.quiet()
	st, err := a.openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	a.warnAnonymous(cfg)
	sc, err := a.scanner(ctx, cfg, st)
	if err != nil {
		return err
	}
	// The crawl is stored part by part; only the results are kept here,
	// for printing (the facts, README texts included, are let go).
	var snaps []store.Snapshot
	_, err = sc.Stream(ctx, func(i int, snap store.Snapshot) {
		for len(snaps) <= i {
			snaps = append(snaps, store.Snapshot{})
		}
		snaps[i] = store.Snapshot{Result: snap.Result}
	})
	snaps = slices.DeleteFunc(snaps, func(s store.Snapshot) bool { return s.Result.Repo == "" })
	if errors.Is(err, scan.ErrPartial) {
		// Stored, but an organisation could not be listed: print the
		// results, say why, exit 3.
		_ = a.printResults(snaps, *format, -1)
		fmt.Fprintln(a.stderr, "vigie: "+err.Error())
		return exitError{exitUnreachable}
	}
	if err != nil {
		// Print what was fetched, then fail: the parts stored stay, the
		// crawl does not count as done.
		_ = a.printResults(snaps, *format, -1)
		return err
	}
	return a.printResults(snaps, *format, -1)
}

// withForgeHint adds to a "not a configured forge" error how to add one.
func withForgeHint(err error, cfgFile string) error {
	var nc *config.NotConfiguredError
	if !errors.As(err, &nc) {
		return err
	}
	if cfgFile == "" {
		return fmt.Errorf("%w; to check a repository there, pass --config FILE with a forge entry for it (forges: - name: NAME, type: github, gitlab or gitea, url: https://%s)", err, nc.Host)
	}
	return fmt.Errorf("%w; to check a repository there, add a forge entry for it to %s (forges: - name: NAME, type: github, gitlab or gitea, url: https://%s)", err, cfgFile, nc.Host)
}

// warnAnonymous says once, on stderr, what working without a token means.
func (a *app) warnAnonymous(cfg *config.Config) {
	for _, f := range cfg.Forges {
		if len(f.Tokens) > 0 {
			continue
		}
		// The GitHub crawler says itself what 60 requests an hour mean.
		switch f.Type {
		case "gitlab":
			a.log.Warn("no token: public projects only, at the instance's anonymous rate limit", "forge", f.Name, "token_env", f.TokenEnv)
		case "gitea":
			a.log.Warn("no token: public repositories only", "forge", f.Name, "token_env", f.TokenEnv)
		}
	}
}

// printResults writes the results and turns them into the exit code:
// 3 when a repository could not be fetched, 1 when one is below minScore.
func (a *app) printResults(snaps []store.Snapshot, format string, minScore int) error {
	results := make([]checks.Result, len(snaps))
	for i, s := range snaps {
		results[i] = s.Result
	}
	if format == "json" {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(results); err != nil {
			return fmt.Errorf("write results: %w", err)
		}
	} else {
		writeTable(a.stdout, results)
	}
	code := exitOK
	var below []string
	for _, r := range results {
		if r.Error != "" {
			code = exitUnreachable
		} else if minScore >= 0 && r.Score != nil && *r.Score < minScore {
			below = append(below, fmt.Sprintf("%s (%d)", r.Repo, *r.Score))
			if code == exitOK {
				code = exitBelowMin
			}
		}
	}
	if len(below) > 0 {
		fmt.Fprintf(a.stderr, "vigie: %d %s below --min-score %d: %s\n", len(below), plural(len(below), "repository", "repositories"), minScore, strings.Join(below, ", "))
	}
	if code != exitOK {
		return exitError{code}
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// forgeWide are the failures that are the forge's, not the repository's:
// said once per forge host, with the repositories they hit.
var forgeWide = map[string]bool{crawler.FailUnreachable: true, crawler.FailRateLimited: true}

// writeTable prints one line per repository, then, for each repository,
// what to do about every check below 10.
func writeTable(w io.Writer, results []checks.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	names := checks.Names()
	fmt.Fprint(tw, "REPO\tSCORE\t")
	for _, name := range names {
		fmt.Fprintf(tw, "%s\t", strings.ToUpper(name))
	}
	fmt.Fprintln(tw)
	for _, r := range results {
		if r.Error != "" {
			fmt.Fprintf(tw, "%s\t-\t%s\n", r.Repo, strings.Repeat("-\t", len(names)))
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t", r.Repo, *r.Score)
		for _, name := range names {
			if m := r.Mark(name); m != nil {
				fmt.Fprintf(tw, "%d\t", *m)
			} else {
				fmt.Fprint(tw, "-\t")
			}
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	// A forge that cannot be reached (or whose quota is spent) is said
	// once, naming the repositories it holds.
	type wide struct {
		text  string
		repos []string
	}
	var wides []*wide
	byText := map[string]*wide{}
	for _, r := range results {
		if r.Error == "" || !forgeWide[r.Failure] {
			continue
		}
		text := r.ErrorText(locale.English)
		if byText[text] == nil {
			byText[text] = &wide{text: text}
			wides = append(wides, byText[text])
		}
		byText[text].repos = append(byText[text].repos, r.Repo)
	}
	for _, wd := range wides {
		fmt.Fprintf(w, "\n%s\n  %d %s not fetched: %s\n", oneLine(wd.text), len(wd.repos), plural(len(wd.repos), "repository", "repositories"), strings.Join(wd.repos, ", "))
	}
	for _, r := range results {
		if r.Error != "" {
			if !forgeWide[r.Failure] {
				fmt.Fprintf(w, "\n%s: %s\n", r.Repo, oneLine(r.ErrorText(locale.English)))
			}
			continue
		}
		var todo []checks.Check
		for _, c := range r.Checks {
			if c.Applies() && c.Score < 10 {
				todo = append(todo, c)
			}
		}
		if len(todo) == 0 && r.Openness == nil {
			continue
		}
		fmt.Fprintf(w, "\n%s\n", r.Repo)
		for _, c := range todo {
			fmt.Fprintf(w, "  %-8s %2d/10  %s\n", c.Name, c.Score, oneLine(c.Reason))
			if c.Remediation != "" {
				fmt.Fprintf(w, "  %8s        → %s\n", "", oneLine(c.Remediation))
			}
			writeSuggested(w, c)
		}
		writeProfile(w, r)
	}
}

// writeProfile prints the programme's profile of one result: the degree of
// openness and what reaches the next, the checklist items missing and what
// to do about each, publiccode.yml's problems, code.gouv.fr's score and an
// ended défi's continuity.
func writeProfile(w io.Writer, r checks.Result) {
	if o := r.Openness; o != nil {
		fmt.Fprintf(w, "  openness  degree %d of 8 (EIG guide)\n", o.Degree)
		if next := o.Next(); next != nil {
			fmt.Fprintf(w, "            next: %s, not met: %s\n", next.Name, oneLine(next.Evidence))
		}
	}
	if r.Checklist != nil {
		met, applicable := checks.ChecklistCounts(r.Checklist)
		fmt.Fprintf(w, "  checklist %d of %d met\n", met, applicable)
		for _, it := range r.Checklist {
			if it.Applicable && !it.Met {
				fmt.Fprintf(w, "    - %s: %s\n", it.ID, oneLine(it.Remediation))
			}
		}
	}
	if pc := r.Publiccode; pc != nil && pc.File != "" {
		state := "valid"
		if !pc.Valid {
			state = fmt.Sprintf("%d problem(s)", len(pc.Errors))
		}
		fmt.Fprintf(w, "  %s %s\n", pc.File, state)
		for _, e := range pc.Errors {
			fmt.Fprintf(w, "    line %d %s: %s\n", e.Line, e.Key, oneLine(e.Message))
		}
	}
	if r.CodegouvScore != nil {
		fmt.Fprintf(w, "  code.gouv.fr score %d\n", *r.CodegouvScore)
		if len(r.CodegouvRaise) > 0 {
			fmt.Fprintf(w, "            raise it with: %s\n", oneLine(strings.Join(r.CodegouvRaise, ", ")))
		}
	}
	if c := r.Continuity; c != nil {
		share := "-"
		if c.TopAuthorShare90d != nil {
			share = fmt.Sprintf("%.0f%%", 100**c.TopAuthorShare90d)
		}
		fmt.Fprintf(w, "  since the défi ended (%s): commits %d, authors %d; last 90 days: authors outside the team %d, busiest author's share %s\n",
			c.DefiEnded, c.CommitsSinceEnd, c.AuthorsSinceEnd, c.AuthorsOutsideTeam90d, share)
	}
}

// writeSuggested prints the file a check proposes (the CI configuration
// of details suggested_file and suggested_config) indented under its name,
// ready to copy: its lines are vigie's own, not the repository's.
func writeSuggested(w io.Writer, c checks.Check) {
	file, _ := c.Details["suggested_file"].(string)
	cfg, _ := c.Details["suggested_config"].(string)
	if file == "" || cfg == "" {
		return
	}
	fmt.Fprintf(w, "  %8s          %s:\n", "", oneLine(file))
	for _, line := range strings.Split(strings.TrimRight(cfg, "\n"), "\n") {
		fmt.Fprintf(w, "  %8s            %s\n", "", line)
	}
}

// oneLine keeps text a repository controls from breaking the table.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// checkMaxWait is the longest `vigie check` waits for a forge's rate
// limit to reset.
const checkMaxWait = time.Minute

func (a *app) scanner(ctx context.Context, cfg *config.Config, st store.Store) (*scan.Scanner, error) {
	opts := scan.Options{Store: st, Logger: a.log}
	if st != nil {
		// The store keeps ETags across crawls: an unchanged repository costs
		// 304s, which GitHub does not count against an authenticated quota.
		opts.HTTP = scan.ForgeHTTP(nil, st, a.log)
	} else {
		// `check` answers now: a quota that refills later fails the
		// repositories (exit 3) rather than holding the command for up to
		// an hour.
		opts.HTTP = scan.CheckHTTP(checkMaxWait, a.log)
	}
	return scan.New(cfg, opts)
}
