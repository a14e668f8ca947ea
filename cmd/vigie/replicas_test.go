package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/eiglink/vigie/internal/fakeforge/fakegithub/fakegithubtest"
	"github.com/eiglink/vigie/report/mail/mailpittest"
	"github.com/eiglink/vigie/store/postgres/pgtest"
)

// crawlPeriod is the replicas' crawl schedule in the test: a tick every
// few seconds (cron with seconds), so several ticks fit before and after a
// leader's death.
const (
	crawlPeriod = 5 * time.Second
	crawlCron   = "*/5 * * * * *"
)

// crawlLog records when each crawl reached the fake forge: every crawl of
// the one-repository programme asks for the repository once, in one query
// (the crawler's main GraphQL query; follow-ups for history are others).
type crawlLog struct {
	mu    sync.Mutex
	route string
	query string
	at    []time.Time
	paths map[string]int
}

func (l *crawlLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		k := r.Method + " " + r.URL.Path
		if l.paths == nil {
			l.paths = map[string]int{}
		}
		l.paths[k]++
		l.mu.Unlock()
		if k == l.route {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			if bytes.Contains(body, []byte(l.query)) {
				l.mu.Lock()
				l.at = append(l.at, time.Now())
				l.mu.Unlock()
			}
		}
		h.ServeHTTP(w, r)
	})
}

func (l *crawlLog) times() []time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.at)
}

// replica is one `vigie serve` process.
type replica struct {
	name string
	cmd  *exec.Cmd
	addr string
	log  *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
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

var listeningRE = regexp.MustCompile(`vigie serve: listening.* addr=(\S+)`)

func startReplica(t *testing.T, bin, cfg, name string) *replica {
	t.Helper()
	r := &replica{name: name, log: &syncBuffer{}}
	r.cmd = exec.Command(bin, "serve", "--config", cfg, "--listen", "127.0.0.1:0")
	r.cmd.Env = append(os.Environ(), "TEST_GH_TOKEN=ghp_test")
	stderr, err := r.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if r.cmd.ProcessState == nil {
			_ = r.cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan struct{})
			go func() { _ = r.cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				_ = r.cmd.Process.Kill()
				<-done
			}
		}
		if t.Failed() || testing.Verbose() {
			t.Logf("%s's log:\n%s", r.name, r.log.String())
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(r.log, line)
			if m := listeningRE.FindStringSubmatch(line); m != nil && !sent {
				addr <- m[1]
				sent = true
			}
		}
	}()
	select {
	case r.addr = <-addr:
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not listen:\n%s", name, r.log.String())
	}
	return r
}

func (r *replica) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + r.addr + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var leaderRE = regexp.MustCompile(`(?m)^vigie_leader (\S+)$`)

// leads reads vigie_leader from the replica's /metrics ("" unreachable).
func (r *replica) leads(t *testing.T) string {
	code, body := r.get(t, "/metrics")
	if code != http.StatusOK {
		return ""
	}
	m := leaderRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s's /metrics has no vigie_leader", r.name)
	}
	return m[1]
}

