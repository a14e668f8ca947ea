package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/internal/readertest"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/memstore"
	"github.com/eiglink/vigie/web"
)

var now = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

// fakeChecker stands in for scan.Scanner: it answers a scored snapshot for
// any URL and counts calls.
type fakeChecker struct {
	mu    sync.Mutex
	calls []string
	err   error
	panic bool
}

func (f *fakeChecker) Check(ctx context.Context, urls []string) ([]store.Snapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.panic {
		panic("boom: secret internals")
	}
	f.calls = append(f.calls, urls...)
	if f.err != nil {
		return nil, f.err
	}
	var out []store.Snapshot
	for _, u := range urls {
		id := strings.TrimPrefix(u, "https://")
		if strings.HasSuffix(id, "/missing") {
			out = append(out, readertest.Failed(readertest.Ref("github", id, ""), now, "github "+u+": repository not found (missing or private)"))
			continue
		}
		forge := "github"
		if strings.HasPrefix(id, "gitlab.com/") {
			forge = "gitlab"
		}
		out = append(out, readertest.Snap(readertest.Ref(forge, id, ""), now, [4]int{10, 0, 10, 5}, now.Add(-48*time.Hour)))
	}
	return out, nil
}

func (f *fakeChecker) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

type env struct {
	logs *lockedBuffer
	st   *memstore.Store
	ck   *fakeChecker
	srv  *web.Server
}

func newEnv(t *testing.T, fill bool) *env {
	t.Helper()
	cfg := readertest.Config()
	st := memstore.New()
	ck := &fakeChecker{}
	logs := &lockedBuffer{}
	if fill {
		ctx := context.Background()
		alpha, beta, gamma := cfg.Defis[0].Repos[0], cfg.Defis[0].Repos[1], cfg.Defis[1].Repos[0]
		commit := now.Add(-72 * time.Hour)
		lastWeek := now.Add(-8 * 24 * time.Hour)
		for _, crawl := range [][]store.Snapshot{
			{readertest.Snap(alpha, lastWeek, [4]int{10, 10, 10, 10}, commit), readertest.Snap(beta, lastWeek, [4]int{0, 0, 10, 10}, commit)},
			{readertest.Snap(alpha, now.Add(-6*time.Hour), [4]int{10, 10, 0, 10}, commit), readertest.Snap(beta, now.Add(-6*time.Hour), [4]int{0, 5, 10, 10}, commit), readertest.Snap(gamma, now.Add(-6*time.Hour), [4]int{10, 10, 10, 10}, commit)},
			{readertest.Failed(gamma, now.Add(-time.Hour), "GET https://api.github.com/repos/eig/gamma: 502 <b>Bad Gateway</b>")},
		} {
			if err := st.SaveCrawl(ctx, crawl); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.SaveReport(ctx, store.Report{Week: "2026-W48", GeneratedAt: now, HTML: []byte("<html><body style=\"color:red\">Rapport W48</body></html>"), JSON: []byte(`{"week":"2026-W48"}`)}); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := web.New(web.Options{
		Config: cfg, Store: st, Checker: ck, Now: func() time.Time { return now }, Logger: slog.New(slog.NewTextHandler(io.MultiWriter(testWriter{t}, logs), &slog.HandlerOptions{Level: slog.LevelDebug})),
		Metrics:   http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "# metrics\n") }),
		CheckRate: rate.Every(time.Hour), CheckBurst: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &env{logs: logs, st: st, ck: ck, srv: srv}
}

func (e *env) get(t *testing.T, path string) (int, http.Header, string) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.RemoteAddr = "192.0.2.1:1234"
	rec := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(rec, req)
	return rec.Code, rec.Header(), rec.Body.String()
}

// noRawMarkup fails when data from a repository or the configuration
// reached the page unescaped.
func noRawMarkup(t *testing.T, body string) {
	t.Helper()
	for _, bad := range []string{"<script>alert", "<b>gras", "<i>markup", "<b>maintenant", "<b>Bad Gateway"} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains unescaped %q", bad)
		}
	}
}

