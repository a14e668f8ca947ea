package main

import (
	"context"
	"errors"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/store"
)

func (a *app) openStore(ctx context.Context, cfg *config.Config) (store.Store, error) {
	return nil, errors.New("store: not wired yet")
}

func (a *app) serve(ctx context.Context, args []string) error  { return errors.New("serve: not wired yet") }
func (a *app) report(ctx context.Context, args []string) error { return errors.New("report: not wired yet") }
func (a *app) importResults(ctx context.Context, args []string) error {
	return errors.New("import: not wired yet")
}
