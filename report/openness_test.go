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

// openness_up and openness_down follow the degree from one week to the
// next; a result without a degree (imported before the profile) is no
// change, and the week's repositories carry their degree (null on error).
func TestOpennessChanges(t *testing.T) {
	deg := func(x r, d int) checks.Result {
		res := x.result()
		if d != 99 {
			res.Openness = &checks.Openness{Degree: d}
		}
		return res
	}
	cases := []struct { // in the changes' order (by repository)
		repo     string
		w47, w48 int // 99: no degree
		want     string
	}{
		{"a/down", 5, -1, `{"repo":"github.com/a/down","kind":"openness_down","from":5,"to":-1}`},
		{"a/up", 2, 4, `{"repo":"github.com/a/up","kind":"openness_up","from":2,"to":4}`},
		{"a/same", 4, 4, ""},
		{"a/imported", 99, 6, ""},
	}
	var snaps []store.Snapshot
	for _, c := range cases {
		snaps = append(snaps,
			store.Snapshot{Result: deg(ok(c.repo, "alpha", w47, 60), c.w47)},
			store.Snapshot{Result: deg(ok(c.repo, "alpha", w48, 60), c.w48)})
	}
	snaps = append(snaps, store.Snapshot{Result: with(ok("a/broken", "alpha", w48, 0), func(x *r) { x.err = "404" }).result()})
	st := memstore.New()
	if err := st.SaveCrawl(context.Background(), snaps); err != nil {
		t.Fatal(err)
	}
	d, err := report.Build(context.Background(), st, report.ISOWeek{Year: 2026, Week: 48}, now, report.OptionsFrom(testCfg))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ch := range d.Changes {
		if strings.HasPrefix(ch.Kind, "openness") {
			got = append(got, jsonOf(t, ch))
		}
	}
	var want []string
	for _, c := range cases {
		if c.want != "" {
			want = append(want, c.want)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes:\n got %s\nwant %s", got, want)
	}
	degrees := map[string]string{}
	for _, rp := range d.Repos {
		degrees[rp.Repo] = jsonOf(t, rp.Openness)
	}
	for repo, w := range map[string]string{"github.com/a/up": "4", "github.com/a/down": "-1", "github.com/a/imported": "6", "github.com/a/broken": "null"} {
		if degrees[repo] != w {
			t.Errorf("%s: openness %s, want %s", repo, degrees[repo], w)
		}
	}
}
