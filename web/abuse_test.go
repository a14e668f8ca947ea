package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/eiglink/vigie/internal/readertest"
	"github.com/eiglink/vigie/store/memstore"
	"github.com/eiglink/vigie/web"
)

// request runs one GET from peer (host:port) with the given extra headers.
func request(t *testing.T, h http.Handler, path, peer string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.RemoteAddr = peer
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func checkPath(u string) string { return "/check?url=" + url.QueryEscape(u) }

// Many addresses together cannot spend more than the instance's budget of
// checks, and each new check of the budget is one call to the checker.
func TestCheckGlobalBudget(t *testing.T) {
	ck := &fakeChecker{}
	srv, err := web.New(web.Options{
		Config: readertest.Config(), Store: memstore.New(), Checker: ck, Now: func() time.Time { return now },
		CheckRate: rate.Every(time.Hour), CheckBurst: 10,
		CheckGlobalRate: rate.Every(time.Hour), CheckGlobalBurst: 5,
	})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	var ok, refused int
	for i := range 30 { // thirty addresses, one check each
		rec := request(t, h, checkPath(fmt.Sprintf("https://github.com/o/r%d", i)), fmt.Sprintf("198.51.100.%d:4000", i+1), nil)
		switch rec.Code {
		case 200:
			ok++
		case http.StatusTooManyRequests:
			refused++
			if rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "réservé au suivi du programme") {
				t.Errorf("instance budget refusal lacks Retry-After or its explanation")
			}
		default:
			t.Fatalf("check %d = %d", i, rec.Code)
		}
	}
	if ok != 5 || refused != 25 || ck.count() != 5 {
		t.Errorf("%d checks run, %d refused, %d reached the checker; want 5, 25, 5", ok, refused, ck.count())
	}
	// A cached result costs no budget: it is still served.
	if rec := request(t, h, checkPath("https://github.com/o/r0"), "203.0.113.9:1", nil); rec.Code != 200 {
		t.Errorf("cached check after the budget ran out = %d", rec.Code)
	}
}

// The cache is keyed on the repository, not on the URL as typed.
func TestCheckCacheKeyIsCanonical(t *testing.T) {
	e := newEnv(t, false)
	for _, u := range []string{
		"https://github.com/Some/Repo",
		"https://GITHUB.com/some/repo.git",
		"github.com/SOME/REPO/",
		"https://www.github.com/some/Repo/tree/main/src",
		"git@github.com:some/repo.git",
	} {
		if code, _, body := e.get(t, checkPath(u)); code != 200 {
			t.Fatalf("check %s = %d\n%s", u, code, body)
		}
	}
	if e.ck.count() != 1 {
		t.Errorf("five spellings of one repository ran %d checks, want 1: %v", e.ck.count(), e.ck.calls)
	}
}

// Owners and names longer than the forges allow are refused with a short
// page that does not repeat them, before the checker or the budget.
func TestCheckPathBounds(t *testing.T) {
	e := newEnv(t, false)
	tests := []struct {
		name, url string
		want      string
	}{
		{"github owner", "https://github.com/" + strings.Repeat("o", 40) + "/name", "plus longue que ce que la forge permet"},
		{"github name", "https://github.com/owner/" + strings.Repeat("n", 101), "plus longue que ce que la forge permet"},
		{"gitlab segment", "https://gitlab.com/g/" + strings.Repeat("s", 256) + "/p", "plus longue que ce que la forge permet"},
		{"gitlab depth", "https://gitlab.com/" + strings.Repeat("g/", 25) + "p", "plus longue que ce que la forge permet"},
		{"900 KB owner", "https://github.com/" + strings.Repeat("x", 900_000) + "/name", "aucun dépôt n&#39;a une adresse aussi longue"},
		{"organisation", "https://github.com/owner", "ne désigne pas un dépôt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, body := e.get(t, checkPath(tt.url))
			if code != 400 || !strings.Contains(body, tt.want) {
				t.Errorf("= %d, want 400 with %q", code, tt.want)
			}
			if len(body) > 20_000 {
				t.Errorf("the refusal page is %d bytes: it repeats the URL", len(body))
			}
		})
	}
	if e.ck.count() != 0 {
		t.Errorf("the checker ran %d times", e.ck.count())
	}
	ok := "https://github.com/" + strings.Repeat("o", 39) + "/" + strings.Repeat("n", 100)
	if code, _, _ := e.get(t, checkPath(ok)); code != 200 {
		t.Errorf("the longest GitHub path = %d, want 200", code)
	}
}

