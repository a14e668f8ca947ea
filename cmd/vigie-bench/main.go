// Command vigie-bench measures a crawl: it starts fake GitHub and GitLab
// forges in the process (with a latency per request, and with -faults 5xx
// answers and a rate-limit window), crawls N synthetic repositories twice
// through vigie's crawlers and shared transport — cold, then unchanged — and
// prints per forge the requests and GraphQL points per repository, the share
// of 304s, the wall time and the peak memory. With -faults it checks that
// every repository ends with the same facts as without faults.
//
//	go run ./cmd/vigie-bench -n 1000 -latency 50ms [-faults] [-json]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"text/tabwriter"
	"time"
)

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("vigie-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	var asJSON, verbose bool
	fs.IntVar(&cfg.N, "n", 1000, "repositories, half on each forge")
	fs.DurationVar(&cfg.Latency, "latency", 50*time.Millisecond, "latency the fake forges add to every answer")
	fs.BoolVar(&cfg.Faults, "faults", false, "also crawl with 10% 5xx answers and a rate-limit window, and compare the facts")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	fs.StringVar(&cfg.Real, "real", defaultReal(), "folder of real défi repositories used as templates for every fifth one (\"\": synthetic only)")
	fs.BoolVar(&cfg.GitLabLimit, "gitlab-limit", false, "keep the fake GitLab's 2,000 requests/minute headers (gitlab.com); default: a self-managed instance without limits")
	fs.DurationVar(&cfg.Timeout, "timeout", 10*time.Minute, "give up after this long")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of the injected failures")
	fs.BoolVar(&verbose, "v", false, "log the crawlers' and transport's warnings")
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of the run to this file")
	fs.StringVar(&cfg.MemProfile, "memprofile", "", "write a heap profile (in-use after the cold crawl) to this file")
	fs.BoolVar(&cfg.GitHubREST, "github-rest", false, "crawl GitHub without a token: the REST path, where ETags apply (the fake's anonymous quota is raised)")
	fs.StringVar(&cfg.Cache, "cache", "mem", "ETag cache: mem, or sqlite (vigie's store in a temporary folder)")
	fs.IntVar(&cfg.EndedDays, "ended-days", 0, "end every repository's défi this many days before the crawl, so the crawl also counts the commits since (0: no défi ended)")
	fs.BoolVar(&cfg.GitLabREST, "gitlab-rest", false, "turn the fake GitLab's GraphQL off: the crawler goes through REST alone")
	fs.BoolVar(&cfg.Store, "store", false, "crawl as vigie serve does: through the scanner into a SQLite store, streamed in parts (memory measured for the whole programme)")
	fs.IntVar(&cfg.PartSize, "part", 0, "with -store: repositories of one forge per part (0: vigie's default)")
	fs.IntVar(&cfg.GitHubTokens, "github-tokens", 1, "tokens the GitHub transport rotates (token_envs), each with its own quota of 5,000 GraphQL points an hour")
	fs.BoolVar(&cfg.InProcess, "inprocess", false, "serve the fake forges from this process (the memory measured then includes them)")
	// The benchmark re-runs itself with these to serve the fakes from a
	// child process.
	serve := fs.Bool("serve-fakes", false, "internal: serve the fake forges, announce them on stdout, stop when stdin closes")
	faulty := fs.Bool("faulty", false, "internal, with -serve-fakes: inject the faults")
	nowFlag := fs.String("now", "", "internal, with -serve-fakes: the crawl time the repositories are dated from (RFC 3339)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *serve {
		now, err := time.Parse(time.RFC3339, *nowFlag)
		if err != nil {
			fmt.Fprintln(stderr, "vigie-bench: -serve-fakes needs -now:", err)
			return 2
		}
		if err := serveFakes(cfg, *faulty, now, os.Stdin, stdout); err != nil {
			fmt.Fprintln(stderr, "vigie-bench: fakes:", err)
			return 1
		}
		return 0
	}
	if cfg.N < 2 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "vigie-bench: -n must be at least 2, and no arguments are taken")
		return 2
	}
	if cfg.GitHubTokens < 1 {
		fmt.Fprintln(stderr, "vigie-bench: -github-tokens must be at least 1 (-github-rest crawls without one)")
		return 2
	}
	if cfg.Store && cfg.Cache == "mem" {
		// As vigie serve does: the ETag cache is in the database, not in
		// memory, where it would grow with the programme.
		cfg.Cache = "sqlite"
	}
	if cfg.CPUProfile != "" {
		f, err := os.Create(cfg.CPUProfile)
		if err != nil {
			fmt.Fprintln(stderr, "vigie-bench:", err)
			return 1
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if cfg.Cache != "mem" && cfg.Cache != "sqlite" {
		fmt.Fprintln(stderr, "vigie-bench: -cache must be mem or sqlite")
		return 2
	}
	level := slog.LevelError + 4 // silent: missing repositories are expected
	if verbose {
		level = slog.LevelWarn
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "vigie-bench:", err)
		if rep == nil {
			return 1
		}
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
	} else {
		printText(stdout, rep)
	}
	if err != nil || !rep.Unchanged.OK || rep.FaultCheck != nil && !rep.FaultCheck.OK {
		return 1
	}
	return 0
}

// defaultReal is the folder of real défi repositories' snapshots that
// VIGIE_REAL_REPOS names, as for the tests ("" when unset or not such a
// folder: the benchmark then uses synthetic repositories only).
func defaultReal() string {
	p := os.Getenv("VIGIE_REAL_REPOS")
	if p == "" {
		return ""
	}
	if _, err := os.Stat(filepath.Join(p, "REFERENCE.json")); err != nil {
		return ""
	}
	return p
}

