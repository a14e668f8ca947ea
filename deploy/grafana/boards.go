package grafana

//lint:file-ignore SA1019 the SDK marks the classic dashboard schema deprecated in favour of dashboardv2, the schema of Grafana 12's dynamic dashboards behind a feature toggle; file provisioning in every current Grafana reads the classic JSON this package writes

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// programme is the overview of every défi: scores, licences, CI, activity,
// filtered by the défi variable.
func programme() *dashboard.DashboardBuilder {
	const d = `{defi=~"$defi"}`
	ps := &panels{}
	add(ps, statPanel(), spec{title: "Dépôts suivis", x: 0, y: 0, w: 4, h: 4,
		desc:    "Dépôts de la configuration pour les défis choisis.",
		queries: []query{q(`count(vigie_repo_up` + d + `)`)}})
	add(ps, statPanel(), spec{title: "Score moyen", x: 4, y: 0, w: 4, h: 4,
		desc:       "Moyenne des scores globaux (0 à 100).",
		queries:    []query{q(`avg(vigie_repo_score` + d + `)`)},
		thresholds: scoreSteps, min: f(0), max: f(100), decimals: f(0)})
	add(ps, statPanel(), spec{title: "Sous le seuil", x: 8, y: 0, w: 4, h: 4,
		desc:       "Dépôts dont le score est sous le seuil choisi.",
		queries:    []query{q(`count(vigie_repo_score` + d + ` < $threshold) or vector(0)`)},
		thresholds: alarm("orange")})
	add(ps, statPanel(), spec{title: "Dormants", x: 12, y: 0, w: 4, h: 4,
		desc:       "Dépôts sans commit depuis plus de $dormant_days jours.",
		queries:    []query{q(`count((time() - vigie_repo_last_commit_timestamp_seconds` + d + `) / 86400 > $dormant_days) or vector(0)`)},
		thresholds: alarm("orange")})
	add(ps, gaugePanel(), spec{title: "Couverture des licences", x: 16, y: 0, w: 4, h: 4,
		desc:    "Part des dépôts dont la licence est identifiée (score licence d'au moins 5).",
		queries: []query{q(`100 * count(vigie_repo_check_score{check="license",defi=~"$defi"} >= 5) / count(vigie_repo_check_score{check="license",defi=~"$defi"})`)},
		unit:    "percent", min: f(0), max: f(100),
		thresholds: steps(step(nil, "red"), step(f(60), "yellow"), step(f(90), "green"))})
	add(ps, statPanel(), spec{title: "Injoignables", x: 20, y: 0, w: 4, h: 4,
		desc:       "Dépôts dont la dernière analyse a échoué (supprimés, privés ou forge en panne).",
		queries:    []query{q(`count(vigie_repo_up` + d + ` == 0) or vector(0)`)},
		thresholds: alarm("red")})
	add(ps, barGauge(common.BarGaugeDisplayModeBasic).ShowUnfilled(true),
		spec{title: "Répartition des scores", x: 0, y: 4, w: 8, h: 8,
			desc: "Nombre de dépôts par tranche de score.",
			queries: []query{
				ql(`count(vigie_repo_score`+d+` < 25) or vector(0)`, "0 à 24"),
				ql(`count(vigie_repo_score`+d+` >= 25 < 50) or vector(0)`, "25 à 49"),
				ql(`count(vigie_repo_score`+d+` >= 50 < 75) or vector(0)`, "50 à 74"),
				ql(`count(vigie_repo_score`+d+` >= 75) or vector(0)`, "75 à 100"),
			}})
	add(ps, barGauge(common.BarGaugeDisplayModeGradient),
		spec{title: "Score moyen par défi", x: 8, y: 4, w: 8, h: 8,
			desc:       "Moyenne des scores des dépôts de chaque défi.",
			queries:    []query{ql(`sort_desc(avg by (defi) (vigie_repo_score`+d+`))`, "{{defi}}")},
			thresholds: scoreSteps, min: f(0), max: f(100), decimals: f(0)})
	add(ps, timeSeries(), spec{title: "Score moyen par défi dans le temps", x: 16, y: 4, w: 8, h: 8,
		desc:    "Évolution de la moyenne par défi.",
		queries: []query{series(`avg by (defi) (vigie_repo_score`+d+`)`, "{{defi}}")},
		min:     f(0), max: f(100)})
	add(ps, tablePanel(), spec{title: "Dépôts sous le seuil", x: 0, y: 12, w: 12, h: 8,
		desc:       "Score global sous $threshold, du plus bas au plus haut.",
		queries:    []query{tableOf(`sort(vigie_repo_score` + d + ` < $threshold)`)},
		thresholds: scoreSteps, labelsAsTableColumns: true})
	add(ps, tablePanel(), spec{title: "Dépôts dormants (jours sans commit)", x: 12, y: 12, w: 12, h: 8,
		desc:                 "Jours depuis le dernier commit de la branche par défaut, au-delà de $dormant_days.",
		queries:              []query{tableOf(`sort_desc(floor((time() - vigie_repo_last_commit_timestamp_seconds` + d + `) / 86400) > $dormant_days)`)},
		labelsAsTableColumns: true})
	add(ps, tablePanel(), spec{title: "Intégration continue absente ou en échec", x: 0, y: 20, w: 12, h: 8,
		desc:       "Score CI sous 5 : pas d'intégration continue configurée, ou dernière exécution en échec.",
		queries:    []query{tableOf(`sort(vigie_repo_check_score{check="ci",defi=~"$defi"} < 5)`)},
		thresholds: checkSteps, labelsAsTableColumns: true})
	add(ps, tablePanel(), spec{title: "Dépôts injoignables", x: 12, y: 20, w: 12, h: 8,
		desc:                 "La dernière analyse a échoué ; les scores affichés ailleurs sont ceux de la dernière analyse réussie.",
		queries:              []query{tableOf(`vigie_repo_up` + d + ` == 0`)},
		labelsAsTableColumns: true})
	degreeSteps := steps(step(nil, "red"), step(f(2), "yellow"), step(f(5), "green"))
	add(ps, statPanel(), spec{title: "Degré d'ouverture moyen", x: 0, y: 28, w: 4, h: 8,
		desc:     "Moyenne des degrés d'ouverture du guide EIG (-1 : non publié ou sans licence autorisée, 8 : documentation maintenue).",
		queries:  []query{q(`avg(vigie_repo_openness_degree` + d + `)`)},
		decimals: f(1), min: f(-1), max: f(8), thresholds: degreeSteps})
	add(ps, barGauge(common.BarGaugeDisplayModeBasic).ShowUnfilled(true),
		spec{title: "Répartition des degrés d'ouverture", x: 4, y: 28, w: 6, h: 8,
			desc:    "Nombre de dépôts à chaque degré du guide EIG.",
			queries: []query{ql(`sort(count_values("degree", vigie_repo_openness_degree`+d+`))`, "degré {{degree}}")}})
	add(ps, barGauge(common.BarGaugeDisplayModeGradient),
		spec{title: "Liste de publication remplie, par défi", x: 10, y: 28, w: 7, h: 8,
			desc:    "Part des éléments applicables de la liste de publication (guide EIG, politique de l'État, code.gouv.fr, publiccode.yml) que les dépôts du défi remplissent.",
			queries: []query{ql(`sort_desc(100 * sum by (defi) (vigie_repo_checklist_met`+d+`) / sum by (defi) (vigie_repo_checklist_applicable`+d+`))`, "{{defi}}")},
			unit:    "percent", min: f(0), max: f(100),
			thresholds: steps(step(nil, "red"), step(f(40), "yellow"), step(f(70), "green"))})
	add(ps, tablePanel(), spec{title: "Score code.gouv.fr", x: 17, y: 28, w: 7, h: 8,
		desc:                 "Score du catalogue code.gouv.fr, calculé avec sa table publiée.",
		queries:              []query{tableOf(`sort_desc(vigie_repo_codegouv_score` + d + `)`)},
		labelsAsTableColumns: true})
	add(ps, statPanel(), spec{title: "Après le défi : en sommeil depuis la fin", x: 0, y: 36, w: 6, h: 8,
		desc:       "Dépôts des défis terminés sans aucun commit depuis la fin du défi.",
		queries:    []query{q(`count(vigie_repo_commits_since_end` + d + ` == 0) or vector(0)`)},
		thresholds: alarm("orange")})
	add(ps, statPanel(), spec{title: "Après le défi : repris", x: 6, y: 36, w: 6, h: 8,
		desc:       "Dépôts des défis terminés où des auteurs hors de l'équipe du défi ont commité ces 90 derniers jours.",
		queries:    []query{q(`count(vigie_repo_authors_outside_team_90d` + d + ` > 0) or vector(0)`)},
		thresholds: steps(step(nil, "orange"), step(f(1), "green"))})
	add(ps, tablePanel(), spec{title: "Après le défi : commits depuis la fin", x: 12, y: 36, w: 12, h: 8,
		desc:                 "Commits de la branche par défaut depuis la fin du défi, par dépôt (défis terminés seulement).",
		queries:              []query{tableOf(`sort_desc(vigie_repo_commits_since_end` + d + `)`)},
		labelsAsTableColumns: true})
	return board("vigie-programme", "vigie — vue du programme",
		"Santé des dépôts de tous les défis : scores, licences, intégration continue, activité.", ps, "5m", "now-30d").
		Variables([]cog.Builder[dashboard.VariableModel]{
			labelValues("defi", "Défi", "vigie_repo_score", "defi", true),
			choice("threshold", "Seuil", []string{"40", "50", "60", "70", "80"}, "50"),
			choice("dormant_days", "Dormant après (jours)", []string{"60", "90", "180"}, "90"),
		})
}

