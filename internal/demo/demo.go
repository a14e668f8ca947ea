// Package demo is `vigie serve --demo`: a made-up programme served from
// in-process forges and a temporary database, so the whole service can be
// tried (and tested end to end) without a network or a configuration.
package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegitea"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub"
	"github.com/eiglink/vigie/internal/fakeforge/fakegitlab"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/sqlite"
)

// demo is the running demonstration: two in-process forges on loopback
// ports, a configuration pointing at them and a database in a temporary
// directory, all removed by close.
type demo struct {
	cfg     *config.Config
	store   store.Store
	dir     string
	servers []*http.Server
}

// Config is the demonstration programme's configuration, with the
// forges' APIs at githubAPI, gitlabAPI and giteaAPI (a Forgejo standing for
// codeberg.org). Repository URLs keep the public forges' hosts, so pages
// and the check form read as they would in production, while every API
// call goes to the in-process forges. The Communs numériques défi ended on
// ended (YYYY-MM-DD), some months before the demo's now.
func Config(githubAPI, gitlabAPI, giteaAPI, dsn, ended string) string {
	return fmt.Sprintf(`forges:
  - name: github
    type: github
    url: https://github.com
    api_url: %s
    token_env: VIGIE_DEMO_NO_TOKEN
  - name: gitlab
    type: gitlab
    url: https://gitlab.com
    api_url: %s
    token_env: VIGIE_DEMO_NO_TOKEN
  - name: codeberg
    type: gitea
    url: https://codeberg.org
    api_url: %s
    token_env: VIGIE_DEMO_NO_TOKEN
defis:
  - slug: signaux-faibles
    name: Signaux faibles
    contacts: [coach@example.org]
    repos:
      - https://github.com/eig-demo/signaux-faibles
      - https://github.com/eig-demo/prototype-alerte
      - https://github.com/eig-demo/depot-disparu
  - slug: sante-donnees
    name: Santé numérique & données
    repos:
      - https://gitlab.com/eig-demo/sante/dossier-patient
      - https://gitlab.com/eig-demo/sante/outil-vide
      - https://gitlab.com/eig-demo/sante/entrepot-donnees
  - slug: emploi
    name: Emploi & territoires
    repos:
      - https://github.com/eig-demo/la-bonne-piste
      - https://github.com/eig-demo/ancien-pilote
  - slug: communs-numeriques
    name: Communs numériques
    ended: %s
    team: [fatou.diallo@example.org, gael.bernard@example.org]
    repos:
      - https://codeberg.org/eig-demo/carte-des-communs
      - https://codeberg.org/eig-demo/veille-juridique
storage:
  driver: sqlite
  dsn: %s
schedule:
  timezone: Europe/Paris
  crawl: "0 */6 * * *"
  report: "0 8 * * 1"
`, githubAPI, gitlabAPI, giteaAPI, ended, dsn)
}

// endedMonths is how long before now the Communs numériques défi ended:
// long enough for its repositories to have gone quiet or found new hands.
const endedMonths = 8

// EndedDay is the day the demo's ended défi ended, relative to now.
func EndedDay(now time.Time) string {
	return now.AddDate(0, -endedMonths, 0).Format(time.DateOnly)
}

var mitText = fakeforge.MITLicense("2024 Entrepreneurs d'intérêt général")

// signauxReadme is the exemplary repository's README: every item the
// programme's guide asks a README to say.
const signauxReadme = `# Signaux faibles

Détection précoce des entreprises en difficulté, à partir des données des
URSSAF, de la Banque de France et des DIRECCTE. Chaque mois, les agents des
commissaires aux restructurations reçoivent la liste des entreprises de leur
région dont la situation se dégrade, avec les raisons qui l'expliquent.

## Installation

    go install ./cmd/signaux

ou avec Docker : ` + "`docker compose up`" + `.

## Utilisation

Lancez ` + "`signaux serve`" + ` puis ouvrez http://localhost:8080 : le guide est
dans docs/.

## Données

Les données viennent des URSSAF (cotisations et délais de paiement), de la
Banque de France (bilans) et des DIRECCTE (activité partielle). Elles sont
importées chaque mois, pseudonymisées, puis un modèle d'apprentissage
supervisé estime pour chaque entreprise le risque de défaillance à dix-huit
mois. Aucune donnée nominative ne quitte l'hébergement de l'administration.

## Tests

    go test ./...

## Maintenance

Le projet est maintenu activement par la Direction générale des entreprises.
Contact : equipe-signaux@example.org. Signalez un problème dans les tickets :
https://github.com/eig-demo/signaux-faibles/issues

## Contribuer

Les contributions sont les bienvenues : lisez CONTRIBUTING.md puis ouvrez une
pull request.

## Licence

Ce logiciel est publié sous licence MIT.

© 2024 Direction générale des entreprises, Alice Martin

Ce projet est né du défi Signaux faibles du programme
[Entrepreneur d'intérêt général](https://eig.etalab.gouv.fr).
`