func TestDashboard(t *testing.T) {
	e := newEnv(t, true)
	code, h, body := e.get(t, "/")
	if code != 200 {
		t.Fatalf("GET / = %d", code)
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("CSP = %q", csp)
	}
	noRawMarkup(t, body)
	for _, want := range []string{
		`lang="fr"`,
		`Alpha &lt;script&gt;alert(&#34;défi&#34;)&lt;/script&gt;`,
		`href="/repos/github.com/eig/alpha"`,
		`href="/repos/gitlab.com/eig/sub/beta"`,
		`échec de la dernière analyse`, // gamma's newest crawl failed
		`>-25<`,                        // alpha: 100 a week ago, 75 now
		`>&#43;12<`,                    // beta: 50 -> 62 (html/template escapes "+")
	} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	// The failed repository still shows its last good score.
	if i := strings.Index(body, "/repos/github.com/eig/gamma"); i < 0 || !strings.Contains(body[i:], ">100<") {
		t.Error("gamma's last good score is not shown")
	}
}

func TestDashboardFilterAndSort(t *testing.T) {
	e := newEnv(t, true)
	_, _, body := e.get(t, "/?q=GAMMA")
	if !strings.Contains(body, "/repos/github.com/eig/gamma") || strings.Contains(body, "/repos/github.com/eig/alpha") {
		t.Error("?q=GAMMA should show gamma only")
	}
	if !strings.Contains(body, "1 dépôt(s) sur 3") {
		t.Error("filter status missing")
	}
	_, _, body = e.get(t, "/?sort=score")
	a, b := strings.Index(body, "/repos/gitlab.com/eig/sub/beta"), strings.Index(body, "/repos/github.com/eig/alpha")
	if a < 0 || b < 0 || a > b {
		t.Error("?sort=score should list beta (62) before alpha (75)")
	}
	_, _, body = e.get(t, "/?sort=-score")
	a, b = strings.Index(body, "/repos/gitlab.com/eig/sub/beta"), strings.Index(body, "/repos/github.com/eig/alpha")
	if a < b {
		t.Error("?sort=-score should list alpha before beta")
	}
	// Column headers sort too, flipping the order on a second click, and
	// keep the filter.
	_, _, body = e.get(t, "/?q=eig&sort=score")
	if !strings.Contains(body, `aria-sort="ascending"`) || !strings.Contains(body, `href="/?q=eig&amp;sort=-score"`) {
		t.Error("the sorted column should say so and link to the reverse order")
	}
	if code, _, _ := e.get(t, "/?sort=<script>"); code != 200 {
		t.Error("an unknown sort should fall back, not fail")
	}
}

func TestRepoPage(t *testing.T) {
	e := newEnv(t, true)
	code, _, body := e.get(t, "/repos/gitlab.com/eig/sub/beta")
	if code != 200 {
		t.Fatalf("subgroup repo page = %d", code)
	}
	noRawMarkup(t, body)
	for _, want := range []string{
		"Ajoutez un fichier LICENSE &lt;b&gt;maintenant&lt;/b&gt;.", // remediation, escaped
		"Raison readme",
		`<polyline points="`,
		`/badge/gitlab.com/eig/sub/beta.svg`,
		// No http.public_url: paths on the site, never the Host header's.
		`[![Score vigie](/badge/gitlab.com/eig/sub/beta.svg)](/repos/gitlab.com/eig/sub/beta)`,
		`http.public_url`,
		`Une description &lt;script&gt;`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("repo page lacks %q", want)
		}
	}

	code, _, body = e.get(t, "/repos/github.com/eig/gamma")
	if code != 200 {
		t.Fatalf("failed repo page = %d", code)
	}
	noRawMarkup(t, body)
	for _, want := range []string{"La dernière analyse a échoué", "502 &lt;b&gt;Bad Gateway", "dernière analyse réussie", "il y a 6 heures"} {
		if !strings.Contains(body, want) {
			t.Errorf("failed repo page lacks %q", want)
		}
	}

	if code, h, _ := e.get(t, "/repos/github.com/EIG/Alpha"); code != http.StatusMovedPermanently || h.Get("Location") != "/repos/github.com/eig/alpha" {
		t.Errorf("case variant = %d %q, want a redirect to the stored spelling", code, h.Get("Location"))
	}
	if code, _, body := e.get(t, "/repos/github.com/eig/nope"); code != 404 || !strings.Contains(body, "Dépôt inconnu") || !strings.Contains(body, `<a href="/check">`) {
		t.Errorf("unknown repo = %d", code)
	}
	if code, _, _ := e.get(t, "/repos/github.com/onlyowner"); code != 400 {
		t.Errorf("malformed repo path = %d, want 400", code)
	}
	if code, _, _ := e.get(t, "/repos/github.com/a/b%3Cc"); code != 400 {
		t.Errorf("repo path with markup = %d, want 400", code)
	}
	if code, _, body := e.get(t, "/nowhere"); code != 404 || !strings.Contains(body, "Page introuvable") || !strings.Contains(body, `<a href="/check">Vérifier un dépôt</a>`) {
		t.Errorf("unknown page = %d", code)
	}
}