// The per-client budget: X-Forwarded-For is believed only from a trusted
// proxy, and IPv6 clients share their /64.
func TestCheckClientKey(t *testing.T) {
	tests := []struct {
		name    string
		trusted []netip.Prefix
		peers   []string // one check from each, in turn
		xff     []string // X-Forwarded-For sent with each ("" none)
		want    []int
	}{
		{
			name:  "forged X-Forwarded-For from an untrusted peer is ignored",
			peers: []string{"192.0.2.7:1", "192.0.2.7:2", "192.0.2.7:3"},
			xff:   []string{"10.1.1.1", "10.1.1.2", "10.1.1.3"},
			want:  []int{200, 200, 429},
		},
		{
			name:    "behind a trusted proxy each visitor has a budget",
			trusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
			peers:   []string{"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3", "127.0.0.1:4"},
			xff:     []string{"203.0.113.1", "203.0.113.1", "203.0.113.2", "203.0.113.1"},
			want:    []int{200, 200, 200, 429},
		},
		{
			name:    "entries left of the last untrusted hop are the visitor's own",
			trusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8")},
			peers:   []string{"127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"},
			xff:     []string{"1.1.1.1, 203.0.113.5, 10.0.0.2", "2.2.2.2, 203.0.113.5, 10.0.0.3", "3.3.3.3, 203.0.113.5"},
			want:    []int{200, 200, 429},
		},
		{
			name:  "IPv6 addresses of one /64 share a budget",
			peers: []string{"[2001:db8:1:2::1]:1", "[2001:db8:1:2:ffff::9]:1", "[2001:db8:1:2:abcd::]:1", "[2001:db8:1:3::1]:1"},
			want:  []int{200, 200, 429, 200},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := web.New(web.Options{
				Config: readertest.Config(), Store: memstore.New(), Checker: &fakeChecker{}, Now: func() time.Time { return now },
				CheckRate: rate.Every(time.Hour), CheckBurst: 2, TrustedProxies: tt.trusted,
			})
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range tt.peers {
				hdr := map[string]string{}
				if i < len(tt.xff) && tt.xff[i] != "" {
					hdr["X-Forwarded-For"] = tt.xff[i]
				}
				rec := request(t, srv.Handler(), checkPath(fmt.Sprintf("https://github.com/o/k%d", i)), p, hdr)
				if rec.Code != tt.want[i] {
					t.Errorf("check %d from %s (X-Forwarded-For %q) = %d, want %d", i, p, hdr["X-Forwarded-For"], rec.Code, tt.want[i])
				}
			}
		})
	}
}

// The badge snippet is built on http.public_url, never on the Host header;
// pages say how long they may be kept.
func TestPublicURLAndCaching(t *testing.T) {
	cfg := readertest.Config()
	cfg.HTTP.PublicURL = "https://vigie.example.org"
	e := newEnv(t, true)
	srv, err := web.New(web.Options{Config: cfg, Store: e.st, Checker: &fakeChecker{}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	rec := request(t, srv.Handler(), "/repos/github.com/eig/alpha", "192.0.2.1:1", map[string]string{"Host": "evil.example.net", "X-Forwarded-Host": "evil.example.net", "X-Forwarded-Proto": "http"})
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, "[![Score vigie](https://vigie.example.org/badge/github.com/eig/alpha.svg)](https://vigie.example.org/repos/github.com/eig/alpha)") {
		t.Errorf("repo page = %d without the snippet on public_url", rec.Code)
	}
	if strings.Contains(body, "evil.example.net") {
		t.Error("the Host header reached the page")
	}
	// Without public_url, a spoofed Host reaches nothing either.
	rec = request(t, e.srv.Handler(), "/repos/github.com/eig/alpha", "192.0.2.1:1", map[string]string{"Host": "evil.example.net"})
	if strings.Contains(rec.Body.String(), "evil.example.net") {
		t.Error("the Host header reached the page without public_url")
	}

	tests := []struct{ path, want string }{
		{"/", "no-store"},
		{"/repos/github.com/eig/alpha", "no-store"},
		{"/check", "no-store"},
		{"/check?url=https://github.com/o/cached", "no-store"},
		{"/healthz", "no-store"},
		{"/readyz", "no-store"},
		{"/nowhere", "no-store"},
		{"/api/repos", "no-cache"},
		{"/badge/github.com/eig/alpha.svg", "public, max-age=300"},
		{"/reports/2026-W48.html", "public, max-age=3600"},
		{"/static/vigie.css", "public, max-age=86400"},
	}
	for _, tt := range tests {
		rec := request(t, e.srv.Handler(), tt.path, "192.0.2.2:1", nil)
		if got := rec.Header().Get("Cache-Control"); got != tt.want {
			t.Errorf("%s: Cache-Control %q, want %q", tt.path, got, tt.want)
		}
	}
}

// No route reads a body: one is refused at once, and the connection closed.
func TestBodiesRefused(t *testing.T) {
	e := newEnv(t, false)
	for _, tc := range []struct {
		method string
		body   string
		chunk  bool
	}{{"GET", "x=1", false}, {"POST", strings.Repeat("a", 1000), false}, {"GET", "abc", true}} {
		req := httptest.NewRequest(tc.method, "/check", strings.NewReader(tc.body))
		if tc.chunk {
			req.ContentLength = -1
			req.TransferEncoding = []string{"chunked"}
		}
		rec := httptest.NewRecorder()
		e.srv.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge || rec.Header().Get("Connection") != "close" {
			t.Errorf("%s with a body (chunked %v) = %d, Connection %q", tc.method, tc.chunk, rec.Code, rec.Header().Get("Connection"))
		}
	}
	if code, _, _ := e.get(t, "/healthz"); code != 200 {
		t.Errorf("/healthz without a body = %d", code)
	}
}
