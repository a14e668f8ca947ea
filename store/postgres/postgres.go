// Package postgres is vigie's store for several replicas sharing one
// database, written through pgx's connection pool.
//
// Migrations run at Open under a transaction-scoped advisory lock, so
// replicas starting together apply each migration once. Names sort byte by
// byte (COLLATE "C") whatever the database's locale, as in the SQLite store.
// timestamptz holds microseconds: snapshots of one repository less than a
// microsecond apart are ordered by insertion, and the result JSON keeps the
// exact crawl time.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/internal/codec"
	"github.com/eiglink/vigie/store/internal/gate"
	"github.com/eiglink/vigie/store/internal/migrations"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Store is the Postgres store. Its methods are safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
	log  *slog.Logger
	gate gate.Gate
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at dsn (a postgres:// URL or key=value
// string, as libpq takes) and brings its schema up to date. Tables live in
// the connection's current schema (search_path).
func Open(ctx context.Context, dsn string, logger *slog.Logger) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's parse errors can quote the DSN, password included: keep
		// only the reason.
		return nil, fmt.Errorf("open postgres: invalid dsn: %w", redact(err, dsn))
	}
	where := fmt.Sprintf("%s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres %s: %w", where, err)
	}
	s := &Store{pool: pool, log: logger}
	version, err := s.migrate(ctx)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres %s: %w", where, err)
	}
	logger.Debug("store opened", "driver", "postgres", "database", where, "schema_version", version)
	return s, nil
}

// redact drops the DSN's password from err's text.
func redact(err error, dsn string) error {
	cfg, perr := pgx.ParseConfig(dsn)
	msg := err.Error()
	if perr == nil && cfg.Password != "" {
		msg = strings.ReplaceAll(msg, cfg.Password, "xxxxx")
	}
	return errors.New(msg)
}

// migrate applies the pending migrations in one transaction, holding an
// advisory lock named after the schema: replicas starting together queue
// on it, and the later ones find the migrations applied.
func (s *Store) migrate(ctx context.Context) (int, error) {
	known, err := migrations.Load(migrationFiles, "migrations")
	if err != nil {
		return 0, err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("begin migration: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('vigie schema migrations in ' || current_schema(), 0))`); err != nil {
		return 0, fmt.Errorf("lock migrations: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL
	)`); err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	var current int
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	pending, err := migrations.Pending(known, current)
	if err != nil {
		return 0, err
	}
	for _, m := range pending {
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return 0, fmt.Errorf("apply migration %d_%s: %w", m.Version, m.Name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())`,
			m.Version, m.Name); err != nil {
			return 0, fmt.Errorf("record migration %d_%s: %w", m.Version, m.Name, err)
		}
		s.log.Info("schema migrated", "driver", "postgres", "version", m.Version, "name", m.Name)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("commit migration: %w", err)
	}
	return known[len(known)-1].Version, nil
}

// Close waits for the calls in flight (a crawl being saved commits or rolls
// back as a whole), then closes the pool.
func (s *Store) Close() error {
	if s.gate.Close() {
		s.pool.Close()
	}
	return nil
}

// text makes a string storable in a text column, which cannot hold NUL or
// invalid UTF-8. Only the columns used to select rows get it; the JSON keeps
// the original.
func text(s string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\uFFFD")
}

// SaveCrawl writes snaps in one transaction: a complete crawl of one part.
func (s *Store) SaveCrawl(ctx context.Context, snaps []store.Snapshot) error {
	return s.saveSnaps(ctx, "save crawl", 0, snaps)
}

// BeginCrawl records a crawl to be stored in parts.
func (s *Store) BeginCrawl(ctx context.Context, at time.Time) (int64, error) {
	if err := s.gate.Enter(); err != nil {
		return 0, err
	}
	defer s.gate.Leave()
	var id int64
	if err := s.pool.QueryRow(ctx, `INSERT INTO crawls (started_at, finished_at, saved_at, snapshots, complete)
		VALUES ($1, $1, now(), 0, false) RETURNING id`, at.UTC()).Scan(&id); err != nil {
		return 0, fmt.Errorf("begin crawl: %w", err)
	}
	return id, nil
}

// SavePart writes snaps as one part of crawl, in one transaction.
func (s *Store) SavePart(ctx context.Context, crawl int64, snaps []store.Snapshot) error {
	if crawl <= 0 {
		return fmt.Errorf("save part: no crawl %d", crawl)
	}
	return s.saveSnaps(ctx, "save part", crawl, snaps)
}

