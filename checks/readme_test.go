package checks

import (
	"reflect"
	"strings"
	"testing"

	"github.com/eiglink/vigie/crawler"
)

func readme(text string) crawler.ReadmeFacts {
	return crawler.ReadmeFacts{Path: "README.md", Bytes: int64(len(text)), Text: text}
}

const fullReadmeFR = `# Signalement

[![CI](https://github.com/o/r/actions/workflows/ci.yml/badge.svg)](https://github.com/o/r/actions)

Signalement permet aux agents des directions départementales de recevoir et de traiter les signalements des usagers en un seul endroit.

## Installation

Prérequis : Node.js 22 et PostgreSQL 16.

` + "```sh\nnpm ci\ncp .env.example .env\n```" + `

## Utilisation

` + "```sh\nnpm run dev\n```" + `

L'application écoute sur http://localhost:3000 ; les comptes de démonstration sont décrits dans docs/demo.md pour que chacun puisse essayer l'outil.

## Contribuer

Les contributions sont bienvenues : ouvrez une issue avant une pull request, et lancez les tests avec npm test avant de pousser votre branche.

## Licence

Le code est publié sous licence MIT, voir le fichier LICENSE à la racine du dépôt pour le texte complet de la licence.
` + "\nLes données de démonstration sont fictives et ne contiennent aucune donnée personnelle réelle, quelle que soit la base utilisée.\n" +
	"Le projet est né dans le programme Entrepreneurs d'intérêt général en 2019, porté par une direction d'administration centrale.\n" +
	"Une documentation plus complète, avec les choix d'architecture et les procédures d'exploitation, se trouve dans le dossier docs.\n" +
	"Les questions peuvent être posées dans les issues du dépôt ou par courriel à l'équipe, qui répond en général sous quelques jours.\n" +
	"La feuille de route publique liste les fonctionnalités prévues pour les prochains mois et les besoins remontés par les agents.\n"

func TestReadme(t *testing.T) {
	tests := []struct {
		name        string
		facts       crawler.Facts
		score       int
		sections    []string
		code        bool
		placeholder bool
	}{
		{"none", crawler.Facts{}, 0, []string{}, false, false},
		{"title only", crawler.Facts{Readme: readme("# projet\n")}, 1, []string{}, false, true},
		{"complete, French", crawler.Facts{Readme: readme(fullReadmeFR)}, 10,
			[]string{"description", "installation", "usage", "contributing", "license"}, true, false},
		{"complete but short", crawler.Facts{Readme: readme(fullReadmeFR[:1200])}, 9,
			[]string{"description", "installation", "usage", "contributing", "license"}, true, false},
		{"English, setext headings, no licence section",
			crawler.Facts{Readme: readme("Tool\n====\n\nThis tool turns the court's decisions into anonymised open data for researchers and the public.\n\nGetting started\n---------------\n\n    $ pip install tool\n\nUsage\n-----\n\nRun the tool on a folder of decisions and read the output in the out folder next to it.\n" + strings.Repeat("More detail about the pipeline and how each stage transforms the text. ", 8))},
			7, []string{"description", "installation", "usage"}, true, false},
		{"description only, CONTRIBUTING file counts",
			crawler.Facts{Readme: readme("# Outil\n\nCet outil aide les inspecteurs à préparer leurs contrôles en croisant plusieurs sources de données publiques.\n"),
				Community: crawler.CommunityFacts{Contributing: "CONTRIBUTING.md"}},
			4, []string{"description", "contributing"}, false, false},
		{"GitLab template left as is",
			crawler.Facts{Readme: readme("# projet\n\n## Getting started\n\nTo make it easy for you to get started with GitLab, here's a list of recommended next steps.\n\n## Add your files\n\n```\ncd existing_repo\ngit remote add origin https://gitlab.com/g/p.git\n```\n\n## Installation\nWithin a particular ecosystem, there may be a common way of installing things, such as using Yarn, NuGet, or Homebrew.\n" + strings.Repeat("x", 2000))},
			2, []string{"description", "installation"}, true, true},
		{"Create React App template",
			crawler.Facts{Readme: readme("# Getting Started with Create React App\n\nThis project was bootstrapped with [Create React App](https://github.com/facebook/create-react-app).\n\n## Available Scripts\n\nIn the project directory, you can run:\n\n### `npm start`\n\nRuns the app in the development mode.\n" + strings.Repeat("y", 1600))},
			2, []string{"description", "installation"}, false, true},
		{"reStructuredText with a code directive",
			crawler.Facts{Readme: crawler.ReadmeFacts{Path: "README.rst", Bytes: 700, Text: "Matcher\n=======\n\nMatcher links company records from two registers that do not share any common identifier.\n\nInstallation\n------------\n\n.. code-block:: bash\n\n   pip install matcher\n\nLicense\n-------\n\nMIT\n"}},
			8, []string{"description", "installation", "license"}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Readme(tt.facts, Options{})
			if c.Score != tt.score {
				t.Errorf("score = %d, want %d (%s / %s)", c.Score, tt.score, c.Reason, c.Remediation)
			}
			if got := c.Details["sections"]; !reflect.DeepEqual(got, tt.sections) {
				t.Errorf("sections = %v, want %v", got, tt.sections)
			}
			if got := c.Details["code_blocks"]; got != tt.code {
				t.Errorf("code_blocks = %v, want %v", got, tt.code)
			}
			if got := c.Details["placeholder"]; got != tt.placeholder {
				t.Errorf("placeholder = %v, want %v", got, tt.placeholder)
			}
			if got, want := c.Details["file"], tt.facts.Readme.Path; got != want {
				t.Errorf("file = %v, want %v", got, want)
			}
			if got, want := c.Details["bytes"], int(tt.facts.Readme.Bytes); got != want {
				t.Errorf("bytes = %v (%T), want %d", got, got, want)
			}
			checkWording(t, c)
		})
	}
}

// The remediation names what is missing, in the user's language.
func TestReadmeRemediationNamesMissingParts(t *testing.T) {
	f := crawler.Facts{Readme: readme("# Outil\n\nCet outil aide les inspecteurs à préparer leurs contrôles en croisant plusieurs sources.\n")}
	fr := Readme(f, Options{})
	for _, want := range []string{"« Installation »", "« Contribuer »", "« Licence »", "bloc de code"} {
		if !strings.Contains(fr.Remediation, want) {
			t.Errorf("French remediation lacks %q: %s", want, fr.Remediation)
		}
	}
	en := Readme(f, Options{Language: "en"})
	for _, want := range []string{"\"Installation\"", "\"Contributing\"", "\"Licence\"", "code block"} {
		if !strings.Contains(en.Remediation, want) {
			t.Errorf("English remediation lacks %q: %s", want, en.Remediation)
		}
	}
}
