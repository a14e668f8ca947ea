#!/usr/bin/env python3
"""Generates dashboards/*.json: edit here, run it, commit both. The Go test
in deploy/ checks every query against the metrics vigie exports."""
import json, os
DS = {"type": "prometheus", "uid": "vigie-prometheus"}
def target(expr, legend="", instant=False, fmt=None, ref="A"):
    t = {"datasource": DS, "expr": expr, "legendFormat": legend, "refId": ref}
    if instant:
        t["instant"] = True; t["range"] = False
    if fmt:
        t["format"] = fmt
    return t
pid = [0]
def panel(kind, title, targets, x, y, w, h, desc="", unit=None, thresholds=None, options=None, transformations=None, minv=None, maxv=None, decimals=None):
    pid[0] += 1
    refs = "ABCDEFGHIJKL"
    for i, t in enumerate(targets):
        t["refId"] = refs[i]
    fc = {"defaults": {}, "overrides": []}
    if unit: fc["defaults"]["unit"] = unit
    if minv is not None: fc["defaults"]["min"] = minv
    if maxv is not None: fc["defaults"]["max"] = maxv
    if decimals is not None: fc["defaults"]["decimals"] = decimals
    if thresholds:
        fc["defaults"]["thresholds"] = {"mode": "absolute", "steps": [{"color": c, "value": v} for v, c in thresholds]}
        fc["defaults"]["color"] = {"mode": "thresholds"}
    p = {"id": pid[0], "type": kind, "title": title, "description": desc, "datasource": DS,
         "gridPos": {"x": x, "y": y, "w": w, "h": h}, "targets": targets, "fieldConfig": fc, "options": options or {}}
    if transformations: p["transformations"] = transformations
    return p
SCORE_T = [(None, "red"), (50, "yellow"), (80, "green")]
CHECK_T = [(None, "red"), (5, "yellow"), (8, "green")]
def dash(uid, title, desc, panels, variables, tags, refresh="5m", time_from="now-30d"):
    return {"uid": uid, "title": title, "description": desc, "tags": tags, "editable": True, "schemaVersion": 39,
            "version": 1, "refresh": refresh, "time": {"from": time_from, "to": "now"}, "timezone": "browser",
            "templating": {"list": variables}, "annotations": {"list": []}, "panels": panels,
            "links": [{"title": "Tableaux vigie", "type": "dashboards", "tags": ["vigie"], "asDropdown": True}]}
def qvar(name, label, query, multi=False, include_all=False):
    v = {"name": name, "label": label, "type": "query", "datasource": DS,
         "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery", "qryType": 1},
         "definition": query, "refresh": 2, "sort": 1, "multi": multi, "includeAll": include_all}
    if include_all: v["allValue"] = ".*"; v["current"] = {"text": "All", "value": "$__all"}
    return v
def custom(name, label, values, default):
    return {"name": name, "label": label, "type": "custom", "query": ",".join(values),
            "current": {"text": default, "value": default},
            "options": [{"text": v, "value": v, "selected": v == default} for v in values]}
