package deploy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/internal/readertest"
	"github.com/eiglink/vigie/internal/testtool"
	"github.com/eiglink/vigie/metrics"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/memstore"
)

// exported returns every metric name vigie's /metrics serves with its label
// names, read from a real registry with every series present.
func exported(t *testing.T) map[string]map[string]bool {
	t.Helper()
	cfg := readertest.Config()
	st := memstore.New()
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	sn := readertest.Snap(cfg.Defis[0].Repos[0], at, [4]int{10, 5, 0, 10}, at.Add(-time.Hour))
	// The programme's profile, so its series are exported too.
	cg := 1100
	sn.Result.Openness = &checks.Openness{Degree: 3}
	sn.Result.Checklist = []checks.ChecklistItem{{ID: "topics", Applicable: true}}
	sn.Result.CodegouvScore = &cg
	sn.Result.Continuity = &checks.Continuity{DefiEnded: "2019-11-30", CommitsSinceEnd: 4}
	if err := st.SaveCrawl(context.Background(), []store.Snapshot{sn}); err != nil {
		t.Fatal(err)
	}
	m := metrics.New(cfg, st, nil)
	m.Request("github", 200)
	m.RateLimit("github", 10)
	m.CrawlDone(time.Second)
	mfs, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]bool{}
	add := func(name string, labels map[string]bool) {
		if out[name] == nil {
			out[name] = map[string]bool{}
		}
		for l := range labels {
			out[name][l] = true
		}
	}
	for _, mf := range mfs {
		labels := map[string]bool{}
		for _, mt := range mf.GetMetric() {
			for _, lp := range mt.GetLabel() {
				labels[lp.GetName()] = true
			}
		}
		name := mf.GetName()
		if mf.GetType().String() == "HISTOGRAM" {
			add(name+"_sum", labels)
			add(name+"_count", labels)
			labels["le"] = true
			add(name+"_bucket", labels)
			continue
		}
		add(name, labels)
	}
	for _, want := range []string{"vigie_repo_score", "vigie_repo_check_score", "vigie_repo_last_commit_timestamp_seconds", "vigie_repo_up",
		"vigie_crawl_last_success_timestamp_seconds", "vigie_crawl_duration_seconds_bucket", "vigie_forge_requests_total", "vigie_forge_rate_limit_remaining",
		"vigie_repo_openness_degree", "vigie_repo_checklist_met", "vigie_repo_checklist_applicable", "vigie_repo_codegouv_score"} {
		if out[want] == nil {
			t.Fatalf("the registry does not export %s", want)
		}
	}
	// Prometheus's own series for every target.
	out["up"] = map[string]bool{}
	return out
}

// Labels Prometheus attaches to every scraped series.
var targetLabels = map[string]bool{"job": true, "instance": true}

// Grafana variables, replaced by plausible values so the queries parse.
var grafanaVars = strings.NewReplacer(
	"$__rate_interval", "5m", "$__interval", "1m", "$__range", "1d",
	"$defi", "x", "$repo", "x", "$threshold", "50", "$dormant_days", "90",
)

// checkExpr parses a PromQL query and reports every metric or label it
// names that vigie does not export.
func checkExpr(known map[string]map[string]bool, expr string) []string {
	e, err := parser.NewParser(parser.Options{}).ParseExpr(grafanaVars.Replace(expr))
	if err != nil {
		return []string{fmt.Sprintf("does not parse: %v", err)}
	}
	allLabels := map[string]bool{}
	for _, ls := range known {
		for l := range ls {
			allLabels[l] = true
		}
	}
	var problems []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		switch n := n.(type) {
		case *parser.VectorSelector:
			labels, ok := known[n.Name]
			if !ok {
				problems = append(problems, "unknown metric "+n.Name)
				return nil
			}
			for _, m := range n.LabelMatchers {
				if m.Name != "__name__" && !labels[m.Name] && !targetLabels[m.Name] {
					problems = append(problems, fmt.Sprintf("%s has no label %q", n.Name, m.Name))
				}
			}
		case *parser.AggregateExpr:
			for _, l := range n.Grouping {
				if !allLabels[l] && !targetLabels[l] {
					problems = append(problems, fmt.Sprintf("grouping by unknown label %q", l))
				}
			}
		}
		return nil
	})
	return problems
}

func TestCheckExprCatchesMistakes(t *testing.T) {
	known := exported(t)
	for expr, want := range map[string]bool{
		`avg by (defi) (vigie_repo_score{defi=~"$defi"})`: true,
		`vigie_repo_scores`:                false, // typo in the name
		`vigie_repo_score{check="ci"}`:     false, // label of another metric
		`sum by (team) (vigie_repo_score)`: false,
		`vigie_repo_score{`:                false,
	} {
		if got := len(checkExpr(known, expr)) == 0; got != want {
			t.Errorf("checkExpr(%q) accepted=%v, want %v", expr, got, want)
		}
	}
}

