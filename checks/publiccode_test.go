package checks

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/eiglink/vigie/crawler"
)

const validPubliccode = `publiccodeYmlVersion: "0.4"
name: Outil
url: "https://github.com/etalab/outil"
platforms:
  - web
categories:
  - it-development
developmentStatus: stable
softwareType: "standalone/web"
description:
  fr:
    shortDescription: Un outil pour instruire les demandes
    longDescription: >
      Un outil qui aide les agents de l'administration à instruire les
      demandes plus vite, en rassemblant les pièces, en vérifiant les
      conditions et en préparant la décision à signer.
    features:
      - Instruction des demandes
legal:
  license: EUPL-1.2
maintenance:
  type: internal
  contacts:
    - name: Jeanne Dupont
      email: jeanne.dupont@example.gouv.fr
localisation:
  localisationReady: false
  availableLanguages:
    - fr
`

func withPubliccode(text string) crawler.Facts {
	f := degree8()
	f.Files = append(f.Files, crawler.File{Path: "publiccode.yml"})
	f.Community = crawler.Community(f.Files)
	f.Publiccode = text
	return f
}

func TestPubliccode(t *testing.T) {
	type problem struct {
		line int
		key  string
	}
	repl := func(old, new string) string {
		if !strings.Contains(validPubliccode, old) {
			t.Fatalf("fixture lacks %q", old)
		}
		return strings.Replace(validPubliccode, old, new, 1)
	}
	tests := []struct {
		name    string
		text    string
		version string
		want    []problem
	}{
		{"valid 0.4", validPubliccode, "0.4", nil},
		{"valid 0.7.0 without categories", strings.Replace(repl(`publiccodeYmlVersion: "0.4"`, `publiccodeYmlVersion: "0.7.0"`), "categories:\n  - it-development\n", "", 1), "0.7.0", nil},
		{"0.3 needs releaseDate", repl(`publiccodeYmlVersion: "0.4"`, `publiccodeYmlVersion: "0.3"`), "0.3", []problem{{1, "releaseDate"}}},
		{"valid 0.3 with releaseDate", repl(`publiccodeYmlVersion: "0.4"`, "publiccodeYmlVersion: \"0.3\"\nreleaseDate: \"2019-11-30\""), "0.3", nil},
		{"0.4 needs categories", strings.Replace(validPubliccode, "categories:\n  - it-development\n", "", 1), "0.4", []problem{{1, "categories"}}},
		{"no version", repl(`publiccodeYmlVersion: "0.4"`+"\n", ""), "", []problem{{1, "publiccodeYmlVersion"}}},
		{"unknown version", repl(`"0.4"`, `"1.0"`), "1.0", []problem{{1, "publiccodeYmlVersion"}}},
		{"no name", repl("name: Outil\n", ""), "0.4", []problem{{1, "name"}}},
		{"bad status", repl("developmentStatus: stable", "developmentStatus: done"), "0.4", []problem{{8, "developmentStatus"}}},
		{"bad software type", repl(`softwareType: "standalone/web"`, `softwareType: "website"`), "0.4", []problem{{9, "softwareType"}}},
		{"short description too long", repl("shortDescription: Un outil pour instruire les demandes", "shortDescription: "+strings.Repeat("x", 151)), "0.4", []problem{{12, "description.fr.shortDescription"}}},
		{"long description too short", repl("longDescription: >\n      Un outil qui aide les agents de l'administration à instruire les\n      demandes plus vite, en rassemblant les pièces, en vérifiant les\n      conditions et en préparant la décision à signer.\n", "longDescription: Trop court.\n"), "0.4", []problem{{13, "description.fr.longDescription"}}},
		{"no features", repl("    features:\n      - Instruction des demandes\n", ""), "0.4", []problem{{11, "description.fr.features"}}},
		{"no licence", repl("  license: EUPL-1.2\n", "  other: x\n"), "0.4", []problem{{19, "legal.license"}}},
		{"internal without contacts", repl("  contacts:\n    - name: Jeanne Dupont\n      email: jeanne.dupont@example.gouv.fr\n", ""), "0.4", []problem{{21, "maintenance.contacts"}}},
		{"contract without contractors", repl("type: internal", "type: contract"), "0.4", []problem{{21, "maintenance.contractors"}}},
		{"none needs nobody", repl("  type: internal\n  contacts:\n    - name: Jeanne Dupont\n      email: jeanne.dupont@example.gouv.fr\n", "  type: none\n"), "0.4", nil},
		{"bad maintenance type", repl("type: internal", "type: volunteers"), "0.4", []problem{{22, "maintenance.type"}}},
		{"contact without a name", repl("    - name: Jeanne Dupont\n      email:", "    - email:"), "0.4", []problem{{24, "maintenance.contacts[0].name"}}},
		{"no localisation", repl("localisation:\n  localisationReady: false\n  availableLanguages:\n    - fr\n", ""), "0.4", []problem{{1, "localisation"}}},
		{"localisationReady not a boolean", repl("localisationReady: false", "localisationReady: non"), "0.4", []problem{{27, "localisation.localisationReady"}}},
		{"another repository", repl(`url: "https://github.com/etalab/outil"`, `url: "https://github.com/etalab/autre"`), "0.4", []problem{{3, "url"}}},
		{"same repository, other spelling", repl(`url: "https://github.com/etalab/outil"`, `url: "https://GitHub.com/etalab/outil.git/"`), "0.4", nil},
		{"another licence", repl("license: EUPL-1.2", "license: MIT"), "0.4", []problem{{20, "legal.license"}}},
		{"licence expression naming it", repl("license: EUPL-1.2", "license: MIT OR EUPL-1.2"), "0.4", nil},
		{"0.5 organisation without uri", validPubliccode + "organisation:\n  name: DINUM\n", "0.4", nil},
		{"not YAML", "name: [unclosed\n", "", []problem{{1, ""}}},
		{"not a mapping", "- a\n- b\n", "", []problem{{1, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pc := PubliccodeVerdict(withPubliccode(tt.text), Options{})
			if pc.File != "publiccode.yml" || pc.Version != tt.version {
				t.Errorf("file %q version %q, want %q", pc.File, pc.Version, tt.version)
			}
			var got []problem
			for _, e := range pc.Errors {
				got = append(got, problem{e.Line, e.Key})
				if e.Message == "" {
					t.Errorf("%d %s: no message", e.Line, e.Key)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("errors %+v, want %+v", pc.Errors, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("error %d: %+v, want %+v (%s)", i, got[i], tt.want[i], pc.Errors[i].Message)
				}
			}
			if pc.Valid != (len(tt.want) == 0) {
				t.Errorf("valid %v with %d errors", pc.Valid, len(got))
			}
			if pc.Errors == nil {
				t.Error("errors is nil: the JSON would say null")
			}
			if pc.Valid != (pc.Suggestion == "") {
				t.Errorf("valid %v, suggestion %d bytes", pc.Valid, len(pc.Suggestion))
			}
		})
	}
	// 0.5 and later: organisation needs its uri (reported at line 30,
	// organisation's own).
	org := strings.Replace(validPubliccode, `"0.4"`, `"0.5.0"`, 1) + "organisation:\n  name: DINUM\n"
	pc := PubliccodeVerdict(withPubliccode(org), Options{})
	if len(pc.Errors) != 1 || pc.Errors[0].Key != "organisation.uri" || pc.Errors[0].Line != 30 {
		t.Errorf("organisation without uri: %+v", pc.Errors)
	}
}

// A repository without publiccode.yml gets a pre-filled one, which parses
// and meets the standard except for what vigie cannot know.
func TestPubliccodeSuggestion(t *testing.T) {
	f := degree8()
	f.Archived = false
	pc := PubliccodeVerdict(f, Options{})
	if pc.File != "" || pc.Valid || len(pc.Errors) != 0 || pc.Suggestion == "" {
		t.Fatalf("verdict %+v", pc)
	}
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(pc.Suggestion), &doc); err != nil {
		t.Fatalf("suggestion is not YAML: %v\n%s", err, pc.Suggestion)
	}
	for _, want := range []string{"name: outil", "url: https://github.com/etalab/outil", "license: EUPL-1.2", "developmentStatus: stable", "jeanne.dupont@example.gouv.fr", "shortDescription: Un outil pour instruire les demandes"} {
		if !strings.Contains(pc.Suggestion, want) {
			t.Errorf("suggestion lacks %q:\n%s", want, pc.Suggestion)
		}
	}
	// Dropped in as is, it validates.
	if got := PubliccodeVerdict(withPubliccode(pc.Suggestion), Options{}); !got.Valid {
		t.Errorf("the suggestion does not validate: %+v\n%s", got.Errors, pc.Suggestion)
	}
}

func TestReadmeProseTakesTheIntroduction(t *testing.T) {
	for _, c := range []struct{ name, readme, want string }{
		{"intro then sections",
			"# Dossier patient\n\nDossier patient partagé entre les hôpitaux de la région,\npour les médecins et les patients.\n\nUn second paragraphe qui présente aussi le projet en huit mots.\n\n## Installation\n\nLancez `npm start` pour démarrer le serveur de développement local tout de suite.\n",
			"Dossier patient partagé entre les hôpitaux de la région, pour les médecins et les patients.\n\nUn second paragraphe qui présente aussi le projet en huit mots."},
		{"no title heading", "Un outil de veille juridique pour les juristes des collectivités territoriales.\n\n## Usage\n\nLancez-le avec la commande suivante depuis votre terminal habituel.\n", "Un outil de veille juridique pour les juristes des collectivités territoriales."},
		{"code fence in the introduction", "# Outil\n\nIl sert à ceci, et il le fait plutôt bien depuis longtemps.\n\n```\nmake build test install all\n```\n\nEt il sert à cela aussi, pour les agents des services.\n\n## Contribuer\n\nOuvrez une demande de fusion sur la forge du projet, merci.\n", "Il sert à ceci, et il le fait plutôt bien depuis longtemps.\n\nEt il sert à cela aussi, pour les agents des services."},
		{"no prose", "# Titre\n\n## Installation\n", ""},
	} {
		if got := readmeProse(c.readme); got != c.want {
			t.Errorf("%s: readmeProse = %q, want %q", c.name, got, c.want)
		}
	}
}
