package report_test

import (
	"context"
	"strings"
	"testing"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/report"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/memstore"
)

// Finished projects (an ended défi, an archived repository) are shown apart
// and stay out of the averages, the distribution and the priorities, while
// their changes still show; a repository that stays unreachable is reported
// the week it became so only; the action proposed answers the first reason.
func TestFinishedProjectsAndReasons(t *testing.T) {
	cfg := *testCfg
	cfg.Defis = append([]config.Defi{}, testCfg.Defis...)
	cfg.Defis = append(cfg.Defis, config.Defi{Slug: "gamma", Name: "Défi Gamma", Ended: "2019-11-30"})
	nop := func(*r) {}
	var h []r
	two := func(repo, defi string, s47, s48 int, f47, f48 func(*r)) {
		h = append(h, with(ok(repo, defi, w47, s47), f47), with(ok(repo, defi, w48, s48), f48))
	}
	two("a/running", "alpha", 80, 80, nop, nop)
	// A regression caused by CI, with a weaker README unchanged: the CI fix
	// comes first.
	two("a/cidrop", "alpha", 70, 53, func(x *r) { x.readme = 2 }, func(x *r) { x.readme = 2; x.ci = "failure" })
	// Unreachable in W47 and W48: one change, in W47.
	h = append(h, ok("a/gone", "alpha", w47.AddDate(0, 0, -7), 60))
	two("a/gone", "alpha", 0, 0, func(x *r) { x.err = "not found" }, func(x *r) { x.err = "not found" })
	// An archived repository of a running défi, low score.
	two("a/shelved", "alpha", 30, 20, nop, func(x *r) { x.archived = true; x.spdx = "" })
	// An ended défi's repository losing its licence and regressing.
	two("g/old", "gamma", 40, 10, nop, func(x *r) { x.spdx = "" })

	st := memstore.New()
	var snaps []store.Snapshot
	for _, x := range h {
		snaps = append(snaps, store.Snapshot{Result: x.result()})
	}
	if err := st.SaveCrawl(context.Background(), snaps); err != nil {
		t.Fatal(err)
	}
	d, err := report.Build(context.Background(), st, report.ISOWeek{Year: 2026, Week: 48}, now, report.OptionsFrom(&cfg))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string][]string{}
	for _, c := range d.Changes {
		kinds[c.Repo] = append(kinds[c.Repo], c.Kind)
	}
	if got := kinds["github.com/a/gone"]; len(got) != 0 {
		t.Errorf("a repository unreachable two weeks running is a change again: %v", got)
	}
	if got := strings.Join(kinds["github.com/g/old"], ","); got != "regression,license_removed" {
		t.Errorf("ended défi's changes: %q", got)
	}
	var got []string
	for _, a := range d.Attention {
		got = append(got, a.Repo+":"+strings.Join(a.Reasons, "+")+":"+a.Check)
	}
	// a/gone, unreachable since last week, was reported then.
	want := []string{"github.com/a/cidrop:regression+ci_broke:ci"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("priorities:\n got %q\nwant %q", got, want)
	}
	// Programme: a/running 80 and a/cidrop 53 count; a/gone unreachable;
	// a/shelved and g/old are finished.
	s := d.Summary
	if s.Repos != 5 || s.Scored != 2 || s.Finished != 2 || s.Unreachable != 1 || s.Average == nil || *s.Average != 66.5 {
		t.Errorf("summary: %+v (average %v)", s, s.Average)
	}
	total := 0
	for _, b := range s.Distribution {
		total += b.Count
	}
	if total != 2 {
		t.Errorf("distribution counts %d repositories, want 2", total)
	}
	for _, rp := range d.Repos {
		if (rp.Repo == "github.com/a/shelved") != rp.Archived || (rp.Defi == "gamma") != rp.DefiEnded {
			t.Errorf("%s: archived %v, défi ended %v", rp.Repo, rp.Archived, rp.DefiEnded)
		}
	}

	h48, err := report.RenderHTML(d, "")
	if err != nil {
		t.Fatal(err)
	}
	html := string(h48)
	iEnded, iArchived, iAlpha := strings.Index(html, ">Défis terminés</h2>"), strings.Index(html, ">Archivés</h2>"), strings.Index(html, ">Défi Alpha")
	if iEnded < 0 || iArchived < 0 || iAlpha < 0 || !(iAlpha < iEnded && iEnded < iArchived) {
		t.Errorf("sections: running at %d, ended at %d, archived at %d", iAlpha, iEnded, iArchived)
	}
	if !strings.Contains(html, "terminé le 30 novembre 2019") {
		t.Error("the ended défi does not say when it ended, as a French date")
	}
	// The tables' rows come after the changes, which name them too.
	if i := strings.LastIndex(html, `href="https://github.com/a/shelved"`); i < iArchived {
		t.Errorf("the archived repository is not under « Archivés » (%d < %d)", i, iArchived)
	}
	if i := strings.LastIndex(html, `href="https://github.com/g/old"`); i < iEnded || i > iArchived {
		t.Errorf("the ended défi's repository is not under « Défis terminés » (%d not in %d..%d)", i, iEnded, iArchived)
	}

	// W47: a/gone became unreachable that week.
	d47, err := report.Build(context.Background(), st, report.ISOWeek{Year: 2026, Week: 47}, now, report.OptionsFrom(&cfg))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range d47.Changes {
		if c.Repo == "github.com/a/gone" && c.Kind == report.KindUnreachable {
			n++
		}
	}
	if n != 1 {
		t.Errorf("W47: %d unreachable changes for a/gone, want 1", n)
	}
}
