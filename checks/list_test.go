package checks

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/locale"
)

// Every check is declared once, with a title in both languages and a
// positive default weight; List and Lookup hand out copies.
func TestList(t *testing.T) {
	defs := List()
	if len(defs) != len(Names()) {
		t.Fatalf("List has %d checks, Names %d", len(defs), len(Names()))
	}
	seen := map[string]bool{}
	for i, d := range defs {
		if d.Name != Names()[i] {
			t.Errorf("List()[%d] = %s, Names()[%d] = %s", i, d.Name, i, Names()[i])
		}
		if seen[d.Name] {
			t.Errorf("%s declared twice", d.Name)
		}
		seen[d.Name] = true
		for _, l := range []locale.Lang{locale.French, locale.English} {
			if d.Title.In(l) == "" || d.Short.In(l) == "" {
				t.Errorf("%s: no title in %s", d.Name, l)
			}
		}
		if d.Weight <= 0 || DefaultWeights()[d.Name] != d.Weight {
			t.Errorf("%s: default weight %v, DefaultWeights %v", d.Name, d.Weight, DefaultWeights()[d.Name])
		}
		if got, ok := Lookup(d.Name); !ok || !reflect.DeepEqual(got.Details, d.Details) {
			t.Errorf("Lookup(%s) = %v, %v", d.Name, got.Name, ok)
		}
		if d.run == nil {
			t.Errorf("%s has no function", d.Name)
		}
	}
	if _, ok := Lookup("nope"); ok {
		t.Error(`Lookup("nope") found a check`)
	}
	defs[0].Details[0] = "changed"
	if List()[0].Details[0] == "changed" {
		t.Error("List shares its details")
	}
}

// The keys a check writes in its details are the ones it declares, and each
// declared key is written by some case.
func TestDeclaredDetails(t *testing.T) {
	now := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	base := crawler.Facts{CrawledAt: now, DefaultBranch: "main", Language: "Go", CreatedAt: now.AddDate(-1, 0, 0)}
	cases := []func(f *crawler.Facts){
		func(f *crawler.Facts) { f.Empty = true },
		func(f *crawler.Facts) { f.Archived = true },
		func(f *crawler.Facts) {
			f.Unknown = []string{crawler.FactArchived, crawler.FactOpenIssues}
			f.Activity = crawler.ActivityFacts{LastCommitAt: now.Add(-time.Hour), Commits90d: 2}
		},
		func(f *crawler.Facts) {
			f.License = crawler.LicenseFacts{ForgeSPDX: "MIT", ForgePath: "LICENSE"}
			f.Readme = crawler.ReadmeFacts{Path: "README.md", Bytes: 2000, Text: "# Outil\n\nUn outil.\n\n## Installation\n\n```\nmake\n```\n"}
			f.CI = crawler.CIFacts{Systems: []string{crawler.CIGitHubActions}, Status: crawler.StatusSuccess, RunAt: now}
			f.Activity = crawler.ActivityFacts{LastCommitAt: now.Add(-time.Hour), Commits90d: 9}
		},
		func(f *crawler.Facts) {
			f.License = crawler.LicenseFacts{ForgeSPDX: "NOASSERTION", ForgePath: "LICENSE"}
			f.Files = []crawler.File{{Path: "go.mod", Size: 30}}
			f.Activity = crawler.ActivityFacts{LastCommitAt: now.AddDate(0, -8, 0)}
		},
	}
	written := map[string]map[string]bool{}
	for i, edit := range cases {
		f := base
		edit(&f)
		for _, c := range Score(f, Options{}).Checks {
			d, ok := Lookup(c.Name)
			if !ok {
				t.Fatalf("case %d: undeclared check %s", i, c.Name)
			}
			if written[c.Name] == nil {
				written[c.Name] = map[string]bool{}
			}
			for k := range c.Details {
				written[c.Name][k] = true
				if !slices.Contains(d.Details, k) {
					t.Errorf("case %d: %s writes the undeclared detail %q", i, c.Name, k)
				}
			}
		}
	}
	for _, d := range List() {
		for _, k := range d.Details {
			if !written[d.Name][k] {
				t.Errorf("%s declares %q, which no case writes", d.Name, k)
			}
		}
	}
}

func TestMark(t *testing.T) {
	r := &Result{Checks: []Check{{Name: NameLicense, Score: 7}}}
	if m := r.Mark(NameLicense); m == nil || *m != 7 {
		t.Errorf("Mark(license) = %v, want 7", m)
	}
	if m := r.Mark(NameCI); m != nil {
		t.Errorf("Mark of a missing check = %v, want nil", *m)
	}
	r.Error = "gone"
	if m := r.Mark(NameLicense); m != nil {
		t.Errorf("Mark of a result in error = %v, want nil", *m)
	}
	var none *Result
	if none.Mark(NameLicense) != nil {
		t.Error("Mark of nil is not nil")
	}
}
