package open_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/open"
	"github.com/eiglink/vigie/store/postgres"
	"github.com/eiglink/vigie/store/postgres/pgtest"
	"github.com/eiglink/vigie/store/sqlite"
	"github.com/eiglink/vigie/store/storetest"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, driver, dsn string
		pg                bool // dsn is a fresh Postgres schema's
		want              func(store.Store) bool
		wantErr           string
	}{
		{name: "default is sqlite", driver: "", dsn: filepath.Join(dir, "a.db"),
			want: func(s store.Store) bool { _, ok := s.(*sqlite.Store); return ok }},
		{name: "sqlite", driver: "sqlite", dsn: filepath.Join(dir, "b.db"),
			want: func(s store.Store) bool { _, ok := s.(*sqlite.Store); return ok }},
		{name: "postgres", driver: "postgres", pg: true,
			want: func(s store.Store) bool { _, ok := s.(*postgres.Store); return ok }},
		{name: "unknown driver", driver: "mysql", dsn: "x", wantErr: `unknown storage driver "mysql"`},
		{name: "sqlite without a path", driver: "sqlite", dsn: "", wantErr: "empty sqlite dsn"},
		{name: "sqlite in a missing directory", driver: "sqlite", dsn: filepath.Join(dir, "missing", "c.db"), wantErr: filepath.Join(dir, "missing", "c.db")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.pg {
				tc.dsn = pgtest.SchemaDSN(t)
			}
			s, err := open.Open(context.Background(), tc.driver, tc.dsn, nil)
			if tc.wantErr != "" {
				if err == nil {
					s.Close()
					t.Fatalf("Open succeeded, want an error containing %q", tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("Open error %q, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			if !tc.want(s) {
				t.Errorf("Open returned a %T", s)
			}
			// The store works: a crawl goes in and comes back.
			ctx := context.Background()
			repo := storetest.RepoName(0)
			if err := s.SaveCrawl(ctx, storetest.Crawl(1, storetest.T0)); err != nil {
				t.Fatalf("SaveCrawl: %v", err)
			}
			if got, err := s.Get(ctx, repo); err != nil || got.Result.Repo != repo {
				t.Errorf("Get = %q, %v; want %q", got.Result.Repo, err, repo)
			}
		})
	}
}
