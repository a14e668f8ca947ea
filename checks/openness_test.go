package checks

import (
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/crawler"
)

var profileNow = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

// fullReadme meets every README rule of the programme, in French.
const fullReadme = `# Outil

Un outil qui aide les agents de l'administration à instruire les demandes plus vite.

## Installation

` + "```" + `
pip install outil
` + "```" + `

## Utilisation

Lancez ` + "`outil serve`" + ` puis ouvrez http://localhost:8000 ; la documentation complète est sur https://outil.readthedocs.io.

## Tests

` + "```" + `
pytest
` + "```" + `

## Maintenance

Le projet est maintenu activement par Jeanne Dupont (jeanne.dupont@example.gouv.fr).

## Contribuer

Les contributions sont les bienvenues : voir CONTRIBUTING.md.

## Licence

Ce logiciel est publié sous licence EUPL-1.2.

© Ministère de l'Intérieur, Jeanne Dupont

Ce projet a été développé dans le cadre du programme [Entrepreneur d'intérêt général](https://eig.etalab.gouv.fr).
`

// degree8 is a repository that meets every criterion of the ladder.
func degree8() crawler.Facts {
	files := []crawler.File{
		{Path: ".github", Dir: true}, {Path: ".github/ISSUE_TEMPLATE", Dir: true}, {Path: ".github/ISSUE_TEMPLATE/bug.md"},
		{Path: "CHANGELOG.md"}, {Path: "CODE_OF_CONDUCT.md"}, {Path: "CONTRIBUTING.md"}, {Path: "LICENSE"},
		{Path: "README.md"}, {Path: "SECURITY.md"}, {Path: "docs", Dir: true}, {Path: "docs/index.md"},
		{Path: "pyproject.toml"}, {Path: "tests", Dir: true},
	}
	return crawler.Facts{
		Ref:       crawler.Ref{Forge: "github", Type: "github", Host: "github.com", Path: "etalab/outil", URL: "https://github.com/etalab/outil", Defi: "outil"},
		CrawledAt: profileNow, DefaultBranch: "main", Description: "Un outil pour instruire les demandes",
		Topics: []string{"entrepreneur-interet-general", "eig-2019", "outil"}, OwnerKind: crawler.OwnerOrganization,
		License:    crawler.LicenseFacts{ForgeSPDX: "EUPL-1.2", ForgePath: "LICENSE", Files: []crawler.LicenseFile{{Path: "LICENSE", SPDX: "EUPL-1.2", Coverage: 99}}},
		Readme:     crawler.ReadmeFacts{Path: "README.md", Bytes: int64(len(fullReadme)), Text: fullReadme},
		Files:      files,
		Community:  crawler.Community(files),
		OpenIssues: 3,
		Release:    &crawler.Release{Tag: "v1.0.0"},
		Activity:   crawler.ActivityFacts{LastCommitAt: profileNow.Add(-24 * time.Hour), Commits90d: 1},
	}
}

