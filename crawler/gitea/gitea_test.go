package gitea

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/crawler/httpx"
	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegitea"
)

var now = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

// commits makes n commits, newest first, one every step from start back.
func commits(start time.Time, n int, step time.Duration, emails ...string) []fakeforge.Commit {
	out := make([]fakeforge.Commit, n)
	for i := range out {
		e := emails[i%len(emails)]
		out[i] = fakeforge.Commit{AuthorName: e, AuthorEmail: e, Date: start.Add(-time.Duration(i) * step), Message: fmt.Sprint("c", i)}
	}
	return out
}

func fullRepo() fakeforge.Repo {
	return fakeforge.Repo{
		Path: "eig/dossiers", DefaultBranch: "main", Description: " Suivi des dossiers ", Homepage: "https://dossiers.example.org",
		Topics: []string{"entrepreneur-interet-general"}, Language: "Go", Stars: 7, License: "MIT",
		CreatedAt: now.AddDate(-3, 0, 0), OpenIssues: 4, OpenPullRequests: 2,
		Files: map[string]string{
			"README.md": "# Dossiers\n\nInstallation : `make`.\n", "LICENSE": fakeforge.MITLicense("2024 DINUM"),
			".forgejo/workflows/ci.yml": "on: push", "docs/CONTRIBUTING.md": "x", "go.mod": "module x",
			".gitea/ISSUE_TEMPLATE/bug.md": "bug",
		},
		// 90 commits in the window (one a day), 30 before.
		Commits:  commits(now.Add(-time.Hour), 120, 24*time.Hour, "a@x.org", "b@x.org", "c@x.org"),
		CI:       &fakeforge.CIRun{State: "success", Kind: "status", At: now.Add(-30 * time.Minute)},
		Releases: []fakeforge.Release{{Tag: "v1.2.0", Name: "1.2", PublishedAt: now.AddDate(0, -1, 0)}},
	}
}

