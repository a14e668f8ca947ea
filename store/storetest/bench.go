package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/eiglink/vigie/store"
)

// Benchmark sizes: a programme of a thousand repositories, half a year of
// weekly history.
const (
	benchRepos = 1000
	benchWeeks = 26
)

// BenchmarkSaveCrawl measures storing one crawl of a thousand repositories,
// facts included.
func BenchmarkSaveCrawl(b *testing.B, newDB NewDB) {
	s := Open(b, newDB(b))
	ctx := context.Background()
	crawl := Crawl(benchRepos, T0)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		at := T0.Add(time.Duration(i) * time.Hour)
		for j := range crawl {
			crawl[j].Result.CrawledAt = at
		}
		if err := s.SaveCrawl(ctx, crawl); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRepos), "ns/snapshot")
}

// history fills a store with weeks weekly crawls of benchRepos
// repositories.
func history(b *testing.B, newDB NewDB, weeks int) store.Store {
	s := Open(b, newDB(b))
	ctx := context.Background()
	for w := range weeks {
		if err := s.SaveCrawl(ctx, Crawl(benchRepos, T0.Add(time.Duration(w)*7*24*time.Hour))); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// BenchmarkLatest measures the newest snapshot of every repository (what
// /metrics and the dashboard read) over 26 weeks of history, and over 2
// weeks: the same time says the read does not grow with the history.
func BenchmarkLatest(b *testing.B, newDB NewDB) {
	for _, weeks := range []int{2, benchWeeks} {
		b.Run(fmt.Sprintf("weeks=%d", weeks), func(b *testing.B) {
			s := history(b, newDB, weeks)
			ctx := context.Background()
			b.ResetTimer()
			for b.Loop() {
				l, err := s.Latest(ctx)
				if err != nil || len(l) != benchRepos {
					b.Fatalf("Latest = %d, %v", len(l), err)
				}
			}
		})
	}
}

// BenchmarkNewestIn measures one week's newest results (what the weekly
// report reads) over 26 weeks of history.
func BenchmarkNewestIn(b *testing.B, newDB NewDB) {
	s := history(b, newDB, benchWeeks)
	ctx := context.Background()
	from := T0.Add(13 * 7 * 24 * time.Hour)
	b.ResetTimer()
	for b.Loop() {
		r, err := s.NewestIn(ctx, from, from.Add(7*24*time.Hour))
		if err != nil || len(r) != benchRepos {
			b.Fatalf("NewestIn = %d, %v", len(r), err)
		}
	}
}
