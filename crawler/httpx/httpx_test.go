package httpx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock stands in for time: sleeping advances it at once, so waits of an
// hour run instantly and the tests can assert how long the transport would
// have waited.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.t = c.t.Add(d)
	return nil
}

func (c *fakeClock) total() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var s time.Duration
	for _, d := range c.sleeps {
		s += d
	}
	return s
}

// recorder is an Observer that keeps what it is told.
type recorder struct {
	mu        sync.Mutex
	codes     []int
	remaining []int
}

func (r *recorder) Request(forge string, code int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.codes = append(r.codes, code)
}

func (r *recorder) RateLimit(forge string, remaining int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.remaining = append(r.remaining, remaining)
}

// newTestTransport builds a transport for srv with a fake clock and a
// deterministic backoff (always the ceiling, so sleeps are predictable).
func newTestTransport(t *testing.T, srv *httptest.Server, o Options) (*Transport, *fakeClock) {
	t.Helper()
	u, _ := url.Parse(srv.URL)
	if o.AllowedHosts == nil {
		o.AllowedHosts = []string{u.Host}
	}
	if o.Forge == "" {
		o.Forge = "test"
	}
	if o.Kind == "" {
		o.Kind = KindGitHub
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	tr := NewTransport(o)
	clk := &fakeClock{t: time.Now()}
	tr.now = clk.now
	tr.sleep = clk.sleep
	tr.jit = func(n int64) int64 { return n - 1 }
	return tr, clk
}

// script answers the i-th request with steps[i] (the last one repeats).
type step struct {
	code   int
	header map[string]string
	body   string
	hangup bool // close the connection without answering
}

type scripted struct {
	mu     sync.Mutex
	steps  []step
	n      int
	bodies []string
	auth   []string
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	st := s.steps[min(s.n, len(s.steps)-1)]
	s.n++
	s.bodies = append(s.bodies, string(b))
	s.auth = append(s.auth, r.Header.Get("Authorization")+r.Header.Get("PRIVATE-TOKEN"))
	s.mu.Unlock()
	if st.hangup {
		c, _, _ := w.(http.Hijacker).Hijack()
		c.Close()
		return
	}
	for k, v := range st.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(st.code)
	io.WriteString(w, st.body)
}

func (s *scripted) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func TestRetries(t *testing.T) {
	httpDate := time.Now().Add(7 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		name       string
		kind       string
		method     string
		path       string
		body       string
		maxRetries int
		steps      []step
		wantCode   int
		wantErr    bool
		wantCalls  int
		wantSleeps []time.Duration // backoff ceilings (base 100ms) or Retry-After
	}{
		{name: "503 then 200", method: "GET", steps: []step{{code: 503}, {code: 200, body: "ok"}},
			wantCode: 200, wantCalls: 2, wantSleeps: []time.Duration{100*time.Millisecond - 1}},
		{name: "5xx backoff doubles then gives up", method: "GET", maxRetries: 2, steps: []step{{code: 502}},
			wantCode: 502, wantCalls: 3, wantSleeps: []time.Duration{100*time.Millisecond - 1, 200*time.Millisecond - 1}},
		{name: "network error then 200", method: "GET", steps: []step{{hangup: true}, {code: 200}},
			wantCode: 200, wantCalls: 2, wantSleeps: []time.Duration{100*time.Millisecond - 1}},
		{name: "network errors only", method: "GET", maxRetries: 1, steps: []step{{hangup: true}},
			wantErr: true, wantCalls: 2, wantSleeps: []time.Duration{100*time.Millisecond - 1}},
		{name: "404 is an answer", method: "GET", steps: []step{{code: 404}}, wantCode: 404, wantCalls: 1},
		{name: "501 is not retried", method: "GET", steps: []step{{code: 501}}, wantCode: 501, wantCalls: 1},
		{name: "plain 403 is an answer", method: "GET", steps: []step{{code: 403, body: `{"message":"Must have admin rights"}`}},
			wantCode: 403, wantCalls: 1},
		{name: "POST is not repeated", method: "POST", path: "/repos/o/r/issues", body: "{}", steps: []step{{code: 503}, {code: 201}},
			wantCode: 503, wantCalls: 1},
		{name: "GraphQL POST is repeated with its body", method: "POST", path: "/graphql", body: `{"query":"{viewer{login}}"}`,
			steps: []step{{code: 502}, {code: 200}}, wantCode: 200, wantCalls: 2, wantSleeps: []time.Duration{100*time.Millisecond - 1}},
		{name: "GitLab GraphQL POST is repeated", kind: KindGitLab, method: "POST", path: "/api/graphql", body: `{"query":"{x}"}`,
			steps: []step{{code: 503}, {code: 200}}, wantCode: 200, wantCalls: 2, wantSleeps: []time.Duration{100*time.Millisecond - 1}},
		{name: "GitLab POST elsewhere is not", kind: KindGitLab, method: "POST", path: "/api/v4/projects", body: `{}`,
			steps: []step{{code: 503}, {code: 201}}, wantCode: 503, wantCalls: 1},
		{name: "429 Retry-After seconds", method: "GET", steps: []step{{code: 429, header: map[string]string{"Retry-After": "3"}}, {code: 200}},
			wantCode: 200, wantCalls: 2, wantSleeps: []time.Duration{3 * time.Second}},
		{name: "429 without Retry-After backs off", method: "GET", steps: []step{{code: 429}, {code: 200}},
			wantCode: 200, wantCalls: 2, wantSleeps: []time.Duration{200*time.Millisecond - 1}},
		{name: "secondary limit by message", method: "GET",
			steps:    []step{{code: 403, body: `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}`}, {code: 200}},
			wantCode: 200, wantCalls: 2, wantSleeps: []time.Duration{200*time.Millisecond - 1}},
		{name: "secondary limit Retry-After date", method: "GET",
			steps:    []step{{code: 403, header: map[string]string{"Retry-After": httpDate}}, {code: 200}},
			wantCode: 200, wantCalls: 2},
		{name: "503 Retry-After", method: "GET", steps: []step{{code: 503, header: map[string]string{"Retry-After": "2"}}, {code: 200}},
			wantCode: 200, wantCalls: 2, wantSleeps: []time.Duration{2 * time.Second}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &scripted{steps: tc.steps}
			srv := httptest.NewServer(s)
			defer srv.Close()
			tr, clk := newTestTransport(t, srv, Options{Kind: tc.kind, MaxRetries: tc.maxRetries, BackoffBase: 100 * time.Millisecond})
			path := tc.path
			if path == "" {
				path = "/repos/o/r"
			}
			req, _ := http.NewRequest(tc.method, srv.URL+path, strings.NewReader(tc.body))
			if tc.body == "" {
				req.Body = http.NoBody
			}
			resp, err := tr.Client().Do(req)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("got %d, want an error", resp.StatusCode)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != tc.wantCode {
					t.Errorf("code %d, want %d", resp.StatusCode, tc.wantCode)
				}
				resp.Body.Close()
			}
			if got := s.count(); got != tc.wantCalls {
				t.Errorf("%d calls, want %d", got, tc.wantCalls)
			}
			if tc.wantSleeps != nil && fmt.Sprint(clk.sleeps) != fmt.Sprint(tc.wantSleeps) {
				t.Errorf("sleeps %v, want %v", clk.sleeps, tc.wantSleeps)
			}
			if tc.name == "secondary limit Retry-After date" && (clk.total() < 5*time.Second || clk.total() > 8*time.Second) {
				t.Errorf("waited %v, want about 7s", clk.total())
			}
			for i, b := range s.bodies {
				if b != tc.body {
					t.Errorf("attempt %d sent body %q, want %q", i, b, tc.body)
				}
			}
			if st := tr.Stats(); st.Requests != int64(tc.wantCalls) || st.Retries != int64(tc.wantCalls-1) {
				t.Errorf("stats %+v, want %d requests and %d retries", st, tc.wantCalls, tc.wantCalls-1)
			}
		})
	}
}

