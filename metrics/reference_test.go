package metrics

import (
	"regexp"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/internal/reftest"
)

// TestReferenceNamesEveryMetric: every metric vigie's own collectors
// describe is in docs/reference.md.
func TestReferenceNamesEveryMetric(t *testing.T) {
	m := New(&config.Config{}, nil, nil)
	fqName := regexp.MustCompile(`fqName: "([^"]+)"`)
	var names []string
	for _, c := range m.own {
		ch := make(chan *prometheus.Desc)
		go func() { c.Describe(ch); close(ch) }()
		for d := range ch {
			mt := fqName.FindStringSubmatch(d.String())
			if mt == nil {
				t.Fatalf("no name in %s", d)
			}
			names = append(names, mt[1])
		}
	}
	if len(names) < 8 {
		t.Fatalf("only %d metrics described: %q", len(names), names)
	}
	reftest.Want(t, "metric", names)
}
