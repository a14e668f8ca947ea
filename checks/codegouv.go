package checks

import (
	"path"
	"strings"

	"github.com/eiglink/vigie/crawler"
)

// CodegouvScore is code.gouv.fr's repository score, by its published table
// (codegouvfr/codegouvfr-cli, compute-repo-score), a plain sum:
//
//	+1000 a known licence (not empty, not "other")
//	+1000 a template repository
//	+1000 publiccode.yml present
//	 +100 README present
//	 +100 CONTRIBUTING present
//	  +10 CHANGELOG present
//	 -100 no description
//	-1000 archived
//	-1000 a fork
//	+1000 / +100 / +10  forks > 100 / > 10 / > 1
//	+1000 / +100 / +10  watchers (subscribers) > 100 / > 10 / > 1
func CodegouvScore(f crawler.Facts) int {
	s := 0
	if spdx, _ := licenseVerdict(f.License); spdx != "" && spdx != "NOASSERTION" {
		s += 1000
	}
	if f.Template {
		s += 1000
	}
	if f.Community.Publiccode != "" {
		s += 1000
	}
	if f.Readme.Path != "" {
		s += 100
	}
	if f.Community.Contributing != "" {
		s += 100
	}
	if codegouvChangelog(f) {
		s += 10
	}
	if f.Description == "" {
		s -= 100
	}
	if f.Archived {
		s -= 1000
	}
	if f.Fork {
		s -= 1000
	}
	s += tier(f.Forks) + tier(f.Watchers)
	return s
}

// codegouvChangelog tells whether the root holds a CHANGELOG (any
// extension), as the catalogue looks for it: a HISTORY or NEWS file, fine
// for the checklist, earns nothing there.
func codegouvChangelog(f crawler.Facts) bool {
	for _, fl := range f.Files {
		if !fl.Dir && !strings.Contains(fl.Path, "/") && strings.EqualFold(strings.TrimSuffix(fl.Path, path.Ext(fl.Path)), "changelog") {
			return true
		}
	}
	return false
}

// tier is the points of a count: > 100, > 10, > 1.
func tier(n int) int {
	switch {
	case n > 100:
		return 1000
	case n > 10:
		return 100
	case n > 1:
		return 10
	}
	return 0
}

// codegouvGains lists what would raise the score, in French or English.
func codegouvGains(f crawler.Facts, o Options) []string {
	var g []string
	if spdx, _ := licenseVerdict(f.License); spdx == "" || spdx == "NOASSERTION" {
		g = append(g, o.text("une licence reconnue (+1000)", "a recognised licence (+1000)"))
	}
	if f.Community.Publiccode == "" {
		g = append(g, o.text("un publiccode.yml (+1000)", "a publiccode.yml (+1000)"))
	}
	if f.Readme.Path == "" {
		g = append(g, o.text("un README (+100)", "a README (+100)"))
	}
	if f.Community.Contributing == "" {
		g = append(g, o.text("un CONTRIBUTING.md (+100)", "a CONTRIBUTING.md (+100)"))
	}
	if !codegouvChangelog(f) {
		g = append(g, o.text("un CHANGELOG.md (+10)", "a CHANGELOG.md (+10)"))
	}
	if f.Description == "" {
		g = append(g, o.text("une description du dépôt (+100)", "a repository description (+100)"))
	}
	return g
}
