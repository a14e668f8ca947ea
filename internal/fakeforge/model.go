// Package fakeforge is what the in-process forges for tests, the benchmark
// and `vigie serve --demo` share: the forge-neutral model of a repository
// (Repo), the fault middleware that injects latency, 5xx answers and
// rate-limit windows, request counting, licence texts and the loader of the
// real repositories' fixtures. Each forge's API is faked in its own package
// below (fakegithub, fakegitlab), shaped like the real one (pagination,
// 404s, redirects of renamed repositories, rate-limit headers).
package fakeforge

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"time"
)

// Repo is one repository of the fake forge, described forge-neutrally; the
// GitHub and GitLab handlers render it in their own API's shapes.
type Repo struct {
	Path          string // owner/name (GitLab: group/sub/name)
	DefaultBranch string // "" for an empty repository
	Description   string
	Homepage      string
	Topics        []string
	Language      string
	Archived      bool
	Fork          bool
	// Private and Internal make the repository not public, as on the real
	// forges: Private its members only, Internal (GitLab; GitHub
	// Enterprise) every signed-in user. Either answers 404 to anonymous
	// requests and 200 to a token, which the fakes take to have access,
	// saying so (GitHub: "private": true and "visibility", GraphQL
	// isPrivate and visibility; GitLab: "visibility"). Listings show it to
	// a token unless they ask for public repositories only.
	Private   bool
	Internal  bool
	CreatedAt time.Time
	Stars     int
	Forks     int
	Watchers  int  // subscribers to the repository's notifications
	Template  bool // a template repository (GitHub)
	// License is the forge's own detection: an SPDX id, "NOASSERTION" for a
	// licence file it cannot identify, "" for none.
	License string
	// Files maps a path to its content. Paths under a folder imply the folder.
	Files map[string]string
	// Sizes gives the size of files whose content does not matter (fillers).
	Sizes map[string]int64
	// Commits on the default branch, newest first.
	Commits []Commit
	// CI is the latest run on the default branch head; nil when none.
	CI               *CIRun
	OpenIssues       int
	OpenPullRequests int
	Releases         []Release // newest first
	// OldPaths are former paths that redirect here (renames, transfers).
	OldPaths []string
	// UserOwned says the owner is a user account, not an organisation
	// (GitHub answers 404 to /orgs/{user}/repos).
	UserOwned bool
}

// Commit is one commit of the default branch.
type Commit struct {
	SHA         string
	AuthorName  string
	AuthorEmail string
	Login       string    // forge account, "" when the e-mail matches none
	Date        time.Time // committer date: what "since" filters and history sorts on
	Message     string
	// AuthoredAt is the author date when it differs from Date (rebases,
	// cherry-picks); zero means Date.
	AuthoredAt time.Time
}

// CIRun is the latest CI result on the default branch head.
type CIRun struct {
	// State uses docs/reference.md's words: success, failure, running.
	State string
	// Kind: "checks" (GitHub Actions check runs), "status" (commit
	// statuses), or "pipeline" (GitLab).
	Kind string
	At   time.Time
}

// Release is a published release.
type Release struct {
	Tag         string
	Name        string
	PublishedAt time.Time
}

// Visibility is the repository's visibility in GitLab's and GitHub's REST
// words: "public", "private" or "internal".
func (r *Repo) Visibility() string {
	switch {
	case r.Private:
		return "private"
	case r.Internal:
		return "internal"
	}
	return "public"
}

// Public reports whether anyone may see the repository.
func (r *Repo) Public() bool { return !r.Private && !r.Internal }

// VisibleTo reports whether a request with the token tok ("" anonymous)
// sees the repository: the fakes' tokens have access to every repository.
func (r *Repo) VisibleTo(tok string) bool { return r.Public() || tok != "" }

// SHA makes a stable fake commit id from a seed.
func SHA(seed string) string {
	h := sha1.Sum([]byte(seed))
	return hex.EncodeToString(h[:])
}

// FillSHAs gives every commit without a SHA a stable one.
func (r *Repo) FillSHAs() {
	for i := range r.Commits {
		if r.Commits[i].SHA == "" {
			r.Commits[i].SHA = SHA(fmt.Sprintf("%s#%d#%s", r.Path, len(r.Commits)-i, r.Commits[i].Date))
		}
	}
}
