// Package migrations reads a back-end's numbered SQL migrations and decides
// which of them a database still needs. Applying them is the back-end's
// business (each has its own transaction and locking rules).
package migrations

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/eiglink/vigie/store"
)

// Migration is one schema step: file NNNN_name.sql holds version NNNN.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Load reads the *.sql files of dir in fsys, named "<version>_<name>.sql"
// with versions 1, 2, 3... without gaps, so that a version number alone
// says which schema a database has.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		base := strings.TrimSuffix(e.Name(), ".sql")
		num, name, ok := strings.Cut(base, "_")
		if !ok {
			return nil, fmt.Errorf("migration %s: name is not <version>_<name>.sql", e.Name())
		}
		v, err := strconv.Atoi(num)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("migration %s: version %q is not a positive integer", e.Name(), num)
		}
		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %d_%s: expected version %d (versions must run 1, 2, 3... without gaps or repeats)", m.Version, m.Name, i+1)
		}
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("no migrations in %s", dir)
	}
	return ms, nil
}

// Pending returns the migrations a database at version current (0: empty)
// still needs, or an error wrapping store.ErrSchemaNewer when the database is
// ahead of the migrations this binary knows.
func Pending(known []Migration, current int) ([]Migration, error) {
	latest := 0
	if len(known) > 0 {
		latest = known[len(known)-1].Version
	}
	if current > latest {
		return nil, fmt.Errorf("%w: database is at schema version %d, this vigie knows up to %d; run a newer vigie", store.ErrSchemaNewer, current, latest)
	}
	return known[current:], nil
}