func newForge(t *testing.T, url string, hc *http.Client, tokens ...string) *Forge {
	t.Helper()
	if hc == nil {
		// As vigie builds it: the transport sets the tokens.
		hc = httpx.NewClient(httpx.Options{Forge: "codeberg", Kind: httpx.KindGitea, Tokens: tokens,
			AllowedHosts: httpx.HostsFor(url), MaxRetries: -1, Logger: slog.New(slog.DiscardHandler)})
	}
	f, err := New(Options{Name: "codeberg", WebURL: url, HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func fetch(t *testing.T, f *Forge, path string, prev *crawler.Facts, at time.Time) crawler.Facts {
	t.Helper()
	ref := crawler.Ref{Forge: "codeberg", Type: "gitea", Host: "h", Path: path, URL: "https://h/" + path}
	return f.Fetch(context.Background(), []crawler.Job{{Ref: ref, Previous: prev}}, at)[0]
}

func TestFetchFacts(t *testing.T) {
	for _, tc := range []struct {
		name, version string
		maxItems      int
		detected      []string
	}{
		{"gitea 1.23", "1.23.4", 50, []string{"MIT"}},
		{"forgejo", "11.0.3+gitea-1.22.0", 50, nil},
		{"gitea 1.22, short pages", "1.22.6", 20, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := fakegitea.New([]fakeforge.Repo{fullRepo()}, fakegitea.Options{Version: tc.version, MaxResponseItems: tc.maxItems})
			srv := httptest.NewServer(g)
			defer srv.Close()
			fa := fetch(t, newForge(t, srv.URL, nil), "eig/dossiers", nil, now)
			if fa.Error != "" {
				t.Fatal(fa.Error)
			}
			if fa.CanonicalPath != "eig/dossiers" || fa.Description != "Suivi des dossiers" || fa.Homepage != "https://dossiers.example.org" ||
				fa.DefaultBranch != "main" || fa.Language != "Go" || fa.Stars != 7 || fa.OpenIssues != 4 || fa.OpenPullRequests != 2 ||
				fa.Fork || fa.Archived || fa.Empty || !fa.CreatedAt.Equal(now.AddDate(-3, 0, 0)) || len(fa.Topics) != 1 {
				t.Errorf("repository fields: %+v", fa)
			}
			if len(fa.License.Files) != 1 || fa.License.Files[0].SPDX != "MIT" || fa.License.ForgeSPDX != "" ||
				!reflect.DeepEqual(fa.License.ForgeDetected, tc.detected) {
				t.Errorf("licence = %+v", fa.License)
			}
			if fa.Readme.Path != "README.md" || fa.Readme.Bytes != int64(len(fullRepo().Files["README.md"])) || !strings.Contains(fa.Readme.Text, "Installation") {
				t.Errorf("readme = %+v", fa.Readme)
			}
			if !reflect.DeepEqual(fa.CI.Systems, []string{"gitea-actions"}) || fa.CI.Status != "success" || fa.CI.Files[0] != ".forgejo/workflows/ci.yml" ||
				!strings.HasSuffix(fa.CI.RunURL, "/eig/dossiers/actions/runs/7") || !strings.HasPrefix(fa.CI.RunURL, "http") {
				t.Errorf("ci = %+v", fa.CI)
			}
			if fa.Activity.Commits90d != 90 {
				t.Errorf("commits_90d = %d", fa.Activity.Commits90d)
			}
			if fa.Activity.Contributors90d != 3 || !fa.Activity.LastCommitAt.Equal(now.Add(-time.Hour)) || fa.HeadSHA == "" {
				t.Errorf("activity = %+v head %s", fa.Activity, fa.HeadSHA)
			}
			if fa.Release == nil || fa.Release.Tag != "v1.2.0" {
				t.Errorf("release = %+v", fa.Release)
			}
			if fa.Community.Contributing != "docs/CONTRIBUTING.md" {
				t.Errorf("community = %+v", fa.Community)
			}
			found := false
			for _, fl := range fa.Files {
				found = found || fl.Path == ".gitea/ISSUE_TEMPLATE"
			}
			if !found {
				t.Errorf("files lack .gitea's entries: %+v", fa.Files)
			}
		})
	}
}

// The window is counted exactly, whatever the page size: 90 commits of
// the 120 fall in it, one a day.
func TestWindowPaging(t *testing.T) {
	for _, maxItems := range []int{50, 20, 7} {
		r := fullRepo()
		r.Commits = commits(now.Add(-time.Hour), 120, 24*time.Hour, "a@x.org")
		g := fakegitea.New([]fakeforge.Repo{r}, fakegitea.Options{MaxResponseItems: maxItems})
		srv := httptest.NewServer(g)
		fa := fetch(t, newForge(t, srv.URL, nil), r.Path, nil, now)
		srv.Close()
		if fa.Activity.Commits90d != 90 || len(fa.Activity.Recent) != 90 {
			t.Errorf("MAX_RESPONSE_ITEMS %d: commits_90d = %d", maxItems, fa.Activity.Commits90d)
		}
		pages := g.PathCounts()["GET repos/{o}/{r}/commits"]
		if want := (90 + min(50, maxItems)) / min(50, maxItems); pages > want+1 {
			t.Errorf("MAX_RESPONSE_ITEMS %d: %d pages of commits, want about %d", maxItems, pages, want)
		}
	}
}

// Requests per repository, cold and unchanged, counted by the fake.
func TestRequestsPerRepository(t *testing.T) {
	g := fakegitea.New([]fakeforge.Repo{fullRepo()}, fakegitea.Options{})
	srv := httptest.NewServer(g)
	defer srv.Close()
	f := newForge(t, srv.URL, nil)
	cold := fetch(t, f, "eig/dossiers", nil, now)
	// version, repository, 2 pages of commits, 4 trees (root, then .gitea
	// and .forgejo whole, docs), README, LICENSE, status, release.
	coldN := g.Requests()
	if coldN != 12 {
		t.Errorf("cold crawl: %d requests %v", coldN, g.PathCounts())
	}
	g.ResetCounts()
	warm := fetch(t, f, "eig/dossiers", &cold, now.Add(time.Hour))
	if n := g.Requests(); n != 4 {
		// repository, first page of commits, status, release
		t.Errorf("unchanged re-crawl: %d requests %v", n, g.PathCounts())
	}
	if warm.Activity.Commits90d != cold.Activity.Commits90d || warm.Readme != cold.Readme || !reflect.DeepEqual(warm.Files, cold.Files) {
		t.Errorf("re-crawl differs:\n%+v\n%+v", warm, cold)
	}
	t.Logf("requests per repository: cold %d (version once per crawl included), unchanged %d", coldN, g.Requests())
}

// A scheduled workflow posts no commit status: the newest Actions run of
// the default branch stands in, from /actions/runs or /actions/tasks.
func TestScheduledOnly(t *testing.T) {
	for _, version := range []string{"1.24.2", "1.22.6", "11.0.3+gitea-1.22.0", "1.21.0"} {
		r := fullRepo()
		r.CI = &fakeforge.CIRun{State: "failure", Kind: "schedule", At: now.Add(-3 * time.Hour)}
		g := fakegitea.New([]fakeforge.Repo{r}, fakegitea.Options{Version: version})
		srv := httptest.NewServer(g)
		fa := fetch(t, newForge(t, srv.URL, nil), r.Path, nil, now)
		srv.Close()
		want := "failure"
		if version == "1.21.0" {
			want = "none" // no Actions listing at all
		}
		if fa.CI.Status != want {
			t.Errorf("%s: status %q, want %q (%+v)", version, fa.CI.Status, want, fa.CI)
		}
		if want == "failure" && !fa.CI.RunAt.Equal(now.Add(-3*time.Hour)) {
			t.Errorf("%s: run at %v", version, fa.CI.RunAt)
		}
	}
}

func TestEdgeRepositories(t *testing.T) {
	empty := fakeforge.Repo{Path: "eig/vide", DefaultBranch: "main"}
	renamed := fullRepo()
	renamed.Path, renamed.OldPaths = "eig/nouveau", []string{"eig/ancien"}
	archived := fullRepo()
	archived.Path, archived.Archived, archived.Fork = "eig/fini", true, true
	private := fullRepo()
	private.Path, private.Private = "eig/secret", true
	internal := fullRepo()
	internal.Path, internal.Internal = "eig/interne", true
	g := fakegitea.New([]fakeforge.Repo{empty, renamed, archived, private, internal}, fakegitea.Options{})
	srv := httptest.NewServer(g)
	defer srv.Close()
	anon := newForge(t, srv.URL, nil)

	if fa := fetch(t, anon, "eig/vide", nil, now); fa.Error != "" || !fa.Empty || fa.CI.Status != "none" || fa.DefaultBranch != "" || fa.Activity.Commits90d != 0 {
		t.Errorf("empty: %+v", fa)
	}
	if fa := fetch(t, anon, "eig/ancien", nil, now); fa.Error != "" || fa.CanonicalPath != "eig/nouveau" || fa.Readme.Path != "README.md" {
		t.Errorf("renamed: %+v", fa)
	}
	if fa := fetch(t, anon, "eig/fini", nil, now); !fa.Archived || !fa.Fork {
		t.Errorf("archived fork: %+v", fa)
	}
	for _, p := range []string{"eig/absent", "eig/secret", "eig/interne"} {
		if fa := fetch(t, anon, p, nil, now); !fa.NotFound || !strings.Contains(fa.Error, "not found") {
			t.Errorf("%s anonymously: %+v", p, fa)
		}
	}
	// With a token, the repository answers and says it is not public:
	// nothing more is asked, nothing but the visibility kept.
	authed := newForge(t, srv.URL, nil, "tok")
	for p, want := range map[string]string{"eig/interne": "internal", "eig/secret": "private", "eig/fini": "public"} {
		g.ResetCounts()
		fa := fetch(t, authed, p, nil, now)
		if fa.Visibility != want {
			t.Errorf("%s with a token: visibility %q, want %q", p, fa.Visibility, want)
		}
		if want != "public" && (fa.Error == "" || fa.Readme.Path != "" || fa.Description != "" || g.Requests() > 2) {
			t.Errorf("%s with a token: %+v after %d requests, want an error after the repository's (and the version)", p, fa, g.Requests())
		}
	}
}

func TestListOrg(t *testing.T) {
	var repos []fakeforge.Repo
	for i := range 45 {
		repos = append(repos, fakeforge.Repo{Path: fmt.Sprintf("eig/r%02d", i), DefaultBranch: "main", Archived: i == 3, Fork: i == 4})
	}
	repos = append(repos,
		fakeforge.Repo{Path: "eig/secret", Private: true},
		fakeforge.Repo{Path: "eig/interne", Internal: true},
		fakeforge.Repo{Path: "jane/outil", UserOwned: true},
	)
	g := fakegitea.New(repos, fakegitea.Options{MaxResponseItems: 20})
	srv := httptest.NewServer(g)
	defer srv.Close()
	for _, tok := range [][]string{nil, {"tok"}} {
		f := newForge(t, srv.URL, nil, tok...)
		list, err := f.ListOrg(context.Background(), "eig")
		if err != nil || len(list) != 45 || list[3] != (crawler.OrgRepo{Path: "eig/r03", Archived: true}) || !list[4].Fork {
			t.Errorf("tokens %v: %d repos %v %v", tok, len(list), err, list[:min(5, len(list))])
		}
		user, err := f.ListOrg(context.Background(), "jane")
		if err != nil || len(user) != 1 || user[0].Path != "jane/outil" {
			t.Errorf("user: %v %v", user, err)
		}
		if _, err := f.ListOrg(context.Background(), "nobody"); err == nil || !strings.Contains(err.Error(), "no organisation") {
			t.Errorf("nobody: %v", err)
		}
	}
}

// Raw files carry their blob SHA as ETag: through the shared transport's
// cache, a licence and README read again after a push that did not touch
// them come back as 304s.
func TestRawETags(t *testing.T) {
	r := fullRepo()
	g := fakegitea.New([]fakeforge.Repo{r}, fakegitea.Options{})
	srv := httptest.NewServer(g)
	defer srv.Close()
	tr := httpx.NewTransport(httpx.Options{Forge: "codeberg", Kind: httpx.KindGitea, AllowedHosts: httpx.HostsFor(srv.URL), Cache: httpx.NewMemCache()})
	f := newForge(t, srv.URL, tr.Client())
	first := fetch(t, f, r.Path, nil, now)
	// A push: a new head, the same README and LICENSE.
	r.Commits = append(commits(now, 1, time.Hour, "d@x.org"), r.Commits...)
	r.Commits[0].SHA = ""
	g2 := fakegitea.New([]fakeforge.Repo{r}, fakegitea.Options{})
	srv.Config.Handler = g2
	second := fetch(t, f, r.Path, &first, now.Add(time.Hour))
	if second.Error != "" || second.HeadSHA == first.HeadSHA || second.Readme.Text != first.Readme.Text {
		t.Fatalf("second crawl: %+v", second)
	}
	if nm := tr.Stats().NotModified; nm != 2 {
		t.Errorf("%d answers from the ETag cache, want 2 (README, LICENSE)", nm)
	}
}

// A reverse proxy in front of Gitea answers 429, with or without
// Retry-After: the transport waits and retries, the crawl goes through.
func TestProxy429(t *testing.T) {
	for _, retryAfter := range []string{"", "1"} {
		g := fakegitea.New([]fakeforge.Repo{fullRepo()}, fakegitea.Options{})
		var n atomic.Int32
		proxy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if k := n.Add(1); k == 2 || k == 5 || k == 6 {
				if retryAfter != "" {
					w.Header().Set("Retry-After", retryAfter)
				}
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusTooManyRequests)
				fmt.Fprint(w, "<html><body><h1>429 Too Many Requests</h1></body></html>")
				return
			}
			g.ServeHTTP(w, r)
		})
		srv := httptest.NewServer(proxy)
		tr := httpx.NewTransport(httpx.Options{Forge: "codeberg", Kind: httpx.KindGitea, AllowedHosts: httpx.HostsFor(srv.URL),
			BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond, MaxRetries: 4, Logger: slog.New(slog.DiscardHandler)})
		fa := fetch(t, newForge(t, srv.URL, tr.Client()), "eig/dossiers", nil, now)
		srv.Close()
		if fa.Error != "" || fa.Readme.Path != "README.md" || tr.Stats().RateLimited == 0 {
			t.Errorf("Retry-After %q: %v, stats %+v", retryAfter, fa.Error, tr.Stats())
		}
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in      string
		forgejo string
		gitea   [3]int
	}{
		{"1.23.4", "", [3]int{1, 23, 4}},
		{"1.24.0+dev-12-gabcdef", "", [3]int{1, 24, 0}},
		{"11.0.3+gitea-1.22.0", "11.0.3", [3]int{1, 22, 0}},
		{"7.0.5+gitea-1.21.11", "7.0.5", [3]int{1, 21, 11}},
		{"1.21.11-1", "", [3]int{1, 21, 11}},
		{"9.0.0", "9.0.0", [3]int{1, 21, 0}},
		{"development", "", [3]int{}},
		{"", "", [3]int{}},
	}
	for _, tc := range tests {
		v := ParseVersion(tc.in)
		if v.Forgejo != tc.forgejo || v.Gitea != tc.gitea {
			t.Errorf("ParseVersion(%q) = %+v", tc.in, v)
		}
	}
}

