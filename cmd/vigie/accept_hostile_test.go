package main

// Acceptance tests against hostile forges, through the command line and the
// server: a forge that echoes the credentials it receives, one that streams
// a gigabyte, one whose listings never end, one that never answers.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegitea"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub"
	"github.com/eiglink/vigie/internal/fakeforge/fakegitlab"
)

const (
	echoGHToken = "ghp_EchoedGitHubSecret0123456789abcd"
	echoGLToken = "glpat-EchoedGitLabSecret01234"
)

// writeConfig writes a configuration with a GitHub and a GitLab forge at
// the given API roots and one défi, and returns its path.
func writeConfig(t *testing.T, ghAPI, glAPI, defi, extra string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := fmt.Sprintf(`forges:
  - {name: github, type: github, url: https://github.com, api_url: %q, token_env: ECHO_GH}
  - {name: gitlab, type: gitlab, url: https://gitlab.com, api_url: %q, token_env: ECHO_GL}
defis:
%s
storage: {driver: sqlite, dsn: %q}
%s`, ghAPI, glAPI, defi, filepath.Join(dir, "vigie.db"), extra)
	p := filepath.Join(dir, "vigie.yml")
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAcceptEchoedTokens: a GitHub whose GraphQL quotes the Authorization
// header in its 401 and whose REST redirects every request to a host no
// forge is configured for, with the token in the query (http.Client quotes
// that URL in its error), and a GitLab that quotes the request's
// PRIVATE-TOKEN and query in every error body. No token reaches stdout,
// stderr, the database, /api/repos or the repository page.
func TestAcceptEchoedTokens(t *testing.T) {
	stranger := httptest.NewServer(http.NotFoundHandler())
	defer stranger.Close()
	gh := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			// GraphQL: GitHub's "Bad credentials", quoting the header.
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"message":"Bad credentials: %s","documentation_url":"https://docs.github.com/graphql"}`, r.Header.Get("Authorization"))
			return
		}
		// REST, which the crawler falls back on: off to a sign-in page
		// elsewhere, the token in its query.
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		http.Redirect(w, r, stranger.URL+"/login?access_token="+tok+"&from="+r.URL.Path, http.StatusFound)
	}))
	defer gh.Close()
	gl := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `{"message":"403 Forbidden - token %s is not allowed to read %s?%s"}`, r.Header.Get("PRIVATE-TOKEN"), r.URL.Path, r.URL.RawQuery)
	}))
	defer gl.Close()
	env := map[string]string{"ECHO_GH": echoGHToken, "ECHO_GL": echoGLToken}
	cfg := writeConfig(t, gh.URL, gl.URL, `  - slug: echo
    name: Écho
    repos: [https://github.com/eig/echo, https://gitlab.com/grp/echo]
    orgs: [https://github.com/eigorg, https://gitlab.com/grpecho]`, "")

	var seen []string // every text vigie produced
	leaks := func(where, text string) {
		t.Helper()
		for _, tok := range []string{echoGHToken, echoGLToken} {
			if strings.Contains(text, tok) {
				t.Errorf("%s holds the token %s…:\n%s", where, tok[:6], text)
			}
		}
		seen = append(seen, text)
	}
	env["VIGIE_DEBUG"] = "1" // the debug logs too
	check := runVigie(t, env, "check", "--config", cfg, "--format", "json", "https://github.com/eig/echo", "https://gitlab.com/grp/echo")
	if check.code != exitUnreachable {
		t.Errorf("check exit %d, want 3", check.code)
	}
	leaks("check stdout", check.stdout)
	leaks("check stderr", check.stderr)
	crawl := runVigie(t, env, "crawl", "--config", cfg)
	if crawl.code != exitUnreachable {
		t.Errorf("crawl exit %d, want 3", crawl.code)
	}
	leaks("crawl stdout", crawl.stdout)
	leaks("crawl stderr", crawl.stderr)
	// The echo did happen: the errors quote the forges' answers.
	if all := strings.Join(seen, "\n"); !strings.Contains(all, "REDACTED") {
		t.Errorf("no redacted echo anywhere: the test would not see a leak:\n%s", all)
	}

	delete(env, "VIGIE_DEBUG")
	base, stop := startServe(t, cfg, env)
	for _, p := range []string{"/api/repos", "/repos/github.com/eig/echo", "/repos/gitlab.com/grp/echo", "/api/repos/gitlab.com/grp/echo", "/"} {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", p, resp.StatusCode)
		}
		leaks("GET "+p, string(b))
	}
	if b, _ := json.Marshal(seen); !bytes.Contains(b, []byte("grp/echo")) {
		t.Error("the pages show no result of the echoing forge")
	}
	stop()
	db := filepath.Join(filepath.Dir(cfg), "vigie.db")
	for _, f := range []string{db, db + "-wal"} {
		if b, err := os.ReadFile(f); err == nil {
			leaks(f, string(b))
		}
	}
}

// gigabyte answers every request with a gigabyte streamed from one small
// buffer, never held.
func gigabyte(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	chunk := bytes.Repeat([]byte(`{"a":"0123456789abcdef"},`), 2600)
	for sent := 0; sent < 1<<30; sent += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// TestAcceptGigabyteAnswer: forges answering every request with a
// gigabyte. The check ends with an error naming the URL and the bound, and
// reading does not grow with the answer (a functional bound on the bytes
// allocated; figures in docs/benchmarks.md).
func TestAcceptGigabyteAnswer(t *testing.T) {
	gh := httptest.NewServer(http.HandlerFunc(gigabyte))
	defer gh.Close()
	gl := httptest.NewServer(http.HandlerFunc(gigabyte))
	defer gl.Close()
	cfg := writeConfig(t, gh.URL, gl.URL, "  - {slug: big, name: Big, repos: [https://github.com/eig/big]}", "")
	for _, tc := range []struct {
		name string
		env  map[string]string
		url  string
	}{
		{"github graphql", map[string]string{"ECHO_GH": echoGHToken}, "https://github.com/eig/big"},
		{"github rest", nil, "https://github.com/eig/big"},
		{"gitlab", map[string]string{"ECHO_GL": echoGLToken}, "https://gitlab.com/grp/big"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			env := map[string]string{"VIGIE_DEBUG": "1"} // the log line with the error itself
			for k, v := range tc.env {
				env[k] = v
			}
			out := runVigie(t, env, "check", "--config", cfg, tc.url)
			runtime.ReadMemStats(&after)
			if out.code != exitUnreachable {
				t.Errorf("exit %d, want 3:\n%s", out.code, out.stdout)
			}
			// The result says the forge failed; the log line has the
			// error itself, naming the bound and the URL.
			if !strings.Contains(out.stderr, "exceeds 16 MiB") || !strings.Contains(out.stderr, "127.0.0.1") {
				t.Errorf("stderr does not name the bound and the URL:\n%s", out.stderr)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 512<<20 {
				t.Errorf("allocated %d MiB for a check of a forge answering a gigabyte", alloc>>20)
			}
		})
	}
}

// endlessListing wraps a fake forge so that its organisation listings
// never end: GitHub's GraphQL says hasNextPage with the same cursor (or a
// new cursor every time beyond the announced totalCount), its REST and
// GitLab's listings always link a next page, answering the first page's
// repositories.
type endlessListing struct {
	h           http.Handler
	freshCursor bool
	listings    int
}

func (e *endlessListing) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	isList := strings.Contains(r.URL.Path, "/orgs/") || strings.Contains(r.URL.Path, "/users/") || strings.Contains(r.URL.Path, "/groups/")
	var body []byte
	if r.Method == http.MethodPost {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		isList = bytes.Contains(body, []byte("vigieOrg"))
		if isList {
			// Always the first page.
			var q map[string]any
			_ = json.Unmarshal(body, &q)
			if vars, ok := q["variables"].(map[string]any); ok {
				vars["after"] = nil
			}
			body, _ = json.Marshal(q)
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
	}
	if !isList {
		e.h.ServeHTTP(w, r)
		return
	}
	e.listings++
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	q := r.URL.Query()
	q.Set("page", "1")
	r.URL.RawQuery = q.Encode()
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, r)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	out := rec.Body.Bytes()
	switch {
	case r.Method == http.MethodPost:
		var doc map[string]any
		_ = json.Unmarshal(out, &doc)
		repos := doc["data"].(map[string]any)["repositoryOwner"].(map[string]any)["repositories"].(map[string]any)
		cursor := "Y3Vyc29yOnYyOpHOAAE="
		if e.freshCursor {
			cursor = fmt.Sprintf("Y3Vyc29yOnYyOpHOAA%d", e.listings)
			nodes := repos["nodes"].([]any)
			for i, n := range nodes {
				n.(map[string]any)["nameWithOwner"] = fmt.Sprintf("endless/r%d-%d", e.listings, i)
			}
		}
		repos["pageInfo"] = map[string]any{"hasNextPage": true, "endCursor": cursor}
		out, _ = json.Marshal(doc)
	case strings.Contains(r.URL.Path, "/api/v4/"):
		w.Header().Set("X-Page", strconv.Itoa(page))
		w.Header().Set("X-Next-Page", strconv.Itoa(page+1))
		w.Header().Del("X-Total-Pages")
		w.Header().Del("X-Total")
		w.Header().Del("Link")
	default: // GitHub's REST, Gitea: a Link to the next page, always
		next := *r.URL
		q.Set("page", strconv.Itoa(page+1))
		next.RawQuery = q.Encode()
		w.Header().Set("Link", fmt.Sprintf(`<http://%s%s>; rel="next"`, r.Host, next.RequestURI()))
		w.Header().Set("X-HasMore", "true")
		w.Header().Del("X-Total-Count")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(out)
}

func TestAcceptEndlessListing(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	repo := func(p string) fakeforge.Repo {
		return fakeforge.Repo{Path: p, DefaultBranch: "main", CreatedAt: now.Add(-day(30)),
			Files:   map[string]string{"README.md": "# " + p + "\n"},
			Commits: []fakeforge.Commit{{AuthorName: "x", AuthorEmail: "x@example.org", Date: now.Add(-day(3))}}}
	}
	tests := []struct {
		name, org   string
		fresh       bool
		env         map[string]string
		gitlab      bool
		wantListed  string
		maxListings int
	}{
		{"github graphql repeated cursor", "https://github.com/endless", false, map[string]string{"ECHO_GH": echoGHToken}, false, "github.com/endless/a", 3},
		{"github graphql beyond totalCount", "https://github.com/endless", true, map[string]string{"ECHO_GH": echoGHToken}, false, "github.com/endless/r1-0", 4},
		{"github rest link", "https://github.com/endless", false, nil, false, "github.com/endless/a", 3},
		{"gitlab next page", "https://gitlab.com/endless", false, map[string]string{"ECHO_GL": echoGLToken}, true, "gitlab.com/endless/a", 3},
		{"gitea link", "GITEA/endless", false, map[string]string{"ECHO_GT": "0123456789abcdef0123456789abcdef01234567"}, false, "/endless/a", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			repos := []fakeforge.Repo{repo("endless/a"), repo("endless/b"), repo("eig/named")}
			gh := &endlessListing{h: fakegithub.NewGitHub(repos), freshCursor: tc.fresh}
			gl := &endlessListing{h: fakegitlab.NewGitLab(repos)}
			ghSrv := httptest.NewServer(gh)
			defer ghSrv.Close()
			glSrv := httptest.NewServer(gl)
			defer glSrv.Close()
			gt := &endlessListing{h: fakegitea.New(repos, fakegitea.Options{})}
			gtSrv := httptest.NewServer(gt)
			defer gtSrv.Close()
			org := strings.Replace(tc.org, "GITEA", gtSrv.URL, 1)
			cfg := writeConfig(t, ghSrv.URL, glSrv.URL, fmt.Sprintf("  - {slug: loop, name: Boucle, repos: [https://github.com/eig/named], orgs: [%s]}", org), "")
			// A Gitea forge besides.
			b, _ := os.ReadFile(cfg)
			b = bytes.Replace(b, []byte("defis:\n"), []byte(fmt.Sprintf("  - {name: codeberg, type: gitea, url: %s, token_env: ECHO_GT}\ndefis:\n", gtSrv.URL)), 1)
			if err := os.WriteFile(cfg, b, 0o600); err != nil {
				t.Fatal(err)
			}
			var res []map[string]any
			out := runVigie(t, tc.env, "crawl", "--config", cfg, "--format", "json")
			if out.code != exitUnreachable {
				t.Errorf("exit %d, want 3 (the listing was cut)", out.code)
			}
			if !strings.Contains(out.stderr, "vigie: crawl incomplete") || !strings.Contains(out.stderr, org+": its listing was cut") {
				t.Errorf("stderr does not say the listing was cut:\n%s", out.stderr)
			}
			if err := json.Unmarshal([]byte(out.stdout), &res); err != nil {
				t.Fatalf("%v:\n%s", err, out.stdout)
			}
			var ids []string
			for _, r := range res {
				ids = append(ids, r["repo"].(string))
			}
			if got := strings.Join(ids, " "); !strings.Contains(got, tc.wantListed) || !strings.Contains(got, "github.com/eig/named") {
				t.Errorf("crawled %s: want what the listing gave (%s) and the named repository", got, tc.wantListed)
			}
			if n := gh.listings + gl.listings + gt.listings; n > tc.maxListings {
				t.Errorf("%d listing requests, want at most %d", n, tc.maxListings)
			}
		})
	}
}

// TestAcceptForgeNeverAnswers: forges that accept connections and never
// answer cost the configured deadlines, not five retries of 30 s per
// request.
func TestAcceptForgeNeverAnswers(t *testing.T) {
	var hung atomic.Int64
	var open sync.Map
	stop := make(chan struct{})
	hang := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hung.Add(1)
		defer hung.Add(-1)
		open.Store(r, r.Method+" "+r.URL.String())
		defer open.Delete(r)
		// The server notices a client hanging up only once the body is read.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	})
	gh := httptest.NewServer(hang)
	defer gh.Close()
	gl := httptest.NewServer(hang)
	defer gl.Close()
	defer close(stop) // before the servers close: they wait for their handlers
	cfg := writeConfig(t, gh.URL, gl.URL,
		"  - {slug: mute, name: Muet, repos: [https://github.com/eig/mute, https://gitlab.com/grp/mute], orgs: [https://gitlab.com/grp]}",
		"http: {check_timeout: 1s, crawl_timeout: 2s}\n")
	env := map[string]string{"ECHO_GH": echoGHToken, "ECHO_GL": echoGLToken}

	start := time.Now()
	env["VIGIE_DEBUG"] = "1" // the log lines with the errors themselves
	out := runVigie(t, env, "check", "--config", cfg, "--format", "json", "https://github.com/eig/mute", "https://gitlab.com/grp/mute")
	if out.code != exitUnreachable || strings.Count(out.stdout, `"failure": "timeout"`) != 2 {
		t.Errorf("check: exit %d, want 3 and each repository timed out:\n%s", out.code, out.stdout)
	}
	// The log names the setting that stopped each repository.
	for _, repo := range []string{"github.com/eig/mute", "gitlab.com/grp/mute"} {
		if !strings.Contains(out.stderr, "repo="+repo) || !strings.Contains(out.stderr, "stopped after 1s (http.check_timeout)") {
			t.Errorf("check: stderr does not say http.check_timeout stopped %s:\n%s", repo, out.stderr)
		}
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("check took %v with a 1s deadline", d)
	}

	start = time.Now()
	out = runVigie(t, env, "crawl", "--config", cfg)
	if out.code != exitUnreachable || !strings.Contains(out.stderr, "crawl stopped after 2s (http.crawl_timeout): nothing stored") {
		t.Errorf("crawl: exit %d, want 3 and the deadline named:\n%s", out.code, out.stderr)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("crawl took %v with a 2s deadline", d)
	}
	// vigie gave up on every request it sent: the forge sees them go.
	for i := 0; hung.Load() > 0 && i < 100; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if n := hung.Load(); n > 0 {
		open.Range(func(_, v any) bool { t.Logf("open: %v", v); return true })
		t.Errorf("%d requests still open after the commands returned", n)
	}
}
