package report_test

import (
	"context"
	"strings"
	"testing"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/report"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/memstore"
)

// TestReportProfile: the report shows the programme's profile: each
// repository's degree beside its score, the programme's degrees, the
// checklist items most often missing, openness changes as degrees, and the
// ended défis' repositories by what became of them.
func TestReportProfile(t *testing.T) {
	share := 0.5
	type prof struct {
		w47, w48 int
		missing  []string
		cont     *checks.Continuity
	}
	profiles := map[string]prof{
		"a/up":      {2, 4, []string{"topics", "changelog"}, &checks.Continuity{DefiEnded: "2019-11-30", CommitsSinceEnd: 40, AuthorsSinceEnd: 3, AuthorsOutsideTeam90d: 2, TopAuthorShare90d: &share}},
		"a/same":    {4, 4, []string{"topics"}, &checks.Continuity{DefiEnded: "2019-11-30", CommitsSinceEnd: 12, AuthorsSinceEnd: 1, TopAuthorShare90d: &share}},
		"a/sleeper": {0, 0, []string{"topics", "changelog", "readme_contact"}, &checks.Continuity{DefiEnded: "2019-11-30"}},
	}
	var snaps []store.Snapshot
	for repo, p := range profiles {
		for i, at := range []int{p.w47, p.w48} {
			when := w47
			if i == 1 {
				when = w48
			}
			res := ok(repo, "alpha", when, 70).result()
			res.Openness = &checks.Openness{Degree: at}
			for _, id := range checks.ChecklistIDs {
				met := true
				for _, m := range p.missing {
					met = met && m != id
				}
				res.Checklist = append(res.Checklist, checks.ChecklistItem{ID: id, Met: met, Applicable: true})
			}
			res.Continuity = p.cont
			snaps = append(snaps, store.Snapshot{Result: res})
		}
	}
	st := memstore.New()
	if err := st.SaveCrawl(context.Background(), snaps); err != nil {
		t.Fatal(err)
	}
	d, err := report.Build(context.Background(), st, report.ISOWeek{Year: 2026, Week: 48}, now, report.OptionsFrom(testCfg))
	if err != nil {
		t.Fatal(err)
	}
	if got := jsonOf(t, d.Summary.MostMissing); got != `[{"id":"topics","count":3},{"id":"changelog","count":2},{"id":"readme_contact","count":1}]` {
		t.Errorf("most missing: %s", got)
	}
	if d.Summary.Profiled != 3 || d.Summary.Degrees[0+1].Count != 1 || d.Summary.Degrees[4+1].Count != 2 {
		t.Errorf("degrees: %d %s", d.Summary.Profiled, jsonOf(t, d.Summary.Degrees))
	}
	h, txt := render(t, d, "")
	for _, want := range []string{
		"Degrés d&#39;ouverture", "Échelle du guide EIG, de -1 à 8, sur 3 dépôts.",
		"Règles de publication les plus souvent manquées", "Sujets (topics) du programme", "3/3 dépôts",
		"Plus ouvert", "Degré\u00a0: 2 → 4",
		"Après le défi", "Toujours vivants", "Passés à d&#39;autres mains", "En sommeil depuis la fin",
		"fin le 30 novembre 2019 · 40 commits et 3 auteurs depuis · 2 auteurs hors équipe sur 90 jours",
	} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, want := range []string{
		"Degrés d'ouverture\u00a0: -1\u00a0: 0 · 0\u00a0: 1",
		"Règles de publication les plus souvent manquées\u00a0: Sujets (topics) du programme (3/3 dépôts) · Journal des modifications (2/3 dépôts)",
		"- github.com/a/up\u00a0: Plus ouvert, Degré 2 → 4",
		"- github.com/a/up\u00a0: 70 (0) · Degré 4 ·",
		"Passés à d'autres mains (1)\n- github.com/a/up — fin le 30 novembre 2019",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("text:\n%s", txt)
	}
}
