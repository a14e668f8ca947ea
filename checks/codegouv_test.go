package checks

import (
	"strings"
	"testing"

	"github.com/eiglink/vigie/crawler"
)

// code.gouv.fr's published table, one row at a time from a bare
// repository (no description: -100).
func TestCodegouvScore(t *testing.T) {
	bare := func() crawler.Facts { return crawler.Facts{Ref: crawler.Ref{Host: "github.com", Path: "o/r"}} }
	file := func(f *crawler.Facts, p string) {
		f.Files = append(f.Files, crawler.File{Path: p})
		f.Community = crawler.Community(f.Files)
	}
	tests := []struct {
		name string
		mod  func(*crawler.Facts)
		want int
	}{
		{"bare", func(*crawler.Facts) {}, -100},
		{"description", func(f *crawler.Facts) { f.Description = "x" }, 0},
		{"known licence", func(f *crawler.Facts) { f.License.Files = []crawler.LicenseFile{{Path: "LICENSE", SPDX: "MIT"}} }, 900},
		{"unidentified licence", func(f *crawler.Facts) { f.License.Files = []crawler.LicenseFile{{Path: "LICENSE"}} }, -100},
		{"template", func(f *crawler.Facts) { f.Template = true }, 900},
		{"publiccode.yml", func(f *crawler.Facts) { file(f, "publiccode.yml") }, 900},
		{"README", func(f *crawler.Facts) { f.Readme.Path = "README.md" }, 0},
		{"CONTRIBUTING", func(f *crawler.Facts) { file(f, "CONTRIBUTING.md") }, 0},
		{"CHANGELOG", func(f *crawler.Facts) { file(f, "CHANGELOG.md") }, -90},
		{"HISTORY is no CHANGELOG for the catalogue", func(f *crawler.Facts) { file(f, "HISTORY.rst") }, -100},
		{"archived", func(f *crawler.Facts) { f.Archived = true }, -1100},
		{"fork", func(f *crawler.Facts) { f.Fork = true }, -1100},
		{"1 fork", func(f *crawler.Facts) { f.Forks = 1 }, -100},
		{"2 forks", func(f *crawler.Facts) { f.Forks = 2 }, -90},
		{"10 forks", func(f *crawler.Facts) { f.Forks = 10 }, -90},
		{"11 forks", func(f *crawler.Facts) { f.Forks = 11 }, 0},
		{"100 forks", func(f *crawler.Facts) { f.Forks = 100 }, 0},
		{"101 forks", func(f *crawler.Facts) { f.Forks = 101 }, 900},
		{"2 watchers", func(f *crawler.Facts) { f.Watchers = 2 }, -90},
		{"11 watchers", func(f *crawler.Facts) { f.Watchers = 11 }, 0},
		{"101 watchers", func(f *crawler.Facts) { f.Watchers = 101 }, 900},
		{"stars do not count", func(f *crawler.Facts) { f.Stars = 500 }, -100},
		{"everything", func(f *crawler.Facts) {
			f.Description, f.Template, f.Forks, f.Watchers = "x", true, 200, 200
			f.License.Files = []crawler.LicenseFile{{Path: "LICENSE", SPDX: "MIT"}}
			f.Readme.Path = "README.md"
			file(f, "publiccode.yml")
			file(f, "CONTRIBUTING.md")
			file(f, "CHANGELOG.md")
		}, 1000 + 1000 + 1000 + 100 + 100 + 10 + 1000 + 1000},
	}
	for _, tt := range tests {
		f := bare()
		tt.mod(&f)
		if got := CodegouvScore(f); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestCodegouvRaise(t *testing.T) {
	f := crawler.Facts{Readme: crawler.ReadmeFacts{Path: "README.md"}, Description: "x",
		License: crawler.LicenseFacts{Files: []crawler.LicenseFile{{Path: "LICENSE", SPDX: "MIT"}}}}
	got := codegouvGains(f, Options{})
	want := []string{"un publiccode.yml (+1000)", "un CONTRIBUTING.md (+100)", "un CHANGELOG.md (+10)"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}
