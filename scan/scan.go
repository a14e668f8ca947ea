// Package scan wires a crawl: configured repositories (and the organisations
// to discover) go to their forge's crawler, the facts through the checks, and
// the results into the store. `vigie check`, `vigie crawl`, the scheduled
// crawls of `vigie serve` and its check form all go through it.
package scan

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/store"
)

// Options are a Scanner's collaborators.
type Options struct {
	Store  store.Store // nil: Check only
	Logger *slog.Logger
	// Now gives the crawl time; nil means time.Now.
	Now func() time.Time
}

// Scanner runs checks and crawls for one configuration.
type Scanner struct {
	cfg  *config.Config
	opts Options
}

// New builds a Scanner with one crawler per configured forge.
func New(cfg *config.Config, opts Options) (*Scanner, error) {
	return &Scanner{cfg: cfg, opts: opts}, nil
}

// Check fetches and scores the given repository URLs now, without storing.
// It returns one snapshot per URL, in order. Its error is a usage error: a
// URL that is malformed or on no configured forge, before any network call.
func (s *Scanner) Check(ctx context.Context, urls []string) ([]store.Snapshot, error) {
	return nil, errors.New("scan: not implemented yet")
}

// Crawl crawls every configured repository (discovering organisations'
// repositories), stores the snapshots in one transaction and returns them in
// configuration order.
func (s *Scanner) Crawl(ctx context.Context) ([]store.Snapshot, error) {
	return nil, errors.New("scan: not implemented yet")
}
