package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegitlab"
)

var now = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

// TestMain lets the test binary serve as the benchmark's child process.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func TestSynthPaths(t *testing.T) {
	real := []fakeforge.Repo{{Path: "a/b", DefaultBranch: "main"}}
	for _, forge := range []string{"github", "gitlab"} {
		for _, withReal := range []bool{false, true} {
			var tmpl []fakeforge.Repo
			if withReal {
				tmpl = real
			}
			_, paths := synthRepos(forge, 200, now, tmpl)
			if got := synthPaths(forge, 200, withReal); !reflect.DeepEqual(got, paths) {
				t.Errorf("%s real=%v: synthPaths differs from synthRepos' paths", forge, withReal)
			}
		}
	}
}

func TestSynthReposVaried(t *testing.T) {
	for _, forge := range []string{"github", "gitlab"} {
		repos, paths := synthRepos(forge, 300, now, nil)
		again, paths2 := synthRepos(forge, 300, now, nil)
		if !reflect.DeepEqual(repos, again) || !reflect.DeepEqual(paths, paths2) {
			t.Fatalf("%s: two calls gave different repositories", forge)
		}
		if len(paths) != 300 {
			t.Errorf("%s: %d paths, want 300", forge, len(paths))
		}
		known := map[string]bool{}
		seen := map[string]int{}
		for _, r := range repos {
			known[r.Path] = true
			for _, o := range r.OldPaths {
				known[o] = true
				seen["renamed"]++
			}
			switch {
			case r.DefaultBranch == "":
				seen["empty"]++
			case r.CI == nil:
				seen["ci none"]++
			default:
				seen["ci "+r.CI.State]++
			}
			if r.Archived {
				seen["archived"]++
			}
			if r.Private {
				seen["private"]++
			}
			seen["license "+r.License]++
			for p, text := range r.Files {
				if strings.Contains(text, "CeCILL") {
					seen["cecill"]++
				}
				if strings.HasPrefix(strings.ToLower(p), "readme") || strings.HasPrefix(p, "docs/README") {
					seen["readme"]++
				}
			}
			if len(r.Commits) > 100 {
				seen["long history"]++
			}
		}
		for _, p := range paths {
			if !known[p] {
				seen["missing"]++
			}
		}
		for _, k := range []string{"renamed", "empty", "ci none", "ci success", "ci failure", "ci running", "archived", "private",
			"license MIT", "license NOASSERTION", "license ", "cecill", "readme", "long history", "missing"} {
			if seen[k] == 0 {
				t.Errorf("%s: no repository is %q (%v)", forge, k, seen)
			}
		}
	}
}

func TestRoute(t *testing.T) {
	tests := []struct{ method, path, want string }{
		{"POST", "/graphql", "POST /graphql anonymous"},
		{"POST", "/api/graphql", "POST /api/graphql anonymous"},
		{"GET", "/repos/o/r", "GET /repos/{owner}/{repo}"},
		{"GET", "/api/v3/repos/o/r/contents/docs/README.md", "GET /repos/{owner}/{repo}/contents/:x"},
		{"GET", "/repos/o/r/commits/main/status", "GET /repos/{owner}/{repo}/commits/:x/status"},
		{"GET", "/api/v4/projects/g%2Fs%2Fp/repository/files/LICENSE%2Emd/raw", "GET /projects/:id/repository/files/:x"},
		{"GET", "/api/v4/projects/12", "GET /projects/:id"},
		{"GET", "/api/v4/groups/eig/projects", "GET /groups/:id/projects"},
	}
	for _, tc := range tests {
		r := httptest.NewRequest(tc.method, tc.path, nil)
		if got := route(r); got != tc.want {
			t.Errorf("route(%s %s) = %q, want %q", tc.method, tc.path, got, tc.want)
		}
	}
	body := `{"query":"query vigieRepos($o0: String!) {\n rateLimit { cost } }","variables":{}}`
	r := httptest.NewRequest("POST", "/graphql", strings.NewReader(body))
	if got := route(r); got != "POST /graphql vigieRepos" {
		t.Errorf("GraphQL route = %q", got)
	}
	if b, _ := io.ReadAll(r.Body); string(b) != body {
		t.Errorf("route consumed the body: %q", b)
	}
}

