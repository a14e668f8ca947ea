package main

// The programme's profile, accepted end to end: repositories built to sit
// at each degree of the EIG guide's ladder, served by the documentation-
// written fakes of GitHub, GitLab and Gitea (accept_github_test.go,
// accept_gitlab_test.go, accept_gitea_test.go), checked with `vigie check --format json`, then
// crawled and read back through `vigie serve` (/api/repos, one repository,
// /metrics). Every expected value below was worked out by hand from the
// programme's written rules (docs/scoring.md): the degree from the ten
// criteria, the checklist item by item, the publiccode.yml problems with
// their lines counted in the files as written, code.gouv.fr's sum from its
// table. The READMEs are written as entrepreneurs write them, in French
// and in English, not in the words the rules look for.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub/fakegithubtest"
	"github.com/eiglink/vigie/internal/fakeforge/fakegitlab"
)

// pfWant is the profile a repository must get.
type pfWant struct {
	url      string
	repo     string
	degree   int
	criteria string   // published, license, maintenance, versioning, readme, bug_tracker, packaging, contribution, tests, documentation: 1 met, 0 not
	met      []string // checklist items met; every other item applies and is not met, but na
	na       []string // checklist items that do not apply
	pcFile   string
	pcVer    string
	pcValid  bool
	pcErrs   []string // "line key", any order
	codegouv int
}

var pfCriteria = []string{"published", "license", "maintenance", "versioning", "readme", "bug_tracker", "packaging", "contribution", "tests", "documentation"}

var pfChecklist = []string{
	"description", "topics", "license_file", "contributing", "code_of_conduct",
	"security_contact", "changelog", "issue_templates", "organisation_account",
	"maintenance_stated", "readme_copyright", "readme_test", "readme_contact",
	"readme_contributions", "readme_license", "readme_programme_mention", "publiccode",
}

// pfResult is the part of a result object the profile fills.
type pfResult struct {
	Repo     string `json:"repo"`
	Error    string `json:"error"`
	Openness *struct {
		Degree   int `json:"degree"`
		Criteria []struct {
			Name     string `json:"name"`
			Met      bool   `json:"met"`
			Evidence string `json:"evidence"`
		} `json:"criteria"`
	} `json:"openness"`
	Checklist []struct {
		ID          string `json:"id"`
		Met         bool   `json:"met"`
		Applicable  bool   `json:"applicable"`
		Evidence    string `json:"evidence"`
		Remediation string `json:"remediation"`
		Source      string `json:"source"`
	} `json:"checklist"`
	Publiccode *struct {
		File    string `json:"file"`
		Version string `json:"version"`
		Valid   bool   `json:"valid"`
		Errors  []struct {
			Line    int    `json:"line"`
			Key     string `json:"key"`
			Message string `json:"message"`
		} `json:"errors"`
	} `json:"publiccode"`
	CodegouvScore *int `json:"codegouv_score"`
}

func pfCompare(t *testing.T, r pfResult, w pfWant) {
	t.Helper()
	name := w.repo
	if r.Repo != w.repo || r.Error != "" {
		t.Errorf("%s: repo %q error %q", name, r.Repo, r.Error)
		return
	}
	if r.Openness == nil {
		t.Errorf("%s: no openness", name)
	} else {
		if r.Openness.Degree != w.degree {
			t.Errorf("%s: degree %d, want %d", name, r.Openness.Degree, w.degree)
		}
		var got strings.Builder
		for i, c := range r.Openness.Criteria {
			if i < len(pfCriteria) && c.Name != pfCriteria[i] {
				t.Errorf("%s: criterion %d is %q, want %q", name, i, c.Name, pfCriteria[i])
			}
			if c.Evidence == "" {
				t.Errorf("%s: criterion %s has no evidence", name, c.Name)
			}
			got.WriteString(map[bool]string{true: "1", false: "0"}[c.Met])
		}
		if got.String() != w.criteria {
			for i, c := range r.Openness.Criteria {
				if i < len(w.criteria) && (w.criteria[i] == '1') != c.Met {
					t.Errorf("%s: criterion %s met=%v, want %v (evidence: %s)", name, c.Name, c.Met, !c.Met, c.Evidence)
				}
			}
			if len(r.Openness.Criteria) != len(w.criteria) {
				t.Errorf("%s: %d criteria, want %d", name, len(r.Openness.Criteria), len(w.criteria))
			}
		}
	}
	if len(r.Checklist) != len(pfChecklist) {
		t.Errorf("%s: %d checklist items, want %d", name, len(r.Checklist), len(pfChecklist))
	}
	for i, it := range r.Checklist {
		if i < len(pfChecklist) && it.ID != pfChecklist[i] {
			t.Errorf("%s: checklist item %d is %q, want %q", name, i, it.ID, pfChecklist[i])
		}
		wantNA := slices.Contains(w.na, it.ID)
		wantMet := slices.Contains(w.met, it.ID)
		if it.Applicable == wantNA || it.Met != wantMet {
			t.Errorf("%s: %s met=%v applicable=%v, want met=%v applicable=%v (evidence: %s)", name, it.ID, it.Met, it.Applicable, wantMet, !wantNA, it.Evidence)
		}
		if it.Source == "" || it.Evidence == "" {
			t.Errorf("%s: %s without source or evidence", name, it.ID)
		}
		if it.Applicable && !it.Met && it.Remediation == "" {
			t.Errorf("%s: %s not met and no remediation", name, it.ID)
		}
	}
	if pc := r.Publiccode; pc == nil {
		t.Errorf("%s: no publiccode", name)
	} else {
		var errs []string
		for _, e := range pc.Errors {
			errs = append(errs, fmt.Sprintf("%d %s", e.Line, e.Key))
			if e.Message == "" {
				t.Errorf("%s: publiccode error at %d %s without message", name, e.Line, e.Key)
			}
		}
		sort.Strings(errs)
		want := append([]string(nil), w.pcErrs...)
		sort.Strings(want)
		if pc.File != w.pcFile || pc.Version != w.pcVer || pc.Valid != w.pcValid || fmt.Sprint(errs) != fmt.Sprint(want) {
			t.Errorf("%s: publiccode %q %q valid=%v errors %v, want %q %q valid=%v errors %v", name, pc.File, pc.Version, pc.Valid, errs, w.pcFile, w.pcVer, w.pcValid, want)
		}
		if pc.Errors == nil {
			t.Errorf("%s: publiccode.errors is null, want []", name)
		}
	}
	if r.CodegouvScore == nil {
		t.Errorf("%s: no codegouv_score, want %d", name, w.codegouv)
	} else if *r.CodegouvScore != w.codegouv {
		t.Errorf("%s: codegouv_score %d, want %d", name, *r.CodegouvScore, w.codegouv)
	}
}

