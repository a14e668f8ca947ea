// Package sqlitetest holds what the report, mail and importer tests share:
// a SQLite store opened for one test. (The in-memory store is
// store/memstore.)
package sqlitetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/eiglink/vigie/store/sqlite"
)

// SQLite opens (creating it) the SQLite store at path ("" a new file in a
// temporary directory) and closes it when the test ends. Opening the same
// path again is how a test restarts vigie.
func SQLite(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "vigie.db")
	}
	st, err := sqlite.Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
