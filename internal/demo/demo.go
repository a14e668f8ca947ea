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
	"strings"
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
// call goes to the in-process forges.
func Config(githubAPI, gitlabAPI, giteaAPI, dsn string) string {
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
  - slug: emploi
    name: Emploi & territoires
    repos:
      - https://github.com/eig-demo/la-bonne-piste
      - https://github.com/eig-demo/ancien-pilote
  - slug: communs-numeriques
    name: Communs numériques
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
`, githubAPI, gitlabAPI, giteaAPI, dsn)
}

var mitText = fakeforge.MITLicense("2024 Entrepreneurs d'intérêt général")

const goodReadme = `# Signaux faibles

Détection précoce des entreprises en difficulté, à partir des données des
administrations partenaires.

## Installation

    go install ./...

## Utilisation

Lancez ` + "`signaux serve`" + ` puis ouvrez http://localhost:8080.

## Contribuer

Les contributions sont les bienvenues : ouvrez un ticket ou une demande de
fusion. Les tests se lancent avec ` + "`go test ./...`" + `.

## Licence

MIT.
`

// commits makes n commits on the default branch, the newest newestDaysAgo
// days before now, one every stepDays days.
func commits(now time.Time, n int, newestDaysAgo, stepDays float64, author string) []fakeforge.Commit {
	var out []fakeforge.Commit
	for i := 0; i < n; i++ {
		at := now.Add(-time.Duration((newestDaysAgo + float64(i)*stepDays) * 24 * float64(time.Hour)))
		out = append(out, fakeforge.Commit{
			AuthorName: author, AuthorEmail: strings.ToLower(strings.ReplaceAll(author, " ", ".")) + "@example.org",
			Date: at, Message: fmt.Sprintf("Changement n°%d", n-i),
		})
	}
	return out
}

// Repos are the demonstration's repositories, dated relative to now:
// one exemplary, one with failing CI, one dormant without licence (and
// markup in its description), one archived, one on a GitLab subgroup, one
// empty, two on a Forgejo (one whose only workflow runs on a schedule);
// and the configuration names one that does not exist.
func Repos(now time.Time) (github, gitlab, gitea []fakeforge.Repo) {
	created := now.AddDate(-2, 0, 0)
	github = []fakeforge.Repo{
		{
			Path: "eig-demo/signaux-faibles", DefaultBranch: "main", CreatedAt: created, Stars: 42,
			Description: "Détection précoce des entreprises en difficulté", Language: "Go", License: "MIT",
			Topics: []string{"eig", "entreprises"},
			Files: map[string]string{
				"LICENSE": mitText, "README.md": goodReadme,
				".github/workflows/ci.yml": "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: go test ./...\n",
				"CONTRIBUTING.md":          "# Contribuer\n\nOuvrez un ticket.\n", "go.mod": "module example.org/signaux\n",
			},
			Commits: commits(now, 40, 1, 2, "Alice Martin"),
			CI:      &fakeforge.CIRun{State: "success", Kind: "checks", At: now.Add(-20 * time.Hour)},
		},
		{
			Path: "eig-demo/la-bonne-piste", DefaultBranch: "main", CreatedAt: created, Stars: 7,
			Description: "Aide au retour à l'emploi", Language: "Python", License: "MIT",
			Files: map[string]string{
				"LICENSE": mitText, "README.md": "# La bonne piste\n\nÀ compléter.\n",
				".github/workflows/tests.yml": "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n",
			},
			Commits: commits(now, 12, 3, 5, "Bruno Lefèvre"),
			CI:      &fakeforge.CIRun{State: "failure", Kind: "checks", At: now.Add(-3 * 24 * time.Hour)},
		},
		{
			Path: "eig-demo/prototype-alerte", DefaultBranch: "master", CreatedAt: created,
			Description: "Prototype d'alerte précoce", Language: "JavaScript",
			Files:   map[string]string{"README": "Prototype.", "index.js": "console.log(1)\n"},
			Commits: commits(now, 5, 200, 10, "Chloé Dupont"),
		},
		{
			Path: "eig-demo/ancien-pilote", DefaultBranch: "main", CreatedAt: created, Archived: true,
			Description: "Premier pilote, remplacé", Language: "Ruby", License: "NOASSERTION",
			Files:   map[string]string{"LICENSE.txt": "Tous droits réservés à la direction.\n", "README.md": "# Ancien pilote\n\nCe dépôt est archivé.\n"},
			Commits: commits(now, 30, 400, 3, "David Moreau"),
		},
	}
	gitlab = []fakeforge.Repo{
		{
			Path: "eig-demo/sante/dossier-patient", DefaultBranch: "main", CreatedAt: created, Stars: 3,
			Description: "Dossier patient partagé & interopérable", Language: "TypeScript", License: "MIT",
			Files: map[string]string{
				"LICENSE": mitText, "README.md": strings.ReplaceAll(goodReadme, "Signaux faibles", "Dossier patient"),
				".gitlab-ci.yml": "test:\n  script: npm test\n",
			},
			Commits: commits(now, 25, 2, 3, "Emma Petit"),
			CI:      &fakeforge.CIRun{State: "success", Kind: "pipeline", At: now.Add(-2 * 24 * time.Hour)},
		},
		{
			Path: "eig-demo/sante/outil-vide", CreatedAt: now.AddDate(0, -1, 0),
			Description: "Dépôt créé, pas encore de code",
		},
	}
	gitea = []fakeforge.Repo{
		{
			Path: "eig-demo/carte-des-communs", DefaultBranch: "main", CreatedAt: created, Stars: 12,
			Description: "Carte des communs numériques des collectivités", Language: "Python", License: "MIT",
			Topics: []string{"eig", "communs"},
			Files: map[string]string{
				"LICENSE": mitText, "README.md": strings.ReplaceAll(goodReadme, "Signaux faibles", "Carte des communs"),
				".forgejo/workflows/ci.yml": "on: [push]\njobs:\n  test:\n    runs-on: docker\n    steps:\n      - run: pytest\n",
				"CONTRIBUTING.md":           "# Contribuer\n\nOuvrez un ticket.\n", "pyproject.toml": "[project]\nname = \"carte\"\n",
			},
			Commits: commits(now, 18, 2, 4, "Fatou Diallo"),
			CI:      &fakeforge.CIRun{State: "success", Kind: "status", At: now.Add(-2 * 24 * time.Hour)},
		},
		{
			Path: "eig-demo/veille-juridique", DefaultBranch: "main", CreatedAt: created,
			Description: "Veille des textes publiés au Journal officiel", Language: "Python",
			Files: map[string]string{
				"README.md":                      "# Veille juridique\n\nRelève chaque nuit les textes du Journal officiel.\n",
				".forgejo/workflows/veille.yaml": "on:\n  schedule:\n    - cron: '0 3 * * *'\n",
			},
			Commits: commits(now, 4, 20, 15, "Gaël Bernard"),
			// A scheduled run posts no commit status: vigie reads the run.
			CI: &fakeforge.CIRun{State: "failure", Kind: "schedule", At: now.Add(-5 * time.Hour)},
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
	gh, gl, gt := Repos(time.Now())
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
	gtURL, err := d.listen(fakegitea.New(gt, fakegitea.Options{Version: "11.0.3+gitea-1.22.0"}), log)
	if err != nil {
		return nil, err
	}
	dsn := filepath.Join(dir, "vigie-demo.db")
	cfg, err := config.Parse("(démonstration)", []byte(Config(ghURL, glURL, gtURL, dsn)), func(string) string { return "" })
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