// /actions/tasks lists jobs, newest first: the jobs of the newest run of
// the default branch are read together, one failed job fails the run.
func TestTasksOfOneRun(t *testing.T) {
	r := fullRepo()
	r.CI = &fakeforge.CIRun{State: "success", Kind: "schedule", At: now.Add(-time.Hour)}
	g := fakegitea.New([]fakeforge.Repo{r}, fakegitea.Options{Version: "11.0.3+gitea-1.22.0"})
	at := now.Add(-time.Hour).Format(time.RFC3339)
	task := func(run int, branch, status string) string {
		return fmt.Sprintf(`{"id":%d,"name":"job","head_branch":%q,"run_number":%d,"event":"schedule","status":%q,"url":"/eig/dossiers/actions/runs/%d","created_at":%q,"updated_at":%q,"run_started_at":%q}`,
			run*10, branch, run, status, run, at, at, at)
	}
	for _, tc := range []struct {
		tasks []string
		want  string
	}{
		{[]string{task(13, "feature", "failure"), task(12, "main", "success"), task(12, "main", "failure"), task(11, "main", "success")}, "failure"},
		{[]string{task(12, "main", "success"), task(12, "main", "running"), task(11, "main", "failure")}, "running"},
		{[]string{task(12, "main", "skipped"), task(11, "main", "success"), task(11, "main", "success")}, "success"},
		{[]string{task(12, "main", "blocked")}, "none"},
	} {
		h := http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
			if strings.HasSuffix(q.URL.Path, "/actions/tasks") {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"workflow_runs":[%s],"total_count":%d}`, strings.Join(tc.tasks, ","), len(tc.tasks))
				return
			}
			g.ServeHTTP(w, q)
		})
		srv := httptest.NewServer(h)
		fa := fetch(t, newForge(t, srv.URL, nil), r.Path, nil, now)
		srv.Close()
		if fa.CI.Status != tc.want {
			t.Errorf("%v: status %q, want %q", tc.tasks, fa.CI.Status, tc.want)
		}
		if tc.want != "none" && !strings.HasPrefix(fa.CI.RunURL, "http://127.0.0.1") {
			t.Errorf("run URL %q is not absolute", fa.CI.RunURL)
		}
	}
}

// An instance (or a stand-in) without the git trees and raw routes is
// read through the contents route: the same facts.
func TestContentsFallback(t *testing.T) {
	g := fakegitea.New([]fakeforge.Repo{fullRepo()}, fakegitea.Options{})
	srv := httptest.NewServer(g)
	want := fetch(t, newForge(t, srv.URL, nil), "eig/dossiers", nil, now)
	srv.Close()
	h := http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
		if strings.Contains(q.URL.Path, "/git/trees/") || strings.Contains(q.URL.Path, "/raw/") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"not found"}`)
			return
		}
		g.ServeHTTP(w, q)
	})
	srv = httptest.NewServer(h)
	defer srv.Close()
	got := fetch(t, newForge(t, srv.URL, nil), "eig/dossiers", nil, now)
	// The two servers listen on different ports.
	got.CI.RunURL, want.CI.RunURL = "", ""
	if got.Error != "" || !reflect.DeepEqual(got.Files, want.Files) || !reflect.DeepEqual(got.License, want.License) ||
		got.Readme != want.Readme || !reflect.DeepEqual(got.CI, want.CI) {
		t.Errorf("through contents: %v\nfiles %+v\nlicence %+v\nreadme %+v\nci %+v\nthrough trees and raw:\nfiles %+v\nlicence %+v\nreadme %+v\nci %+v",
			got.Error, got.Files, got.License, got.Readme, got.CI, want.Files, want.License, want.Readme, want.CI)
	}
}
