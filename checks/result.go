// Package checks turns a repository's facts into scores. Every check is a
// pure function (no I/O, no clock): the crawl time comes with the facts, so a
// result is reproducible from a literal in a test.
package checks

import (
	"encoding/json"
	"time"
)

// Check is one check's verdict, as docs/reference.md's result object holds it.
type Check struct {
	Name string `json:"name"`
	// Score is 0..10; it means nothing when NotApplicable.
	Score int `json:"score"`
	// NotApplicable says the check does not apply to the repository (ci and
	// activity of an archived one): its score is null in JSON, it is left
	// out of the overall score, and Reason says why. Readers go through
	// Result.Mark, which returns nil for it.
	NotApplicable bool           `json:"-"`
	Reason        string         `json:"reason"`
	Remediation   string         `json:"remediation"`
	Details       map[string]any `json:"details"`
}

// checkJSON is Check as the result object spells it: a null score for a
// check that does not apply.
type checkJSON struct {
	Name        string         `json:"name"`
	Score       *int           `json:"score"`
	Reason      string         `json:"reason"`
	Remediation string         `json:"remediation"`
	Details     map[string]any `json:"details"`
}

// MarshalJSON writes the score as null when the check does not apply.
func (c Check) MarshalJSON() ([]byte, error) {
	j := checkJSON{Name: c.Name, Reason: c.Reason, Remediation: c.Remediation, Details: c.Details}
	if !c.NotApplicable {
		s := c.Score
		j.Score = &s
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a null (or absent) score as a check that does not
// apply.
func (c *Check) UnmarshalJSON(b []byte) error {
	var j checkJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*c = Check{Name: j.Name, Reason: j.Reason, Remediation: j.Remediation, Details: j.Details, NotApplicable: j.Score == nil}
	if j.Score != nil {
		c.Score = *j.Score
	}
	return nil
}

// Applies tells whether the check applies to the repository (its score
// counts).
func (c Check) Applies() bool { return !c.NotApplicable }

// Result is docs/reference.md's result object: one repository at one crawl.
type Result struct {
	Repo      string    `json:"repo"`
	URL       string    `json:"url"`
	Forge     string    `json:"forge"`
	Defi      string    `json:"defi"`
	CrawledAt time.Time `json:"crawled_at"`
	Score     *int      `json:"score"`
	Error     string    `json:"error"`
	// Failure classifies Error (crawler.Fail*: not_found, access_refused,
	// renamed, rate_limited, forge_unreachable, forge_error, timeout); ""
	// when the result has no error or it was not classified.
	Failure string  `json:"failure,omitempty"`
	Checks  []Check `json:"checks"`

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
	if c == nil || c.NotApplicable {
		return nil
	}
	s := c.Score
	return &s
}
