package fakeforge

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// echo answers 200 "ok", 304 on /same, and reports 3 GraphQL points on
// /graphql, as a forge handler would.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/same":
		w.WriteHeader(http.StatusNotModified)
	case "/graphql":
		b, _ := io.ReadAll(r.Body)
		w.Header().Set(PointsHeader, "3")
		fmt.Fprintf(w, `{"data":%q}`, b)
	default:
		io.WriteString(w, "ok")
	}
})

func get(t *testing.T, c *http.Client, method, u, body string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestFaultsCount(t *testing.T) {
	f := WithFaults(echo, FaultOptions{})
	srv := httptest.NewServer(f)
	defer srv.Close()
	c := srv.Client()
	for _, p := range []string{"/a", "/a", "/same", "/b"} {
		get(t, c, "GET", srv.URL+p, "")
	}
	code, _, body := get(t, c, "POST", srv.URL+"/graphql", `{"query":"q"}`)
	if code != 200 || !strings.Contains(body, `\"query\"`) {
		t.Errorf("the handler did not get the body: %d %s", code, body)
	}
	got := f.Counts()
	want := Counts{Total: 5, NotModified: 1, GraphQLPoints: 3,
		ByPath: map[string]int{"GET /a": 2, "GET /same": 1, "GET /b": 1, "POST /graphql": 1}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("counts %+v, want %+v", got, want)
	}
	f.ResetCounts()
	if c := f.Counts(); c.Total != 0 || len(c.ByPath) != 0 {
		t.Errorf("after reset: %+v", c)
	}
}

// failures returns which of the requests failed, asked in order, twice each.
func failures(t *testing.T, o FaultOptions, paths []string) (string, int) {
	f := WithFaults(echo, o)
	srv := httptest.NewServer(f)
	defer srv.Close()
	var sb strings.Builder
	for _, p := range paths {
		for range 2 {
			code, _, _ := get(t, srv.Client(), "GET", srv.URL+p, "")
			switch code {
			case 200:
				sb.WriteByte('.')
			case 502, 503:
				sb.WriteByte('x')
			default:
				t.Fatalf("unexpected %d", code)
			}
		}
	}
	if n := strings.Count(sb.String(), "x"); n != f.Counts().Failed {
		t.Errorf("Failed = %d, saw %d", f.Counts().Failed, n)
	}
	return sb.String(), f.Counts().Failed
}

func TestFaultsFailRate(t *testing.T) {
	var paths []string
	for i := range 500 {
		paths = append(paths, "/repos/o/r"+strconv.Itoa(i))
	}
	tests := []struct {
		name     string
		rate     float64
		min, max int // of 1,000 requests
	}{
		{"none", 0, 0, 0},
		{"ten percent", 0.1, 70, 130},
		{"half", 0.5, 440, 560},
		{"all", 1, 1000, 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, n := failures(t, FaultOptions{FailRate: tc.rate, Seed: 7}, paths)
			if n < tc.min || n > tc.max {
				t.Errorf("%d failures, want %d..%d", n, tc.min, tc.max)
			}
			b, _ := failures(t, FaultOptions{FailRate: tc.rate, Seed: 7}, paths)
			if a != b {
				t.Error("the same seed gave different failures")
			}
			if tc.rate > 0 && tc.rate < 1 {
				c, _ := failures(t, FaultOptions{FailRate: tc.rate, Seed: 8}, paths)
				if a == c {
					t.Error("another seed gave the same failures")
				}
			}
		})
	}
}