// EndCrawl marks crawl complete.
func (s *Store) EndCrawl(ctx context.Context, crawl int64) error {
	if err := s.gate.Enter(); err != nil {
		return err
	}
	defer s.gate.Leave()
	tag, err := s.pool.Exec(ctx, `UPDATE crawls SET complete = true, saved_at = now() WHERE id = $1 AND NOT complete`, crawl)
	if err != nil {
		return fmt.Errorf("end crawl %d: %w", crawl, err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("end crawl %d: no such crawl in progress", crawl)
	}
	return nil
}

// saveSnaps stores snaps in one transaction: a new complete crawl (crawl
// 0), or one part of the crawl begun as crawl.
func (s *Store) saveSnaps(ctx context.Context, what string, crawl int64, snaps []store.Snapshot) error {
	if err := codec.Validate(snaps); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if len(snaps) == 0 {
		return nil
	}
	if err := s.gate.Enter(); err != nil {
		return err
	}
	defer s.gate.Leave()

	started, finished := codec.Span(snaps)
	repos := make([]string, 0, len(snaps))
	for _, sn := range snaps {
		repos = append(repos, text(sn.Result.Repo))
	}
	// Sorted, so concurrent crawls lock new repos rows in the same order
	// and cannot deadlock each other.
	slices.Sort(repos)
	repos = slices.Compact(repos)

	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("%s: begin: %w", what, err)
	}
	// Rollback after Commit is a no-op; on any early return it undoes
	// everything written so far, so readers never see part of a crawl.
	defer tx.Rollback(context.WithoutCancel(ctx))

	crawlID := crawl
	if crawl == 0 {
		if err := tx.QueryRow(ctx, `INSERT INTO crawls (started_at, finished_at, saved_at, snapshots)
			VALUES ($1, $2, now(), $3) RETURNING id`, started.UTC(), finished.UTC(), len(snaps)).Scan(&crawlID); err != nil {
			return fmt.Errorf("%s: insert crawl: %w", what, err)
		}
	} else {
		tag, err := tx.Exec(ctx, `UPDATE crawls SET started_at = LEAST(started_at, $1), finished_at = GREATEST(finished_at, $2),
			snapshots = snapshots + $3, saved_at = now() WHERE id = $4 AND NOT complete`, started.UTC(), finished.UTC(), len(snaps), crawl)
		if err != nil {
			return fmt.Errorf("%s: crawl %d: %w", what, crawl, err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("%s: crawl %d: no such crawl in progress", what, crawl)
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO repos (repo) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, repos); err != nil {
		return fmt.Errorf("%s: insert repos: %w", what, err)
	}
	i := 0
	// COPY streams the rows; each snapshot is encoded as COPY asks for it,
	// and an encoding error aborts the COPY and so the transaction.
	next := func() ([]any, error) {
		if i == len(snaps) {
			return nil, nil
		}
		row, err := codec.Encode(snaps[i])
		if err != nil {
			return nil, fmt.Errorf("snapshot %d: %w", i, err)
		}
		i++
		var facts any
		if row.Facts != nil {
			facts = row.Facts
		}
		var score any
		if row.Score != nil {
			score = int16(*row.Score)
		}
		return []any{crawlID, text(row.Repo), text(row.Defi), text(row.Forge), row.CrawledAt,
			score, text(row.Error), row.Result, facts}, nil
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"snapshots"},
		[]string{"crawl_id", "repo", "defi", "forge", "crawled_at", "score", "error", "result", "facts"},
		pgx.CopyFromFunc(next)); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("%s: commit: %w", what, err)
	}
	return nil
}

