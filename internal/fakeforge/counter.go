package fakeforge

import (
	"maps"
	"sync"
)

// RequestCounter counts the requests a fake forge answered, in all and per
// route. The GitHub and GitLab fakes embed it. Safe for concurrent use.
type RequestCounter struct {
	mu       sync.Mutex
	requests int
	paths    map[string]int
}

// Count records one request on route.
func (c *RequestCounter) Count(route string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.paths == nil {
		c.paths = map[string]int{}
	}
	c.requests++
	c.paths[route]++
}

// Requests returns how many API requests the fake answered.
func (c *RequestCounter) Requests() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.requests
}

// PathCounts returns the number of requests per route pattern (GitHub:
// "GET /repos/{owner}/{repo}/commits", "POST /graphql"; GitLab:
// "GET projects/:id/repository/tree").
func (c *RequestCounter) PathCounts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.paths))
	maps.Copy(out, c.paths)
	return out
}

// ResetCounts sets the request counters back to zero.
func (c *RequestCounter) ResetCounts() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests = 0
	c.paths = nil
}