// The failures do not depend on arrival order: concurrent clients asking
// the same requests meet the same number of failures per request.
func TestFaultsDeterministicUnderConcurrency(t *testing.T) {
	run := func() map[string]int {
		f := WithFaults(echo, FaultOptions{FailRate: 0.3, Seed: 1})
		srv := httptest.NewServer(f)
		defer srv.Close()
		var mu sync.Mutex
		failed := map[string]int{}
		var wg sync.WaitGroup
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p := "/r" + strconv.Itoa(i)
				for range 3 {
					resp, err := srv.Client().Get(srv.URL + p)
					if err != nil {
						t.Error(err)
						return
					}
					resp.Body.Close()
					if resp.StatusCode >= 500 {
						mu.Lock()
						failed[p]++
						mu.Unlock()
					}
				}
			}()
		}
		wg.Wait()
		return failed
	}
	a, b := run(), run()
	if len(a) == 0 || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("failures differ between runs:\n%v\n%v", a, b)
	}
}

func TestFaultsRateLimitWindow(t *testing.T) {
	tests := []struct {
		style      string
		path       string
		wantCode   int
		wantHeader map[string]string
		wantBody   string
	}{
		{LimitGitHub, "/repos/o/r", 403, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Resource": "core"}, "API rate limit exceeded"},
		{LimitGitHub, "/graphql", 200, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Resource": "graphql"}, "RATE_LIMITED"},
		{LimitSecondary, "/repos/o/r", 403, map[string]string{"Retry-After": "3"}, "secondary rate limit"},
		{Limit429, "/api/v4/projects/1", 429, map[string]string{"Retry-After": "3", "RateLimit-Remaining": "0"}, "Retry later"},
	}
	for _, tc := range tests {
		t.Run(tc.style+tc.path, func(t *testing.T) {
			f := WithFaults(echo, FaultOptions{RateLimitAfter: 2, RateLimitFor: 2500 * time.Millisecond, RateLimitStyle: tc.style})
			clock := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
			var mu sync.Mutex
			f.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
			advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
			srv := httptest.NewServer(f)
			defer srv.Close()
			c := srv.Client()
			for i := range 2 {
				if code, _, _ := get(t, c, "POST", srv.URL+tc.path, ""); code != 200 {
					t.Fatalf("request %d before the window: %d", i, code)
				}
			}
			code, h, body := get(t, c, "POST", srv.URL+tc.path, "")
			if code != tc.wantCode || !strings.Contains(body, tc.wantBody) {
				t.Errorf("in the window: %d %s, want %d %q", code, body, tc.wantCode, tc.wantBody)
			}
			for k, v := range tc.wantHeader {
				if h.Get(k) != v {
					t.Errorf("%s: %q, want %q", k, h.Get(k), v)
				}
			}
			if r := h.Get("X-RateLimit-Reset") + h.Get("RateLimit-Reset"); r != "" && r != strconv.FormatInt(clock.Add(3*time.Second).Unix(), 10) {
				t.Errorf("reset %s, want the window's end rounded up", r)
			}
			advance(2 * time.Second)
			if code, _, _ := get(t, c, "POST", srv.URL+tc.path, ""); code != tc.wantCode {
				t.Errorf("still in the window: %d", code)
			}
			advance(time.Second)
			if code, _, body := get(t, c, "POST", srv.URL+tc.path, ""); code != 200 || strings.Contains(body, "RATE") {
				t.Errorf("after the window: %d %s", code, body)
			}
			if got := f.Counts(); got.Limited != 2 || got.Total != 5 {
				t.Errorf("counts %+v, want 2 limited of 5", got)
			}
		})
	}
}

func TestFaultsLatency(t *testing.T) {
	f := WithFaults(echo, FaultOptions{Latency: 50 * time.Millisecond})
	var mu sync.Mutex
	var slept []time.Duration
	f.sleep = func(ctx context.Context, d time.Duration) { mu.Lock(); slept = append(slept, d); mu.Unlock() }
	srv := httptest.NewServer(f)
	defer srv.Close()
	for range 3 {
		get(t, srv.Client(), "GET", srv.URL+"/a", "")
	}
	if fmt.Sprint(slept) != "[50ms 50ms 50ms]" {
		t.Errorf("slept %v", slept)
	}
}