// Latest returns the newest snapshot of every repository, sorted by repo.
func (s *Store) Latest(ctx context.Context) ([]store.Snapshot, error) {
	if err := s.gate.Enter(); err != nil {
		return nil, err
	}
	defer s.gate.Leave()
	rows, err := s.pool.Query(ctx, `SELECT n.result, n.facts FROM repos r
		CROSS JOIN LATERAL (SELECT result, facts FROM snapshots
			WHERE repo = r.repo ORDER BY crawled_at DESC, id DESC LIMIT 1) n
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
	if err := s.gate.Enter(); err != nil {
		return nil, err
	}
	defer s.gate.Leave()
	clean := make([]string, len(repos))
	for i, r := range repos {
		clean[i] = text(r)
	}
	rows, err := s.pool.Query(ctx, `SELECT n.result, n.facts FROM repos r
		CROSS JOIN LATERAL (SELECT result, facts FROM snapshots
			WHERE repo = r.repo ORDER BY crawled_at DESC, id DESC LIMIT 1) n
		WHERE r.repo = ANY($1::text[])
		ORDER BY r.repo`, clean)
	if err != nil {
		return nil, fmt.Errorf("latest of: %w", err)
	}
	defer rows.Close()
	out, err := codec.ScanSnapshots(rows)
	if err != nil {
		return nil, fmt.Errorf("latest of: %w", err)
	}
	return out, nil
}

// Index returns the newest snapshot of every repository in brief.
func (s *Store) Index(ctx context.Context) ([]store.Entry, error) {
	if err := s.gate.Enter(); err != nil {
		return nil, err
	}
	defer s.gate.Leave()
	rows, err := s.pool.Query(ctx, `SELECT r.repo, COALESCE(n.result->>'url', ''), n.forge, n.defi, n.error FROM repos r
		CROSS JOIN LATERAL (SELECT result, forge, defi, error FROM snapshots
			WHERE repo = r.repo ORDER BY crawled_at DESC, id DESC LIMIT 1) n
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
	if err := s.gate.Enter(); err != nil {
		return store.Snapshot{}, err
	}
	defer s.gate.Leave()
	var result, facts []byte
	err := s.pool.QueryRow(ctx, `SELECT result, facts FROM snapshots
		WHERE repo = $1 `+cond+` ORDER BY crawled_at DESC, id DESC LIMIT 1`, repo).Scan(&result, &facts)
	if errors.Is(err, pgx.ErrNoRows) {
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
	if err := s.gate.Enter(); err != nil {
		return nil, err
	}
	defer s.gate.Leave()
	rows, err := s.pool.Query(ctx, `SELECT result FROM snapshots
		WHERE repo = $1 AND crawled_at >= $2 AND crawled_at < $3
		ORDER BY crawled_at, id`, repo, codec.Bound(from), codec.Bound(to))
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
	if err := s.gate.Enter(); err != nil {
		return nil, err
	}
	defer s.gate.Leave()
	rows, err := s.pool.Query(ctx, `SELECT n.result FROM repos r
		CROSS JOIN LATERAL (SELECT result FROM snapshots
			WHERE repo = r.repo AND crawled_at >= $1 AND crawled_at < $2
			ORDER BY crawled_at DESC, id DESC LIMIT 1) n
		ORDER BY r.repo`, codec.Bound(from), codec.Bound(to))
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
	if err := s.gate.Enter(); err != nil {
		return time.Time{}, err
	}
	defer s.gate.Leave()
	var last *time.Time
	if err := s.pool.QueryRow(ctx, `SELECT MAX(finished_at) FROM crawls WHERE complete AND snapshots > 0`).Scan(&last); err != nil {
		return time.Time{}, fmt.Errorf("last crawl: %w", err)
	}
	if last == nil {
		return time.Time{}, nil
	}
	return last.UTC(), nil
}

// exec runs one write statement.
func (s *Store) exec(ctx context.Context, what, query string, args ...any) error {
	if err := s.gate.Enter(); err != nil {
		return err
	}
	defer s.gate.Leave()
	if _, err := s.pool.Exec(ctx, query, args...); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// nonNil keeps an empty body an empty bytea rather than NULL.
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
	return s.exec(ctx, "save report "+r.Week, `INSERT INTO reports (week, generated_at, html, json) VALUES ($1, $2, $3, $4)
		ON CONFLICT (week) DO UPDATE SET generated_at = excluded.generated_at, html = excluded.html, json = excluded.json`,
		r.Week, r.GeneratedAt.UTC(), nonNil(r.HTML), nonNil(r.JSON))
}

// Report returns the archived report of week.
func (s *Store) Report(ctx context.Context, week string) (store.Report, error) {
	if err := s.gate.Enter(); err != nil {
		return store.Report{}, err
	}
	defer s.gate.Leave()
	r := store.Report{Week: week}
	err := s.pool.QueryRow(ctx, `SELECT generated_at, html, json FROM reports WHERE week = $1`, week).
		Scan(&r.GeneratedAt, &r.HTML, &r.JSON)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Report{}, fmt.Errorf("report %s: %w", week, store.ErrNotFound)
	}
	if err != nil {
		return store.Report{}, fmt.Errorf("report %s: %w", week, err)
	}
	r.GeneratedAt = r.GeneratedAt.UTC()
	return r, nil
}

// Reports lists the archived reports, newest week first, without bodies.
func (s *Store) Reports(ctx context.Context) ([]store.Report, error) {
	if err := s.gate.Enter(); err != nil {
		return nil, err
	}
	defer s.gate.Leave()
	rows, err := s.pool.Query(ctx, `SELECT week, generated_at FROM reports ORDER BY week DESC`)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	defer rows.Close()
	var out []store.Report
	for rows.Next() {
		var r store.Report
		if err := rows.Scan(&r.Week, &r.GeneratedAt); err != nil {
			return nil, fmt.Errorf("reports: %w", err)
		}
		r.GeneratedAt = r.GeneratedAt.UTC()
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
	return s.exec(ctx, "mark sent "+week, `WITH claim AS (
			UPDATE mail_claims SET sent_at = $4 WHERE week = $1 AND recipient = $5 AND sent_at IS NULL)
		INSERT INTO sent_mails (week, scope, recipient, sent_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`, week, scope, recipient, at.UTC(), store.MailKey(recipient))
}

// ClaimSend inserts the claim; a conflicting row is taken over only when
// it was never completed and is older than store.ClaimTimeout. The row is
// locked by the insert, so of two racing claimants the second waits for
// the first's commit, then sees its row and gets nothing.
func (s *Store) ClaimSend(ctx context.Context, week, scope, recipient string, at time.Time) (bool, error) {
	if err := s.gate.Enter(); err != nil {
		return false, err
	}
	defer s.gate.Leave()
	tag, err := s.pool.Exec(ctx, `INSERT INTO mail_claims (week, recipient, scope, claimed_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (week, recipient) DO UPDATE SET scope = excluded.scope, claimed_at = excluded.claimed_at
		WHERE mail_claims.sent_at IS NULL AND mail_claims.claimed_at < $5`,
		week, store.MailKey(recipient), scope, at.UTC(), at.Add(-store.ClaimTimeout).UTC())
	if err != nil {
		return false, fmt.Errorf("claim mail %s to %s: %w", week, recipient, err)
	}
	return tag.RowsAffected() == 1, nil
}

// ReleaseSend deletes a claim not completed by MarkSent.
func (s *Store) ReleaseSend(ctx context.Context, week, recipient string) error {
	return s.exec(ctx, "release mail "+week, `DELETE FROM mail_claims WHERE week = $1 AND recipient = $2 AND sent_at IS NULL`,
		week, store.MailKey(recipient))
}

// Results streams every result crawled at or after since, oldest first.
func (s *Store) Results(ctx context.Context, since time.Time, fn func(checks.Result) error) error {
	if err := s.gate.Enter(); err != nil {
		return err
	}
	defer s.gate.Leave()
	rows, err := s.pool.Query(ctx, `SELECT result FROM snapshots WHERE crawled_at >= $1 ORDER BY crawled_at, id`,
		codec.Bound(since))
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
	if err := s.gate.Enter(); err != nil {
		return false, err
	}
	defer s.gate.Leave()
	var sent bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sent_mails WHERE week = $1 AND scope = $2 AND recipient = $3)`,
		week, scope, recipient).Scan(&sent); err != nil {
		return false, fmt.Errorf("sent %s: %w", week, err)
	}
	return sent, nil
}

// CacheGet returns the validator and body stored under key.
func (s *Store) CacheGet(ctx context.Context, key string) (string, []byte, error) {
	if err := s.gate.Enter(); err != nil {
		return "", nil, err
	}
	defer s.gate.Leave()
	var etag string
	var body []byte
	err := s.pool.QueryRow(ctx, `SELECT etag, body FROM http_cache WHERE key = $1`, key).Scan(&etag, &body)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, fmt.Errorf("cache %s: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return "", nil, fmt.Errorf("cache %s: %w", key, err)
	}
	return etag, nonNil(body), nil
}

// CachePut stores etag and body under key, replacing what was there.
func (s *Store) CachePut(ctx context.Context, key, etag string, body []byte) error {
	return s.exec(ctx, "cache put "+key, `INSERT INTO http_cache (key, etag, body, updated_at) VALUES ($1, $2, $3, now())
		ON CONFLICT (key) DO UPDATE SET etag = excluded.etag, body = excluded.body, updated_at = excluded.updated_at`,
		key, etag, nonNil(body))
}
