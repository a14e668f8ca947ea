// Command gen writes vigie's Grafana dashboards into deploy/grafana/dashboards
// (run by `go generate ./deploy/grafana`, from that directory).
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/eiglink/vigie/deploy/grafana"
)

func main() {
	files, err := grafana.Dashboards()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	for _, f := range files {
		p := filepath.Join("dashboards", f.Name)
		if err := os.WriteFile(p, f.JSON, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
}