func criterion(t *testing.T, o Openness, name string) Criterion {
	t.Helper()
	for _, c := range o.Criteria {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no criterion %s", name)
	return Criterion{}
}

func TestOpennessLadder(t *testing.T) {
	names := []string{"published", "license", "maintenance", "versioning", "readme", "bug_tracker", "packaging", "contribution", "tests", "documentation"}
	without := func(f *crawler.Facts, paths ...string) {
		var keep []crawler.File
		for _, fl := range f.Files {
			drop := false
			for _, p := range paths {
				if fl.Path == p || strings.HasPrefix(fl.Path, p+"/") {
					drop = true
				}
			}
			if !drop {
				keep = append(keep, fl)
			}
		}
		f.Files = keep
		f.Community = crawler.Community(keep)
	}
	readme := func(f *crawler.Facts, text string) {
		f.Readme.Text, f.Readme.Bytes = text, int64(len(text))
	}
	cut := func(f *crawler.Facts, heading string) {
		i := strings.Index(f.Readme.Text, heading)
		j := strings.Index(f.Readme.Text[i+len(heading):], "\n## ")
		readme(f, f.Readme.Text[:i]+f.Readme.Text[i+len(heading)+j+1:])
	}
	tests := []struct {
		name   string
		mod    func(*crawler.Facts)
		degree int
		failed string // the criterion not met ("" none)
	}{
		{"everything", func(*crawler.Facts) {}, 8, ""},
		{"private", func(f *crawler.Facts) { f.Visibility = crawler.VisibilityPrivate }, -1, "published"},
		{"no licence", func(f *crawler.Facts) { f.License = crawler.LicenseFacts{} }, -1, "license"},
		{"unidentified licence", func(f *crawler.Facts) {
			f.License = crawler.LicenseFacts{ForgeSPDX: "NOASSERTION", Files: []crawler.LicenseFile{{Path: "LICENSE"}}}
		}, -1, "license"},
		{"licence off the decree's list", func(f *crawler.Facts) {
			f.License = crawler.LicenseFacts{ForgeSPDX: "ISC", Files: []crawler.LicenseFile{{Path: "LICENSE", SPDX: "ISC"}}}
		}, -1, "license"},
		{"one of several licences on the list", func(f *crawler.Facts) {
			f.License = crawler.LicenseFacts{Files: []crawler.LicenseFile{{Path: "LICENSE-APACHE", SPDX: "Apache-2.0"}, {Path: "LICENSE-ISC", SPDX: "ISC"}}}
		}, 8, ""},
		{"data licence", func(f *crawler.Facts) {
			f.License = crawler.LicenseFacts{Files: []crawler.LicenseFile{{Path: "LICENSE", SPDX: "etalab-2.0"}}}
		}, 8, ""},
		{"maintenance unsaid: degree 0, never 1", func(f *crawler.Facts) { cut(f, "## Maintenance") }, 0, "maintenance"},
		{"maintenance status without a contact", func(f *crawler.Facts) {
			readme(f, strings.ReplaceAll(f.Readme.Text, " (jeanne.dupont@example.gouv.fr)", ""))
		}, 0, "maintenance"},
		{"maintenance in English", func(f *crawler.Facts) {
			cut(f, "## Maintenance")
			readme(f, f.Readme.Text+"\n## Maintainers\n\nThis project is passively maintained by Jane (jane@example.org).\n")
		}, 8, ""},
		{"maintenance state under its heading", func(f *crawler.Facts) {
			cut(f, "## Maintenance")
			readme(f, f.Readme.Text+"\n## Status\n\nPassive: we answer questions, no new features. Contact: jane@example.org\n")
		}, 8, ""},
		{"MAINTAINERS file", func(f *crawler.Facts) {
			cut(f, "## Maintenance")
			f.Files = append(f.Files, crawler.File{Path: "MAINTAINERS.md"})
		}, 8, ""},
		{"CODEOWNERS in .github", func(f *crawler.Facts) {
			cut(f, "## Maintenance")
			f.Files = append(f.Files, crawler.File{Path: ".github/CODEOWNERS"})
		}, 8, ""},
		{"archived: maintenance known", func(f *crawler.Facts) { cut(f, "## Maintenance"); f.Archived = true }, 8, ""},
		{"publiccode.yml maintenance", func(f *crawler.Facts) {
			cut(f, "## Maintenance")
			f.Files = append(f.Files, crawler.File{Path: "publiccode.yml"})
			f.Community = crawler.Community(f.Files)
			f.Publiccode = validPubliccode
		}, 8, ""},
		{"no README", func(f *crawler.Facts) {
			f.Readme = crawler.ReadmeFacts{}
			f.Files = append(f.Files, crawler.File{Path: "MAINTAINERS"})
		}, 2, "readme"},
		{"template README", func(f *crawler.Facts) {
			f.Files = append(f.Files, crawler.File{Path: "MAINTAINERS"})
			readme(f, "# outil\n\nThis project was bootstrapped with Create React App.\n\n## Available Scripts\n\nIn the project directory, you can run npm start.\n")
		}, 2, "readme"},
		{"issues off, no tracker linked", func(f *crawler.Facts) { f.OpenIssues = -1 }, 3, "bug_tracker"},
		{"issues off, tracker linked", func(f *crawler.Facts) {
			f.OpenIssues = -1
			readme(f, f.Readme.Text+"\nSignalez les bugs sur https://gitlab.example.org/outil/-/issues\n")
		}, 8, ""},
		{"no packaging", func(f *crawler.Facts) {
			f.Release = nil
			without(f, "pyproject.toml")
			cut(f, "## Installation")
		}, 4, "packaging"},
		{"container file", func(f *crawler.Facts) {
			f.Release = nil
			without(f, "pyproject.toml")
			cut(f, "## Installation")
			f.Files = append(f.Files, crawler.File{Path: "Dockerfile"})
		}, 8, ""},
		{"installation commands", func(f *crawler.Facts) { f.Release = nil; without(f, "pyproject.toml") }, 8, ""},
		{"no contribution", func(f *crawler.Facts) { without(f, "CONTRIBUTING.md"); cut(f, "## Contribuer") }, 5, "contribution"},
		{"contributing section only", func(f *crawler.Facts) { without(f, "CONTRIBUTING.md") }, 8, ""},
		{"no tests", func(f *crawler.Facts) { without(f, "tests") }, 6, "tests"},
		{"no documentation", func(f *crawler.Facts) {
			without(f, "docs")
			readme(f, strings.ReplaceAll(f.Readme.Text, " ; la documentation complète est sur https://outil.readthedocs.io", ""))
			cut(f, "## Utilisation")
		}, 7, "documentation"},
		{"documentation site as homepage", func(f *crawler.Facts) {
			without(f, "docs")
			cut(f, "## Utilisation")
			f.Homepage = "https://outil.readthedocs.io"
		}, 8, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := degree8()
			tt.mod(&f)
			o := OpennessOf(f, PubliccodeVerdict(f, Options{}), Options{})
			if len(o.Criteria) != 10 {
				t.Fatalf("%d criteria", len(o.Criteria))
			}
			for i, c := range o.Criteria {
				if c.Name != names[i] {
					t.Errorf("criterion %d is %s, want %s", i, c.Name, names[i])
				}
				if c.Evidence == "" {
					t.Errorf("%s has no evidence", c.Name)
				}
				if want := c.Name != tt.failed; c.Met != want {
					t.Errorf("%s met %v, want %v (%s)", c.Name, c.Met, want, c.Evidence)
				}
			}
			if o.Degree != tt.degree {
				t.Errorf("degree %d, want %d", o.Degree, tt.degree)
			}
			if o.Degree == 1 {
				t.Error("degree 1 on a forge")
			}
			if tt.failed != "" && o.Next().Name != tt.failed {
				t.Errorf("next %s, want %s", o.Next().Name, tt.failed)
			}
		})
	}
}