// repo is one repository's drill-down, chosen by the repo variable.
func repo() *dashboard.DashboardBuilder {
	const r = `{repo="$repo"}`
	ps := &panels{}
	add(ps, statPanel(), spec{title: "Score", x: 0, y: 0, w: 6, h: 5,
		desc:       "Score global (0 à 100) de la dernière analyse réussie.",
		queries:    []query{q(`vigie_repo_score` + r)},
		thresholds: scoreSteps, min: f(0), max: f(100)})
	add(ps, statPanel().ColorMode(common.BigValueColorModeBackground), spec{title: "Dernière analyse", x: 6, y: 0, w: 6, h: 5,
		desc:       "Réussie (1) ou en échec (0).",
		queries:    []query{q(`vigie_repo_up` + r)},
		thresholds: steps(step(nil, "red"), step(f(1), "green"))})
	add(ps, statPanel(), spec{title: "Jours depuis le dernier commit", x: 12, y: 0, w: 6, h: 5,
		desc:     "Sur la branche par défaut.",
		queries:  []query{q(`(time() - vigie_repo_last_commit_timestamp_seconds` + r + `) / 86400`)},
		decimals: f(0), thresholds: steps(step(nil, "green"), step(f(90), "orange"))})
	add(ps, barGauge(common.BarGaugeDisplayModeBasic),
		spec{title: "Critères", x: 18, y: 0, w: 6, h: 5,
			desc:    "Score de chaque critère (0 à 10).",
			queries: []query{ql(`vigie_repo_check_score`+r, "{{check}}")},
			min:     f(0), max: f(10), thresholds: checkSteps})
	add(ps, timeSeries(), spec{title: "Score dans le temps", x: 0, y: 5, w: 12, h: 9,
		queries: []query{series(`vigie_repo_score`+r, "score")}, min: f(0), max: f(100)})
	add(ps, timeSeries(), spec{title: "Critères dans le temps", x: 12, y: 5, w: 12, h: 9,
		queries: []query{series(`vigie_repo_check_score`+r, "{{check}}")}, min: f(0), max: f(10)})
	add(ps, statPanel(), spec{title: "Degré d'ouverture (guide EIG)", x: 0, y: 14, w: 8, h: 5,
		desc:    "De -1 (non publié ou sans licence autorisée) à 8 (documentation maintenue).",
		queries: []query{q(`vigie_repo_openness_degree` + r)},
		min:     f(-1), max: f(8), thresholds: steps(step(nil, "red"), step(f(2), "yellow"), step(f(5), "green"))})
	add(ps, statPanel(), spec{title: "Liste de publication", x: 8, y: 14, w: 8, h: 5,
		desc: "Éléments remplis et éléments applicables.",
		queries: []query{
			ql(`vigie_repo_checklist_met`+r, "remplis"),
			ql(`vigie_repo_checklist_applicable`+r, "applicables"),
		}})
	add(ps, statPanel(), spec{title: "Score code.gouv.fr", x: 16, y: 14, w: 8, h: 5,
		desc:    "Calculé avec la table publiée du catalogue.",
		queries: []query{q(`vigie_repo_codegouv_score` + r)}})
	add(ps, statPanel(), spec{title: "Après le défi", x: 0, y: 19, w: 24, h: 5,
		desc: "Défis terminés seulement : le code vit-il après le départ des entrepreneurs ? Vide quand le défi n'a pas de date de fin.",
		queries: []query{
			ql(`vigie_repo_commits_since_end`+r, "commits depuis la fin"),
			ql(`vigie_repo_authors_since_end`+r, "auteurs depuis la fin"),
			ql(`vigie_repo_authors_outside_team_90d`+r, "auteurs hors équipe (90 jours)"),
		}})
	return board("vigie-repo", "vigie — un dépôt", "Détail d'un dépôt : score, critères, activité.", ps, "5m", "now-30d").
		Variables([]cog.Builder[dashboard.VariableModel]{
			labelValues("repo", "Dépôt", "vigie_repo_score", "repo", false),
		})
}

