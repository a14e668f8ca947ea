package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub"
	"github.com/eiglink/vigie/internal/fakesmtp"
	"github.com/eiglink/vigie/store/sqlite"
)

// crawledProgramme crawls a small programme on the fake forges and returns
// its configuration file (with extra appended) and the current week.
func crawledProgramme(t *testing.T, extra string) (cfg, week string, f *forges) {
	t.Helper()
	now := time.Now().UTC()
	gh, gl := testRepos(now)
	f = startForges(t, gh, gl)
	cfg = f.config(t, "https://github.com/eig/healthy", "https://gitlab.com/grp/sub/tool")
	fh, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(fh, extra)
	fh.Close()
	if out := runVigie(t, nil, "crawl", "--config", cfg); out.code != 0 {
		t.Fatalf("crawl exit %d:\n%s", out.code, out.stderr)
	}
	y, w := now.In(mustParis(t)).ISOWeek()
	return cfg, fmt.Sprintf("%d-W%02d", y, w), f
}

// `vigie report --send` through a server that accepts each mail, then is
// slow to answer QUIT and drops the connection: each recipient gets one
// copy, over repeated runs, and the runs succeed.
func TestReportSendSlowQuit(t *testing.T) {
	srv := fakesmtp.Start(t, fakesmtp.Behaviour{QuitDelay: 1500 * time.Millisecond, QuitDrop: true})
	cfg, week, f := crawledProgramme(t, fmt.Sprintf(
		"report: {recipients: [coach@example.org, lead@example.org]}\nsmtp: {host: 127.0.0.1, port: %d, security: none, from: vigie@example.org}\n", srv.Port))
	for run := range 3 {
		out := runVigie(t, nil, "report", "--config", cfg, "--week", week, "--out", filepath.Join(f.dir, "out"), "--send")
		if out.code != 0 {
			t.Fatalf("report --send #%d: exit %d\n%s", run+1, out.code, out.stderr)
		}
	}
	for _, r := range []string{"coach@example.org", "lead@example.org"} {
		if n := srv.Count(r); n != 1 {
			t.Errorf("%s received %d copies, want 1", r, n)
		}
	}
}

// `vigie report --out` into a directory where links were planted under the
// names it writes: the files they point to stay as they were.
func TestReportOutPlantedLinks(t *testing.T) {
	cfg, week, f := crawledProgramme(t, "report: {recipients: [coach@example.org]}\n")
	out, elsewhere := filepath.Join(f.dir, "out"), t.TempDir()
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	victims := map[string]string{}
	for _, n := range []string{week + ".html", week + ".json", week + ".html.tmp", week + ".json.tmp", week + ".programme.coach@example.org.eml"} {
		v := filepath.Join(elsewhere, n+".victim")
		os.WriteFile(v, []byte("keep "+n), 0o600)
		if err := os.Symlink(v, filepath.Join(out, n)); err != nil {
			t.Fatal(err)
		}
		victims[v] = "keep " + n
	}
	if r := runVigie(t, nil, "report", "--config", cfg, "--week", week, "--out", out, "--send", "--dry-run"); r.code != 0 {
		t.Fatalf("report exit %d:\n%s", r.code, r.stderr)
	}
	for v, want := range victims {
		if b, _ := os.ReadFile(v); string(b) != want {
			t.Errorf("%s was overwritten through a link: %.60q", v, b)
		}
	}
	for _, n := range []string{week + ".html", week + ".json", week + ".programme.coach@example.org.eml"} {
		if fi, err := os.Lstat(filepath.Join(out, n)); err != nil || !fi.Mode().IsRegular() {
			t.Errorf("%s: not a regular file (%v)", n, err)
		}
	}
	if fi, err := os.Stat(filepath.Join(f.dir, "vigie.db")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the database file: %v %v, want -rw-------", fi.Mode().Perm(), err)
	}
}

