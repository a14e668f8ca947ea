// Package checks turns a repository's facts into scores. Every check is a
// pure function (no I/O, no clock): the crawl time comes with the facts, so a
// result is reproducible from a literal in a test.
package checks

import "time"

// Check is one check's verdict, as CONTRACT.md's result object holds it.
type Check struct {
	Name        string         `json:"name"`
	Score       int            `json:"score"`
	Reason      string         `json:"reason"`
	Remediation string         `json:"remediation"`
	Details     map[string]any `json:"details"`
}

// Result is CONTRACT.md's result object: one repository at one crawl.
type Result struct {
	Repo      string    `json:"repo"`
	URL       string    `json:"url"`
	Forge     string    `json:"forge"`
	Defi      string    `json:"defi"`
	CrawledAt time.Time `json:"crawled_at"`
	Score     *int      `json:"score"`
	Error     string    `json:"error"`
	Checks    []Check   `json:"checks"`

	// The programme's profile (profile.go): set on a fetched repository,
	// absent on an error and on results stored before it existed.
	Openness      *Openness       `json:"openness,omitempty"`
	Checklist     []ChecklistItem `json:"checklist,omitempty"`
	Publiccode    *Publiccode     `json:"publiccode,omitempty"`
	CodegouvScore *int            `json:"codegouv_score,omitempty"`
	// CodegouvRaise says what would raise the code.gouv.fr score, most
	// points first.
	CodegouvRaise []string `json:"codegouv_raise,omitempty"`
	// Continuity is null when the défi has no end date.
	Continuity *Continuity `json:"continuity"`
}

// Check returns the named check, or nil.
func (r *Result) Check(name string) *Check {
	for i := range r.Checks {
		if r.Checks[i].Name == name {
			return &r.Checks[i]
		}
	}
	return nil
}

// Mark returns the named check's score, or nil when the result has none: a
// result in error, one imported without that check. Readers go through it
// rather than reading Check.Score, so that a check that does not apply to a
// repository can leave its mark absent.
func (r *Result) Mark(name string) *int {
	if r == nil || r.Error != "" {
		return nil
	}
	c := r.Check(name)
	if c == nil {
		return nil
	}
	s := c.Score
	return &s
}
