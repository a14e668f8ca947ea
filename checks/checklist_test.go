package checks

import (
	"strings"
	"testing"

	"github.com/eiglink/vigie/crawler"
)

func item(t *testing.T, items []ChecklistItem, id string) ChecklistItem {
	t.Helper()
	for _, it := range items {
		if it.ID == id {
			return it
		}
	}
	t.Fatalf("no checklist item %s", id)
	return ChecklistItem{}
}

func TestChecklistAllMet(t *testing.T) {
	f := withPubliccode(validPubliccode)
	items := Checklist(f, PubliccodeVerdict(f, Options{}), Options{})
	if len(items) != len(ChecklistIDs) {
		t.Fatalf("%d items, want %d", len(items), len(ChecklistIDs))
	}
	for i, it := range items {
		if it.ID != ChecklistIDs[i] {
			t.Errorf("item %d is %s, want %s", i, it.ID, ChecklistIDs[i])
		}
		if !it.Met || !it.Applicable || it.Evidence == "" || it.Source == "" || it.Remediation != "" {
			t.Errorf("%s: %+v", it.ID, it)
		}
	}
}

// Each item, failed (or not applicable) by one change to a repository
// that meets them all; the others stay met.
func TestChecklistItems(t *testing.T) {
	readme := func(f *crawler.Facts, old, new string) {
		if !strings.Contains(f.Readme.Text, old) {
			t.Fatalf("README lacks %q", old)
		}
		f.Readme.Text = strings.Replace(f.Readme.Text, old, new, 1)
		f.Readme.Bytes = int64(len(f.Readme.Text))
	}
	drop := func(f *crawler.Facts, p string) {
		var keep []crawler.File
		for _, fl := range f.Files {
			if fl.Path != p && !strings.HasPrefix(fl.Path, p+"/") {
				keep = append(keep, fl)
			}
		}
		f.Files, f.Community = keep, crawler.Community(keep)
	}
	tests := []struct {
		id         string
		mod        func(*crawler.Facts)
		applicable bool
		source     string
		remedy     string // a word of the French remediation
		also       string // another item the change fails
	}{
		{"description", func(f *crawler.Facts) { f.Description = "" }, true, SourceEIGGuide, "description", ""},
		{"topics", func(f *crawler.Facts) { f.Topics = []string{"entrepreneur-interet-general"} }, true, SourceEIGGuide, "eig-<année>", ""},
		{"topics", func(f *crawler.Facts) { f.Topics = []string{"eig-2018", "python"} }, true, SourceEIGGuide, "entrepreneur-interet-general", ""},
		{"license_file", func(f *crawler.Facts) { f.License.Files = nil }, true, SourceEIGGuide, "LICENSE", ""},
		{"contributing", func(f *crawler.Facts) { drop(f, "CONTRIBUTING.md") }, true, SourceStatePolicy, "CONTRIBUTING.md", ""},
		{"code_of_conduct", func(f *crawler.Facts) { drop(f, "CODE_OF_CONDUCT.md") }, true, SourceEIGGuide, "Contributor Covenant", ""},
		{"security_contact", func(f *crawler.Facts) { drop(f, "SECURITY.md") }, true, SourceStatePolicy, "SECURITY.md", ""},
		{"changelog", func(f *crawler.Facts) { drop(f, "CHANGELOG.md") }, true, SourceCodeGouv, "CHANGELOG.md", ""},
		{"issue_templates", func(f *crawler.Facts) { drop(f, ".github") }, true, SourceEIGGuide, "ISSUE_TEMPLATE", ""},
		{"issue_templates", func(f *crawler.Facts) {
			// GitLab: .gitlab/ exists but its content was not listed.
			f.Ref.Type = "gitlab"
			drop(f, ".github")
			f.Files = append(f.Files, crawler.File{Path: ".gitlab", Dir: true})
		}, false, SourceEIGGuide, "", ""},
		{"organisation_account", func(f *crawler.Facts) { f.OwnerKind = crawler.OwnerUser }, true, SourceStatePolicy, "organisation", ""},
		{"organisation_account", func(f *crawler.Facts) { f.OwnerKind = "" }, false, SourceStatePolicy, "", ""},
		{"maintenance_stated", func(f *crawler.Facts) {
			readme(f, "Le projet est maintenu activement par Jeanne Dupont (jeanne.dupont@example.gouv.fr).", "Écrivez à Jeanne Dupont (jeanne.dupont@example.gouv.fr).")
			drop(f, "publiccode.yml")
		}, true, SourceEIGGuide, "active ou passive", "publiccode"},
		{"readme_copyright", func(f *crawler.Facts) { readme(f, "© Ministère de l'Intérieur, Jeanne Dupont", "") }, true, SourceEIGGuide, "©", ""},
		{"readme_test", func(f *crawler.Facts) { readme(f, "## Tests\n\n```\npytest\n```\n", "") }, true, SourceEIGGuide, "tester", ""},
		{"readme_contact", func(f *crawler.Facts) {
			readme(f, " (jeanne.dupont@example.gouv.fr)", "")
		}, true, SourceEIGGuide, "contact", ""},
		{"readme_contributions", func(f *crawler.Facts) {
			readme(f, "## Contribuer\n\nLes contributions sont les bienvenues : voir CONTRIBUTING.md.\n", "")
		}, true, SourceEIGGuide, "contributions", ""},
		{"readme_license", func(f *crawler.Facts) {
			readme(f, "## Licence\n\nCe logiciel est publié sous licence EUPL-1.2.\n", "")
		}, true, SourceEIGGuide, "licence", ""},
		{"readme_programme_mention", func(f *crawler.Facts) {
			readme(f, "Ce projet a été développé dans le cadre du programme [Entrepreneur d'intérêt général](https://eig.etalab.gouv.fr).", "")
		}, true, SourceEIGGuide, "Entrepreneur d'intérêt général", ""},
		{"readme_programme_mention", func(f *crawler.Facts) {
			readme(f, "[Entrepreneur d'intérêt général](https://eig.etalab.gouv.fr)", "Entrepreneur d'intérêt général")
		}, true, SourceEIGGuide, "https://eig.etalab.gouv.fr", ""},
		{"publiccode", func(f *crawler.Facts) { drop(f, "publiccode.yml") }, true, SourcePubliccode, "publiccode.yml", ""},
		{"publiccode", func(f *crawler.Facts) { f.Publiccode = strings.Replace(validPubliccode, "name: Outil\n", "", 1) }, true, SourcePubliccode, "ligne", ""},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			f := withPubliccode(validPubliccode)
			tt.mod(&f)
			items := Checklist(f, PubliccodeVerdict(f, Options{}), Options{})
			for _, it := range items {
				if it.ID != tt.id {
					// The README's contact is the maintainer's.
					if !it.Met && it.ID != tt.also && !(tt.id == "readme_contact" && it.ID == "maintenance_stated") {
						t.Errorf("%s not met too: %s", it.ID, it.Evidence)
					}
					continue
				}
				if it.Met || it.Applicable != tt.applicable || it.Source != tt.source || it.Evidence == "" {
					t.Errorf("%+v", it)
				}
				if tt.applicable && !strings.Contains(it.Remediation, tt.remedy) {
					t.Errorf("remediation %q lacks %q", it.Remediation, tt.remedy)
				}
				if !tt.applicable && it.Remediation != "" {
					t.Errorf("an item that does not apply has a remediation: %q", it.Remediation)
				}
			}
			en := item(t, Checklist(f, PubliccodeVerdict(f, Options{Language: "en"}), Options{Language: "en"}), tt.id)
			if tt.applicable && (en.Remediation == "" || en.Remediation == item(t, items, tt.id).Remediation) {
				t.Errorf("English remediation %q", en.Remediation)
			}
		})
	}
}

