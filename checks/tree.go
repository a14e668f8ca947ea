package checks

import (
	"path"
	"strings"

	"github.com/eiglink/vigie/crawler"
)

// What the tree shows, for the programme's profile. The crawl lists the
// root, .github/ and docs/ (and a few CI folders), and src/ when a JVM build
// file is at the root (crawler.ListsSource: src/test); deeper paths appear in
// facts built from a whole tree (tests, imports) and count the same way.

// treeFile returns the first file whose lower-case path satisfies match.
func treeFile(f crawler.Facts, match func(p, base string, dir bool) bool) string {
	for _, fl := range f.Files {
		lp := strings.ToLower(fl.Path)
		if match(lp, path.Base(lp), fl.Dir) {
			return fl.Path
		}
	}
	return ""
}

// topDir is the first segment of a path ("tests" for "tests/test_a.py").
func topDir(p string) string {
	first, _, _ := strings.Cut(p, "/")
	return first
}

var testDirs = map[string]bool{
	"test": true, "tests": true, "spec": true, "specs": true, "__tests__": true,
	"testing": true, "e2e": true, "cypress": true, "test-suite": true, "unittests": true,
}

// testFiles are the files that only exist beside a test suite, by the
// conventions of each language's tools.
var testFiles = map[string]bool{
	"pytest.ini": true, "tox.ini": true, "conftest.py": true, "noxfile.py": true,
	"phpunit.xml": true, "phpunit.xml.dist": true, ".rspec": true,
	"karma.conf.js": true, "jest.config.js": true, "jest.config.ts": true, "jest.config.json": true,
	"jest.config.mjs": true, "jest.config.cjs": true, "vitest.config.ts": true, "vitest.config.js": true,
	"cypress.json": true, "cypress.config.js": true, "cypress.config.ts": true, "playwright.config.ts": true,
	".mocharc.yml": true, ".mocharc.json": true, ".mocharc.js": true,
}

// testsIn finds a test suite: a test folder anywhere in the listing (Java's
// src/test, Go's testdata aside), a test runner's configuration, or test
// files named by their language's convention (test_*.py, *_test.py,
// *_test.go, *.test.js, *.spec.ts, *_spec.rb, *Test.java, *Test.php).
func testsIn(f crawler.Facts) string {
	return treeFile(f, func(p, base string, dir bool) bool {
		for _, seg := range strings.Split(p, "/") {
			if testDirs[seg] && (dir || seg != base) {
				return true
			}
		}
		if dir {
			return false
		}
		if testFiles[base] {
			return true
		}
		stem, ext := strings.TrimSuffix(base, path.Ext(base)), path.Ext(base)
		switch ext {
		case ".py":
			return strings.HasPrefix(stem, "test_") || strings.HasSuffix(stem, "_test") || stem == "tests"
		case ".go":
			return strings.HasSuffix(stem, "_test")
		case ".js", ".ts", ".jsx", ".tsx", ".mjs", ".cjs":
			return strings.HasSuffix(stem, ".test") || strings.HasSuffix(stem, ".spec")
		case ".rb":
			return strings.HasSuffix(stem, "_spec") || strings.HasSuffix(stem, "_test")
		case ".java", ".kt", ".php", ".cs":
			return strings.HasSuffix(stem, "test") || strings.HasSuffix(stem, "tests")
		}
		return false
	})
}

// packageManifests are the files a package registry publishes from.
var packageManifests = map[string]bool{
	"setup.py": true, "setup.cfg": true, "pyproject.toml": true, "package.json": true,
	"go.mod": true, "pom.xml": true, "build.gradle": true, "build.gradle.kts": true,
	"composer.json": true, "cargo.toml": true, "description": true, "mix.exs": true,
	"pubspec.yaml": true, "debian": true, "snapcraft.yaml": true, "flake.nix": true,
}

