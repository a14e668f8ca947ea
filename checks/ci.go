package checks

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/eiglink/vigie/crawler"
)

// CI scores the continuous integration of the default branch.
//
//	10  the latest run succeeded
//	 7  a run is in progress (its result is not known yet)
//	 6  CI is configured but its result cannot be read (unknown)
//	 3  CI is configured but no run was found on the default branch
//	    (often a Travis CI configuration left since travis-ci.org closed)
//	 2  the latest run failed
//	 0  no CI configured and no run
//
// A run without any configuration file vigie knows (a forge-side pipeline,
// an external service posting statuses) is scored by its result all the
// same: the result is what matters.
func CI(f crawler.Facts, o Options) Check {
	systems := slices.Clone(f.CI.Systems)
	if systems == nil {
		systems = []string{}
	}
	status := f.CI.Status
	switch status {
	case crawler.StatusSuccess, crawler.StatusFailure, crawler.StatusRunning, crawler.StatusNone, crawler.StatusUnknown:
	case "":
		status = crawler.StatusNone
	default:
		status = crawler.StatusUnknown
	}
	files := slices.Clone(f.CI.Files)
	if files == nil {
		files = []string{}
	}
	c := Check{Name: NameCI, Details: map[string]any{
		"systems":      systems,
		DetailCIStatus: status,
		"files":        files,
		"run_at":       rfc3339(f.CI.RunAt),
		"run_url":      f.CI.RunURL,
	}}
	names := strings.Join(systems, ", ")
	if names == "" {
		names = o.text("un service externe", "an external service")
	}
	branch := orName(f.DefaultBranch, o.text("la branche par défaut", "the default branch"))
	switch status {
	case crawler.StatusSuccess:
		c.Score = 10
		c.Reason = o.text(fmt.Sprintf("La dernière exécution de l'intégration continue (%s) sur %s a réussi.", names, branch),
			fmt.Sprintf("The latest continuous integration run (%s) on %s succeeded.", names, branch))
		return c
	case crawler.StatusFailure:
		c.Score = 2
		c.Reason = o.text(fmt.Sprintf("La dernière exécution de l'intégration continue (%s) sur %s a échoué.", names, branch),
			fmt.Sprintf("The latest continuous integration run (%s) on %s failed.", names, branch))
		c.Remediation = o.text(fmt.Sprintf("Ouvrez le journal de l'exécution%s, corrigez l'étape en échec (tests, lint, build) et poussez la correction sur %s.", runLink(f.CI.RunURL), branch),
			fmt.Sprintf("Open the run's log%s, fix the failing step (tests, lint, build) and push the fix to %s.", runLink(f.CI.RunURL), branch))
		return c
	case crawler.StatusRunning:
		c.Score = 7
		c.Reason = o.text(fmt.Sprintf("Une exécution de l'intégration continue (%s) est en cours sur %s : son résultat n'est pas encore connu.", names, branch),
			fmt.Sprintf("A continuous integration run (%s) is in progress on %s: its result is not known yet.", names, branch))
		c.Remediation = o.text("Rien à faire si elle se termine : le score montera à 10 quand elle réussira. Si elle reste bloquée, vérifiez qu'un runner est disponible.",
			"Nothing to do if it finishes: the score rises to 10 when it succeeds. If it stays stuck, check that a runner is available.")
		return c
	}
	if len(f.CI.Systems) == 0 {
		c.Score = 0
		c.Reason = o.text("Aucune intégration continue n'est configurée : rien ne vérifie automatiquement que le code se construit et que ses tests passent.",
			"No continuous integration is configured: nothing checks automatically that the code builds and its tests pass.")
		file, cfg, what := ciSuggestion(f)
		c.Remediation = o.text(fmt.Sprintf("Ajoutez un fichier %s qui, à chaque push, %s.", file, what.fr),
			fmt.Sprintf("Add a %s file that, on every push, %s.", file, what.en))
		c.Details["suggested_file"] = file
		c.Details["suggested_config"] = cfg
		return c
	}
	if status == crawler.StatusUnknown {
		c.Score = 6
		c.Reason = o.text(fmt.Sprintf("L'intégration continue est configurée (%s) mais le résultat de sa dernière exécution n'a pas pu être lu.", names),
			fmt.Sprintf("Continuous integration is configured (%s) but the result of its latest run could not be read.", names))
		c.Remediation = o.text("Vérifiez que les exécutions sont publiques et rattachées aux commits de la branche par défaut (statuts ou checks visibles sur la forge).",
			"Check that runs are public and attached to the default branch's commits (statuses or checks visible on the forge).")
		return c
	}
	c.Score = 3
	c.Reason = o.text(fmt.Sprintf("L'intégration continue est configurée (%s) mais aucune exécution n'a été trouvée sur %s.", names, branch),
		fmt.Sprintf("Continuous integration is configured (%s) but no run was found on %s.", names, branch))
	if slices.Contains(f.CI.Systems, crawler.CITravis) && len(f.CI.Systems) == 1 {
		file, _, what := ciSuggestion(f)
		c.Remediation = o.text(fmt.Sprintf("travis-ci.org a fermé en 2021 : remplacez .travis.yml par un fichier %s qui, à chaque push, %s.", file, what.fr),
			fmt.Sprintf("travis-ci.org closed in 2021: replace .travis.yml with a %s file that, on every push, %s.", file, what.en))
		return c
	}
	c.Remediation = o.text(fmt.Sprintf("Vérifiez que la configuration (%s) se déclenche sur les push vers %s et que le service de CI est activé pour le dépôt.", strings.Join(f.CI.Files, ", "), branch),
		fmt.Sprintf("Check that the configuration (%s) triggers on pushes to %s and that the CI service is enabled for the repository.", strings.Join(f.CI.Files, ", "), branch))
	return c
}