// README items read in English as well as in French, whatever the wording.
func TestChecklistReadmeEnglish(t *testing.T) {
	f := degree8()
	f.Readme.Text = `Outil
=====

A tool that helps civil servants process applications faster, every day.

Try it
------

A demo runs at https://outil.example.org/demo.

Contact
-------

Write to the maintainer at jane@example.org.

Contributing
------------

We welcome bug reports and pull requests.

License
-------

Licensed under the MIT license. Copyright (c) 2020 DINUM, Jane Doe.

This software was built during the Entrepreneurs d'Intérêt Général programme (https://entrepreneur-interet-general.etalab.gouv.fr/).
`
	f.Readme.Bytes = int64(len(f.Readme.Text))
	items := Checklist(f, Publiccode{}, Options{Language: "en"})
	for _, id := range []string{"readme_copyright", "readme_test", "readme_contact", "readme_contributions", "readme_license", "readme_programme_mention"} {
		if it := item(t, items, id); !it.Met {
			t.Errorf("%s not met: %s", id, it.Evidence)
		}
	}
}

// Without a README every README item fails, each saying so.
func TestChecklistNoReadme(t *testing.T) {
	f := degree8()
	f.Readme = crawler.ReadmeFacts{}
	for _, it := range Checklist(f, Publiccode{}, Options{}) {
		if strings.HasPrefix(it.ID, "readme_") && (it.Met || !it.Applicable || !strings.Contains(it.Remediation, "README")) {
			t.Errorf("%+v", it)
		}
	}
}