// packagingIn finds a package manifest or a container file at the root
// (or one level down, a monorepo's parts), and says which.
func packagingIn(f crawler.Facts) (manifest, container string) {
	manifest = treeFile(f, func(p, base string, dir bool) bool {
		if strings.Count(p, "/") > 1 {
			return false
		}
		return packageManifests[base] && (!dir || base == "debian") || !dir && (strings.HasSuffix(base, ".gemspec") || strings.HasSuffix(base, ".csproj") || strings.HasSuffix(base, ".nuspec"))
	})
	container = treeFile(f, func(p, base string, dir bool) bool {
		if dir || strings.Count(p, "/") > 1 {
			return false
		}
		return base == "dockerfile" || strings.HasPrefix(base, "dockerfile.") || strings.HasSuffix(base, ".dockerfile") ||
			base == "containerfile" || strings.HasPrefix(base, "docker-compose") || base == "compose.yml" || base == "compose.yaml"
	})
	return manifest, container
}

// maintainersIn finds a MAINTAINERS or CODEOWNERS file (root, .github/,
// docs/, .gitlab/).
func maintainersIn(f crawler.Facts) string {
	return treeFile(f, func(p, base string, dir bool) bool {
		if dir || !inCommunityDir(p) {
			return false
		}
		stem := strings.TrimSuffix(base, path.Ext(base))
		return stem == "maintainers" || stem == "codeowners"
	})
}

// changelogIn finds a changelog at the root: CHANGELOG, HISTORY, NEWS,
// CHANGES, RELEASE_NOTES.
func changelogIn(f crawler.Facts) string {
	return treeFile(f, func(p, base string, dir bool) bool {
		if dir || strings.Contains(p, "/") {
			return false
		}
		stem := strings.TrimSuffix(base, path.Ext(base))
		switch stem {
		case "changelog", "history", "news", "changes", "release_notes", "releases":
			return true
		}
		return false
	})
}

// issueTemplatesIn finds issue or pull request templates: GitHub's
// ISSUE_TEMPLATE (folder or file) and PULL_REQUEST_TEMPLATE in the root,
// .github/ or docs/, GitLab's .gitlab/issue_templates and
// merge_request_templates, Gitea's .gitea/ISSUE_TEMPLATE.
func issueTemplatesIn(f crawler.Facts) string {
	return treeFile(f, func(p, base string, dir bool) bool {
		stem := strings.TrimSuffix(base, path.Ext(base))
		if strings.HasPrefix(p, ".gitlab/") || strings.HasPrefix(p, ".gitea/") || strings.HasPrefix(p, ".forgejo/") {
			return strings.Contains(p, "issue_template") || strings.Contains(p, "merge_request_template") || strings.Contains(p, "pull_request_template")
		}
		if !inCommunityDir(p) && !strings.HasPrefix(p, ".github/issue_template/") && !strings.HasPrefix(p, ".github/pull_request_template/") {
			return false
		}
		return stem == "issue_template" || stem == "pull_request_template" ||
			strings.HasPrefix(p, ".github/issue_template/") || strings.HasPrefix(p, ".github/pull_request_template/")
	})
}

// inCommunityDir tells a path in the root, .github/, docs/ or .gitlab/.
func inCommunityDir(p string) bool {
	d := path.Dir(p)
	return d == "." || d == ".github" || d == "docs" || d == ".gitlab"
}

// docsIn finds a documentation folder at the root: docs, doc,
// documentation, wiki, or a documentation site generator's configuration.
func docsIn(f crawler.Facts) string {
	return treeFile(f, func(p, base string, dir bool) bool {
		switch top := topDir(p); top {
		case "docs", "doc", "documentation", "wiki", "manual", "guide":
			return dir || top != p
		}
		return !dir && !strings.Contains(p, "/") && (base == "mkdocs.yml" || base == "mkdocs.yaml" || base == "book.toml" || base == "docusaurus.config.js" || base == ".readthedocs.yml" || base == ".readthedocs.yaml")
	})
}