func printText(w io.Writer, rep *report) {
	c := rep.Config
	where := "a child process"
	if c.InProcess {
		where = "this process"
	}
	ghTokens := fmt.Sprint(c.GitHubTokens)
	if c.GitHubREST {
		ghTokens = "none"
	}
	fmt.Fprintf(w, "vigie-bench: %d repositories, %v latency, real templates: %t, GitLab limits: %t, GitHub REST only: %t, GitHub tokens: %s, cache: %s, fakes in %s\n\n",
		c.N, c.Latency, c.Real != "", c.GitLabLimit, c.GitHubREST, ghTokens, c.Cache, where)
	if len(rep.Streamed) > 0 {
		printStreamed(w, rep)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "forge\tpass\trepos\trequests\treq/repo\tGraphQL req\tpoints\tpoints/repo\t304s\t304 %\tretries\twaits\t5xx inj.\trefused\trepo errors\twall s\t")
	for _, p := range rep.Passes {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.3f\t%d\t%d\t%.3f\t%d\t%.0f\t%d\t%d\t%d\t%d\t%d\t%.2f\t\n",
			p.Forge, p.Pass, p.Repos, p.Requests, p.RequestsPerRepo, p.GraphQLRequests, p.GraphQLPoints, p.PointsPerRepo,
			p.NotModified, p.NotModifiedPct, p.Retries, p.Waits, p.Injected, p.Refused, p.RepoErrors, p.WallSeconds)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nboth forges, cold: %.2f s wall\n", rep.WallTotal)
	fmt.Fprintf(w, "memory of the crawling process (%s): peak RSS %.0f MiB, Go runtime %.0f MiB;\n"+
		"  heap: %.0f MiB live before crawling, %.0f MiB at most while crawling\n",
		map[bool]string{true: "fake forges included", false: "fake forges apart"}[c.InProcess],
		rep.PeakRSSMiB, rep.PeakGoMiB, rep.BaseHeapMiB, rep.PeakHeapMiB)
	for _, p := range rep.Passes {
		if p.Pass != "cold" && p.Pass != "unchanged" {
			continue
		}
		fmt.Fprintf(w, "\n%s %s, requests per route:\n", p.Forge, p.Pass)
		type kv struct {
			k string
			v int
		}
		var routes []kv
		for k, v := range p.ByRoute {
			routes = append(routes, kv{k, v})
		}
		sort.Slice(routes, func(i, j int) bool {
			return routes[i].v > routes[j].v || routes[i].v == routes[j].v && routes[i].k < routes[j].k
		})
		for _, r := range routes {
			fmt.Fprintf(w, "  %6d  %.3f/repo  %s\n", r.v, float64(r.v)/float64(p.Repos), r.k)
		}
	}
	check := func(name string, fc faultCheck) {
		if fc.OK {
			fmt.Fprintf(w, "\n%s: OK (%d repositories compared)\n", name, fc.Compared)
			return
		}
		fmt.Fprintf(w, "\n%s: %d MISMATCHES of %d compared (first ones):\n", name, len(fc.Mismatches), fc.Compared)
		for _, m := range fc.Mismatches {
			fmt.Fprintln(w, "  "+m)
		}
	}
	check("unchanged re-crawl gives the cold crawl's facts", rep.Unchanged)
	if rep.FaultCheck != nil {
		check("facts under faults = facts without", *rep.FaultCheck)
	}
}

// printStreamed prints the crawls through the store (-store).
func printStreamed(w io.Writer, rep *report) {
	c := rep.Config
	fmt.Fprintf(w, "vigie-bench -store: %d repositories (half GitHub, half GitLab%s), %v latency, parts of %d per forge, SQLite store\n\n",
		c.N, map[bool]string{true: " over REST alone", false: ""}[c.GitLabREST], c.Latency, max(c.PartSize, 0))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "pass\trepos\tparts\terrors\twall s\tGitHub req\tGitHub req/repo\tGitLab req\tGitLab req/repo\t")
	for _, p := range rep.Streamed {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.1f\t%d\t%.3f\t%d\t%.3f\t\n", p.Pass, p.Repos, p.Parts, p.Unreachable, p.WallSeconds,
			p.Requests["github"], p.PerRepo["github"], p.Requests["gitlab"], p.PerRepo["gitlab"])
	}
	tw.Flush()
	fmt.Fprintf(w, "\nmemory of the crawling process (fake forges apart unless -inprocess): peak RSS %.0f MiB, Go runtime %.0f MiB;\n"+
		"  heap: %.0f MiB live before crawling, %.0f MiB at most while crawling\n", rep.PeakRSSMiB, rep.PeakGoMiB, rep.BaseHeapMiB, rep.PeakHeapMiB)
	for _, p := range rep.Streamed {
		for _, forge := range []string{"github", "gitlab"} {
			fmt.Fprintf(w, "\n%s %s, requests per route:\n", forge, p.Pass)
			type kv struct {
				k string
				v int
			}
			var routes []kv
			for k, v := range p.ByRoute[forge] {
				routes = append(routes, kv{k, v})
			}
			sort.Slice(routes, func(i, j int) bool {
				return routes[i].v > routes[j].v || routes[i].v == routes[j].v && routes[i].k < routes[j].k
			})
			for _, r := range routes {
				fmt.Fprintf(w, "  %8d  %s\n", r.v, r.k)
			}
		}
	}
	if rep.Unchanged.OK {
		fmt.Fprintf(w, "\nunchanged re-crawl gives the cold crawl's facts: OK (%d repositories compared)\n", rep.Unchanged.Compared)
	} else {
		fmt.Fprintf(w, "\nunchanged re-crawl gives the cold crawl's facts: %d MISMATCHES of %d compared, first: %v\n",
			len(rep.Unchanged.Mismatches), rep.Unchanged.Compared, rep.Unchanged.Mismatches)
	}
}