// `vigie import` refuses a file whose results lie about where they come
// from, naming the file, the element and the problem, and the store keeps
// what it had.
func TestImportRefusesForgedResults(t *testing.T) {
	cfg, _, f := crawledProgramme(t, "")
	out := runVigie(t, nil, "check", "--config", cfg, "--format", "json", "https://github.com/eig/healthy")
	good := decode(t, out.stdout)[0]
	good.CrawledAt = time.Now().UTC().Add(-48 * time.Hour)
	count := func() int {
		st, err := sqlite.Open(context.Background(), filepath.Join(f.dir, "vigie.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		h, err := st.History(context.Background(), "github.com/eig/healthy", time.Time{}, time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return len(h)
	}
	before := count()
	tests := []struct {
		name string
		edit func(m map[string]any)
		want string
	}{
		{"phishing link", func(m map[string]any) { m["url"] = "https://github.com.evil.example/eig/healthy" }, "url \"https://github.com.evil.example/eig/healthy\" is not the address of github.com/eig/healthy"},
		{"other forge", func(m map[string]any) { m["forge"] = "gitlab" }, "forge \"gitlab\" is not the configured forge"},
		{"unknown check", func(m map[string]any) { m["checks"].([]any)[0].(map[string]any)["name"] = "stars" }, "check \"stars\" is not one of vigie's checks"},
		{"huge reason", func(m map[string]any) {
			m["checks"].([]any)[1].(map[string]any)["reason"] = strings.Repeat("r", 100<<10)
		}, "check readme: reason is 102400 bytes"},
		{"not configured", func(m map[string]any) {
			m["repo"], m["url"] = "github.com/eig/dormant", "https://github.com/eig/dormant"
		}, "not a repository of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := json.Marshal(good)
			var m map[string]any
			json.Unmarshal(b, &m)
			tt.edit(m)
			other, _ := json.Marshal(good)
			var ok map[string]any
			json.Unmarshal(other, &ok)
			b, _ = json.Marshal([]any{ok, m})
			file := filepath.Join(f.dir, "forged.json")
			os.WriteFile(file, b, 0o600)
			r := runVigie(t, nil, "import", "--config", cfg, file)
			if r.code != 2 || !strings.Contains(r.stderr, file) || !strings.Contains(r.stderr, "element 1") || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr:\n%.600s\nwant %q", r.code, r.stderr, tt.want)
			}
			if n := count(); n != before {
				t.Errorf("the store holds %d results of the repository, had %d", n, before)
			}
		})
	}
}

// `vigie serve` with http.public_url and a trusted proxy: the badge
// snippet ignores the Host header, pages say how long to keep them, and
// over-long or bodied requests are refused.
func TestServeBehindAProxy(t *testing.T) {
	cfg, _, _ := crawledProgramme(t, "http: {public_url: \"https://vigie.example.org/\", trusted_proxies: [127.0.0.1/32]}\n")
	base, _ := startServe(t, cfg, nil)
	req, _ := http.NewRequest("GET", base+"/repos/github.com/eig/healthy", nil)
	req.Host = "evil.example.net"
	req.Header.Set("X-Forwarded-Host", "evil.example.net")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "[![Score vigie](https://vigie.example.org/badge/github.com/eig/healthy.svg)](https://vigie.example.org/repos/github.com/eig/healthy)") || strings.Contains(string(body), "evil.example.net") {
		t.Errorf("repo page = %d; snippet on public_url: %v; Host echoed: %v", resp.StatusCode,
			strings.Contains(string(body), "https://vigie.example.org/badge/"), strings.Contains(string(body), "evil.example.net"))
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("repo page Cache-Control %q", cc)
	}
	resp, err = http.Get(base + "/badge/github.com/eig/healthy.svg")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=300" {
		t.Errorf("badge Cache-Control %q", cc)
	}
	long := svGet(t, base+"/check?url="+url.QueryEscape("https://github.com/"+strings.Repeat("o", 5000)+"/x"))
	if long.code != 400 || !strings.Contains(long.body, "plus longue que ce que la forge permet") || len(long.body) > 20000 {
		t.Errorf("5,000-character owner: %d, %d bytes", long.code, len(long.body))
	}
	huge, err := http.Get(base + "/check?url=" + url.QueryEscape("https://github.com/"+strings.Repeat("o", 900_000)+"/x"))
	if err != nil {
		t.Fatal(err)
	}
	huge.Body.Close()
	if huge.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("900 KB owner: %d, want 431", huge.StatusCode)
	}
	post, err := http.Post(base+"/check", "application/x-www-form-urlencoded", strings.NewReader("url=https://github.com/eig/healthy"))
	if err != nil {
		t.Fatal(err)
	}
	post.Body.Close()
	if post.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("POST with a body: %d, want 413", post.StatusCode)
	}
}

