// Package memstore is a store.Store held in memory, for the tests of the
// store's callers (report, mail, importer, metrics, web, serve). It keeps the
// contract of the SQLite and Postgres stores — the storetest conformance
// suite runs against it — and can be told to fail.
package memstore

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/internal/codec"
)

// data is one in-memory database, shared by the handles Open returns.
type data struct {
	mu      sync.Mutex
	rows    []codec.Row // in storing order
	crawls  []crawl     // crawl id i+1 is crawls[i]
	reports map[string]store.Report
	sent    map[[3]string]time.Time
	claims  map[[2]string]claim
	cache   map[string]cached
}

type claim struct {
	at   time.Time
	sent bool
}

// crawl is one crawl's record: complete once ended (SaveCrawl: at once).
type crawl struct {
	complete bool
	finished time.Time // newest crawled_at of its snapshots
	n        int
}

type cached struct {
	etag string
	body []byte
}

// Store is one handle on an in-memory database. Safe for concurrent use.
type Store struct {
	db     *data
	closed bool // guarded by db.mu

	// FailSave, when set, is returned by SaveCrawl (to test all-or-nothing
	// callers).
	FailSave error
	// FailRead, when set, is returned by every read of snapshots (Latest,
	// LatestGood, Get, History, NewestIn, LastCrawl), to test store outages.
	FailRead error
}

var _ store.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{db: &data{
		reports: map[string]store.Report{},
		sent:    map[[3]string]time.Time{},
		claims:  map[[2]string]claim{},
		cache:   map[string]cached{},
	}}
}

// Open returns another handle on the same database, as a second process or
// a restart would see it. Closing one handle leaves the others open.
func (m *Store) Open() *Store { return &Store{db: m.db} }

// lock takes the database for one call, or returns store.ErrClosed.
func (m *Store) lock() error {
	m.db.mu.Lock()
	if m.closed {
		m.db.mu.Unlock()
		return store.ErrClosed
	}
	return nil
}

func (m *Store) unlock() { m.db.mu.Unlock() }

// lockRead is lock for the reads FailRead makes fail.
func (m *Store) lockRead() error {
	if err := m.lock(); err != nil {
		return err
	}
	if m.FailRead != nil {
		m.unlock()
		return m.FailRead
	}
	return nil
}

// SaveCrawl stores snaps as JSON, all or nothing, as the database stores do.
func (m *Store) SaveCrawl(ctx context.Context, snaps []store.Snapshot) error {
	return m.save(ctx, "save crawl", 0, snaps)
}

// BeginCrawl records a crawl to be stored in parts.
func (m *Store) BeginCrawl(ctx context.Context, at time.Time) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := m.lock(); err != nil {
		return 0, err
	}
	defer m.unlock()
	if m.FailSave != nil {
		return 0, m.FailSave
	}
	m.db.crawls = append(m.db.crawls, crawl{finished: at})
	return int64(len(m.db.crawls)), nil
}

// SavePart stores snaps as one part of crawl id, all or nothing.
func (m *Store) SavePart(ctx context.Context, id int64, snaps []store.Snapshot) error {
	if id <= 0 {
		return fmt.Errorf("save part: no crawl %d", id)
	}
	return m.save(ctx, "save part", id, snaps)
}

// EndCrawl marks crawl id complete.
func (m *Store) EndCrawl(ctx context.Context, id int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := m.lock(); err != nil {
		return err
	}
	defer m.unlock()
	if id <= 0 || int(id) > len(m.db.crawls) || m.db.crawls[id-1].complete {
		return fmt.Errorf("end crawl %d: no such crawl in progress", id)
	}
	m.db.crawls[id-1].complete = true
	return nil
}

// save stores snaps as a new complete crawl (id 0) or a part of crawl id.
func (m *Store) save(ctx context.Context, what string, id int64, snaps []store.Snapshot) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := codec.Validate(snaps); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	rows := make([]codec.Row, len(snaps))
	for i, s := range snaps {
		r, err := codec.Encode(s)
		if err != nil {
			return fmt.Errorf("save crawl: %w", err)
		}
		rows[i] = r
	}
	if err := m.lock(); err != nil {
		return err
	}
	defer m.unlock()
	if m.FailSave != nil {
		return m.FailSave
	}
	if len(rows) == 0 {
		return nil
	}
	var c *crawl
	if id == 0 {
		m.db.crawls = append(m.db.crawls, crawl{complete: true})
		c = &m.db.crawls[len(m.db.crawls)-1]
	} else {
		if int(id) > len(m.db.crawls) || m.db.crawls[id-1].complete {
			return fmt.Errorf("%s: crawl %d: no such crawl in progress", what, id)
		}
		c = &m.db.crawls[id-1]
	}
	for _, r := range rows {
		if r.CrawledAt.After(c.finished) {
			c.finished = r.CrawledAt
		}
	}
	c.n += len(rows)
	m.db.rows = append(m.db.rows, rows...)
	return nil
}