func TestJSONDiff(t *testing.T) {
	tests := []struct{ a, b, want string }{
		{`{"a":1,"b":2}`, `{"a":1,"b":2}`, ""},
		{`{"a":1,"b":2}`, `{"a":1,"b":3}`, "b"},
		{`{"error":""}`, `{"error":"boom"}`, `error "" → "boom"`},
		{`{"a":1}`, `{"a":1,"ci":{"status":"none"}}`, `ci ∅ → {"status":"none"}`},
	}
	for _, tc := range tests {
		if got := jsonDiff([]byte(tc.a), []byte(tc.b)); got != tc.want {
			t.Errorf("jsonDiff(%s, %s) = %q, want %q", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestWithoutRateLimitHeaders(t *testing.T) {
	g := fakegitlab.NewGitLab(nil)
	srv := httptest.NewServer(withoutRateLimitHeaders(g))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/v4/projects/1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("code %d, want the fake's 404", resp.StatusCode)
	}
	for k := range resp.Header {
		if strings.HasPrefix(k, "Ratelimit") {
			t.Errorf("header %s kept", k)
		}
	}
	// The bare fake does send them: the test above would see a leak.
	srv2 := httptest.NewServer(g)
	defer srv2.Close()
	resp, err = http.Get(srv2.URL + "/api/v4/projects/1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("RateLimit-Remaining") == "" {
		t.Error("the fake GitLab sends no RateLimit-Remaining")
	}
}

// A small run of the whole benchmark, faults included: the facts under
// faults must match, and the figures must add up.
func TestRunSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls two fake forges four times")
	}
	cfg := config{N: 60, Faults: true, Seed: 3, Timeout: 2 * time.Minute, InProcess: true}
	var out bytes.Buffer
	rep, err := run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	printText(&out, rep)
	if !rep.Unchanged.OK || rep.FaultCheck == nil || !rep.FaultCheck.OK {
		t.Errorf("checks failed:\n%s", out.String())
	}
	if len(rep.Passes) != 8 {
		t.Fatalf("%d passes, want 8", len(rep.Passes))
	}
	injected := 0
	for _, p := range rep.Passes {
		if p.Repos != 30 {
			t.Errorf("%s %s: %d repos, want 30", p.Forge, p.Pass, p.Repos)
		}
		sum := 0
		for _, n := range p.ByRoute {
			sum += n
		}
		if sum != p.Requests || p.Requests == 0 {
			t.Errorf("%s %s: routes add up to %d, requests %d", p.Forge, p.Pass, sum, p.Requests)
		}
		// One missing (index 28) on each forge; private ones answer 404 too.
		if p.RepoErrors < 1 {
			t.Errorf("%s %s: no repository error, the missing one was found?", p.Forge, p.Pass)
		}
		if strings.HasSuffix(p.Pass, "+faults") {
			injected += p.Injected
		} else if p.Injected != 0 || p.Retries != 0 {
			t.Errorf("%s %s: faults in the clean world: %+v", p.Forge, p.Pass, p)
		}
	}
	if injected == 0 {
		t.Error("no fault injected: the check proved nothing")
	}
	if rep.PeakRSSMiB <= 0 {
		t.Error("no peak memory read")
	}
	var js bytes.Buffer
	if err := json.NewEncoder(&js).Encode(rep); err != nil || !strings.Contains(js.String(), `"requests_per_repo"`) {
		t.Errorf("JSON report: %v %s", err, js.String()[:min(200, js.Len())])
	}
}

// The fakes served by a child process answer and count as in-process ones.
func TestChildProcessFakes(t *testing.T) {
	cfg := config{N: 20, Seed: 1}
	ctx := context.Background()
	fakes, stop, err := spawnFakes(ctx, cfg, false, now)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	resp, err := http.Get(fakes[0].URL() + "/repos/eig-01/outil-0001")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("child GitHub: %d", resp.StatusCode)
	}
	c, _, err := fakes[0].Counts()
	if err != nil || c.Total != 1 || c.ByPath["GET /repos/{owner}/{repo}"] != 1 {
		t.Errorf("counts %+v, %v", c, err)
	}
	if err := fakes[0].ResetCounts(); err != nil {
		t.Fatal(err)
	}
	if c, _, _ := fakes[0].Counts(); c.Total != 0 {
		t.Errorf("after reset: %+v", c)
	}
	if c, _, _ := fakes[1].Counts(); c.Total != 0 {
		t.Errorf("GitLab counted GitHub's request: %+v", c)
	}
}

// On GitHub's REST path the store's cache turns the unchanged crawl's
// requests into 304s, and the facts stay the same.
func TestRESTWithSQLiteCache(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls two fake forges twice")
	}
	rep, err := run(context.Background(), config{N: 40, Seed: 1, Timeout: time.Minute, InProcess: true, GitHubREST: true, Cache: "sqlite"})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Unchanged.OK {
		t.Errorf("unchanged crawl: %v", rep.Unchanged.Mismatches)
	}
	for _, p := range rep.Passes {
		if p.Forge != "github" {
			continue
		}
		if p.GraphQLRequests != 0 {
			t.Errorf("%s: %d GraphQL requests without a token", p.Pass, p.GraphQLRequests)
		}
		if hit := p.NotModified > 0; hit != (p.Pass == "unchanged") {
			t.Errorf("%s: %d answers from the cache", p.Pass, p.NotModified)
		}
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{"-n", "1"}, {"extra"}, {"-nope"}, {"-cache", "redis"}, {"-github-tokens", "0"}} {
		var out, errb bytes.Buffer
		if code := realMain(args, &out, &errb); code != 2 || out.Len() != 0 {
			t.Errorf("%v: exit %d, stdout %q", args, code, out.String())
		}
	}
}
