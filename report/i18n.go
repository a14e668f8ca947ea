package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/locale"
)

// messages holds every sentence the renderings use, per language.
var messages = map[string]map[string]string{
	"fr": {
		"title":                         "Vigie — rapport hebdomadaire",
		"programme":                     "Programme Entrepreneurs d'intérêt général",
		"week":                          "Semaine %d de %d, du %s au %s",
		"generated":                     "Généré le %s à %s (%s)",
		"glance":                        "En bref",
		"average":                       "Score moyen",
		"previous":                      "semaine précédente\u00a0: %s",
		"no_previous":                   "pas de score la semaine précédente",
		"repos":                         "dépôts suivis cette semaine",
		"repos.one":                     "dépôt suivi cette semaine",
		"scored.one":                    "noté",
		"unreachable_n.one":             "injoignable",
		"scored":                        "notés",
		"unreachable_n":                 "injoignables",
		"trend":                         "Évolution du score moyen sur %d semaines",
		"distribution":                  "Répartition des scores",
		"coverage":                      "Couverture",
		"coverage_note":                 "Dépôts notés au moins %d/10 sur le critère.",
		"changes":                       "Ce qui a changé cette semaine",
		"no_changes":                    "Aucun changement notable cette semaine.",
		"attention":                     "À traiter en priorité",
		"no_attention":                  "Aucun dépôt ne demande d'attention particulière.",
		"defis":                         "Par défi",
		"defi":                          "Défi",
		"no_defi":                       "Hors défi",
		"ended_group":                   "Défis terminés",
		"archived_group":                "Archivés",
		"ended_on":                      "terminé le %s",
		"finished_n":                    "terminés ou archivés, hors moyenne",
		"finished_n.one":                "terminé ou archivé, hors moyenne",
		"repo":                          "Dépôt",
		"score":                         "Score",
		"delta":                         "Évolution",
		"from_to":                       "Avant → après",
		"change":                        "Changement",
		"todo":                          "À faire",
		"reasons":                       "Pourquoi",
		"footer":                        "Scores sur 100, critères sur 10. Les données de ce rapport sont dans %s.json.",
		"scale":                         "Scores sur 100, critères sur 10.",
		"data_in":                       "Les données de ce rapport\u00a0:",
		"site":                          "Tableau de bord vigie",
		"json":                          "données du rapport (JSON)",
		"on_forge":                      "sur la forge",
		"ci_run":                        "exécution de la CI en échec",
		"subject":                       "Vigie — semaine %d de %d\u00a0: score moyen %s",
		"subject_defi":                  "Vigie — %s — semaine %d de %d\u00a0: score moyen %s",
		"defi_part":                     "Votre défi\u00a0: %s",
		"kind.improvement":              "Progression",
		"kind.regression":               "Recul",
		"kind.license_added":            "Licence ajoutée",
		"kind.license_removed":          "Licence retirée",
		"kind.ci_broke":                 "CI en échec",
		"kind.ci_fixed":                 "CI réparée",
		"kind.went_dormant":             "En sommeil",
		"kind.came_back":                "De nouveau actif",
		"kind.archived":                 "Archivé",
		"kind.new":                      "Nouveau",
		"kind.unreachable":              "Injoignable",
		"kind.openness_up":              "Plus ouvert",
		"kind.openness_down":            "Moins ouvert",
		"kind.low_score":                "Score faible",
		"degree":                        "Degré",
		"degrees":                       "Degrés d'ouverture",
		"degrees_note":                  "Échelle du guide EIG, de -1 à 8, sur %d dépôts.",
		"most_missing":                  "Règles de publication les plus souvent manquées",
		"most_missing_n":                "%d/%d dépôts",
		"continuity":                    "Après le défi",
		"continuity_note":               "Les dépôts des défis terminés : le code vit-il après le départ des entrepreneurs ?",
		"continuity.alive":              "Toujours vivants",
		"continuity.handed_over":        "Passés à d'autres mains",
		"continuity.dormant":            "En sommeil depuis la fin",
		"continuity_line":               "fin le %s · %d commits et %d auteurs depuis · %d auteurs hors équipe sur 90 jours",
		"item.description":              "Description du dépôt",
		"item.topics":                   "Sujets (topics) du programme",
		"item.license_file":             "Fichier de licence",
		"item.contributing":             "Guide de contribution",
		"item.code_of_conduct":          "Code de conduite",
		"item.security_contact":         "Contact de sécurité",
		"item.changelog":                "Journal des modifications",
		"item.issue_templates":          "Modèles de tickets",
		"item.organisation_account":     "Compte de l'organisation",
		"item.maintenance_stated":       "Maintenance annoncée",
		"item.readme_copyright":         "README : © de l'administration et des auteurs",
		"item.readme_test":              "README : comment tester",
		"item.readme_contact":           "README : contact du mainteneur",
		"item.readme_contributions":     "README : contributions acceptées",
		"item.readme_license":           "README : licence nommée",
		"item.readme_programme_mention": "README : mention du programme EIG",
		"item.publiccode":               "publiccode.yml",
	},
	"en": {
		"title":                         "Vigie — weekly report",
		"programme":                     "Entrepreneurs d'intérêt général programme",
		"week":                          "Week %d of %d, %s to %s",
		"generated":                     "Generated on %s at %s (%s)",
		"glance":                        "At a glance",
		"average":                       "Average score",
		"previous":                      "previous week: %s",
		"no_previous":                   "no score the previous week",
		"repos":                         "repositories followed this week",
		"repos.one":                     "repository followed this week",
		"scored.one":                    "scored",
		"unreachable_n.one":             "unreachable",
		"scored":                        "scored",
		"unreachable_n":                 "unreachable",
		"trend":                         "Average score over %d weeks",
		"distribution":                  "Score distribution",
		"coverage":                      "Coverage",
		"coverage_note":                 "Repositories scoring at least %d/10 on the check.",
		"changes":                       "What changed this week",
		"no_changes":                    "No notable change this week.",
		"attention":                     "Needs attention",
		"no_attention":                  "No repository needs particular attention.",
		"defis":                         "By défi",
		"defi":                          "Défi",
		"no_defi":                       "No défi",
		"ended_group":                   "Ended défis",
		"archived_group":                "Archived",
		"ended_on":                      "ended on %s",
		"finished_n":                    "finished or archived, out of the average",
		"finished_n.one":                "finished or archived, out of the average",
		"repo":                          "Repository",
		"score":                         "Score",
		"delta":                         "Change",
		"from_to":                       "Before → after",
		"change":                        "Change",
		"todo":                          "To do",
		"reasons":                       "Why",
		"footer":                        "Scores out of 100, checks out of 10. This report's data is in %s.json.",
		"scale":                         "Scores out of 100, checks out of 10.",
		"data_in":                       "This report's data:",
		"site":                          "vigie dashboard",
		"json":                          "report data (JSON)",
		"on_forge":                      "on the forge",
		"ci_run":                        "failing CI run",
		"subject":                       "Vigie — week %d of %d: average score %s",
		"subject_defi":                  "Vigie — %s — week %d of %d: average score %s",
		"defi_part":                     "Your défi: %s",
		"kind.improvement":              "Improved",
		"kind.regression":               "Regressed",
		"kind.license_added":            "Licence added",
		"kind.license_removed":          "Licence removed",
		"kind.ci_broke":                 "CI broke",
		"kind.ci_fixed":                 "CI fixed",
		"kind.went_dormant":             "Went dormant",
		"kind.came_back":                "Came back",
		"kind.archived":                 "Archived",
		"kind.new":                      "New",
		"kind.unreachable":              "Unreachable",
		"kind.openness_up":              "More open",
		"kind.openness_down":            "Less open",
		"kind.low_score":                "Low score",
		"degree":                        "Degree",
		"degrees":                       "Degrees of openness",
		"degrees_note":                  "The EIG guide's ladder, -1 to 8, over %d repositories.",
		"most_missing":                  "Publication rules most often missed",
		"most_missing_n":                "%d/%d repositories",
		"continuity":                    "After the défi",
		"continuity_note":               "The repositories of ended défis: does the code live on once the entrepreneurs have left?",
		"continuity.alive":              "Still alive",
		"continuity.handed_over":        "Handed over",
		"continuity.dormant":            "Dormant since the end",
		"continuity_line":               "ended %s · %d commits and %d authors since · %d authors outside the team over 90 days",
		"item.description":              "Repository description",
		"item.topics":                   "Programme topics",
		"item.license_file":             "Licence file",
		"item.contributing":             "Contributing guide",
		"item.code_of_conduct":          "Code of conduct",
		"item.security_contact":         "Security contact",
		"item.changelog":                "Changelog",
		"item.issue_templates":          "Issue templates",
		"item.organisation_account":     "Organisation account",
		"item.maintenance_stated":       "Maintenance stated",
		"item.readme_copyright":         "README: © of the administration and authors",
		"item.readme_test":              "README: how to test",
		"item.readme_contact":           "README: maintainer contact",
		"item.readme_contributions":     "README: contributions accepted",
		"item.readme_license":           "README: licence named",
		"item.readme_programme_mention": "README: EIG programme mention",
		"item.publiccode":               "publiccode.yml",
	},
}

