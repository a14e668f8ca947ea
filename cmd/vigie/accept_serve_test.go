package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub/fakegithubtest"
	"github.com/eiglink/vigie/internal/fakeforge/fakegitlab"
	"github.com/eiglink/vigie/locale"
)

// gatedForge wraps a fake forge: it counts the requests that reached it,
// remembers the last rate-limit budget it announced, and can hold every
// request until opened.
type gatedForge struct {
	h        http.Handler
	requests atomic.Int64
	mu       sync.Mutex
	open     chan struct{}
	opened   bool
	lastRate string
}

func newGatedForge(h http.Handler, open bool) *gatedForge {
	g := &gatedForge{h: h, open: make(chan struct{})}
	if open {
		g.release()
	}
	return g
}

func (g *gatedForge) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.opened {
		g.opened = true
		close(g.open)
	}
}

func (g *gatedForge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.requests.Add(1)
	select {
	case <-g.open:
	case <-r.Context().Done():
		return
	}
	rec := httptest.NewRecorder()
	g.h.ServeHTTP(rec, r)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	g.mu.Lock()
	if v := rec.Header().Get("X-RateLimit-Remaining"); v != "" {
		g.lastRate = v
	} else if v := rec.Header().Get("RateLimit-Remaining"); v != "" {
		g.lastRate = v
	}
	g.mu.Unlock()
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func (g *gatedForge) rate() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.lastRate
}

// serveFixture is a programme on gated fake forges, with an extra fake
// server on a host no forge is configured for.
type serveFixture struct {
	gh, gl         *gatedForge
	ghSrv, glSrv   *httptest.Server
	stranger       *httptest.Server
	strangerHits   atomic.Int64
	dir, cfg       string
	urls           []string
	env            map[string]string
	now            time.Time
	ghRepos, glRep []fakeforge.Repo
}

const xssText = `<script>alert("xss")</script>`

// serveStyle says how the configuration names the forges: "hosted"
// (github.com and gitlab.com with api_url at the fakes) or "self" (the
// fakes' own URLs as the forges' web roots, GitHub Enterprise style).
type serveStyle struct {
	self   bool
	tokens bool
	extra  bool // an unreachable repository and an organisation
}

func newServeFixture(t *testing.T, open bool) *serveFixture {
	return newServeFixtureStyle(t, open, serveStyle{tokens: true})
}

func newServeFixtureStyle(t *testing.T, open bool, st serveStyle) *serveFixture {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	gh, gl := testRepos(now)
	gh = append(gh, fakeforge.Repo{
		Path: "eig/inject", DefaultBranch: "main", CreatedAt: now.Add(-day(30)),
		Description: "Outil " + xssText + ` <img src=x onerror=alert(2)>`,
		Files: map[string]string{
			"README.md": "# " + xssText + "\n\nInstallation et utilisation : " + xssText + "\n",
		},
		Commits: []fakeforge.Commit{{AuthorName: "x", AuthorEmail: "x@example.org", Date: now.Add(-day(2))}},
	})
	if st.extra {
		for _, n := range []string{"orgx/one", "orgx/two", "orgx/old-archive"} {
			gh = append(gh, fakeforge.Repo{
				Path: n, DefaultBranch: "main", CreatedAt: now.Add(-day(30)),
				Files:   map[string]string{"README.md": "# " + n + "\n"},
				Commits: []fakeforge.Commit{{AuthorName: "x", AuthorEmail: "x@example.org", Date: now.Add(-day(5))}},
			})
		}
	}
	f := &serveFixture{
		gh:  newGatedForge(fakegithubtest.New(t, gh), open),
		gl:  newGatedForge(fakegitlab.NewGitLab(gl), open),
		dir: t.TempDir(), now: now, ghRepos: gh, glRep: gl,
		env: map[string]string{},
	}
	if st.tokens {
		f.env = map[string]string{"TEST_GH_TOKEN": "ghp_x", "TEST_GL_TOKEN": "glpat_x"}
	}
	f.ghSrv = httptest.NewServer(f.gh)
	f.glSrv = httptest.NewServer(f.gl)
	f.stranger = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.strangerHits.Add(1)
		http.NotFound(w, r)
	}))
	t.Cleanup(func() {
		f.gh.release()
		f.gl.release()
		f.ghSrv.Close()
		f.glSrv.Close()
		f.stranger.Close()
	})
	ghWeb, glWeb := "https://github.com", "https://gitlab.com"
	ghAPI, glAPI := f.ghSrv.URL, f.glSrv.URL
	if st.self {
		ghWeb, glWeb = f.ghSrv.URL, f.glSrv.URL
		ghAPI, glAPI = f.ghSrv.URL+"/api/v3", ""
	}
	f.urls = []string{
		ghWeb + "/eig/healthy",
		ghWeb + "/eig/dormant",
		ghWeb + "/eig/inject",
		glWeb + "/grp/sub/tool",
	}
	if st.extra {
		f.urls = append(f.urls, ghWeb+"/eig/missing")
	}
	var b strings.Builder
	fmt.Fprintf(&b, `forges:
  - {name: github, type: github, url: %s, api_url: %q, token_env: TEST_GH_TOKEN}
  - {name: gitlab, type: gitlab, url: %s, api_url: %q, token_env: TEST_GL_TOKEN}
defis:
  - slug: alpha
    name: Défi alpha
    contacts: [alpha@example.org]
    repos:
`, ghWeb, ghAPI, glWeb, glAPI)
	for _, u := range append(f.urls[:3:3], f.urls[4:]...) {
		fmt.Fprintf(&b, "      - %s\n", u)
	}
	if st.extra { // before beta's listed repository in a crawl's results
		fmt.Fprintf(&b, "    orgs: [%s/orgx]\n    exclude: [\"*-archive\"]\n", ghWeb)
	}
	fmt.Fprintf(&b, `  - slug: beta
    name: Défi beta
    repos: [%s]
`, f.urls[3])
	fmt.Fprintf(&b, "storage: {driver: sqlite, dsn: %q}\n", filepath.Join(f.dir, "vigie.db"))
	f.cfg = filepath.Join(f.dir, "vigie.yml")
	if err := os.WriteFile(f.cfg, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *serveFixture) forgeRequests() int64 {
	return f.gh.requests.Load() + f.gl.requests.Load() + f.strangerHits.Load()
}

