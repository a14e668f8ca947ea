package report_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/report"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/memstore"
)

func build(t *testing.T) *report.Data {
	t.Helper()
	d, err := report.Build(context.Background(), newStore(t), report.ISOWeek{Year: 2026, Week: 48}, now, report.OptionsFrom(testCfg))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestBuildChanges(t *testing.T) {
	d := build(t)
	want := `[` +
		`{"repo":"github.com/a/archived","kind":"regression","from":55,"to":50},` +
		`{"repo":"github.com/a/archived","kind":"archived","check":"activity","from":10,"to":0},` +
		`{"repo":"github.com/a/improver","kind":"improvement","from":50,"to":70},` +
		`{"repo":"github.com/a/licensed","kind":"license_added","check":"license","from":0,"to":10},` +
		`{"repo":"github.com/a/newbie","kind":"new","to":30},` +
		`{"repo":"github.com/a/regressor","kind":"regression","from":80,"to":70},` +
		`{"repo":"gitlab.com/b/cibroke","kind":"ci_broke","check":"ci","from":10,"to":3},` +
		`{"repo":"gitlab.com/b/cifixed","kind":"ci_fixed","check":"ci","from":3,"to":10},` +
		`{"repo":"gitlab.com/b/down","kind":"unreachable","from":55},` +
		`{"repo":"gitlab.com/b/sleepy","kind":"went_dormant","check":"activity","from":10,"to":0},` +
		`{"repo":"gitlab.com/b/unlicensed","kind":"license_removed","check":"license","from":10,"to":0},` +
		`{"repo":"gitlab.com/b/wakes","kind":"improvement","from":40,"to":47},` +
		`{"repo":"gitlab.com/b/wakes","kind":"came_back","check":"activity","from":0,"to":10}` +
		`]`
	if got := jsonOf(t, d.Changes); got != want {
		t.Errorf("changes:\n got %s\nwant %s", got, want)
	}
}

func TestBuildRepos(t *testing.T) {
	d := build(t)
	if d.Week != "2026-W48" || d.Language != "fr" || !d.GeneratedAt.Equal(now) {
		t.Errorf("header: %s %s %s", d.Week, d.Language, d.GeneratedAt)
	}
	var ids []string
	byRepo := map[string]report.Repo{}
	for _, r := range d.Repos {
		ids = append(ids, r.Repo)
		byRepo[r.Repo] = r
	}
	wantIDs := "github.com/a/archived github.com/a/gap github.com/a/improver github.com/a/licensed github.com/a/newbie github.com/a/regressor github.com/a/steady gitlab.com/b/cibroke gitlab.com/b/cifixed gitlab.com/b/down gitlab.com/b/sleepy gitlab.com/b/unlicensed gitlab.com/b/wakes"
	if got := strings.Join(ids, " "); got != wantIDs {
		t.Fatalf("repos:\n got %s\nwant %s", got, wantIDs)
	}
	for repo, want := range map[string]string{
		// Newest of the week (70, not Monday's 60 nor Paris-Monday-30's 99).
		"github.com/a/improver": `{"repo":"github.com/a/improver","defi":"alpha","score":70,"previous_score":50,"delta":20,"checks":{"license":10,"readme":10,"ci":0,"activity":10},"archived":false,"crawled_at":"2026-11-25T08:00:00Z","url":"https://github.com/a/improver","openness":null}`,
		// Nothing in W47: previous and delta null, and not new (W45).
		"github.com/a/gap":    `{"repo":"github.com/a/gap","defi":"alpha","score":58,"previous_score":null,"delta":null,"checks":{"license":10,"readme":10,"ci":10,"activity":10},"archived":false,"crawled_at":"2026-11-25T08:00:00Z","url":"https://github.com/a/gap","openness":null}`,
		"github.com/a/newbie": `{"repo":"github.com/a/newbie","defi":"alpha","score":30,"previous_score":null,"delta":null,"checks":{"license":10,"readme":0,"ci":0,"activity":10},"archived":false,"crawled_at":"2026-11-22T23:30:00Z","url":"https://github.com/a/newbie","openness":null}`,
		"gitlab.com/b/down":   `{"repo":"gitlab.com/b/down","defi":"beta","score":null,"previous_score":55,"delta":null,"checks":{"license":null,"readme":null,"ci":null,"activity":null},"archived":false,"error":"\u003cscript\u003ealert(\"x\")\u003c/script\u003e the forge answered 503","crawled_at":"2026-11-25T08:00:00Z","url":"https://gitlab.com/b/down","openness":null}`,
		"gitlab.com/b/sleepy": `{"repo":"gitlab.com/b/sleepy","defi":"beta","score":63,"previous_score":65,"delta":-2,"checks":{"license":10,"readme":10,"ci":10,"activity":0},"archived":false,"crawled_at":"2026-11-25T08:00:00Z","url":"https://gitlab.com/b/sleepy","openness":null}`,
	} {
		if got := jsonOf(t, byRepo[repo]); got != want {
			t.Errorf("%s:\n got %s\nwant %s", repo, got, want)
		}
	}
}

func TestBuildSummary(t *testing.T) {
	d := build(t)
	// 11 scored, a/archived (50) apart as a finished project:
	// 70+70+64+62+67+73+75+63+47+30+58 = 679 → 61.73; W47 (a/archived not
	// archived yet): 11 scored summing 683 → 62.09.
	want := `{"repos":13,"scored":11,"unreachable":1,"finished":1,"average":61.7,"previous_average":62.1,` +
		`"distribution":[{"min":0,"max":19,"count":0},{"min":20,"max":39,"count":1},{"min":40,"max":59,"count":2},{"min":60,"max":79,"count":8},{"min":80,"max":100,"count":0}],` +
		`"coverage":{"license":10,"readme":10,"ci":8,"activity":10},"profiled":0,` +
		`"degrees":[{"degree":-1,"count":0},{"degree":0,"count":0},{"degree":1,"count":0},{"degree":2,"count":0},{"degree":3,"count":0},{"degree":4,"count":0},{"degree":5,"count":0},{"degree":6,"count":0},{"degree":7,"count":0},{"degree":8,"count":0}],"most_missing":[]}`
	if got := jsonOf(t, d.Summary); got != want {
		t.Errorf("summary:\n got %s\nwant %s", got, want)
	}
	// W42 has no result at all; W45 is a/steady 56 and a/gap 45.
	wantTrend := `[{"week":"2026-W41","average":40,"repos":1},{"week":"2026-W42","average":null,"repos":0},` +
		`{"week":"2026-W43","average":50,"repos":1},{"week":"2026-W44","average":52,"repos":1},` +
		`{"week":"2026-W45","average":50.5,"repos":2},{"week":"2026-W46","average":58,"repos":1},` +
		`{"week":"2026-W47","average":62.1,"repos":11},{"week":"2026-W48","average":61.7,"repos":11}]`
	if got := jsonOf(t, d.Trend); got != wantTrend {
		t.Errorf("trend:\n got %s\nwant %s", got, wantTrend)
	}
	if len(d.Defis) != 2 || d.Defis[0].Slug != "alpha" || d.Defis[1].Name != "Défi <Bêta> & co" {
		t.Fatalf("défis: %+v", d.Defis)
	}
	// alpha, a/archived apart: 70+70+64+62+30+58 = 354 / 6 = 59; W47:
	// 50+80+60+60+55 = 305 / 5.
	a := d.Defis[0].Summary
	if *a.Average != 59 || *a.PreviousAverage != 61 || a.Repos != 7 || a.Scored != 6 || a.Finished != 1 || a.Unreachable != 0 {
		t.Errorf("alpha summary: %s", jsonOf(t, a))
	}
	// beta: 67+73+75+63+47 = 325 / 5; b/down unreachable.
	b := d.Defis[1].Summary
	if *b.Average != 65 || b.Repos != 6 || b.Scored != 5 || b.Unreachable != 1 {
		t.Errorf("beta summary: %s", jsonOf(t, b))
	}
	if got := jsonOf(t, d.Defis[0].Trend[3:5]); got != `[{"week":"2026-W44","average":52,"repos":1},{"week":"2026-W45","average":50.5,"repos":2}]` {
		t.Errorf("alpha trend: %s", got)
	}
	if d.Period != (report.Period{From: "2026-11-23", To: "2026-11-29", Timezone: "Europe/Paris"}) {
		t.Errorf("period: %+v", d.Period)
	}
}

func TestBuildAttention(t *testing.T) {
	d := build(t)
	var got []string
	for _, a := range d.Attention {
		got = append(got, a.Repo+":"+strings.Join(a.Reasons, "+")+":"+a.Check)
	}
	want := []string{
		"gitlab.com/b/down:unreachable:",
		"github.com/a/newbie:low_score:readme",
		"gitlab.com/b/wakes:low_score:",
		"gitlab.com/b/sleepy:went_dormant:activity",
		"gitlab.com/b/unlicensed:license_removed:license",
		"github.com/a/regressor:regression:",
		"gitlab.com/b/cibroke:ci_broke:ci",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("attention:\n got %q\nwant %q", got, want)
	}
	if d.Attention[1].Remediation != remediations["readme"] {
		t.Errorf("newbie remediation: %q", d.Attention[1].Remediation)
	}
	if !strings.Contains(d.Attention[0].Remediation, "503") {
		t.Errorf("down remediation: %q", d.Attention[0].Remediation)
	}
}

func TestForDefi(t *testing.T) {
	d := build(t)
	p := d.ForDefi("beta")
	if p == nil || p.Scope != "beta" || len(p.Repos) != 6 || len(p.Changes) != 7 || len(p.Defis) != 1 {
		t.Fatalf("beta part: %s", jsonOf(t, p))
	}
	for _, r := range p.Repos {
		if r.Defi != "beta" {
			t.Errorf("beta part holds %s", r.Repo)
		}
	}
	if *p.Summary.Average != 65 {
		t.Errorf("beta part average %v", *p.Summary.Average)
	}
	if d.ForDefi("nope") != nil {
		t.Error("unknown défi has a part")
	}
	if len(d.Repos) != 13 {
		t.Error("ForDefi changed the whole report")
	}
}

func TestBuildErrors(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	o := report.OptionsFrom(testCfg)
	_, err := report.Build(ctx, st, report.ISOWeek{Year: 2026, Week: 40}, now, o)
	if !errors.Is(err, report.ErrNoData) || !strings.Contains(err.Error(), "2026-W40") {
		t.Errorf("empty week: %v", err)
	}
	_, err = report.Build(ctx, st, report.ISOWeek{Year: 2026, Week: 50}, now, o)
	if !errors.Is(err, report.ErrFutureWeek) {
		t.Errorf("future week: %v", err)
	}
	// The current week (W49) has begun: it is reported so far.
	d, err := report.Build(ctx, st, report.ISOWeek{Year: 2026, Week: 49}, now, o)
	if err != nil || len(d.Repos) != 1 || *d.Repos[0].Score != 99 {
		t.Errorf("current week: %v %+v", err, d)
	}
	_, err = report.Build(ctx, memstore.New(), report.ISOWeek{Year: 2026, Week: 48}, now, o)
	if !errors.Is(err, report.ErrNoData) {
		t.Errorf("empty store: %v", err)
	}
}

func TestDormantDaysOption(t *testing.T) {
	o := report.OptionsFrom(testCfg)
	o.DormantDays = 80 // b/sleepy was already dormant in W47 (85 days)
	d, err := report.Build(context.Background(), newStore(t), report.ISOWeek{Year: 2026, Week: 48}, now, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range d.Changes {
		if c.Repo == "gitlab.com/b/sleepy" {
			t.Errorf("sleepy change with 80 dormant days: %+v", c)
		}
	}
}

func TestWeeks(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"2026-W48", "2026-W48", true},
		{"2026-W53", "2026-W53", true}, // 1 January 2026 is a Thursday: 53 weeks
		{"2027-W53", "", false},
		{"2020-W53", "2020-W53", true},
		{"2021-W53", "", false},
		{"2026-W00", "", false},
		{"2026-48", "", false},
		{"2026-W048", "", false},
		{"", "", false},
	} {
		w, err := report.ParseWeek(c.in)
		if (err == nil) != c.ok || (c.ok && w.String() != c.want) {
			t.Errorf("ParseWeek(%q) = %v, %v", c.in, w, err)
		}
	}
	w := report.ISOWeek{Year: 2026, Week: 48}
	if got := w.Start(paris); !got.Equal(time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("start %s", got)
	}
	if got := w.End(paris); !got.Equal(time.Date(2026, 11, 29, 23, 0, 0, 0, time.UTC)) {
		t.Errorf("end %s", got)
	}
	if got := (report.ISOWeek{Year: 2021, Week: 1}).Prev().String(); got != "2020-W53" {
		t.Errorf("prev of 2021-W01: %s", got)
	}
	// Sunday 23:30 UTC is already Monday in Paris: W48 is then complete.
	if got := report.LastCompleteWeek(time.Date(2026, 11, 29, 23, 30, 0, 0, time.UTC), paris).String(); got != "2026-W48" {
		t.Errorf("last complete week: %s", got)
	}
	if got := report.LastCompleteWeek(time.Date(2026, 11, 29, 23, 30, 0, 0, time.UTC), time.UTC).String(); got != "2026-W47" {
		t.Errorf("last complete week in UTC: %s", got)
	}
}