// limitHeaders renders a primary limit's headers as the forge would.
func limitHeaders(kind string, remaining int, resetIn time.Duration) map[string]string {
	p := "X-RateLimit-"
	if kind == KindGitLab {
		p = "RateLimit-"
	}
	return map[string]string{
		p + "Limit":     "5000",
		p + "Remaining": strconv.Itoa(remaining),
		p + "Reset":     strconv.FormatInt(time.Now().Add(resetIn).Unix(), 10),
	}
}

func TestPrimaryLimitWaitsForReset(t *testing.T) {
	tests := []struct {
		name     string
		kind     string
		code     int
		resource string // X-RateLimit-Resource of the refusal
	}{
		{"github 403", KindGitHub, 403, ""},
		{"github 429", KindGitHub, 429, ""},
		{"gitlab 429", KindGitLab, 429, ""},
		// The forge's word on the quota wins over the path's.
		{"github 403 on another resource", KindGitHub, 403, "code_search"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			refusal := limitHeaders(tc.kind, 0, 30*time.Second)
			if tc.resource != "" {
				refusal["X-RateLimit-Resource"] = tc.resource
			}
			s := &scripted{steps: []step{
				{code: tc.code, header: refusal, body: `{"message":"API rate limit exceeded"}`},
				{code: 200, header: limitHeaders(tc.kind, 4999, time.Hour)},
			}}
			srv := httptest.NewServer(s)
			defer srv.Close()
			var logs bytes.Buffer
			obs := &recorder{}
			tr, clk := newTestTransport(t, srv, Options{Kind: tc.kind, Tokens: []string{"t0ken"}, Observer: obs,
				Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			resp, err := tr.Client().Get(srv.URL + "/projects/1")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 || s.count() != 2 {
				t.Fatalf("code %d after %d calls, want 200 after 2", resp.StatusCode, s.count())
			}
			// 30s to the reset (±1s of header granularity) plus the margin.
			if w := clk.total(); w < 29*time.Second || w > 33*time.Second {
				t.Errorf("waited %v, want about 31s", w)
			}
			if n := strings.Count(logs.String(), "rate limited, waiting"); n != 1 {
				t.Errorf("logged the wait %d times, want once:\n%s", n, logs.String())
			}
			if st := tr.Stats(); st.Waits != 1 || st.RateLimited != 1 {
				t.Errorf("stats %+v, want 1 wait and 1 rate-limited answer", st)
			}
			if fmt.Sprint(obs.codes) != fmt.Sprint([]int{tc.code, 200}) || fmt.Sprint(obs.remaining) != "[0 4999]" {
				t.Errorf("observed codes %v remaining %v", obs.codes, obs.remaining)
			}
		})
	}
}

// Many requests meeting the same exhausted window log one wait.
func TestWaitLoggedOnce(t *testing.T) {
	const n = 6
	release := make(chan struct{})
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		first := calls <= n
		mu.Unlock()
		if first {
			<-release // every request is in flight before any answer
			for k, v := range limitHeaders(KindGitLab, 0, 20*time.Second) {
				w.Header().Set(k, v)
			}
			w.WriteHeader(429)
		}
	}))
	defer srv.Close()
	var logs syncBuffer
	tr, _ := newTestTransport(t, srv, Options{Kind: KindGitLab, Concurrency: n,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	// A wait gives up at once: every request meets the window and decides
	// whether to log it.
	tr.sleep = func(ctx context.Context, d time.Duration) error { return context.Canceled }
	// A clock creeping a millisecond per reading, as answers arriving
	// one after the other see it.
	start := time.Now()
	var ticks atomic.Int64
	tr.now = func() time.Time { return start.Add(time.Duration(ticks.Add(1)) * time.Millisecond) }
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/x", nil)
			if resp, err := tr.RoundTrip(req); err == nil {
				resp.Body.Close()
			}
		}()
	}
	for {
		mu.Lock()
		c := calls
		mu.Unlock()
		if c == n {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	if got := strings.Count(logs.String(), "rate limited, waiting"); got != 1 {
		t.Errorf("logged %d waits, want 1:\n%s", got, logs.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestTokensInTurnAndSwitchWhenExhausted(t *testing.T) {
	var mu sync.Mutex
	var used []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := r.Header.Get("Authorization")
		mu.Lock()
		used = append(used, a)
		mu.Unlock()
		if a == "Bearer dry" {
			for k, v := range limitHeaders(KindGitHub, 0, time.Hour) {
				w.Header().Set(k, v)
			}
			w.WriteHeader(403)
			return
		}
		for k, v := range limitHeaders(KindGitHub, 4000, time.Hour) {
			w.Header().Set(k, v)
		}
	}))
	defer srv.Close()
	tr, clk := newTestTransport(t, srv, Options{Tokens: []string{"dry", "wet"}})
	c := tr.Client()
	for i := 0; i < 3; i++ {
		resp, err := c.Get(srv.URL + "/repos/o/r")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: %d", i, resp.StatusCode)
		}
	}
	want := []string{"Bearer dry", "Bearer wet", "Bearer wet", "Bearer wet"}
	if fmt.Sprint(used) != fmt.Sprint(want) {
		t.Errorf("tokens used %v, want %v", used, want)
	}
	if clk.total() != 0 {
		t.Errorf("waited %v with a token left", clk.total())
	}

	// Without any limit the tokens take turns.
	used = nil
	tr2, _ := newTestTransport(t, srv, Options{Tokens: []string{"a", "b", "c"}})
	for i := 0; i < 4; i++ {
		resp, err := tr2.Client().Get(srv.URL + "/x")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if want := "[Bearer a Bearer b Bearer c Bearer a]"; fmt.Sprint(used) != want {
		t.Errorf("tokens used %v, want %v", used, want)
	}
}

// The gauge shows the quota closest to running dry, summed over tokens.
func TestRateLimitGauge(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rem := map[string]string{"Bearer a": "300", "Bearer b": "200"}[r.Header.Get("Authorization")]
		res := "core"
		if r.URL.Path == "/graphql" {
			res = "graphql"
			rem = "40"
		}
		w.Header().Set("X-RateLimit-Remaining", rem)
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Resource", res)
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
	}))
	defer srv.Close()
	obs := &recorder{}
	tr, _ := newTestTransport(t, srv, Options{Tokens: []string{"a", "b"}, Observer: obs})
	for _, step := range []struct{ method, path string }{{"GET", "/x"}, {"GET", "/x"}, {"POST", "/graphql"}} {
		req, _ := http.NewRequest(step.method, srv.URL+step.path, strings.NewReader("{}"))
		resp, err := tr.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	// Token a alone (300), then a and b (500), then GraphQL's 40 is lower.
	if got := fmt.Sprint(obs.remaining); got != "[300 500 40]" {
		t.Errorf("gauge values %s, want [300 500 40]", got)
	}
}

