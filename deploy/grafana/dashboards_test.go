package grafana

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCommittedDashboardsAreGenerated: dashboards/ holds exactly what
// Dashboards writes, no file more or less, byte for byte.
func TestCommittedDashboardsAreGenerated(t *testing.T) {
	files, err := Dashboards()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, f := range files {
		want[f.Name] = true
		got, err := os.ReadFile(filepath.Join("dashboards", f.Name))
		if err != nil {
			t.Errorf("%v: run go generate ./deploy/grafana", err)
			continue
		}
		if !bytes.Equal(got, f.JSON) {
			t.Errorf("dashboards/%s is not what the generator writes: run go generate ./deploy/grafana", f.Name)
		}
	}
	committed, _ := filepath.Glob("dashboards/*.json")
	for _, c := range committed {
		if !want[filepath.Base(c)] {
			t.Errorf("%s: no generator writes it", c)
		}
	}
	if len(files) != 3 {
		t.Errorf("%d dashboards, want the programme, repository and crawl ones", len(files))
	}
}