const signauxPubliccode = `publiccodeYmlVersion: "0.4"
name: Signaux faibles
url: "https://github.com/eig-demo/signaux-faibles"
releaseDate: "2026-10-05"
softwareVersion: "1.4.0"
platforms:
  - web
categories:
  - predictive-analysis
developmentStatus: stable
softwareType: "standalone/web"
description:
  fr:
    shortDescription: Détection précoce des entreprises en difficulté
    longDescription: >
      Signaux faibles croise les données des URSSAF, de la Banque de France
      et des DIRECCTE pour repérer, des mois avant la défaillance, les
      entreprises dont la situation se dégrade, et donne aux agents publics
      les raisons de cette alerte pour qu'ils proposent un accompagnement.
    features:
      - Liste mensuelle des entreprises en difficulté par région
      - Explication de chaque alerte
legal:
  license: MIT
maintenance:
  type: internal
  contacts:
    - name: Alice Martin
      email: equipe-signaux@example.org
localisation:
  localisationReady: false
  availableLanguages:
    - fr
`

const dossierReadme = `# Dossier patient

Dossier patient partagé entre l'hôpital, le médecin traitant et les
infirmiers libéraux, au format FHIR.

## Installation

    npm install
    npm run build

## Utilisation

Lancez ` + "`npm start`" + ` puis ouvrez http://localhost:3000.

## Maintenance

Maintenu activement par l'équipe du GIP Santé numérique : dossier-patient@example.org.
Les bugs se signalent dans les tickets : https://gitlab.com/eig-demo/sante/dossier-patient/-/issues

## Contribuer

Les contributions sont les bienvenues : ouvrez un ticket ou une demande de
fusion.

## Licence

MIT.
`

// dossierPubliccode has the mistakes a first publiccode.yml often has: the
// repository's former address, a short description over 150 characters
// and no localisation section.
const dossierPubliccode = `publiccodeYmlVersion: "0.4"
name: Dossier patient
url: "https://gitlab.com/eig-demo/dossier-patient"
platforms:
  - web
categories:
  - it-development
developmentStatus: beta
softwareType: "standalone/web"
description:
  fr:
    shortDescription: >
      Dossier patient partagé et interopérable entre l'hôpital, le médecin
      traitant et les infirmiers libéraux, au format FHIR, avec un accès pour le patient
    longDescription: >
      Le dossier patient rassemble les comptes rendus, les ordonnances et les
      résultats d'examens d'un patient pour que chaque soignant qui le suit
      les retrouve au même endroit, dans un format que les logiciels
      métier savent lire.
    features:
      - Partage des comptes rendus
legal:
  license: MIT
maintenance:
  type: internal
  contacts:
    - name: Emma Petit
      email: dossier-patient@example.org
`

const entrepotReadme = `# Entrepôt de données de santé

Rassemble les données des hôpitaux partenaires, pseudonymisées, pour les
équipes de recherche habilitées. Premier jet : le schéma des tables et les
scripts d'import des résumés de passage aux urgences.

## Installation

    pip install -r requirements.txt
    python import.py --source urgences.csv
`

const bonnePisteReadme = `# La bonne piste

Aide les conseillers de Pôle emploi à proposer à chaque demandeur les
métiers qui recrutent près de chez lui, à partir de ses compétences.

## Installation

    pip install -e .

## Maintenance

Projet maintenu activement par Bruno Lefèvre (bruno.lefevre@example.org).
`

const carteReadme = `# Carte des communs

Carte des communs numériques utilisés par les collectivités : qui utilise
quel logiciel libre, et qui contribue à quoi.

## Installation

    pip install carte-des-communs

## Utilisation

Lancez ` + "`carte serve`" + ` puis ouvrez http://localhost:8000.

## Maintenance

Depuis la fin du défi, le projet est maintenu activement par les
collectivités qui l'utilisent (Métropole de Lyon, Région Occitanie).
Contact : communs@example.org.

## Contribuer

Les contributions sont les bienvenues : voir CONTRIBUTING.md.

## Licence

MIT.
`

