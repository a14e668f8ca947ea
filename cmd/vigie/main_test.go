package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub/fakegithubtest"
	"github.com/eiglink/vigie/internal/fakeforge/fakegitlab"
)

// forges starts a fake GitHub and a fake GitLab serving the given
// repositories and returns a configuration file pointing at them.
type forges struct {
	github, gitlab *httptest.Server
	dir            string
}

func startForges(t *testing.T, gh, gl []fakeforge.Repo) *forges {
	t.Helper()
	f := &forges{
		github: httptest.NewServer(fakegithubtest.New(t, gh)),
		gitlab: httptest.NewServer(fakegitlab.NewGitLab(gl)),
		dir:    t.TempDir(),
	}
	t.Cleanup(f.github.Close)
	t.Cleanup(f.gitlab.Close)
	return f
}

// config writes a configuration listing repos (URLs) in one défi.
func (f *forges) config(t *testing.T, repos ...string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `forges:
  - {name: github, type: github, url: https://github.com, api_url: %q, token_env: TEST_GH_TOKEN}
  - {name: gitlab, type: gitlab, url: https://gitlab.com, api_url: %q, token_env: TEST_GL_TOKEN}
defis:
  - slug: test
    name: Défi de test
    repos:
`, f.github.URL, f.gitlab.URL)
	for _, r := range repos {
		fmt.Fprintf(&b, "      - %s\n", r)
	}
	fmt.Fprintf(&b, "storage: {driver: sqlite, dsn: %q}\n", filepath.Join(f.dir, "vigie.db"))
	p := filepath.Join(f.dir, "vigie.yml")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type runOut struct {
	code           int
	stdout, stderr string
}

func runVigie(t *testing.T, env map[string]string, args ...string) runOut {
	t.Helper()
	var out, errOut bytes.Buffer
	start := time.Now()
	defer func() { t.Logf("vigie %s: %v", args[0], time.Since(start)) }()
	code := run(context.Background(), args, &out, &errOut, func(k string) string { return env[k] })
	if testing.Verbose() {
		t.Logf("stderr:\n%s", errOut.String())
	}
	return runOut{code, out.String(), errOut.String()}
}

func day(n float64) time.Duration { return time.Duration(n * 24 * float64(time.Hour)) }

// repos builds a small programme with the usual situations.
func testRepos(now time.Time) (gh, gl []fakeforge.Repo) {
	commits := func(days ...float64) []fakeforge.Commit {
		var cs []fakeforge.Commit
		for i, d := range days {
			cs = append(cs, fakeforge.Commit{AuthorName: fmt.Sprintf("a%d", i%2), AuthorEmail: fmt.Sprintf("a%d@example.org", i%2), Date: now.Add(-day(d))})
		}
		return cs
	}
	gh = []fakeforge.Repo{
		{
			Path: "eig/healthy", DefaultBranch: "main", Description: "Un outil <b>sain</b>", CreatedAt: now.Add(-day(400)),
			License: "MIT",
			Files: map[string]string{
				"LICENSE":                  mitText,
				"README.md":                "# Sain\n\nUn outil pour les coachs.\n\n## Installation\n\n```\nmake\n```\n\n## Utilisation\n\nLancez `make run`.\n",
				".github/workflows/ci.yml": "on: push\n",
			},
			Commits: commits(1, 2, 3, 100, 200),
			CI:      &fakeforge.CIRun{State: "success", Kind: "checks", At: now.Add(-day(1))},
		},
		{
			Path: "eig/dormant", DefaultBranch: "master", Archived: true, CreatedAt: now.Add(-day(900)),
			Files:   map[string]string{"README": "dormant\n"},
			Commits: commits(300, 400),
		},
	}
	gl = []fakeforge.Repo{
		{
			Path: "grp/sub/tool", DefaultBranch: "main", CreatedAt: now.Add(-day(50)), License: "NOASSERTION",
			Files:   map[string]string{"LICENSE": mitText, "README.md": "# Tool\n", ".gitlab-ci.yml": "test:\n  script: [make]\n"},
			Commits: commits(10, 20, 95),
			CI:      &fakeforge.CIRun{State: "failure", Kind: "pipeline", At: now.Add(-day(10))},
		},
	}
	return gh, gl
}

var mitText = fakeforge.MITLicense("2020 Someone")

func decode(t *testing.T, s string) []checks.Result {
	t.Helper()
	var rs []checks.Result
	if err := json.Unmarshal([]byte(s), &rs); err != nil {
		t.Fatalf("stdout is not one JSON array: %v\n%s", err, s)
	}
	return rs
}

func details(t *testing.T, r checks.Result, check string) map[string]any {
	t.Helper()
	c := r.Check(check)
	if c == nil {
		t.Fatalf("%s: no %s check", r.Repo, check)
	}
	return c.Details
}

