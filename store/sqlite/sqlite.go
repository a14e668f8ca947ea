// Package sqlite is vigie's embedded store: one SQLite file, written through
// modernc.org/sqlite (pure Go, no cgo).
//
// The database runs in WAL mode so readers (web pages, metrics scrapes)
// never wait for a crawl being written, with synchronous=FULL so a committed
// crawl survives a power cut, foreign keys on, and a busy timeout so a
// second process writing the same file (a `vigie crawl` next to a running
// `vigie serve`) waits its turn instead of failing. Write transactions start
// with BEGIN IMMEDIATE: they take the write lock up front, so two writers
// queue on the busy timeout rather than deadlock upgrading read locks.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/internal/codec"
	"github.com/eiglink/vigie/store/internal/gate"
	"github.com/eiglink/vigie/store/internal/migrations"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// BusyTimeout is how long a write waits for another process holding the
// database's write lock before failing with "database is locked". A crawl of
// a thousand repositories commits in well under a second, so this leaves a
// wide margin.
const BusyTimeout = 30 * time.Second

// timeLayout is RFC 3339 with a fixed nine-digit fraction: as text it sorts
// in time order, which time.RFC3339Nano (trailing zeros dropped) does not.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}

// Store is the SQLite store. Its methods are safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string
	log  *slog.Logger

	// write admits one writer of this process at a time: SQLite has a
	// single write lock, and queueing here (a channel honours ctx) is
	// cheaper and fairer than every writer polling the busy handler.
	write chan struct{}

	gate gate.Gate
}

var _ store.Store = (*Store)(nil)

// DSN turns the configured storage.dsn into the driver's: a plain path
// ("vigie.db") becomes a file: URI carrying vigie's connection settings; a
// file: URI is kept, with the settings it does not already choose added.
func DSN(dsn string) (string, error) {
	if dsn == "" {
		return "", errors.New("empty sqlite dsn: give a file path such as vigie.db")
	}
	base, query := dsn, ""
	if strings.HasPrefix(dsn, "file:") {
		base, query, _ = strings.Cut(dsn, "?")
	} else {
		// A path is made a URI so the driver applies the settings below;
		// the characters a URI gives meaning to are escaped.
		base = "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(dsn)
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", fmt.Errorf("sqlite dsn %q: %w", dsn, err)
	}
	defaults := [][2]string{
		{"_busy_timeout", fmt.Sprint(BusyTimeout.Milliseconds())},
		{"_journal_mode", "WAL"},
		{"_synchronous", "FULL"},
		{"_foreign_keys", "1"},
		{"_txlock", "immediate"},
	}
	for _, kv := range defaults {
		if !q.Has(kv[0]) {
			q.Set(kv[0], kv[1])
		}
	}
	return base + "?" + q.Encode(), nil
}

// Open opens (creating it if needed) the SQLite database at dsn, a file path
// or a file: URI, and brings its schema up to date. The file's directory must
// exist.
func Open(ctx context.Context, dsn string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	full, err := DSN(dsn)
	if err != nil {
		return nil, err
	}
	if err := createPrivate(dsn); err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
	}
	db, err := sql.Open("sqlite", full)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
	}
	if dsn == ":memory:" {
		// Every connection to :memory: is a database of its own: keep one.
		db.SetMaxOpenConns(1)
	}
	s := &Store{db: db, path: dsn, log: logger, write: make(chan struct{}, 1)}
	version, err := s.migrateRetrying(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
	}
	logger.Debug("store opened", "driver", "sqlite", "path", dsn, "schema_version", version)
	return s, nil
}

