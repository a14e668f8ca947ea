package serve_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/internal/demo"
	"github.com/eiglink/vigie/internal/testtool"
	"github.com/eiglink/vigie/serve"
)

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// startDemo runs `vigie serve --demo` on a free port and waits (bounded)
// until every configured repository has a result.
func startDemo(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addrCh := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- demo.Run(ctx, demo.Options{
			Listen: "127.0.0.1:0",
			Logger: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo})),
			Ready:  func(a string) { addrCh <- a },
			// Every GraphQL query the demo sends is checked against
			// GitHub's schema when it is at hand.
			GitHubSchemaPath: testtool.GitHubSchemaPath(),
		})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
	var addr string
	select {
	case addr = <-addrCh:
	case err := <-done:
		t.Fatalf("Run ended early: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server never listened")
	}
	base := "http://" + addr
	waitReady(t, base)
	// The seeded history makes the server ready at once; wait (bounded)
	// for the start-up crawl too, so pages show the current state.
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, body := get(t, base+"/metrics"); strings.Contains(body, "vigie_crawl_duration_seconds_count 1") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the start-up crawl did not finish within a minute")
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Alone on its database, the process runs the schedule.
	if _, body := get(t, base+"/metrics"); !strings.Contains(body, "\nvigie_leader 1\n") {
		t.Error("/metrics does not say this process leads (vigie_leader 1)")
	}
	return base
}

func waitReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready within a minute (last: %v)", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestDemo(t *testing.T) {
	base := startDemo(t)
	code, body := get(t, base+"/api/repos")
	if code != 200 {
		t.Fatalf("/api/repos = %d", code)
	}
	var rs []checks.Result
	if err := json.Unmarshal([]byte(body), &rs); err != nil {
		t.Fatal(err)
	}
	byRepo := map[string]checks.Result{}
	for _, r := range rs {
		byRepo[r.Repo] = r
		t.Logf("%s score=%v error=%q", r.Repo, r.Score, r.Error)
	}
	if len(rs) != 10 {
		t.Errorf("demo has %d repos, want 10", len(rs))
	}
	if r := byRepo["github.com/eig-demo/depot-disparu"]; r.Error == "" {
		t.Error("the missing repository should carry an error")
	}
	good, bad := byRepo["github.com/eig-demo/signaux-faibles"], byRepo["github.com/eig-demo/prototype-alerte"]
	if good.Score == nil || bad.Score == nil || *good.Score <= *bad.Score {
		t.Errorf("the exemplary repository should outscore the dormant one: %v vs %v", good.Score, bad.Score)
	}
	if r := byRepo["gitlab.com/eig-demo/sante/dossier-patient"]; r.Score == nil || r.Error != "" {
		t.Errorf("GitLab subgroup repository not scored: %+v", r)
	}
	for repo, status := range map[string]string{"codeberg.org/eig-demo/carte-des-communs": "success", "codeberg.org/eig-demo/veille-juridique": "failure"} {
		r := byRepo[repo]
		if r.Score == nil || r.Error != "" || len(r.Checks) < 3 || r.Checks[2].Details["status"] != status {
			t.Errorf("%s: not scored, or CI status not %s: %+v", repo, status, r)
		}
	}
	code, body = get(t, base+"/metrics")
	if code != 200 || !strings.Contains(body, `vigie_repo_score{defi="sante-donnees",forge="gitlab",repo="gitlab.com/eig-demo/sante/dossier-patient"}`) ||
		!strings.Contains(body, `vigie_forge_requests_total{code="200",forge="github"}`) ||
		!strings.Contains(body, "vigie_crawl_duration_seconds_count 1") {
		t.Errorf("/metrics lacks the demo's series:\n%s", body)
	}
	if dir := os.Getenv("VIGIE_ARTIFACTS"); dir != "" {
		_ = os.WriteFile(dir+"/demo-metrics.txt", []byte(body), 0o644)
	}

	// The check form goes through the real scanner to the demo's forge.
	code, body = get(t, base+"/check?url=https://github.com/eig-demo/la-bonne-piste")
	if code != 200 || !strings.Contains(body, `class="checklist"`) {
		t.Errorf("check = %d\n%s", code, body)
	}
	// The demo's first weekly report is in the archive.
	code, body = get(t, base+"/reports/")
	m := regexp.MustCompile(`href="(/reports/\d{4}-W\d{2}\.html)"`).FindStringSubmatch(body)
	if code != 200 || m == nil {
		t.Fatalf("/reports/ = %d without a report link", code)
	}
	if code, body = get(t, base+m[1]); code != 200 || !strings.Contains(body, "<html") {
		t.Errorf("%s = %d", m[1], code)
	}

	code, _ = get(t, base+"/check?url=https://example.org/a/b")
	if code != 400 {
		t.Errorf("check of a foreign host = %d, want 400", code)
	}
}

func TestPeriod(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	for expr, want := range map[string]time.Duration{
		"0 */6 * * *":  6 * time.Hour,
		"0 8 * * 1":    7 * 24 * time.Hour,
		"*/15 * * * *": 15 * time.Minute,
		// Seconds first, as gocron reads six fields.
		"*/5 * * * * *":  5 * time.Second,
		"30 0 */6 * * *": 6 * time.Hour,
	} {
		got, err := serve.Period(expr, paris, now)
		if err != nil || got != want {
			t.Errorf("Period(%q) = %v, %v; want %v", expr, got, err, want)
		}
	}
	if _, err := serve.Period("not cron", nil, now); err == nil {
		t.Error("a bad expression should fail")
	}
}
