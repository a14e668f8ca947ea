package httpx

import (
	"context"
	"sync"
)

// MemCache is an in-memory Cache, for tests, `vigie check` (which has no
// database) and the benchmark.
type MemCache struct {
	mu sync.Mutex
	m  map[string]memEntry
}

type memEntry struct {
	etag string
	body []byte
}

// NewMemCache returns an empty MemCache.
func NewMemCache() *MemCache { return &MemCache{m: map[string]memEntry{}} }

// CacheGet returns the entry of key; a miss is an empty etag.
func (c *MemCache) CacheGet(_ context.Context, key string) (string, []byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.m[key]
	return e.etag, e.body, nil
}

// CachePut stores etag and body under key.
func (c *MemCache) CachePut(_ context.Context, key, etag string, body []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = memEntry{etag: etag, body: append([]byte(nil), body...)}
	return nil
}

// Len returns the number of entries.
func (c *MemCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
