package checks

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/crawler"
)

func TestCI(t *testing.T) {
	actions := []string{crawler.CIGitHubActions}
	tests := []struct {
		name     string
		facts    crawler.Facts
		score    int
		status   string
		remedies []string // substrings the remediation must hold
	}{
		{"nothing", crawler.Facts{}, 0, "none", []string{".github/workflows/ci.yml"}},
		{"success", crawler.Facts{CI: crawler.CIFacts{Systems: actions, Status: "success"}}, 10, "success", nil},
		{"running", crawler.Facts{CI: crawler.CIFacts{Systems: actions, Status: "running"}}, 7, "running", nil},
		{"unknown", crawler.Facts{CI: crawler.CIFacts{Systems: []string{crawler.CIGitLabCI}, Status: "unknown"}}, 6, "unknown", nil},
		{"configured, never ran", crawler.Facts{CI: crawler.CIFacts{Systems: actions, Files: []string{".github/workflows/test.yml"}, Status: "none"}, DefaultBranch: "main"},
			3, "none", []string{".github/workflows/test.yml", "main"}},
		{"Travis left behind", crawler.Facts{CI: crawler.CIFacts{Systems: []string{crawler.CITravis}, Files: []string{".travis.yml"}, Status: "none"}, Language: "Python",
			Files: []crawler.File{{Path: "requirements.txt"}}}, 3, "none", []string{"travis-ci.org", "pytest"}},
		{"failure", crawler.Facts{CI: crawler.CIFacts{Systems: actions, Status: "failure", RunURL: "https://github.com/o/r/actions/runs/1"}}, 2, "failure",
			[]string{"https://github.com/o/r/actions/runs/1"}},
		{"statuses without a known configuration", crawler.Facts{CI: crawler.CIFacts{Status: "success"}}, 10, "success", nil},
		{"unexpected status word", crawler.Facts{CI: crawler.CIFacts{Systems: actions, Status: "pending"}}, 6, "unknown", nil},
		{"no CI, GitLab, Node", crawler.Facts{Ref: crawler.Ref{Host: "gitlab.com", Forge: "gitlab"}, Files: []crawler.File{{Path: "package.json"}}},
			0, "none", []string{".gitlab-ci.yml", "npm ci && npm test"}},
		{"no CI, Gitea, Python", crawler.Facts{Ref: crawler.Ref{Host: "codeberg.org", Forge: "codeberg", Type: "gitea"}, Files: []crawler.File{{Path: "requirements.txt"}}},
			0, "none", []string{".gitea/workflows/ci.yml", "pytest"}},
		{"no CI, Go", crawler.Facts{Language: "Go", Files: []crawler.File{{Path: "go.mod"}}}, 0, "none", []string{"go test ./..."}},
		{"no CI, Maven", crawler.Facts{Language: "Java", Files: []crawler.File{{Path: "pom.xml"}}}, 0, "none", []string{"mvn -B verify"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := CI(tt.facts, Options{})
			if c.Score != tt.score {
				t.Errorf("score = %d, want %d (%s)", c.Score, tt.score, c.Reason)
			}
			if got := c.Details["status"]; got != tt.status {
				t.Errorf("status = %v, want %s", got, tt.status)
			}
			for _, s := range tt.remedies {
				if !strings.Contains(c.Remediation, s) {
					t.Errorf("remediation lacks %q: %s", s, c.Remediation)
				}
			}
			checkWording(t, c)
		})
	}
}

// systems is an array in JSON even when nothing is configured.
func TestCISystemsNeverNull(t *testing.T) {
	c := CI(crawler.Facts{}, Options{})
	b, err := json.Marshal(c.Details)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"systems":[]`) {
		t.Errorf("details = %s, want systems []", b)
	}
}

// The suggested configuration is one a forge accepts: a workflow with a
// trigger and a job for GitHub, a job with a script for GitLab.
func TestCISuggestedConfig(t *testing.T) {
	gh := CI(crawler.Facts{Language: "Python", Files: []crawler.File{{Path: "pyproject.toml"}}}, Options{})
	cfg, _ := gh.Details["suggested_config"].(string)
	for _, s := range []string{"on: [push, pull_request]", "actions/checkout@v4", "actions/setup-python@v5", "run: pip install . pytest && pytest"} {
		if !strings.Contains(cfg, s) {
			t.Errorf("GitHub workflow lacks %q:\n%s", s, cfg)
		}
	}
	gl := CI(crawler.Facts{Ref: crawler.Ref{Host: "gitlab.example.gouv.fr", Forge: "gitlab-dgfip"}}, Options{})
	cfg, _ = gl.Details["suggested_config"].(string)
	if gl.Details["suggested_file"] != ".gitlab-ci.yml" || !strings.Contains(cfg, "script:\n    - make test") {
		t.Errorf("GitLab suggestion %v:\n%s", gl.Details["suggested_file"], cfg)
	}
}

func TestCIRunAt(t *testing.T) {
	at := time.Date(2026, 11, 28, 9, 30, 0, 0, time.FixedZone("CET", 3600))
	c := CI(crawler.Facts{CI: crawler.CIFacts{Systems: []string{crawler.CIGitHubActions}, Status: "success", RunAt: at}}, Options{})
	if got := c.Details["run_at"]; got != "2026-11-28T08:30:00Z" {
		t.Errorf("run_at = %v, want UTC RFC 3339", got)
	}
}