func TestAuthHeader(t *testing.T) {
	tests := []struct {
		kind, callerHeader, callerValue string
		tokens                          []string
		want                            string
	}{
		{KindGitHub, "", "", []string{"gh"}, "Bearer gh"},
		{KindGitLab, "", "", []string{"gl"}, "gl"},
		{KindGitHub, "Authorization", "Bearer own", []string{"gh"}, "Bearer gh"},
		{KindGitLab, "PRIVATE-TOKEN", "own", nil, "own"},
		{KindGitHub, "", "", nil, ""},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.kind, tc.tokens, tc.callerValue), func(t *testing.T) {
			s := &scripted{steps: []step{{code: 200}}}
			srv := httptest.NewServer(s)
			defer srv.Close()
			tr, _ := newTestTransport(t, srv, Options{Kind: tc.kind, Tokens: tc.tokens})
			req, _ := http.NewRequest("GET", srv.URL+"/x", nil)
			if tc.callerHeader != "" {
				req.Header.Set(tc.callerHeader, tc.callerValue)
			}
			resp, err := tr.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if s.auth[0] != tc.want {
				t.Errorf("forge saw %q, want %q", s.auth[0], tc.want)
			}
		})
	}
}

func TestRefusesOtherHosts(t *testing.T) {
	other := &scripted{steps: []step{{code: 200}}}
	otherSrv := httptest.NewServer(other)
	defer otherSrv.Close()
	forge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherSrv.URL+"/stolen", http.StatusMovedPermanently)
	}))
	defer forge.Close()
	tr, _ := newTestTransport(t, forge, Options{Tokens: []string{"s3cret-token"}})
	c := tr.Client()

	for _, u := range []string{otherSrv.URL + "/direct", forge.URL + "/redirected", "file:///etc/passwd"} {
		resp, err := c.Get(u)
		if err == nil {
			resp.Body.Close()
			t.Errorf("GET %s: got %d, want an error", u, resp.StatusCode)
			continue
		}
		if !strings.Contains(err.Error(), "refus") {
			t.Errorf("GET %s: error %q does not say it refused", u, err)
		}
	}
	if other.count() != 0 {
		t.Errorf("the other host was called %d times", other.count())
	}
	// The transport refuses too, for clients built without our CheckRedirect.
	req, _ := http.NewRequest("GET", otherSrv.URL, nil)
	if _, err := tr.RoundTrip(req); err == nil || other.count() != 0 {
		t.Errorf("RoundTrip to another host: err %v, calls %d", err, other.count())
	}
}