// crawl is the health of the crawls and of the forges' APIs.
func crawl() *dashboard.DashboardBuilder {
	ps := &panels{}
	add(ps, statPanel(), spec{title: "Dernière collecte réussie", x: 0, y: 0, w: 6, h: 5,
		desc:    "Temps écoulé depuis la dernière collecte enregistrée.",
		queries: []query{q(`time() - vigie_crawl_last_success_timestamp_seconds`)},
		unit:    "s", thresholds: steps(step(nil, "green"), step(f(43200), "orange"), step(f(86400), "red"))})
	add(ps, statPanel(), spec{title: "Dépôts injoignables", x: 6, y: 0, w: 6, h: 5,
		queries: []query{q(`count(vigie_repo_up == 0) or vector(0)`)}, thresholds: alarm("red")})
	add(ps, statPanel(), spec{title: "Collectes sur 24 h", x: 12, y: 0, w: 6, h: 5,
		queries: []query{q(`increase(vigie_crawl_duration_seconds_count[1d])`)}, decimals: f(0)})
	add(ps, statPanel(), spec{title: "Durée moyenne d'une collecte (24 h)", x: 18, y: 0, w: 6, h: 5,
		queries: []query{q(`increase(vigie_crawl_duration_seconds_sum[1d]) / increase(vigie_crawl_duration_seconds_count[1d])`)}, unit: "s"})
	add(ps, timeSeries(), spec{title: "Durée des collectes (quantiles sur 1 jour)", x: 0, y: 5, w: 12, h: 8,
		queries: []query{
			series(`histogram_quantile(0.5, sum by (le) (increase(vigie_crawl_duration_seconds_bucket[1d])))`, "médiane"),
			series(`histogram_quantile(0.9, sum by (le) (increase(vigie_crawl_duration_seconds_bucket[1d])))`, "90e centile"),
		}, unit: "s"})
	add(ps, timeSeries(), spec{title: "Requêtes aux forges par code", x: 12, y: 5, w: 12, h: 8,
		desc:    "Réponses par seconde, par forge et code HTTP (error : pas de réponse).",
		queries: []query{series(`sum by (forge, code) (rate(vigie_forge_requests_total[$__rate_interval]))`, "{{forge}} {{code}}")},
		unit:    "reqps"})
	add(ps, timeSeries(), spec{title: "Erreurs des forges (par heure)", x: 0, y: 13, w: 12, h: 8,
		desc:    "Réponses hors 2xx et 304 : 403/429 (quota), 404 (dépôt disparu), 5xx (forge en panne), error (réseau).",
		queries: []query{series(`sum by (forge, code) (increase(vigie_forge_requests_total{code!~"2..|304"}[1h]))`, "{{forge}} {{code}}")}})
	add(ps, timeSeries(), spec{title: "Quota restant", x: 12, y: 13, w: 12, h: 8,
		desc:       "Requêtes restantes dans la fenêtre de quota annoncée par chaque forge.",
		queries:    []query{series(`min by (forge) (vigie_forge_rate_limit_remaining)`, "{{forge}}")},
		thresholds: steps(step(nil, "red"), step(f(100), "orange"), step(f(500), "green"))})
	add(ps, timeSeries(), spec{title: "Mémoire de vigie", x: 0, y: 21, w: 12, h: 7,
		desc:    "Mémoire résidente du processus.",
		queries: []query{series(`process_resident_memory_bytes{job="vigie"}`, "{{instance}}")}, unit: "bytes"})
	add(ps, timeSeries(), spec{title: "Goroutines de vigie", x: 12, y: 21, w: 12, h: 7,
		desc:    "Une croissance continue signale une fuite.",
		queries: []query{series(`go_goroutines{job="vigie"}`, "{{instance}}")}})
	return board("vigie-crawl", "vigie — santé des collectes", "Durée des collectes, erreurs et quotas des forges.", ps, "1m", "now-7d")
}
