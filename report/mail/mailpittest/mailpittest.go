// Package mailpittest starts a mailpit process for tests and reads what it
// received through its REST API.
package mailpittest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/eiglink/vigie/internal/testtool"
)

// Server is a running mailpit.
type Server struct {
	SMTPPort int
	API      string // http://127.0.0.1:PORT
	t        testing.TB
}

// Binary finds mailpit: $VIGIE_MAILPIT, else PATH. Absent, the test is
// skipped, unless CI=true where it fails.
func Binary(t testing.TB) string {
	t.Helper()
	return testtool.Find(t, "VIGIE_MAILPIT", "mailpit")
}

// FreePort returns a loopback TCP port nobody listens on right now.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start runs mailpit on free loopback ports with extra flags, and stops it
// when the test ends.
func Start(t testing.TB, extra ...string) *Server {
	t.Helper()
	bin := Binary(t)
	smtp, web := FreePort(t), FreePort(t)
	dir := t.TempDir()
	args := append([]string{
		"--smtp", "127.0.0.1:" + strconv.Itoa(smtp),
		"--listen", "127.0.0.1:" + strconv.Itoa(web),
		"--database", filepath.Join(dir, "mailpit.db"),
		"--disable-version-check", "--smtp-disable-rdns", "--quiet",
	}, extra...)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, args...)
	logf, err := os.Create(filepath.Join(dir, "mailpit.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start mailpit: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
		logf.Close()
	})
	s := &Server{SMTPPort: smtp, API: "http://127.0.0.1:" + strconv.Itoa(web), t: t}
	// Wait until both the API and the SMTP port answer.
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-done:
			b, _ := os.ReadFile(logf.Name())
			t.Fatalf("mailpit exited: %s", b)
		default:
		}
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(smtp), time.Second)
		if err == nil {
			c.Close()
			if resp, err := http.Get(s.API + "/api/v1/messages"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return s
				}
			}
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logf.Name())
			t.Fatalf("mailpit did not start: %s", b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Address is a mail address as the API gives it.
type Address struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

// Message is one received message.
type Message struct {
	ID        string    `json:"ID"`
	MessageID string    `json:"MessageID"`
	From      Address   `json:"From"`
	To        []Address `json:"To"`
	Subject   string    `json:"Subject"`
	Text      string    `json:"Text"`
	HTML      string    `json:"HTML"`
}

// Messages returns every message received, with bodies, oldest first.
func (s *Server) Messages() []Message {
	s.t.Helper()
	var list struct {
		Messages []Message `json:"messages"`
	}
	s.get("/api/v1/messages?limit=500", &list)
	out := make([]Message, 0, len(list.Messages))
	for i := len(list.Messages) - 1; i >= 0; i-- { // the API lists newest first
		var m Message
		s.get("/api/v1/message/"+list.Messages[i].ID, &m)
		out = append(out, m)
	}
	return out
}

// Raw returns a message's source.
func (s *Server) Raw(id string) string {
	s.t.Helper()
	resp, err := http.Get(s.API + "/api/v1/message/" + id + "/raw")
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return string(b)
}

func (s *Server) get(path string, v any) {
	s.t.Helper()
	resp, err := http.Get(s.API + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		s.t.Fatalf("mailpit %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		s.t.Fatal(fmt.Errorf("mailpit %s: %w", path, err))
	}
}