// LatestOf returns the newest snapshot of each of repos that has one.
func (m *Store) LatestOf(ctx context.Context, repos []string) ([]store.Snapshot, error) {
	want := map[string]bool{}
	for _, r := range repos {
		want[r] = true
	}
	all, err := m.Latest(ctx)
	if err != nil {
		return nil, err
	}
	var out []store.Snapshot
	for _, sn := range all {
		if want[sn.Result.Repo] {
			out = append(out, sn)
		}
	}
	return out, nil
}

// Index returns the newest snapshot of every repository in brief.
func (m *Store) Index(ctx context.Context) ([]store.Entry, error) {
	all, err := m.Latest(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]store.Entry, len(all))
	for i, sn := range all {
		r := sn.Result
		out[i] = store.Entry{Repo: r.Repo, URL: r.URL, Forge: r.Forge, Defi: r.Defi, Error: r.Error}
	}
	return out, nil
}

// newest returns the newest row per repo among those keep accepts, sorted
// by repo; of two rows with the same crawled_at, the later stored wins.
func (m *Store) newest(keep func(codec.Row) bool) []codec.Row {
	by := map[string]codec.Row{}
	for _, r := range m.db.rows {
		if !keep(r) {
			continue
		}
		if cur, ok := by[r.Repo]; !ok || !r.CrawledAt.Before(cur.CrawledAt) {
			by[r.Repo] = r
		}
	}
	out := make([]codec.Row, 0, len(by))
	for _, r := range by {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Repo < out[j].Repo })
	return out
}

func in(t, from, to time.Time) bool { return !t.Before(from) && t.Before(to) }

func (m *Store) Latest(ctx context.Context) ([]store.Snapshot, error) {
	if err := m.lockRead(); err != nil {
		return nil, err
	}
	defer m.unlock()
	var out []store.Snapshot
	for _, r := range m.newest(func(codec.Row) bool { return true }) {
		s, err := codec.DecodeSnapshot(r.Result, r.Facts)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// one returns the newest snapshot of repo among the rows keep accepts.
func (m *Store) one(repo string, keep func(codec.Row) bool) (store.Snapshot, error) {
	if err := m.lockRead(); err != nil {
		return store.Snapshot{}, err
	}
	defer m.unlock()
	l := m.newest(func(r codec.Row) bool { return r.Repo == repo && keep(r) })
	if len(l) == 0 {
		return store.Snapshot{}, fmt.Errorf("%s: %w", repo, store.ErrNotFound)
	}
	return codec.DecodeSnapshot(l[0].Result, l[0].Facts)
}

func (m *Store) LatestGood(ctx context.Context, repo string) (store.Snapshot, error) {
	return m.one(repo, func(r codec.Row) bool { return r.Error == "" })
}

func (m *Store) Get(ctx context.Context, repo string) (store.Snapshot, error) {
	return m.one(repo, func(codec.Row) bool { return true })
}

func (m *Store) History(ctx context.Context, repo string, from, to time.Time) ([]checks.Result, error) {
	if err := m.lockRead(); err != nil {
		return nil, err
	}
	defer m.unlock()
	var rows []codec.Row
	for _, r := range m.db.rows {
		if r.Repo == repo && in(r.CrawledAt, from, to) {
			rows = append(rows, r)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].CrawledAt.Before(rows[j].CrawledAt) })
	return decodeResults(rows)
}

func (m *Store) NewestIn(ctx context.Context, from, to time.Time) ([]checks.Result, error) {
	if err := m.lockRead(); err != nil {
		return nil, err
	}
	defer m.unlock()
	return decodeResults(m.newest(func(r codec.Row) bool { return in(r.CrawledAt, from, to) }))
}

func decodeResults(rows []codec.Row) ([]checks.Result, error) {
	var out []checks.Result
	for _, r := range rows {
		res, err := codec.DecodeResult(r.Result)
		if err != nil {
			return nil, err
		}
		out = append(out, res)
	}
	return out, nil
}

func (m *Store) LastCrawl(ctx context.Context) (time.Time, error) {
	if err := m.lockRead(); err != nil {
		return time.Time{}, err
	}
	defer m.unlock()
	var last time.Time
	for _, c := range m.db.crawls {
		if c.complete && c.n > 0 && c.finished.After(last) {
			last = c.finished
		}
	}
	return last, nil
}

func (m *Store) SaveReport(ctx context.Context, r store.Report) error {
	if r.Week == "" {
		return fmt.Errorf("save report: empty week")
	}
	if err := m.lock(); err != nil {
		return err
	}
	defer m.unlock()
	r.GeneratedAt = r.GeneratedAt.UTC()
	r.HTML = append([]byte{}, r.HTML...)
	r.JSON = append([]byte{}, r.JSON...)
	m.db.reports[r.Week] = r
	return nil
}

func (m *Store) Report(ctx context.Context, week string) (store.Report, error) {
	if err := m.lock(); err != nil {
		return store.Report{}, err
	}
	defer m.unlock()
	r, ok := m.db.reports[week]
	if !ok {
		return store.Report{}, fmt.Errorf("report %s: %w", week, store.ErrNotFound)
	}
	return r, nil
}

func (m *Store) Reports(ctx context.Context) ([]store.Report, error) {
	if err := m.lock(); err != nil {
		return nil, err
	}
	defer m.unlock()
	var out []store.Report
	for _, r := range m.db.reports {
		out = append(out, store.Report{Week: r.Week, GeneratedAt: r.GeneratedAt})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Week > out[j].Week })
	return out, nil
}

