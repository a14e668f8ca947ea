package github_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/eiglink/vigie/crawler/httpx"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/crawler/github"
	"github.com/eiglink/vigie/crawler/licenseid"
	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub/fakegithubtest"
	"github.com/eiglink/vigie/internal/testtool"
	"github.com/vektah/gqlparser/v2/ast"
)

var now = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

// realText returns a file's text from a real-repository fixture.
func realText(t testing.TB, repo, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testtool.RealRepos(t), "github", repo+".json"))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip("real-repository fixtures not found:", err)
	}
	var f struct {
		Files map[string]any `json:"files"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	s, ok := f.Files[file].(string)
	if !ok {
		t.Fatalf("%s has no text for %s", repo, file)
	}
	return s
}

// recorder keeps the GraphQL queries a crawl sends.
type recorder struct {
	mu      sync.Mutex
	next    http.RoundTripper
	queries []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body = io.NopCloser(bytes.NewReader(b))
		var q struct {
			Query string `json:"query"`
		}
		if json.Unmarshal(b, &q) == nil && q.Query != "" {
			r.mu.Lock()
			r.queries = append(r.queries, q.Query)
			r.mu.Unlock()
		}
	}
	return r.next.RoundTrip(req)
}

// env is a fake GitHub and forges crawling it, with and without a token.
type env struct {
	fake *fakegithub.GitHub
	srv  *httptest.Server
	rec  *recorder
}

func newEnv(t testing.TB, repos []fakeforge.Repo, schema *ast.Schema) *env {
	t.Helper()
	opts := []fakegithub.GitHubOption{fakegithub.WithGitHubRateLimit(100000, 100000)}
	if schema != nil {
		opts = append(opts, fakegithub.WithGitHubSchema(schema))
	}
	fake := fakegithub.NewGitHub(repos, opts...)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return &env{fake: fake, srv: srv, rec: &recorder{next: http.DefaultTransport}}
}

func (e *env) forge(t testing.TB, tokens ...string) *github.Forge {
	t.Helper()
	f, err := github.New(github.Options{
		Name: "github", WebURL: "https://github.com", APIURL: e.srv.URL, Authenticated: len(tokens) > 0,
		HTTPClient: tokenClient(e.srv.URL, tokens, e.rec, nil),
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func jobs(paths ...string) []crawler.Job {
	var out []crawler.Job
	for _, p := range paths {
		out = append(out, crawler.Job{Ref: crawler.Ref{Forge: "github", Host: "github.com", Path: p, URL: "https://github.com/" + p}})
	}
	return out
}

func days(d float64) time.Time { return now.Add(-time.Duration(d * float64(24*time.Hour))) }

// commits makes n commits, newest first, from start going back step apart,
// by authors cycling over the given logins ("" = no account: by e-mail).
func commits(n int, start time.Time, step time.Duration, authors ...string) []fakeforge.Commit {
	if len(authors) == 0 {
		authors = []string{"alice"}
	}
	var out []fakeforge.Commit
	for i := range n {
		a := authors[i%len(authors)]
		out = append(out, fakeforge.Commit{AuthorName: "Dev " + a, AuthorEmail: a + "@example.org", Login: a,
			Date: start.Add(-time.Duration(i) * step), Message: fmt.Sprintf("change %d", i)})
	}
	return out
}

const cecillNotice = `Ce logiciel est régi par la licence CeCILL soumise au droit français et
respectant les principes de diffusion des logiciels libres. Vous pouvez
utiliser, modifier et/ou redistribuer ce programme sous les conditions
de la licence CeCILL telle que diffusée par le CEA, le CNRS et l'INRIA
sur le site "http://www.cecill.info".
`

// want is what a case checks beyond the equality of both paths.
type want struct {
	canonical string
	notFound  bool
	// visibility, for a repository that is not public: a token is told
	// (crawler.NotPublic, nothing else read), anonymous requests get 404.
	visibility   string
	empty        bool
	archived     bool
	branch       string
	forgeSPDX    string
	licenses     []string // path=spdx
	readme       string
	readmeBytes  int64
	ciSystems    []string
	ciStatus     string
	commits90d   int
	contributors int
	lastCommit   time.Time
	openIssues   int
	openPRs      int
	release      string
}

type edgeCase struct {
	name string
	repo *fakeforge.Repo // nil: nothing at that path
	path string          // the path asked for
	want want
}

func edgeCases(t testing.TB) []edgeCase {
	mit := realText(t, "MTES-MCT/rapportNav", "LICENSE")
	apache := realText(t, "DNUM-SocialGouv/champollion-front", "LICENSE")
	mitID, _ := licenseid.Identify([]byte(mit))
	apacheID, _ := licenseid.Identify([]byte(apache))
	cecillID, _ := licenseid.Identify([]byte(cecillNotice))
	if mitID != "MIT" || apacheID != "Apache-2.0" {
		t.Fatalf("licence fixtures identified as %q and %q", mitID, apacheID)
	}
	workflow := "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
	base := func(path string) *fakeforge.Repo {
		return &fakeforge.Repo{
			Path: path, DefaultBranch: "main", CreatedAt: days(800), Language: "Go",
			Files:   map[string]string{"README.md": "# Projet\n\nUn outil.\n", "LICENSE": mit, "main.go": "package main\n"},
			Sizes:   map[string]int64{"logo.png": 12345},
			Commits: commits(3, days(2), 24*time.Hour, "alice", "bob"),
			License: "MIT",
		}
	}
	mitOnly := []string{"LICENSE=MIT"}
	var cases []edgeCase
	add := func(name string, r *fakeforge.Repo, path string, w want) {
		if w.branch == "" && r != nil && !w.empty {
			w.branch = r.DefaultBranch
		}
		if w.canonical == "" && r != nil {
			w.canonical = r.Path
		}
		cases = append(cases, edgeCase{name: name, repo: r, path: path, want: w})
	}

	full := base("eig/full")
	full.Description, full.Homepage, full.Topics = "Un outil", "https://example.org", []string{"etat", "opendata"}
	full.Stars, full.OpenIssues, full.OpenPullRequests = 42, 3, 2
	full.Releases = []fakeforge.Release{{Tag: "v1.2.0", Name: "Printemps", PublishedAt: days(10)}}
	full.Files[".github/workflows/ci.yml"] = workflow
	full.Files["docs/index.md"] = "# Docs\n"
	full.Files["CONTRIBUTING.md"] = "Contribuez\n"
	full.CI = &fakeforge.CIRun{State: "success", Kind: "checks", At: days(2)}
	add("full", full, full.Path, want{forgeSPDX: "MIT", licenses: mitOnly, readme: "README.md", readmeBytes: int64(len(full.Files["README.md"])),
		ciSystems: []string{"github-actions"}, ciStatus: "success", commits90d: 3, contributors: 2, lastCommit: days(2),
		openIssues: 3, openPRs: 2, release: "v1.2.0"})

	renamed := base("eig/new-name")
	renamed.OldPaths = []string{"eig/old-name"}
	add("renamed", renamed, "eig/old-name", want{forgeSPDX: "MIT", licenses: mitOnly, readme: "README.md", readmeBytes: int64(len(renamed.Files["README.md"])),
		ciSystems: []string{}, ciStatus: "none", commits90d: 3, contributors: 2, lastCommit: days(2)})

	add("missing", nil, "eig/nope", want{notFound: true})

	private := base("eig/secret")
	private.Private = true
	add("private", private, private.Path, want{visibility: "private"})

	internal := base("eig/internal")
	internal.Internal = true
	add("internal", internal, internal.Path, want{visibility: "internal"})

	add("empty", &fakeforge.Repo{Path: "eig/empty", CreatedAt: days(5)}, "eig/empty",
		want{empty: true, ciSystems: []string{}, ciStatus: "none"})

	archived := base("eig/archived")
	archived.Archived = true
	archived.Commits = commits(2, days(400), time.Hour)
	add("archived and dormant", archived, archived.Path, want{archived: true, forgeSPDX: "MIT", licenses: mitOnly, readme: "README.md",
		readmeBytes: int64(len(archived.Files["README.md"])), ciSystems: []string{}, ciStatus: "none", lastCommit: days(400)})

	two := base("eig/dual")
	delete(two.Files, "LICENSE")
	two.Files["LICENSE-MIT"], two.Files["LICENSE-APACHE"] = mit, apache
	two.License = "NOASSERTION"
	add("two licence files", two, two.Path, want{forgeSPDX: "NOASSERTION", licenses: []string{"LICENSE-APACHE=Apache-2.0", "LICENSE-MIT=MIT"},
		readme: "README.md", readmeBytes: int64(len(two.Files["README.md"])), ciSystems: []string{}, ciStatus: "none", commits90d: 3, contributors: 2, lastCommit: days(2)})

	cecill := base("eig/cecill")
	cecill.Files["LICENSE"] = cecillNotice
	cecill.License = "NOASSERTION"
	add("CeCILL, forge NOASSERTION", cecill, cecill.Path, want{forgeSPDX: "NOASSERTION", licenses: []string{"LICENSE=" + cecillID},
		readme: "README.md", readmeBytes: int64(len(cecill.Files["README.md"])), ciSystems: []string{}, ciStatus: "none", commits90d: 3, contributors: 2, lastCommit: days(2)})

	nolic := base("eig/nolicence")
	delete(nolic.Files, "LICENSE")
	nolic.License = ""
	add("no licence", nolic, nolic.Path, want{readme: "README.md", readmeBytes: int64(len(nolic.Files["README.md"])),
		ciSystems: []string{}, ciStatus: "none", commits90d: 3, contributors: 2, lastCommit: days(2)})

	dotgithub := base("eig/readme-dotgithub")
	delete(dotgithub.Files, "README.md")
	dotgithub.Files[".github/README.md"] = "# Depuis .github\n"
	dotgithub.Files["docs/README.md"] = "# Docs\n"
	add("README in .github only", dotgithub, dotgithub.Path, want{forgeSPDX: "MIT", licenses: mitOnly, readme: ".github/README.md",
		readmeBytes: int64(len(dotgithub.Files[".github/README.md"])), ciSystems: []string{}, ciStatus: "none", commits90d: 3, contributors: 2, lastCommit: days(2)})

	docs := base("eig/readme-docs")
	delete(docs.Files, "README.md")
	docs.Files["docs/README.md"] = "# Dans docs\n\nTexte.\n"
	add("README in docs only", docs, docs.Path, want{forgeSPDX: "MIT", licenses: mitOnly, readme: "docs/README.md",
		readmeBytes: int64(len(docs.Files["docs/README.md"])), ciSystems: []string{}, ciStatus: "none", commits90d: 3, contributors: 2, lastCommit: days(2)})

	rst := base("eig/readme-rst")
	delete(rst.Files, "README.md")
	rst.Files["README.rst"] = "Projet\n======\n"
	add("README.rst", rst, rst.Path, want{forgeSPDX: "MIT", licenses: mitOnly, readme: "README.rst",
		readmeBytes: int64(len(rst.Files["README.rst"])), ciSystems: []string{}, ciStatus: "none", commits90d: 3, contributors: 2, lastCommit: days(2)})

	actions := base("eig/actions")
	actions.Files[".github/workflows/test.yml"] = workflow
	actions.CI = &fakeforge.CIRun{State: "success", Kind: "checks", At: days(2)}
	add("Actions only, checks pass (combined status pending/0)", actions, actions.Path, want{forgeSPDX: "MIT", licenses: mitOnly, readme: "README.md",
		readmeBytes: int64(len(actions.Files["README.md"])), ciSystems: []string{"github-actions"}, ciStatus: "success", commits90d: 3, contributors: 2, lastCommit: days(2)})

	running := base("eig/running")
	running.Files[".github/workflows/test.yml"] = workflow
	running.CI = &fakeforge.CIRun{State: "running", Kind: "checks", At: days(0.01)}
	add("Actions run in progress", running, running.Path, want{forgeSPDX: "MIT", licenses: mitOnly, readme: "README.md",
		readmeBytes: int64(len(running.Files["README.md"])), ciSystems: []string{"github-actions"}, ciStatus: "running", commits90d: 3, contributors: 2, lastCommit: days(2)})

	status := base("eig/jenkins")
	status.Files["Jenkinsfile"] = "pipeline {}\n"
	status.CI = &fakeforge.CIRun{State: "failure", Kind: "status", At: days(2)}
	add("commit status only, failing", status, status.Path, want{forgeSPDX: "MIT", licenses: mitOnly, readme: "README.md",
		readmeBytes: int64(len(status.Files["README.md"])), ciSystems: []string{"jenkins"}, ciStatus: "failure", commits90d: 3, contributors: 2, lastCommit: days(2)})

	busy := base("eig/busy")
	busy.Commits = append(commits(250, days(0.5), 8*time.Hour, "alice", "bob", "carol"), commits(5, days(200), time.Hour, "dave")...)
	add("250 commits in 90 days (pages)", busy, busy.Path, want{forgeSPDX: "MIT", licenses: mitOnly, readme: "README.md",
		readmeBytes: int64(len(busy.Files["README.md"])), ciSystems: []string{}, ciStatus: "none", commits90d: 250, contributors: 3, lastCommit: days(0.5)})

	edge := base("eig/edge")
	w0 := now.Add(-crawler.Window)
	edge.Commits = []fakeforge.Commit{
		{AuthorName: "A", AuthorEmail: "a@example.org", Date: w0.Add(time.Second)},
		{AuthorName: "B", AuthorEmail: "b@example.org", Date: w0},
		{AuthorName: "C", AuthorEmail: "c@example.org", Date: w0.Add(-time.Hour)},
	}
	add("commits at the window's edge", edge, edge.Path, want{forgeSPDX: "MIT", licenses: mitOnly, readme: "README.md",
		readmeBytes: int64(len(edge.Files["README.md"])), ciSystems: []string{}, ciStatus: "none", commits90d: 1, contributors: 1, lastCommit: w0.Add(time.Second)})

	authored := base("eig/rebased")
	authored.Commits = []fakeforge.Commit{
		{AuthorName: "A", AuthorEmail: "a@example.org", Date: days(1), AuthoredAt: days(200)},
		{AuthorName: "A", AuthorEmail: "A@Example.org", Date: days(3), AuthoredAt: days(300)},
	}
	add("rebased: committer dates count, e-mails fold case", authored, authored.Path, want{forgeSPDX: "MIT", licenses: mitOnly, readme: "README.md",
		readmeBytes: int64(len(authored.Files["README.md"])), ciSystems: []string{}, ciStatus: "none", commits90d: 2, contributors: 1, lastCommit: days(1)})
	return cases
}

func checkWant(t *testing.T, got crawler.Facts, w want) {
	t.Helper()
	if w.visibility != "" {
		switch {
		case got.NotFound && got.Error != "" && got.Visibility == "":
			// Anonymous: GitHub says 404.
		case !reflect.DeepEqual(got, crawler.NotPublic(got.Ref, got.CrawledAt, w.visibility)):
			t.Errorf("facts = %+v, want those of a repository that is not public (%s), nothing else", got, w.visibility)
		}
		return
	}
	if w.notFound {
		if !got.NotFound || got.Error == "" {
			t.Errorf("NotFound=%v Error=%q, want a not-found error", got.NotFound, got.Error)
		}
		return
	}
	if got.Error != "" {
		t.Fatalf("Error = %q", got.Error)
	}
	var lic []string
	for _, l := range got.License.Files {
		lic = append(lic, l.Path+"="+l.SPDX)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"CanonicalPath", got.CanonicalPath, w.canonical},
		{"Empty", got.Empty, w.empty},
		{"Archived", got.Archived, w.archived},
		{"DefaultBranch", got.DefaultBranch, w.branch},
		{"ForgeSPDX", got.License.ForgeSPDX, w.forgeSPDX},
		{"licence files", lic, w.licenses},
		{"Readme.Path", got.Readme.Path, w.readme},
		{"Readme.Bytes", got.Readme.Bytes, w.readmeBytes},
		{"CI.Systems", got.CI.Systems, w.ciSystems},
		{"CI.Status", got.CI.Status, w.ciStatus},
		{"Commits90d", got.Activity.Commits90d, w.commits90d},
		{"Contributors90d", got.Activity.Contributors90d, w.contributors},
		{"LastCommitAt", got.Activity.LastCommitAt, w.lastCommit.UTC().Truncate(time.Second)},
		{"OpenIssues", got.OpenIssues, w.openIssues},
		{"OpenPullRequests", got.OpenPullRequests, w.openPRs},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.what, c.got, c.want)
		}
	}
	rel := ""
	if got.Release != nil {
		rel = got.Release.Tag
	}
	if rel != w.release {
		t.Errorf("release = %q, want %q", rel, w.release)
	}
	if w.readme != "" && got.Readme.Text == "" {
		t.Error("README text missing")
	}
}

// TestEdgeCases crawls every edge case in one batch, over GraphQL (with a
// token) and over REST (without), and checks both give the expected and
// identical facts.
func TestEdgeCases(t *testing.T) {
	schema := fakegithubtest.Schema(t)
	cases := edgeCases(t)
	var repos []fakeforge.Repo
	var paths []string
	for _, c := range cases {
		if c.repo != nil {
			repos = append(repos, *c.repo)
		}
		paths = append(paths, c.path)
	}
	e := newEnv(t, repos, schema)
	ctx := context.Background()
	viaGraph := e.forge(t, "tok-1").Fetch(ctx, jobs(paths...), now)
	graphRequests := e.fake.PathCounts()
	if graphRequests["POST /graphql"] == 0 {
		t.Fatal("the crawl with a token sent no GraphQL query")
	}
	for k, v := range graphRequests {
		if k != "POST /graphql" {
			t.Errorf("the GraphQL crawl fell back to REST: %d × %s", v, k)
		}
	}
	viaREST := e.forge(t).Fetch(ctx, jobs(paths...), now)
	if len(viaGraph) != len(cases) || len(viaREST) != len(cases) {
		t.Fatalf("got %d and %d facts for %d jobs", len(viaGraph), len(viaREST), len(cases))
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, v := range []struct {
				api   string
				facts crawler.Facts
			}{{"graphql", viaGraph[i]}, {"rest", viaREST[i]}} {
				t.Run(v.api, func(t *testing.T) {
					if v.facts.Ref.Path != c.path {
						t.Fatalf("facts out of order: got %s, want %s", v.facts.Ref.Path, c.path)
					}
					checkWant(t, v.facts, c.want)
					// The run's time and link come from the newest check
					// run or status.
					var wantAt time.Time
					if c.repo != nil && c.repo.CI != nil && !c.want.notFound {
						wantAt = c.repo.CI.At.UTC().Truncate(time.Second)
					}
					if ci := v.facts.CI; !ci.RunAt.Equal(wantAt) || (ci.RunURL == "") != wantAt.IsZero() {
						t.Errorf("CI run at %v (%q), want %v", ci.RunAt, ci.RunURL, wantAt)
					}
				})
			}
			g, r := viaGraph[i], viaREST[i]
			if g.NotFound || r.NotFound {
				return
			}
			if !reflect.DeepEqual(g, r) {
				gj, _ := json.MarshalIndent(g, "", " ")
				rj, _ := json.MarshalIndent(r, "", " ")
				t.Errorf("GraphQL and REST facts differ:\n%s", diffLines(string(gj), string(rj)))
			}
		})
	}
}

// diffLines shows the lines of a that b lacks and the other way round.
func diffLines(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if !mb[l] {
			out = append(out, "graphql: "+l)
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if !ma[l] {
			out = append(out, "rest:    "+l)
		}
	}
	return strings.Join(out, "\n")
}

func newForge(e *env, api string, tokens []string) (*github.Forge, error) {
	return github.New(github.Options{
		Name: "ghe", WebURL: "https://ghe.example.org", APIURL: api, Authenticated: len(tokens) > 0,
		HTTPClient: tokenClient(api, tokens, e.rec, nil),
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
}

// tokenClient is the forge's client as vigie builds it: the transport
// (httpx) sets the tokens, in turn; base sees what goes out. No retries, so
// a test of an error sees it at once.
func tokenClient(api string, tokens []string, base http.RoundTripper, log *slog.Logger) *http.Client {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return httpx.NewClient(httpx.Options{Forge: "github", Kind: httpx.KindGitHub, Tokens: tokens,
		AllowedHosts: httpx.HostsFor(api), Base: base, MaxRetries: -1, Logger: log})
}
