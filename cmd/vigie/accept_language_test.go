package main

import (
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/internal/fakeforge"
)

// frenchRE finds French in a text: its accented letters and quotes, and
// words English does not use.
var frenchRE = regexp.MustCompile(`[àâçéèêëîïôùûü«»]|\b(?i:le|la|les|du|des|une|est|aucun|aucune|dépôt|ajoutez|sur)\b`)

// languageRun is one programme crawled and reported in one language.
type languageRun struct {
	results []checks.Result // as `vigie crawl` printed them
	check   string          // `vigie check`'s table
	data    struct {
		Language  string `json:"language"`
		Attention []struct {
			Repo, Check, Remediation string
		} `json:"attention"`
	}
	html string
}

// runInLanguage crawls the usual programme (and two bare repositories) with
// report.language set to lang, then writes this week's report, as a
// deployment does (its HTML read as text).
func runInLanguage(t *testing.T, lang string) languageRun {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	gh, gl := testRepos(now)
	gh = append(gh,
		fakeforge.Repo{Path: "eig/bare", DefaultBranch: "main", Language: "Python", CreatedAt: now.Add(-day(700)),
			Files:   map[string]string{"main.py": "print(1)\n"},
			Commits: []fakeforge.Commit{{AuthorName: "a", AuthorEmail: "a@example.org", Date: now.Add(-day(200))}}},
		fakeforge.Repo{Path: "eig/empty", CreatedAt: now.Add(-day(30))},
	)
	f := startForges(t, gh, gl)
	var urls []string
	for _, r := range gh {
		urls = append(urls, "https://github.com/"+r.Path)
	}
	for _, r := range gl {
		urls = append(urls, "https://gitlab.com/"+r.Path)
	}
	cfg := f.config(t, urls...)
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, fmt.Sprintf("report: {language: %s}\n", lang)...)
	if err := os.WriteFile(cfg, b, 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TEST_GH_TOKEN": "ghp_x", "TEST_GL_TOKEN": "glpat_x"}

	var run languageRun
	out := runVigie(t, env, append([]string{"check", "--config", cfg}, urls...)...)
	if out.code != 0 {
		t.Fatalf("%s: check exit %d:\n%s", lang, out.code, out.stderr)
	}
	run.check = out.stdout
	out = runVigie(t, env, "crawl", "--config", cfg, "--format", "json")
	if out.code != 0 {
		t.Fatalf("%s: crawl exit %d:\n%s", lang, out.code, out.stderr)
	}
	run.results = decode(t, out.stdout)
	y, w := now.In(mustParis(t)).ISOWeek()
	week := fmt.Sprintf("%d-W%02d", y, w)
	dir := filepath.Join(f.dir, "out")
	if out := runVigie(t, env, "report", "--config", cfg, "--week", week, "--out", dir); out.code != 0 {
		t.Fatalf("%s: report exit %d:\n%s", lang, out.code, out.stderr)
	}
	read := func(ext string) string {
		b, err := os.ReadFile(filepath.Join(dir, week+ext))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if err := json.Unmarshal([]byte(read(".json")), &run.data); err != nil {
		t.Fatal(err)
	}
	run.html = html.UnescapeString(read(".html"))
	return run
}

// With report.language: en, every reason and remediation the checks write,
// and so every one the report shows, is English; French stays the default.
func TestAcceptReportLanguage(t *testing.T) {
	en, fr := runInLanguage(t, "en"), runInLanguage(t, "fr")
	if en.data.Language != "en" || fr.data.Language != "fr" {
		t.Fatalf("report languages %q, %q", en.data.Language, fr.data.Language)
	}
	if len(en.results) != len(fr.results) {
		t.Fatalf("%d results in English, %d in French", len(en.results), len(fr.results))
	}
	english := map[string]bool{}
	remediations := 0
	for i, r := range en.results {
		if r.Error != "" || len(r.Checks) != len(checks.Names()) {
			t.Fatalf("%s: error %q, %d checks", r.Repo, r.Error, len(r.Checks))
		}
		for j, c := range r.Checks {
			frc := fr.results[i].Checks[j]
			for _, s := range []struct{ en, fr string }{{c.Reason, frc.Reason}, {c.Remediation, frc.Remediation}} {
				if s.en == "" && s.fr == "" {
					continue
				}
				if m := frenchRE.FindString(s.en); m != "" || s.en == s.fr {
					t.Errorf("%s %s: %q is not English (%q)", r.Repo, c.Name, s.en, m)
				}
				// The detector would see the French one.
				if frenchRE.FindString(s.fr) == "" {
					t.Errorf("%s %s: French wording %q not told apart", r.Repo, c.Name, s.fr)
				}
				english[s.en] = true
			}
			if c.Remediation != "" {
				remediations++
			}
			// `vigie check` prints what to do about every check below 10.
			if c.Applies() && c.Score < 10 && (!strings.Contains(en.check, c.Reason) || !strings.Contains(fr.check, frc.Reason)) {
				t.Errorf("%s %s: `vigie check` does not print the reason %q", r.Repo, c.Name, c.Reason)
			}
		}
	}
	if remediations < 8 {
		t.Errorf("only %d remediations: the programme does not exercise the checks", remediations)
	}
	// The weak ones but the archived one, a finished project.
	if len(en.data.Attention) < 2 {
		t.Fatalf("attention list has %d repositories, want the 2 weak ones", len(en.data.Attention))
	}
	for _, a := range en.data.Attention {
		if !english[a.Remediation] {
			t.Errorf("%s: the report's remediation %q is not one the English crawl wrote", a.Repo, a.Remediation)
		}
		if !strings.Contains(en.html, a.Remediation) {
			t.Errorf("%s: the report does not show %q", a.Repo, a.Remediation)
		}
	}
	for _, a := range fr.data.Attention {
		if strings.Contains(en.html, a.Remediation) {
			t.Errorf("the English report shows the French remediation %q", a.Remediation)
		}
	}
}
