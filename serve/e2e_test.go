package serve_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/eiglink/vigie/internal/testtool"
)

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type promResult struct {
	Status string `json:"status"`
	Data   struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		} `json:"result"`
	} `json:"data"`
}

// TestPrometheusScrapesServe runs a real Prometheus against the demo server
// and reads vigie's series back through Prometheus's query API. Prometheus
// also loads deploy/prometheus/alerts.yml, so the shipped rules are checked
// by the real thing.
func TestPrometheusScrapesServe(t *testing.T) {
	bin := testtool.Find(t, "VIGIE_PROMETHEUS", "prometheus")
	base := startDemo(t)
	target := strings.TrimPrefix(base, "http://")

	dir := t.TempDir()
	rules, err := filepath.Abs("../deploy/prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [%q]
scrape_configs:
  - job_name: vigie
    static_configs:
      - targets: [%q]
`, rules, target)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freePort(t)
	cmd := exec.Command(bin,
		"--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr)
	logf, err := os.Create(filepath.Join(testtool.Artifacts(t), "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})

	query := func(q string) (promResult, error) {
		var r promResult
		resp, err := http.Get("http://" + addr + "/api/v1/query?query=" + url.QueryEscape(q))
		if err != nil {
			return r, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			return r, fmt.Errorf("status %d", resp.StatusCode)
		}
		return r, json.NewDecoder(resp.Body).Decode(&r)
	}
	// Poll (bounded) until the first scrapes landed: nine demo
	// repositories have a score (the tenth does not exist on its forge).
	var scores promResult
	deadline := time.Now().Add(90 * time.Second)
	for {
		scores, err = query("vigie_repo_score")
		if err == nil && len(scores.Data.Result) == 9 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Prometheus never got the 9 scores (last: %v, %d series); see prometheus.log", err, len(scores.Data.Result))
		}
		time.Sleep(250 * time.Millisecond)
	}
	for _, r := range scores.Data.Result {
		if r.Metric["job"] != "vigie" || r.Metric["defi"] == "" || r.Metric["forge"] == "" || r.Metric["repo"] == "" {
			t.Errorf("score series lacks labels: %v", r.Metric)
		}
	}

	checks, err := query(`vigie_repo_check_score{repo="gitlab.com/eig-demo/sante/dossier-patient"}`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range checks.Data.Result {
		names = append(names, r.Metric["check"])
	}
	sort.Strings(names)
	if got := strings.Join(names, ","); !strings.Contains(","+got+",", ",activity,ci,license,readme,") {
		t.Errorf("check series of the GitLab subgroup repository: %s", got)
	}

	// A dashboard query works on real data: one average per défi.
	perDefi, err := query(`avg by (defi) (vigie_repo_score)`)
	if err != nil || len(perDefi.Data.Result) != 4 {
		t.Errorf("average per défi: %v, %d series", err, len(perDefi.Data.Result))
	}
	down, err := query(`vigie_repo_up == 0`)
	if err != nil || len(down.Data.Result) != 1 || down.Data.Result[0].Metric["repo"] != "github.com/eig-demo/depot-disparu" {
		t.Errorf("unreachable repositories: %v %+v", err, down.Data.Result)
	}
}

// TestBrowser drives Debian's Chromium through the demo: the dashboard, its
// filter, a repository's remediation, and the check form.
func TestBrowser(t *testing.T) {
	bin := testtool.Find(t, "VIGIE_CHROMIUM", "chromium")
	base := startDemo(t)
	art := testtool.Artifacts(t)

	actx, cancel := testtool.Chromium(t, bin, 1280, 900)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// A bound for the whole walk, so a broken page fails instead of hanging.
	go func() {
		select {
		case <-time.After(2 * time.Minute):
			cancel()
		case <-ctx.Done():
		}
	}()

	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(art, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	eval := func(js string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return n
	}

	// waitFor polls a predicate across a navigation (bounded): an
	// evaluation racing the page change fails and is simply retried.
	waitFor := func(js string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			c, stop := context.WithTimeout(ctx, 5*time.Second)
			ok, err := chromedp.Run(c, chromedp.Evaluate[bool](js))
			stop()
			if err == nil && ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("never true: %s (last error: %v)", js, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#defis"))); err != nil {
		t.Fatal(err)
	}
	shot("dashboard.png")
	if n := eval(`document.querySelectorAll("tr[data-search]").length`); n != 10 {
		t.Errorf("dashboard rows = %d, want 10", n)
	}
	// The markup in a description and a défi name stayed text: the only
	// script on the page is vigie's own.
	if n := eval(`document.querySelectorAll("script").length + document.querySelectorAll("main b, main em").length`); n != 1 {
		t.Errorf("markup from the data became elements (%d)", n)
	}

	// Typing filters as one types (the embedded script, allowed by the CSP).
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#q"), "prototype")); err != nil {
		t.Fatal(err)
	}
	// The key events are handled in the page's own time: wait (bounded).
	waitFor(`document.querySelectorAll("tr[data-search]:not([hidden])").length === 1`)
	shot("dashboard-filtered.png")

	// Follow the remaining repository and read what to do.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`tr[data-search]:not([hidden]) th a`))); err != nil {
		t.Fatal(err)
	}
	// The whole new document, not the old one being replaced: reading a
	// node of a page still loading fails with "no node with given id".
	waitFor(`location.pathname.startsWith("/repos/") && document.readyState === "complete" && document.querySelector(".checklist .remediation") !== null`)
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.HasSuffix(loc, "/repos/github.com/eig-demo/prototype-alerte") {
		t.Errorf("followed to %s", loc)
	}
	rem, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".remediation")))
	if err != nil || !strings.Contains(rem, "À faire") || len(rem) < 20 {
		t.Errorf("remediation = %q, %v", rem, err)
	}
	shot("repo.png")

	// The check form runs a check now and shows the whole result.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/check"),
		chromedp.WaitVisible(chromedp.CSS("#url")),
		chromedp.SendKeys(chromedp.CSS("#url"), "https://github.com/eig-demo/la-bonne-piste"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
	); err != nil {
		t.Fatal(err)
	}
	// Wait for the new document rather than a node: a query started before
	// the navigation would watch the old page.
	waitFor(`location.search.includes("url=") && document.querySelector(".checklist") !== null`)
	h1, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1#titre-depot")))
	if !strings.Contains(h1, "la-bonne-piste") {
		t.Errorf("check result heading = %q", h1)
	}
	if n := eval(`document.querySelectorAll(".checklist li").length`); n < 4 {
		t.Errorf("check result shows %d checks", n)
	}
	shot("check.png")

	// A phone and a desktop: for the dashboard (by défi and worst first
	// across the programme), a repository page, the scoring guide and the
	// archived report, nothing wider than the screen but a table's own
	// scrolling box, repository names broken only at their slashes, and a
	// screenshot kept.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/reports/"), chromedp.WaitVisible(chromedp.CSS(".reports a"))); err != nil {
		t.Fatal(err)
	}
	reportURL, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(".reports a").href`))
	if err != nil || !strings.HasSuffix(reportURL, ".html") {
		t.Fatalf("report link %q: %v", reportURL, err)
	}
	pages := []struct{ name, url, ready string }{
		{"dashboard", base + "/", "#defis"},
		{"dashboard-programme", base + "/?vue=liste", "#defis"},
		{"repo", base + "/repos/gitlab.com/eig-demo/sante/dossier-patient", ".checklist"},
		{"repo-no-ci", base + "/repos/github.com/eig-demo/prototype-alerte", ".checklist"},
		{"guide", base + "/notation", ".guide"},
		{"check", base + "/check?url=" + url.QueryEscape("https://github.com/eig-demo/la-bonne-piste"), ".checklist"},
		{"reports", base + "/reports/", ".reports"},
		{"not-found", base + "/nulle-part", "main h1"},
		{"report", reportURL, "h1"},
	}
	for _, width := range []int{390, 1280} {
		for _, p := range pages {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), 844), chromedp.Navigate(p.url), chromedp.WaitVisible(chromedp.CSS(p.ready))); err != nil {
				t.Fatalf("%s at %dpx: %v", p.name, width, err)
			}
			if w := eval(`document.documentElement.scrollWidth`); w > width {
				t.Errorf("%s is %dpx wide on a %dpx screen", p.name, w, width)
			}
			if n := eval(`[...document.querySelectorAll(".defi table")].filter(t => t.scrollWidth > t.parentElement.clientWidth).length`); n != 0 {
				t.Errorf("%d tables of %s need sideways scrolling at %dpx", n, p.name, width)
			}
			broken, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](testtool.BrokenNamesJS))
			if err != nil || len(broken) > 0 {
				t.Errorf("%s at %dpx: repository names broken inside a part: %q %v", p.name, width, broken, err)
			}
			shot(fmt.Sprintf("%s-%d.png", p.name, width))
		}
	}
	// The first screen shows no markup the data carried as text: such
	// strings belong to the tests, not to the demonstration.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#defis"))); err != nil {
		t.Fatal(err)
	}
	if m, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector("main").innerText.match(/<\/?[a-z][^>]*>|alert\(/i) || [""])[0]`)); m != "" {
		t.Errorf("the demo's dashboard shows raw test markup: %s", m)
	}
}
