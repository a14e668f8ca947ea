// Package codec holds what the SQLite and Postgres stores share: checking the
// snapshots before a write, turning them into the JSON stored and back, and
// bounding query times to what both databases can hold.
package codec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/store"
)

// A snapshot's crawl time lies in (MinTime, MaxTime): years SQLite's
// fixed-width RFC 3339 text can spell and Postgres's timestamptz can hold
// alike, so both back-ends accept and order the same values. MinTime is Go's
// zero time, which is no crawl time.
var (
	MinTime = time.Time{}.UTC()
	MaxTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// Validate rejects the snapshots a store cannot key: no repository, or a
// crawl time that is zero or out of range. It runs before the transaction
// starts so a bad batch costs nothing.
func Validate(snaps []store.Snapshot) error {
	for i, s := range snaps {
		r := s.Result
		switch {
		case r.Repo == "":
			return fmt.Errorf("snapshot %d: empty repo", i)
		case r.CrawledAt.IsZero():
			return fmt.Errorf("snapshot %d (%s): zero crawled_at", i, r.Repo)
		case r.CrawledAt.Before(MinTime) || !r.CrawledAt.Before(MaxTime):
			return fmt.Errorf("snapshot %d (%s): crawled_at %s out of range", i, r.Repo, r.CrawledAt.Format(time.RFC3339Nano))
		}
	}
	return nil
}

// Span returns the oldest and newest crawl times of snaps, which the
// crawls table records; snaps is not empty.
func Span(snaps []store.Snapshot) (started, finished time.Time) {
	started, finished = snaps[0].Result.CrawledAt, snaps[0].Result.CrawledAt
	for _, sn := range snaps[1:] {
		if t := sn.Result.CrawledAt; t.Before(started) {
			started = t
		} else if t.After(finished) {
			finished = t
		}
	}
	return started, finished
}

// Row is one snapshot as both stores write it.
type Row struct {
	Repo, Defi, Forge string
	CrawledAt         time.Time // UTC
	Score             *int
	Error             string
	Result            []byte // JSON of the result, crawled_at in UTC
	Facts             []byte // JSON of the facts; nil when there are none
}

// Encode turns a snapshot into the row stored. The result's crawled_at is
// moved to UTC first, as docs/reference.md's result object says it is.
func Encode(s store.Snapshot) (Row, error) {
	r := s.Result
	r.CrawledAt = r.CrawledAt.UTC()
	result, err := json.Marshal(r)
	if err != nil {
		return Row{}, fmt.Errorf("encode result of %s: %w", r.Repo, err)
	}
	var facts []byte
	if s.Facts != nil {
		if facts, err = json.Marshal(s.Facts); err != nil {
			return Row{}, fmt.Errorf("encode facts of %s: %w", r.Repo, err)
		}
	}
	return Row{
		Repo:      r.Repo,
		Defi:      r.Defi,
		Forge:     r.Forge,
		CrawledAt: r.CrawledAt,
		Score:     r.Score,
		Error:     r.Error,
		Result:    result,
		Facts:     facts,
	}, nil
}

// DecodeResult reads a stored result back. Times come back in UTC.
func DecodeResult(data []byte) (checks.Result, error) {
	var r checks.Result
	if err := json.Unmarshal(data, &r); err != nil {
		return checks.Result{}, fmt.Errorf("decode stored result: %w", err)
	}
	r.CrawledAt = r.CrawledAt.UTC()
	return r, nil
}

// DecodeSnapshot reads a stored result and its facts (nil or empty when the
// snapshot has none) back.
func DecodeSnapshot(result, facts []byte) (store.Snapshot, error) {
	r, err := DecodeResult(result)
	if err != nil {
		return store.Snapshot{}, err
	}
	s := store.Snapshot{Result: r}
	if len(facts) > 0 && !bytes.Equal(facts, []byte("null")) {
		var f crawler.Facts
		if err := json.Unmarshal(facts, &f); err != nil {
			return store.Snapshot{}, fmt.Errorf("decode stored facts of %s: %w", r.Repo, err)
		}
		s.Facts = &f
	}
	return s, nil
}

// Rows is what ScanSnapshots, ScanResults and ScanEntries read: *sql.Rows (SQLite) and
// pgx.Rows (Postgres) alike. The caller closes them.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// ScanSnapshots decodes rows of (result, facts).
func ScanSnapshots(rows Rows) ([]store.Snapshot, error) {
	var out []store.Snapshot
	for rows.Next() {
		var result, facts []byte
		if err := rows.Scan(&result, &facts); err != nil {
			return nil, err
		}
		sn, err := DecodeSnapshot(result, facts)
		if err != nil {
			return nil, err
		}
		out = append(out, sn)
	}
	return out, rows.Err()
}

// ScanResults decodes rows of (result).
func ScanResults(rows Rows) ([]checks.Result, error) {
	var out []checks.Result
	err := EachResult(rows, func(r checks.Result) error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ScanEntries reads rows of (repo, url, forge, defi, error), the brief
// index both stores answer Index with.
func ScanEntries(rows Rows) ([]store.Entry, error) {
	var out []store.Entry
	for rows.Next() {
		var e store.Entry
		if err := rows.Scan(&e.Repo, &e.URL, &e.Forge, &e.Defi, &e.Error); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Bound clamps a query bound into [MinTime, MaxTime], in UTC. Since every
// stored crawl time lies strictly between the two, a caller's "from the
// beginning" (zero or earlier) or "until forever" (any far future) selects
// the same snapshots on both back-ends.
func Bound(t time.Time) time.Time {
	switch {
	case t.Before(MinTime):
		return MinTime
	case t.After(MaxTime):
		return MaxTime
	}
	return t.UTC()
}

// EachResult decodes rows of (result) one at a time and hands each to fn,
// so a whole history is never held in memory at once. fn's error stops it.
func EachResult(rows Rows, fn func(checks.Result) error) error {
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return err
		}
		r, err := DecodeResult(data)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}
