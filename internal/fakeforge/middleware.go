package fakeforge

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eiglink/vigie/internal/statuswriter"
)

// Rate-limit window styles: how the fault middleware says "limited".
const (
	// LimitGitHub answers like GitHub's primary limit: 403 with
	// X-RateLimit-Remaining: 0 and X-RateLimit-Reset at the window's end
	// (GraphQL: 200 with a RATE_LIMITED error, as GitHub does).
	LimitGitHub = "github"
	// LimitSecondary answers like GitHub's secondary limit: 403 with a
	// "secondary rate limit" message and Retry-After.
	LimitSecondary = "secondary"
	// Limit429 answers 429 with Retry-After, and GitLab's RateLimit-Remaining:
	// 0 and RateLimit-Reset.
	Limit429 = "429"
)

// PointsHeader is the response header a forge handler may set to the
// GraphQL points a query cost; the middleware adds them up.
const PointsHeader = "X-Fake-GraphQL-Cost"

// FaultOptions say which faults WithFaults injects. The zero value injects
// none and only counts.
type FaultOptions struct {
	// Latency delays every answer, as a distant forge would.
	Latency time.Duration
	// FailRate is the share (0..1) of requests answered 502 or 503 instead
	// of being served. Which ones is decided by Seed and the request itself
	// (method, URL, body, and how many times it was asked), not by arrival
	// order: a concurrent crawl meets the same failures on every run.
	FailRate float64
	Seed     uint64
	// RateLimitAfter opens a rate-limit window once that many requests were
	// served (0: never). During the window every request is refused in
	// RateLimitStyle; the window lasts RateLimitFor (default 2s).
	RateLimitAfter int
	RateLimitFor   time.Duration
	RateLimitStyle string // LimitGitHub (default), LimitSecondary or Limit429
	// Route names a request in Counts.ByPath (default: method and path).
	// Naming routes without their variable parts keeps the counts readable.
	Route func(*http.Request) string
}

// Counts are what a Faults handler saw.
type Counts struct {
	Total         int            `json:"total"`
	ByPath        map[string]int `json:"by_path"`
	NotModified   int            `json:"not_modified"`   // 304s the handler answered
	Failed        int            `json:"failed"`         // injected 5xx
	Limited       int            `json:"limited"`        // refused by the rate-limit window
	GraphQLPoints int            `json:"graphql_points"` // from PointsHeader
}

// Faults is the handler WithFaults returns.
type Faults struct {
	h http.Handler
	o FaultOptions

	mu        sync.Mutex
	served    int
	asked     map[string]int // times each request was asked, for the fail decision
	windowEnd time.Time
	opened    bool
	c         Counts

	// Seams for tests.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration)
}

// WithFaults wraps a forge handler with latency, 5xx failures and a
// rate-limit window, and counts requests. It knows no forge: the handlers
// set their own rate-limit headers on the answers they serve.
func WithFaults(h http.Handler, o FaultOptions) *Faults {
	if o.RateLimitFor <= 0 {
		o.RateLimitFor = 2 * time.Second
	}
	if o.RateLimitStyle == "" {
		o.RateLimitStyle = LimitGitHub
	}
	return &Faults{
		h: h, o: o,
		asked: map[string]int{},
		c:     Counts{ByPath: map[string]int{}},
		now:   time.Now,
		sleep: func(ctx context.Context, d time.Duration) {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
			}
		},
	}
}

// Counts returns a copy of the counters.
func (f *Faults) Counts() Counts {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.c
	c.ByPath = make(map[string]int, len(f.c.ByPath))
	for k, v := range f.c.ByPath {
		c.ByPath[k] = v
	}
	return c
}

// ResetCounts sets the counters back to zero (the fault schedule goes on).
func (f *Faults) ResetCounts() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.c = Counts{ByPath: map[string]int{}}
}

type verdict int

const (
	serve verdict = iota
	fail
	limit
)

func (f *Faults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.o.Latency > 0 {
		f.sleep(r.Context(), f.o.Latency)
	}
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	route := r.Method + " " + r.URL.Path
	if f.o.Route != nil {
		route = f.o.Route(r)
	}
	now := f.now()

	f.mu.Lock()
	f.c.Total++
	f.c.ByPath[route]++
	v := serve
	var code int
	switch {
	case f.opened && now.Before(f.windowEnd):
		v = limit
		f.c.Limited++
	case f.o.FailRate > 0:
		key := r.Method + " " + r.URL.RequestURI() + " " + string(body)
		n := f.asked[key]
		f.asked[key] = n + 1
		if x := f.draw(key, n); x < f.o.FailRate {
			v = fail
			code = http.StatusBadGateway
			if x < f.o.FailRate/2 {
				code = http.StatusServiceUnavailable
			}
			f.c.Failed++
		}
	}
	if v == serve {
		f.served++
		if f.o.RateLimitAfter > 0 && !f.opened && f.served >= f.o.RateLimitAfter {
			// This request is the last one served: the window opens now.
			f.opened = true
			f.windowEnd = now.Add(f.o.RateLimitFor)
		}
	}
	windowEnd := f.windowEnd
	f.mu.Unlock()

	switch v {
	case fail:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(code)
		fmt.Fprintf(w, "<html><body><h1>%d %s</h1></body></html>\n", code, http.StatusText(code))
	case limit:
		f.refuse(w, r, now, windowEnd)
	default:
		cw := &statuswriter.Writer{ResponseWriter: w}
		f.h.ServeHTTP(cw, r)
		f.mu.Lock()
		if cw.Status == http.StatusNotModified {
			f.c.NotModified++
		}
		if p, err := strconv.Atoi(cw.Header().Get(PointsHeader)); err == nil {
			f.c.GraphQLPoints += p
		}
		f.mu.Unlock()
	}
}

// draw maps (seed, request, occurrence) to a number in [0, 1).
func (f *Faults) draw(key string, n int) float64 {
	h := fnv.New64a()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], f.o.Seed)
	binary.LittleEndian.PutUint64(b[8:], uint64(n))
	h.Write(b[:])
	h.Write([]byte(key))
	// FNV's low bits mix poorly for near-identical keys: fold the halves.
	x := h.Sum64()
	x ^= x >> 29
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 32
	return float64(x>>11) / (1 << 53)
}

func (f *Faults) refuse(w http.ResponseWriter, r *http.Request, now, end time.Time) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	wait := end.Sub(now)
	retryAfter := strconv.Itoa(int((wait + time.Second - 1) / time.Second))
	// Reset times are whole seconds: round up, so a client that waits for
	// the reset never comes back inside the window.
	reset := strconv.FormatInt(end.Add(time.Second-1).Unix(), 10)
	graphql := strings.HasSuffix(r.URL.Path, "/graphql")
	switch f.o.RateLimitStyle {
	case Limit429:
		h.Set("Retry-After", retryAfter)
		h.Set("RateLimit-Limit", "2000")
		h.Set("RateLimit-Remaining", "0")
		h.Set("RateLimit-Reset", reset)
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"message":"Retry later"}`)
	case LimitSecondary:
		h.Set("Retry-After", retryAfter)
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}`)
	default:
		resource := "core"
		if graphql {
			resource = "graphql"
		}
		h.Set("X-RateLimit-Limit", "5000")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Used", "5000")
		h.Set("X-RateLimit-Reset", reset)
		h.Set("X-RateLimit-Resource", resource)
		if graphql {
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, `{"errors":[{"type":"RATE_LIMITED","message":"API rate limit exceeded for user ID 1."}]}`)
			return
		}
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}`)
	}
}
