package memstore_test

import (
	"context"
	"testing"

	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/memstore"
	"github.com/eiglink/vigie/store/storetest"
)

// newDB gives each test its own database; every open is a new handle on it.
func newDB(t testing.TB) storetest.Opener {
	db := memstore.New()
	return func(ctx context.Context) (store.Store, error) {
		return db.Open(), nil
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, newDB)
}