// startServe runs `vigie serve` in-process until the test ends and returns
// its base URL once /healthz answers.
func startServe(t *testing.T, cfg string, env map[string]string) (base string, stop func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var errOut svBuffer
	go func() {
		done <- run(ctx, []string{"serve", "--config", cfg, "--listen", addr}, io.Discard, &errOut, func(k string) string { return env[k] })
	}()
	base = "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d:\n%s", code, errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve never answered /healthz:\n%s", errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case code := <-done:
				if code != 0 {
					t.Errorf("serve exited %d:\n%s", code, errOut.String())
				}
			case <-time.After(30 * time.Second):
				t.Errorf("serve did not stop")
			}
			if testing.Verbose() {
				t.Logf("serve stderr:\n%s", errOut.String())
			}
		})
	}
	t.Cleanup(stop)
	return base, stop
}

type svBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *svBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *svBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type svAnswer struct {
	code  int
	ctype string
	body  string
}

func svGet(t *testing.T, u string) svAnswer {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return svAnswer{resp.StatusCode, resp.Header.Get("Content-Type"), string(b)}
}

// svSample is one line of the Prometheus text exposition.
type svSample struct {
	name   string
	labels map[string]string
	value  float64
}

var (
	svSampleRE = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$`)
	svLabelRE  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)
)

func svParseExposition(t *testing.T, text string) []svSample {
	t.Helper()
	var out []svSample
	for _, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m := svSampleRE.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("unparsable exposition line %q", line)
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		s := svSample{name: m[1], labels: map[string]string{}, value: v}
		for _, l := range svLabelRE.FindAllStringSubmatch(m[2], -1) {
			s.labels[l[1]] = l[2]
		}
		out = append(out, s)
	}
	return out
}

// svFind returns the samples of name whose labels include want.
func svFind(ss []svSample, name string, want map[string]string) []svSample {
	var out []svSample
next:
	for _, s := range ss {
		if s.name != name {
			continue
		}
		for k, v := range want {
			if s.labels[k] != v {
				continue next
			}
		}
		out = append(out, s)
	}
	return out
}

func svStripCrawledAt(t *testing.T, rs []checks.Result) string {
	t.Helper()
	cp := make([]checks.Result, len(rs))
	copy(cp, rs)
	for i := range cp {
		cp[i].CrawledAt = time.Time{}
	}
	b, err := json.Marshal(cp)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAcceptServeReadiness: /readyz says 503 while a configured repository
// has no stored result, 200 once the start-up crawl stored them.
func TestAcceptServeReadiness(t *testing.T) {
	f := newServeFixture(t, false)
	base, _ := startServe(t, f.cfg, f.env)
	if a := svGet(t, base+"/readyz"); a.code != 503 {
		t.Errorf("/readyz before any result = %d %q, want 503", a.code, a.body)
	}
	if a := svGet(t, base+"/healthz"); a.code != 200 {
		t.Errorf("/healthz = %d", a.code)
	}
	// Pages answer while the start-up crawl waits on the forges.
	if a := svGet(t, base+"/"); a.code != 200 {
		t.Errorf("/ before any result = %d", a.code)
	}
	if a := svGet(t, base+"/api/repos"); a.code != 200 || strings.TrimSpace(a.body) != "[]" {
		t.Errorf("/api/repos before any result = %d %s", a.code, a.body)
	}
	if a := svGet(t, base+"/repos/github.com/eig/healthy"); a.code != 200 {
		t.Errorf("/repos/github.com/eig/healthy before any result = %d", a.code)
	}
	f.gh.release()
	f.gl.release()
	deadline := time.Now().Add(30 * time.Second)
	for {
		a := svGet(t, base+"/readyz")
		if a.code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz never 200: %d %q", a.code, a.body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestAcceptServe(t *testing.T) {
	for _, c := range []struct {
		name  string
		style serveStyle
	}{
		{"hosted", serveStyle{tokens: true}},
		{"hosted-anonymous", serveStyle{}},
		{"self-hosted", serveStyle{self: true, tokens: true}},
		{"self-hosted-anonymous", serveStyle{self: true}},
		{"unreachable-and-org", serveStyle{tokens: true, extra: true}},
	} {
		t.Run(c.name, func(t *testing.T) { acceptServe(t, c.style) })
	}
}

func acceptServe(t *testing.T, style serveStyle) {
	f := newServeFixtureStyle(t, true, style)
	wantCode, wantN := 0, len(f.urls)
	if style.extra {
		wantCode, wantN = 3, len(f.urls)+2
	}
	crawl := runVigie(t, f.env, "crawl", "--config", f.cfg, "--format", "json")
	if crawl.code != wantCode {
		t.Fatalf("crawl exit %d:\n%s", crawl.code, crawl.stderr)
	}
	crawled := decode(t, crawl.stdout)
	if len(crawled) != wantN {
		t.Fatalf("crawl printed %d results, want %d", len(crawled), wantN)
	}
	var urls []string
	for _, r := range crawled {
		urls = append(urls, r.URL)
	}
	check := runVigie(t, f.env, append([]string{"check", "--config", f.cfg, "--format", "json"}, urls...)...)
	if check.code != wantCode {
		t.Fatalf("check exit %d:\n%s", check.code, check.stderr)
	}
	checked := decode(t, check.stdout)
	idOf := func(suffix string) string {
		for _, r := range crawled {
			if strings.HasSuffix(r.Repo, "/"+suffix) {
				return r.Repo
			}
		}
		t.Fatalf("no result for %s", suffix)
		return ""
	}

	base, _ := startServe(t, f.cfg, f.env)
	startReqs := f.forgeRequests()

	// /readyz: every configured repository has a stored result.
	if a := svGet(t, base+"/readyz"); a.code != 200 {
		t.Errorf("/readyz = %d %q", a.code, a.body)
	}

	// /api/repos is the crawl's output, and check's modulo crawled_at.
	a := svGet(t, base+"/api/repos")
	if a.code != 200 || !strings.HasPrefix(a.ctype, "application/json") {
		t.Fatalf("/api/repos = %d %s", a.code, a.ctype)
	}
	api := decode(t, a.body)
	if len(api) != len(crawled) {
		t.Fatalf("/api/repos has %d results, want %d", len(api), len(crawled))
	}
	bc, _ := json.Marshal(crawled)
	ba, _ := json.Marshal(api)
	if string(bc) != string(ba) {
		t.Errorf("/api/repos differs from vigie crawl's output:\napi   %s\ncrawl %s", ba, bc)
	}
	if got, want := svStripCrawledAt(t, api), svStripCrawledAt(t, checked); got != want {
		t.Errorf("/api/repos differs from vigie check's output:\napi   %s\ncheck %s", got, want)
	}
	for i, r := range api {
		if !r.CrawledAt.Equal(crawled[i].CrawledAt) || r.CrawledAt.Location() != time.UTC {
			t.Errorf("%s: crawled_at %v, crawl said %v", r.Repo, r.CrawledAt, crawled[i].CrawledAt)
		}
	}

	// One result per repository, at /api/repos/{host}/{path}.
	for _, r := range crawled {
		a := svGet(t, base+"/api/repos/"+r.Repo)
		if a.code != 200 || !strings.HasPrefix(a.ctype, "application/json") {
			t.Errorf("/api/repos/%s = %d %s", r.Repo, a.code, a.ctype)
			continue
		}
		var one checks.Result
		if err := json.Unmarshal([]byte(a.body), &one); err != nil {
			t.Errorf("/api/repos/%s: %v", r.Repo, err)
			continue
		}
		b1, _ := json.Marshal(one)
		b2, _ := json.Marshal(r)
		if string(b1) != string(b2) {
			t.Errorf("/api/repos/%s = %s, want %s", r.Repo, b1, b2)
		}
	}

	// API and pages of the repositories vigie could not fetch.
	var good []checks.Result
	for _, r := range crawled {
		if r.Error != "" {
			if a := svGet(t, base+"/repos/"+r.Repo); a.code != 200 || !strings.Contains(a.body, svHTMLEscape(r.Error)) {
				t.Errorf("/repos/%s = %d, error not shown", r.Repo, a.code)
			}
			if b := svGet(t, base+"/badge/"+r.Repo+".svg"); b.code != 200 || !strings.HasPrefix(b.body, "<svg") {
				t.Errorf("/badge/%s.svg = %d", r.Repo, b.code)
			}
			continue
		}
		good = append(good, r)
	}

	// Pages.
	dash := svGet(t, base+"/")
	if dash.code != 200 || !strings.HasPrefix(dash.ctype, "text/html") {
		t.Errorf("/ = %d %s", dash.code, dash.ctype)
	}
	for _, r := range good {
		if !strings.Contains(dash.body, "/repos/"+r.Repo) {
			t.Errorf("/ does not link %s", r.Repo)
		}
		p := svGet(t, base+"/repos/"+r.Repo)
		if p.code != 200 || !strings.HasPrefix(p.ctype, "text/html") {
			t.Errorf("/repos/%s = %d %s", r.Repo, p.code, p.ctype)
			continue
		}
		if !strings.Contains(p.body, strconv.Itoa(*r.Score)) {
			t.Errorf("/repos/%s does not show its score %d", r.Repo, *r.Score)
		}
		for _, c := range r.Checks {
			if c.Reason != "" && !strings.Contains(p.body, svRendered(c.Reason)) {
				t.Errorf("/repos/%s does not show the %s reason %q", r.Repo, c.Name, c.Reason)
			}
			if c.Remediation != "" && !strings.Contains(p.body, svRendered(c.Remediation)) {
				t.Errorf("/repos/%s does not show the %s remediation %q", r.Repo, c.Name, c.Remediation)
			}
		}
		b := svGet(t, base+"/badge/"+r.Repo+".svg")
		if b.code != 200 || !strings.HasPrefix(b.ctype, "image/svg+xml") || !strings.HasPrefix(b.body, "<svg") || !strings.Contains(b.body, strconv.Itoa(*r.Score)) {
			t.Errorf("/badge/%s.svg = %d %s %s", r.Repo, b.code, b.ctype, b.body)
		}
		var svg struct {
			XMLName xml.Name
		}
		if err := xml.Unmarshal([]byte(b.body), &svg); err != nil || svg.XMLName.Local != "svg" || svg.XMLName.Space != "http://www.w3.org/2000/svg" {
			t.Errorf("/badge/%s.svg is not an SVG document: %v %v", r.Repo, err, svg.XMLName)
		}
	}
	// The dashboard shows each score in the row of its repository.
	for _, r := range good {
		row := svRowOf(dash.body, "/repos/"+r.Repo+`"`)
		if row == "" || !strings.Contains(row, fmt.Sprintf(">%d<", *r.Score)) {
			t.Errorf("/ row of %s does not show %d: %s", r.Repo, *r.Score, row)
		}
	}

	// Markup from a repository is text.
	inject := "/repos/" + idOf("eig/inject")
	for _, p := range []string{"/", inject} {
		body := svGet(t, base+p).body
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s renders a repository's markup", p)
		}
	}
	if p := svGet(t, base+inject).body; !strings.Contains(p, "&lt;script&gt;alert(") {
		t.Errorf("%s does not show the description as text", inject)
	}
	ghHost, _, _ := strings.Cut(idOf("eig/healthy"), "/")

	// Unknown and malformed.
	for _, c := range []struct {
		path  string
		code  int
		ctype string
	}{
		{"/repos/" + ghHost + "/eig/unknown", 404, "text/html"},
		{"/api/repos/" + ghHost + "/eig/unknown", 404, "application/json"},
		{"/badge/" + ghHost + "/eig/unknown.svg", 200, "image/svg+xml"},
		{"/repos/" + ghHost + "/orgx/old-archive", 404, "text/html"},
		{"/api/repos/" + ghHost + "/orgx/old-archive", 404, "application/json"},
		{"/repos/" + ghHost, 400, "text/html"},
		{"/api/repos/" + ghHost, 400, "application/json"},
		{"/repos/" + ghHost + "/eig/%3Cscript%3E", 400, "text/html"},
		{"/api/repos/" + ghHost + "/eig/%3Cscript%3E", 400, "application/json"},
		{"/reports/2026-W99.html", 404, "text/html"},
		{"/reports/nope.html", 400, "text/html"},
		{"/nope", 404, "text/html"},
	} {
		a := svGet(t, base+c.path)
		if a.code != c.code || !strings.HasPrefix(a.ctype, c.ctype) {
			t.Errorf("%s = %d %s, want %d %s", c.path, a.code, a.ctype, c.code, c.ctype)
		}
	}
	if a := svGet(t, base+"/reports/"); a.code != 200 || !strings.HasPrefix(a.ctype, "text/html") {
		t.Errorf("/reports/ = %d %s", a.code, a.ctype)
	}
	if got := f.forgeRequests(); got != startReqs {
		t.Errorf("pages contacted the forges: %d requests", got-startReqs)
	}

	// /metrics against the results.
	m := svGet(t, base+"/metrics")
	if m.code != 200 || !strings.HasPrefix(m.ctype, "text/plain") {
		t.Fatalf("/metrics = %d %s", m.code, m.ctype)
	}
	ss := svParseExposition(t, m.body)
	for _, r := range crawled {
		lv := map[string]string{"defi": r.Defi, "forge": r.Forge, "repo": r.Repo}
		if r.Error != "" {
			if got := svFind(ss, "vigie_repo_up", lv); len(got) != 1 || got[0].value != 0 {
				t.Errorf("vigie_repo_up%v = %v, want 0", lv, got)
			}
			if got := svFind(ss, "vigie_repo_score", lv); len(got) != 0 {
				t.Errorf("vigie_repo_score%v = %v for a repository never fetched", lv, got)
			}
			continue
		}
		want := func(name string, extra map[string]string, v float64) {
			t.Helper()
			l := map[string]string{}
			for k, x := range lv {
				l[k] = x
			}
			for k, x := range extra {
				l[k] = x
			}
			got := svFind(ss, name, l)
			if len(got) != 1 || got[0].value != v {
				t.Errorf("%s%v = %v, want one svSample %v", name, l, got, v)
			}
		}
		want("vigie_repo_score", nil, float64(*r.Score))
		want("vigie_repo_up", nil, 1)
		for _, c := range r.Checks {
			if !c.Applies() {
				// A check that does not apply (archived) has no series.
				l := map[string]string{"check": c.Name}
				for k, x := range lv {
					l[k] = x
				}
				if got := svFind(ss, "vigie_repo_check_score", l); len(got) != 0 {
					t.Errorf("vigie_repo_check_score%v = %v for a check that does not apply", l, got)
				}
				continue
			}
			want("vigie_repo_check_score", map[string]string{"check": c.Name}, float64(c.Score))
		}
		last, err := time.Parse(time.RFC3339, r.Check("activity").Details["last_commit_at"].(string))
		if err != nil {
			t.Fatal(err)
		}
		want("vigie_repo_last_commit_timestamp_seconds", nil, float64(last.Unix()))
	}
	if n := len(svFind(ss, "vigie_repo_score", nil)); n != len(good) {
		t.Errorf("%d vigie_repo_score series, want %d", n, len(good))
	}
	var newest time.Time
	for _, r := range crawled {
		if r.CrawledAt.After(newest) {
			newest = r.CrawledAt
		}
	}
	if got := svFind(ss, "vigie_crawl_last_success_timestamp_seconds", nil); len(got) != 1 || int64(got[0].value) != newest.Unix() {
		t.Errorf("vigie_crawl_last_success_timestamp_seconds = %v, want %d", got, newest.Unix())
	}
	if got := svFind(ss, "vigie_crawl_duration_seconds_count", nil); len(got) != 1 {
		t.Errorf("vigie_crawl_duration_seconds_count = %v", got)
	}

	// The check form.
	if a := svGet(t, base+"/check"); a.code != 200 || !strings.Contains(a.body, "<form") {
		t.Errorf("/check = %d", a.code)
	}
	before := f.forgeRequests()
	strangerURL := f.stranger.URL + "/owner/name"
	for _, u := range []string{"https://bitbucket.org/owner/name", strangerURL} {
		a := svGet(t, base+"/check?url="+url.QueryEscape(u))
		if a.code != 400 {
			t.Errorf("/check?url=%s = %d, want 400", u, a.code)
		}
	}
	if got := f.forgeRequests(); got != before {
		t.Errorf("a check of an unconfigured host contacted %d times", got-before)
	}
	ghBefore := f.gh.requests.Load()
	a = svGet(t, base+"/check?url="+url.QueryEscape(crawled[0].URL))
	if a.code != 200 || !strings.Contains(a.body, strconv.Itoa(*crawled[0].Score)) || !strings.Contains(a.body, svHTMLEscape(crawled[0].Checks[0].Reason)) {
		t.Errorf("/check?url=%s = %d", crawled[0].URL, a.code)
	}
	ghReqs := f.gh.requests.Load() - ghBefore
	if ghReqs == 0 {
		t.Errorf("the check did not contact the forge")
	}
	var tool checks.Result
	for _, r := range checked {
		if r.Forge == "gitlab" {
			tool = r
		}
	}
	a = svGet(t, base+"/check?url="+url.QueryEscape(tool.URL))
	if a.code != 200 || !strings.Contains(a.body, strconv.Itoa(*tool.Score)) || !strings.Contains(a.body, svHTMLEscape(tool.Checks[0].Reason)) {
		t.Errorf("/check?url=%s = %d", tool.URL, a.code)
	}
	// Every repository, checked in a row from one client.
	for _, r := range checked {
		a := svGet(t, base+"/check?url="+url.QueryEscape(r.URL))
		if a.code != 200 {
			t.Errorf("/check?url=%s = %d", r.URL, a.code)
			continue
		}
		if r.Score != nil && !strings.Contains(a.body, ">"+strconv.Itoa(*r.Score)+"<") {
			t.Errorf("/check?url=%s does not show the score %d", r.URL, *r.Score)
		}
		if r.Error != "" && !strings.Contains(a.body, svHTMLEscape(r.ErrorText(locale.French))) {
			t.Errorf("/check?url=%s does not show the error", r.URL)
		}
	}
	ghReqs = f.gh.requests.Load() - ghBefore
	ss = svParseExposition(t, svGet(t, base+"/metrics").body)
	var counted float64
	for _, s := range svFind(ss, "vigie_forge_requests_total", map[string]string{"forge": "github"}) {
		counted += s.value
	}
	if counted != float64(ghReqs) {
		t.Errorf("vigie_forge_requests_total{forge=github} = %v, the fake answered %d", counted, ghReqs)
	}
	if len(svFind(ss, "vigie_forge_requests_total", map[string]string{"forge": "gitlab"})) == 0 {
		t.Errorf("no vigie_forge_requests_total for gitlab")
	}
	for _, fg := range []struct {
		name string
		g    *gatedForge
	}{{"github", f.gh}, {"gitlab", f.gl}} {
		got := svFind(ss, "vigie_forge_rate_limit_remaining", map[string]string{"forge": fg.name})
		if len(got) != 1 || strconv.Itoa(int(got[0].value)) != fg.g.rate() {
			t.Errorf("vigie_forge_rate_limit_remaining{forge=%s} = %v, the fake last said %s", fg.name, got, fg.g.rate())
		}
	}
}

func svHTMLEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// svRendered is a reason or remediation as pages show it: escaped, its
// `code` as <code>.
func svRendered(s string) string {
	var b strings.Builder
	for _, sp := range checks.Spans(s) {
		if sp.Code {
			b.WriteString("<code>" + svHTMLEscape(sp.Text) + "</code>")
		} else {
			b.WriteString(svHTMLEscape(sp.Text))
		}
	}
	return b.String()
}

// svRowOf returns the <tr> of the dashboard holding marker.
func svRowOf(page, marker string) string {
	i := strings.Index(page, marker)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(page[:i], "<tr")
	end := strings.Index(page[i:], "</tr>")
	if start < 0 || end < 0 {
		return ""
	}
	return page[start : i+end]
}
