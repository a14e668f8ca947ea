package checks

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/crawler/licenseid"
	"github.com/eiglink/vigie/internal/testtool"
)

// realRepo is one file of shared/data/real-repos.
type realRepo struct {
	DefaultBranch string                     `json:"default_branch"`
	Archived      bool                       `json:"archived"`
	ForgeLicense  string                     `json:"forge_license"`
	Files         map[string]json.RawMessage `json:"files"`
	Commits       []struct {
		DaysAgo float64 `json:"days_ago"`
		Author  string  `json:"author"`
		// Runs of old commits come grouped: Count commits between
		// FromDaysAgo (the newest) and ToDaysAgo.
		Count       int     `json:"count"`
		FromDaysAgo float64 `json:"from_days_ago"`
		ToDaysAgo   float64 `json:"to_days_ago"`
	} `json:"commits"`
}

// loadRealFacts builds the facts a crawl would gather from one real
// repository, as of its reference time: the tree, the licence files
// identified through licenseid, the README the forge shows, the CI files,
// and the commits. The data holds no CI result, so a configured CI is
// "unknown" and none is "none".
func loadRealFacts(t *testing.T, root, repo string, now time.Time) crawler.Facts {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "github", repo+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var d realRepo
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	f := crawler.Facts{
		Ref:           crawler.Ref{Forge: "github", Host: "github.com", Path: repo, URL: "https://github.com/" + repo},
		CrawledAt:     now,
		DefaultBranch: d.DefaultBranch,
		Archived:      d.Archived,
	}
	texts := map[string]string{}
	var paths []string
	for p, raw := range d.Files {
		var text string
		size := int64(-1)
		if json.Unmarshal(raw, &text) == nil {
			texts[p] = text
			size = int64(len(text))
		} else {
			var meta struct {
				Bytes int64 `json:"bytes"`
			}
			if err := json.Unmarshal(raw, &meta); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			size = meta.Bytes
		}
		f.Files = append(f.Files, crawler.File{Path: p, Size: size})
		paths = append(paths, p)
	}
	sort.Slice(f.Files, func(i, j int) bool { return f.Files[i].Path < f.Files[j].Path })
	sort.Strings(paths)

	for _, p := range paths {
		if path.Dir(p) != "." || !crawler.IsLicenseFile(p) {
			continue
		}
		lf := crawler.LicenseFile{Path: p, Bytes: int64(len(texts[p]))}
		lf.SPDX, lf.Coverage = licenseid.Identify([]byte(texts[p]))
		f.License.Files = append(f.License.Files, lf)
	}
	f.License.ForgeSPDX = d.ForgeLicense
	if d.ForgeLicense != "" && len(f.License.Files) > 0 {
		f.License.ForgePath = f.License.Files[0].Path
	}
	if i := crawler.PickReadme(f.Files, ".github", "", "docs"); i >= 0 {
		p := f.Files[i].Path
		f.Readme = crawler.ReadmeFacts{Path: p, Bytes: f.Files[i].Size, Text: texts[p]}
	}
	f.CI.Systems, f.CI.Files = crawler.CISystems(f.Files)
	f.CI.Status = crawler.StatusNone
	if len(f.CI.Systems) > 0 {
		f.CI.Status = crawler.StatusUnknown
	}
	f.Community = crawler.Community(f.Files)
	authors := map[string]bool{}
	daysAgo := func(d float64) time.Time { return now.Add(-time.Duration(d * float64(24*time.Hour))) }
	for _, c := range d.Commits {
		newest, n := daysAgo(c.DaysAgo), 1
		if c.Count > 0 {
			newest, n = daysAgo(c.FromDaysAgo), c.Count
			// A group straddling the window's edge is not in this data;
			// refuse to guess rather than miscount.
			if c.FromDaysAgo <= 90 && c.ToDaysAgo > 90 {
				t.Fatalf("%s: a commit group straddles the 90-day window", repo)
			}
		}
		if newest.After(f.Activity.LastCommitAt) {
			f.Activity.LastCommitAt = newest
		}
		if now.Sub(newest) <= crawler.Window {
			f.Activity.Commits90d += n
			authors[c.Author] = true
		}
	}
	f.Activity.Contributors90d = len(authors)
	f.Empty = len(d.Commits) == 0
	return f
}

