// Package servetest holds test doubles for the readers of the store (metrics,
// web, serve): an in-memory store.Store with the SQLite store's semantics for
// the calls the readers make.
package servetest

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/store"
)

// MemStore is an in-memory store.Store. Safe for concurrent use.
type MemStore struct {
	mu      sync.Mutex
	snaps   []store.Snapshot // in storing order
	reports map[string]store.Report
	sent    map[string]bool
	cache   map[string][2][]byte
	// Fail, when set, is returned by every read (to test store outages).
	Fail error
}

// NewMemStore returns an empty store.
func NewMemStore() *MemStore {
	return &MemStore{reports: map[string]store.Report{}, sent: map[string]bool{}, cache: map[string][2][]byte{}}
}

var _ store.Store = (*MemStore)(nil)

func (m *MemStore) SaveCrawl(ctx context.Context, snaps []store.Snapshot) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range snaps {
		s.Result.CrawledAt = s.Result.CrawledAt.UTC()
		m.snaps = append(m.snaps, s)
	}
	return nil
}

// newest returns the newest snapshot per repo matching keep; later stored
// wins on equal crawled_at.
func (m *MemStore) newest(keep func(store.Snapshot) bool) map[string]store.Snapshot {
	out := map[string]store.Snapshot{}
	for _, s := range m.snaps {
		if !keep(s) {
			continue
		}
		if cur, ok := out[s.Result.Repo]; !ok || !s.Result.CrawledAt.Before(cur.Result.CrawledAt) {
			out[s.Result.Repo] = s
		}
	}
	return out
}

func sorted(by map[string]store.Snapshot) []store.Snapshot {
	out := make([]store.Snapshot, 0, len(by))
	for _, s := range by {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Result.Repo < out[j].Result.Repo })
	return out
}

func (m *MemStore) Latest(ctx context.Context) ([]store.Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return nil, m.Fail
	}
	return sorted(m.newest(func(store.Snapshot) bool { return true })), nil
}

func (m *MemStore) LatestGood(ctx context.Context, repo string) (store.Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return store.Snapshot{}, m.Fail
	}
	s, ok := m.newest(func(s store.Snapshot) bool { return s.Result.Repo == repo && s.Result.Error == "" })[repo]
	if !ok {
		return store.Snapshot{}, store.ErrNotFound
	}
	return s, nil
}

func (m *MemStore) Get(ctx context.Context, repo string) (store.Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return store.Snapshot{}, m.Fail
	}
	s, ok := m.newest(func(s store.Snapshot) bool { return s.Result.Repo == repo })[repo]
	if !ok {
		return store.Snapshot{}, store.ErrNotFound
	}
	return s, nil
}

func (m *MemStore) History(ctx context.Context, repo string, from, to time.Time) ([]checks.Result, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return nil, m.Fail
	}
	var out []checks.Result
	for _, s := range m.snaps {
		t := s.Result.CrawledAt
		if s.Result.Repo == repo && !t.Before(from) && t.Before(to) {
			out = append(out, s.Result)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CrawledAt.Before(out[j].CrawledAt) })
	return out, nil
}

func (m *MemStore) NewestIn(ctx context.Context, from, to time.Time) ([]checks.Result, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return nil, m.Fail
	}
	var out []checks.Result
	for _, s := range sorted(m.newest(func(s store.Snapshot) bool {
		t := s.Result.CrawledAt
		return !t.Before(from) && t.Before(to)
	})) {
		out = append(out, s.Result)
	}
	return out, nil
}

func (m *MemStore) LastCrawl(ctx context.Context) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return time.Time{}, m.Fail
	}
	var last time.Time
	for _, s := range m.snaps {
		if s.Result.CrawledAt.After(last) {
			last = s.Result.CrawledAt
		}
	}
	return last, nil
}

func (m *MemStore) SaveReport(ctx context.Context, r store.Report) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reports[r.Week] = r
	return nil
}

func (m *MemStore) Report(ctx context.Context, week string) (store.Report, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.reports[week]
	if !ok {
		return store.Report{}, store.ErrNotFound
	}
	return r, nil
}

func (m *MemStore) Reports(ctx context.Context) ([]store.Report, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.Report
	for _, r := range m.reports {
		r.HTML, r.JSON = nil, nil
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Week > out[j].Week })
	return out, nil
}

func (m *MemStore) MarkSent(ctx context.Context, week, scope, recipient string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent[week+"\x00"+scope+"\x00"+recipient] = true
	return nil
}

func (m *MemStore) Sent(ctx context.Context, week, scope, recipient string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sent[week+"\x00"+scope+"\x00"+recipient], nil
}

func (m *MemStore) CacheGet(ctx context.Context, key string) (string, []byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.cache[key]
	if !ok {
		return "", nil, store.ErrNotFound
	}
	return string(v[0]), v[1], nil
}

func (m *MemStore) CachePut(ctx context.Context, key, etag string, body []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cache[key] = [2][]byte{[]byte(etag), body}
	return nil
}

func (m *MemStore) Close() error { return nil }