// pfLines joins lines: the publiccode.yml files are written one line per
// element so their line numbers can be read off the source.
func pfLines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

const pfLong = "Un texte qui décrit le logiciel pour les agents qui vont l'utiliser : à quoi il sert, pour qui il a été écrit, dans quel contexte administratif et avec quelles données publiques il fonctionne."

// pfProgramme builds the GitHub and GitLab programmes and what each
// repository must get.
func pfProgramme(t *testing.T, now time.Time) (gh []*ghaRepo, ghWant []pfWant, gl []*glaProject, glWant []pfWant) {
	mit := ghaLicenceText(t, "MIT.t1")
	commits := func() []ghaCommit { return ghaCommits(now, 2, 10, 40, 120) }
	repo := func(name, lang string, lic *ghaLicense, meta ghaMeta, files map[string]string) *ghaRepo {
		m := meta
		return &ghaRepo{owner: "eig", name: name, language: lang, license: lic, files: files, commits: commits(), meta: &m}
	}
	want := func(name string, degree int, criteria string, codegouv int, met ...string) pfWant {
		return pfWant{url: "https://github.com/eig/" + name, repo: "github.com/eig/" + name, degree: degree, criteria: criteria, codegouv: codegouv, met: met}
	}
	desc := func(d string, forks, watchers int) ghaMeta {
		return ghaMeta{description: d, hasIssues: true, forks: forks, watchers: watchers}
	}

	// -1: no licence at all (a Python project otherwise in order).
	gh = append(gh, repo("sans-licence", "Python", nil, desc("Explorer les données essentielles de la commande publique", 0, 1), map[string]string{
		"README.md": "# Explorateur des marchés publics\n\nInterface de recherche dans les données essentielles de la commande publique (DECP), pour les acheteurs publics qui veulent comparer leurs prix.\n\n" +
			"## Installation\n\n```\npip install -r requirements.txt\npython app.py\n```\n\nPour lancer les tests : `pytest`\n\n© Ministère de l'Économie, Jeanne Dupont\n",
		"requirements.txt": "flask==3.0.0\npandas\n", "app.py": "import flask\n", "tests/test_app.py": "def test_ok():\n    assert True\n",
	}))
	ghWant = append(ghWant, want("sans-licence", -1, "1001111010", 100, "description", "organisation_account", "readme_copyright", "readme_test"))

	// -1: a free licence outside the decree's list (ISC).
	gh = append(gh, repo("licence-isc", "JavaScript", &ghaLicense{"isc", "ISC License", "ISC"}, desc("Lambert 93 to WGS84 helpers", 2, 2), map[string]string{
		"LICENSE":      ghaLicenceText(t, "ISC.t1"),
		"README.md":    "# geo-utils\n\nSmall helpers to convert Lambert 93 coordinates to WGS84, used by several services of the French administration.\n\n```js\nconst { toWgs84 } = require('geo-utils')\n```\n\nReleased under the ISC license.\n",
		"package.json": `{"name": "geo-utils", "version": "1.2.0"}`, "index.js": "module.exports = {}\n", "test/index.test.js": "test('x', () => {})\n",
	}))
	ghWant = append(ghWant, want("licence-isc", -1, "1001111010", 1120, "description", "license_file", "organisation_account", "readme_license"))

	// 0: licence, but nobody says who maintains it; everything above is
	// there, which the cumulative ladder ignores. A fork and a template:
	// code.gouv.fr's table takes and gives 1000 each.
	r := repo("degre-zero", "Ruby", ghaMIT, ghaMeta{description: "Rapprochement d'adresses avec la BAN", hasIssues: true, forks: 11, watchers: 101, template: true}, map[string]string{
		"LICENSE":       mit,
		"README.md":     "# Outil de rapprochement\n\nBibliothèque Ruby qui rapproche les adresses saisies à la main des adresses de la Base adresse nationale, pour les services d'état civil.\n\nContact : equipe-ban@beta.gouv.fr\n",
		"outil.gemspec": "Gem::Specification.new do |s|\nend\n", "Gemfile": "source 'https://rubygems.org'\ngemspec\n", "lib/outil.rb": "module Outil; end\n",
		"spec/outil_spec.rb": "describe Outil do\nend\n", "CONTRIBUTING.md": "# Contribuer\n\nOuvrez une issue.\n", "docs/index.md": "# Documentation\n",
	})
	r.fork = true
	gh = append(gh, r)
	ghWant = append(ghWant, want("degre-zero", 0, "1101111111", 2300, "description", "license_file", "contributing", "organisation_account", "readme_contact"))

	// 2: a MAINTAINERS file says who maintains it, but there is no README.
	gh = append(gh, repo("degre-deux", "Go", ghaMIT, ghaMeta{hasIssues: true, forks: 1}, map[string]string{
		"LICENSE": mit, "MAINTAINERS": "Jeanne Dupont <jeanne.dupont@interieur.gouv.fr>\n",
		"go.mod": "module example.org/degre\n\ngo 1.22\n", "main.go": "package main\n", "main_test.go": "package main\n",
	}))
	ghWant = append(ghWant, want("degre-deux", 2, "1111011010", 900, "license_file", "organisation_account", "maintenance_stated"))

	// 3: maintenance said in the README, but issues are off and no
	// tracker is linked. A personal account.
	r = repo("degre-trois", "PHP", &ghaLicense{"eupl-1.2", "European Union Public License 1.2", "EUPL-1.2"}, ghaMeta{description: "Annuaire des aides aux entreprises d'Occitanie", userAcc: true}, map[string]string{
		"LICENSE": ghaLicenceText(t, "EUPL-1.2.t1"),
		"README.md": "# Annuaire des aides\n\nApplication web qui recense les aides aux entreprises proposées par les collectivités d'Occitanie.\n\n" +
			"L'application est en maintenance active : l'équipe de la Direction du numérique corrige les anomalies et répond aux questions à contact-aides@numerique.gouv.fr.\n",
		"composer.json": `{"name": "occitanie/aides"}`, "src/Aide.php": "<?php\n", "public/index.php": "<?php\n",
	})
	gh = append(gh, r)
	w := want("degre-trois", 3, "1111101000", 1100, "description", "license_file", "maintenance_stated", "readme_contact")
	ghWant = append(ghWant, w)

	// 4: issues open, but nothing installs it (R scripts and notebooks).
	// A valid publiccode.yml 0.2 (releaseDate and categories mandatory
	// then) whose -or-later licence agrees with GitHub's bare AGPL-3.0.
	gh = append(gh, repo("degre-quatre", "R", &ghaLicense{"agpl-3.0", "GNU Affero General Public License v3.0", "AGPL-3.0"}, desc("Croisement des accidents corporels et des comptages routiers", 0, 0), map[string]string{
		"LICENSE": ghaLicenceText(t, "AGPL-3.0.t1"),
		"README.md": "# Analyse des accidents de la route\n\nScripts R et carnets Jupyter qui croisent le fichier BAAC des accidents corporels avec les comptages routiers, pour repérer les tronçons les plus dangereux.\n\n" +
			"Les scripts se lancent dans RStudio : ouvrez `analyse.R` et exécutez-le.\n\n## Qui maintient ce dépôt ?\n\n" +
			"Depuis la fin du défi, la maintenance est passive : Paul Martin (paul.martin@interieur.gouv.fr) répond aux questions mais aucune évolution n'est prévue.\n\n" +
			"Développé pendant le défi Cartav, promotion 2017 des Entrepreneurs d'intérêt général.\n",
		"analyse.R": "library(dplyr)\n", "notebooks/exploration.ipynb": "{}\n", "CHANGELOG.md": "# 1.0\n",
		"publiccode.yml": pfLines(
			`publiccodeYmlVersion: "0.2"`,
			`name: analyse-accidents`,
			`url: "https://github.com/eig/degre-quatre"`,
			`releaseDate: "2019-06-30"`,
			`platforms:`,
			`  - web`,
			`categories:`,
			`  - data-analytics`,
			`developmentStatus: stable`,
			`softwareType: "standalone/other"`,
			`description:`,
			`  fr:`,
			`    shortDescription: Croisement des accidents corporels et des comptages routiers`,
			`    longDescription: "`+pfLong+`"`,
			`    features:`,
			`      - Carte des tronçons dangereux`,
			`legal:`,
			`  license: AGPL-3.0-or-later`,
			`maintenance:`,
			`  type: internal`,
			`  contacts:`,
			`    - name: Paul Martin`,
			`      email: paul.martin@interieur.gouv.fr`,
			`localisation:`,
			`  localisationReady: false`,
			`  availableLanguages:`,
			`    - fr`),
	}))
	w = want("degre-quatre", 4, "1111110000", 2110, "description", "license_file", "changelog", "organisation_account", "maintenance_stated", "readme_contact", "publiccode")
	w.pcFile, w.pcVer, w.pcValid = "publiccode.yml", "0.2", true
	ghWant = append(ghWant, w)

	// 5: a package, no word on contributing (an English README).
	gh = append(gh, repo("degre-cinq", "JavaScript", ghaMIT, ghaMeta{description: "Local budgets on a map", topics: []string{"open-data", "budget"}, hasIssues: true, forks: 101, watchers: 11}, map[string]string{
		"LICENSE": mit,
		"README.md": "# Carto-budget\n\nCarto-budget draws the budget of French local authorities on a map, from the open data published by the DGFiP.\n\n## Getting started\n\n```\nnpm install\nnpm start\n```\n\n" +
			"## Status\n\nThis project is actively maintained by the Etalab data team. Questions and bug reports: write to carto-budget@data.gouv.fr.\n\n" +
			"## Running the tests\n\nRun the test suite with `npm test`.\n\n## License\n\nReleased under the MIT License.\n\nCopyright (c) 2021 Direction interministérielle du numérique, John Smith\n",
		"package.json": `{"name": "carto-budget", "scripts": {"test": "jest"}}`, "src/index.js": "export {}\n", "jest.config.js": "module.exports = {}\n", "docs/architecture.md": "# Architecture\n",
	}))
	ghWant = append(ghWant, want("degre-cinq", 5, "1111111011", 2200, "description", "license_file", "organisation_account", "maintenance_stated", "readme_copyright", "readme_test", "readme_contact", "readme_license"))

	// 6: contributing said, no tests. publiccode.yml 0.3 missing
	// platforms (reported at line 1) and, its maintenance being internal,
	// maintenance.contacts (at maintenance's line, 18).
	gh = append(gh, repo("degre-six", "PHP", &ghaLicense{"bsd-3-clause", `BSD 3-Clause "New" or "Revised" License`, "BSD-3-Clause"}, desc("Publication des délibérations municipales", 0, 0), map[string]string{
		"LICENSE": ghaLicenceText(t, "BSD-3-Clause.t1"),
		"README.md": "# Registre des délibérations\n\nOutil de publication des délibérations des conseils municipaux, conforme au décret open data des collectivités.\n\n## Installation\n\n```\ncomposer install\nphp bin/console doctrine:migrations:migrate\n```\n\n" +
			"## Maintenance\n\nMaintenu par l'équipe numérique de la préfecture, qui fait évoluer l'outil. Écrivez-nous : registre@interieur.gouv.fr\n\n## Contribuer\n\nToute aide est la bienvenue, voir CONTRIBUTING.md.\n",
		"composer.json": `{"name": "prefecture/registre"}`, "CONTRIBUTING.md": "# Contribuer\n", "src/Controller/DeliberationController.php": "<?php\n", "public/index.php": "<?php\n",
		"publiccode.yml": pfLines(
			`publiccodeYmlVersion: "0.3"`, // 1
			`name: registre-deliberations`,
			`url: "https://github.com/eig/degre-six"`,
			`releaseDate: "2020-02-01"`,
			`categories:`, // 5
			`  - document-management`,
			`developmentStatus: beta`,
			`softwareType: "standalone/web"`,
			`description:`,
			`  fr:`, // 10
			`    shortDescription: Publication des délibérations municipales`,
			`    longDescription: "`+pfLong+`"`,
			`    features:`,
			`      - Publication au format ouvert`,
			`legal:`, // 15
			`  license: BSD-3-Clause`,
			`  mainCopyrightOwner: Préfecture de la Gironde`,
			`maintenance:`, // 18
			`  type: internal`,
			`localisation:`, // 20
			`  localisationReady: true`,
			`  availableLanguages:`,
			`    - fr`),
	}))
	w = want("degre-six", 6, "1111111100", 2200, "description", "license_file", "contributing", "organisation_account", "maintenance_stated", "readme_contact", "readme_contributions")
	w.pcFile, w.pcVer, w.pcErrs = "publiccode.yml", "0.3", []string{"1 platforms", "18 maintenance.contacts"}
	ghWant = append(ghWant, w)

	// 7: tests, no documentation. CODEOWNERS names the maintainer.
	// publiccode.yml 0.4 (no releaseDate: optional since 0.4) names
	// another repository and another licence.
	gh = append(gh, repo("degre-sept", "Go", ghaApache, desc("Local copy of the SIRENE register", 0, 0), map[string]string{
		"LICENSE": ghaLicenceText(t, "Apache-2.0.t1"),
		"README.md": "# sirene-sync\n\nsirene-sync keeps a local PostgreSQL copy of the SIRENE company register up to date from INSEE's API.\n\n## Install\n\n```\ngo install github.com/eig/degre-sept@latest\n```\n\n" +
			"## Contributing\n\nPull requests are welcome; please open an issue first to discuss what you would like to change.\n",
		"go.mod": "module github.com/eig/degre-sept\n", "main.go": "package main\n", "main_test.go": "package main\n", "CONTRIBUTING.md": "# Contributing\n",
		".github/CODEOWNERS": "* @jdupont\n",
		"publiccode.yml": pfLines(
			`publiccodeYmlVersion: "0.4"`,
			`name: sirene-sync`,
			`url: "https://github.com/eig/sirene-sync"`, // 3
			`platforms:`,
			`  - linux`,
			`categories:`,
			`  - data-collection`,
			`developmentStatus: development`,
			`softwareType: "standalone/backend"`,
			`description:`, // 10
			`  en:`,
			`    shortDescription: Keeps a local copy of the SIRENE register up to date`,
			`    longDescription: "`+pfLong+`"`,
			`    features:`,
			`      - Daily synchronisation`, // 15
			`legal:`,
			`  license: MIT`, // 17
			`maintenance:`,
			`  type: community`,
			`  contacts:`, // 20
			`    - name: Jeanne Dupont`,
			`localisation:`,
			`  localisationReady: false`,
			`  availableLanguages:`,
			`    - en`),
	}))
	w = want("degre-sept", 7, "1111111110", 2200, "description", "license_file", "contributing", "organisation_account", "maintenance_stated", "readme_contributions")
	w.pcFile, w.pcVer, w.pcErrs = "publiccode.yml", "0.4", []string{"3 url", "17 legal.license"}
	ghWant = append(ghWant, w)

	// 8: everything, in French, CeCILL 2.1 that GitHub cannot name.
	gh = append(gh, repo("degre-huit", "Python", ghaOther, ghaMeta{description: "Suivi des parcours des jeunes en mission locale", topics: []string{"entrepreneur-interet-general", "eig-2019", "insertion"}, hasIssues: true, forks: 5, watchers: 12}, map[string]string{
		"LICENSE": ghaLicenceText(t, "CECILL-2.1.t1"),
		"README.md": "# Trajectoires\n\nTrajectoires aide les conseillers des missions locales à suivre le parcours des jeunes qu'ils accompagnent, sans ressaisie entre les outils de l'État.\n\n" +
			"## Installation\n\n```\npip install trajectoires\n```\n\n## Utilisation\n\n" +
			"Après l'installation, lancez `trajectoires serve --port 8000` puis ouvrez http://localhost:8000. L'écran d'accueil liste les jeunes suivis ; chaque fiche réunit les rendez-vous, les formations et les aides demandées. Les exports CSV se trouvent dans le menu « Exports ».\n\n" +
			"## Tests\n\nPour lancer les tests : `pytest`\n\n## Maintenance\n\nLe projet est maintenu activement par l'équipe de la Délégation générale à l'emploi. Contact : jeanne.dupont@beta.gouv.fr\n\n" +
			"## Contribuer\n\nLes contributions sont les bienvenues : lisez CONTRIBUTING.md, puis ouvrez une issue ou une pull request.\n\n" +
			"## Licence\n\nCe logiciel est distribué sous licence CeCILL 2.1 (voir LICENSE).\n\n© Ministère du Travail, Jeanne Dupont\n\n" +
			"Ce projet a été développé dans le cadre du programme [Entrepreneur d'intérêt général](https://eig.etalab.gouv.fr/).\n",
		"pyproject.toml": "[project]\nname = \"trajectoires\"\n", "trajectoires/__init__.py": "", "tests/test_parcours.py": "def test_x():\n    pass\n",
		"docs/index.md": "# Documentation\n", "CONTRIBUTING.md": "# Contribuer\n", "CODE_OF_CONDUCT.md": "# Code de conduite\n",
		"SECURITY.md": "Signalez les failles à securite@beta.gouv.fr\n", "CHANGELOG.md": "# Journal\n", ".github/ISSUE_TEMPLATE/bug_report.md": "---\nname: Bug\n---\n",
		"publiccode.yml": pfLines(
			`publiccodeYmlVersion: "0.4"`,
			`name: trajectoires`,
			`url: "https://github.com/eig/degre-huit.git"`,
			`landingURL: "https://trajectoires.beta.gouv.fr"`,
			`platforms: [web]`,
			`categories: [case-management]`,
			`developmentStatus: stable`,
			`softwareType: "standalone/web"`,
			`description:`,
			`  fr:`,
			`    shortDescription: Suivi des parcours des jeunes en mission locale`,
			`    longDescription: >`,
			`      `+pfLong,
			`    features:`,
			`      - Fiche de suivi`,
			`legal:`,
			`  license: CECILL-2.1`,
			`maintenance:`,
			`  type: internal`,
			`  contacts:`,
			`    - name: Jeanne Dupont`,
			`      email: jeanne.dupont@beta.gouv.fr`,
			`localisation:`,
			`  localisationReady: true`,
			`  availableLanguages: [fr]`),
	}))
	w = want("degre-huit", 8, "1111111111", 2320, pfChecklist...)
	w.pcFile, w.pcVer, w.pcValid = "publiccode.yml", "0.4", true
	ghWant = append(ghWant, w)

	// Archived: its maintenance is known (there is none); Java with
	// nothing on contributing stops at 5. Archived costs 1000 on
	// code.gouv.fr.
	r = repo("archive-java", "Java", ghaMIT, desc("Scanned identity documents checker", 0, 0), map[string]string{
		"LICENSE": mit,
		"README.md": "# dossier-scan\n\nSpring Boot service that checks scanned identity documents submitted by tenants.\n\n## Build\n\n```\nmvn package\n```\n\n" +
			"This repository is archived: the service was merged into the main application.\n",
		"pom.xml": "<project/>\n", "src/main/java/fr/gouv/Scan.java": "class Scan {}\n",
	})
	r.archived = true
	gh = append(gh, r)
	ghWant = append(ghWant, want("archive-java", 5, "1111111000", 100, "description", "license_file", "organisation_account", "maintenance_stated"))

	// 7: a Maven project, tests where Java keeps them (src/test/java, no
	// test folder at the root), no documentation.
	gh = append(gh, repo("java-maven", "Java", ghaMIT, desc("Contrôle des pièces justificatives des demandes de logement social", 0, 0), pfJavaFiles(mit, false)))
	ghWant = append(ghWant, want("java-maven", 7, "1111111110", 1200, "description", "license_file", "contributing", "organisation_account", "maintenance_stated", "readme_contact"))

	// 5: a Laravel application whose README says, in its own words, that
	// nobody updates it any more (a maintenance status: none), gives the
	// demo's login and, elsewhere, a contact; tests run with artisan. A
	// défi line linking to the programme's site is the programme mention.
	gh = append(gh, repo("plus-a-jour", "PHP", ghaMIT, desc("Gestion des demandes de subventions", 2, 0), map[string]string{
		"LICENSE": mit,
		"README.md": "# Subventions\n\nApplication de gestion des demandes de subventions des associations sportives.\n\n" +
			"Ce dépôt n'est plus mis à jour depuis la fin du défi ; pour toute question, écrivez à subventions@sports.gouv.fr.\n\n" +
			"## Démonstration\n\nIdentifiant : demo@exemple.fr / mot de passe : demo\n\n" +
			"Les tests se lancent avec `php artisan test`.\n\n" +
			"Le défi [Subventions](https://entrepreneur-interet-general.etalab.gouv.fr/defis/2019/subventions.html) a réuni deux entrepreneurs au ministère des Sports.\n",
		"composer.json": `{"name": "sports/subventions"}`, "artisan": "#!/usr/bin/env php\n", "app/Http/Kernel.php": "<?php\n", "tests/Feature/ExampleTest.php": "<?php\n",
	}))
	ghWant = append(ghWant, want("plus-a-jour", 5, "1111111010", 1110, "description", "license_file", "organisation_account", "maintenance_stated", "readme_test", "readme_contact", "readme_programme_mention"))

	// 0: maintenance said, but the only address is the demo's login.
	gh = append(gh, repo("demo-login", "JavaScript", ghaMIT, desc("Prise de rendez-vous en préfecture", 0, 0), map[string]string{
		"LICENSE": mit,
		"README.md": "# Rendez-vous\n\nPrise de rendez-vous en ligne pour les guichets des préfectures, avec rappel par SMS.\n\n" +
			"Le projet est maintenu activement par la préfecture du Rhône.\n\nPour essayer l'application en local :\n\nLogin: admin@rdv.local\nPassword: admin\n",
		"package.json": `{"name": "rendez-vous"}`, "src/app.js": "\n",
	}))
	ghWant = append(ghWant, want("demo-login", 0, "1101111000", 1100, "description", "license_file", "organisation_account"))

	// GitLab.
	glw := func(path string, degree int, criteria string, codegouv int, met ...string) pfWant {
		return pfWant{url: "https://gitlab.com/" + path, repo: "gitlab.com/" + path, degree: degree, criteria: criteria, codegouv: codegouv, met: met}
	}
	glDays := glaDays(now, 2, 10, 40)
	gl = append(gl, &glaProject{path: "eig/gl-huit", branch: "main", licenseKey: "mit", licenseFile: "LICENSE", readme: "README.md", commits: glDays,
		meta: &ghaMeta{description: "Wild bees observations on a map", topics: []string{"entrepreneur-interet-general", "eig-2020"}, forks: 3},
		files: map[string]string{
			"LICENSE": mit,
			"README.md": "# Pollinisateurs\n\nPollinisateurs maps the observations of wild bees reported by volunteers to the natural history museum.\n\n## Installation\n\n```\npip install pollinisateurs\n```\n\n" +
				"## Usage\n\nStart the web application with `pollinisateurs serve` and open http://localhost:5000. The map shows every observation of the last year; filters on the left narrow it down by species, département and date. The export button downloads the filtered observations as CSV.\n\n" +
				"## Tests\n\n```\npython -m pytest\n```\n\n## Maintainers\n\nThis project is actively maintained by Marie Curie (marie.curie@mnhn.fr) for the museum.\n\n" +
				"## Contributing\n\nContributions of all kinds are welcome: bug reports, translations, code. Read CONTRIBUTING.md before opening a merge request.\n\n" +
				"## License\n\nMIT License. Copyright © 2020 Muséum national d'Histoire naturelle, Marie Curie.\n\n" +
				"This project was developed as part of the [Entrepreneur d'intérêt général](https://entrepreneur-interet-general.etalab.gouv.fr/) programme.\n",
			"setup.py": "from setuptools import setup\n", "tests/test_map.py": "def test_map():\n    pass\n", "docs/index.md": "# Docs\n",
			"CONTRIBUTING.md": "# Contributing\n", "CODE_OF_CONDUCT.md": "# Code of conduct\n", "SECURITY.md": "security@mnhn.fr\n", "CHANGELOG.md": "# Changes\n",
			".gitlab/issue_templates/Bug.md": "## Summary\n",
			"publiccode.yml": pfLines(
				`publiccodeYmlVersion: "0.4"`,
				`name: pollinisateurs`,
				`url: "https://gitlab.com/eig/gl-huit"`,
				`platforms: [web]`,
				`categories: [data-visualization]`,
				`developmentStatus: stable`,
				`softwareType: "standalone/web"`,
				`description:`,
				`  en:`,
				`    shortDescription: Wild bees observations on a map`,
				`    longDescription: "`+pfLong+`"`,
				`    features: [Map]`,
				`legal: {license: MIT}`,
				`maintenance: {type: community, contacts: [{name: Marie Curie}]}`,
				`localisation: {localisationReady: false, availableLanguages: [en]}`),
		}})
	w = glw("eig/gl-huit", 8, "1111111111", 2220, pfChecklist...)
	w.pcFile, w.pcVer, w.pcValid = "publiccode.yml", "0.4", true
	glWant = append(glWant, w)

	// 3 on GitLab: issues off; a personal namespace; publiccode.yml 0.3
	// without releaseDate (mandatory before 0.4: line 1) nor
	// legal.license (at legal's line, 14).
	gl = append(gl, &glaProject{path: "jdupont/gl-trois", branch: "master", licenseKey: "eupl-1.2", licenseFile: "LICENSE", readme: "README.md", commits: glDays, issuesOff: true,
		meta: &ghaMeta{description: "Simulateur des aides au logement étudiant", userAcc: true},
		files: map[string]string{
			"LICENSE": ghaLicenceText(t, "EUPL-1.2.t1"),
			"README.md": "# Simulateur de droits\n\nSimulateur des aides au logement pour les étudiants, développé avec la caisse d'allocations familiales.\n\n" +
				"## État du projet\n\nCe service n'est plus maintenu depuis 2021 ; pour toute question, écrire à simulateur@caf.gouv.fr.\n",
			"index.html": "<html></html>\n", "simulateur.js": "var x\n",
			"publiccode.yml": pfLines(
				`publiccodeYmlVersion: "0.3"`, // 1
				`name: simulateur`,
				`url: "https://gitlab.com/jdupont/gl-trois"`,
				`platforms: [web]`,
				`categories: [financial-reporting]`, // 5
				`developmentStatus: obsolete`,
				`softwareType: "standalone/web"`,
				`description:`,
				`  fr:`,
				`    shortDescription: Simulateur des aides au logement étudiant`, // 10
				`    longDescription: "`+pfLong+`"`,
				`    features:`,
				`      - Simulation des droits`,
				`legal:`, // 14
				`  repoOwner: Caisse d'allocations familiales`,
				`maintenance:`,
				`  type: none`,
				`localisation:`,
				`  localisationReady: false`,
				`  availableLanguages: [fr]`),
		}})
	w = glw("jdupont/gl-trois", 3, "1111100000", 2100, "description", "license_file", "maintenance_stated", "readme_contact")
	w.pcFile, w.pcVer, w.pcErrs = "publiccode.yml", "0.3", []string{"1 releaseDate", "14 legal.license"}
	glWant = append(glWant, w)

	// 8 on GitLab: a Maven project with its tests in src/test/java and a
	// docs folder.
	gl = append(gl, &glaProject{path: "eig/gl-java", branch: "main", licenseKey: "mit", licenseFile: "LICENSE", readme: "README.md", commits: glDays,
		meta: &ghaMeta{description: "Contrôle des pièces justificatives des demandes de logement social"}, files: pfJavaFiles(mit, true)})
	glWant = append(glWant, glw("eig/gl-java", 8, "1111111111", 1200, "description", "license_file", "contributing", "organisation_account", "maintenance_stated", "readme_contact"))

	// -1 on GitLab: no licence.
	gl = append(gl, &glaProject{path: "eig/gl-sans-licence", branch: "main", readme: "README.md", commits: glDays,
		meta: &ghaMeta{description: "Tableau de bord des urgences"},
		files: map[string]string{
			"README.md":    "# Urgences\n\nTableau de bord du temps d'attente aux urgences des hôpitaux publics, mis à jour toutes les heures.\n\n## Installation\n\n```\nnpm ci\n```\n",
			"package.json": `{"name": "urgences"}`, "src/app.js": "\n",
		}})
	glWant = append(glWant, glw("eig/gl-sans-licence", -1, "1001111000", 100, "description", "organisation_account"))
	return gh, ghWant, gl, glWant
}