// Scoring the 14 real défi repositories as they stood at their last commit.
func TestRealRepositories(t *testing.T) {
	root := testtool.RealRepos(t)
	b, err := os.ReadFile(filepath.Join(root, "REFERENCE.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref map[string]json.RawMessage
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	type want struct {
		spdx, licenseFile string
		license           int
		readmeFile        string
		readmeMin         int // README rules may evolve: a floor, or a ceiling for the poor ones
		readmeMax         int
		systems           []string
		ci                int // -1: does not apply (archived)
		activity          int // likewise
	}
	actions, gitlab, travis := []string{crawler.CIGitHubActions}, []string{crawler.CIGitLabCI}, []string{crawler.CITravis}
	tests := map[string]want{
		"MTES-MCT/monitorfish":              {"AGPL-3.0", "LICENCE", 10, "README.md", 7, 10, actions, 6, 10},
		"Cour-de-cassation/label":           {"MIT", "LICENSE", 10, "README.md", 7, 10, []string{crawler.CIGitHubActions, crawler.CIGitLabCI}, 6, 10},
		"DNUM-SocialGouv/champollion-front": {"Apache-2.0", "LICENSE", 10, "README.md", 7, 10, gitlab, 6, 10},
		"MTES-MCT/rapportNav":               {"MIT", "LICENSE", 10, "README.md", 9, 10, []string{crawler.CICircleCI}, 6, 10},
		// GitHub says NOASSERTION: the file is the end of the GPL with an
		// "or later" notice; vigie names it.
		"SocialGouv/autosuggest":       {"GPL-3.0", "LICENSE", 10, "README.rst", 6, 10, travis, 6, 10},
		"ecolabdata/france-transition": {"", "", 0, "README.md", 0, 3, actions, 6, 10},
		// GitHub says NOASSERTION: MIT after a French preamble.
		"entrepreneur-interet-general/Merge-Machine": {"MIT", "LICENSE.txt", 10, "README.md", 7, 10, nil, 0, 8},
		"entrepreneur-interet-general/api-ccomptes":  {"AGPL-3.0", "LICENSE", 10, "README.md", 6, 10, nil, 0, 7},
		// GitHub says NOASSERTION: the Licence Ouverte 2.0 in Markdown.
		"entrepreneur-interet-general/brigade-numerique": {"etalab-2.0", "LICENSE.md", 10, "readme.md", 5, 10, nil, 0, 7},
		"entrepreneur-interet-general/cartav":            {"", "", 0, "README.md", 6, 10, nil, 0, 10},
		"entrepreneur-interet-general/dataESR":           {"", "", 0, "README.md", 3, 7, travis, 6, 10},
		// COPYING is the licence; elk/LICENSE is a component's, not the
		// repository's.
		"entrepreneur-interet-general/enki":              {"GPL-3.0", "COPYING", 10, "README.md", 6, 10, gitlab, 6, 10},
		"entrepreneur-interet-general/opencollectivites": {"AGPL-3.0", "LICENSE", 10, "README.md", 5, 10, actions, -1, -1}, // archived
		"ia-flash/matchvec":                              {"Apache-2.0", "LICENSE.md", 10, "README.md", 6, 10, actions, 6, 8},
	}
	var repos []string
	for k := range ref {
		if strings.HasPrefix(k, "github.com/") {
			repos = append(repos, strings.TrimPrefix(k, "github.com/"))
		}
	}
	if len(repos) != len(tests) {
		t.Errorf("%d real repositories, %d expectations", len(repos), len(tests))
	}
	for _, repo := range repos {
		t.Run(repo, func(t *testing.T) {
			w, ok := tests[repo]
			if !ok {
				t.Fatalf("no expectation for %s", repo)
			}
			var at string
			if err := json.Unmarshal(ref["github.com/"+repo], &at); err != nil {
				t.Fatal(err)
			}
			now, err := time.Parse(time.RFC3339, at)
			if err != nil {
				t.Fatal(err)
			}
			r := Score(loadRealFacts(t, root, repo, now), Options{})
			if r.Score == nil || len(r.Checks) != 4 {
				t.Fatalf("result %+v", r)
			}
			l, rd, ci, act := r.Checks[0], r.Checks[1], r.Checks[2], r.Checks[3]
			if l.Details["spdx_id"] != w.spdx || l.Details["file"] != w.licenseFile || l.Score != w.license {
				t.Errorf("license %v %v %d, want %q %q %d (%s)", l.Details["spdx_id"], l.Details["file"], l.Score, w.spdx, w.licenseFile, w.license, l.Reason)
			}
			if rd.Details["file"] != w.readmeFile || rd.Score < w.readmeMin || rd.Score > w.readmeMax {
				t.Errorf("readme %v %d, want %s in %d..%d (%s)", rd.Details["file"], rd.Score, w.readmeFile, w.readmeMin, w.readmeMax, rd.Reason)
			}
			if w.systems == nil {
				w.systems = []string{}
			}
			if got := ci.Details["systems"]; !reflect.DeepEqual(got, w.systems) || r.Mark(NameCI) == nil != (w.ci < 0) || w.ci >= 0 && ci.Score != w.ci {
				t.Errorf("ci %v %v, want %v %d", got, r.Mark(NameCI), w.systems, w.ci)
			}
			// Each reference time is one day after the last commit.
			if got, want := act.Details["last_commit_at"], now.Add(-24*time.Hour).Format(time.RFC3339); got != want {
				t.Errorf("last_commit_at %v, want %s", got, want)
			}
			if r.Mark(NameActivity) == nil != (w.activity < 0) || w.activity >= 0 && act.Score != w.activity {
				t.Errorf("activity %v, want %d (%s)", r.Mark(NameActivity), w.activity, act.Reason)
			}
			for _, c := range r.Checks {
				checkWording(t, c)
			}
		})
	}
}

// The programme's profile of the 14 real défi repositories, as
// docs/scoring.md lists them (degree, next criterion, checklist items met,
// code.gouv.fr score): the table there must be what vigie computes.
func TestRealRepositoriesProfile(t *testing.T) {
	root := testtool.RealRepos(t)
	b, err := os.ReadFile(filepath.Join(root, "REFERENCE.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref map[string]json.RawMessage
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join("..", "docs", "scoring.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(doc), "<!-- real-repos:begin -->")
	table, _, ok2 := strings.Cut(table, "<!-- real-repos:end -->")
	if !ok || !ok2 {
		t.Fatal("docs/scoring.md has no real-repos table")
	}
	documented := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(table), "\n")[2:] {
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		documented[strings.TrimSpace(cells[0])] = line
	}
	n := 0
	for k, raw := range ref {
		repo, ok := strings.CutPrefix(k, "github.com/")
		if !ok {
			continue
		}
		n++
		var at string
		if err := json.Unmarshal(raw, &at); err != nil {
			t.Fatal(err)
		}
		now, err := time.Parse(time.RFC3339, at)
		if err != nil {
			t.Fatal(err)
		}
		r := Score(loadRealFacts(t, root, repo, now), Options{})
		next := "-"
		if c := r.Openness.Next(); c != nil {
			next = c.Name
		}
		var met []string
		applicable := 0
		for _, it := range r.Checklist {
			if it.Applicable {
				applicable++
			}
			if it.Met {
				met = append(met, it.ID)
			}
		}
		if applicable != 16 {
			t.Errorf("%s: %d items apply, the docs say 16", repo, applicable)
		}
		got := fmt.Sprintf("| %s | %d | %s | %s | %d |", repo, r.Openness.Degree, next, strings.Join(met, ", "), *r.CodegouvScore)
		if documented[repo] != got {
			t.Errorf("docs/scoring.md says\n%s\nvigie computes\n%s", documented[repo], got)
		}
		if r.Openness.Degree == 1 {
			t.Errorf("%s: degree 1 on a forge", repo)
		}
	}
	if n != 14 || len(documented) != 14 {
		t.Errorf("%d real repositories, %d documented", n, len(documented))
	}
}