func TestBadge(t *testing.T) {
	e := newEnv(t, true)
	code, h, body := e.get(t, "/badge/github.com/eig/alpha.svg")
	if code != 200 || h.Get("Content-Type") != "image/svg+xml" || !strings.Contains(body, "75/100") || !strings.HasPrefix(body, "<svg") {
		t.Errorf("badge = %d %q %q", code, h.Get("Content-Type"), body)
	}
	if !strings.Contains(body, "#dfb317") {
		t.Error("a 75 should be yellow")
	}
	// Failed newest crawl: the last good score.
	if _, _, body := e.get(t, "/badge/github.com/eig/gamma.svg"); !strings.Contains(body, "100/100") {
		t.Error("gamma's badge should show its last good score")
	}
	// A repository vigie does not follow: a grey badge saying so, 200 as
	// badge services answer.
	code, h, body = e.get(t, "/badge/github.com/eig/unknown.svg")
	if code != 200 || h.Get("Content-Type") != "image/svg+xml" || !strings.Contains(body, "dépôt non suivi") || !strings.Contains(body, "#9f9f9f") {
		t.Errorf("unknown badge = %d %s", code, body)
	}
	if code, _, _ := e.get(t, "/badge/github.com/eig/alpha"); code != 400 {
		t.Errorf("badge without .svg = %d, want 400", code)
	}
}

func TestAPI(t *testing.T) {
	e := newEnv(t, true)
	code, h, body := e.get(t, "/api/repos")
	if code != 200 || h.Get("Content-Type") != "application/json" {
		t.Fatalf("api = %d %s", code, h.Get("Content-Type"))
	}
	var rs []checks.Result
	if err := json.Unmarshal([]byte(body), &rs); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.Repo)
	}
	if got := strings.Join(ids, " "); got != "github.com/eig/alpha gitlab.com/eig/sub/beta github.com/eig/gamma" {
		t.Errorf("api order = %s, want configuration order", got)
	}
	if rs[2].Error == "" || rs[2].Score != nil {
		t.Error("gamma's latest snapshot (failed) should be served as is")
	}
	// The JSON uses docs/reference.md's field names.
	var raw []map[string]any
	_ = json.Unmarshal([]byte(body), &raw)
	for _, k := range []string{"repo", "url", "forge", "defi", "crawled_at", "score", "error", "checks"} {
		if _, ok := raw[0][k]; !ok {
			t.Errorf("result lacks %q", k)
		}
	}

	code, _, body = e.get(t, "/api/repos/gitlab.com/eig/sub/beta")
	var one checks.Result
	if code != 200 || json.Unmarshal([]byte(body), &one) != nil || one.Repo != "gitlab.com/eig/sub/beta" || *one.Score != 62 {
		t.Errorf("api one = %d %s", code, body)
	}
	code, _, body = e.get(t, "/api/repos/github.com/eig/none")
	var apiErr map[string]string
	if code != 404 || json.Unmarshal([]byte(body), &apiErr) != nil || apiErr["error"] == "" {
		t.Errorf("api unknown = %d %s", code, body)
	}
	if code, _, body := e.get(t, "/api/repos/github.com"); code != 400 || !strings.Contains(body, `"error"`) {
		t.Errorf("api malformed = %d %s", code, body)
	}
}