// pfJavaFiles is a Maven project as Maven lays it out: the tests in
// src/test/java only (vigie sees them by listing src/, which it does for
// a JVM build), a pom.xml, a README that says who maintains it and how to
// build, nothing on tests or the licence; docs/ when docs is true.
func pfJavaFiles(licence string, docs bool) map[string]string {
	files := map[string]string{
		"LICENSE": licence,
		"README.md": "# Pièces justificatives\n\nService Spring Boot qui contrôle les pièces justificatives jointes aux demandes de logement social avant leur instruction.\n\n" +
			"## Construire\n\n```\nmvn package\njava -jar target/pieces.jar\n```\n\n" +
			"Le service est maintenu activement par la Direction de l'habitat ; écrivez à pieces@logement.gouv.fr.\n",
		"pom.xml":         "<project>\n  <modelVersion>4.0.0</modelVersion>\n  <groupId>fr.gouv.logement</groupId>\n  <artifactId>pieces</artifactId>\n</project>\n",
		"CONTRIBUTING.md": "# Contribuer\n\nOuvrez une issue avant toute demande de fusion.\n",
		"src/main/java/fr/gouv/logement/pieces/Application.java":      "package fr.gouv.logement.pieces;\n",
		"src/main/resources/application.properties":                   "server.port=8080\n",
		"src/test/java/fr/gouv/logement/pieces/ApplicationTests.java": "package fr.gouv.logement.pieces;\n",
	}
	if docs {
		files["docs/architecture.md"] = "# Architecture\n"
	}
	return files
}

