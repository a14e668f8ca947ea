package serve_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/eiglink/vigie/checks"
)

// Right after the demo's crawl, every view of every repository tells the
// same truth: the dashboard, its page, /api/repos and /api/repos/ID,
// /metrics, the badge, /check and /api/check run now, and this week's
// report — same score, same check scores, same facts. And the demo tells
// its stories: a licence lost this week, a CI broken this week.
func TestDemoViewsAgree(t *testing.T) {
	base := startDemo(t)
	_, body := get(t, base+"/api/repos")
	var rs []checks.Result
	if err := json.Unmarshal([]byte(body), &rs); err != nil {
		t.Fatal(err)
	}
	if len(rs) < 7 {
		t.Fatalf("%d repositories", len(rs))
	}
	_, dashboard := get(t, base+"/")
	_, metrics := get(t, base+"/metrics")
	_, archive := get(t, base+"/reports/")
	weeks := regexp.MustCompile(`/reports/(\d{4}-W\d{2})\.html`).FindAllStringSubmatch(archive, -1)
	if len(weeks) == 0 {
		t.Fatal("no report in the archive")
	}
	newest := weeks[0][1]
	for _, w := range weeks {
		newest = max(newest, w[1])
	}
	_, reportJSON := get(t, base+"/reports/"+newest+".json")
	var rep struct {
		Repos []struct {
			Repo   string          `json:"repo"`
			Score  *int            `json:"score"`
			Checks map[string]*int `json:"checks"`
		} `json:"repos"`
		Changes []struct{ Repo, Kind string } `json:"changes"`
	}
	if err := json.Unmarshal([]byte(reportJSON), &rep); err != nil {
		t.Fatal(err)
	}
	inReport := map[string]int{}
	for i, r := range rep.Repos {
		inReport[r.Repo] = i
	}

	for _, r := range rs {
		t.Run(r.Repo, func(t *testing.T) {
			// /api/repos/ID
			_, one := get(t, base+"/api/repos/"+r.Repo)
			var single checks.Result
			if err := json.Unmarshal([]byte(one), &single); err != nil {
				t.Fatal(err)
			}
			sameResult(t, "/api/repos/ID", r, single)
			// /api/check: the same repository checked now.
			_, now := get(t, base+"/api/check?url="+url.QueryEscape(r.URL))
			var checked checks.Result
			if err := json.Unmarshal([]byte(now), &checked); err != nil {
				t.Fatalf("/api/check: %v\n%s", err, now)
			}
			sameResult(t, "/api/check", r, checked)
			for _, k := range []struct{ check, key string }{{"license", "spdx_id"}, {"activity", "last_commit_at"}, {"ci", "status"}, {"readme", "file"}} {
				if r.Error != "" {
					break
				}
				a, b := r.Check(k.check).Details[k.key], checked.Check(k.check).Details[k.key]
				if fmt.Sprint(a) != fmt.Sprint(b) {
					t.Errorf("%s.%s: stored %v, checked now %v", k.check, k.key, a, b)
				}
			}
			// The pages: the repository's, /check's, the dashboard's row.
			_, page := get(t, base+"/repos/"+r.Repo)
			_, checkPage := get(t, base+"/check?url="+url.QueryEscape(r.URL))
			row := dashboardRow(t, dashboard, r.Repo)
			_, badge := get(t, base+"/badge/"+r.Repo+".svg")
			if r.Error != "" {
				if r.Score != nil || !strings.Contains(page, "n'a pas pu lire") || strings.Contains(badge, "/100") {
					t.Errorf("a repository in error shows a score")
				}
				if !strings.Contains(metrics, fmt.Sprintf(`vigie_repo_up{defi=%q,forge=%q,repo=%q} 0`, r.Defi, r.Forge, r.Repo)) {
					t.Error("/metrics does not say it is down")
				}
				return
			}
			score := fmt.Sprintf(`%d<span class="unit">/100`, *r.Score)
			for name, body := range map[string]string{"page": page, "/check": checkPage, "dashboard": row} {
				if !strings.Contains(body, score) {
					t.Errorf("%s does not show the score %d", name, *r.Score)
				}
			}
			if !strings.Contains(badge, fmt.Sprintf("%d/100", *r.Score)) {
				t.Errorf("the badge does not say %d/100", *r.Score)
			}
			if !strings.Contains(metrics, fmt.Sprintf(`vigie_repo_score{defi=%q,forge=%q,repo=%q} %d`, r.Defi, r.Forge, r.Repo, *r.Score)) {
				t.Errorf("/metrics does not say %d", *r.Score)
			}
			spdx, _ := r.Check("license").Details["spdx_id"].(string)
			if spdx == "NOASSERTION" {
				// A licence file no licence's text matches: said in
				// words, as coaches read it, with the forge's term.
				spdx = "texte non reconnu (NOASSERTION)"
			}
			if spdx != "" && !strings.Contains(page, spdx) {
				t.Errorf("the page does not name the licence %s", spdx)
			}
			i, ok := inReport[r.Repo]
			if !ok || rep.Repos[i].Score == nil || *rep.Repos[i].Score != *r.Score {
				t.Errorf("this week's report does not say %d", *r.Score)
			}
			for _, c := range r.Checks {
				series := fmt.Sprintf(`vigie_repo_check_score{check=%q,defi=%q,forge=%q,repo=%q} `, c.Name, r.Defi, r.Forge, r.Repo)
				if !c.Applies() {
					if strings.Contains(metrics, series) {
						t.Errorf("/metrics has a series for %s, which does not apply", c.Name)
					}
					if ok && rep.Repos[i].Checks[c.Name] != nil {
						t.Errorf("the report gives %s a mark", c.Name)
					}
					continue
				}
				if !strings.Contains(metrics, fmt.Sprintf("%s%d\n", series, c.Score)) {
					t.Errorf("/metrics does not give %s %d", c.Name, c.Score)
				}
				mark := fmt.Sprintf(">%d/10<", c.Score)
				if !strings.Contains(page, mark) || !strings.Contains(checkPage, mark) {
					t.Errorf("the page or /check does not give %s %d/10", c.Name, c.Score)
				}
				if !strings.Contains(row, fmt.Sprintf(`>%d<span class="unit">/10</span>`, c.Score)) {
					t.Errorf("the dashboard does not give %s %d", c.Name, c.Score)
				}
				if ok && (rep.Repos[i].Checks[c.Name] == nil || *rep.Repos[i].Checks[c.Name] != c.Score) {
					t.Errorf("the report gives %s %v, want %d", c.Name, rep.Repos[i].Checks[c.Name], c.Score)
				}
			}
		})
	}
	// A finished project: ancien-pilote is archived. Its ci and activity
	// do not apply, its score is over licence and README, it is shown
	// apart and is no priority.
	const archived = "github.com/eig-demo/ancien-pilote"
	for _, r := range rs {
		if r.Repo != archived {
			continue
		}
		lic, rd := r.Mark("license"), r.Mark("readme")
		if r.Mark("ci") != nil || r.Mark("activity") != nil || lic == nil || rd == nil || r.Score == nil || *r.Score != (*lic+*rd)*5 {
			t.Errorf("archived %s: score %v over licence %v and README %v, ci %v, activity %v", r.Repo, deref(r.Score), deref(lic), deref(rd), deref(r.Mark("ci")), deref(r.Mark("activity")))
		}
	}
	if g, row := strings.Index(dashboard, `<h2 id="defi-archives">Archivés`), strings.Index(dashboard, `href="/repos/`+archived+`"`); g < 0 || row < g {
		t.Errorf("the dashboard does not show %s under « Archivés » (%d, %d)", archived, g, row)
	}
	_, page := get(t, base+"/repos/"+archived)
	if strings.Count(page, "(sans objet)") != 2 {
		t.Errorf("the archived repository's page does not say ci and activity do not apply")
	}
	_, html := get(t, base+"/reports/"+newest+".html")
	if g, row := strings.Index(html, ">Archivés</h2>"), strings.LastIndex(html, `href="https://`+archived+`"`); g < 0 || row < g {
		t.Errorf("this week's report does not show %s under « Archivés »", archived)
	}
	var attention struct {
		Attention []struct{ Repo string } `json:"attention"`
	}
	_ = json.Unmarshal([]byte(reportJSON), &attention)
	for _, a := range attention.Attention {
		if a.Repo == archived {
			t.Errorf("%s is among the priorities", archived)
		}
	}

	// The stories the demo was written for.
	kinds := map[string]bool{}
	for _, c := range rep.Changes {
		kinds[c.Repo+" "+c.Kind] = true
	}
	for _, want := range []string{"github.com/eig-demo/prototype-alerte license_removed", "github.com/eig-demo/la-bonne-piste ci_broke"} {
		if !kinds[want] {
			t.Errorf("this week's report lacks %q: %v", want, rep.Changes)
		}
	}
}