// TestCheckEndToEnd runs `vigie check --format json` against the fake
// forges, with tokens (GitHub GraphQL) and without (REST), and compares the
// required details with what the forges hold.
func TestCheckEndToEnd(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	gh, gl := testRepos(now)
	f := startForges(t, gh, gl)
	cfg := f.config(t, "https://github.com/eig/healthy")
	urls := []string{"https://github.com/eig/healthy/", "https://github.com/EIG/dormant.git", "https://gitlab.com/grp/sub/tool/-/tree/main"}

	var outputs []string
	for _, env := range []map[string]string{{"TEST_GH_TOKEN": "ghp_secret", "TEST_GL_TOKEN": "glpat_secret"}, {}} {
		out := runVigie(t, env, append([]string{"check", "--config", cfg, "--format", "json"}, urls...)...)
		if out.code != 0 {
			t.Fatalf("exit %d, stderr:\n%s", out.code, out.stderr)
		}
		if strings.Contains(out.stderr, "secret") || strings.Contains(out.stdout, "secret") {
			t.Fatal("a token leaked into the output")
		}
		rs := decode(t, out.stdout)
		if len(rs) != 3 {
			t.Fatalf("got %d results, want 3", len(rs))
		}
		want := []struct {
			repo, defi, spdx, readme, status string
			systems                          []string
			archived                         bool
			commits                          int
			last                             float64
		}{
			{"github.com/eig/healthy", "test", "MIT", "README.md", "success", []string{"github-actions"}, false, 3, 1},
			{"github.com/EIG/dormant", "", "", "README", "none", []string{}, true, 0, 300},
			{"gitlab.com/grp/sub/tool", "", "MIT", "README.md", "failure", []string{"gitlab-ci"}, false, 2, 10},
		}
		for i, w := range want {
			r := rs[i]
			if r.Repo != w.repo || r.Defi != w.defi || r.Error != "" || r.Score == nil {
				t.Errorf("result %d = %s défi %q error %q score %v", i, r.Repo, r.Defi, r.Error, r.Score)
				continue
			}
			if len(r.Checks) < 4 || r.Checks[0].Name != "license" || r.Checks[1].Name != "readme" || r.Checks[2].Name != "ci" || r.Checks[3].Name != "activity" {
				t.Errorf("%s: checks not in contract order", r.Repo)
			}
			if got := details(t, r, "license")["spdx_id"]; got != w.spdx {
				t.Errorf("%s: spdx_id = %v, want %q", r.Repo, got, w.spdx)
			}
			if got := details(t, r, "readme")["file"]; got != w.readme {
				t.Errorf("%s: readme file = %v, want %q", r.Repo, got, w.readme)
			}
			ci := details(t, r, "ci")
			if ci["status"] != w.status || fmt.Sprint(ci["systems"]) != fmt.Sprint(w.systems) {
				t.Errorf("%s: ci = %v %v, want %s %v", r.Repo, ci["status"], ci["systems"], w.status, w.systems)
			}
			act := details(t, r, "activity")
			if act["archived"] != w.archived || act["commits_90d"] != float64(w.commits) {
				t.Errorf("%s: activity = %v", r.Repo, act)
			}
			last, err := time.Parse(time.RFC3339, act["last_commit_at"].(string))
			if err != nil || last.Sub(now.Add(-day(w.last))).Abs() > time.Second {
				t.Errorf("%s: last_commit_at = %v, want %v", r.Repo, act["last_commit_at"], now.Add(-day(w.last)))
			}
		}
		// The same facts whichever API answered; crawled_at aside.
		for i := range rs {
			rs[i].CrawledAt = time.Time{}
		}
		b, _ := json.Marshal(rs)
		outputs = append(outputs, string(b))
	}
	if outputs[0] != outputs[1] {
		t.Errorf("GraphQL and REST crawls differ:\n%s\n%s", outputs[0], outputs[1])
	}
}

func TestCheckExitCodes(t *testing.T) {
	now := time.Now().UTC()
	gh, gl := testRepos(now)
	f := startForges(t, gh, gl)
	cfg := f.config(t, "https://github.com/eig/healthy")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"missing repo", []string{"check", "--config", cfg, "--format", "json", "https://github.com/eig/healthy", "https://github.com/eig/nope"}, 3, ""},
		{"below min score", []string{"check", "--config", cfg, "--min-score", "95", "https://github.com/eig/dormant"}, 1, ""},
		{"at min score", []string{"check", "--config", cfg, "--min-score", "0", "https://github.com/eig/dormant"}, 0, ""},
		{"unknown host", []string{"check", "--config", cfg, "https://bitbucket.org/a/b"}, 2, "bitbucket.org"},
		{"organisation", []string{"check", "--config", cfg, "https://github.com/eig"}, 2, "organisation"},
		{"no url", []string{"check", "--config", cfg}, 2, "URL"},
		{"bad format", []string{"check", "--config", cfg, "--format", "xml", "https://github.com/eig/healthy"}, 2, "xml"},
		{"missing config", []string{"crawl", "--config", filepath.Join(f.dir, "nope.yml")}, 2, "nope.yml"},
		{"crawl without config", []string{"crawl"}, 2, "--config"},
		{"unknown command", []string{"frobnicate"}, 2, "frobnicate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := runVigie(t, nil, tt.args...)
			if out.code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", out.code, tt.code, out.stderr)
			}
			if tt.code == 2 {
				lines := strings.Split(strings.TrimSpace(out.stderr), "\n")
				last := lines[len(lines)-1]
				if !strings.Contains(last, tt.stderr) {
					t.Errorf("stderr %q does not name %q", last, tt.stderr)
				}
			}
		})
	}
	// The repository that failed is still printed, with its error.
	out := runVigie(t, nil, "check", "--config", cfg, "--format", "json", "https://github.com/eig/healthy", "https://github.com/eig/nope")
	rs := decode(t, out.stdout)
	if len(rs) != 2 || rs[0].Error != "" || rs[1].Error == "" || rs[1].Score != nil {
		t.Errorf("results = %+v", rs)
	}
}

