package checks

import (
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/locale"
)

// The checks' names, as results, scoring.weights, metrics and the report
// spell them.
const (
	NameLicense  = "license"
	NameReadme   = "readme"
	NameCI       = "ci"
	NameActivity = "activity"
)

// The details the readers interpret (the report's changes, the metrics);
// each is listed in its check's Def.Details.
const (
	// DetailSPDX (license) is the licence's SPDX expression, "" for none,
	// NOASSERTION for a file no one identifies.
	DetailSPDX = "spdx_id"
	// DetailCIStatus (ci) is the latest run's status on the default branch:
	// crawler.StatusSuccess, StatusFailure...
	DetailCIStatus = "status"
	// DetailArchived (activity) tells whether the forge marks the
	// repository archived.
	DetailArchived = "archived"
	// DetailArchivedUnknown (activity) is true when the forge did not say
	// whether the repository is archived: archived is then false by
	// default, not by answer.
	DetailArchivedUnknown = "archived_unknown"
	// DetailLastCommitAt (activity) is the newest commit's date on the
	// default branch (RFC 3339), "" when there is none.
	DetailLastCommitAt = "last_commit_at"
)

// Def declares one check: everything the rest of vigie knows of it. The
// readers (configuration, pages, report, command line) range over List
// rather than spelling the checks out, so a new check is declared here,
// with its function and its tests, and nowhere else.
type Def struct {
	// Name is how results, scoring.weights and the metrics name the check.
	Name string
	// Title is the check's name for people, as the pages show it.
	Title locale.Text
	// Short is the title in tight places: the report's tables.
	Short locale.Text
	// Weight is its default weight in the overall score (scoring.weights).
	Weight float64
	// Details are the keys of its details (a given result may lack some:
	// they depend on what the check found).
	Details []string

	run checkFunc
}

// checkFunc is one check: a pure function of the facts.
type checkFunc func(crawler.Facts, Options) Check

// list says which checks run, in order: the first four and their order are
// part of the JSON result's interface; a new check is appended.
var list = []Def{
	{
		Name:    NameLicense,
		Title:   locale.Text{FR: "Licence", EN: "Licence"},
		Short:   locale.Text{FR: "Licence", EN: "Licence"},
		Weight:  1,
		Details: []string{DetailSPDX, "file", "forge_spdx", "files", "approved_for_french_administration"},
		run:     License,
	},
	{
		Name:    NameReadme,
		Title:   locale.Text{FR: "README", EN: "README"},
		Short:   locale.Text{FR: "README", EN: "README"},
		Weight:  1,
		Details: []string{"file", "bytes", "sections", "code_blocks", "placeholder"},
		run:     Readme,
	},
	{
		Name:    NameCI,
		Title:   locale.Text{FR: "Intégration continue", EN: "Continuous integration"},
		Short:   locale.Text{FR: "CI", EN: "CI"},
		Weight:  1,
		Details: []string{"systems", DetailCIStatus, "files", "run_at", "run_url", "suggested_file", "suggested_config"},
		run:     CI,
	},
	{
		Name:    NameActivity,
		Title:   locale.Text{FR: "Activité", EN: "Activity"},
		Short:   locale.Text{FR: "Activité", EN: "Activity"},
		Weight:  1,
		Details: []string{DetailArchived, DetailArchivedUnknown, DetailLastCommitAt, "commits_90d", "contributors_90d", "dormant_days", "days_since_last_commit", "young"},
		run:     Activity,
	},
}

// List returns the checks that run, in order.
func List() []Def {
	out := make([]Def, len(list))
	copy(out, list)
	for i := range out {
		out[i].Details = append([]string(nil), out[i].Details...)
	}
	return out
}

// Names returns the names of the checks that run, in order.
func Names() []string {
	names := make([]string, len(list))
	for i, c := range list {
		names[i] = c.Name
	}
	return names
}

// Lookup returns the named check's declaration.
func Lookup(name string) (Def, bool) {
	for _, d := range List() {
		if d.Name == name {
			return d, true
		}
	}
	return Def{}, false
}

// DefaultWeights returns every check's default weight by name: what
// scoring.weights starts from.
func DefaultWeights() map[string]float64 {
	w := make(map[string]float64, len(list))
	for _, d := range list {
		w[d.Name] = d.Weight
	}
	return w
}