// TestChangesNeedBothDetails: a result imported without details (only
// scores) changes nothing but what its scores say; an empty repository
// (last_commit_at "") is still dormant.
func TestChangesNeedBothDetails(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	bare := ok("a/bare", "alpha", w47, 50).result()
	for i := range bare.Checks {
		bare.Checks[i].Details = map[string]any{}
	}
	empty := with(ok("a/empty", "alpha", w47, 40), func(x *r) { x.lastCommit = "" }).result()
	empty.Check("activity").Details["last_commit_at"] = ""
	for _, res := range []checks.Result{bare, empty, ok("a/bare", "alpha", w48, 60).result(), ok("a/empty", "alpha", w48, 42).result()} {
		if err := st.SaveCrawl(ctx, []store.Snapshot{{Result: res}}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := report.Build(ctx, st, report.ISOWeek{Year: 2026, Week: 48}, now, report.OptionsFrom(testCfg))
	if err != nil {
		t.Fatal(err)
	}
	want := `[` +
		`{"repo":"github.com/a/bare","kind":"improvement","from":50,"to":60},` +
		`{"repo":"github.com/a/empty","kind":"came_back","check":"activity","from":0,"to":10}` +
		`]`
	if got := jsonOf(t, d.Changes); got != want {
		t.Errorf("changes:\n got %s\nwant %s", got, want)
	}
}