const veilleReadme = `# Veille juridique

Relève chaque nuit les textes publiés au Journal officiel et prévient les
juristes abonnés de ceux qui touchent leurs domaines.

## Maintenance

Ce dépôt n'est plus maintenu depuis la fin du défi. Contact :
gael.bernard@example.org.
`

// author is who makes a demo commit.
type author struct{ name, email string }

var (
	alice  = author{"Alice Martin", "alice.martin@example.org"}
	bruno  = author{"Bruno Lefèvre", "bruno.lefevre@example.org"}
	chloe  = author{"Chloé Dupont", "chloe.dupont@example.org"}
	david  = author{"David Moreau", "david.moreau@example.org"}
	emma   = author{"Emma Petit", "emma.petit@example.org"}
	fatou  = author{"Fatou Diallo", "fatou.diallo@example.org"}
	gael   = author{"Gaël Bernard", "gael.bernard@example.org"}
	hugo   = author{"Hugo Lambert", "hugo.lambert@grandlyon.example.org"}
	ines   = author{"Inès Roux", "ines.roux@laregion.example.org"}
	yasmin = author{"Yasmine Haddad", "yasmine.haddad@example.org"}
)

// messages are commit messages the demo's histories cycle through.
var messages = []string{
	"Corrige le calcul des dates de fin de mois",
	"Ajoute l'export CSV",
	"Met à jour les dépendances",
	"Documente l'import des données",
	"Simplifie la configuration",
	"Ajoute des tests pour l'import",
	"Corrige l'affichage sur mobile",
	"Traduit les messages d'erreur",
}

// commits makes n commits on the default branch, the newest newestDaysAgo
// days before now, one every stepDays days, by the authors in turn.
func commits(now time.Time, n int, newestDaysAgo, stepDays float64, by ...author) []fakeforge.Commit {
	var out []fakeforge.Commit
	for i := 0; i < n; i++ {
		at := now.Add(-time.Duration((newestDaysAgo + float64(i)*stepDays) * 24 * float64(time.Hour)))
		a := by[i%len(by)]
		out = append(out, fakeforge.Commit{
			AuthorName: a.name, AuthorEmail: a.email,
			Date: at, Message: messages[(n-i)%len(messages)],
		})
	}
	return out
}