// Test suites and packaging by each language's conventions, in trees as a
// crawl lists them (root, .github/, docs/) or as a whole tree.
func TestOpennessTreesByLanguage(t *testing.T) {
	tests := []struct {
		lang      string
		files     []string
		tests     bool
		packaging bool
	}{
		{"Python", []string{"setup.py", "outil/__init__.py", "tests/", "tox.ini"}, true, true},
		{"Python, tests beside the code", []string{"pyproject.toml", "outil/test_core.py"}, true, true},
		{"Python, conftest", []string{"requirements.txt", "conftest.py"}, true, false},
		{"JavaScript", []string{"package.json", "src/", "__tests__/"}, true, true},
		{"JavaScript, jest config", []string{"package.json", "jest.config.js"}, true, true},
		{"TypeScript spec files", []string{"package.json", "src/app.spec.ts"}, true, true},
		{"Go", []string{"go.mod", "main.go", "main_test.go"}, true, true},
		{"Go, no test", []string{"go.mod", "main.go"}, false, true},
		{"Java, Maven", []string{"pom.xml", "src/", "src/test/"}, true, true},
		{"Java test class", []string{"build.gradle", "src/main/java/OutilTest.java"}, true, true},
		{"Ruby", []string{"outil.gemspec", "Gemfile", "spec/"}, true, true},
		{"Ruby, .rspec", []string{"Gemfile", ".rspec"}, true, false},
		{"PHP", []string{"composer.json", "phpunit.xml.dist", "src/"}, true, true},
		{"PHP, none", []string{"index.php"}, false, false},
		{"container only", []string{"docker-compose.yml", "app.py"}, false, true},
		{"testdata is no test suite", []string{"go.mod", "testdata/"}, false, true},
		{"a file named test is no folder", []string{"Makefile", "test"}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			f := degree8()
			f.Release = nil
			f.Files = nil
			for _, p := range tt.files {
				f.Files = append(f.Files, crawler.File{Path: strings.TrimSuffix(p, "/"), Dir: strings.HasSuffix(p, "/")})
			}
			f.Readme = crawler.ReadmeFacts{Path: "README.md", Bytes: 200, Text: "# Outil\n\nUn outil qui aide les agents à instruire les demandes plus vite, chaque jour.\n"}
			o := OpennessOf(f, Publiccode{}, Options{})
			if got := criterion(t, o, "tests"); got.Met != tt.tests {
				t.Errorf("tests %v, want %v (%s)", got.Met, tt.tests, got.Evidence)
			}
			if got := criterion(t, o, "packaging"); got.Met != tt.packaging {
				t.Errorf("packaging %v, want %v (%s)", got.Met, tt.packaging, got.Evidence)
			}
		})
	}
}

func TestOpennessEnglish(t *testing.T) {
	f := degree8()
	f.Visibility = crawler.VisibilityInternal
	o := OpennessOf(f, Publiccode{}, Options{Language: "en"})
	if got := o.Criteria[0].Evidence; !strings.Contains(got, "not public") {
		t.Errorf("evidence %q", got)
	}
}
