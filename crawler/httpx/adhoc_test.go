package httpx

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// quotaForge counts down a quota of limit requests per token, as GitHub
// and GitLab do, announcing it in their headers.
type quotaForge struct {
	kind  string
	limit int
	mu    sync.Mutex
	left  map[string]int
}

func (f *quotaForge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok := r.Header.Get("Authorization") + r.Header.Get("PRIVATE-TOKEN")
	f.mu.Lock()
	if _, ok := f.left[tok]; !ok {
		f.left[tok] = f.limit
	}
	if f.left[tok] > 0 {
		f.left[tok]--
	}
	left := f.left[tok]
	f.mu.Unlock()
	p := "X-RateLimit-"
	if f.kind == KindGitLab {
		p = "RateLimit-"
	}
	w.Header().Set(p+"Limit", strconv.Itoa(f.limit))
	w.Header().Set(p+"Remaining", strconv.Itoa(left))
	w.Header().Set(p+"Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
	_, _ = w.Write([]byte("{}"))
}

// Ad-hoc requests stop at the share of the quota kept for scheduled crawls,
// at once and with a clear error; the crawl's requests still spend it.
func TestAdHocKeepsAShareForCrawls(t *testing.T) {
	tests := []struct {
		name   string
		kind   string
		tokens []string
		keep   float64
		adHoc  int // ad-hoc requests that go through, of 200 tried
	}{
		{"github one token keeps half", KindGitHub, []string{"a"}, 0.5, 50},
		{"gitlab one token keeps 40%", KindGitLab, []string{"a"}, 0.4, 60},
		{"github two tokens keep half of each", KindGitHub, []string{"a", "b"}, 0.5, 100},
		{"nothing kept: ad-hoc requests wait like any other", KindGitHub, []string{"a"}, 0, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &quotaForge{kind: tt.kind, limit: 100, left: map[string]int{}}
			srv := httptest.NewServer(f)
			defer srv.Close()
			tr, clk := newTestTransport(t, srv, Options{Kind: tt.kind, Tokens: tt.tokens, AdHocKeep: tt.keep, Concurrency: 1})
			c := tr.Client()
			get := func(ctx context.Context) error {
				req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/projects/1", nil)
				resp, err := c.Do(req)
				if err == nil {
					resp.Body.Close()
				}
				return err
			}
			adhoc := AdHoc(context.Background())
			passed := 0
			var refusal error
			for range 200 {
				if err := get(adhoc); err != nil {
					refusal = err
					break
				}
				passed++
			}
			if passed != tt.adHoc {
				t.Errorf("%d ad-hoc requests went through, want %d", passed, tt.adHoc)
			}
			if tt.keep > 0 {
				var rl *RateLimitError
				if !errors.As(refusal, &rl) || !rl.Kept {
					t.Fatalf("refusal = %v, want a RateLimitError with Kept", refusal)
				}
				if clk.total() != 0 {
					t.Errorf("the refused ad-hoc request waited %v", clk.total())
				}
				// The scheduled crawl spends what was kept.
				for i := range 100*len(tt.tokens) - passed {
					if err := get(context.Background()); err != nil {
						t.Fatalf("crawl request %d: %v", i, err)
					}
				}
			}
		})
	}
}