// Repos are the demonstration's repositories, dated relative to now:
// one exemplary (degree 8, a valid publiccode.yml), one whose CI broke,
// one dormant that lost its licence, one archived without a free licence,
// one on a GitLab subgroup with a publiccode.yml in error, one empty, one
// created this week, two on a Forgejo for a défi that ended endedMonths ago
// (one handed over to the communities that use it, one dormant since the
// end, whose nightly workflow still runs and fails); and the configuration
// names one that does not exist.
func Repos(now time.Time) (github, gitlab, gitea []fakeforge.Repo) {
	created := now.AddDate(-2, 0, 0)
	endDays := now.Sub(now.AddDate(0, -endedMonths, 0)).Hours() / 24
	github = []fakeforge.Repo{
		{
			Path: "eig-demo/signaux-faibles", DefaultBranch: "main", CreatedAt: created, Stars: 42, Forks: 6, Watchers: 11,
			Description: "Détection précoce des entreprises en difficulté", Language: "Go", License: "MIT",
			Homepage: "https://signaux-faibles.example.org",
			Topics:   []string{"entrepreneur-interet-general", "eig-2024", "entreprises"},
			Files: map[string]string{
				"LICENSE": mitText, "README.md": signauxReadme, "publiccode.yml": signauxPubliccode,
				".github/workflows/ci.yml":         "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: go test ./...\n",
				"CONTRIBUTING.md":                  "# Contribuer\n\nOuvrez un ticket pour discuter d'un changement, puis une pull request avec ses tests.\n",
				"CHANGELOG.md":                     "# Changements\n\n## 1.4.0\n\n- Explication de chaque alerte.\n",
				"go.mod":                           "module github.com/eig-demo/signaux-faibles\n\ngo 1.22\n",
				"Dockerfile":                       "FROM golang:1.22\n",
				"signaux_test.go":                  "package signaux\n",
				"docs/index.md":                    "# Documentation\n",
				"CODE_OF_CONDUCT.md":               "# Code de conduite\n\nNous suivons le Contributor Covenant.\n",
				"SECURITY.md":                      "# Sécurité\n\nSignalez une faille à securite-signaux@example.org.\n",
				".github/ISSUE_TEMPLATE/bug.md":    "---\nname: Bogue\n---\n",
				".github/PULL_REQUEST_TEMPLATE.md": "Décrivez le changement et ses tests.\n",
				"docs/import.md":                   "# Importer les données\n",
			},
			Commits:    commits(now, 40, 1, 2, alice, yasmin),
			CI:         &fakeforge.CIRun{State: "success", Kind: "checks", At: now.Add(-20 * time.Hour)},
			OpenIssues: 4, OpenPullRequests: 1,
			Releases: []fakeforge.Release{{Tag: "v1.4.0", Name: "1.4.0", PublishedAt: now.AddDate(0, -2, 0)}},
		},
		{
			Path: "eig-demo/la-bonne-piste", DefaultBranch: "main", CreatedAt: created, Stars: 7, Watchers: 3,
			Description: "Aide au retour à l'emploi", Language: "Python", License: "MIT",
			Topics: []string{"entrepreneur-interet-general", "emploi"},
			Files: map[string]string{
				"LICENSE": mitText, "README.md": bonnePisteReadme,
				".github/workflows/tests.yml": "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n",
				"pyproject.toml":              "[project]\nname = \"la-bonne-piste\"\n",
				"tests/test_metiers.py":       "def test_metiers():\n    pass\n",
			},
			Commits:    commits(now, 12, 3, 5, bruno),
			CI:         &fakeforge.CIRun{State: "failure", Kind: "checks", At: now.Add(-3 * 24 * time.Hour)},
			OpenIssues: 2,
		},
		{
			Path: "eig-demo/prototype-alerte", DefaultBranch: "master", CreatedAt: created,
			Description: "Prototype d'alerte précoce", Language: "JavaScript",
			Files:   map[string]string{"README": "Prototype d'alerte précoce, abandonné au profit de signaux-faibles.", "index.js": "console.log(1)\n"},
			Commits: commits(now, 5, 200, 10, chloe),
		},
		{
			Path: "eig-demo/ancien-pilote", DefaultBranch: "main", CreatedAt: created.AddDate(-1, 0, 0), Archived: true,
			Description: "Premier pilote, remplacé par La bonne piste", Language: "Ruby", License: "NOASSERTION",
			Files:   map[string]string{"LICENSE.txt": "Tous droits réservés à la direction.\n", "README.md": "# Ancien pilote\n\nPremier pilote du défi Emploi & territoires. Ce dépôt est archivé : le travail continue dans la-bonne-piste.\n"},
			Commits: commits(now, 30, 400, 3, david),
		},
	}
	gitlab = []fakeforge.Repo{
		{
			Path: "eig-demo/sante/dossier-patient", DefaultBranch: "main", CreatedAt: created, Stars: 3, Forks: 2,
			Description: "Dossier patient partagé & interopérable", Language: "TypeScript", License: "MIT",
			Files: map[string]string{
				"LICENSE": mitText, "README.md": dossierReadme, "publiccode.yml": dossierPubliccode,
				".gitlab-ci.yml": "test:\n  script: npm test\n", "package.json": "{\"name\": \"dossier-patient\"}\n",
			},
			Commits:    commits(now, 25, 2, 3, emma),
			CI:         &fakeforge.CIRun{State: "success", Kind: "pipeline", At: now.Add(-2 * 24 * time.Hour)},
			OpenIssues: 5,
		},
		{
			Path: "eig-demo/sante/outil-vide", CreatedAt: now.AddDate(0, -2, 0),
			Description: "Outil de saisie des comptes rendus, pas encore de code",
		},
		{
			Path: "eig-demo/sante/entrepot-donnees", DefaultBranch: "main", CreatedAt: now.Add(-5 * 24 * time.Hour),
			Description: "Entrepôt des données de santé pour la recherche", Language: "Python", License: "MIT",
			Files: map[string]string{
				"LICENSE": mitText, "README.md": entrepotReadme, "requirements.txt": "pandas\nsqlalchemy\n",
			},
			Commits:    commits(now, 6, 0.5, 0.8, yasmin, emma),
			OpenIssues: 0,
		},
	}
	carte := commits(now, 9, 4, 9, hugo, ines, hugo)
	carte = append(carte, commits(now, 30, endDays+3, 6, fatou, gael)...)
	gitea = []fakeforge.Repo{
		{
			Path: "eig-demo/carte-des-communs", DefaultBranch: "main", CreatedAt: created, Stars: 12, Forks: 3,
			Description: "Carte des communs numériques des collectivités", Language: "Python", License: "MIT",
			Topics: []string{"entrepreneur-interet-general", "eig-2024", "communs"},
			Files: map[string]string{
				"LICENSE": mitText, "README.md": carteReadme,
				".forgejo/workflows/ci.yml": "on: [push]\njobs:\n  test:\n    runs-on: docker\n    steps:\n      - run: pytest\n",
				"CONTRIBUTING.md":           "# Contribuer\n\nOuvrez un ticket.\n", "pyproject.toml": "[project]\nname = \"carte\"\n",
				"tests/test_carte.py": "def test_carte():\n    pass\n",
			},
			Commits:    carte,
			CI:         &fakeforge.CIRun{State: "success", Kind: "status", At: now.Add(-4 * 24 * time.Hour)},
			OpenIssues: 3,
		},
		{
			Path: "eig-demo/veille-juridique", DefaultBranch: "main", CreatedAt: created,
			Description: "Veille des textes publiés au Journal officiel", Language: "Python", License: "MIT",
			Files: map[string]string{
				"LICENSE": mitText, "README.md": veilleReadme,
				".forgejo/workflows/veille.yaml": "on:\n  schedule:\n    - cron: '0 3 * * *'\n",
			},
			Commits: commits(now, 14, endDays+12, 15, gael, fatou),
			// A scheduled run posts no commit status: vigie reads the run.
			CI:         &fakeforge.CIRun{State: "failure", Kind: "schedule", At: now.Add(-5 * time.Hour)},
			OpenIssues: 1,
		},
	}
	return github, gitlab, gitea
}

