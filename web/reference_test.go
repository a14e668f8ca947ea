package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/eiglink/vigie/internal/reftest"
)

// TestReferenceNamesEveryRoute: every route the server mounts is in
// docs/reference.md, by its path up to the first wildcard.
func TestReferenceNamesEveryRoute(t *testing.T) {
	s := &Server{opts: Options{Metrics: http.NotFoundHandler()}}
	var paths []string
	for _, r := range s.routeTable() {
		p := r.pattern
		if _, after, ok := strings.Cut(p, " "); ok {
			p = after
		}
		p, _, _ = strings.Cut(p, "{")
		paths = append(paths, p)
	}
	reftest.Want(t, "route", paths)
}
