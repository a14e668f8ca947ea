package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/sqlite"
	"github.com/eiglink/vigie/store/storetest"
)

// newDB gives each test its own database file in a temporary directory.
func newDB(t testing.TB) storetest.Opener {
	path := filepath.Join(t.TempDir(), "vigie.db")
	return func(ctx context.Context) (store.Store, error) {
		return sqlite.Open(ctx, path, nil)
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, newDB)
}

func TestDSN(t *testing.T) {
	const settings = "_busy_timeout=30000&_foreign_keys=1&_journal_mode=WAL&_synchronous=FULL&_txlock=immediate"
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "vigie.db", want: "file:vigie.db?" + settings},
		{in: "/var/lib/vigie/vigie.db", want: "file:/var/lib/vigie/vigie.db?" + settings},
		{in: "data/a?b#c%d.db", want: "file:data/a%3fb%23c%25d.db?" + settings},
		{in: "file:vigie.db?_synchronous=NORMAL&mode=rwc", want: "file:vigie.db?_busy_timeout=30000&_foreign_keys=1&_journal_mode=WAL&_synchronous=NORMAL&_txlock=immediate&mode=rwc"},
		{in: "", wantErr: true},
		{in: "file:x.db?%zz", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := sqlite.DSN(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("DSN(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("DSN(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestPathWithQueryCharacters checks the escaping reaches the file system:
// the file created has the configured name.
func TestPathWithQueryCharacters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a?b#c%d.db")
	s, err := sqlite.Open(context.Background(), path, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database file not created under its name: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("not a database\n", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
	}{
		{"missing directory", filepath.Join(dir, "no", "such", "dir", "vigie.db")},
		{"not a database", notDB},
		{"a directory", dir},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := sqlite.Open(context.Background(), tc.path, nil)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.path) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

// TestSchemaNewer: a database migrated by a newer vigie is refused, and left
// untouched.
func TestSchemaNewer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigie.db")
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var before int
	if err := db.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', '2030-01-01T00:00:00.000000000Z')`); err != nil {
		t.Fatal(err)
	}
	_, err = sqlite.Open(ctx, path, nil)
	if !errors.Is(err, store.ErrSchemaNewer) {
		t.Fatalf("Open of a newer schema: %v, want ErrSchemaNewer", err)
	}
	if !strings.Contains(err.Error(), "99") {
		t.Errorf("error %q does not say the database's version", err)
	}
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n != before+1 {
		t.Errorf("schema_migrations has %d rows, %v; want %d (untouched)", n, err, before+1)
	}
}

// TestMigrationsRecorded: each migration is recorded once however often
// the database is opened.
func TestMigrationsRecorded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigie.db")
	ctx := context.Background()
	for range 3 {
		s, err := sqlite.Open(ctx, path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n, distinct int
	var mode string
	if err := db.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations`).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n == 0 || n != distinct {
		t.Errorf("schema_migrations: %d rows, %d versions", n, distinct)
	}
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal (persistent in the file)", mode, err)
	}
}

func TestMemory(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, ":memory:", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SaveCrawl(ctx, storetest.Crawl(3, storetest.T0)); err != nil {
		t.Fatal(err)
	}
	if l, err := s.Latest(ctx); err != nil || len(l) != 3 {
		t.Errorf("Latest = %d, %v; want 3", len(l), err)
	}
}

func BenchmarkSaveCrawl(b *testing.B) { storetest.BenchmarkSaveCrawl(b, newDB) }
func BenchmarkLatest(b *testing.B)    { storetest.BenchmarkLatest(b, newDB) }
func BenchmarkNewestIn(b *testing.B)  { storetest.BenchmarkNewestIn(b, newDB) }

// TestDiskFull: a write the disk cannot take is an error, and what was
// stored before stays readable and whole. max_page_count stands in for a
// full disk: SQLite answers SQLITE_FULL as it would on ENOSPC.
func TestDiskFull(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vigie.db")
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveCrawl(ctx, storetest.Crawl(10, storetest.T0)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// max_page_count cannot go below the current size: 1 means "no growth".
	full, err := sqlite.Open(ctx, "file:"+path+"?_pragma=max_page_count(1)", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	before, err := full.Latest(ctx)
	if err != nil || len(before) != 10 {
		t.Fatalf("Latest = %d, %v; want 10", len(before), err)
	}
	err = full.SaveCrawl(ctx, storetest.Crawl(1000, storetest.T0.Add(time.Hour)))
	if err == nil || !strings.Contains(err.Error(), "full") {
		t.Fatalf("SaveCrawl on a full disk: %v, want a 'full' error", err)
	}
	after, err := full.Latest(ctx)
	if err != nil || len(after) != 10 {
		t.Fatalf("Latest after the failed write = %d, %v; want the 10 stored before", len(after), err)
	}
	for i := range after {
		if !after[i].Result.CrawledAt.Equal(storetest.T0) {
			t.Errorf("%s crawled at %v, want %v", after[i].Result.Repo, after[i].Result.CrawledAt, storetest.T0)
		}
	}
	if err := full.CachePut(ctx, "k", "e", make([]byte, 1<<20)); err == nil {
		t.Error("CachePut of 1 MiB on a full disk succeeded")
	}
}

// The database and its -wal and -shm files are created readable by their
// owner only: they hold every result and cached forge answers.
func TestFilesArePrivate(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		dsn  func(dir string) string
	}{
		{"path", func(dir string) string { return filepath.Join(dir, "vigie.db") }},
		{"file URI", func(dir string) string { return "file:" + filepath.Join(dir, "vigie.db") + "?_synchronous=NORMAL" }},
	} {
		dir := t.TempDir()
		st, err := sqlite.Open(ctx, tc.dsn(dir), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SaveCrawl(ctx, storetest.Crawl(3, storetest.T0)); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"vigie.db", "vigie.db-wal", "vigie.db-shm"} {
			fi, err := os.Stat(filepath.Join(dir, f))
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: %s is %v, want -rw-------", tc.name, f, fi.Mode().Perm())
			}
		}
		st.Close()
	}
	// An existing file keeps the permissions its owner gave it.
	dir := t.TempDir()
	p := filepath.Join(dir, "shared.db")
	if err := os.WriteFile(p, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
		t.Errorf("existing file changed to %v", fi.Mode().Perm())
	}
}
