package config

import (
	"reflect"
	"testing"

	"github.com/eiglink/vigie/checks"
)

// The checks' options come from scoring and report.language; the defaults
// are the checks' own.
func TestCheckOptions(t *testing.T) {
	noEnv := func(string) string { return "" }
	set := checks.DefaultWeights()
	set["ci"], set["readme"] = 2, 0
	tests := []struct {
		name, yaml string
		want       checks.Options
	}{
		{"defaults", "", checks.Options{Weights: checks.DefaultWeights(), DormantDays: checks.DefaultDormantDays, Language: "fr"}},
		{"set", "scoring:\n  weights: {ci: 2, readme: 0}\n  dormant_days: 30\nreport:\n  language: en\n",
			checks.Options{Weights: set, DormantDays: 30, Language: "en"}},
	}
	for _, tt := range tests {
		cfg, err := Parse("vigie.yml", []byte(base+tt.yaml), noEnv)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := cfg.CheckOptions(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: CheckOptions = %+v, want %+v", tt.name, got, tt.want)
		}
	}
	if len(checks.DefaultWeights()) != len(checks.Names()) {
		t.Errorf("default weights %v do not name every check %v", checks.DefaultWeights(), checks.Names())
	}
}
