// Package open opens the store the configuration names. It sits apart from
// package store because the back-ends import store for its interface.
package open

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/postgres"
	"github.com/eiglink/vigie/store/sqlite"
)

// Drivers are the storage.driver values Open knows.
var Drivers = []string{"sqlite", "postgres"}

// Open opens the store of driver ("sqlite", the default when empty, or
// "postgres") at dsn, migrating its schema. The error names the driver and
// the database, never a password.
func Open(ctx context.Context, driver, dsn string, logger *slog.Logger) (store.Store, error) {
	switch driver {
	case "", "sqlite":
		s, err := sqlite.Open(ctx, dsn, logger)
		if err != nil {
			return nil, err
		}
		return s, nil
	case "postgres":
		s, err := postgres.Open(ctx, dsn, logger)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	return nil, fmt.Errorf("unknown storage driver %q (want one of %q)", driver, Drivers)
}
