package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"encoding/json"

	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegitlab"
)

// Without a token GitLab answers GET /projects/:id with a reduced entity
// that says neither whether the project is archived nor its open issues.
// vigie check, without a token, still scores an archived project as
// archived: from GraphQL when the instance answers it, else from the
// group's listing (full entity, token or not). A user's project on an
// instance without GraphQL has no such answer: archived is then said
// unknown, not guessed.
func TestAcceptGitLabAnonymousArchived(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	type want struct {
		archived, unknown bool
		activity          int // activity check's score
		tracker           bool
	}
	tests := []struct {
		name    string
		graphQL bool
		cases   map[string]want // by path
	}{
		{"REST alone", false, map[string]want{
			"eig/sub/archive": {archived: true, activity: 0, tracker: true},
			"eig/actif":       {activity: 10, tracker: true},
			"eig/sans-ticket": {activity: 10},
			"marie/archive":   {unknown: true, activity: 10},
		}},
		{"GraphQL", true, map[string]want{
			"eig/sub/archive": {archived: true, activity: 0, tracker: true},
			"eig/actif":       {activity: 10, tracker: true},
			"eig/sans-ticket": {activity: 10},
			"marie/archive":   {archived: true, activity: 0, tracker: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var repos []fakeforge.Repo
			var urls []string
			for _, p := range []string{"eig/sub/archive", "eig/actif", "eig/sans-ticket", "marie/archive"} {
				r := fakeforge.Repo{Path: p, DefaultBranch: "main", CreatedAt: now.Add(-day(400)), License: "MIT", OpenIssues: 3,
					Archived: strings.HasSuffix(p, "/archive"), UserOwned: strings.HasPrefix(p, "marie/"),
					Files: map[string]string{"LICENSE": mitText, "README.md": "# Outil\n", ".gitlab-ci.yml": "t: {script: [true]}"}}
				if p == "eig/sans-ticket" {
					r.OpenIssues = -1
				}
				for i := range 6 {
					r.Commits = append(r.Commits, fakeforge.Commit{AuthorEmail: "a@example.org", Date: now.Add(-day(float64(1 + 3*i)))})
				}
				repos = append(repos, r)
				urls = append(urls, "https://gitlab.com/"+p)
			}
			g := fakegitlab.NewGitLab(repos)
			g.SetGraphQL(tt.graphQL)
			srv := httptest.NewServer(g)
			defer srv.Close()
			dir := t.TempDir()
			cfg := filepath.Join(dir, "vigie.yml")
			body := fmt.Sprintf("forges:\n  - {name: gitlab, type: gitlab, url: https://gitlab.com, api_url: %q, token_env: ANON_GL_TOKEN}\n"+
				"defis:\n  - {slug: anon, name: Anonyme, orgs: [https://gitlab.com/eig]}\n"+
				"storage: {driver: sqlite, dsn: %q}\n", srv.URL, filepath.Join(dir, "vigie.db"))
			if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			out := runVigie(t, nil, append([]string{"check", "--config", cfg, "--format", "json"}, urls...)...)
			if out.code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", out.code, out.stderr)
			}
			rs := glaDecode(t, out.stdout)
			if len(rs) != len(urls) {
				t.Fatalf("%d results for %d URLs", len(rs), len(urls))
			}
			for _, r := range rs {
				w, ok := tt.cases[strings.TrimPrefix(r.Repo, "gitlab.com/")]
				if !ok || r.Error != "" || r.Score == nil {
					t.Errorf("%s: error %q score %v", r.Repo, r.Error, r.Score)
					continue
				}
				var act map[string]any
				var actScore int
				for _, c := range r.Checks {
					if c.Name == "activity" {
						act, actScore = c.Details, c.Score
					}
				}
				if act["archived"] != w.archived || actScore != w.activity {
					t.Errorf("%s: archived %v, activity %d; want %v, %d", r.Repo, act["archived"], actScore, w.archived, w.activity)
				}
				if _, said := act["archived_unknown"]; said != w.unknown {
					t.Errorf("%s: archived_unknown said %v, want %v", r.Repo, said, w.unknown)
				}
			}
			// The open issues: the bug_tracker criterion of the openness
			// assessment reads them.
			for _, r := range rs {
				w := tt.cases[strings.TrimPrefix(r.Repo, "gitlab.com/")]
				if got := bugTracker(t, out.stdout, r.Repo); got != w.tracker {
					t.Errorf("%s: bug_tracker met %v, want %v", r.Repo, got, w.tracker)
				}
			}
		})
	}
}

// bugTracker reads whether the openness assessment of repo meets its
// bug_tracker criterion.
func bugTracker(t *testing.T, stdout, repo string) bool {
	t.Helper()
	var rs []struct {
		Repo     string `json:"repo"`
		Openness *struct {
			Criteria []struct {
				Name string `json:"name"`
				Met  bool   `json:"met"`
			} `json:"criteria"`
		} `json:"openness"`
	}
	if err := json.Unmarshal([]byte(stdout), &rs); err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Repo != repo || r.Openness == nil {
			continue
		}
		for _, c := range r.Openness.Criteria {
			if c.Name == "bug_tracker" {
				return c.Met
			}
		}
	}
	t.Fatalf("%s: no bug_tracker criterion", repo)
	return false
}
