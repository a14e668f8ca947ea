package web

import (
	"fmt"
	"strings"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/crawler"
)

// The programme's profile as the repository page shows it: the EIG
// guide's ladder of openness, the publication checklist grouped by the
// rule's source, publiccode.yml's verdict, code.gouv.fr's score and the
// life after the défi. The checks decide; this file only words it.

// rung is one criterion of the ladder: the degree it opens, its title,
// whether it is met, the evidence, and what meets it.
type rung struct {
	Degree   int
	Title    string
	Met      bool
	Next     bool // the first criterion not met: the step to climb
	Evidence string
	How      string
}

// criterionWords are each criterion's title and what meets it, in the
// guide's order (docs/reference.md's criterion names).
var criterionWords = map[string][2]string{
	"published":     {"Publié", "Rendez le dépôt public sur sa forge : il doit se lire sans compte."},
	"license":       {"Licence libre", "Ajoutez à la racine un fichier `LICENSE` avec le texte d'une licence de la liste autorisée (MIT, Apache-2.0, EUPL-1.2, CeCILL, GPL, LGPL, AGPL, MPL…)."},
	"maintenance":   {"Maintenance connue", "Dites dans le README qui maintient le projet (un nom et un contact) et s'il est maintenu activement ; ou ajoutez un fichier `MAINTAINERS` ou `CODEOWNERS`, ou la clé `maintenance` de `publiccode.yml`."},
	"versioning":    {"Versionné", "Déposez le code dans git, sur une forge."},
	"readme":        {"README", "Ajoutez un `README.md` qui présente le projet."},
	"bug_tracker":   {"Suivi des bogues public", "Ouvrez les tickets (issues) du dépôt sur la forge, ou dites dans le README où signaler un problème."},
	"packaging":     {"Installation facile", "Publiez une version (release) ou un paquet, fournissez un `Dockerfile`, ou une section « Installation » avec les commandes à lancer."},
	"contribution":  {"Contributions bienvenues", "Ajoutez un `CONTRIBUTING.md` ou une section « Contribuer » au README."},
	"tests":         {"Tests", "Ajoutez une suite de tests au dépôt, selon l'usage du langage (dossier `tests/`, fichiers `*_test.go`, `*.test.js`, `src/test/`…)."},
	"documentation": {"Documentation", "Ajoutez un dossier `docs/`, un lien vers un site de documentation, ou une section « Utilisation » détaillée dans le README."},
}

// criterionDegrees is the degree each criterion opens, in the guide's
// order: published and licence together open degree 0.
var criterionDegrees = []int{0, 0, 1, 2, 3, 4, 5, 6, 7, 8}

func ladderOf(o *checks.Openness) []rung {
	if o == nil {
		return nil
	}
	var out []rung
	next := o.Next()
	for i, c := range o.Criteria {
		r := rung{Title: c.Name, Met: c.Met, Evidence: c.Evidence, Next: next != nil && next.Name == c.Name}
		if i < len(criterionDegrees) {
			r.Degree = criterionDegrees[i]
		}
		if w, ok := criterionWords[c.Name]; ok {
			r.Title, r.How = w[0], w[1]
		}
		out = append(out, r)
	}
	return out
}

// checklistTitles are the checklist items' titles on the page.
var checklistTitles = map[string]string{
	"description":              "Description du dépôt",
	"topics":                   "Sujets (topics) du programme",
	"license_file":             "Fichier de licence",
	"contributing":             "Guide de contribution",
	"code_of_conduct":          "Code de conduite",
	"security_contact":         "Contact de sécurité",
	"changelog":                "Journal des modifications",
	"issue_templates":          "Modèles de tickets",
	"organisation_account":     "Compte de l'organisation",
	"maintenance_stated":       "Maintenance annoncée",
	"readme_copyright":         "README : © de l'administration et des auteurs",
	"readme_test":              "README : comment tester",
	"readme_contact":           "README : contact du mainteneur",
	"readme_contributions":     "README : contributions acceptées",
	"readme_license":           "README : licence nommée",
	"readme_programme_mention": "README : mention du programme EIG",
	"publiccode":               "publiccode.yml",
}