func TestDefaultAllowedHosts(t *testing.T) {
	tests := []struct {
		kind, url string
		ok        bool
	}{
		{KindGitHub, "https://api.github.com/repos/o/r", true},
		{KindGitHub, "https://api.github.com:443/repos/o/r", true},
		{KindGitHub, "https://github.com/o/r", false},
		{KindGitLab, "https://gitlab.com/api/v4/projects/1", true},
		{KindGitLab, "https://evil.example/api/v4/projects/1", false},
		{KindGitLab, "http://gitlab.com:8080/", false},
	}
	for _, tc := range tests {
		tr := NewTransport(Options{Kind: tc.kind, Forge: "f"})
		u, _ := url.Parse(tc.url)
		if err := tr.checkHost(u); (err == nil) != tc.ok {
			t.Errorf("%s %s: err %v, want ok=%v", tc.kind, tc.url, err, tc.ok)
		}
	}
	if got := HostsFor("https://GHE.example/api/v3", "", "https://ghe.example/api/graphql", "http://127.0.0.1:8080"); fmt.Sprint(got) != "[ghe.example ghe.example 127.0.0.1:8080]" {
		t.Errorf("HostsFor = %v", got)
	}
}

func TestTokenNeverLeaks(t *testing.T) {
	const token = "ghp_SuperSecretToken123"
	// A listener closed at once: every attempt fails at the network level.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &scripted{steps: []step{{code: 500, body: `{"message":"boom"}`}}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	srvHost := strings.TrimPrefix(srv.URL, "http://")

	for _, kind := range []string{KindGitHub, KindGitLab} {
		var logs bytes.Buffer
		tr, _ := newTestTransport(t, srv, Options{Kind: kind, Tokens: []string{token}, MaxRetries: 2,
			AllowedHosts: []string{addr, srvHost},
			Logger:       slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
		c := tr.Client()
		if _, err := c.Get("http://" + addr + "/repos/o/r"); err == nil || strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), addr) {
			t.Errorf("%s: client error %v: want one naming the URL, without the token", kind, err)
		}
		// A token put in the URL by a careless caller: http.Client quotes
		// the URL as given in its own error, but the transport's part of
		// the message (and its logs) never show it.
		for _, u := range []string{"http://" + addr + "/repos/o/r?access_token=" + token, "http://" + addr + "/x/" + token} {
			req, _ := http.NewRequest("GET", u, nil)
			_, err := tr.RoundTrip(req)
			if err == nil {
				t.Fatalf("%s: GET %s succeeded", kind, u)
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("%s: error leaks the token: %v", kind, err)
			}
			if !strings.Contains(err.Error(), addr) {
				t.Errorf("%s: error %q does not name the URL", kind, err)
			}
		}
		resp, err := c.Get(srv.URL + "/repos/o/r?private_token=" + token)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if !strings.Contains(logs.String(), "retrying") {
			t.Errorf("%s: no retry logged, the test would not see a leak:\n%s", kind, logs.String())
		}
		if strings.Contains(logs.String(), token) {
			t.Errorf("%s: logs leak the token:\n%s", kind, logs.String())
		}
	}
}

