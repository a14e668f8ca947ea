// Package reftest keeps docs/reference.md true: the packages that own a
// part of vigie's interface (configuration keys, metrics, routes, flags)
// list what they really accept or serve, and Want fails for each item the
// reference does not name.
package reftest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Path is the reference's path from the module root.
const Path = "docs/reference.md"

// Want fails t for each name that docs/reference.md does not mention as
// code, i.e. that no `…` span starts with. what says what the names are,
// for the message.
func Want(t testing.TB, what string, names []string) {
	t.Helper()
	if len(names) == 0 {
		t.Fatalf("no %s to look for: the list the test built is empty", what)
	}
	doc := read(t)
	for _, n := range names {
		if !strings.Contains(doc, "`"+n) {
			t.Errorf("%s: %s %q is not documented: add it to %s", Path, what, n, Path)
		}
	}
}

// read finds the module root (the directory with go.mod) above the test's
// working directory and reads the reference there.
func read(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("reftest: no go.mod above the working directory")
		}
		dir = parent
	}
	b, err := os.ReadFile(filepath.Join(dir, Path))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