// sameResult compares what two views of one repository say: score, error
// or not, and each check's score (null where it does not apply).
func sameResult(t *testing.T, where string, want, got checks.Result) {
	t.Helper()
	if got.Repo != want.Repo || (got.Error == "") != (want.Error == "") || fmt.Sprint(deref(got.Score)) != fmt.Sprint(deref(want.Score)) {
		t.Errorf("%s: %s score %v error %q; /api/repos: %v %q", where, got.Repo, deref(got.Score), got.Error, deref(want.Score), want.Error)
		return
	}
	for _, c := range want.Checks {
		g := got.Check(c.Name)
		if g == nil || fmt.Sprint(deref(got.Mark(c.Name))) != fmt.Sprint(deref(want.Mark(c.Name))) {
			t.Errorf("%s: %s %v, /api/repos %v", where, c.Name, deref(got.Mark(c.Name)), deref(want.Mark(c.Name)))
		}
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// dashboardRow returns the dashboard's table row of a repository.
func dashboardRow(t *testing.T, dashboard, repo string) string {
	t.Helper()
	i := strings.Index(dashboard, `href="/repos/`+repo+`"`)
	if i < 0 {
		t.Fatalf("the dashboard does not list %s", repo)
	}
	row := dashboard[i:]
	if j := strings.Index(row, "</tr>"); j >= 0 {
		row = row[:j]
	}
	return row
}
