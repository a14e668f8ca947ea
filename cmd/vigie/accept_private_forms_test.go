package main

// Attacks on the public-only rule through the forms a visitor or a forge
// gives a private repository's address: letter case, .git, a page inside
// the repository, the SSH form, www., http, a renamed repository's old
// path; a listing that says private in its body although public ones were
// asked; an answer that names no visibility at all.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub/fakegithubtest"
	"github.com/eiglink/vigie/internal/fakeforge/fakegitlab"
)

const formsSecret = "SECRET-FORMES-k3"

// silentVisibility drops every visibility field from the GitHub answers
// about eig/muet (REST and GraphQL), as a proxy or an old server might:
// an answer that does not say is not public.
func silentVisibility(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if bytes.Contains(body, []byte("muet")) {
			body = regexp.MustCompile(`"(private|visibility|isPrivate)":\s*("[A-Za-z]*"|true|false|null),?`).ReplaceAll(body, nil)
			body = regexp.MustCompile(`,\s*}`).ReplaceAll(body, []byte("}"))
		}
		for k, v := range rec.Header() {
			if k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(rec.Code)
		w.Write(body)
	})
}

// ignoresPublicFilter is a forge (or proxy) that lists every repository a
// token sees, whatever the listing asked: the bodies say private.
func ignoresPublicFilter(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		q.Del("type")
		q.Del("visibility")
		r.URL.RawQuery = q.Encode()
		if r.URL.Path == "/graphql" && r.Body != nil {
			b, _ := io.ReadAll(r.Body)
			b = bytes.ReplaceAll(b, []byte("privacy: PUBLIC"), nil)
			b = bytes.ReplaceAll(b, []byte(`privacy:PUBLIC`), nil)
			r.Body = io.NopCloser(bytes.NewReader(b))
			r.ContentLength = int64(len(b))
		}
		h.ServeHTTP(w, r)
	})
}

func TestPrivateRepositoryForms(t *testing.T) {
	for _, graphQL := range []bool{true, false} {
		t.Run(map[bool]string{true: "graphql", false: "rest"}[graphQL], func(t *testing.T) {
			testPrivateRepositoryForms(t, graphQL)
		})
	}
}