// startDemo starts the forges and opens the database.
func startDemo(ctx context.Context, log *slog.Logger, githubSchema string) (_ *demo, err error) {
	dir, err := os.MkdirTemp("", "vigie-demo-")
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	d := &demo{dir: dir}
	defer func() {
		if err != nil {
			d.close()
		}
	}()
	now := time.Now()
	gh, gl, gt := Repos(now)
	// The demo runs without a token: lift the fake's anonymous limit (60 an
	// hour, as on github.com) so history, crawls and checks all fit.
	ghOpts := []fakegithub.GitHubOption{fakegithub.WithGitHubRateLimit(5000, 5000)}
	if githubSchema != "" {
		s, err := fakegithub.LoadGitHubSchema(githubSchema)
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		ghOpts = append(ghOpts, fakegithub.WithGitHubSchema(s))
	}
	ghURL, err := d.listen(fakegithub.NewGitHub(gh, ghOpts...), log)
	if err != nil {
		return nil, err
	}
	glURL, err := d.listen(fakegitlab.NewGitLab(gl), log)
	if err != nil {
		return nil, err
	}
	gtURL, err := d.listen(fakegitea.New(gt, fakegitea.Options{Version: "11.0.3+gitea-1.22.0", RootURL: "https://codeberg.org"}), log)
	if err != nil {
		return nil, err
	}
	dsn := filepath.Join(dir, "vigie-demo.db")
	cfg, err := config.Parse("(démonstration)", []byte(Config(ghURL, glURL, gtURL, dsn, EndedDay(now))), func(string) string { return "" })
	if err != nil {
		return nil, fmt.Errorf("demo configuration: %w", err)
	}
	d.cfg = cfg
	st, err := sqlite.Open(ctx, dsn, log)
	if err != nil {
		return nil, fmt.Errorf("demo database: %w", err)
	}
	d.store = st
	log.InfoContext(ctx, "demo: forges started", "github_api", ghURL, "gitlab_api", glURL, "gitea_api", gtURL, "database", dsn)
	return d, nil
}

func (d *demo) listen(h http.Handler, log *slog.Logger) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("demo forge: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	d.servers = append(d.servers, srv)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("demo forge stopped", "err", err)
		}
	}()
	return "http://" + ln.Addr().String(), nil
}

func (d *demo) close() {
	if d.store != nil {
		_ = d.store.Close()
	}
	for _, s := range d.servers {
		_ = s.Close()
	}
	_ = os.RemoveAll(d.dir)
}