type panel struct {
	Title   string  `json:"title"`
	Type    string  `json:"type"`
	Panels  []panel `json:"panels"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	Datasource *struct {
		UID string `json:"uid"`
	} `json:"datasource"`
}

type dashboard struct {
	UID        string  `json:"uid"`
	Title      string  `json:"title"`
	Panels     []panel `json:"panels"`
	Templating struct {
		List []struct {
			Name       string `json:"name"`
			Type       string `json:"type"`
			Definition string `json:"definition"`
		} `json:"list"`
	} `json:"templating"`
}

var labelValues = regexp.MustCompile(`^label_values\((\w+),\s*(\w+)\)$`)

func TestDashboardsQueryOnlyExportedMetrics(t *testing.T) {
	known := exported(t)
	files, _ := filepath.Glob("grafana/dashboards/*.json")
	if len(files) < 3 {
		t.Fatalf("expected the overview, repository and crawl dashboards, found %v", files)
	}
	uids := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d dashboard
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if d.UID == "" || uids[d.UID] {
			t.Errorf("%s: missing or duplicate uid %q", f, d.UID)
		}
		uids[d.UID] = true
		for _, v := range d.Templating.List {
			if v.Type != "query" {
				continue
			}
			m := labelValues.FindStringSubmatch(v.Definition)
			if m == nil || !known[m[1]][m[2]] {
				t.Errorf("%s: variable %s queries %q, not an exported metric and label", f, v.Name, v.Definition)
			}
		}
		n := 0
		var walk func([]panel)
		walk = func(ps []panel) {
			for _, p := range ps {
				walk(p.Panels)
				if p.Type != "row" && (p.Datasource == nil || p.Datasource.UID != "vigie-prometheus") {
					t.Errorf("%s: panel %q does not use the provisioned data source", f, p.Title)
				}
				for _, tg := range p.Targets {
					n++
					for _, pb := range checkExpr(known, tg.Expr) {
						t.Errorf("%s: panel %q: %s\n\t%s", f, p.Title, pb, tg.Expr)
					}
				}
			}
		}
		walk(d.Panels)
		if n == 0 {
			t.Errorf("%s: no query", f)
		}
	}
	// The repository drill-down is driven by its repo variable.
	b, _ := os.ReadFile("grafana/dashboards/vigie-repo.json")
	if !strings.Contains(string(b), `"name": "repo"`) || !strings.Contains(string(b), `repo=\"$repo\"`) {
		t.Error("vigie-repo.json should select its series with the repo variable")
	}
}

type ruleFile struct {
	Groups []struct {
		Rules []struct {
			Alert string `yaml:"alert"`
			Expr  string `yaml:"expr"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

func TestAlerts(t *testing.T) {
	known := exported(t)
	b, err := os.ReadFile("prometheus/alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rf ruleFile
	if err := yaml.Unmarshal(b, &rf); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range rf.Groups {
		for _, r := range g.Rules {
			names = append(names, r.Alert)
			for _, pb := range checkExpr(known, r.Expr) {
				t.Errorf("alert %s: %s", r.Alert, pb)
			}
		}
	}
	sort.Strings(names)
	for _, want := range []string{"VigieCrawlStale", "VigieRateLimitLow", "VigieScoreDropped"} {
		if i := sort.SearchStrings(names, want); i == len(names) || names[i] != want {
			t.Errorf("alerts.yml lacks %s", want)
		}
	}

	promtool := testtool.Find(t, "VIGIE_PROMTOOL", "promtool")
	for _, args := range [][]string{
		{"check", "rules", "alerts.yml"},
		{"test", "rules", "alerts_test.yml"},
		{"check", "config", "prometheus.yml"},
		{"check", "config", "prometheus-compose.yml"},
	} {
		cmd := exec.Command(promtool, args...)
		cmd.Dir = "prometheus"
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

func TestProvisioning(t *testing.T) {
	for _, f := range []string{"grafana/provisioning/datasources/vigie.yaml", "grafana/provisioning/dashboards/vigie.yaml", "grafana/datasource-compose.yaml"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := yaml.Unmarshal(b, &v); err != nil || v["apiVersion"] != 1 {
			t.Errorf("%s: not a Grafana provisioning file (%v)", f, err)
		}
	}
	for _, f := range []string{"grafana/provisioning/datasources/vigie.yaml", "grafana/datasource-compose.yaml"} {
		b, _ := os.ReadFile(f)
		if !strings.Contains(string(b), "uid: vigie-prometheus") {
			t.Errorf("%s: the data source must keep the uid the dashboards use", f)
		}
	}
}

// TestEveryRepoSeriesHasAPanel: each per-repository series vigie exports
// is drawn by at least one Grafana panel, so a new figure does not stay
// invisible to coaches.
func TestEveryRepoSeriesHasAPanel(t *testing.T) {
	var all strings.Builder
	files, _ := filepath.Glob("grafana/dashboards/*.json")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	for name := range exported(t) {
		if !strings.HasPrefix(name, "vigie_repo_") {
			continue
		}
		if !regexp.MustCompile(`\b` + name + `\b`).MatchString(all.String()) {
			t.Errorf("no dashboard panel queries %s", name)
		}
	}
}
