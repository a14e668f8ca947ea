package main

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegitea"
)

// Life after the défi: an ended défi whose code lives on (handed over to
// new authors, on GitHub and GitLab) and one repository that went dormant
// at the end, through `vigie crawl` (GraphQL and REST alike) and the weekly
// report built on the stored crawl.
func TestEndedDefiContinuity(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	paris := mustParis(t)
	endDay := now.Add(-day(400)).In(paris).Format(time.DateOnly)
	commit := func(d float64, name, email, login string) fakeforge.Commit {
		return fakeforge.Commit{AuthorName: name, AuthorEmail: email, Login: login, Date: now.Add(-day(d))}
	}
	base := func(path string, cs ...fakeforge.Commit) fakeforge.Repo {
		return fakeforge.Repo{Path: path, DefaultBranch: "main", CreatedAt: now.Add(-day(900)), License: "MIT",
			Files:   map[string]string{"LICENSE": mitText, "README.md": "# Outil\n\nUn outil développé pendant le défi, toujours utilisé par les agents.\n"},
			Commits: cs, Forks: 12, Watchers: 3}
	}
	livesOn := base("eig/lives-on",
		commit(1, "New Dev", "nd@example.org", "newdev"),
		commit(10, "Jane", "jane@example.org", ""), // in the team by e-mail
		commit(200, "New Dev", "nd@example.org", "newdev"),
		commit(300, "Other", "other@example.org", ""),
		commit(450, "Octo", "octo@example.org", "octocat"), // before the end
		commit(500, "Octo", "octo@example.org", "octocat"))
	dormant := base("eig/went-quiet",
		commit(450, "Octo", "octo@example.org", "octocat"),
		commit(600, "Jane", "jane@example.org", ""))
	alive := base("grp/sub/alive",
		commit(5, "X", "X@Example.org", ""),
		commit(100, "Jane", "jane@example.org", ""),
		commit(800, "Jane", "jane@example.org", ""))
	vivant := base("eig/vivant",
		commit(3, "Zed", "zed@example.org", "zed"),
		commit(50, "Jane", "jane@example.org", ""),
		commit(700, "Octo", "octo@example.org", "octocat"))
	f := startForges(t, []fakeforge.Repo{livesOn, dormant}, []fakeforge.Repo{alive})
	gitea := httptest.NewServer(fakegitea.New([]fakeforge.Repo{vivant}, fakegitea.Options{}))
	t.Cleanup(gitea.Close)
	cfg := f.config(t, "https://github.com/eig/lives-on", "https://github.com/eig/went-quiet", "https://gitlab.com/grp/sub/alive")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	withEnd := strings.Replace(string(b), "    name: Défi de test\n", "    name: Défi de test\n    ended: "+endDay+"\n    team: [octocat, jane@example.org]\n", 1)
	withEnd = strings.Replace(withEnd, "defis:\n", fmt.Sprintf("  - {name: codeberg, type: gitea, url: https://codeberg.org, api_url: %q}\ndefis:\n", gitea.URL), 1)
	withEnd = strings.Replace(withEnd, "      - https://gitlab.com/grp/sub/alive\n", "      - https://gitlab.com/grp/sub/alive\n      - https://codeberg.org/eig/vivant\n", 1)
	if err := os.WriteFile(cfg, []byte(withEnd), 0o600); err != nil {
		t.Fatal(err)
	}
	share := func(v float64) *float64 { return &v }
	want := map[string]checks.Continuity{
		"github.com/eig/lives-on":   {DefiEnded: endDay, CommitsSinceEnd: 4, AuthorsSinceEnd: 3, AuthorsOutsideTeam90d: 1, TopAuthorShare90d: share(0.5)},
		"github.com/eig/went-quiet": {DefiEnded: endDay},
		"gitlab.com/grp/sub/alive":  {DefiEnded: endDay, CommitsSinceEnd: 2, AuthorsSinceEnd: 2, AuthorsOutsideTeam90d: 1, TopAuthorShare90d: share(1)},
		"codeberg.org/eig/vivant":   {DefiEnded: endDay, CommitsSinceEnd: 2, AuthorsSinceEnd: 2, AuthorsOutsideTeam90d: 1, TopAuthorShare90d: share(0.5)},
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		cmd  []string
	}{
		{"check over REST", nil, []string{"check", "--config", cfg, "--format", "json", "https://github.com/eig/lives-on", "https://github.com/eig/went-quiet", "https://gitlab.com/grp/sub/alive", "https://codeberg.org/eig/vivant"}},
		{"crawl over GraphQL", map[string]string{"TEST_GH_TOKEN": "t", "TEST_GL_TOKEN": "t"}, []string{"crawl", "--config", cfg, "--format", "json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := runVigie(t, tc.env, tc.cmd...)
			if out.code != 0 {
				t.Fatalf("exit %d:\n%s", out.code, out.stderr)
			}
			rs := decode(t, out.stdout)
			if len(rs) != len(want) {
				t.Fatalf("%d results, want %d", len(rs), len(want))
			}
			for _, r := range rs {
				if r.Continuity == nil {
					t.Errorf("%s: no continuity", r.Repo)
					continue
				}
				if got, w := mustJSONString(t, r.Continuity), mustJSONString(t, want[r.Repo]); got != w {
					t.Errorf("%s: continuity\n got %s\nwant %s", r.Repo, got, w)
				}
				// Licence, README, no description, 12 forks, 3 watchers
				// (GitLab counts none).
				wantScore := 1000 + 100 - 100 + 100 + 10
				if strings.HasPrefix(r.Repo, "gitlab.com/") {
					wantScore -= 10
				}
				if r.CodegouvScore == nil || *r.CodegouvScore != wantScore {
					t.Errorf("%s: code.gouv.fr score %s, want %d", r.Repo, mustJSONString(t, r.CodegouvScore), wantScore)
				}
			}
		})
	}

	// The text output says the degree, what reaches the next, the missing
	// items and what to do about each, and the life after the défi.
	text := runVigie(t, nil, "check", "--config", cfg, "https://github.com/eig/lives-on")
	if text.code != 0 {
		t.Fatalf("check (text) exit %d:\n%s", text.code, text.stderr)
	}
	for _, want := range []string{
		"openness  degree 0 of 8 (EIG guide)",
		"next: maintenance, not met:",
		"checklist 2 of 17 met",
		"- topics: Ajoutez au dépôt les sujets (topics) entrepreneur-interet-general et eig-<année>",
		"- publiccode: Ajoutez à la racine un publiccode.yml",
		"code.gouv.fr score 1110",
		"since the défi ended (" + endDay + "): commits 4, authors 3; last 90 days: authors outside the team 1, busiest author's share 50%",
	} {
		if !strings.Contains(text.stdout, want) {
			t.Errorf("check's text lacks %q:\n%s", want, text.stdout)
		}
	}

	year, week := now.In(paris).ISOWeek()
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
		Repos []struct {
			Repo            string             `json:"repo"`
			Openness        *int               `json:"openness"`
			Continuity      *checks.Continuity `json:"continuity"`
			ContinuityState string             `json:"continuity_state"`
		} `json:"repos"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, r := range rep.Repos {
		states[r.Repo] = r.ContinuityState
		if r.Openness == nil || r.Continuity == nil || r.Continuity.CommitsSinceEnd != want[r.Repo].CommitsSinceEnd {
			t.Errorf("%s in the report: openness %v, continuity %+v", r.Repo, r.Openness, r.Continuity)
		}
	}
	for repo, w := range map[string]string{"github.com/eig/lives-on": "handed_over", "github.com/eig/went-quiet": "dormant", "gitlab.com/grp/sub/alive": "handed_over", "codeberg.org/eig/vivant": "handed_over"} {
		if states[repo] != w {
			t.Errorf("%s: %q in the report, want %q", repo, states[repo], w)
		}
	}
}

func mustJSONString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
