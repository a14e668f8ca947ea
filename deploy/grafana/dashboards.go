// Package grafana builds vigie's Grafana dashboards with Grafana's
// foundation SDK (typed dashboards, panels and Prometheus queries).
// dashboards/*.json are its output, committed for Grafana's provisioning:
// edit here, then `go generate ./deploy/grafana`; a test fails when the
// committed files are not what this package writes, and deploy's tests
// check every query against the metrics vigie exports.
package grafana

//lint:file-ignore SA1019 see build.go: the classic schema is the one Grafana's file provisioning reads

//go:generate go run ./gen

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// File is one dashboard as Grafana's provisioning reads it.
type File struct {
	Name string // under dashboards/
	JSON []byte
}

// Dashboards builds every dashboard, in the JSON committed under
// dashboards/.
func Dashboards() ([]File, error) {
	var out []File
	for _, d := range []struct {
		name string
		b    *dashboard.DashboardBuilder
	}{
		{"vigie-programme.json", programme()},
		{"vigie-repo.json", repo()},
		{"vigie-crawl.json", crawl()},
	} {
		built, err := d.b.Build()
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", d.name, err)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // PromQL's < and > stay readable
		enc.SetIndent("", "  ")
		if err := enc.Encode(built); err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", d.name, err)
		}
		out = append(out, File{Name: d.name, JSON: buf.Bytes()})
	}
	return out, nil
}