func testPrivateRepositoryForms(t *testing.T, graphQL bool) {
	now := time.Now().UTC().Truncate(time.Second)
	commits := []fakeforge.Commit{{AuthorName: "a", AuthorEmail: "a@example.org", Date: now.Add(-day(2))}}
	repo := func(p string, private, internal bool, old ...string) fakeforge.Repo {
		desc := "ouvert"
		if private || internal {
			desc = formsSecret
		}
		return fakeforge.Repo{Path: p, OldPaths: old, DefaultBranch: "main", Description: desc, Private: private, Internal: internal, License: "MIT",
			Files:   map[string]string{"README.md": "# " + desc + "\n", "LICENSE": fakeforge.MITLicense("2024 " + desc)},
			Commits: commits, CreatedAt: now.Add(-day(300))}
	}
	muet := repo("eig/muet", false, false)
	muet.Description = formsSecret
	gh := []fakeforge.Repo{
		repo("eig/healthy", false, false),
		repo("eig/confidential", true, false, "eig/ancien-nom"),
		muet,
		repo("orgp/open", false, false),
		repo("orgp/hidden", true, false),
	}
	gl := []fakeforge.Repo{
		repo("grp/open", false, false),
		repo("grp/sub/interne", false, true, "grp/vieux"),
	}
	ghH := http.Handler(fakegithubtest.New(t, gh))
	if !graphQL {
		inner := ghH
		ghH = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/graphql") {
				http.NotFound(w, r)
				return
			}
			inner.ServeHTTP(w, r)
		})
	}
	ghSrv := httptest.NewServer(silentVisibility(ignoresPublicFilter(ghH)))
	glSrv := httptest.NewServer(ignoresPublicFilter(fakegitlab.NewGitLab(gl)))
	t.Cleanup(ghSrv.Close)
	t.Cleanup(glSrv.Close)
	dir := t.TempDir()
	db := filepath.Join(dir, "vigie.db")
	cfg := filepath.Join(dir, "vigie.yml")
	y := fmt.Sprintf(`forges:
  - {name: github, type: github, url: https://github.com, api_url: %q, token_env: TEST_GH_TOKEN}
  - {name: gitlab, type: gitlab, url: https://gitlab.com, api_url: %q, token_env: TEST_GL_TOKEN}
defis:
  - slug: alpha
    name: Défi alpha
    repos: [https://github.com/eig/healthy]
    orgs: [https://github.com/orgp, https://gitlab.com/grp]
storage: {driver: sqlite, dsn: %q}
http: {trusted_proxies: [127.0.0.1/32]}
`, ghSrv.URL, glSrv.URL, db)
	if err := os.WriteFile(cfg, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TEST_GH_TOKEN": "ghp_x", "TEST_GL_TOKEN": "glpat_x"}

	out := runVigie(t, env, "crawl", "--config", cfg, "--format", "json")
	if out.code != 0 {
		t.Errorf("crawl exit %d:\n%s", out.code, out.stderr)
	}
	var repos []string
	for _, r := range decode(t, out.stdout) {
		repos = append(repos, r.Repo)
	}
	if got := strings.Join(repos, " "); got != "github.com/eig/healthy github.com/orgp/open gitlab.com/grp/open" {
		t.Errorf("crawled %s, want the public ones alone", got)
	}
	if strings.Contains(out.stdout+out.stderr, formsSecret) {
		t.Errorf("the crawl shows a repository that is not public:\n%s\n%s", out.stdout, out.stderr)
	}

	// Each form of a private repository's address, beside the same form
	// of a missing one, through the command line and the server.
	type pair struct{ secret, missing string }
	var pairs []pair
	// (One missing repository for each: a check's result is reused for
	// every form of its address, and the page says so.)
	for _, name := range [][2]string{{"eig/confidential", "eig/inexistant"}, {"eig/ancien-nom", "eig/disparu"}, {"eig/muet", "eig/absent"}, {"orgp/hidden", "orgp/inexistant"}} {
		for _, form := range []string{"https://github.com/%s", "https://GitHub.com/%s.git", "https://github.com/%s/tree/main/docs", "git@github.com:%s.git", "http://www.github.com/%s/"} {
			pairs = append(pairs, pair{fmt.Sprintf(form, name[0]), fmt.Sprintf(form, name[1])})
		}
		up := strings.ToUpper(name[0])
		pairs = append(pairs, pair{"https://github.com/" + up, "https://github.com/" + strings.ToUpper(name[1])})
	}
	for _, name := range [][2]string{{"grp/sub/interne", "grp/sub/inexistant"}, {"grp/vieux", "grp/disparu"}} {
		for _, form := range []string{"https://gitlab.com/%s", "https://GITLAB.com/%s.git", "https://gitlab.com/%s/-/tree/main", "git@gitlab.com:%s.git"} {
			pairs = append(pairs, pair{fmt.Sprintf(form, name[0]), fmt.Sprintf(form, name[1])})
		}
	}
	neutral := func(s string, names ...string) string {
		for _, n := range names {
			s = regexp.MustCompile(`(?i)`+regexp.QuoteMeta(n)).ReplaceAllString(s, "NAME")
			s = regexp.MustCompile(`(?i)`+regexp.QuoteMeta(url.QueryEscape(n))).ReplaceAllString(s, "NAME")
		}
		return regexp.MustCompile(`[0-9]`).ReplaceAllString(s, "0")
	}
	base := func(u string) string {
		u = strings.TrimSuffix(strings.TrimSuffix(u, "/"), ".git")
		u = strings.Split(strings.Split(u, "/-/")[0], "/tree/")[0]
		return u[strings.LastIndexAny(u, "/:")+1:]
	}
	for _, p := range pairs[:8] {
		a := runVigie(t, env, "check", "--config", cfg, "--format", "json", p.secret)
		m := runVigie(t, env, "check", "--config", cfg, "--format", "json", p.missing)
		if a.code != m.code || neutral(a.stdout, base(p.secret)) != neutral(m.stdout, base(p.missing)) || strings.Contains(a.stdout+a.stderr, formsSecret) {
			t.Errorf("vigie check %s is told from a missing repository: exit %d vs %d\n%s\n---- missing:\n%s", p.secret, a.code, m.code, a.stdout, m.stdout)
		}
	}

	// Without a token GitLab leaves the visibility out of a project's
	// answer, and shows public projects only: they are checked as usual,
	// the internal one is still not found.
	anon := map[string]string{"TEST_GH_TOKEN": "ghp_x"}
	if a := runVigie(t, anon, "check", "--config", cfg, "--format", "json", "https://gitlab.com/grp/open", "https://gitlab.com/grp/sub/interne"); a.code != 3 {
		t.Errorf("anonymous check: exit %d, want 3\n%s", a.code, a.stderr)
	} else if rs := decode(t, a.stdout); len(rs) != 2 || rs[0].Error != "" || rs[0].Score == nil || !strings.Contains(rs[1].Error, "not found") {
		t.Errorf("anonymous check: %s", a.stdout)
	}

	srvBase, stop := startServe(t, cfg, env)
	defer stop()
	visitor := 0
	get := func(path string) svAnswer {
		visitor++
		req, _ := http.NewRequest(http.MethodGet, srvBase+path, nil)
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", visitor%250+1))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return svAnswer{resp.StatusCode, resp.Header.Get("Content-Type"), string(b)}
	}
	for _, route := range []string{"/check?url=", "/api/check?url="} {
		for _, p := range pairs {
			a, m := get(route+url.QueryEscape(p.secret)), get(route+url.QueryEscape(p.missing))
			if a.code == http.StatusTooManyRequests || m.code == http.StatusTooManyRequests {
				t.Fatalf("%s%s: the check budget ran out", route, p.secret)
			}
			if a.code != m.code || neutral(a.body, base(p.secret)) != neutral(m.body, base(p.missing)) || strings.Contains(a.body, formsSecret) {
				t.Errorf("%s%s is told from a missing repository: %d vs %d\n%s\n---- missing:\n%s", route, p.secret, a.code, m.code, a.body, m.body)
			}
		}
	}
	// The stored repositories' routes, in the forms a visitor may type.
	for _, p := range [][2]string{
		{"github.com/orgp/hidden", "github.com/orgp/inexistant"}, {"github.com/ORGP/Hidden", "github.com/ORGP/Inexistant"},
		{"github.com/orgp/hidden.git", "github.com/orgp/inexistant.git"}, {"GitHub.com/orgp/hidden", "GitHub.com/orgp/inexistant"},
		{"gitlab.com/grp/sub/interne", "gitlab.com/grp/sub/inexistant"}, {"gitlab.com/grp/vieux", "gitlab.com/grp/disparu"},
		{"github.com/eig/muet", "github.com/eig/absent"},
	} {
		for _, route := range []string{"/repos/%s", "/api/repos/%s", "/badge/%s.svg", "/repos/%s/"} {
			a, m := get(fmt.Sprintf(route, p[0])), get(fmt.Sprintf(route, p[1]))
			if a.code != m.code || neutral(a.body, base(p[0])) != neutral(m.body, base(p[1])) || strings.Contains(a.body, formsSecret) {
				t.Errorf("GET %s is told from a missing repository: %d vs %d\n%s\n---- missing:\n%s", fmt.Sprintf(route, p[0]), a.code, m.code, a.body, m.body)
			}
		}
	}
	for _, p := range []string{"/", "/api/repos", "/metrics"} {
		if a := get(p); strings.Contains(a.body, formsSecret) || strings.Contains(strings.ToLower(a.body), "orgp/hidden") || strings.Contains(strings.ToLower(a.body), "sub/interne") {
			t.Errorf("GET %s shows a repository that is not public:\n%s", p, a.body)
		}
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(get("/api/repos").body), &list); err != nil || len(list) != 3 {
		t.Errorf("/api/repos: %d results, %v", len(list), err)
	}
	stop()
	for _, name := range []string{db, db + "-wal"} {
		if b, err := os.ReadFile(name); err == nil && bytes.Contains(b, []byte(formsSecret)) {
			t.Errorf("%s holds a repository that is not public", filepath.Base(name))
		}
	}
}