// pfGitea is a Gitea 1.24 with a repository at each end of the ladder.
// Gitea does not say whether an owner is an organisation: that item does
// not apply there.
func pfGitea(t *testing.T, now time.Time) ([]*gtaRepo, []pfWant) {
	mit := ghaLicenceText(t, "MIT.t1")
	repos := []*gtaRepo{
		{owner: "eig", name: "gt-huit", branch: "main", licenses: []string{"MIT"}, commits: gtaDays(now, 1, 8, 30), release: "v2.1.0",
			meta: &ghaMeta{description: "Signalements de nids-de-poule", topics: []string{"entrepreneur-interet-general", "eig-2021"}, hasIssues: true, forks: 2, watchers: 2},
			files: map[string]string{
				"LICENSE": mit,
				"README.md": "# Chaussée\n\nChaussée permet aux habitants de signaler un nid-de-poule avec une photo ; les services techniques de la ville suivent et ferment les signalements.\n\n" +
					"## Démarrage\n\n```\ngo build ./cmd/chaussee\n```\n\n## Fonctionnement\n\n" +
					"Chaque signalement arrive dans la file du quartier concerné. Un agent le valide, le planifie puis le clôt ; l'habitant reçoit un courriel à chaque étape et la carte publique se met à jour.\n\n" +
					"Pour lancer les tests : `go test ./...`\n\nMaintenance active, assurée par la ville de Grenoble : chaussee@grenoble.fr\n\n" +
					"Vos contributions sont les bienvenues (voir CONTRIBUTING.md).\n\nLe code est sous licence MIT.\n\n© Ville de Grenoble, Jeanne Dupont\n\n" +
					"Développé dans le cadre du programme Entrepreneurs d'intérêt général : https://eig.numerique.gouv.fr\n",
				"go.mod": "module chaussee\n", "main_test.go": "package main\n", "CONTRIBUTING.md": "# Contribuer\n", "CODE_OF_CONDUCT.md": "# Code\n",
				"SECURITY.md": "securite@grenoble.fr\n", "CHANGELOG.md": "# 2.1.0\n", ".gitea/ISSUE_TEMPLATE/bug.md": "---\nname: Bug\n---\n",
				"publiccode.yaml": pfLines(
					`publiccodeYmlVersion: "0.7.0"`,
					`name: chaussee`,
					`url: "https://gitea.example.org/eig/gt-huit"`,
					`platforms: [web]`,
					`developmentStatus: stable`,
					`softwareType: "standalone/web"`,
					`organisation:`,
					`  uri: "https://www.grenoble.fr"`,
					`description:`,
					`  fr:`,
					`    shortDescription: Signalements de nids-de-poule`,
					`    longDescription: "`+pfLong+`"`,
					`    features: [Signalement]`,
					`legal: {license: MIT}`,
					`maintenance: {type: internal, contacts: [{name: Jeanne Dupont}]}`,
					`localisation: {localisationReady: true, availableLanguages: [fr]}`),
			}},
		{owner: "eig", name: "gt-sans-licence", branch: "main", licenses: []string{}, commits: gtaDays(now, 3),
			meta:  &ghaMeta{description: "Carnet de bord", hasIssues: true},
			files: map[string]string{"README.md": "# Carnet\n\nCarnet de bord des travaux de voirie, tenu par les services techniques et consulté par les élus chaque semaine.\n"}},
	}
	var items []string
	for _, id := range pfChecklist {
		if id != "organisation_account" {
			items = append(items, id)
		}
	}
	huit := pfWant{url: "https://gitea.example.org/eig/gt-huit", repo: "gitea.example.org/eig/gt-huit", degree: 8, criteria: "1111111111",
		codegouv: 1000 + 1000 + 100 + 100 + 10 + 10 + 10, met: items, na: []string{"organisation_account"},
		pcFile: "publiccode.yaml", pcVer: "0.7.0", pcValid: true}
	sans := pfWant{url: "https://gitea.example.org/eig/gt-sans-licence", repo: "gitea.example.org/eig/gt-sans-licence", degree: -1, criteria: "1001110000",
		codegouv: 100, met: []string{"description"}, na: []string{"organisation_account"}}
	return repos, []pfWant{huit, sans}
}

