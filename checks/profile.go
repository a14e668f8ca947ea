package checks

import (
	"time"

	"github.com/eiglink/vigie/crawler"
)

// The programme's profile: how a repository stands against the
// programme's own written rules (the EIG guide to opening code, the State's
// contribution policy, code.gouv.fr's catalogue, the publiccode.yml
// standard), beside the four health checks. Each part has its own file:
// openness.go, checklist.go, publiccode.go, codegouv.go, continuity.go.

// Sources named by checklist items and evidence, so a coach can check the
// rule.
const (
	SourceEIGGuide    = "Guide EIG d'ouverture des codes sources (entrepreneur-interet-general/eig-link, opensource.md)"
	SourceStatePolicy = "Politique de contribution open source de l'État (DISIC/politique-de-contribution-open-source)"
	SourceCodeGouv    = "code.gouv.fr (codegouvfr-cli, compute-repo-score)"
	SourcePubliccode  = "Standard publiccode.yml (publiccodeyml/publiccode.yml)"
)

// Criterion is one criterion of the EIG guide's ladder of openness.
type Criterion struct {
	Name     string `json:"name"`
	Met      bool   `json:"met"`
	Evidence string `json:"evidence"`
}

// Openness is the repository's degree of openness in the EIG guide's
// ladder, with the ten criteria it rests on.
type Openness struct {
	// Degree is -1..8: the highest degree whose criteria, and all below,
	// are met.
	Degree   int         `json:"degree"`
	Criteria []Criterion `json:"criteria"`
}

// Next returns the first criterion not met (the one that raises the
// degree), or nil at degree 8.
func (o *Openness) Next() *Criterion {
	for i := range o.Criteria {
		if !o.Criteria[i].Met {
			return &o.Criteria[i]
		}
	}
	return nil
}

// ChecklistItem is one publication rule and whether the repository follows
// it.
type ChecklistItem struct {
	ID string `json:"id"`
	// Met is false for an item that does not apply.
	Met bool `json:"met"`
	// Applicable is false when the forge cannot tell (the rule is then
	// neither met nor failed).
	Applicable  bool   `json:"applicable"`
	Evidence    string `json:"evidence"`
	Remediation string `json:"remediation"`
	Source      string `json:"source"`
}

// ChecklistCounts counts the checklist items met and those that apply.
func ChecklistCounts(items []ChecklistItem) (met, applicable int) {
	for _, it := range items {
		if it.Applicable {
			applicable++
			if it.Met {
				met++
			}
		}
	}
	return met, applicable
}

// Publiccode is the verdict on the repository's publiccode.yml.
type Publiccode struct {
	File    string            `json:"file"`    // "" when the repository has none
	Version string            `json:"version"` // publiccodeYmlVersion as declared
	Valid   bool              `json:"valid"`
	Errors  []PubliccodeError `json:"errors"`
	// Suggestion is a pre-filled publiccode.yml built from what vigie
	// knows, offered when the file is missing or invalid ("" otherwise).
	Suggestion string `json:"suggestion,omitempty"`

	// maintenanceType is the file's valid maintenance.type, for openness.
	maintenanceType string
}

// PubliccodeError is one problem of a publiccode.yml, at its line.
type PubliccodeError struct {
	Line    int    `json:"line"`
	Key     string `json:"key"`
	Message string `json:"message"`
}

// Continuity tells whether a défi's code lives on after the défi ended.
type Continuity struct {
	DefiEnded             string `json:"defi_ended"` // YYYY-MM-DD
	CommitsSinceEnd       int    `json:"commits_since_end"`
	AuthorsSinceEnd       int    `json:"authors_since_end"`
	AuthorsOutsideTeam90d int    `json:"authors_outside_team_90d"`
	// TopAuthorShare90d is the busiest author's share of the 90 days'
	// commits, nil when there were none.
	TopAuthorShare90d *float64 `json:"top_author_share_90d"`
}

// DefiProfile is what the configuration says of a défi that the profile
// needs.
type DefiProfile struct {
	// Ended is the day the défi ended (YYYY-MM-DD), "" while it runs.
	Ended string
	// EndedAt is the first instant after that day in the schedule's time
	// zone: commits at or after it are after the end.
	EndedAt time.Time
	// Team lists the entrepreneurs' forge logins and commit e-mails.
	Team []string
}

// profile fills the programme's profile of a fetched repository.
func profile(r *Result, f crawler.Facts, o Options) {
	pc := PubliccodeVerdict(f, o)
	r.Publiccode = &pc
	op := OpennessOf(f, pc, o)
	r.Openness = &op
	r.Checklist = Checklist(f, pc, o)
	if f.Archived {
		r.Checklist = readOnlyChecklist(r.Checklist, o)
	}
	s := CodegouvScore(f)
	r.CodegouvScore = &s
	r.CodegouvRaise = codegouvGains(f, o)
	if d, ok := o.Defis[f.Ref.Defi]; ok && d.Ended != "" {
		c := ContinuityOf(f, d)
		r.Continuity = &c
	}
}