// TestMadePrivateShowsNoOldScores: a repository public at one crawl and
// private at the next shows none of the scores vigie read while it was
// public: not on its page (score, history chart, history table), not in
// the API, not on its badge.
func TestMadePrivateShowsNoOldScores(t *testing.T) {
	f := newPrivateFixture(t, true)
	if out := runVigie(t, f.env, "crawl", "--config", f.cfg, "--format", "json"); !strings.Contains(out.stdout, `"repo": "github.com/eig/turned"`) {
		t.Fatalf("first crawl:\n%s", out.stdout)
	}
	f.gh.set(f.ghLater)
	runVigie(t, f.env, "crawl", "--config", f.cfg)
	base, stop := startServe(t, f.cfg, f.env)
	defer stop()
	score := regexp.MustCompile(`[0-9]+(<span class="unit">)?/100|"score": ?[0-9]`)
	for _, p := range []string{"/repos/github.com/eig/turned", "/repos/github.com/orgp/shifting", "/api/repos/github.com/eig/turned", "/badge/github.com/eig/turned.svg"} {
		a := svGet(t, base+p)
		if m := score.FindString(a.body); m != "" {
			t.Errorf("GET %s shows a score read while the repository was public (%q):\n%s", p, m, a.body)
		}
		noneOf(t, p, a.body, wasPublic)
	}
	if a := svGet(t, base+"/repos/github.com/eig/turned"); !strings.Contains(a.body, "il est privé") {
		t.Errorf("the page does not say why:\n%s", a.body)
	}
}