func TestAcceptProfileCheck(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	gh, ghWant, gl, glWant := pfProgramme(t, now)
	fake := newGHA(t, gh...)
	fake.quota = 100000
	_, glts := glaStart(t, "", "https://gitlab.com", gl, "eig")
	gt, gtWant := pfGitea(t, now)
	_, gtts := gtaStart(t, "1.24.2", 50, "", gt, "eig")

	dir := t.TempDir()
	cfg := pfConfig(t, dir, fake.base(), glts.URL, nil, []string{gtts.URL})
	var urls []string
	wants := append(append(append([]pfWant(nil), ghWant...), glWant...), gtWant...)
	for _, w := range wants {
		urls = append(urls, w.url)
	}
	out := runVigie(t, map[string]string{}, append([]string{"check", "--config", cfg, "--format", "json"}, urls...)...)
	if out.code != 0 {
		t.Errorf("exit %d; stderr:\n%s", out.code, out.stderr)
	}
	var rs []pfResult
	if err := json.Unmarshal([]byte(out.stdout), &rs); err != nil {
		t.Fatalf("stdout is not a JSON array: %v\n%s", err, out.stdout)
	}
	if len(rs) != len(wants) {
		t.Fatalf("%d results, want %d", len(rs), len(wants))
	}
	for i, w := range wants {
		pfCompare(t, rs[i], w)
	}
}