// createPrivate creates the database file, when it does not exist yet,
// readable and writable by its owner only (0600): it holds every result and
// the ETag cache of forge answers. SQLite gives its -wal and -shm files the
// database file's permissions, so they follow. An existing file keeps the
// permissions its owner chose.
func createPrivate(dsn string) error {
	path, ok := filePath(dsn)
	if !ok {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// filePath is the file a DSN opens; ok is false for an in-memory database.
func filePath(dsn string) (string, bool) {
	if dsn == "" || dsn == ":memory:" {
		return "", false
	}
	if !strings.HasPrefix(dsn, "file:") {
		return dsn, true
	}
	base, query, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	// Only a mode that creates the file (rwc, the default) is created
	// here: ro and rw must find it, and memory has none.
	if q, err := url.ParseQuery(query); err != nil || (q.Get("mode") != "" && q.Get("mode") != "rwc") {
		return "", false
	}
	if strings.HasPrefix(base, "//") { // file://host/path: the path
		u, err := url.Parse("file:" + base)
		if err != nil {
			return "", false
		}
		base = u.Path
	} else if p, err := url.PathUnescape(base); err == nil {
		base = p
	}
	if base == "" || base == ":memory:" {
		return "", false
	}
	return base, true
}

// migrateRetrying runs migrate, trying again for up to BusyTimeout while
// the database answers SQLITE_BUSY. Processes opening a new file together
// race to switch it to WAL and create the WAL index, and SQLite reports
// that race as BUSY without waiting on the busy timeout.
func (s *Store) migrateRetrying(ctx context.Context) (int, error) {
	deadline := time.Now().Add(BusyTimeout)
	for attempt := 1; ; attempt++ {
		version, err := s.migrate(ctx)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return version, err
		}
		s.log.Debug("database busy at open, retrying", "path", s.path, "attempt", attempt)
		select {
		case <-time.After(time.Duration(min(attempt, 20)) * 5 * time.Millisecond):
		case <-ctx.Done():
			return 0, fmt.Errorf("%w (after %v)", ctx.Err(), err)
		}
	}
}

func isBusy(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}

// migrate applies the pending migrations in one write transaction, so a
// second process opening the same file at the same time waits and then
// finds them applied. It returns the schema version.
func (s *Store) migrate(ctx context.Context) (int, error) {
	known, err := migrations.Load(migrationFiles, "migrations")
	if err != nil {
		return 0, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("begin migration: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	) STRICT`); err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	pending, err := migrations.Pending(known, current)
	if err != nil {
		return 0, err
	}
	for _, m := range pending {
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return 0, fmt.Errorf("apply migration %d_%s: %w", m.Version, m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.Version, m.Name, formatTime(time.Now())); err != nil {
			return 0, fmt.Errorf("record migration %d_%s: %w", m.Version, m.Name, err)
		}
		s.log.Info("schema migrated", "driver", "sqlite", "path", s.path, "version", m.Version, "name", m.Name)
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit migration: %w", err)
	}
	return known[len(known)-1].Version, nil
}

// begin admits a call unless the store is closed; end must follow.
func (s *Store) begin() error { return s.gate.Enter() }

func (s *Store) end() { s.gate.Leave() }

// lockWrite waits for this process's write turn, or ctx.
func (s *Store) lockWrite(ctx context.Context) error {
	select {
	case s.write <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Store) unlockWrite() { <-s.write }

// Close waits for the calls in flight (a crawl being saved commits or rolls
// back as a whole), then closes the database, which checkpoints the WAL.
func (s *Store) Close() error {
	if !s.gate.Close() {
		return nil
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close sqlite %s: %w", s.path, err)
	}
	return nil
}

// SaveCrawl writes snaps in one transaction: a complete crawl of one part.
func (s *Store) SaveCrawl(ctx context.Context, snaps []store.Snapshot) error {
	if len(snaps) == 0 {
		return codec.Validate(snaps)
	}
	return s.saveSnaps(ctx, "save crawl", 0, snaps)
}

// BeginCrawl records a crawl to be stored in parts.
func (s *Store) BeginCrawl(ctx context.Context, at time.Time) (int64, error) {
	if err := s.begin(); err != nil {
		return 0, err
	}
	defer s.end()
	if err := s.lockWrite(ctx); err != nil {
		return 0, fmt.Errorf("begin crawl: %w", err)
	}
	defer s.unlockWrite()
	res, err := s.db.ExecContext(ctx, `INSERT INTO crawls (started_at, finished_at, saved_at, snapshots, complete) VALUES (?, ?, ?, 0, 0)`,
		formatTime(at), formatTime(at), formatTime(time.Now()))
	if err != nil {
		return 0, fmt.Errorf("begin crawl: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("begin crawl: %w", err)
	}
	return id, nil
}

// SavePart writes snaps as one part of crawl, in one transaction.
func (s *Store) SavePart(ctx context.Context, crawl int64, snaps []store.Snapshot) error {
	if crawl <= 0 {
		return fmt.Errorf("save part: no crawl %d", crawl)
	}
	if len(snaps) == 0 {
		return codec.Validate(snaps)
	}
	return s.saveSnaps(ctx, "save part", crawl, snaps)
}

// EndCrawl marks crawl complete.
func (s *Store) EndCrawl(ctx context.Context, crawl int64) error {
	if err := s.begin(); err != nil {
		return err
	}
	defer s.end()
	if err := s.lockWrite(ctx); err != nil {
		return fmt.Errorf("end crawl: %w", err)
	}
	defer s.unlockWrite()
	res, err := s.db.ExecContext(ctx, `UPDATE crawls SET complete = 1, saved_at = ? WHERE id = ? AND complete = 0`, formatTime(time.Now()), crawl)
	if err != nil {
		return fmt.Errorf("end crawl %d: %w", crawl, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("end crawl %d: no such crawl in progress", crawl)
	}
	return nil
}

// saveSnaps stores snaps in one transaction: a new complete crawl (crawl 0),
// or one part of the crawl begun as crawl.
func (s *Store) saveSnaps(ctx context.Context, what string, crawl int64, snaps []store.Snapshot) error {
	if err := codec.Validate(snaps); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := s.begin(); err != nil {
		return err
	}
	defer s.end()
	if err := s.lockWrite(ctx); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer s.unlockWrite()

	started, finished := codec.Span(snaps)

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: begin: %w", what, err)
	}
	// Rollback after Commit is a no-op; on any early return it undoes
	// everything written so far, so readers never see part of a crawl
	// (of a part).
	defer tx.Rollback()

	crawlID := crawl
	if crawl == 0 {
		res, err := tx.ExecContext(ctx, `INSERT INTO crawls (started_at, finished_at, saved_at, snapshots) VALUES (?, ?, ?, ?)`,
			formatTime(started), formatTime(finished), formatTime(time.Now()), len(snaps))
		if err != nil {
			return fmt.Errorf("%s: insert crawl: %w", what, err)
		}
		if crawlID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("%s: crawl id: %w", what, err)
		}
	} else {
		res, err := tx.ExecContext(ctx, `UPDATE crawls SET started_at = MIN(started_at, ?), finished_at = MAX(finished_at, ?),
			snapshots = snapshots + ?, saved_at = ? WHERE id = ? AND complete = 0`,
			formatTime(started), formatTime(finished), len(snaps), formatTime(time.Now()), crawl)
		if err != nil {
			return fmt.Errorf("%s: crawl %d: %w", what, crawl, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("%s: crawl %d: no such crawl in progress", what, crawl)
		}
	}
	insRepo, err := tx.PrepareContext(ctx, `INSERT INTO repos (repo) VALUES (?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return fmt.Errorf("%s: prepare: %w", what, err)
	}
	defer insRepo.Close()
	insSnap, err := tx.PrepareContext(ctx, `INSERT INTO snapshots
		(crawl_id, repo, defi, forge, crawled_at, score, error, result, facts)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("%s: prepare: %w", what, err)
	}
	defer insSnap.Close()

	for i, sn := range snaps {
		// Encoding inside the loop keeps one snapshot's JSON in memory at a
		// time; a failure here aborts the whole transaction all the same.
		row, err := codec.Encode(sn)
		if err != nil {
			return fmt.Errorf("%s: snapshot %d: %w", what, i, err)
		}
		if _, err := insRepo.ExecContext(ctx, row.Repo); err != nil {
			return fmt.Errorf("%s: snapshot %d (%s): %w", what, i, row.Repo, err)
		}
		var facts any
		if row.Facts != nil {
			facts = string(row.Facts)
		}
		if _, err := insSnap.ExecContext(ctx, crawlID, row.Repo, row.Defi, row.Forge, formatTime(row.CrawledAt),
			row.Score, row.Error, string(row.Result), facts); err != nil {
			return fmt.Errorf("%s: snapshot %d (%s): %w", what, i, row.Repo, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", what, err)
	}
	return nil
}

// newestID is the id of a repository's newest snapshot among those the
// condition keeps; the (repo, crawled_at) index holds id too, so this is one
// backwards index probe.
const newestID = `SELECT id FROM snapshots WHERE repo = r.repo %s ORDER BY crawled_at DESC, id DESC LIMIT 1`

// Latest returns the newest snapshot of every repository, sorted by repo.
func (s *Store) Latest(ctx context.Context) ([]store.Snapshot, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	defer s.end()
	rows, err := s.db.QueryContext(ctx, `SELECT s.result, s.facts FROM repos r
		JOIN snapshots s ON s.id = (`+fmt.Sprintf(newestID, "")+`)
		ORDER BY r.repo`)
	if err != nil {
		return nil, fmt.Errorf("latest: %w", err)
	}
	defer rows.Close()
	out, err := codec.ScanSnapshots(rows)
	if err != nil {
		return nil, fmt.Errorf("latest: %w", err)
	}
	return out, nil
}

// LatestOf returns the newest snapshot of each of repos that has one,
// sorted by repo.
func (s *Store) LatestOf(ctx context.Context, repos []string) ([]store.Snapshot, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	defer s.end()
	var out []store.Snapshot
	// SQLite bounds the parameters of one statement: a few hundred at a
	// time.
	const chunk = 500
	for len(repos) > 0 {
		n := min(chunk, len(repos))
		args := make([]any, n)
		for i, r := range repos[:n] {
			args[i] = r
		}
		rows, err := s.db.QueryContext(ctx, `SELECT s.result, s.facts FROM repos r
			JOIN snapshots s ON s.id = (`+fmt.Sprintf(newestID, "")+`)
			WHERE r.repo IN (?`+strings.Repeat(", ?", n-1)+`)
			ORDER BY r.repo`, args...)
		if err != nil {
			return nil, fmt.Errorf("latest of: %w", err)
		}
		got, err := codec.ScanSnapshots(rows)
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("latest of: %w", err)
		}
		out = append(out, got...)
		repos = repos[n:]
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Result.Repo < out[j].Result.Repo })
	return out, nil
}

// Index returns the newest snapshot of every repository in brief.
func (s *Store) Index(ctx context.Context) ([]store.Entry, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	defer s.end()
	rows, err := s.db.QueryContext(ctx, `SELECT s.repo, COALESCE(json_extract(s.result, '$.url'), ''), s.forge, s.defi, s.error FROM repos r
		JOIN snapshots s ON s.id = (`+fmt.Sprintf(newestID, "")+`)
		ORDER BY r.repo`)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	defer rows.Close()
	out, err := codec.ScanEntries(rows)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	return out, nil
}

// one returns the newest snapshot of repo matching cond.
func (s *Store) one(ctx context.Context, what, repo, cond string) (store.Snapshot, error) {
	if err := s.begin(); err != nil {
		return store.Snapshot{}, err
	}
	defer s.end()
	var result, facts []byte
	err := s.db.QueryRowContext(ctx, `SELECT result, facts FROM snapshots
		WHERE repo = ? `+cond+` ORDER BY crawled_at DESC, id DESC LIMIT 1`, repo).Scan(&result, &facts)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Snapshot{}, fmt.Errorf("%s %s: %w", what, repo, store.ErrNotFound)
	}
	if err != nil {
		return store.Snapshot{}, fmt.Errorf("%s %s: %w", what, repo, err)
	}
	sn, err := codec.DecodeSnapshot(result, facts)
	if err != nil {
		return store.Snapshot{}, fmt.Errorf("%s %s: %w", what, repo, err)
	}
	return sn, nil
}

// Get returns the newest snapshot of repo.
func (s *Store) Get(ctx context.Context, repo string) (store.Snapshot, error) {
	return s.one(ctx, "get", repo, "")
}

// LatestGood returns the newest snapshot of repo without an error.
func (s *Store) LatestGood(ctx context.Context, repo string) (store.Snapshot, error) {
	return s.one(ctx, "latest good", repo, "AND error = ''")
}

// History returns repo's results crawled in [from, to), oldest first.
func (s *Store) History(ctx context.Context, repo string, from, to time.Time) ([]checks.Result, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	defer s.end()
	rows, err := s.db.QueryContext(ctx, `SELECT result FROM snapshots
		WHERE repo = ? AND crawled_at >= ? AND crawled_at < ?
		ORDER BY crawled_at, id`, repo, formatTime(codec.Bound(from)), formatTime(codec.Bound(to)))
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", repo, err)
	}
	defer rows.Close()
	out, err := codec.ScanResults(rows)
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", repo, err)
	}
	return out, nil
}

// NewestIn returns the newest result crawled in [from, to) of every
// repository that has one, sorted by repo.
func (s *Store) NewestIn(ctx context.Context, from, to time.Time) ([]checks.Result, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	defer s.end()
	rows, err := s.db.QueryContext(ctx, `SELECT s.result FROM repos r
		JOIN snapshots s ON s.id = (`+fmt.Sprintf(newestID, "AND crawled_at >= ? AND crawled_at < ?")+`)
		ORDER BY r.repo`, formatTime(codec.Bound(from)), formatTime(codec.Bound(to)))
	if err != nil {
		return nil, fmt.Errorf("newest in: %w", err)
	}
	defer rows.Close()
	out, err := codec.ScanResults(rows)
	if err != nil {
		return nil, fmt.Errorf("newest in: %w", err)
	}
	return out, nil
}

// LastCrawl returns the crawl time of the newest snapshot, zero if none.
func (s *Store) LastCrawl(ctx context.Context) (time.Time, error) {
	if err := s.begin(); err != nil {
		return time.Time{}, err
	}
	defer s.end()
	var last sql.NullString
	// finished_at is the newest crawled_at of a crawl's snapshots.
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(finished_at) FROM crawls WHERE complete = 1 AND snapshots > 0`).Scan(&last); err != nil {
		return time.Time{}, fmt.Errorf("last crawl: %w", err)
	}
	if !last.Valid {
		return time.Time{}, nil
	}
	t, err := parseTime(last.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("last crawl: %w", err)
	}
	return t, nil
}

// exec runs one write statement in its own (autocommit) transaction, in this
// process's write turn.
func (s *Store) exec(ctx context.Context, what, query string, args ...any) error {
	if err := s.begin(); err != nil {
		return err
	}
	defer s.end()
	if err := s.lockWrite(ctx); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer s.unlockWrite()
	if _, err := s.db.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// nonNil keeps an empty body an empty BLOB rather than NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// SaveReport archives r, replacing the report of the same week.
func (s *Store) SaveReport(ctx context.Context, r store.Report) error {
	if r.Week == "" {
		return errors.New("save report: empty week")
	}
	return s.exec(ctx, "save report "+r.Week, `INSERT INTO reports (week, generated_at, html, json) VALUES (?, ?, ?, ?)
		ON CONFLICT (week) DO UPDATE SET generated_at = excluded.generated_at, html = excluded.html, json = excluded.json`,
		r.Week, formatTime(r.GeneratedAt), nonNil(r.HTML), nonNil(r.JSON))
}

// Report returns the archived report of week.
func (s *Store) Report(ctx context.Context, week string) (store.Report, error) {
	if err := s.begin(); err != nil {
		return store.Report{}, err
	}
	defer s.end()
	r := store.Report{Week: week}
	var generated string
	err := s.db.QueryRowContext(ctx, `SELECT generated_at, html, json FROM reports WHERE week = ?`, week).
		Scan(&generated, &r.HTML, &r.JSON)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Report{}, fmt.Errorf("report %s: %w", week, store.ErrNotFound)
	}
	if err != nil {
		return store.Report{}, fmt.Errorf("report %s: %w", week, err)
	}
	if r.GeneratedAt, err = parseTime(generated); err != nil {
		return store.Report{}, fmt.Errorf("report %s: %w", week, err)
	}
	return r, nil
}

// Reports lists the archived reports, newest week first, without bodies.
func (s *Store) Reports(ctx context.Context) ([]store.Report, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	defer s.end()
	rows, err := s.db.QueryContext(ctx, `SELECT week, generated_at FROM reports ORDER BY week DESC`)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	defer rows.Close()
	var out []store.Report
	for rows.Next() {
		var r store.Report
		var generated string
		if err := rows.Scan(&r.Week, &generated); err != nil {
			return nil, fmt.Errorf("reports: %w", err)
		}
		if r.GeneratedAt, err = parseTime(generated); err != nil {
			return nil, fmt.Errorf("reports: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	return out, nil
}

// MarkSent records a mail accepted by the server, and completes its claim;
// recording it again keeps the first time.
func (s *Store) MarkSent(ctx context.Context, week, scope, recipient string, at time.Time) error {
	if err := s.begin(); err != nil {
		return err
	}
	defer s.end()
	if err := s.lockWrite(ctx); err != nil {
		return fmt.Errorf("mark sent %s: %w", week, err)
	}
	defer s.unlockWrite()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("mark sent %s: begin: %w", week, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO sent_mails (week, scope, recipient, sent_at) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, week, scope, recipient, formatTime(at)); err != nil {
		return fmt.Errorf("mark sent %s: %w", week, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE mail_claims SET sent_at = ? WHERE week = ? AND recipient = ? AND sent_at IS NULL`,
		formatTime(at), week, store.MailKey(recipient)); err != nil {
		return fmt.Errorf("mark sent %s: %w", week, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("mark sent %s: commit: %w", week, err)
	}
	return nil
}

// ClaimSend inserts the claim; a conflicting row is taken over only when
// it was never completed and is older than store.ClaimTimeout. SQLite runs
// one writer at a time (across processes too), so of two racing claimants
// the second sees the first's row and gets nothing.
func (s *Store) ClaimSend(ctx context.Context, week, scope, recipient string, at time.Time) (bool, error) {
	if err := s.begin(); err != nil {
		return false, err
	}
	defer s.end()
	if err := s.lockWrite(ctx); err != nil {
		return false, fmt.Errorf("claim mail %s to %s: %w", week, recipient, err)
	}
	defer s.unlockWrite()
	res, err := s.db.ExecContext(ctx, `INSERT INTO mail_claims (week, recipient, scope, claimed_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (week, recipient) DO UPDATE SET scope = excluded.scope, claimed_at = excluded.claimed_at
		WHERE mail_claims.sent_at IS NULL AND mail_claims.claimed_at < ?`,
		week, store.MailKey(recipient), scope, formatTime(at), formatTime(at.Add(-store.ClaimTimeout)))
	if err != nil {
		return false, fmt.Errorf("claim mail %s to %s: %w", week, recipient, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim mail %s to %s: %w", week, recipient, err)
	}
	return n == 1, nil
}

// ReleaseSend deletes a claim not completed by MarkSent.
func (s *Store) ReleaseSend(ctx context.Context, week, recipient string) error {
	return s.exec(ctx, "release mail "+week, `DELETE FROM mail_claims WHERE week = ? AND recipient = ? AND sent_at IS NULL`,
		week, store.MailKey(recipient))
}

// Results streams every result crawled at or after since, oldest first.
func (s *Store) Results(ctx context.Context, since time.Time, fn func(checks.Result) error) error {
	if err := s.begin(); err != nil {
		return err
	}
	defer s.end()
	rows, err := s.db.QueryContext(ctx, `SELECT result FROM snapshots WHERE crawled_at >= ? ORDER BY crawled_at, id`,
		formatTime(codec.Bound(since)))
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	defer rows.Close()
	if err := codec.EachResult(rows, fn); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

// Sent reports whether MarkSent was recorded for these.
func (s *Store) Sent(ctx context.Context, week, scope, recipient string) (bool, error) {
	if err := s.begin(); err != nil {
		return false, err
	}
	defer s.end()
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sent_mails WHERE week = ? AND scope = ? AND recipient = ?`,
		week, scope, recipient).Scan(&n); err != nil {
		return false, fmt.Errorf("sent %s: %w", week, err)
	}
	return n > 0, nil
}

// CacheGet returns the validator and body stored under key.
func (s *Store) CacheGet(ctx context.Context, key string) (string, []byte, error) {
	if err := s.begin(); err != nil {
		return "", nil, err
	}
	defer s.end()
	var etag string
	var body []byte
	err := s.db.QueryRowContext(ctx, `SELECT etag, body FROM http_cache WHERE key = ?`, key).Scan(&etag, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, fmt.Errorf("cache %s: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return "", nil, fmt.Errorf("cache %s: %w", key, err)
	}
	return etag, nonNil(body), nil
}

// CachePut stores etag and body under key, replacing what was there.
func (s *Store) CachePut(ctx context.Context, key, etag string, body []byte) error {
	return s.exec(ctx, "cache put "+key, `INSERT INTO http_cache (key, etag, body, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET etag = excluded.etag, body = excluded.body, updated_at = excluded.updated_at`,
		key, etag, nonNil(body), formatTime(time.Now()))
}
