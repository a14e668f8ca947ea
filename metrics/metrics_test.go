package metrics_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/eiglink/vigie/internal/readertest"
	"github.com/eiglink/vigie/internal/testtool"
	"github.com/eiglink/vigie/metrics"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/memstore"
)

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

func fixture(t *testing.T) (*memstore.Store, *metrics.Metrics) {
	t.Helper()
	cfg := readertest.Config()
	st := memstore.New()
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	t1 := t0.Add(6 * time.Hour)
	commit := time.Date(2026, 11, 19, 10, 0, 0, 0, time.UTC)
	alpha := cfg.Defis[0].Repos[0]
	beta := cfg.Defis[0].Repos[1]
	gamma := cfg.Defis[1].Repos[0]
	removed := readertest.Ref("github", "github.com/eig/removed", "gamma")
	ctx := context.Background()
	must(t, st.SaveCrawl(ctx, []store.Snapshot{
		readertest.Snap(alpha, t0, [4]int{10, 10, 10, 10}, commit),
		readertest.Snap(beta, t0, [4]int{0, 5, 10, 10}, commit),
		readertest.Snap(removed, t0, [4]int{10, 10, 10, 10}, commit),
	}))
	// gamma never succeeded and sorts before beta, whose series must still
	// come out; alpha's newest crawl failed, so its scores come from t1.
	must(t, st.SaveCrawl(ctx, []store.Snapshot{
		readertest.Snap(alpha, t1, [4]int{10, 10, 0, 10}, commit),
		readertest.Failed(gamma, t1, "404 introuvable"),
	}))
	must(t, st.SaveCrawl(ctx, []store.Snapshot{readertest.Failed(alpha, t1.Add(time.Hour), "forge en panne")}))
	m := metrics.New(cfg, st, nil)
	return st, m
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestExposition(t *testing.T) {
	_, m := fixture(t)
	m.Request("github", 200)
	m.Request("github", 200)
	m.Request("gitlab", 0)
	m.Request("typo", 503)
	m.RateLimit("github", 4999)
	m.CrawlDone(42 * time.Second)

	want := `
# HELP vigie_repo_score Overall score of the repository's latest good result, 0..100.
# TYPE vigie_repo_score gauge
vigie_repo_score{defi="alpha",forge="github",repo="github.com/eig/alpha"} 75
vigie_repo_score{defi="alpha",forge="gitlab",repo="gitlab.com/eig/sub/beta"} 62
# HELP vigie_repo_up 1 when the repository's latest fetch succeeded, 0 when it failed.
# TYPE vigie_repo_up gauge
vigie_repo_up{defi="alpha",forge="github",repo="github.com/eig/alpha"} 0
vigie_repo_up{defi="alpha",forge="gitlab",repo="gitlab.com/eig/sub/beta"} 1
vigie_repo_up{defi="gamma",forge="github",repo="github.com/eig/gamma"} 0
# HELP vigie_forge_requests_total HTTP requests made to the forges' APIs, by forge and response status code ("error" when no response came).
# TYPE vigie_forge_requests_total counter
vigie_forge_requests_total{code="200",forge="github"} 2
vigie_forge_requests_total{code="503",forge="other"} 1
vigie_forge_requests_total{code="error",forge="gitlab"} 1
# HELP vigie_forge_rate_limit_remaining Requests left in the forge's current rate-limit window, as the forge last announced it.
# TYPE vigie_forge_rate_limit_remaining gauge
vigie_forge_rate_limit_remaining{forge="github"} 4999
# HELP vigie_crawl_last_success_timestamp_seconds When the newest stored crawl was made, Unix seconds.
# TYPE vigie_crawl_last_success_timestamp_seconds gauge
vigie_crawl_last_success_timestamp_seconds 1.7951868e+09
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want),
		"vigie_repo_score", "vigie_repo_up", "vigie_forge_requests_total",
		"vigie_forge_rate_limit_remaining", "vigie_crawl_last_success_timestamp_seconds"); err != nil {
		t.Error(err)
	}

	body := scrape(t, m)
	for _, line := range []string{
		// alpha failed last: its checks come from its last good snapshot.
		`vigie_repo_check_score{check="license",defi="alpha",forge="gitlab",repo="gitlab.com/eig/sub/beta"} 0`,
		`vigie_repo_check_score{check="ci",defi="alpha",forge="github",repo="github.com/eig/alpha"} 0`,
		`vigie_repo_last_commit_timestamp_seconds{defi="alpha",forge="github",repo="github.com/eig/alpha"} 1.7950824e+09`,
		`vigie_crawl_duration_seconds_count 1`,
		`go_goroutines`,
		`process_cpu_seconds_total`,
	} {
		if !strings.Contains(body, line) {
			t.Errorf("exposition lacks %q", line)
		}
	}
	if strings.Contains(body, "eig/removed") {
		t.Error("a repository removed from the configuration is still exported")
	}
	if strings.Contains(body, `vigie_repo_score{defi="gamma"`) {
		t.Error("a repository never fetched successfully has a score")
	}

	// promtool lints the exposition as Prometheus would read it.
	promtool := testtool.Find(t, "VIGIE_PROMTOOL", "promtool")
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check metrics: %v\n%s", err, out)
	}
	if dir := os.Getenv("VIGIE_ARTIFACTS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "metrics.txt"), []byte(body), 0o644)
	}
}

func TestStoreOutageKeepsOtherMetrics(t *testing.T) {
	st, m := fixture(t)
	st.FailRead = errors.New("disque plein")
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	if !bytes.Contains(body, []byte("go_goroutines")) {
		t.Errorf("store outage hid the process metrics: %d %s", rec.Code, body)
	}
	if bytes.Contains(body, []byte("vigie_repo_score{")) {
		t.Error("repository series served despite the store failing")
	}
}