func TestCheckForm(t *testing.T) {
	e := newEnv(t, true)
	code, _, body := e.get(t, "/check")
	if code != 200 || !strings.Contains(body, `<form class="check-form"`) {
		t.Fatalf("form = %d", code)
	}

	code, _, body = e.get(t, "/check?url="+url.QueryEscape("https://evil.example.org/a/b"))
	if code != 400 || !strings.Contains(body, "n&#39;est pas une forge connue") {
		t.Errorf("foreign host = %d", code)
	}
	if e.ck.count() != 0 {
		t.Error("a foreign host reached the checker")
	}

	u := url.QueryEscape("https://user:tok3n@github.com/Some/Repo/tree/main")
	code, _, body = e.get(t, "/check?url="+u)
	if code != 200 {
		t.Fatalf("check = %d %s", code, body)
	}
	noRawMarkup(t, body)
	if strings.Contains(body, "tok3n") {
		t.Error("credentials from the URL reached the page")
	}
	if l := e.logs.String(); strings.Contains(l, "tok3n") || !strings.Contains(l, "path=/check") {
		t.Errorf("credentials reached the log, or the request was not logged:\n%s", l)
	}
	for _, want := range []string{`<span class="nw">Some/</span><wbr><span class="nw">Repo</span>`, "Ajoutez un fichier README", "À faire"} {
		if !strings.Contains(body, want) {
			t.Errorf("check result lacks %q", want)
		}
	}
	if e.ck.calls[0] != "https://github.com/Some/Repo" {
		t.Errorf("checker got %q", e.ck.calls[0])
	}
	// Same URL again: served from the cache, no new check.
	e.get(t, "/check?url="+u)
	if e.ck.count() != 1 {
		t.Errorf("checker called %d times, want 1 (cache)", e.ck.count())
	}
	// Burst is 2 per client: the second new URL passes, the third is refused.
	if code, _, _ := e.get(t, "/check?url=https://gitlab.com/g/sub/x"); code != 200 {
		t.Errorf("second check = %d", code)
	}
	code, h, _ := e.get(t, "/check?url=https://github.com/o/third")
	if code != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
		t.Errorf("third check = %d, want 429 with Retry-After", code)
	}
}

func TestCheckOfAnUnreachableRepository(t *testing.T) {
	e := newEnv(t, false)
	code, _, body := e.get(t, "/check?url=https://github.com/o/missing")
	if code != 200 || !strings.Contains(body, "pas pu être analysé") || !strings.Contains(body, "repository not found") {
		t.Errorf("unreachable = %d", code)
	}
	if strings.Contains(body, "Aucune analyse réussie") {
		t.Error("a check speaks of stored history")
	}
}

func TestCheckUsageErrorAndPanic(t *testing.T) {
	e := newEnv(t, false)
	e.ck.err = errors.New("unsupported path")
	if code, _, body := e.get(t, "/check?url=https://github.com/o/r"); code != 400 || !strings.Contains(body, "unsupported path") {
		t.Errorf("usage error = %d", code)
	}
	e.ck.err, e.ck.panic = nil, true
	code, _, body := e.get(t, "/check?url=https://github.com/o/other")
	if code != 500 || strings.Contains(body, "boom") || strings.Contains(body, "goroutine") {
		t.Errorf("panic = %d, body leaks internals: %v", code, strings.Contains(body, "boom"))
	}
}

func TestReadyz(t *testing.T) {
	e := newEnv(t, false)
	if code, _, _ := e.get(t, "/readyz"); code != 503 {
		t.Errorf("readyz on an empty store = %d", code)
	}
	cfg := readertest.Config()
	if err := e.st.SaveCrawl(context.Background(), []store.Snapshot{readertest.Snap(cfg.Defis[0].Repos[0], now, [4]int{}, time.Time{})}); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := e.get(t, "/readyz"); code != 503 {
		t.Errorf("readyz with 1 of 3 repos = %d", code)
	}
	if err := e.st.SaveCrawl(context.Background(), []store.Snapshot{
		readertest.Failed(cfg.Defis[0].Repos[1], now, "x"), readertest.Snap(cfg.Defis[1].Repos[0], now, [4]int{}, time.Time{}),
	}); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := e.get(t, "/readyz"); code != 200 {
		t.Errorf("readyz with all repos = %d", code)
	}
	if code, _, _ := e.get(t, "/healthz"); code != 200 {
		t.Errorf("healthz = %d", code)
	}
}

