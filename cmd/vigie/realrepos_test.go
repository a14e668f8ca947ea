package main

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/testtool"
)

// TestRealRepos checks the 14 real défi repositories through `vigie check`
// (REST and GraphQL) and compares the contract's details with what the
// fixtures say, read here independently of the crawler's own rules.
func TestRealRepos(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	repos, err := fakeforge.LoadRealRepos(testtool.RealRepos(t), now)
	if err != nil {
		t.Fatal(err)
	}
	f := startForges(t, repos, nil)
	cfg := f.config(t, "https://github.com/x/y")
	var urls []string
	for _, r := range repos {
		urls = append(urls, "https://github.com/"+r.Path)
	}
	for _, env := range []map[string]string{{"TEST_GH_TOKEN": "t0ken"}, {}} {
		out := runVigie(t, env, append([]string{"check", "--config", cfg, "--format", "json"}, urls...)...)
		if out.code != 0 {
			t.Fatalf("exit %d: %s", out.code, out.stderr)
		}
		rs := decode(t, out.stdout)
		for i, r := range rs {
			repo := repos[i]
			// What the fixture says, by the contract's words.
			var licFiles, readme []string
			var systems []string
			for p := range repo.Files {
				base := strings.ToUpper(p)
				if !strings.Contains(p, "/") && (strings.HasPrefix(base, "LICENSE") || strings.HasPrefix(base, "LICENCE") || strings.HasPrefix(base, "COPYING")) {
					licFiles = append(licFiles, p)
				}
				if !strings.Contains(p, "/") && strings.HasPrefix(base, "README") {
					readme = append(readme, p)
				}
				switch {
				case strings.HasPrefix(p, ".github/workflows/"):
					systems = append(systems, "github-actions")
				case p == ".gitlab-ci.yml":
					systems = append(systems, "gitlab-ci")
				case p == ".travis.yml":
					systems = append(systems, "travis")
				case p == ".circleci/config.yml":
					systems = append(systems, "circleci")
				}
			}
			systems = uniq(systems)
			lic := details(t, r, "license")
			if len(licFiles) == 0 && lic["spdx_id"] != "" {
				t.Errorf("%s: spdx_id %v without licence file", r.Repo, lic["spdx_id"])
			}
			if repo.License != "" && repo.License != "NOASSERTION" && lic["spdx_id"] != repo.License {
				t.Errorf("%s: spdx_id = %v, forge says %s", r.Repo, lic["spdx_id"], repo.License)
			}
			if len(licFiles) > 0 && (lic["spdx_id"] == "" || lic["spdx_id"] == "NOASSERTION") {
				t.Errorf("%s: licence files %v not identified (%v)", r.Repo, licFiles, lic["spdx_id"])
			}
			rd := details(t, r, "readme")
			if len(readme) > 0 && rd["file"] == "" {
				t.Errorf("%s: README %v not found", r.Repo, readme)
			}
			if p, _ := rd["file"].(string); p != "" && rd["bytes"] != float64(len(repo.Files[p])) {
				t.Errorf("%s: readme bytes = %v, want %d", r.Repo, rd["bytes"], len(repo.Files[p]))
			}
			ci := details(t, r, "ci")
			if got := toStrings(ci["systems"]); strings.Join(got, ",") != strings.Join(systems, ",") {
				t.Errorf("%s: ci systems = %v, want %v", r.Repo, got, systems)
			}
			act := details(t, r, "activity")
			n := 0
			for _, c := range repo.Commits {
				if c.Date.After(now.Add(-crawler.Window)) {
					n++
				}
			}
			if act["commits_90d"] != float64(n) || act["archived"] != repo.Archived {
				t.Errorf("%s: activity = %v, want %d commits, archived %v", r.Repo, act, n, repo.Archived)
			}
			if len(repo.Commits) > 0 {
				last, _ := time.Parse(time.RFC3339, act["last_commit_at"].(string))
				if !last.Equal(repo.Commits[0].Date.Truncate(time.Second)) {
					t.Errorf("%s: last_commit_at = %v, want %v", r.Repo, last, repo.Commits[0].Date)
				}
			}
			if testing.Verbose() {
				t.Logf("%-55s %3d  lic=%-12v readme=%-22v ci=%v/%v act=%v/%v", r.Repo, *r.Score, lic["spdx_id"], rd["file"], ci["systems"], ci["status"], act["commits_90d"], act["last_commit_at"])
			}
		}
	}
}

func uniq(s []string) []string {
	sort.Strings(s)
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
