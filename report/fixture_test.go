package report_test

import (
	"context"
	"testing"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/sqlite/sqlitetest"
)

// The fixture: two défis, thirteen repositories, history from 2026-W41 to
// 2026-W49, one repository per change kind. The report under test is
// 2026-W48 (Monday 23 to Sunday 29 November 2026, Europe/Paris), generated
// on Monday 30 November 2026 at 08:00 Paris time.

var (
	paris   = mustLoc("Europe/Paris")
	now     = time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)
	w47     = time.Date(2026, 11, 18, 8, 0, 0, 0, time.UTC)
	w48     = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	w48Mon  = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	recent  = "2026-11-10T12:00:00Z"
	testCfg = &config.Config{
		Defis: []config.Defi{
			{Slug: "alpha", Name: "Défi Alpha", Contacts: []string{"alpha@example.org"}},
			{Slug: "beta", Name: "Défi <Bêta> & co", Contacts: []string{"beta1@example.org", "beta2@example.org"}},
		},
		Scoring:  config.Scoring{DormantDays: 90},
		Schedule: config.Schedule{Timezone: "Europe/Paris", Location: mustLoc("Europe/Paris")},
		Report:   config.Report{Language: "fr", Recipients: []string{"coachs@example.org"}},
	}
)

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// r describes one stored result.
type r struct {
	repo, defi string
	at         time.Time
	score      int
	spdx       string // license.spdx_id
	readme     int
	ci         string // ci.status
	lastCommit string // activity.last_commit_at
	archived   bool
	err        string
}

var remediations = map[string]string{
	"license":  "Ajoutez un fichier LICENSE avec une licence libre.",
	"readme":   "Écrivez un README qui dit à quoi sert le code.",
	"ci":       "Configurez une intégration continue qui passe.",
	"activity": "Reprenez les commits ou archivez le dépôt.",
}

func (x r) result() checks.Result {
	host := "github.com"
	if x.defi == "beta" {
		host = "gitlab.com"
	}
	res := checks.Result{
		Repo: host + "/" + x.repo, URL: "https://" + host + "/" + x.repo, Forge: "github",
		Defi: x.defi, CrawledAt: x.at,
	}
	if x.err != "" {
		res.Error = x.err
		return res
	}
	res.Score = &x.score
	lic := 10
	if x.spdx == "" {
		lic = 0
	}
	ci := map[string]int{"success": 10, "failure": 3, "none": 0}[x.ci]
	last, _ := time.Parse(time.RFC3339, x.lastCommit)
	act := 10
	if x.archived || x.at.Sub(last) > 90*24*time.Hour {
		act = 0
	}
	mk := func(name string, score int, details map[string]any) checks.Check {
		c := checks.Check{Name: name, Score: score, Reason: name + " reason", Details: details}
		if score < 10 {
			c.Remediation = remediations[name]
		}
		return c
	}
	ciDetails := map[string]any{"systems": []any{"github-actions"}, "status": x.ci}
	if x.ci == "failure" {
		ciDetails["run_url"] = res.URL + "/-/pipelines/7"
	}
	res.Checks = []checks.Check{
		mk("license", lic, map[string]any{"spdx_id": x.spdx, "file": "LICENSE"}),
		mk("readme", x.readme, map[string]any{"file": "README.md", "bytes": 1200}),
		mk("ci", ci, ciDetails),
		mk("activity", act, map[string]any{"archived": x.archived, "last_commit_at": x.lastCommit, "commits_90d": 4}),
	}
	return res
}

// ok is a healthy result with the given score.
func ok(repo, defi string, at time.Time, score int) r {
	return r{repo: repo, defi: defi, at: at, score: score, spdx: "MIT", readme: 10, ci: "success", lastCommit: recent}
}

func with(x r, f func(*r)) r { f(&x); return x }

func history() []r {
	var h []r
	// Trend: a/steady alone from W41 (no result at all in W42), a/gap in W45.
	for i, score := range map[int]int{41: 40, 43: 50, 44: 52, 45: 56, 46: 58} {
		h = append(h, ok("a/steady", "alpha", w48.AddDate(0, 0, 7*(i-48)), score))
	}
	h = append(h, ok("a/gap", "alpha", w48.AddDate(0, 0, -21), 45))

	// W47 and W48.
	two := func(repo, defi string, s47, s48 int, f47, f48 func(*r)) {
		h = append(h, with(ok(repo, defi, w47, s47), f47), with(ok(repo, defi, w48, s48), f48))
	}
	nop := func(*r) {}
	two("a/improver", "alpha", 50, 70, func(x *r) { x.ci = "none" }, func(x *r) { x.ci = "none" })
	h = append(h, with(ok("a/improver", "alpha", w48Mon, 60), func(x *r) { x.ci = "none" }))
	// Sunday 29 November 23:30 UTC is Monday 30 November in Paris: W49.
	h = append(h, ok("a/improver", "alpha", time.Date(2026, 11, 29, 23, 30, 0, 0, time.UTC), 99))
	two("a/regressor", "alpha", 80, 70, nop, nop)
	two("a/steady", "alpha", 60, 64, nop, nop)
	two("a/licensed", "alpha", 60, 62, func(x *r) { x.spdx = "" }, nop)
	two("a/archived", "alpha", 55, 50, nop, func(x *r) { x.archived = true })
	two("b/unlicensed", "beta", 70, 67, nop, func(x *r) { x.spdx = "" })
	two("b/cibroke", "beta", 75, 73, nop, func(x *r) { x.ci = "failure" })
	two("b/cifixed", "beta", 73, 75, func(x *r) { x.ci = "failure" }, nop)
	// 85 days before its W47 crawl, 92 before its W48 crawl.
	sleepy := func(x *r) { x.lastCommit = "2026-08-25T08:00:00Z" }
	two("b/sleepy", "beta", 65, 63, sleepy, sleepy)
	two("b/wakes", "beta", 40, 47, func(x *r) { x.lastCommit = "2026-05-01T00:00:00Z" }, func(x *r) { x.lastCommit = "2026-11-24T00:00:00Z" })
	two("b/down", "beta", 55, 0, nop, func(x *r) { x.err = `<script>alert("x")</script> the forge answered 503` })
	h = append(h, ok("a/gap", "alpha", w48, 58))
	// Sunday 22 November 23:30 UTC is Monday 23 November in Paris: W48.
	h = append(h, with(ok("a/newbie", "alpha", time.Date(2026, 11, 22, 23, 30, 0, 0, time.UTC), 30), func(x *r) { x.readme = 0; x.ci = "none" }))
	return h
}

// newStore returns a SQLite store holding the fixture's history.
func newStore(t testing.TB) store.Store {
	t.Helper()
	return fill(t, sqlitetest.SQLite(t, ""))
}

func fill(t testing.TB, st store.Store) store.Store {
	t.Helper()
	var snaps []store.Snapshot
	for _, x := range history() {
		snaps = append(snaps, store.Snapshot{Result: x.result()})
	}
	if err := st.SaveCrawl(context.Background(), snaps); err != nil {
		t.Fatal(err)
	}
	return st
}
