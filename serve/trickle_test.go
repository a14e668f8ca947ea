package serve_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub"
	"github.com/eiglink/vigie/scan"
	"github.com/eiglink/vigie/serve"
	"github.com/eiglink/vigie/store/memstore"
)

// startWith runs `vigie serve` with the given timeouts on a programme of
// one repository on a fake GitHub, and returns its address once it listens.
func startWith(t *testing.T, to serve.Timeouts) string {
	t.Helper()
	now := time.Now()
	gh := httptest.NewServer(fakegithub.NewGitHub([]fakeforge.Repo{{
		Path: "eig/outil", DefaultBranch: "main", CreatedAt: now.Add(-720 * time.Hour),
		Files:   map[string]string{"README.md": "# Outil\n"},
		Commits: []fakeforge.Commit{{AuthorName: "a", AuthorEmail: "a@example.org", Date: now.Add(-24 * time.Hour)}},
	}}))
	t.Cleanup(gh.Close)
	cfg, err := config.Parse("vigie.yml", []byte(fmt.Sprintf(`forges:
  - {name: github, type: github, url: https://github.com, api_url: %q}
defis:
  - {slug: d, name: Défi, repos: [https://github.com/eig/outil]}
`, gh.URL)), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st := memstore.New()
	sc, err := scan.New(cfg, scan.Options{Store: st, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrCh := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve.Run(ctx, cfg, serve.Deps{
			Store: st, Scanner: sc, Listen: "127.0.0.1:0", Timeouts: to, Logger: log,
			Ready: func(a string) { addrCh <- a },
		})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
	select {
	case a := <-addrCh:
		return a
	case err := <-done:
		t.Fatalf("Run ended early: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("server never listened")
	}
	return ""
}

// trickle opens a connection, sends head, then one byte of filler every
// 50 ms until the server closes the connection (or stop). It reports what
// the server answered, if anything, and whether it closed the connection.
func trickle(addr, head string, stop <-chan struct{}) (answer string, closed bool) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return "dial: " + err.Error(), false
	}
	defer c.Close()
	if _, err := io.WriteString(c, head); err != nil {
		return "", true
	}
	read := make(chan string, 1)
	go func() {
		_ = c.SetReadDeadline(time.Now().Add(20 * time.Second))
		b, err := io.ReadAll(c) // returns when the server closes
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			read <- "timeout"
			return
		}
		read <- string(b)
	}()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case s := <-read:
			return s, s != "timeout"
		case <-stop:
			return "still open", false
		case <-tick.C:
			_, _ = c.Write([]byte("a"))
		}
	}
}

// Clients trickling their headers or a body are cut off, and /healthz
// answers all along.
func TestTricklingClientsAreCutOff(t *testing.T) {
	addr := startWith(t, serve.Timeouts{ReadHeader: 500 * time.Millisecond, Read: 2 * time.Second})
	heads := map[string]string{
		"headers":        "GET /healthz HTTP/1.1\r\nHost: vigie\r\nX-Slow: ",
		"body":           "POST /check HTTP/1.1\r\nHost: vigie\r\nContent-Length: 100000\r\n\r\n",
		"chunked body":   "POST / HTTP/1.1\r\nHost: vigie\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n",
		"GET with body":  "GET /api/repos HTTP/1.1\r\nHost: vigie\r\nContent-Length: 5000\r\n\r\n",
		"request line":   "GET /healthz?",
		"no head at all": "",
	}
	const each = 10 // 60 connections at once
	stop := make(chan struct{})
	type outcome struct {
		kind, answer string
		closed       bool
		took         time.Duration
	}
	results := make(chan outcome, each*len(heads))
	var wg sync.WaitGroup
	for kind, head := range heads {
		for range each {
			wg.Go(func() {
				start := time.Now()
				a, closed := trickle(addr, head, stop)
				results <- outcome{kind, a, closed, time.Since(start)}
			})
		}
	}
	// While they trickle, the service answers.
	client := &http.Client{Timeout: 5 * time.Second}
	for i := range 5 {
		time.Sleep(100 * time.Millisecond)
		resp, err := client.Get("http://" + addr + "/healthz")
		if err != nil {
			t.Fatalf("/healthz while clients trickle (%d): %v", i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || strings.TrimSpace(string(b)) != "ok" {
			t.Fatalf("/healthz while clients trickle = %d %q", resp.StatusCode, b)
		}
	}
	go func() { time.Sleep(15 * time.Second); close(stop) }()
	wg.Wait()
	close(results)
	for o := range results {
		if !o.closed {
			t.Errorf("%s: connection still open after %v (%q)", o.kind, o.took.Round(time.Millisecond), o.answer)
			continue
		}
		switch o.kind {
		case "body", "chunked body", "GET with body":
			// Refused at once, without reading the body.
			if !strings.HasPrefix(o.answer, "HTTP/1.1 413") || o.took > 5*time.Second {
				t.Errorf("%s: answered %.40q after %v, want a prompt 413", o.kind, o.answer, o.took)
			}
		default:
			if o.took > 5*time.Second {
				t.Errorf("%s: closed after %v, want about the 500 ms header timeout", o.kind, o.took)
			}
		}
	}
}

// Headers beyond the server's bound are refused.
func TestHugeHeadersRefused(t *testing.T) {
	addr := startWith(t, serve.Timeouts{})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: vigie\r\nX-Big: "+strings.Repeat("b", 200<<10)+"\r\n\r\n")
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 431") {
		t.Errorf("200 KB of headers: %q %v, want 431", line, err)
	}
}
