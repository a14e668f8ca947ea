package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/postgres"
	"github.com/eiglink/vigie/store/storetest"
)

// dsn returns the test server's DSN. Without one the tests are skipped on
// a workstation and fail in CI, where skipping would hide the back-end.
func dsn(t testing.TB) string {
	d := os.Getenv("VIGIE_TEST_POSTGRES_DSN")
	if d == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("VIGIE_TEST_POSTGRES_DSN is not set (store/testdata/start-postgres.sh prints one)")
		}
		t.Skip("VIGIE_TEST_POSTGRES_DSN is not set; store/testdata/start-postgres.sh starts a server and prints it")
	}
	return d
}

// admin runs one statement on the test server outside any test schema.
func admin(t testing.TB, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn(t))
	if err != nil {
		t.Fatalf("connect to the test server: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// schemaDSN creates a fresh schema, dropped when the test ends, and returns
// a DSN whose search_path is that schema: every test gets an empty database
// of its own on the one server.
func schemaDSN(t testing.TB) string {
	base := dsn(t)
	var b [8]byte
	rand.Read(b[:])
	schema := "vigie_test_" + hex.EncodeToString(b[:])
	admin(t, `CREATE SCHEMA `+schema)
	t.Cleanup(func() { admin(t, `DROP SCHEMA `+schema+` CASCADE`) })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("VIGIE_TEST_POSTGRES_DSN is not a URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func newDB(t testing.TB) storetest.Opener {
	// Tests run in parallel, each with pools of its own: keep them small.
	d := schemaDSN(t) + "&pool_max_conns=4"
	return func(ctx context.Context) (store.Store, error) {
		return postgres.Open(ctx, d, nil)
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, newDB)
}

// TestSchemaNewer: a database migrated by a newer vigie is refused.
func TestSchemaNewer(t *testing.T) {
	d := schemaDSN(t)
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
	d := schemaDSN(t)
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
	base := dsn(t)
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
