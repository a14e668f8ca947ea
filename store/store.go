// Package store keeps every crawl as a snapshot (facts and results) and
// answers the questions its readers ask: the latest result per repository, a
// repository's history, the newest result per repository in a week.
package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/crawler"
)

// ErrNotFound is returned when the asked repository or report is not stored.
var ErrNotFound = errors.New("not found")

// ErrSchemaNewer is returned by Open when the database was migrated by a newer
// vigie than this one: writing to it could lose what the newer schema keeps,
// so the older binary refuses to touch it.
var ErrSchemaNewer = errors.New("database schema is newer than this vigie")

// ErrClosed is returned by calls made after Close.
var ErrClosed = errors.New("store closed")

// Snapshot is one repository at one crawl: what the forge said and how it
// scored. Facts is nil for results imported from elsewhere.
type Snapshot struct {
	Facts  *crawler.Facts `json:"facts,omitempty"`
	Result checks.Result  `json:"result"`
}

// Withheld reports whether the snapshot's forge said the repository is not
// public (crawler.NotPublic).
func (s Snapshot) Withheld() bool { return s.Facts != nil && s.Facts.Withheld() }

// HidesEarlier reports whether readers must show the snapshot's error
// alone, never the repository's last good result in its place: the forge
// says it is not public, or missing (which a private repository is to
// whoever may not see it), or its organisation no longer lists it. It may
// have been made private, and what vigie read while it was public must not
// be served as its current state. A failure of the forge itself (down,
// rate-limited) still shows the last good result.
func (s Snapshot) HidesEarlier() bool {
	return s.Facts != nil && (s.Facts.Withheld() || s.Facts.NotFound)
}

// A crawl is stored in parts, so that its memory does not grow with the
// programme: BeginCrawl records it (one id, one crawl time), each SavePart
// commits a batch of its snapshots in one transaction, EndCrawl marks it
// complete. Every snapshot of the crawl carries the crawl's time and id.
// Readers ask for the newest snapshot per repository, so while a crawl
// runs, and after one was killed, they see for each repository either its
// snapshot from a committed part or its previous one: each whole, never a
// half-written part. LastCrawl (the crawl last done) counts only complete
// crawls. SaveCrawl is a crawl in one part, begun and ended in the same
// transaction.
//
// Store is implemented by the SQLite and Postgres back-ends (store/sqlite,
// store/postgres; store/open picks one from the configuration).
//
// Results read back are the JSON that was written, decoded again: times are
// UTC, and numbers inside a check's Details come back as float64 (as from
// any JSON decoding), so json.Marshal of a result read back gives the same
// bytes as json.Marshal of the result written.
//
// Snapshots are ordered by crawled_at; two snapshots of one repository with
// the same crawled_at are ordered by when they were stored (later wins).
// Postgres compares crawl times to the microsecond, SQLite to the
// nanosecond; the result's own crawled_at keeps the nanoseconds on both.
type Store interface {
	// SaveCrawl writes the snapshots of one crawl in one transaction: all or
	// nothing. Snapshots may carry any crawled_at (imported history keeps
	// its own dates), but not a zero one, and each needs a repo. Results are
	// stored with crawled_at in UTC.
	SaveCrawl(ctx context.Context, snaps []Snapshot) error
	// BeginCrawl records a crawl stored in parts (SavePart), which EndCrawl
	// marks complete, and returns its id. at is the crawl's time.
	BeginCrawl(ctx context.Context, at time.Time) (int64, error)
	// SavePart writes snaps as one part of the crawl id, in one
	// transaction: all or nothing, and readers see it whole once it is
	// committed (the newest snapshot of each of its repositories), next to
	// the previous snapshots of the repositories the crawl has not saved
	// yet. Same rules as SaveCrawl for the snapshots; the crawl must be
	// begun and not yet ended.
	SavePart(ctx context.Context, crawl int64, snaps []Snapshot) error
	// EndCrawl marks the crawl id complete: LastCrawl counts it from now
	// on. A crawl never ended (killed, interrupted) keeps the parts it
	// saved, which readers see, but does not count as a crawl done.
	EndCrawl(ctx context.Context, crawl int64) error

	// Latest returns the newest snapshot of every repository, sorted by repo.
	Latest(ctx context.Context) ([]Snapshot, error)
	// LatestOf returns the newest snapshot of each of repos that has one,
	// sorted by repo: a crawl reads the previous facts of one part at a
	// time.
	LatestOf(ctx context.Context, repos []string) ([]Snapshot, error)
	// Index returns what the newest snapshot of every repository says of
	// it in brief (no facts, no checks), sorted by repo: what a crawl's
	// planning needs of the previous one, small at any size.
	Index(ctx context.Context) ([]Entry, error)
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
	// LastCrawl returns the crawl time of the newest snapshot of a complete
	// crawl (zero if none): one SaveCrawl, or one ended by EndCrawl.
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
	// ClaimSend claims the mail of week to recipient (for scope) before
	// it is sent: an insert under the unique key (week, MailKey(recipient))
	// that only one caller can make, whatever the processes racing for it.
	// It returns true to the caller that now holds the claim (and must
	// send), false when the mail is claimed already. A claim is completed
	// by MarkSent, given up by ReleaseSend (the mail could not be sent: a
	// later run may try again), and a claim neither completed nor given up
	// ClaimTimeout after it was made (its holder died mid-send) may be
	// claimed again. at is the claimant's clock.
	ClaimSend(ctx context.Context, week, scope, recipient string, at time.Time) (bool, error)
	// ReleaseSend gives up a claim not completed by MarkSent.
	ReleaseSend(ctx context.Context, week, recipient string) error

	// Results calls fn with every stored result crawled at or after since
	// (zero: all), oldest first, two results with the same crawled_at in
	// the order they were stored. It stops at fn's first error and returns
	// it. Results are read as the database streams them, not gathered.
	Results(ctx context.Context, since time.Time, fn func(checks.Result) error) error

	// CacheGet and CachePut keep HTTP validators (ETags) and the bodies they
	// validate across crawls, so an unchanged resource costs a 304. CacheGet
	// returns ErrNotFound for a key never put.
	CacheGet(ctx context.Context, key string) (etag string, body []byte, err error)
	CachePut(ctx context.Context, key, etag string, body []byte) error

	// Close waits for the writes in flight to finish (so a crawl being saved
	// is either wholly stored or not at all), then releases the database.
	// Calls after Close return ErrClosed.
	Close() error
}

// ClaimTimeout is how long a mail claimed but neither sent nor released
// stays claimed: far beyond any mail's delivery (the mailer bounds each
// send to minutes), so a claim taken again is one whose holder died.
const ClaimTimeout = time.Hour

// MailKey is the form of a recipient's address that claims are keyed by:
// one mailbox, however its address is spelled in the configuration.
func MailKey(recipient string) string {
	return strings.ToLower(strings.TrimSpace(recipient))
}

// Entry is the newest snapshot of one repository, in brief.
type Entry struct {
	Repo  string
	URL   string
	Forge string
	Defi  string
	Error string // "" when the repository was fetched
}

// Report is one archived weekly report.
type Report struct {
	Week        string // ISO week, "2026-W48"
	GeneratedAt time.Time
	HTML        []byte
	JSON        []byte
}