// checklistTitle is an item's title on the pages (its id when unknown: a
// newer item than this page knows).
func checklistTitle(id string) string {
	if t := checklistTitles[id]; t != "" {
		return t
	}
	return id
}

// sourceGroup is the checklist items of one source, in the checklist's
// order.
type sourceGroup struct {
	Source     string
	Items      []checklistRow
	Met, Count int
}

type checklistRow struct {
	checks.ChecklistItem
	Title string
}

func checklistBySource(items []checks.ChecklistItem) []sourceGroup {
	var out []sourceGroup
	at := map[string]int{}
	for _, it := range items {
		i, ok := at[it.Source]
		if !ok {
			i = len(out)
			at[it.Source] = i
			out = append(out, sourceGroup{Source: it.Source})
		}
		out[i].Items = append(out[i].Items, checklistRow{ChecklistItem: it, Title: checklistTitle(it.ID)})
		if it.Applicable {
			out[i].Count++
			if it.Met {
				out[i].Met++
			}
		}
	}
	return out
}

// profileView is the profile part of a repository page.
type profileView struct {
	Degree     int
	Ladder     []rung
	Next       *rung
	Checklist  []sourceGroup
	Met, Count int
	Publiccode *checks.Publiccode
	// PubliccodeCreate is the forge's page creating publiccode.yml with
	// the suggested content, when the repository has none.
	PubliccodeCreate string
	Codegouv         *int
	CodegouvRaise    []string
	Continuity       *checks.Continuity
	// ContinuityState: "alive", "handed_over" or "dormant".
	ContinuityState string
}

func (s *Server) profileOf(r *checks.Result, f *crawler.Facts) *profileView {
	if r == nil || r.Openness == nil {
		return nil
	}
	p := &profileView{
		Degree: r.Openness.Degree, Ladder: ladderOf(r.Openness), Checklist: checklistBySource(r.Checklist),
		Publiccode: r.Publiccode, Codegouv: r.CodegouvScore, CodegouvRaise: r.CodegouvRaise,
		Continuity: r.Continuity, ContinuityState: checks.ContinuityState(r.Continuity),
	}
	archived := repoView{Result: r}.Archived()
	for i := range p.Ladder {
		if archived {
			p.Ladder[i].How = readOnlyHow(p.Ladder[i], r)
		}
		if p.Ladder[i].Next {
			p.Next = &p.Ladder[i]
		}
	}
	for _, g := range p.Checklist {
		p.Met += g.Met
		p.Count += g.Count
	}
	if pc := r.Publiccode; pc != nil && pc.File == "" && pc.Suggestion != "" && f != nil {
		p.PubliccodeCreate = crawler.NewFileURL(f.Ref, f.DefaultBranch, "publiccode.yml", pc.Suggestion)
	}
	return p
}

// readOnlyHow is what reaches a rung of an archived repository's ladder:
// the same advice as its criteria above, which the checks adapt to a
// read-only repository (unarchive it for a missing licence, else nothing
// to change in it), not the generic "add a file" a live one gets.
func readOnlyHow(g rung, r *checks.Result) string {
	if g.Title == criterionWords["license"][0] {
		if c := r.Check(checks.NameLicense); c != nil && c.Remediation != "" {
			return c.Remediation
		}
	}
	return "Le dépôt est archivé (en lecture seule) : rien à y changer. Si le projet reprend dans un nouveau dépôt, c'est là que ce critère sera à suivre."
}

// percent writes a share (0..1) as a whole percentage, French style.
func percent(p *float64) string {
	if p == nil {
		return "—"
	}
	return fmt.Sprintf("%.0f\u202f%%", *p*100)
}

// continuityWords says an ended défi's state in a few words.
func continuityWords(state string) string {
	switch state {
	case "alive":
		return "toujours vivant : des commits ces 90 derniers jours"
	case "handed_over":
		return "passé à d'autres mains : des personnes hors de l'équipe du défi y contribuent"
	case "dormant":
		return "en sommeil : aucun commit ces 90 derniers jours"
	}
	return strings.TrimSpace(state)
}
