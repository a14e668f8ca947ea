package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/internal/readertest"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/sqlite"
	"github.com/eiglink/vigie/web"
)

// benchServer is a SQLite-backed server following 100 repositories in 10
// défis, each crawled once a week for 26 weeks: the programme's size with
// half a year of history.
func benchServer(b *testing.B) *web.Server {
	b.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "vigie.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	cfg := readertest.Config()
	cfg.Defis = nil
	var refs []crawler.Ref
	for d := 0; d < 10; d++ {
		def := config.Defi{Slug: fmt.Sprintf("defi-%d", d), Name: fmt.Sprintf("Défi %d", d)}
		for r := 0; r < 10; r++ {
			ref := readertest.Ref("github", fmt.Sprintf("github.com/eig-%d/depot-numero-%d", d, r), def.Slug)
			def.Repos = append(def.Repos, ref)
			refs = append(refs, ref)
		}
		cfg.Defis = append(cfg.Defis, def)
	}
	for w := 25; w >= 0; w-- {
		at := now.Add(-time.Duration(w)*7*24*time.Hour - time.Hour)
		var crawl []store.Snapshot
		for i, ref := range refs {
			s := (i + w) % 11
			crawl = append(crawl, readertest.Snap(ref, at, [4]int{s, 10 - s, s / 2, 10}, at.Add(-48*time.Hour)))
		}
		if err := st.SaveCrawl(ctx, crawl); err != nil {
			b.Fatal(err)
		}
	}
	srv, err := web.New(web.Options{Config: cfg, Store: st, Now: func() time.Time { return now }})
	if err != nil {
		b.Fatal(err)
	}
	return srv
}

// BenchmarkPages serves the dashboard (by défi, and programme-wide worst
// first) and a repository page over that store.
func BenchmarkPages(b *testing.B) {
	srv := benchServer(b)
	for _, path := range []string{"/", "/?vue=liste", "/repos/github.com/eig-4/depot-numero-7", "/notation"} {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				rec := httptest.NewRecorder()
				srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
				if rec.Code != 200 {
					b.Fatalf("%s: %d", path, rec.Code)
				}
			}
		})
	}
}