func TestReports(t *testing.T) {
	e := newEnv(t, true)
	code, _, body := e.get(t, "/reports/")
	if code != 200 || !strings.Contains(body, `href="/reports/2026-W48.html"`) {
		t.Errorf("reports = %d", code)
	}
	code, h, body := e.get(t, "/reports/2026-W48.html")
	if code != 200 || !strings.Contains(body, "Rapport W48") || strings.Contains(h.Get("Content-Security-Policy"), "script-src") {
		t.Errorf("report = %d %q", code, h.Get("Content-Security-Policy"))
	}
	if code, h, _ := e.get(t, "/reports/2026-W48.json"); code != 200 || h.Get("Content-Type") != "application/json" {
		t.Errorf("report json = %d", code)
	}
	if code, _, _ := e.get(t, "/reports/2026-W01.html"); code != 404 {
		t.Errorf("missing report = %d", code)
	}
	if code, _, _ := e.get(t, "/reports/latest.html"); code != 400 {
		t.Errorf("malformed report = %d", code)
	}
}

func TestStoreOutageIsAPlain500(t *testing.T) {
	e := newEnv(t, true)
	e.st.FailRead = errors.New("database is locked at /var/lib/vigie.db")
	for _, p := range []string{"/", "/repos/github.com/eig/alpha"} {
		code, _, body := e.get(t, p)
		if code != 500 || strings.Contains(body, "vigie.db") {
			t.Errorf("%s on store outage = %d (leaks error: %v)", p, code, strings.Contains(body, "vigie.db"))
		}
	}
	if code, _, body := e.get(t, "/api/repos"); code != 500 || !strings.Contains(body, `"error"`) {
		t.Errorf("api on store outage = %d %s", code, body)
	}
}

