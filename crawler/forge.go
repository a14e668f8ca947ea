package crawler

import (
	"context"
	"time"
)

// Job asks a forge for one repository's facts. Previous, when set, is the
// last stored facts of the repository: a forge may reuse them (with its ETags)
// to skip work on a repository that did not change.
type Job struct {
	Ref      Ref
	Previous *Facts
	// Since asks for the commits strictly after this instant (a défi's
	// end) in Facts.Since; zero asks for none.
	Since time.Time
}

// Reusable is the previous facts a crawl may build on should the head
// commit turn out not to have moved: a successful crawl of a repository
// with commits, whose file list is complete (see ListedBeforeSource). nil
// otherwise.
func (j Job) Reusable() *Facts {
	p := j.Previous
	if p == nil || p.Error != "" || p.Empty || p.HeadSHA == "" || ListedBeforeSource(p.Files) {
		return nil
	}
	return p
}

// PrevSince is the previous crawl's count after Since when it still
// serves: the crawl succeeded and counted from the same instant. nil
// otherwise.
func (j Job) PrevSince() *SinceFacts {
	if p := j.Previous; p != nil && p.Error == "" && p.Since != nil && p.Since.From.Equal(j.Since) {
		return p.Since
	}
	return nil
}

// Forge fetches facts from one configured forge. Implementations live in one
// sub-package per forge type; batching, pacing and retries are theirs.
type Forge interface {
	// Fetch returns exactly one Facts per job, in the jobs' order. A
	// repository that cannot be fetched gets Facts.Error; Fetch itself never
	// fails for one repository. now is the crawl time (the 90-day window
	// ends there).
	Fetch(ctx context.Context, jobs []Job, now time.Time) []Facts
	// ListOrg lists the repositories of an organisation (GitHub) or group,
	// subgroups included (GitLab), given by its path on the forge. A
	// listing that had to be stopped (see Pager) returns the repositories
	// read so far with an error wrapping ErrListingCut.
	ListOrg(ctx context.Context, org string) ([]OrgRepo, error)
}

// OrgRepo is one repository found by listing an organisation or group.
type OrgRepo struct {
	Path     string `json:"path"` // owner/name as the forge spells it
	Fork     bool   `json:"fork"`
	Archived bool   `json:"archived"`
}