tablefmt = lambda: [{"id": "labelsToFields", "options": {}}, {"id": "organize", "options": {"excludeByName": {"Time": True, "__name__": True, "job": True, "instance": True}}}]
D = '{defi=~"$defi"}'
# --- programme overview
pid[0] = 0
ov = [
 panel("stat", "Dépôts suivis", [target(f'count(vigie_repo_up{D})', instant=True)], 0, 0, 4, 4, "Dépôts de la configuration pour les défis choisis."),
 panel("stat", "Score moyen", [target(f'avg(vigie_repo_score{D})', instant=True)], 4, 0, 4, 4, "Moyenne des scores globaux (0 à 100).", thresholds=SCORE_T, minv=0, maxv=100, decimals=0),
 panel("stat", "Sous le seuil", [target(f'count(vigie_repo_score{D} < $threshold) or vector(0)', instant=True)], 8, 0, 4, 4, "Dépôts dont le score est sous le seuil choisi.", thresholds=[(None, "green"), (1, "orange")]),
 panel("stat", "Dormants", [target(f'count((time() - vigie_repo_last_commit_timestamp_seconds{D}) / 86400 > $dormant_days) or vector(0)', instant=True)], 12, 0, 4, 4, "Dépôts sans commit depuis plus de $dormant_days jours.", thresholds=[(None, "green"), (1, "orange")]),
 panel("gauge", "Couverture des licences", [target(f'100 * count(vigie_repo_check_score{{check="license",defi=~"$defi"}} >= 5) / count(vigie_repo_check_score{{check="license",defi=~"$defi"}})', instant=True)], 16, 0, 4, 4, "Part des dépôts dont la licence est identifiée (score licence d'au moins 5).", unit="percent", minv=0, maxv=100, thresholds=[(None, "red"), (60, "yellow"), (90, "green")]),
 panel("stat", "Injoignables", [target(f'count(vigie_repo_up{D} == 0) or vector(0)', instant=True)], 20, 0, 4, 4, "Dépôts dont la dernière analyse a échoué (supprimés, privés ou forge en panne).", thresholds=[(None, "green"), (1, "red")]),
 panel("bargauge", "Répartition des scores", [
     target(f'count(vigie_repo_score{D} < 25) or vector(0)', "0 à 24", instant=True),
     target(f'count(vigie_repo_score{D} >= 25 < 50) or vector(0)', "25 à 49", instant=True),
     target(f'count(vigie_repo_score{D} >= 50 < 75) or vector(0)', "50 à 74", instant=True),
     target(f'count(vigie_repo_score{D} >= 75) or vector(0)', "75 à 100", instant=True)],
     0, 4, 8, 8, "Nombre de dépôts par tranche de score.", options={"orientation": "horizontal", "displayMode": "basic", "showUnfilled": True}),
 panel("bargauge", "Score moyen par défi", [target(f'sort_desc(avg by (defi) (vigie_repo_score{D}))', "{{defi}}", instant=True)], 8, 4, 8, 8, "Moyenne des scores des dépôts de chaque défi.", thresholds=SCORE_T, minv=0, maxv=100, decimals=0, options={"orientation": "horizontal", "displayMode": "gradient"}),
 panel("timeseries", "Score moyen par défi dans le temps", [target(f'avg by (defi) (vigie_repo_score{D})', "{{defi}}")], 16, 4, 8, 8, "Évolution de la moyenne par défi.", minv=0, maxv=100),
 panel("table", "Dépôts sous le seuil", [target(f'sort(vigie_repo_score{D} < $threshold)', instant=True, fmt="table")], 0, 12, 12, 8, "Score global sous $threshold, du plus bas au plus haut.", transformations=tablefmt(), thresholds=SCORE_T),
 panel("table", "Dépôts dormants (jours sans commit)", [target(f'sort_desc(floor((time() - vigie_repo_last_commit_timestamp_seconds{D}) / 86400) > $dormant_days)', instant=True, fmt="table")], 12, 12, 12, 8, "Jours depuis le dernier commit de la branche par défaut, au-delà de $dormant_days.", transformations=tablefmt()),
 panel("table", "Intégration continue absente ou en échec", [target(f'sort(vigie_repo_check_score{{check="ci",defi=~"$defi"}} < 5)', instant=True, fmt="table")], 0, 20, 12, 8, "Score CI sous 5 : pas d'intégration continue configurée, ou dernière exécution en échec.", transformations=tablefmt(), thresholds=CHECK_T),
 panel("table", "Dépôts injoignables", [target(f'vigie_repo_up{D} == 0', instant=True, fmt="table")], 12, 20, 12, 8, "La dernière analyse a échoué ; les scores affichés ailleurs sont ceux de la dernière analyse réussie.", transformations=tablefmt()),
 panel("stat", "Degré d'ouverture moyen", [target(f'avg(vigie_repo_openness_degree{D})', instant=True)], 0, 28, 4, 8, "Moyenne des degrés d'ouverture du guide EIG (-1 : non publié ou sans licence autorisée, 8 : documentation maintenue).", decimals=1, minv=-1, maxv=8, thresholds=[(None, "red"), (2, "yellow"), (5, "green")]),
 panel("bargauge", "Répartition des degrés d'ouverture", [target(f'sort(count_values("degree", vigie_repo_openness_degree{D}))', "degré {{degree}}", instant=True)], 4, 28, 6, 8, "Nombre de dépôts à chaque degré du guide EIG.", options={"orientation": "horizontal", "displayMode": "basic", "showUnfilled": True}),
 panel("bargauge", "Liste de publication remplie, par défi", [target(f'sort_desc(100 * sum by (defi) (vigie_repo_checklist_met{D}) / sum by (defi) (vigie_repo_checklist_applicable{D}))', "{{defi}}", instant=True)], 10, 28, 7, 8, "Part des éléments applicables de la liste de publication (guide EIG, politique de l'État, code.gouv.fr, publiccode.yml) que les dépôts du défi remplissent.", unit="percent", minv=0, maxv=100, thresholds=[(None, "red"), (40, "yellow"), (70, "green")], options={"orientation": "horizontal", "displayMode": "gradient"}),
 panel("table", "Score code.gouv.fr", [target(f'sort_desc(vigie_repo_codegouv_score{D})', instant=True, fmt="table")], 17, 28, 7, 8, "Score du catalogue code.gouv.fr, calculé avec sa table publiée.", transformations=tablefmt()),
 panel("stat", "Après le défi : en sommeil depuis la fin", [target(f'count(vigie_repo_commits_since_end{D} == 0) or vector(0)', instant=True)], 0, 36, 6, 8, "Dépôts des défis terminés sans aucun commit depuis la fin du défi.", thresholds=[(None, "green"), (1, "orange")]),
 panel("stat", "Après le défi : repris", [target(f'count(vigie_repo_authors_outside_team_90d{D} > 0) or vector(0)', instant=True)], 6, 36, 6, 8, "Dépôts des défis terminés où des auteurs hors de l'équipe du défi ont commité ces 90 derniers jours.", thresholds=[(None, "orange"), (1, "green")]),
 panel("table", "Après le défi : commits depuis la fin", [target(f'sort_desc(vigie_repo_commits_since_end{D})', instant=True, fmt="table")], 12, 36, 12, 8, "Commits de la branche par défaut depuis la fin du défi, par dépôt (défis terminés seulement).", transformations=tablefmt()),
]
overview = dash("vigie-programme", "vigie — vue du programme", "Santé des dépôts de tous les défis : scores, licences, intégration continue, activité.", ov,
  [qvar("defi", "Défi", "label_values(vigie_repo_score, defi)", True, True),
   custom("threshold", "Seuil", ["40", "50", "60", "70", "80"], "50"),
   custom("dormant_days", "Dormant après (jours)", ["60", "90", "180"], "90")], ["vigie"])