// MarkSent records a mail accepted by the server; recording it again keeps
// the first time.
func (m *Store) MarkSent(ctx context.Context, week, scope, recipient string, at time.Time) error {
	if err := m.lock(); err != nil {
		return err
	}
	defer m.unlock()
	k := [3]string{week, scope, recipient}
	if _, ok := m.db.sent[k]; !ok {
		m.db.sent[k] = at.UTC()
	}
	ck := [2]string{week, store.MailKey(recipient)}
	if c, ok := m.db.claims[ck]; ok {
		c.sent = true
		m.db.claims[ck] = c
	}
	return nil
}

// ClaimSend claims the mail as the database stores do: once, unless the
// claim was left neither sent nor released for store.ClaimTimeout.
func (m *Store) ClaimSend(ctx context.Context, week, scope, recipient string, at time.Time) (bool, error) {
	if err := m.lock(); err != nil {
		return false, err
	}
	defer m.unlock()
	k := [2]string{week, store.MailKey(recipient)}
	if c, ok := m.db.claims[k]; ok && (c.sent || !c.at.Before(at.Add(-store.ClaimTimeout))) {
		return false, nil
	}
	m.db.claims[k] = claim{at: at}
	return true, nil
}

// ReleaseSend gives up a claim not completed by MarkSent.
func (m *Store) ReleaseSend(ctx context.Context, week, recipient string) error {
	if err := m.lock(); err != nil {
		return err
	}
	defer m.unlock()
	k := [2]string{week, store.MailKey(recipient)}
	if c, ok := m.db.claims[k]; ok && !c.sent {
		delete(m.db.claims, k)
	}
	return nil
}

// Results hands fn every result crawled at or after since, oldest first
// (ties in storing order). The database is not held while fn runs.
func (m *Store) Results(ctx context.Context, since time.Time, fn func(checks.Result) error) error {
	if err := m.lockRead(); err != nil {
		return err
	}
	var rows []codec.Row
	for _, r := range m.db.rows {
		if !r.CrawledAt.Before(since) {
			rows = append(rows, r)
		}
	}
	m.unlock()
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].CrawledAt.Before(rows[j].CrawledAt) })
	for _, r := range rows {
		res, err := codec.DecodeResult(r.Result)
		if err != nil {
			return fmt.Errorf("results: %w", err)
		}
		if err := fn(res); err != nil {
			return err
		}
	}
	return nil
}

func (m *Store) Sent(ctx context.Context, week, scope, recipient string) (bool, error) {
	if err := m.lock(); err != nil {
		return false, err
	}
	defer m.unlock()
	_, ok := m.db.sent[[3]string{week, scope, recipient}]
	return ok, nil
}

func (m *Store) CacheGet(ctx context.Context, key string) (string, []byte, error) {
	if err := m.lock(); err != nil {
		return "", nil, err
	}
	defer m.unlock()
	c, ok := m.db.cache[key]
	if !ok {
		return "", nil, fmt.Errorf("cache %s: %w", key, store.ErrNotFound)
	}
	return c.etag, append([]byte{}, c.body...), nil
}

func (m *Store) CachePut(ctx context.Context, key, etag string, body []byte) error {
	if err := m.lock(); err != nil {
		return err
	}
	defer m.unlock()
	m.db.cache[key] = cached{etag: etag, body: append([]byte{}, body...)}
	return nil
}

// Close makes this handle's later calls return store.ErrClosed, once the
// call in flight has finished. The database stays for the other handles.
func (m *Store) Close() error {
	m.db.mu.Lock()
	defer m.db.mu.Unlock()
	m.closed = true
	return nil
}

// Count returns how many snapshots are stored.
func (m *Store) Count() int {
	m.db.mu.Lock()
	defer m.db.mu.Unlock()
	return len(m.db.rows)
}
