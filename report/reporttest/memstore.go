// Package reporttest holds what the report, mail and importer tests share:
// an in-memory store.Store.
package reporttest

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/store"
)

// MemStore is a store.Store in memory, for tests.
type MemStore struct {
	mu      sync.Mutex
	snaps   map[string][]store.Snapshot // by repo, oldest first
	reports map[string]store.Report
	sent    map[[3]string]time.Time
	cache   map[string][2][]byte
	// FailSave makes SaveCrawl fail (to test all-or-nothing callers).
	FailSave error
}

var _ store.Store = (*MemStore)(nil)

// NewMemStore returns an empty store.
func NewMemStore() *MemStore {
	return &MemStore{
		snaps:   map[string][]store.Snapshot{},
		reports: map[string]store.Report{},
		sent:    map[[3]string]time.Time{},
		cache:   map[string][2][]byte{},
	}
}

func (m *MemStore) SaveCrawl(ctx context.Context, snaps []store.Snapshot) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.FailSave != nil {
		return m.FailSave
	}
	for _, s := range snaps {
		l := append(m.snaps[s.Result.Repo], s)
		sort.SliceStable(l, func(i, j int) bool { return l[i].Result.CrawledAt.Before(l[j].Result.CrawledAt) })
		m.snaps[s.Result.Repo] = l
	}
	return nil
}

func (m *MemStore) repos() []string {
	var out []string
	for r := range m.snaps {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

func (m *MemStore) Latest(ctx context.Context) ([]store.Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []store.Snapshot
	for _, r := range m.repos() {
		l := m.snaps[r]
		out = append(out, l[len(l)-1])
	}
	return out, nil
}

func (m *MemStore) LatestGood(ctx context.Context, repo string) (store.Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.snaps[repo]
	for i := len(l) - 1; i >= 0; i-- {
		if l[i].Result.Error == "" {
			return l[i], nil
		}
	}
	return store.Snapshot{}, store.ErrNotFound
}

func (m *MemStore) Get(ctx context.Context, repo string) (store.Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.snaps[repo]
	if len(l) == 0 {
		return store.Snapshot{}, store.ErrNotFound
	}
	return l[len(l)-1], nil
}

func in(t, from, to time.Time) bool { return !t.Before(from) && t.Before(to) }

func (m *MemStore) History(ctx context.Context, repo string, from, to time.Time) ([]checks.Result, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []checks.Result
	for _, s := range m.snaps[repo] {
		if in(s.Result.CrawledAt, from, to) {
			out = append(out, s.Result)
		}
	}
	return out, nil
}

func (m *MemStore) NewestIn(ctx context.Context, from, to time.Time) ([]checks.Result, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []checks.Result
	for _, r := range m.repos() {
		l := m.snaps[r]
		for i := len(l) - 1; i >= 0; i-- {
			if in(l[i].Result.CrawledAt, from, to) {
				out = append(out, l[i].Result)
				break
			}
		}
	}
	return out, nil
}

func (m *MemStore) LastCrawl(ctx context.Context) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var last time.Time
	for _, l := range m.snaps {
		if t := l[len(l)-1].Result.CrawledAt; t.After(last) {
			last = t
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
		out = append(out, store.Report{Week: r.Week, GeneratedAt: r.GeneratedAt})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Week > out[j].Week })
	return out, nil
}

func (m *MemStore) MarkSent(ctx context.Context, week, scope, recipient string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent[[3]string{week, scope, recipient}] = at
	return nil
}

func (m *MemStore) Sent(ctx context.Context, week, scope, recipient string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.sent[[3]string{week, scope, recipient}]
	return ok, nil
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

// Count returns how many snapshots are stored.
func (m *MemStore) Count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, l := range m.snaps {
		n += len(l)
	}
	return n
}