// lang formats for one language.
type lang string

func langOf(s string) lang { return lang(locale.Of(s)) }

// checkTitle is a check's short title ("CI", "Activité"); a check the checks
// no longer declare (an old stored result) keeps its name.
func checkTitle(l lang, name string) string {
	if d, ok := checks.Lookup(name); ok {
		return d.Short.In(locale.Lang(l))
	}
	return name
}

func (l lang) T(key string, args ...any) string {
	m, ok := messages[string(l)][key]
	if !ok {
		m = key
	}
	if len(args) == 0 {
		return m
	}
	return fmt.Sprintf(m, args...)
}

// N is key's wording for n things: "key.one" for 0 and 1 in French, 1 in
// English, else key.
func (l lang) N(n int, key string) string {
	if n == 1 || (n == 0 && l == "fr") {
		if m, ok := messages[string(l)][key+".one"]; ok {
			return m
		}
	}
	return l.T(key)
}

// Date formats a date: "30 novembre 2026", "30 November 2026".
func (l lang) Date(t time.Time) string {
	if l == "en" {
		return t.Format("2 January 2006")
	}
	d := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		d = "1er"
	}
	return d + " " + locale.French.Month(t.Month()) + " " + strconv.Itoa(t.Year())
}

// Clock formats a time of day: "08:00" (fr "08 h 00" is also common; the
// colon form reads in both).
func (l lang) Clock(t time.Time) string { return t.Format("15:04") }

// Decimal formats v with one decimal: "62,5" in French, "62.5" in English;
// a whole number keeps no decimal ("62").
func (l lang) Decimal(v float64) string {
	s := strconv.FormatFloat(math.Round(v*10)/10, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if l == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// Percent formats a share: "75 %" (narrow no-break space) or "75%".
func (l lang) Percent(n, of int) string {
	if of == 0 {
		return "—"
	}
	p := strconv.Itoa(int(math.Round(float64(n) * 100 / float64(of))))
	if l == "fr" {
		return p + "\u202f%"
	}
	return p + "%"
}

// Signed formats a delta: "+12", "−3", "0".
func (l lang) Signed(v int) string {
	switch {
	case v > 0:
		return "+" + strconv.Itoa(v)
	case v < 0:
		return "−" + strconv.Itoa(-v)
	}
	return "0"
}