# --- repo drill-down
pid[0] = 0
R = '{repo="$repo"}'
rp = [
 panel("stat", "Score", [target(f'vigie_repo_score{R}', instant=True)], 0, 0, 6, 5, "Score global (0 à 100) de la dernière analyse réussie.", thresholds=SCORE_T, minv=0, maxv=100),
 panel("stat", "Dernière analyse", [target(f'vigie_repo_up{R}', instant=True)], 6, 0, 6, 5, "Réussie (1) ou en échec (0).", options={"colorMode": "background"}, thresholds=[(None, "red"), (1, "green")]),
 panel("stat", "Jours depuis le dernier commit", [target(f'(time() - vigie_repo_last_commit_timestamp_seconds{R}) / 86400', instant=True)], 12, 0, 6, 5, "Sur la branche par défaut.", decimals=0, thresholds=[(None, "green"), (90, "orange")]),
 panel("bargauge", "Critères", [target(f'vigie_repo_check_score{R}', "{{check}}", instant=True)], 18, 0, 6, 5, "Score de chaque critère (0 à 10).", minv=0, maxv=10, thresholds=CHECK_T, options={"orientation": "horizontal", "displayMode": "basic"}),
 panel("timeseries", "Score dans le temps", [target(f'vigie_repo_score{R}', "score")], 0, 5, 12, 9, "", minv=0, maxv=100),
 panel("timeseries", "Critères dans le temps", [target(f'vigie_repo_check_score{R}', "{{check}}")], 12, 5, 12, 9, "", minv=0, maxv=10),
 panel("stat", "Degré d'ouverture (guide EIG)", [target(f'vigie_repo_openness_degree{R}', instant=True)], 0, 14, 8, 5, "De -1 (non publié ou sans licence autorisée) à 8 (documentation maintenue).", minv=-1, maxv=8, thresholds=[(None, "red"), (2, "yellow"), (5, "green")]),
 panel("stat", "Liste de publication", [target(f'vigie_repo_checklist_met{R}', "remplis", instant=True), target(f'vigie_repo_checklist_applicable{R}', "applicables", instant=True)], 8, 14, 8, 5, "Éléments remplis et éléments applicables."),
 panel("stat", "Score code.gouv.fr", [target(f'vigie_repo_codegouv_score{R}', instant=True)], 16, 14, 8, 5, "Calculé avec la table publiée du catalogue."),
 panel("stat", "Après le défi", [target(f'vigie_repo_commits_since_end{R}', "commits depuis la fin", instant=True), target(f'vigie_repo_authors_since_end{R}', "auteurs depuis la fin", instant=True), target(f'vigie_repo_authors_outside_team_90d{R}', "auteurs hors équipe (90 jours)", instant=True)], 0, 19, 24, 5, "Défis terminés seulement : le code vit-il après le départ des entrepreneurs ? Vide quand le défi n'a pas de date de fin."),
]
repo = dash("vigie-repo", "vigie — un dépôt", "Détail d'un dépôt : score, critères, activité.", rp,
  [qvar("repo", "Dépôt", "label_values(vigie_repo_score, repo)")], ["vigie"])