// TestMadePrivateReport: a repository public last week and private this
// week: this week's report gives none of last week's scores for it (no
// previous_score, no delta, no "from" in its changes).
func TestMadePrivateReport(t *testing.T) {
	f := newPrivateFixture(t, true)
	out := runVigie(t, f.env, "crawl", "--config", f.cfg, "--format", "json")
	var lastWeek []map[string]any
	if err := json.Unmarshal([]byte(out.stdout), &lastWeek); err != nil {
		t.Fatal(err)
	}
	var kept []map[string]any
	for _, r := range lastWeek {
		if r["repo"] == "github.com/eig/turned" || r["repo"] == "github.com/eig/healthy" {
			r["crawled_at"] = f.now.Add(-7 * 24 * time.Hour).Format(time.RFC3339)
			kept = append(kept, r)
		}
	}
	b, _ := json.Marshal(kept)
	imp := filepath.Join(f.dir, "last-week.json")
	if err := os.WriteFile(imp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if out := runVigie(t, f.env, "import", "--config", f.cfg, imp); out.code != 0 {
		t.Fatalf("import exit %d:\n%s", out.code, out.stderr)
	}
	f.gh.set(f.ghLater)
	runVigie(t, f.env, "crawl", "--config", f.cfg)
	y, w := f.now.In(mustParis(t)).ISOWeek()
	week := fmt.Sprintf("%d-W%02d", y, w)
	dir := filepath.Join(f.dir, "out")
	if out := runVigie(t, f.env, "report", "--config", f.cfg, "--week", week, "--out", dir); out.code != 0 {
		t.Fatalf("report exit %d:\n%s", out.code, out.stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, week+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var data struct {
		Repos   []map[string]any `json:"repos"`
		Changes []map[string]any `json:"changes"`
	}
	if err := json.Unmarshal(b, &data); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range data.Repos {
		switch r["repo"] {
		case "github.com/eig/turned":
			seen["turned"] = true
			if r["previous_score"] != nil || r["delta"] != nil || r["score"] != nil {
				t.Errorf("this week's report gives last week's score of a repository now private: %v", r)
			}
		case "github.com/eig/healthy": // still public: compared as usual
			seen["healthy"] = true
			if r["previous_score"] == nil {
				t.Errorf("a public repository lost its previous score: %v", r)
			}
		}
	}
	if !seen["turned"] || !seen["healthy"] {
		t.Errorf("report repos: %v", data.Repos)
	}
	for _, c := range data.Changes {
		if c["repo"] == "github.com/eig/turned" && (c["from"] != nil || c["to"] != nil) {
			t.Errorf("this week's changes give a score of a repository now private: %v", c)
		}
	}
}

// TestImportAfterNotPublic: a file that brings a scored result of a
// configured repository, dated after the crawl that found it private, is
// refused as a whole (it would pass for the repository's current state);
// nothing is stored and its page still shows the error alone.
func TestImportAfterNotPublic(t *testing.T) {
	f := newPrivateFixture(t, true)
	out := runVigie(t, f.env, "crawl", "--config", f.cfg, "--format", "json")
	var rs []map[string]any
	if err := json.Unmarshal([]byte(out.stdout), &rs); err != nil {
		t.Fatal(err)
	}
	var forged map[string]any
	for _, r := range rs {
		if r["repo"] == "github.com/eig/healthy" {
			forged = r
		}
	}
	forged["repo"], forged["url"] = "github.com/eig/confidential", "https://github.com/eig/confidential"
	forged["crawled_at"] = time.Now().UTC().Add(time.Minute).Format(time.RFC3339)
	b, _ := json.Marshal([]any{forged})
	imp := filepath.Join(f.dir, "forged.json")
	if err := os.WriteFile(imp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out = runVigie(t, f.env, "import", "--config", f.cfg, imp)
	if out.code != 2 || !strings.Contains(out.stderr, "forged.json") || !strings.Contains(out.stderr, "github.com/eig/confidential") || !strings.Contains(out.stderr, "not public") {
		t.Errorf("import: exit %d, want 2 and one line naming the file, the repository and why:\n%s", out.code, out.stderr)
	}
	base, stop := startServe(t, f.cfg, f.env)
	defer stop()
	for _, p := range []string{"/repos/github.com/eig/confidential", "/api/repos/github.com/eig/confidential", "/badge/github.com/eig/confidential.svg"} {
		if a := svGet(t, base+p); regexp.MustCompile(`[0-9]+(<span class="unit">)?/100|"score": ?[0-9]`).MatchString(a.body) {
			t.Errorf("GET %s shows an imported score of a repository that is not public:\n%s", p, a.body)
		}
	}
}
