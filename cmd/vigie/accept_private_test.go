package main

// An acceptance test of the rule that vigie publishes public repositories
// only. The instance's tokens can read private and internal repositories
// (the fake forges show them to a token, as GitHub and GitLab do), some
// listed in a GitHub organisation and a GitLab group the configuration
// follows, some configured by name. Nothing of them may reach the command
// line's output, the store, the pages, the API, the badge, the metrics or
// the report; /check answers them as it answers repositories that do not
// exist.

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub/fakegithubtest"
	"github.com/eiglink/vigie/internal/fakeforge/fakegitlab"
)

// privDesc is in the description, README and licence of every repository
// that is not public; privNames are the names of those only organisations
// and groups list (configured ones are named by the configuration).
const privDesc = "CONFIDENTIEL-q9z"

var privNames = []string{"hidden-gh-q9", "inner-gh-q9", "hidden-gl-q9", "inner-gl-q9"}

// wasPublic is the description of a repository public at the first crawl
// and private at the next.
const wasPublic = "AUTREFOIS-PUBLIC-q9z"

// switchHandler serves one handler, then another.
type switchHandler struct{ h atomic.Pointer[http.Handler] }

func (s *switchHandler) set(h http.Handler) { s.h.Store(&h) }
func (s *switchHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*s.h.Load()).ServeHTTP(w, r)
}

type privateFixture struct {
	dir, cfg, db string
	env          map[string]string
	gh           *switchHandler
	ghLater      http.Handler // eig/turned made private
	now          time.Time
}