# --- crawl health
pid[0] = 0
cp = [
 panel("stat", "Dernière collecte réussie", [target('time() - vigie_crawl_last_success_timestamp_seconds', instant=True)], 0, 0, 6, 5, "Temps écoulé depuis la dernière collecte enregistrée.", unit="s", thresholds=[(None, "green"), (43200, "orange"), (86400, "red")]),
 panel("stat", "Dépôts injoignables", [target('count(vigie_repo_up == 0) or vector(0)', instant=True)], 6, 0, 6, 5, "", thresholds=[(None, "green"), (1, "red")]),
 panel("stat", "Collectes sur 24 h", [target('increase(vigie_crawl_duration_seconds_count[1d])', instant=True)], 12, 0, 6, 5, "", decimals=0),
 panel("stat", "Durée moyenne d'une collecte (24 h)", [target('increase(vigie_crawl_duration_seconds_sum[1d]) / increase(vigie_crawl_duration_seconds_count[1d])', instant=True)], 18, 0, 6, 5, "", unit="s"),
 panel("timeseries", "Durée des collectes (quantiles sur 1 jour)", [
     target('histogram_quantile(0.5, sum by (le) (increase(vigie_crawl_duration_seconds_bucket[1d])))', "médiane"),
     target('histogram_quantile(0.9, sum by (le) (increase(vigie_crawl_duration_seconds_bucket[1d])))', "90e centile")], 0, 5, 12, 8, "", unit="s"),
 panel("timeseries", "Requêtes aux forges par code", [target('sum by (forge, code) (rate(vigie_forge_requests_total[$__rate_interval]))', "{{forge}} {{code}}")], 12, 5, 12, 8, "Réponses par seconde, par forge et code HTTP (error : pas de réponse).", unit="reqps"),
 panel("timeseries", "Erreurs des forges (par heure)", [target('sum by (forge, code) (increase(vigie_forge_requests_total{code!~"2..|304"}[1h]))', "{{forge}} {{code}}")], 0, 13, 12, 8, "Réponses hors 2xx et 304 : 403/429 (quota), 404 (dépôt disparu), 5xx (forge en panne), error (réseau)."),
 panel("timeseries", "Quota restant", [target('min by (forge) (vigie_forge_rate_limit_remaining)', "{{forge}}")], 12, 13, 12, 8, "Requêtes restantes dans la fenêtre de quota annoncée par chaque forge.", thresholds=[(None, "red"), (100, "orange"), (500, "green")]),
 panel("timeseries", "Mémoire de vigie", [target('process_resident_memory_bytes{job="vigie"}', "{{instance}}")], 0, 21, 12, 7, "Mémoire résidente du processus.", unit="bytes"),
 panel("timeseries", "Goroutines de vigie", [target('go_goroutines{job="vigie"}', "{{instance}}")], 12, 21, 12, 7, "Une croissance continue signale une fuite."),
]
crawl = dash("vigie-crawl", "vigie — santé des collectes", "Durée des collectes, erreurs et quotas des forges.", cp, [], ["vigie"], refresh="1m", time_from="now-7d")
for name, d in [("programme", overview), ("repo", repo), ("crawl", crawl)]:
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "dashboards", f"vigie-{name}.json"), "w") as f:
        json.dump(d, f, indent=2, ensure_ascii=False); f.write("\n")