func TestStatic(t *testing.T) {
	e := newEnv(t, false)
	for _, p := range []string{"/static/vigie.css", "/static/vigie.js"} {
		if code, _, _ := e.get(t, p); code != 200 {
			t.Errorf("%s = %d", p, code)
		}
	}
	if code, _, body := e.get(t, "/metrics"); code != 200 || body != "# metrics\n" {
		t.Errorf("/metrics = %d", code)
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestPendingRepoPage: the dashboard links a configured repository before
// its first crawl; its page says it is not analysed yet instead of "unknown".
func TestPendingRepoPage(t *testing.T) {
	e := newEnv(t, false)
	cfg := readertest.Config()
	id := cfg.Defis[0].Repos[0].ID()
	if code, _, body := e.get(t, "/"); code != 200 || !strings.Contains(body, `href="/repos/`+id+`"`) {
		t.Fatalf("dashboard = %d, no link to %s", code, id)
	}
	code, _, body := e.get(t, "/repos/"+id)
	if code != 200 || !strings.Contains(body, "pas encore analysé") || strings.Contains(body, "Dépôt inconnu") {
		t.Errorf("/repos/%s before any crawl = %d:\n%s", id, code, body)
	}
	if code, _, _ := e.get(t, "/repos/"+strings.ToUpper(id[:1])+id[1:]); code != 301 && code != 200 {
		t.Errorf("/repos/%s in another case = %d", id, code)
	}
	if code, _, _ := e.get(t, "/repos/github.com/eig/nope"); code != 404 {
		t.Errorf("an unknown repository = %d", code)
	}
	if code, _, _ := e.get(t, "/api/repos/"+id); code != 404 {
		t.Errorf("/api/repos/%s before any crawl = %d, want 404 (no result object)", id, code)
	}
}

// TestCheckDefaultBurst: with the default limits, someone checking a défi's
// few repositories in a row is not refused.
func TestCheckDefaultBurst(t *testing.T) {
	ck := &fakeChecker{}
	srv, err := web.New(web.Options{Config: readertest.Config(), Store: memstore.New(), Checker: ck, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 8 {
		req := httptest.NewRequest("GET", "/check?url="+url.QueryEscape(fmt.Sprintf("https://github.com/eig/repo-%d", i)), nil)
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("check %d = %d, want 200", i+1, rec.Code)
		}
	}
}

// A link to a page inside a Gitea or Forgejo repository names the
// repository: owner/name, below the forge's base path when it has one.
func TestCheckGiteaURL(t *testing.T) {
	cfg, err := config.Parse("c.yml", []byte(`forges:
  - {name: codeberg, type: gitea, url: https://codeberg.org}
  - {name: forge, type: gitea, url: https://forge.example.org/git}
defis:
  - {slug: d, name: D, repos: [https://codeberg.org/o/n]}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	ck := &fakeChecker{}
	srv, err := web.New(web.Options{Config: cfg, Store: memstore.New(), Checker: ck, Now: func() time.Time { return now },
		Logger: slog.New(slog.DiscardHandler), CheckRate: rate.Every(time.Millisecond), CheckBurst: 10})
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"https://codeberg.org/o/n/src/branch/main/docs/x.md": "https://codeberg.org/o/n",
		"codeberg.org/o/other.git":                           "https://codeberg.org/o/other",
		"https://forge.example.org/git/team/app/issues/3":    "https://forge.example.org/git/team/app",
	} {
		ck.calls = nil
		req := httptest.NewRequest("GET", "/check?url="+url.QueryEscape(in), nil)
		req.RemoteAddr = "192.0.2.9:1234"
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		if len(ck.calls) != 1 || ck.calls[0] != want {
			t.Errorf("%s: checker got %v (status %d), want %s", in, ck.calls, rec.Code, want)
		}
	}
}

// /api/check answers the check /check runs, as one result object, under the
// same rules: configured forges only, one cache, one budget.
func TestAPICheck(t *testing.T) {
	e := newEnv(t, true)
	getJSON := func(path string) (int, http.Header, map[string]any) {
		t.Helper()
		code, h, body := e.get(t, path)
		if ct := h.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q", path, ct)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatalf("%s: not one JSON object: %v\n%s", path, err, body)
		}
		return code, h, v
	}
	if code, _, v := getJSON("/api/check"); code != 400 || v["error"] == "" {
		t.Errorf("no url = %d %v", code, v)
	}
	if code, _, v := getJSON("/api/check?url=" + url.QueryEscape("https://evil.example.org/a/b")); code != 400 || v["error"] == nil {
		t.Errorf("foreign host = %d %v", code, v)
	}
	if e.ck.count() != 0 {
		t.Error("a foreign host reached the checker")
	}
	code, _, v := getJSON("/api/check?url=" + url.QueryEscape("https://github.com/Some/Repo/tree/main"))
	if code != 200 || v["repo"] != "github.com/Some/Repo" || v["score"] == nil {
		t.Fatalf("check = %d %v", code, v)
	}
	checksList, _ := v["checks"].([]any)
	if len(checksList) != 4 {
		t.Errorf("result object with %d checks", len(checksList))
	}
	// The page shows the same result, from the same cache.
	_, _, page := e.get(t, "/check?url="+url.QueryEscape("https://github.com/some/repo"))
	if !strings.Contains(page, fmt.Sprintf(">%v<", v["score"])) {
		t.Errorf("the page does not show the API's score %v", v["score"])
	}
	if e.ck.count() != 1 {
		t.Errorf("checker called %d times, want 1: the API and the page share the cache", e.ck.count())
	}
	if code, _, _ := getJSON("/api/check?url=https://gitlab.com/g/sub/x"); code != 200 {
		t.Errorf("second check = %d", code)
	}
	code, h, v := getJSON("/api/check?url=https://github.com/o/third")
	if code != http.StatusTooManyRequests || h.Get("Retry-After") == "" || v["error"] == nil {
		t.Errorf("third check = %d %v, want 429 with Retry-After", code, v)
	}
	// A repository the forge cannot give: 200, the result object with its
	// error, as /check shows it.
	e2 := newEnv(t, false)
	code, _, body := e2.get(t, "/api/check?url=https://github.com/o/missing")
	var r checks.Result
	if err := json.Unmarshal([]byte(body), &r); err != nil || code != 200 || r.Error == "" || r.Score != nil {
		t.Errorf("missing = %d %+v (%v)", code, r, err)
	}
}

// An ended défi is shown apart, under « Défis terminés », after the
// running ones, and out of the programme's average.
func TestDashboardEndedDefi(t *testing.T) {
	cfg := readertest.Config()
	cfg.Defis[1].Ended = "2019-11-30" // gamma
	st := memstore.New()
	alpha, gamma := cfg.Defis[0].Repos[0], cfg.Defis[1].Repos[0]
	commit := now.Add(-72 * time.Hour)
	if err := st.SaveCrawl(context.Background(), []store.Snapshot{
		readertest.Snap(alpha, now.Add(-time.Hour), [4]int{10, 10, 0, 10}, commit),
		readertest.Snap(gamma, now.Add(-time.Hour), [4]int{0, 0, 0, 0}, commit),
	}); err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Options{Config: cfg, Store: st, Now: func() time.Time { return now }, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	body := rec.Body.String()
	group, alphaRow, gammaRow := strings.Index(body, `<h2 class="group">Défis terminés</h2>`), strings.Index(body, `href="/repos/github.com/eig/alpha"`), strings.Index(body, `href="/repos/github.com/eig/gamma"`)
	if group < 0 || alphaRow < 0 || gammaRow < group || alphaRow > group {
		t.Errorf("ended défi not apart: group %d, alpha %d, gamma %d", group, alphaRow, gammaRow)
	}
	if !strings.Contains(body, "terminé le 30 novembre 2019 · hors moyenne") {
		t.Error("the ended défi does not say (in words, as every date) it ended and is out of the average")
	}
	// Its heading sits under the group's: the page's outline reads
	// « Défis terminés » › the défi.
	if !regexp.MustCompile(`<h3 id="defi-[^"]+">[^<]*<span class="avg">terminé le`).MatchString(body) {
		t.Error("the ended défi's heading is not one level below « Défis terminés »")
	}
	// The programme's average is alpha's alone (75), not (75+0)/2.
	if !strings.Contains(body, "score moyen 75/100") {
		t.Errorf("programme average counts the ended défi:\n%s", body[:min(len(body), 2000)])
	}
}

// The weekly line ends on the average printed above it: finished projects
// (an ended défi, an archived repository) are out of both.
func TestDashboardTrendLeavesFinishedOut(t *testing.T) {
	cfg := readertest.Config()
	cfg.Defis[1].Ended = "2019-11-30" // gamma
	st := memstore.New()
	alpha, beta, gamma := cfg.Defis[0].Repos[0], cfg.Defis[0].Repos[1], cfg.Defis[1].Repos[0]
	beta.Type = "gitlab"
	at := now.Add(-time.Hour)
	old := crawler.Facts{Ref: beta, CrawledAt: at, Visibility: "public", Archived: true, DefaultBranch: "main",
		Activity: crawler.ActivityFacts{LastCommitAt: at.AddDate(-3, 0, 0)}}
	if err := st.SaveCrawl(context.Background(), []store.Snapshot{
		readertest.Snap(alpha, at, [4]int{10, 10, 0, 10}, at),
		readertest.Snap(gamma, at, [4]int{0, 0, 0, 0}, at),
		scored(old),
	}); err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Options{Config: cfg, Store: st, Now: func() time.Time { return now }, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	body := rec.Body.String()
	if !strings.Contains(body, "score moyen 75/100") {
		t.Errorf("the programme's average is not alpha's alone (75)")
	}
	m := regexp.MustCompile(`De la plus ancienne à cette semaine : ([^<]*)</p>`).FindStringSubmatch(body)
	if m == nil || !strings.HasSuffix(m[1], " · 75") {
		t.Errorf("the weekly line does not end on the programme's average, 75: %q", m)
	}
}
