// Package store keeps every crawl as a snapshot (facts and results) and
// answers the questions its readers ask: the latest result per repository, a
// repository's history, the newest result per repository in a week.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/crawler"
)

// ErrNotFound is returned when the asked repository or report is not stored.
var ErrNotFound = errors.New("not found")

// Snapshot is one repository at one crawl: what the forge said and how it
// scored. Facts is nil for results imported from elsewhere.
type Snapshot struct {
	Facts  *crawler.Facts `json:"facts,omitempty"`
	Result checks.Result  `json:"result"`
}

// Store is implemented by the SQLite and Postgres back-ends.
type Store interface {
	// SaveCrawl writes the snapshots of one crawl in one transaction: all or
	// nothing.
	SaveCrawl(ctx context.Context, snaps []Snapshot) error
	// Latest returns the newest snapshot of every repository, sorted by repo.
	Latest(ctx context.Context) ([]Snapshot, error)
	// LatestGood returns the newest snapshot without error of repo, or
	// ErrNotFound.
	LatestGood(ctx context.Context, repo string) (Snapshot, error)
	// Get returns the newest snapshot of repo, or ErrNotFound.
	Get(ctx context.Context, repo string) (Snapshot, error)
	// History returns repo's results crawled in [from, to), oldest first.
	History(ctx context.Context, repo string, from, to time.Time) ([]checks.Result, error)
	// NewestIn returns, for every repository with a result crawled in
	// [from, to), its newest such result, sorted by repo.
	NewestIn(ctx context.Context, from, to time.Time) ([]checks.Result, error)
	// LastCrawl returns the crawl time of the newest snapshot (zero if none).
	LastCrawl(ctx context.Context) (time.Time, error)

	// SaveReport archives a weekly report (replacing that week's).
	SaveReport(ctx context.Context, r Report) error
	// Report returns the archived report of week ("2026-W48"), or
	// ErrNotFound.
	Report(ctx context.Context, week string) (Report, error)
	// Reports lists the archived reports, newest week first, without bodies.
	Reports(ctx context.Context) ([]Report, error)
	// MarkSent records that the report of week, for scope ("" the whole
	// programme, else a défi slug), was accepted by the mail server for
	// recipient.
	MarkSent(ctx context.Context, week, scope, recipient string, at time.Time) error
	// Sent reports whether MarkSent was recorded for these.
	Sent(ctx context.Context, week, scope, recipient string) (bool, error)

	// CacheGet and CachePut keep HTTP validators (ETags) and the bodies they
	// validate across crawls, so an unchanged resource costs a 304.
	CacheGet(ctx context.Context, key string) (etag string, body []byte, err error)
	CachePut(ctx context.Context, key, etag string, body []byte) error

	Close() error
}

// Report is one archived weekly report.
type Report struct {
	Week        string // ISO week, "2026-W48"
	GeneratedAt time.Time
	HTML        []byte
	JSON        []byte
}
