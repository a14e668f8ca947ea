package crawler

import (
	"path"
	"sort"
	"strings"
)

// The rules below say which files of a tree matter. Both forge packages use
// them so a repository gets the same facts on GitHub and on GitLab.

// IsLicenseFile reports whether a top-level file name is a licence file:
// LICENSE, LICENCE, COPYING or UNLICENSE with any extension, followed by
// "-" or "_" and more (LICENSE-MIT, LICENCE_FR.md, COPYING-GPL), or after
// a word (MIT-LICENSE, gpl_licence.txt: then with no extension or a text
// one, so add-license.sh is no licence). Case does not matter. COPYRIGHT
// files are left out: most hold a notice, not a licence, and counting them
// would turn a repository without licence into an unidentified one.
func IsLicenseFile(name string) bool {
	n := strings.ToLower(name)
	stem, ext, _ := strings.Cut(n, ".")
	bases := []string{"license", "licence", "unlicense", "copying"}
	for _, base := range bases {
		if stem == base || strings.HasPrefix(stem, base+"-") || strings.HasPrefix(stem, base+"_") {
			return true
		}
	}
	switch ext {
	case "", "md", "markdown", "txt", "text", "rst", "html", "adoc":
	default:
		return false
	}
	for _, base := range []string{"license", "licence", "copying"} {
		for _, sep := range []string{"-", "_"} {
			if i := strings.Index(stem, sep+base); i > 0 && isWord(stem[:i]) {
				return true
			}
		}
	}
	return false
}

// isWord reports whether s is letters, digits and underscores only.
func isWord(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return s != ""
}

// readmeRank orders README candidates within one folder the way the forges
// do: a rendered markup first, then plain text, then no extension. It
// returns -1 for a name that is not a README.
func readmeRank(name string) int {
	n := strings.ToLower(name)
	if n != "readme" && !strings.HasPrefix(n, "readme.") {
		return -1
	}
	// README.fr.md and friends: shown only when nothing better exists
	// (path.Ext alone would rank them with README.md).
	if strings.Count(n, ".") > 1 {
		return 4
	}
	switch path.Ext(n) {
	case ".md", ".markdown", ".mdown", ".mkdn", ".mkd", ".mdwn":
		return 0
	case ".rst", ".adoc", ".asciidoc", ".asc", ".org", ".textile", ".rdoc", ".mediawiki", ".wiki", ".creole", ".pod":
		return 1
	case ".txt", ".text":
		return 2
	case "":
		return 3
	}
	// README.fr.md and friends: shown only when nothing better exists.
	return 4
}

// PickReadme returns the README a forge shows among the given files, looking
// in the folders in order (GitHub: ".github", "", "docs"; GitLab: "").
// It returns -1 when there is none.
func PickReadme(files []File, dirs ...string) int {
	for _, dir := range dirs {
		best, bestRank := -1, 99
		for i, f := range files {
			if f.Dir || path.Dir(f.Path) != orDot(dir) {
				continue
			}
			r := readmeRank(path.Base(f.Path))
			if r >= 0 && (r < bestRank || r == bestRank && f.Path < files[best].Path) {
				best, bestRank = i, r
			}
		}
		if best >= 0 {
			return best
		}
	}
	return -1
}

func orDot(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}

