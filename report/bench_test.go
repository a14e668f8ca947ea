package report_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/report"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/sqlite/sqlitetest"
)

// benchStore holds 1,000 repositories in 20 défis crawled once a week for
// 26 weeks (26,000 snapshots), scores drifting so every change kind occurs.
func benchStore(b *testing.B) (store.Store, []config.Defi) {
	b.Helper()
	ctx := context.Background()
	st := sqlitetest.SQLite(b, "")
	const repos, weeks = 1000, 26
	var defis []config.Defi
	for i := range 20 {
		defis = append(defis, config.Defi{Slug: fmt.Sprintf("defi-%02d", i), Name: fmt.Sprintf("Défi %d", i)})
	}
	for w := range weeks {
		at := w48.AddDate(0, 0, 7*(w-weeks+1))
		snaps := make([]store.Snapshot, 0, repos)
		for i := range repos {
			x := ok(fmt.Sprintf("owner%02d/repo%04d", i%20, i), "alpha", at, (i*7+w*(i%5))%101)
			x.defi = defis[i%20].Slug
			if (i+w)%9 == 0 {
				x.spdx = ""
			}
			if (i+w)%4 == 0 {
				x.ci = "failure"
			}
			if (i+w)%13 == 0 {
				x.lastCommit = "2025-01-01T00:00:00Z"
			}
			if (i+w)%50 == 0 {
				x.err = "the forge answered 503"
			}
			snaps = append(snaps, store.Snapshot{Result: x.result()})
		}
		if err := st.SaveCrawl(ctx, snaps); err != nil {
			b.Fatal(err)
		}
	}
	return st, defis
}

// BenchmarkReport1000x26 builds 2026-W48's report over 1,000 repositories
// with 26 weeks of history, then renders its HTML and JSON.
func BenchmarkReport1000x26(b *testing.B) {
	st, defis := benchStore(b)
	o := report.Options{Location: paris, Language: "fr", DormantDays: 90, Defis: defis}
	ctx := context.Background()
	week := report.ISOWeek{Year: 2026, Week: 48}
	var htmlSize, jsonSize int
	b.ResetTimer()
	for b.Loop() {
		d, err := report.Build(ctx, st, week, now, o)
		if err != nil {
			b.Fatal(err)
		}
		h, err := report.RenderHTML(d, "")
		if err != nil {
			b.Fatal(err)
		}
		j, err := json.Marshal(d)
		if err != nil {
			b.Fatal(err)
		}
		htmlSize, jsonSize = len(h), len(j)
		if len(d.Repos) != 1000 {
			b.Fatalf("%d repos", len(d.Repos))
		}
	}
	b.ReportMetric(float64(htmlSize), "html-bytes")
	b.ReportMetric(float64(jsonSize), "json-bytes")
}

// BenchmarkBuild1000x26 is Build alone (the store's reads and the
// comparisons).
func BenchmarkBuild1000x26(b *testing.B) {
	st, defis := benchStore(b)
	o := report.Options{Location: paris, Language: "fr", DormantDays: 90, Defis: defis}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := report.Build(ctx, st, report.ISOWeek{Year: 2026, Week: 48}, now, o); err != nil {
			b.Fatal(err)
		}
	}
}