func TestCrawlStoresAndImportReport(t *testing.T) {
	now := time.Now().UTC()
	gh, gl := testRepos(now)
	f := startForges(t, gh, gl)
	cfg := f.config(t, "https://github.com/eig/healthy", "https://github.com/eig/dormant", "https://gitlab.com/grp/sub/tool")
	out := runVigie(t, nil, "crawl", "--config", cfg, "--format", "json")
	if out.code != 0 {
		t.Fatalf("crawl exit %d:\n%s", out.code, out.stderr)
	}
	crawled := decode(t, out.stdout)
	if len(crawled) != 3 || crawled[0].Defi != "test" {
		t.Fatalf("crawl printed %+v", crawled)
	}
	// Last week's results, imported, give the report its deltas.
	lastWeek := now.AddDate(0, 0, -7)
	wantDelta := map[string]int{}
	for i := range crawled {
		crawled[i].CrawledAt = lastWeek
		prev := max(*crawled[i].Score-10, 0)
		wantDelta[crawled[i].Repo] = *crawled[i].Score - prev
		crawled[i].Score = &prev
	}
	b, _ := json.Marshal(crawled)
	imp := filepath.Join(f.dir, "last-week.json")
	if err := os.WriteFile(imp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if out := runVigie(t, nil, "import", "--config", cfg, imp); out.code != 0 {
		t.Fatalf("import exit %d:\n%s", out.code, out.stderr)
	}
	bad := filepath.Join(f.dir, "bad.json")
	os.WriteFile(bad, []byte(`{"repo": "x"}`), 0o600)
	if out := runVigie(t, nil, "import", "--config", cfg, bad); out.code != 2 {
		t.Errorf("import of a non-array: exit %d, want 2", out.code)
	}
	year, week := now.In(mustParis(t)).ISOWeek()
	wk := fmt.Sprintf("%d-W%02d", year, week)
	outDir := filepath.Join(f.dir, "out")
	if out := runVigie(t, nil, "report", "--config", cfg, "--week", wk, "--out", outDir); out.code != 0 {
		t.Fatalf("report exit %d:\n%s", out.code, out.stderr)
	}
	data, err := os.ReadFile(filepath.Join(outDir, wk+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Week  string `json:"week"`
		Repos []struct {
			Repo  string `json:"repo"`
			Score *int   `json:"score"`
			Delta *int   `json:"delta"`
		} `json:"repos"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Week != wk || len(rep.Repos) != 3 {
		t.Fatalf("report = %s", data)
	}
	for _, r := range rep.Repos {
		if r.Delta == nil || *r.Delta != wantDelta[r.Repo] {
			t.Errorf("%s: delta = %v, want %d", r.Repo, r.Delta, wantDelta[r.Repo])
		}
	}
	if out := runVigie(t, nil, "report", "--config", cfg, "--week", "2026-W99"); out.code != 2 {
		t.Errorf("report of week 99: exit %d, want 2", out.code)
	}
}

func mustParis(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestVersion(t *testing.T) {
	out := runVigie(t, nil, "version")
	if out.code != 0 || !strings.HasPrefix(out.stdout, "vigie ") || !strings.Contains(out.stdout, "revision") {
		t.Errorf("version = %d %q", out.code, out.stdout)
	}
	bi := func(version string, settings ...string) *debug.BuildInfo {
		info := &debug.BuildInfo{Main: debug.Module{Path: "github.com/eiglink/vigie", Version: version}}
		for i := 0; i+1 < len(settings); i += 2 {
			info.Settings = append(info.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return info
	}
	for _, tt := range []struct {
		linked string
		info   *debug.BuildInfo
		want   string
	}{
		{"dev", bi("v1.4.0", "vcs.revision", "0123456789abcdef0123", "vcs.modified", "false"), "vigie v1.4.0 (revision 0123456789ab)"},
		{"dev", bi("(devel)", "vcs.revision", "0123456789abcdef0123", "vcs.modified", "true"), "vigie dev (revision 0123456789ab, with local changes)"},
		{"v2.0.0", bi("v1.4.0", "vcs.revision", "abc"), "vigie v2.0.0 (revision abc)"},
		{"dev", bi("(devel)"), "vigie dev (revision unknown: built without VCS information)"},
		{"dev", nil, "vigie dev (revision unknown: built without VCS information)"},
	} {
		if got := versionFrom(tt.linked, tt.info); got != tt.want {
			t.Errorf("versionFrom(%q, %v) = %q, want %q", tt.linked, tt.info, got, tt.want)
		}
	}
}