func newPrivateFixture(t *testing.T, graphQL bool) *privateFixture {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	commits := []fakeforge.Commit{
		{AuthorName: "a", AuthorEmail: "a@example.org", Date: now.Add(-day(2))},
		{AuthorName: "b", AuthorEmail: "b@example.org", Date: now.Add(-day(9))},
	}
	secret := func(path string, private bool) fakeforge.Repo {
		return fakeforge.Repo{
			Path: path, DefaultBranch: "main", Description: privDesc, Homepage: "https://" + privDesc + ".example.org",
			Topics: []string{strings.ToLower(privDesc)}, Private: private, Internal: !private, License: "MIT",
			Files: map[string]string{
				"README.md":                "# " + privDesc + "\n\n## Installation\n\nmake\n",
				"LICENSE":                  fakeforge.MITLicense("2024 " + privDesc),
				".github/workflows/ci.yml": "on: push\n",
			},
			Commits: commits, CI: &fakeforge.CIRun{State: "success", Kind: "checks", At: now.Add(-day(1))},
			CreatedAt: now.Add(-day(300)), Stars: 42,
		}
	}
	public := func(path, desc string) fakeforge.Repo {
		return fakeforge.Repo{Path: path, DefaultBranch: "main", Description: desc, License: "MIT",
			Files:   map[string]string{"README.md": "# " + desc + "\n", "LICENSE": mitText},
			Commits: commits, CreatedAt: now.Add(-day(300))}
	}
	turned := public("eig/turned", wasPublic)
	shifting := public("orgp/shifting", wasPublic) // listed by its organisation, then made private
	gh := []fakeforge.Repo{
		public("eig/healthy", "Un outil ouvert"), turned, shifting,
		secret("eig/confidential", true),
		public("orgp/open", "Ouvert aussi"),
		secret("orgp/hidden-gh-q9", true), secret("orgp/inner-gh-q9", false),
	}
	gl := []fakeforge.Repo{
		public("grp/open", "Ouvert sur GitLab"),
		secret("grp/sub/hidden-gl-q9", true), secret("grp/sub/inner-gl-q9", false),
		secret("cfg/conf", true),
	}
	turned.Private, shifting.Private = true, true
	ghLater := append([]fakeforge.Repo{gh[0], turned, shifting}, gh[3:]...)
	wrap := func(h http.Handler) http.Handler {
		if graphQL {
			return h
		}
		// A GitHub Enterprise server without GraphQL: REST with the
		// token, whose answers carry ETags the store keeps.
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/graphql") {
				http.NotFound(w, r)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	f := &privateFixture{dir: t.TempDir(), now: now, gh: &switchHandler{}, ghLater: wrap(fakegithubtest.New(t, ghLater)),
		env: map[string]string{"TEST_GH_TOKEN": "ghp_x", "TEST_GL_TOKEN": "glpat_x"}}
	f.gh.set(wrap(fakegithubtest.New(t, gh)))
	ghSrv := httptest.NewServer(f.gh)
	glSrv := httptest.NewServer(fakegitlab.NewGitLab(gl))
	t.Cleanup(ghSrv.Close)
	t.Cleanup(glSrv.Close)
	f.db = filepath.Join(f.dir, "vigie.db")
	y := fmt.Sprintf(`forges:
  - {name: github, type: github, url: https://github.com, api_url: %q, token_env: TEST_GH_TOKEN}
  - {name: gitlab, type: gitlab, url: https://gitlab.com, api_url: %q, token_env: TEST_GL_TOKEN}
defis:
  - slug: alpha
    name: Défi alpha
    repos:
      - https://github.com/eig/healthy
      - https://github.com/eig/turned
      - https://github.com/eig/confidential
      - https://gitlab.com/cfg/conf
      - https://github.com/eig/missing-q9
      - https://github.com/eig/missing-q8
      - https://gitlab.com/cfg/missing-q9
    orgs: [https://github.com/orgp, https://gitlab.com/grp]
storage: {driver: sqlite, dsn: %q}
`, ghSrv.URL, glSrv.URL, f.db)
	f.cfg = filepath.Join(f.dir, "vigie.yml")
	if err := os.WriteFile(f.cfg, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// noneOf fails when text holds anything of the repositories that are not
// public.
func noneOf(t *testing.T, where, text string, also ...string) {
	t.Helper()
	for _, s := range append(append([]string{privDesc, strings.ToLower(privDesc)}, privNames...), also...) {
		if strings.Contains(text, s) {
			i := strings.Index(text, s)
			t.Errorf("%s shows %q: %q", where, s, text[max(0, i-120):min(len(text), i+120)])
		}
	}
}

func TestPrivateRepositoriesPublishNothing(t *testing.T) {
	for _, graphQL := range []bool{true, false} {
		t.Run(map[bool]string{true: "graphql", false: "rest"}[graphQL], func(t *testing.T) {
			testPrivateRepositories(t, graphQL)
		})
	}
}

func testPrivateRepositories(t *testing.T, graphQL bool) {
	f := newPrivateFixture(t, graphQL)

	// The crawl: the configured private repositories are errors that say
	// why, one log line each; the listed ones are not there at all.
	out := runVigie(t, f.env, "crawl", "--config", f.cfg, "--format", "json")
	if out.code != 3 {
		t.Fatalf("crawl exit %d, want 3 (configured repositories that are not public):\n%s", out.code, out.stderr)
	}
	noneOf(t, "crawl's output", out.stdout+out.stderr)
	got := map[string]string{}
	for _, r := range decode(t, out.stdout) {
		got[r.Repo] = r.Error
		if r.Error != "" && (r.Score != nil || len(r.Checks) != 0) {
			t.Errorf("%s: an error result with scores: %+v", r.Repo, r)
		}
	}
	want := map[string]string{"github.com/eig/healthy": "", "github.com/eig/turned": "", "github.com/orgp/shifting": "", "github.com/eig/confidential": "private",
		"gitlab.com/cfg/conf": "private", "github.com/orgp/open": "", "gitlab.com/grp/open": "",
		"github.com/eig/missing-q9": "not found", "github.com/eig/missing-q8": "not found", "gitlab.com/cfg/missing-q9": "not found"}
	if len(got) != len(want) {
		t.Errorf("crawl results %v, want %v", got, want)
	}
	for repo, w := range want {
		if e, ok := got[repo]; !ok || w == "" && e != "" || w != "" && !strings.Contains(e, w) {
			t.Errorf("%s: error %q, want %q", repo, e, w)
		}
	}
	// The results say it; the log does not say it again.
	for _, repo := range []string{"github.com/eig/confidential", "gitlab.com/cfg/conf"} {
		if strings.Contains(out.stderr, repo) {
			t.Errorf("the crawl's log repeats what the result says of %s:\n%s", repo, out.stderr)
		}
	}

	// eig/turned (configured) and orgp/shifting (listed by its
	// organisation) are made private: the next crawl publishes nothing of
	// them, and their earlier, public results are not served in their
	// place.
	f.gh.set(f.ghLater)
	out = runVigie(t, f.env, "crawl", "--config", f.cfg)
	if out.code != 3 || !strings.Contains(out.stdout, "github.com/eig/turned: Repository not found: it was deleted or it is private.") ||
		!strings.Contains(out.stdout, "github.com/orgp/shifting: gone") {
		t.Errorf("second crawl: exit %d\n%s", out.code, out.stdout)
	}
	noneOf(t, "second crawl's output", out.stdout+out.stderr, wasPublic)

	// `vigie check` answers them as repositories that do not exist, in
	// the same place (forge, organisation, configured or not).
	for _, pair := range missingPairs {
		u := pair[0]
		out := runVigie(t, f.env, "check", "--config", f.cfg, "--format", "json", u)
		missing := runVigie(t, f.env, "check", "--config", f.cfg, "--format", "json", pair[1])
		if out.code != missing.code || sameAnswer(out.stdout, u) != sameAnswer(missing.stdout, pair[1]) {
			t.Errorf("check %s is told from a missing repository: exit %d vs %d\n%s\nmissing:\n%s", u, out.code, missing.code, out.stdout, missing.stdout)
		}
		noneOf(t, "check "+u, sameAnswer(out.stdout+out.stderr, u), wasPublic)
	}

	// The report.
	y, w := f.now.In(mustParis(t)).ISOWeek()
	week := fmt.Sprintf("%d-W%02d", y, w)
	outDir := filepath.Join(f.dir, "out")
	if out := runVigie(t, f.env, "report", "--config", f.cfg, "--week", week, "--out", outDir); out.code != 0 {
		t.Fatalf("report exit %d:\n%s", out.code, out.stderr)
	}
	for _, ext := range []string{".html", ".json"} {
		b, err := os.ReadFile(filepath.Join(outDir, week+ext))
		if err != nil {
			t.Fatal(err)
		}
		noneOf(t, "report"+ext, string(b), wasPublic)
	}

	// The server: pages, API, badges, metrics.
	base, stop := startServe(t, f.cfg, f.env)
	pages := []string{"/", "/api/repos", "/metrics", "/reports/", "/reports/" + week + ".html", "/reports/" + week + ".json"}
	for _, repo := range []string{"github.com/eig/confidential", "gitlab.com/cfg/conf", "github.com/eig/turned", "github.com/orgp/shifting"} {
		pages = append(pages, "/repos/"+repo, "/api/repos/"+repo, "/badge/"+repo+".svg")
	}
	for _, p := range pages {
		a := svGet(t, base+p)
		if a.code != http.StatusOK && !(strings.Contains(p, "/shifting") && a.code == http.StatusNotFound) {
			t.Errorf("GET %s: %d", p, a.code)
		}
		noneOf(t, p, a.body, wasPublic)
		if strings.HasPrefix(p, "/badge/") && regexp.MustCompile(`[0-9]+/100`).MatchString(a.body) {
			t.Errorf("GET %s: the badge shows a score:\n%s", p, a.body)
		}
	}
	metrics := svGet(t, base+"/metrics").body
	for _, repo := range []string{"github.com/eig/confidential", "gitlab.com/cfg/conf", "github.com/eig/turned", "github.com/orgp/shifting"} {
		for _, s := range svParseExposition(t, metrics) {
			if s.labels["repo"] != repo {
				continue
			}
			if s.name != "vigie_repo_up" || s.value != 0 {
				t.Errorf("metrics of %s: %s = %v, want vigie_repo_up 0 alone", repo, s.name, s.value)
			}
		}
	}
	// A repository only an organisation could have listed is unknown, as
	// a missing one is.
	for _, p := range []string{"/repos/github.com/orgp/hidden-gh-q9", "/api/repos/gitlab.com/grp/sub/inner-gl-q9", "/badge/github.com/orgp/inner-gh-q9.svg"} {
		mp := strings.NewReplacer("hidden-gh-q9", "nope-gh-q9", "inner-gl-q9", "nope-gl-q9", "inner-gh-q9", "nope-gh-q9").Replace(p)
		a, m := svGet(t, base+p), svGet(t, base+mp)
		want := http.StatusNotFound
		if strings.HasPrefix(p, "/badge/") {
			want = http.StatusOK // an unknown repository's badge says so, as badge services answer
		}
		if a.code != want || a.code != m.code || sameAnswer(a.body, "https://"+strings.TrimSuffix(p[strings.Index(p[1:], "/")+2:], ".svg")) != sameAnswer(m.body, "https://"+strings.TrimSuffix(mp[strings.Index(mp[1:], "/")+2:], ".svg")) {
			t.Errorf("GET %s: %d, a missing one %d", p, a.code, m.code)
		}
	}
	// /check: the same answer as for a repository that does not exist.
	check := func(u string) svAnswer { return svGet(t, base+"/check?url="+url.QueryEscape(u)) }
	// (Four pairs: a visitor's budget is ten checks in a row.)
	for _, pair := range []([2]string){missingPairs[0], missingPairs[3], missingPairs[4], missingPairs[5]} {
		a, m := check(pair[0]), check(pair[1])
		if a.code != m.code || sameAnswer(a.body, pair[0]) != sameAnswer(m.body, pair[1]) {
			t.Errorf("/check %s is told from a missing repository: %d vs %d\n%s\n---- missing:\n%s", pair[0], a.code, m.code, a.body, m.body)
		}
		noneOf(t, "/check "+pair[0], sameAnswer(a.body, pair[0]), wasPublic)
	}
	stop()

	// The store: nothing of them, in the results, the facts or the HTTP
	// cache (eig/turned's public description stays in its history).
	for _, name := range []string{f.db, f.db + "-wal"} {
		b, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		noneOf(t, filepath.Base(name), string(b))
	}
}

// missingPairs are each repository that is not public and a missing one
// in the same place: same forge, same organisation, configured or not.
var missingPairs = [][2]string{
	{"https://github.com/orgp/hidden-gh-q9", "https://github.com/orgp/nope-gh-q9"},
	{"https://github.com/orgp/inner-gh-q9", "https://github.com/orgp/nada-gh-q9"},
	{"https://gitlab.com/grp/sub/hidden-gl-q9", "https://gitlab.com/grp/sub/nope-gl-q9"},
	{"https://gitlab.com/grp/sub/inner-gl-q9", "https://gitlab.com/grp/sub/nada-gl-q9"},
	{"https://github.com/eig/confidential", "https://github.com/eig/missing-q9"},
	{"https://github.com/eig/turned", "https://github.com/eig/missing-q8"},
	{"https://gitlab.com/cfg/conf", "https://gitlab.com/cfg/missing-q9"},
}

// sameAnswer reduces an answer about the repository at u to what does not
// depend on its name or on the time it was given.
func sameAnswer(s, u string) string {
	s = strings.ReplaceAll(s, url.QueryEscape(u), "URL")
	s = strings.ReplaceAll(s, u[strings.LastIndex(u, "/")+1:], "NAME")
	return regexp.MustCompile(`[0-9]`).ReplaceAllString(s, "0")
}