// pfConfig writes a configuration with both fakes as forges and one défi
// listing repos.
func pfConfig(t *testing.T, dir, githubAPI, gitlabAPI string, repos []string, giteaAPI []string) string {
	t.Helper()
	gitea := ""
	for _, u := range giteaAPI {
		gitea = fmt.Sprintf("  - {name: gitea, type: gitea, url: https://gitea.example.org, api_url: %q}\n", u)
	}
	if len(repos) == 0 {
		repos = []string{"https://github.com/eig/placeholder"}
	}
	cfg := fmt.Sprintf(`forges:
  - {name: github, type: github, url: https://github.com, api_url: %q, token_env: VIGIE_ACCEPT_NO_TOKEN}
  - {name: gitlab, type: gitlab, url: https://gitlab.com, api_url: %q, token_env: VIGIE_ACCEPT_NO_GL_TOKEN}
%sdefis:
  - slug: ouverture
    name: Ouverture
    repos: [%s]
storage: {driver: sqlite, dsn: %q}
`, githubAPI, gitlabAPI, gitea, strings.Join(repos, ", "), filepath.Join(dir, "vigie.db"))
	p := filepath.Join(dir, "vigie.yml")
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAcceptProfileServe crawls the same programme into the store and reads
// it back from `vigie serve`: /api/repos, one repository's object, and the
// profile's Prometheus series must all say what `vigie check` says.
func TestAcceptProfileServe(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	gh, ghWant, gl, glWant := pfProgramme(t, now)
	fake := newGHA(t, gh...)
	fake.quota = 100000
	_, glts := glaStart(t, "", "https://gitlab.com", gl, "eig")
	gt, gtWant := pfGitea(t, now)
	_, gtts := gtaStart(t, "1.24.2", 50, "", gt, "eig")
	wants := append(append(append([]pfWant(nil), ghWant...), glWant...), gtWant...)
	var urls []string
	for _, w := range wants {
		urls = append(urls, w.url)
	}
	dir := t.TempDir()
	cfg := pfConfig(t, dir, fake.base(), glts.URL, urls, []string{gtts.URL})

	out := runVigie(t, map[string]string{}, "crawl", "--config", cfg, "--format", "json")
	if out.code != 0 {
		t.Fatalf("crawl exit %d:\n%s", out.code, out.stderr)
	}
	base, stop := startServe(t, cfg, map[string]string{})
	defer stop()

	a := svGet(t, base+"/api/repos")
	if a.code != 200 {
		t.Fatalf("/api/repos: %d %s", a.code, a.body)
	}
	var all []pfResult
	if err := json.Unmarshal([]byte(a.body), &all); err != nil {
		t.Fatalf("/api/repos: %v", err)
	}
	byRepo := map[string]pfResult{}
	for _, r := range all {
		byRepo[r.Repo] = r
	}
	for _, w := range wants {
		r, ok := byRepo[w.repo]
		if !ok {
			t.Errorf("/api/repos has no %s", w.repo)
			continue
		}
		pfCompare(t, r, w)
		one := svGet(t, base+"/api/repos/"+w.repo)
		var r1 pfResult
		if err := json.Unmarshal([]byte(one.body), &r1); one.code != 200 || err != nil {
			t.Errorf("/api/repos/%s: %d %v", w.repo, one.code, err)
			continue
		}
		pfCompare(t, r1, w)
	}

	m := svGet(t, base+"/metrics")
	samples := svParseExposition(t, m.body)
	for _, w := range wants {
		forge := strings.Split(w.repo, ".")[0]
		labels := map[string]string{"repo": w.repo, "defi": "ouverture", "forge": forge}
		for _, s := range []struct {
			name string
			want int
		}{
			{"vigie_repo_openness_degree", w.degree},
			{"vigie_repo_checklist_met", len(w.met)},
			{"vigie_repo_checklist_applicable", len(pfChecklist) - len(w.na)},
			{"vigie_repo_codegouv_score", w.codegouv},
		} {
			got := svFind(samples, s.name, labels)
			if len(got) != 1 || got[0].value != float64(s.want) {
				t.Errorf("%s%v = %v, want one sample of %d", s.name, labels, got, s.want)
			}
		}
	}
}

// TestAcceptProfileJavaGraphQL reads the Maven projects through GitHub's
// GraphQL API (with a token, every query checked against GitHub's
// published schema) and GitLab's: their tests, in src/test/java only, are
// seen there as through REST, and the degrees are the same.
func TestAcceptProfileJavaGraphQL(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	mit := ghaLicenceText(t, "MIT.t1")
	var cs []fakeforge.Commit
	for i, d := range []int{2, 10, 40} {
		cs = append(cs, fakeforge.Commit{AuthorName: "Jeanne Dupont", AuthorEmail: "jeanne.dupont@logement.gouv.fr", Login: "jdupont",
			Date: now.AddDate(0, 0, -d), Message: fmt.Sprint("commit ", i)})
	}
	repo := func(path string, docs bool) fakeforge.Repo {
		return fakeforge.Repo{Path: path, DefaultBranch: "main", Description: "Contrôle des pièces justificatives des demandes de logement social",
			Language: "Java", License: "MIT", CreatedAt: now.AddDate(-2, 0, 0), Files: pfJavaFiles(mit, docs), Commits: cs}
	}
	var graphQLCalls atomic.Int64
	counting := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/graphql") {
				graphQLCalls.Add(1)
			}
			h.ServeHTTP(w, r)
		})
	}
	ghSrv := httptest.NewServer(counting(fakegithubtest.New(t, []fakeforge.Repo{repo("eig/java-maven", false)})))
	defer ghSrv.Close()
	gl := fakegitlab.NewGitLab([]fakeforge.Repo{repo("eig/gl-java", true)})
	gl.SetGraphQL(true)
	glSrv := httptest.NewServer(counting(gl))
	defer glSrv.Close()

	dir := t.TempDir()
	cfg := filepath.Join(dir, "vigie.yml")
	y := fmt.Sprintf(`forges:
  - {name: github, type: github, url: https://github.com, api_url: %q, token_env: TEST_GH_TOKEN}
  - {name: gitlab, type: gitlab, url: https://gitlab.com, api_url: %q, token_env: TEST_GL_TOKEN}
defis:
  - slug: ouverture
    name: Ouverture
    repos: [https://github.com/eig/java-maven]
storage: {driver: sqlite, dsn: %q}
`, ghSrv.URL, glSrv.URL, filepath.Join(dir, "vigie.db"))
	if err := os.WriteFile(cfg, []byte(y), 0o600); err != nil {
		t.Fatal(err)
	}
	met := []string{"description", "license_file", "contributing", "organisation_account", "maintenance_stated", "readme_contact"}
	wants := []pfWant{
		{url: "https://github.com/eig/java-maven", repo: "github.com/eig/java-maven", degree: 7, criteria: "1111111110", codegouv: 1200, met: met},
		{url: "https://gitlab.com/eig/gl-java", repo: "gitlab.com/eig/gl-java", degree: 8, criteria: "1111111111", codegouv: 1200, met: met},
	}
	out := runVigie(t, map[string]string{"TEST_GH_TOKEN": "ghp_x", "TEST_GL_TOKEN": "glpat_x"},
		"check", "--config", cfg, "--format", "json", wants[0].url, wants[1].url)
	if out.code != 0 {
		t.Errorf("exit %d; stderr:\n%s", out.code, out.stderr)
	}
	var rs []pfResult
	if err := json.Unmarshal([]byte(out.stdout), &rs); err != nil || len(rs) != len(wants) {
		t.Fatalf("stdout is not a JSON array of %d results: %v\n%s", len(wants), err, out.stdout)
	}
	for i, w := range wants {
		pfCompare(t, rs[i], w)
	}
	if graphQLCalls.Load() < 2 {
		t.Errorf("%d GraphQL calls, want both forges read through GraphQL", graphQLCalls.Load())
	}
}
