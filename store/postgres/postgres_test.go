package postgres_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/postgres"
	"github.com/eiglink/vigie/store/postgres/pgtest"
	"github.com/eiglink/vigie/store/storetest"
)

func newDB(t testing.TB) storetest.Opener {
	// Tests run in parallel, each with pools of its own: keep them small.
	d := pgtest.SchemaDSN(t) + "&pool_max_conns=4"
	return func(ctx context.Context) (store.Store, error) {
		return postgres.Open(ctx, d, nil)
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, newDB)
}

// TestSchemaNewer: a database migrated by a newer vigie is refused.
func TestSchemaNewer(t *testing.T) {
	d := pgtest.SchemaDSN(t)
	ctx := context.Background()
	s, err := postgres.Open(ctx, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', now())`); err != nil {
		t.Fatal(err)
	}
	_, err = postgres.Open(ctx, d, nil)
	if !errors.Is(err, store.ErrSchemaNewer) {
		t.Fatalf("Open of a newer schema: %v, want ErrSchemaNewer", err)
	}
	if !strings.Contains(err.Error(), "99") {
		t.Errorf("error %q does not say the database's version", err)
	}
}

// TestMigrationsRecorded: replicas opening together apply each migration
// once (storetest's ConcurrentOpen checks they all succeed).
func TestMigrationsRecorded(t *testing.T) {
	d := pgtest.SchemaDSN(t)
	ctx := context.Background()
	for range 3 {
		s, err := postgres.Open(ctx, d, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := pgx.Connect(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n, distinct int
	if err := conn.QueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n == 0 || n != distinct {
		t.Errorf("schema_migrations: %d rows, %d versions", n, distinct)
	}
}

func TestOpenErrors(t *testing.T) {
	base := pgtest.DSN(t)
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	wrongDB := *u
	wrongDB.Path = "/no_such_database"
	tests := []struct {
		name, dsn string
	}{
		{"no such database", wrongDB.String()},
		{"unknown setting", base + "&no_such_setting=1"},
		{"not a dsn", "postgres://vigie:s3cret-password@[::1:5432/x"},
		{"closed port", "postgres://vigie:s3cret-password@127.0.0.1:1/vigie?connect_timeout=2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := postgres.Open(context.Background(), tc.dsn, nil)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if strings.Contains(err.Error(), "s3cret-password") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

func BenchmarkSaveCrawl(b *testing.B) { storetest.BenchmarkSaveCrawl(b, newDB) }
func BenchmarkLatest(b *testing.B)    { storetest.BenchmarkLatest(b, newDB) }
func BenchmarkNewestIn(b *testing.B)  { storetest.BenchmarkNewestIn(b, newDB) }