func runLink(url string) string {
	if url == "" {
		return ""
	}
	return " (" + url + ")"
}

// rfc3339 formats a time in UTC, "" for the zero time.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

type bilingual struct{ fr, en string }

// toolchain is what a minimal CI does for one kind of project.
type toolchain struct {
	what    bilingual
	setup   string // GitHub Actions steps after checkout
	image   string // GitLab CI image
	command string // the commands, one shell line
}

// ciSuggestion proposes a minimal CI for the repository: the file to add for
// its forge, its content, and what it does in words. The project's kind
// comes from its files first (a package.json says more than a language
// label), then from the forge's language.
func ciSuggestion(f crawler.Facts) (file, config string, what bilingual) {
	tc := pickToolchain(f)
	switch {
	case isGitLab(f):
		file = ".gitlab-ci.yml"
		config = fmt.Sprintf("test:\n  image: %s\n  script:\n    - %s\n", tc.image, tc.command)
	case f.Ref.Type == "gitea":
		// Gitea reads .gitea/workflows, and so does Forgejo when it has no
		// .forgejo/workflows: one file for both. The syntax is GitHub
		// Actions'; the runner's label is the instance's choice.
		file = ".gitea/workflows/ci.yml"
		config = fmt.Sprintf("name: CI\non: [push, pull_request]\njobs:\n  test:\n    runs-on: docker\n    steps:\n      - uses: actions/checkout@v4\n%s      - run: %s\n", tc.setup, tc.command)
	default:
		file = ".github/workflows/ci.yml"
		config = fmt.Sprintf("name: CI\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n%s      - run: %s\n", tc.setup, tc.command)
	}
	return file, config, tc.what
}

func isGitLab(f crawler.Facts) bool {
	if f.Ref.Type != "" {
		return f.Ref.Type == "gitlab"
	}
	// Facts stored before the forge type was recorded.
	return strings.Contains(strings.ToLower(f.Ref.Host), "gitlab") || strings.Contains(strings.ToLower(f.Ref.Forge), "gitlab") ||
		strings.Contains(f.CI.RunURL, "/-/pipelines/")
}

func pickToolchain(f crawler.Facts) toolchain {
	has := map[string]bool{}
	for _, fl := range f.Files {
		if path.Dir(fl.Path) == "." {
			has[strings.ToLower(fl.Path)] = true
		}
	}
	lang := strings.ToLower(f.Language)
	switch {
	case has["package.json"] || lang == "javascript" || lang == "typescript" || lang == "vue":
		return toolchain{bilingual{"installe Node.js et lance `npm ci && npm test`", "installs Node.js and runs `npm ci && npm test`"},
			"      - uses: actions/setup-node@v4\n        with:\n          node-version: 22\n", "node:22", "npm ci && npm test"}
	case has["go.mod"] || lang == "go":
		return toolchain{bilingual{"installe Go et lance `go vet ./... && go test ./...`", "installs Go and runs `go vet ./... && go test ./...`"},
			"      - uses: actions/setup-go@v5\n        with:\n          go-version-file: go.mod\n", "golang:1.26", "go vet ./... && go test ./..."}
	case has["pom.xml"]:
		return toolchain{bilingual{"installe Java et lance `mvn -B verify`", "installs Java and runs `mvn -B verify`"},
			"      - uses: actions/setup-java@v4\n        with:\n          distribution: temurin\n          java-version: 21\n", "maven:3-eclipse-temurin-21", "mvn -B verify"}
	case has["build.gradle"] || has["build.gradle.kts"] || lang == "java" || lang == "kotlin":
		return toolchain{bilingual{"installe Java et lance `./gradlew build`", "installs Java and runs `./gradlew build`"},
			"      - uses: actions/setup-java@v4\n        with:\n          distribution: temurin\n          java-version: 21\n", "eclipse-temurin:21", "./gradlew build"}
	case has["cargo.toml"] || lang == "rust":
		return toolchain{bilingual{"lance `cargo test`", "runs `cargo test`"}, "", "rust:latest", "cargo test"}
	case has["gemfile"] || lang == "ruby":
		return toolchain{bilingual{"installe Ruby et lance `bundle exec rake test`", "installs Ruby and runs `bundle exec rake test`"},
			"      - uses: ruby/setup-ruby@v1\n        with:\n          bundler-cache: true\n", "ruby:3.3", "bundle install && bundle exec rake test"}
	case has["composer.json"] || lang == "php":
		return toolchain{bilingual{"installe PHP et lance `composer install && vendor/bin/phpunit`", "installs PHP and runs `composer install && vendor/bin/phpunit`"},
			"      - uses: shivammathur/setup-php@v2\n        with:\n          php-version: '8.3'\n", "composer:2", "composer install && vendor/bin/phpunit"}
	case has["requirements.txt"] || has["pyproject.toml"] || has["setup.py"] || lang == "python" || lang == "jupyter notebook":
		install := "pip install -r requirements.txt"
		if !has["requirements.txt"] && (has["pyproject.toml"] || has["setup.py"]) {
			install = "pip install ."
		}
		return toolchain{bilingual{"installe Python et lance `" + install + " pytest && pytest`", "installs Python and runs `" + install + " pytest && pytest`"},
			"      - uses: actions/setup-python@v5\n        with:\n          python-version: '3.12'\n", "python:3.12", install + " pytest && pytest"}
	}
	return toolchain{bilingual{"construit le projet et lance ses tests (par exemple `make test`)", "builds the project and runs its tests (for instance `make test`)"},
		"", "debian:stable", "make test"}
}