// countingHandler counts the requests that reach h.
type countingHandler struct {
	h http.Handler
	n atomic.Int64
}

func (c *countingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.n.Add(1)
	c.h.ServeHTTP(w, r)
}

// Thirty visitors behind the proxy, each checking another repository, spend
// neither more checks than the instance's budget nor the half of the
// forge's quota kept for the scheduled crawls: the crawl that follows still
// has it.
func TestServeChecksKeepTheCrawlsQuota(t *testing.T) {
	now := time.Now().UTC()
	gh, _ := testRepos(now)
	for i := range 40 {
		gh = append(gh, fakeforge.Repo{
			Path: fmt.Sprintf("visitors/repo-%02d", i), DefaultBranch: "main", CreatedAt: now.Add(-day(30)),
			Files:   map[string]string{"README.md": "# Outil\n"},
			Commits: []fakeforge.Commit{{AuthorName: "v", AuthorEmail: "v@example.org", Date: now.Add(-day(1))}},
		})
	}
	const quota = 300
	forge := &countingHandler{h: fakegithub.NewGitHub(gh, fakegithub.WithGitHubRateLimit(quota, quota))}
	srv := httptest.NewServer(forge)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vigie.yml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`forges:
  - {name: github, type: github, url: https://github.com, api_url: %q}
defis:
  - {slug: test, name: Test, repos: [https://github.com/eig/healthy]}
storage: {driver: sqlite, dsn: %q}
http: {trusted_proxies: [127.0.0.1]}
`, srv.URL, filepath.Join(dir, "vigie.db"))), 0o600)
	base, stop := startServe(t, cfg, nil)
	// Wait for the start-up crawl to have stored its result.
	deadline := time.Now().Add(30 * time.Second)
	for svGet(t, base+"/readyz").code != 200 {
		if time.Now().After(deadline) {
			t.Fatal("never ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	afterCrawl := forge.n.Load()
	var scored, kept, refused int
	for i := range 30 {
		req, _ := http.NewRequest("GET", base+"/check?url="+url.QueryEscape(fmt.Sprintf("https://github.com/visitors/repo-%02d", i)), nil)
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusTooManyRequests:
			refused++
		case resp.StatusCode == 200 && strings.Contains(string(b), "réservé aux analyses programmées"):
			kept++
		case resp.StatusCode == 200:
			scored++
		default:
			t.Fatalf("check %d = %d", i, resp.StatusCode)
		}
	}
	spent := forge.n.Load() - afterCrawl
	t.Logf("checks: %d scored, %d stopped by the kept quota, %d refused by the budget; %d forge requests (start-up crawl %d)", scored, kept, refused, spent, afterCrawl)
	if scored == 0 || kept == 0 {
		t.Errorf("want some checks scored and then some stopped by the kept share: %d scored, %d stopped", scored, kept)
	}
	if used := afterCrawl + spent; used > quota/2 {
		t.Errorf("%d requests of a quota of %d spent (the start-up crawl %d, the checks %d): the checks reached the crawls' half", used, quota, afterCrawl, spent)
	}
	stop()
	if out := runVigie(t, nil, "crawl", "--config", cfg); out.code != 0 {
		t.Errorf("the crawl after the checks: exit %d\n%s", out.code, out.stderr)
	}
}

// `vigie report --send` through servers that fail before they accept a
// message (a busy greeting, MAIL refused, a recipient refused, the
// connection dropped at each command, the message refused or left
// unanswered): the run exits 3 and says so, nothing that failed is
// recorded as sent, and the next run, through a polite server, delivers
// what is missing, once per recipient over both runs.
func TestReportSendFailsBeforeAccepting(t *testing.T) {
	recipients := []string{"coach@example.org", "lead@example.org"}
	for _, tc := range []struct {
		name string
		b    fakesmtp.Behaviour
	}{
		// (A temporary failure is retried within the run, some seconds:
		// one such case is enough here.)
		{"busy greeting", fakesmtp.Behaviour{GreetCode: 421}},
		{"MAIL refused", fakesmtp.Behaviour{MailCode: 550}},
		{"one recipient refused", fakesmtp.Behaviour{RejectRcpt: "lead@example.org"}},
		{"dropped at MAIL", fakesmtp.Behaviour{DropAt: "MAIL"}},
		{"dropped at RCPT", fakesmtp.Behaviour{DropAt: "RCPT"}},
		{"dropped at DATA", fakesmtp.Behaviour{DropAt: "DATA"}},
		{"message unanswered", fakesmtp.Behaviour{DropAt: "DOT"}},
		{"message refused", fakesmtp.Behaviour{DataCode: 554}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := fakesmtp.Start(t, tc.b)
			smtp := func(port int) string {
				return fmt.Sprintf("smtp: {host: 127.0.0.1, port: %d, security: none, from: vigie@example.org}\n", port)
			}
			cfg, week, f := crawledProgramme(t, "report: {recipients: [coach@example.org, lead@example.org]}\n"+smtp(bad.Port))
			out := runVigie(t, nil, "report", "--config", cfg, "--week", week, "--out", filepath.Join(f.dir, "out"), "--send")
			if out.code != 3 {
				t.Fatalf("report --send: exit %d, want 3\n%s", out.code, out.stderr)
			}
			if !strings.Contains(out.stderr, "lead@example.org") {
				t.Errorf("stderr does not name the recipient left without the report:\n%s", out.stderr)
			}
			good := fakesmtp.Start(t, fakesmtp.Behaviour{})
			b, err := os.ReadFile(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(cfg, []byte(strings.Replace(string(b), smtp(bad.Port), smtp(good.Port), 1)), 0o600); err != nil {
				t.Fatal(err)
			}
			if out := runVigie(t, nil, "report", "--config", cfg, "--week", week, "--out", filepath.Join(f.dir, "out"), "--send"); out.code != 0 {
				t.Fatalf("report --send through a polite server: exit %d\n%s", out.code, out.stderr)
			}
			for _, r := range recipients {
				if n := bad.Count(r) + good.Count(r); n != 1 {
					t.Errorf("%s received %d copies over both runs, want 1", r, n)
				}
			}
		})
	}
}

// `vigie serve` where the peer is no trusted proxy: whatever it claims in
// X-Forwarded-For, X-Real-IP or Forwarded, its checks draw from one budget
// (ten in a row); spellings of a repository that no forge allows (a %23 or
// %3F in its name) are refused before the budget and the forge.
func TestServeSpoofedVisitors(t *testing.T) {
	cfg, _, _ := crawledProgramme(t, "http: {trusted_proxies: [10.0.0.0/8, \"fd00::/8\"]}\n")
	base, _ := startServe(t, cfg, nil)
	get := func(i int, u string) int {
		req, _ := http.NewRequest("GET", base+"/check?url="+url.QueryEscape(u), nil)
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d, 10.0.0.1", i+1))
		req.Header.Set("X-Real-IP", fmt.Sprintf("2001:db8:%x::1", i+1))
		req.Header.Set("Forwarded", fmt.Sprintf("for=198.51.100.%d", i+1))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for i, u := range []string{"https://github.com/eig/healthy%23", "https://github.com/eig/healthy%3Fx=1", "https://github.com/eig/healthy%20"} {
		if code := get(i, u); code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", u, code)
		}
	}
	// (Had they taken from the budget, fewer than ten checks would pass.)
	for i := range 11 {
		code := get(i, fmt.Sprintf("https://github.com/eig/nope-%d", i))
		if want := map[bool]int{true: http.StatusOK, false: http.StatusTooManyRequests}[i < 10]; code != want {
			t.Errorf("check %d from a peer claiming another address each time: %d, want %d", i+1, code, want)
		}
	}
}
