package httpx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eiglink/vigie/crawler"
)

// countingBase counts the requests that reach the network.
type countingBase struct {
	n    atomic.Int64
	base http.RoundTripper
}

func (c *countingBase) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

// A forge whose host refuses connections is called once: the request that
// finds out fails at once (no retries, no backoff), it is logged once, and
// every request in the next DownFor fails without calling; after it, the
// forge is tried again.
func TestUnreachableForgeIsAskedOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	var logs bytes.Buffer
	base := &countingBase{base: http.DefaultTransport}
	tr, clk := newTestTransport(t, srv, Options{AllowedHosts: []string{addr}, Base: base, MaxRetries: 4, DownFor: time.Minute,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	c := tr.Client()
	for i := range 20 {
		_, err := c.Get(fmt.Sprintf("http://%s/repos/o/r%d", addr, i))
		if err == nil {
			t.Fatal("a closed port answered")
		}
		if k := Classify(err, 0); k != crawler.FailUnreachable {
			t.Errorf("request %d: %v classified %q", i, err, k)
		}
	}
	if n := base.n.Load(); n != 1 {
		t.Errorf("%d requests reached the network for an unreachable forge, want 1", n)
	}
	if n := strings.Count(logs.String(), "forge unreachable"); n != 1 {
		t.Errorf("unreachable logged %d times, want once:\n%s", n, logs.String())
	}
	if tr.Stats().Retries != 0 {
		t.Errorf("%d retries of an unreachable host", tr.Stats().Retries)
	}
	clk.sleep(context.Background(), time.Minute+time.Second)
	c.Get("http://" + addr + "/again")
	if n := base.n.Load(); n != 2 {
		t.Errorf("after DownFor the forge is not tried again (%d calls)", n)
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		want   string
	}{
		{"no such host", &net.DNSError{Err: "no such host", Name: "forge.invalid", IsNotFound: true}, 0, crawler.FailUnreachable},
		{"rate limit", fmt.Errorf("x: %w", &RateLimitError{Forge: "github", Reset: time.Now()}), 403, crawler.FailRateLimited},
		{"not found", errors.New("404"), 404, crawler.FailNotFound},
		{"gone", errors.New("410"), 410, crawler.FailNotFound},
		{"unauthorized", errors.New("401"), 401, crawler.FailAccessRefused},
		{"forbidden", errors.New("403"), 403, crawler.FailAccessRefused},
		{"moved", errors.New("301"), 301, crawler.FailRenamed},
		{"server error", errors.New("502"), 502, crawler.FailForgeError},
		{"deadline", fmt.Errorf("get: %w", context.DeadlineExceeded), 0, crawler.FailTimeout},
		{"garbled answer", errors.New("decoding: unexpected EOF"), 200, crawler.FailForgeError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.err, tt.status); got != tt.want {
				t.Errorf("Classify = %q, want %q", got, tt.want)
			}
		})
	}
}