// theLeader waits until exactly one of rs says it leads and returns it.
func theLeader(t *testing.T, rs []*replica, within time.Duration) *replica {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		var lead []*replica
		for _, r := range rs {
			if r.leads(t) == "1" {
				lead = append(lead, r)
			}
		}
		if len(lead) > 1 {
			t.Fatalf("%s and %s both lead", lead[0].name, lead[1].name)
		}
		if len(lead) == 1 {
			return lead[0]
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

func buildVigie(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "vigie")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestReplicas runs three `vigie serve` processes on one Postgres database
// against a fake GitHub that logs each crawl: one crawl per tick whoever
// leads, a leader killed with SIGKILL replaced within 30 s without a tick
// run twice or lost, the same answers from every replica; then two
// `vigie report --send` at the same instant mail each recipient once.
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("three processes and several crawl ticks")
	}
	dsn := pgtest.SchemaDSN(t)
	mp := mailpittest.Start(t)
	bin := buildVigie(t)

	now := time.Now().UTC()
	gh, _ := testRepos(now)
	crawls := &crawlLog{route: "POST /graphql", query: "query vigieRepos("}
	forge := httptest.NewServer(crawls.wrap(fakegithubtest.New(t, gh[:1])))
	t.Cleanup(forge.Close)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vigie.yml")
	writeFile(t, cfg, fmt.Sprintf(`forges:
  - {name: github, type: github, url: https://github.com, api_url: %q, token_env: TEST_GH_TOKEN}
defis:
  - slug: test
    name: Défi de test
    contacts: [Contact@example.org]
    repos: [https://github.com/eig/healthy]
storage: {driver: postgres, dsn: %q}
schedule:
  timezone: UTC
  crawl: %q
  report: "0 8 * * 1"
report:
  recipients: [coach-a@example.org, coach-b@example.org]
  send_to_defi_contacts: true
smtp: {host: 127.0.0.1, port: %d, security: none, from: vigie@example.org}
`, forge.URL, dsn, crawlCron, mp.SMTPPort))

	var rs []*replica
	for i := range 3 {
		rs = append(rs, startReplica(t, bin, cfg, fmt.Sprintf("replica-%d", i+1)))
	}
	first := theLeader(t, rs, 30*time.Second)
	if first == nil {
		t.Fatal("no replica leads")
	}
	t.Logf("%s leads", first.name)
	// The leader's start-up crawl fills the empty store: every replica
	// becomes ready.
	for _, r := range rs {
		waitReady(t, r)
	}
	// The start-up crawl is no tick's: the ticks counted start after it.
	ready := time.Now()
	// A few ticks under the first leader.
	time.Sleep(3 * crawlPeriod)
	if r := theLeader(t, rs, time.Second); r != first {
		t.Fatalf("leadership moved without cause (now %v)", r)
	}
	sameAnswers(t, rs)

	// SIGKILL: no shutdown, its Postgres session ends with its socket.
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	_ = first.cmd.Wait()
	rest := slices.DeleteFunc(slices.Clone(rs), func(r *replica) bool { return r == first })
	second := theLeader(t, rest, 30*time.Second)
	if second == nil {
		t.Fatal("no replica took over within 30 s of the leader's death")
	}
	takeover := time.Since(killed)
	t.Logf("takeover: %s leads %v after %s was killed (bound: 30 s)", second.name, takeover.Round(10*time.Millisecond), first.name)
	// A few ticks under the second leader.
	time.Sleep(3 * crawlPeriod)
	end := time.Now()
	if r := theLeader(t, rest, time.Second); r != second {
		t.Fatalf("leadership moved again without cause (now %v)", r)
	}
	sameAnswers(t, rest)

	// One crawl per tick: each period from the first after start-up to the
	// last whole one holds exactly one crawl, the handover's included (a
	// tick the handover missed is caught up once by the new leader).
	at := crawls.times()
	t.Logf("requests at the fake forge: %v", crawls.paths)
	if len(at) < 6 {
		t.Fatalf("%d crawls in %v", len(at), end.Sub(at[0]))
	}
	slot := func(x time.Time) int64 { return x.UnixNano() / int64(crawlPeriod) }
	per := map[int64]int{}
	for _, x := range at {
		per[slot(x)]++
	}
	var bad []string
	for s := slot(ready) + 1; s < slot(end); s++ {
		if per[s] != 1 {
			bad = append(bad, fmt.Sprintf("%s: %d crawls", time.Unix(0, s*int64(crawlPeriod)).UTC().Format("15:04:05"), per[s]))
		}
	}
	if len(bad) > 0 {
		t.Errorf("ticks not crawled exactly once (killed at %s): %v", killed.UTC().Format("15:04:05.000"), bad)
	}
	t.Logf("%d crawls from %s (ready %s) to %s, killed at %s", len(at), at[0].UTC().Format("15:04:05.000"),
		ready.UTC().Format("15:04:05.000"), end.UTC().Format("15:04:05.000"), killed.UTC().Format("15:04:05.000"))

	// Two `vigie report --send` at the same instant: each recipient gets
	// one mail.
	year, wk := now.ISOWeek()
	week := fmt.Sprintf("%d-W%02d", year, wk)
	var wg sync.WaitGroup
	outs := make([][]byte, 2)
	errs := make([]error, 2)
	start := make(chan struct{})
	for i := range 2 {
		wg.Go(func() {
			cmd := exec.Command(bin, "report", "--config", cfg, "--week", week, "--send", "--out", filepath.Join(dir, fmt.Sprint("out", i)))
			<-start
			outs[i], errs[i] = cmd.CombinedOutput()
		})
	}
	close(start)
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil {
			t.Errorf("report --send #%d: %v\n%s", i+1, errs[i], outs[i])
		}
	}
	got := map[string]int{}
	for _, m := range mp.Messages() {
		for _, to := range m.To {
			got[strings.ToLower(to.Address)]++
		}
	}
	want := map[string]int{"coach-a@example.org": 1, "coach-b@example.org": 1, "contact@example.org": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("mails received %v, want %v\n%s\n%s", got, want, outs[0], outs[1])
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func waitReady(t *testing.T, r *replica) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if code, _ := r.get(t, "/readyz"); code == http.StatusOK {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s is not ready after 30 s", r.name)
}

// sameAnswers checks every replica answers the store's pages alike: the
// API, the badge, the repository series of /metrics. A crawl landing
// between two reads may change them: then they are read again.
func sameAnswers(t *testing.T, rs []*replica) {
	t.Helper()
	paths := []string{"/api/repos", "/api/repos/github.com/eig/healthy", "/badge/github.com/eig/healthy.svg", "/metrics"}
	var diff string
	for range 3 {
		diff = ""
		for _, p := range paths {
			var first string
			for i, r := range rs {
				code, body := r.get(t, p)
				if code != http.StatusOK {
					t.Fatalf("%s %s: %d", r.name, p, code)
				}
				if p == "/metrics" {
					body = repoSeries(body)
					if body == "" {
						t.Fatalf("%s's /metrics has no repository series", r.name)
					}
				}
				if i == 0 {
					first = body
				} else if body != first && diff == "" {
					diff = fmt.Sprintf("%s %s differs from %s's:\n%s", r.name, p, rs[0].name, firstDiff(first, body))
				}
			}
		}
		if diff == "" {
			return
		}
		time.Sleep(crawlPeriod / 3)
	}
	t.Error(diff)
}

// repoSeries keeps the series /metrics reads from the store.
func repoSeries(exposition string) string {
	var out []string
	for _, l := range strings.Split(exposition, "\n") {
		if strings.HasPrefix(l, "vigie_repo_") || strings.HasPrefix(l, "vigie_crawl_last_success") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
