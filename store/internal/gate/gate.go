// Package gate lets a store close without cutting a call short: Close waits
// for the calls already admitted, and refuses new ones.
package gate

import (
	"sync"

	"github.com/eiglink/vigie/store"
)

// Gate counts the calls in flight. The zero value is open.
type Gate struct {
	mu       sync.Mutex
	closed   bool
	inflight sync.WaitGroup
}

// Enter admits a call, or returns store.ErrClosed. Leave must follow a nil
// return.
func (g *Gate) Enter() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return store.ErrClosed
	}
	// Add happens under mu while open, so it never races the Wait in Close.
	g.inflight.Add(1)
	return nil
}

// Leave ends a call Enter admitted.
func (g *Gate) Leave() { g.inflight.Done() }

// Close refuses new calls and waits for those in flight. It reports false
// when the gate was already closed, so the caller releases its resources
// once.
func (g *Gate) Close() bool {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return false
	}
	g.closed = true
	g.mu.Unlock()
	g.inflight.Wait()
	return true
}