func TestETagCache(t *testing.T) {
	var mu sync.Mutex
	var inm []string
	version := "v1"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inm = append(inm, r.Header.Get("If-None-Match"))
		v := version
		mu.Unlock()
		if r.URL.Path == "/broken" {
			w.Header().Set("ETag", `"err"`)
			w.WriteHeader(500)
			return
		}
		etag := `"` + v + r.Header.Get("Authorization") + `"`
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"version":%q}`, v)
	}))
	defer srv.Close()
	cache := NewMemCache()
	tr, _ := newTestTransport(t, srv, Options{Cache: cache, MaxRetries: -1})
	get := func(path string) (int, string, string) {
		t.Helper()
		resp, err := tr.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header.Get(CacheHeader)
	}
	steps := []struct {
		path, change      string
		wantCode          int
		wantBody, wantHit string
		wantINM           string
	}{
		{path: "/r", wantCode: 200, wantBody: `{"version":"v1"}`, wantINM: ""},
		{path: "/r", wantCode: 200, wantBody: `{"version":"v1"}`, wantHit: "hit", wantINM: `"v1"`},
		{path: "/r", change: "v2", wantCode: 200, wantBody: `{"version":"v2"}`, wantINM: `"v1"`},
		{path: "/r", wantCode: 200, wantBody: `{"version":"v2"}`, wantHit: "hit", wantINM: `"v2"`},
		{path: "/broken", wantCode: 500, wantINM: ""},
		{path: "/broken", wantCode: 500, wantINM: ""},
	}
	for i, s := range steps {
		if s.change != "" {
			mu.Lock()
			version = s.change
			mu.Unlock()
		}
		code, body, hit := get(s.path)
		if code != s.wantCode || body != s.wantBody || hit != s.wantHit {
			t.Errorf("step %d: got %d %q hit=%q, want %d %q hit=%q", i, code, body, hit, s.wantCode, s.wantBody, s.wantHit)
		}
		if inm[len(inm)-1] != s.wantINM {
			t.Errorf("step %d: sent If-None-Match %q, want %q", i, inm[len(inm)-1], s.wantINM)
		}
	}
	if st := tr.Stats(); st.NotModified != 2 {
		t.Errorf("NotModified = %d, want 2", st.NotModified)
	}
	if cache.Len() != 1 {
		t.Errorf("cache has %d entries, want 1 (errors are not cached)", cache.Len())
	}

	// ETags differ per token (the fake's includes the Authorization
	// header): the anonymous entry is no use with tokens, and a cached URL
	// is asked again with the token its ETag was issued to, though the
	// tokens otherwise take turns.
	tr2, _ := newTestTransport(t, srv, Options{Cache: cache, Tokens: []string{"a", "b"}})
	for i := 0; i < 4; i++ {
		resp, err := tr2.Client().Get(srv.URL + "/r")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if hit := resp.Header.Get(CacheHeader); (hit == "hit") != (i >= 1) {
			t.Errorf("token request %d: hit=%q", i, hit)
		}
	}
	if cache.Len() != 1 {
		t.Errorf("cache has %d entries, want 1: one per URL, whichever token", cache.Len())
	}
}

func TestStoredETag(t *testing.T) {
	tests := []struct {
		v    string
		tok  int
		etag string
		ok   bool
	}{
		{storedETag(0, `W/"abc"`), 0, `W/"abc"`, true},
		{storedETag(-1, `"x:y"`), -1, `"x:y"`, true},
		{`"abc"`, 0, "", false}, // written by something else
		{"t:abc", 0, "", false},
		{"t3:", 0, "", false},
		{"", 0, "", false},
	}
	for _, tc := range tests {
		tok, etag, ok := parseStoredETag(tc.v)
		if tok != tc.tok || etag != tc.etag || ok != tc.ok {
			t.Errorf("parseStoredETag(%q) = %d %q %v", tc.v, tok, etag, ok)
		}
	}
}

func TestPacing(t *testing.T) {
	tests := []struct {
		name      string
		limit     int
		remaining int
		resetIn   time.Duration
		want      time.Duration
	}{
		{"plenty left", 5000, 4000, time.Hour, 0},
		{"at a fifth", 5000, 1000, time.Hour, 0},
		{"below a fifth", 5000, 900, time.Hour, 4 * time.Second},
		{"nearly dry", 5000, 10, 10 * time.Minute, time.Minute},
		{"limit unknown, under 100", 0, 50, 100 * time.Second, 2 * time.Second},
		{"window over", 5000, 10, -time.Second, 0},
		{"anonymous GitHub, nearly dry", 60, 10, time.Hour, 0},
		{"smallest paced quota", 100, 10, 100 * time.Second, 10 * time.Second},
	}
	now := time.Now()
	for _, tc := range tests {
		b := &bucket{known: true, limit: tc.limit, remaining: tc.remaining, reset: now.Add(tc.resetIn)}
		if got := b.interval(now); got != tc.want {
			t.Errorf("%s: interval %v, want %v", tc.name, got, tc.want)
		}
	}

	// Through the transport: the forge says 10 of 100 are left for 100s;
	// the requests that follow are spaced out, each further than the last.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "100")
		w.Header().Set("X-RateLimit-Remaining", "10")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(100*time.Second).Unix(), 10))
	}))
	defer srv.Close()
	tr, clk := newTestTransport(t, srv, Options{})
	for i := 0; i < 5; i++ {
		resp, err := tr.Client().Get(srv.URL + "/x")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if len(clk.sleeps) < 3 {
		t.Fatalf("paced %d times (%v), want at least 3", len(clk.sleeps), clk.sleeps)
	}
	for i, d := range clk.sleeps {
		if d < 5*time.Second || d > 20*time.Second {
			t.Errorf("pacing sleep %d = %v, want between 5s and 20s", i, d)
		}
	}
	if tr.Stats().Paced == 0 {
		t.Error("Paced not counted")
	}

	// A request whose deadline falls before its paced start fails at once.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/x", nil)
	before := len(clk.sleeps)
	var rl *RateLimitError
	if _, err := tr.Client().Do(req); !errors.As(err, &rl) || len(clk.sleeps) != before {
		t.Errorf("paced past the deadline: err %v, slept %v", err, clk.sleeps[before:])
	}
}

func TestWaitBoundedByContext(t *testing.T) {
	s := &scripted{steps: []step{{code: 403, header: limitHeaders(KindGitHub, 0, time.Hour)}}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	tr, clk := newTestTransport(t, srv, Options{Tokens: []string{"x"}})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/x", nil)
	_, err := tr.Client().Do(req)
	var rl *RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("err %v, want a RateLimitError", err)
	}
	if clk.total() != 0 || s.count() != 1 {
		t.Errorf("waited %v and called %d times before giving up", clk.total(), s.count())
	}
	// The next request does not even call the forge.
	req, _ = http.NewRequestWithContext(ctx, "GET", srv.URL+"/y", nil)
	if _, err := tr.Client().Do(req); !errors.As(err, &rl) || s.count() != 1 {
		t.Errorf("second request: err %v, calls %d", err, s.count())
	}
	// MaxWait bounds it too, without a deadline.
	tr2, _ := newTestTransport(t, srv, Options{MaxWait: time.Minute})
	_, err = tr2.Client().Get(srv.URL + "/x")
	if !errors.As(err, &rl) {
		t.Errorf("MaxWait: err %v, want a RateLimitError", err)
	}
	// The error names the forge once.
	if err != nil && strings.Count(err.Error(), "test:") != 1 {
		t.Errorf("error %q does not name the forge once", err)
	}
}

func TestParseHeaders(t *testing.T) {
	now := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	date := now.Add(-time.Hour).Format(http.TimeFormat) // the forge's clock is an hour late
	tests := []struct {
		name    string
		kind    string
		h       map[string]string
		known   bool
		rem     int
		resetIn time.Duration
		res     string
	}{
		{"github", KindGitHub, map[string]string{"X-RateLimit-Remaining": "12", "X-RateLimit-Limit": "60",
			"X-RateLimit-Reset": strconv.FormatInt(now.Add(-time.Hour+90*time.Second).Unix(), 10), "Date": date, "X-RateLimit-Resource": "graphql"},
			true, 12, 90 * time.Second, "graphql"},
		{"gitlab", KindGitLab, map[string]string{"RateLimit-Remaining": "0", "RateLimit-Reset": strconv.FormatInt(now.Add(20*time.Second).Unix(), 10)},
			true, 0, 20 * time.Second, ""},
		{"gitlab without reset", KindGitLab, map[string]string{"RateLimit-Remaining": "3"}, true, 3, time.Minute, ""},
		{"none", KindGitHub, map[string]string{"X-RateLimit-Remaining": "many"}, false, 0, 0, ""},
	}
	for _, tc := range tests {
		h := http.Header{}
		for k, v := range tc.h {
			h.Set(k, v)
		}
		info := parseLimit(tc.kind, h, now)
		if info.known != tc.known || info.remaining != tc.rem || info.resource != tc.res {
			t.Errorf("%s: %+v", tc.name, info)
		}
		if tc.known && info.reset.Sub(now) != tc.resetIn {
			t.Errorf("%s: reset in %v, want %v", tc.name, info.reset.Sub(now), tc.resetIn)
		}
	}
	ra := []struct {
		v    string
		ok   bool
		want time.Duration
	}{
		{"120", true, 2 * time.Minute},
		{now.Add(30 * time.Second).Format(http.TimeFormat), true, 30 * time.Second},
		{now.Add(-30 * time.Second).Format(http.TimeFormat), true, 0},
		{"", false, 0},
		{"soon", false, 0},
	}
	for _, tc := range ra {
		d, ok := parseRetryAfter(tc.v, now)
		if ok != tc.ok || d != tc.want {
			t.Errorf("Retry-After %q: %v %v", tc.v, d, ok)
		}
	}
}

func TestConcurrencyLimit(t *testing.T) {
	var mu sync.Mutex
	inFlight, peak := 0, 0
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inFlight++
		peak = max(peak, inFlight)
		mu.Unlock()
		<-release
		mu.Lock()
		inFlight--
		mu.Unlock()
	}))
	defer srv.Close()
	tr, _ := newTestTransport(t, srv, Options{Concurrency: 3})
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := tr.Client().Get(srv.URL + "/x")
			if err == nil {
				resp.Body.Close()
			}
		}()
	}
	// Wait until the limit is reached (more would show in peak), then
	// release them all.
	for {
		mu.Lock()
		n := inFlight
		mu.Unlock()
		if n >= 3 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	if peak != 3 {
		t.Errorf("peak in flight %d, want 3", peak)
	}
}

// BenchmarkCacheHit measures one revalidated GET answered from the cache.
func BenchmarkCacheHit(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 4096)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"e"` {
			w.WriteHeader(304)
			return
		}
		w.Header().Set("ETag", `"e"`)
		w.Write(body)
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	c := NewClient(Options{Forge: "b", AllowedHosts: []string{u.Host}, Cache: NewMemCache(), Tokens: []string{"t"}})
	for b.Loop() {
		resp, err := c.Get(srv.URL + "/x")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// TestCacheable: an answer Cacheable refuses is not cached, and takes the older
// entry of its URL out with it: a repository made private keeps nothing in
// the cache, and its former ETag is not sent again.
func TestCacheable(t *testing.T) {
	var mu sync.Mutex
	private := false
	var inm []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		p := private
		inm = append(inm, r.Header.Get("If-None-Match"))
		mu.Unlock()
		body := fmt.Sprintf(`{"full_name":"o/r","private":%v,"description":"d"}`, p)
		etag := fmt.Sprintf(`"%v"`, p)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	defer srv.Close()
	cache := NewMemCache()
	keep := func(b []byte) bool { return !strings.Contains(string(b), `"private":true`) }
	tr, _ := newTestTransport(t, srv, Options{Cache: cache, MaxRetries: -1, Cacheable: keep})
	get := func() string {
		t.Helper()
		resp, err := tr.Client().Get(srv.URL + "/repos/o/r")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	get()
	get()
	mu.Lock()
	private = true
	mu.Unlock()
	for i := 0; i < 2; i++ {
		if b := get(); !strings.Contains(b, `"private":true`) {
			t.Fatalf("answer %q", b)
		}
	}
	want := []string{"", `"false"`, `"false"`, ""}
	if strings.Join(inm, " ") != strings.Join(want, " ") {
		t.Errorf("If-None-Match sent %q, want %q", inm, want)
	}
	for k := range cache.m {
		if et, body, _ := cache.CacheGet(context.Background(), k); et != "" || len(body) != 0 {
			t.Errorf("cache holds %q %q for %s", et, body, k)
		}
	}
}