// CISystems names the CI systems configured by the given tree paths (files
// and folders), sorted, and the paths that told.
func CISystems(files []File) (systems []string, found []string) {
	seen := map[string]bool{}
	add := func(sys, p string) {
		found = append(found, p)
		if !seen[sys] {
			seen[sys] = true
			systems = append(systems, sys)
		}
	}
	for _, f := range files {
		p := f.Path
		lp := strings.ToLower(p)
		dir, base := path.Dir(lp), path.Base(lp)
		yaml := strings.HasSuffix(base, ".yml") || strings.HasSuffix(base, ".yaml")
		switch {
		case !f.Dir && dir == ".github/workflows" && yaml:
			add(CIGitHubActions, p)
		case !f.Dir && (lp == ".gitlab-ci.yml" || lp == ".gitlab-ci.yaml"):
			add(CIGitLabCI, p)
		case !f.Dir && (lp == ".travis.yml" || lp == ".travis.yaml"):
			add(CITravis, p)
		case lp == ".circleci/config.yml" || lp == ".circleci/config.yaml":
			add(CICircleCI, p)
		case !f.Dir && dir == "." && (base == "jenkinsfile" || strings.HasPrefix(base, "jenkinsfile.")):
			add(CIJenkins, p)
		case !f.Dir && (lp == ".drone.yml" || lp == ".drone.yaml" || lp == ".drone.jsonnet" || lp == ".drone.star"):
			add(CIDrone, p)
		case !f.Dir && (lp == ".woodpecker.yml" || lp == ".woodpecker.yaml"),
			!f.Dir && dir == ".woodpecker" && yaml:
			add(CIWoodpecker, p)
		case !f.Dir && (lp == "azure-pipelines.yml" || lp == "azure-pipelines.yaml" || lp == ".azure-pipelines.yml"),
			!f.Dir && dir == ".azure-pipelines" && yaml:
			add(CIAzurePipelines, p)
		case !f.Dir && (dir == ".gitea/workflows" || dir == ".forgejo/workflows") && yaml:
			// Forgejo reads .forgejo/workflows, and .gitea/workflows when
			// that folder is absent; Gitea reads .gitea/workflows (and
			// .github/workflows, which stays github-actions: the file says
			// which forge it was written for).
			add(CIGiteaActions, p)
		case !f.Dir && dir == "." && otherCI[base],
			!f.Dir && (lp == ".buildkite/pipeline.yml" || lp == ".semaphore/semaphore.yml" || lp == ".cirrus.star"):
			add(CIOther, p)
		}
	}
	sort.Strings(systems)
	sort.Strings(found)
	return systems, found
}

// otherCI lists top-level files of CI systems outside docs/reference.md's named list.
var otherCI = map[string]bool{
	"appveyor.yml": true, ".appveyor.yml": true, "bitbucket-pipelines.yml": true,
	".cirrus.yml": true, "cloudbuild.yaml": true, "cloudbuild.yml": true,
	"buildspec.yml": true, "codeship-steps.yml": true, "wercker.yml": true,
	"bitrise.yml": true, ".sourcehut.yml": true, ".build.yml": true,
}

// Community finds the community files among the tree's files: in the root,
// .github/ or docs/ (as GitHub looks for them), publiccode.yml in the root.
func Community(files []File) CommunityFacts {
	var c CommunityFacts
	pick := func(dst *string, stem string) {
		for _, dir := range []string{".", ".github", "docs"} {
			for _, f := range files {
				if f.Dir || path.Dir(f.Path) != dir {
					continue
				}
				n := strings.ToUpper(path.Base(f.Path))
				if n == stem || strings.HasPrefix(n, stem+".") {
					*dst = f.Path
					return
				}
			}
		}
	}
	pick(&c.Contributing, "CONTRIBUTING")
	pick(&c.CodeOfConduct, "CODE_OF_CONDUCT")
	pick(&c.Security, "SECURITY")
	for _, f := range files {
		if !f.Dir && (f.Path == "publiccode.yml" || f.Path == "publiccode.yaml") {
			c.Publiccode = f.Path
		}
	}
	return c
}

// jvmBuildFiles are the root files of Maven, Gradle and sbt builds, whose
// convention keeps the tests in src/test.
var jvmBuildFiles = map[string]bool{
	"pom.xml": true, "build.gradle": true, "build.gradle.kts": true,
	"settings.gradle": true, "settings.gradle.kts": true, "build.sbt": true,
}

// SourceDir is the folder below the root that a JVM build's tests live in
// (src/test, src/main beside it).
const SourceDir = "src"

// ListsSource reports whether the crawl lists SourceDir too, given the
// root's entries: only when a JVM build file (pom.xml, build.gradle(.kts),
// settings.gradle(.kts), build.sbt) and a src folder sit at the root, so
// that only those repositories pay the one more listing that shows
// src/test. Every forge applies this rule, so a repository gets the same
// file list on each.
func ListsSource(files []File) bool {
	build, src := false, false
	for _, f := range files {
		if strings.Contains(f.Path, "/") {
			continue
		}
		switch {
		case f.Dir && f.Path == SourceDir:
			src = true
		case !f.Dir && jvmBuildFiles[strings.ToLower(f.Path)]:
			build = true
		}
	}
	return build && src
}

// ListedBeforeSource reports whether files, a previous crawl's, come from
// before src/ of a JVM build was listed: ListsSource holds but nothing
// under src/ is there (git keeps no empty folder, so a listed src/ always
// shows something). A forge then reads the repository again rather than
// reusing them, once, though its head commit did not move.
func ListedBeforeSource(files []File) bool {
	if !ListsSource(files) {
		return false
	}
	for _, f := range files {
		if strings.HasPrefix(f.Path, SourceDir+"/") {
			return false
		}
	}
	return true
}
