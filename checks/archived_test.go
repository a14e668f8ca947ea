package checks

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/crawler"
)

// An archived repository is finished, not failing: ci and activity do not
// apply (null in JSON, details still filled), the overall score is over
// licence and README, and no remediation asks to change the read-only
// repository except to unarchive it for a missing licence.
func TestArchived(t *testing.T) {
	now := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	goodReadme := crawler.ReadmeFacts{Path: "README.md", Bytes: 2400, Text: "# Outil\n\nUn outil qui aide les agents à suivre les alertes.\n\n## Installation\n\n```\nmake install\n```\n\n## Utilisation\n\nLancez `outil`.\n\n## Contribuer\n\nOuvrez une issue.\n\n## Licence\n\nMIT\n"}
	base := crawler.Facts{CrawledAt: now, DefaultBranch: "main", Language: "Go", CreatedAt: now.AddDate(-5, 0, 0), Archived: true,
		Activity: crawler.ActivityFacts{LastCommitAt: now.AddDate(-3, 0, 0)}}
	tests := []struct {
		name      string
		edit      func(*crawler.Facts)
		score     int  // overall
		unarchive bool // the licence remediation asks to unarchive
	}{
		{"licence and README: full marks", func(f *crawler.Facts) {
			f.License = crawler.LicenseFacts{ForgeSPDX: "MIT", ForgePath: "LICENSE"}
			f.Readme = goodReadme
		}, 100, false},
		{"no licence: unarchive to add one", func(f *crawler.Facts) {
			f.Readme = goodReadme
		}, 50, true},
		{"no CI, dormant, thin README: only licence and README count", func(f *crawler.Facts) {
			f.License = crawler.LicenseFacts{ForgeSPDX: "Apache-2.0", ForgePath: "LICENSE"}
			f.Readme = crawler.ReadmeFacts{Path: "README.md", Bytes: 40, Text: "# x\n"}
		}, 0, false},
		{"failing CI, other licence", func(f *crawler.Facts) {
			f.License = crawler.LicenseFacts{ForgeSPDX: "ISC", ForgePath: "LICENSE"}
			f.Readme = goodReadme
			f.CI = crawler.CIFacts{Systems: []string{crawler.CIGitHubActions}, Files: []string{".github/workflows/ci.yml"}, Status: crawler.StatusFailure, RunAt: now.AddDate(-3, 0, 0)}
		}, 85, false},
	}
	for _, lang := range []string{"fr", "en"} {
		for _, tt := range tests {
			t.Run(lang+"/"+tt.name, func(t *testing.T) {
				f := base
				tt.edit(&f)
				o := Options{Language: lang}
				r := Score(f, o)
				lic, rd := r.Check(NameLicense), r.Check(NameReadme)
				want := int(float64(lic.Score+rd.Score)*5 + 0.5)
				if tt.name == "licence and README: full marks" {
					want = tt.score
				}
				if r.Score == nil || *r.Score != want {
					t.Fatalf("score %v, want %d (licence %d, README %d)", r.Score, want, lic.Score, rd.Score)
				}
				if tt.name == "licence and README: full marks" && *r.Score != 100 {
					t.Errorf("a finished repository with licence and README scores %d, want 100", *r.Score)
				}
				for _, name := range []string{NameCI, NameActivity} {
					c := r.Check(name)
					if !c.NotApplicable || r.Mark(name) != nil {
						t.Errorf("%s applies to an archived repository", name)
					}
					if c.Remediation != "" || !strings.HasSuffix(c.Reason, ".") {
						t.Errorf("%s: reason %q, remediation %q", name, c.Reason, c.Remediation)
					}
					if len(c.Details) == 0 {
						t.Errorf("%s: no details", name)
					}
				}
				if a := r.Check(NameActivity).Details[DetailArchived]; a != true {
					t.Errorf("activity.archived = %v", a)
				}
				for _, c := range r.Checks {
					rem := strings.ToLower(c.Remediation)
					asksUnarchive := strings.Contains(rem, "désarchivez") || strings.Contains(rem, "unarchive")
					if asksUnarchive != (c.Name == NameLicense && tt.unarchive) {
						t.Errorf("%s remediation %q: unarchive asked %v", c.Name, c.Remediation, asksUnarchive)
					}
					for _, bad := range []string{".github/workflows", "ajoutez à", "add to", "poussez", "push ", "archivez le dépôt", "archive the repository"} {
						if strings.Contains(rem, bad) && !(asksUnarchive && c.Name == NameLicense) {
							t.Errorf("%s remediation asks to change the read-only repository (%q): %q", c.Name, bad, c.Remediation)
						}
					}
				}
				for _, it := range r.Checklist {
					rem := strings.ToLower(it.Remediation)
					if it.Remediation == "" {
						continue
					}
					unarchive := strings.Contains(rem, "désarchivez") || strings.Contains(rem, "unarchive")
					if unarchive != (it.ID == "license_file") || !unarchive && !strings.Contains(rem, "archiv") {
						t.Errorf("checklist %s asks to change the read-only repository: %q", it.ID, it.Remediation)
					}
				}
				b, err := json.Marshal(r)
				if err != nil {
					t.Fatal(err)
				}
				var raw struct {
					Checks []struct {
						Name  string          `json:"name"`
						Score json.RawMessage `json:"score"`
					} `json:"checks"`
				}
				if err := json.Unmarshal(b, &raw); err != nil {
					t.Fatal(err)
				}
				for _, c := range raw.Checks {
					null := string(c.Score) == "null"
					if null != (c.Name == NameCI || c.Name == NameActivity) {
						t.Errorf("JSON %s score %s", c.Name, c.Score)
					}
				}
				var back Result
				if err := json.Unmarshal(b, &back); err != nil {
					t.Fatal(err)
				}
				if !back.Check(NameCI).NotApplicable || back.Check(NameLicense).NotApplicable || back.Check(NameLicense).Score != lic.Score {
					t.Errorf("JSON round trip lost what applies: %+v", back.Checks)
				}
			})
		}
	}
}

// Archiving a dormant repository, as the dormancy advice suggests, does not
// lower its score.
func TestArchivingDoesNotLowerTheScore(t *testing.T) {
	now := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	f := crawler.Facts{CrawledAt: now, DefaultBranch: "main", Language: "Go", CreatedAt: now.AddDate(-5, 0, 0),
		License:  crawler.LicenseFacts{ForgeSPDX: "MIT", ForgePath: "LICENSE"},
		Readme:   crawler.ReadmeFacts{Path: "README.md", Bytes: 900, Text: "# Outil\n\nUn outil pour les agents.\n\n## Installation\n\n```\nmake\n```\n"},
		Activity: crawler.ActivityFacts{LastCommitAt: now.AddDate(-2, 0, 0)}}
	before := Score(f, Options{})
	f.Archived = true
	after := Score(f, Options{})
	if *after.Score < *before.Score {
		t.Errorf("archiving lowers the score from %d to %d", *before.Score, *after.Score)
	}
}
