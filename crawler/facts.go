// Package crawler gathers facts about repositories from their forges. It
// knows nothing about scoring: it returns a forge-neutral Facts value per
// repository, which the checks package turns into scores.
package crawler

import (
	"sort"
	"time"
)

// Ref names one repository to crawl, as the configuration (or a user on the
// command line) gave it, already normalised.
type Ref struct {
	// Forge is the configured forge's name ("github", "framagit"...).
	Forge string `json:"forge"`
	// Type is the forge's type, "github", "gitlab" or "gitea" (Gitea and
	// Forgejo), whatever its name.
	Type string `json:"type,omitempty"`
	// Host is the lower-case web host of the forge ("github.com").
	Host string `json:"host"`
	// Path is owner/name (GitLab: group/subgroup/name), without ".git".
	Path string `json:"path"`
	// Base is the forge's web path below the host ("/gitlab" for an
	// instance served at https://host/gitlab; "" usually): the id keeps it so
	// it reads like the repository's URL.
	Base string `json:"base,omitempty"`
	// URL is the normalised web URL: https://host/path.
	URL string `json:"url"`
	// Defi is the slug of the défi the repository belongs to ("" ad hoc).
	Defi string `json:"defi"`
}

// ID is the repository's identifier in results, the store and metrics:
// host/path.
func (r Ref) ID() string { return r.Host + r.Base + "/" + r.Path }

// Facts is everything vigie knows about one repository at one crawl. It is
// stored with every snapshot and re-scored when the rules change, so it must
// stay serialisable and complete: a new check should never need a new API
// call. Fields hold what the forge says, never a judgement.
type Facts struct {
	Ref       Ref       `json:"ref"`
	CrawledAt time.Time `json:"crawled_at"`
	// Error is non-empty when the repository could not be fetched (missing,
	// private, forge down). The other fields are then zero.
	Error string `json:"error,omitempty"`
	// NotFound tells a repository that does not exist (or is private) from a
	// transient failure: the first is the repository's fault, the second the
	// forge's.
	NotFound bool `json:"not_found,omitempty"`
	// Origin says who wrote these facts: OriginCrawl for this instance's
	// crawl of the forge. Only such facts may stand for today's when the
	// repository did not change; facts seeded (the demo's invented past)
	// or brought from elsewhere say otherwise, or nothing.
	Origin string `json:"origin,omitempty"`
	// Failure classifies Error (one of the Fail* kinds), so that readers
	// can say in words what happened and what to do; the raw Error goes to
	// the logs.
	Failure string `json:"failure,omitempty"`

	// Visibility is who the forge lets see the repository: VisibilityPublic
	// ("public"), "private" or "internal" (GitLab, GitHub Enterprise: any
	// signed-in user). Every forge sets it from the answer it got; vigie
	// publishes public repositories only (see Public and NotPublic).
	Visibility string `json:"visibility,omitempty"`

	// CanonicalPath is the path the forge answers with, which differs from
	// Ref.Path when the repository was renamed or moved.
	CanonicalPath string   `json:"canonical_path,omitempty"`
	Description   string   `json:"description,omitempty"`
	Homepage      string   `json:"homepage,omitempty"`
	Topics        []string `json:"topics,omitempty"`
	DefaultBranch string   `json:"default_branch,omitempty"`
	// HeadSHA is the default branch's newest commit. When it has not moved
	// since the previous crawl, a forge may reuse that crawl's file facts
	// (Files, Readme, License.Files) instead of reading them again.
	HeadSHA  string `json:"head_sha,omitempty"`
	Language string `json:"language,omitempty"` // primary language, as the forge names it
	// LastActivityAt is the forge's own stamp of the repository's latest
	// activity, when it gives one (GitLab's last_activity_at: pushes,
	// issues, merge requests, comments; moved at most once an hour). A
	// forge may compare it with the previous crawl's to skip re-asking
	// what only such activity changes.
	LastActivityAt time.Time `json:"last_activity_at,omitzero"`
	Fork           bool      `json:"fork"`
	Archived       bool      `json:"archived"`
	Empty          bool      `json:"empty"` // no commit at all
	CreatedAt      time.Time `json:"created_at,omitzero"`
	Stars          int       `json:"stars"`
	// Forks counts the repository's forks; Watchers the people subscribed
	// to its notifications (GitHub's watchers, not its stars).
	Forks    int  `json:"forks"`
	Watchers int  `json:"watchers"`
	Template bool `json:"template,omitempty"` // the forge marks it a template to start new repositories from
	// OwnerKind says who owns the repository: OwnerOrganization (a GitHub
	// organisation, a GitLab group), OwnerUser (a personal account) or ""
	// when the forge did not say.
	OwnerKind string `json:"owner_kind,omitempty"`
	// OpenIssues counts open issues only (pull/merge requests excluded);
	// -1 when the forge's issue tracker is disabled.
	OpenIssues       int `json:"open_issues"`
	OpenPullRequests int `json:"open_pull_requests"`

	License   LicenseFacts   `json:"license"`
	Readme    ReadmeFacts    `json:"readme"`
	CI        CIFacts        `json:"ci"`
	Activity  ActivityFacts  `json:"activity"`
	Release   *Release       `json:"release,omitempty"`
	Community CommunityFacts `json:"community"`

	// Files lists the top-level entries of the default branch (and of
	// .github/, docs/, the CI folders, and src/ for a JVM build: see
	// ListsSource), so new rules can look for a file without a new API
	// call.
	Files []File `json:"files,omitempty"`

	// Publiccode is the text of the root publiccode.yml (or .yaml) named
	// by Community.Publiccode, truncated to MaxReadmeText.
	Publiccode string `json:"publiccode,omitempty"`

	// Since holds the default branch's commits after a date the crawl was
	// asked about (a défi's end), nil when none was.
	Since *SinceFacts `json:"since,omitempty"`

	// Unknown names the facts the forge did not tell (FactArchived,
	// FactOpenIssues): their fields then hold a default, not an answer, and
	// the checks say so rather than judge on it. GitLab answers a request
	// without a token with a reduced project entity, and gives some facts
	// of a user's project no other way.
	Unknown []string `json:"unknown,omitempty"`
}

// Facts a forge may leave unknown (Facts.Unknown).
const (
	FactArchived   = "archived"    // Archived is false by default
	FactOpenIssues = "open_issues" // OpenIssues is -1 by default
)

// IsUnknown tells whether the forge left the fact unknown.
func (f Facts) IsUnknown(fact string) bool {
	for _, u := range f.Unknown {
		if u == fact {
			return true
		}
	}
	return false
}

// Owner kinds of Facts.OwnerKind.
const (
	OwnerOrganization = "organization"
	OwnerUser         = "user"
)

// SinceFacts counts the commits on the default branch strictly after From.
type SinceFacts struct {
	From time.Time `json:"from"`
	// Commits counts them; Authors lists their distinct authors (the
	// CommitStamp.Author keys), sorted.
	Commits int      `json:"commits"`
	Authors []string `json:"authors,omitempty"`
	// Through is the date of the newest commit counted: a later crawl whose
	// history reaches back to it adds only the commits after it.
	Through time.Time `json:"through,omitzero"`
}

// Add merges commits read from the history into the count: those strictly
// after both From and Through (older ones were counted before, or precede
// From).
func (s *SinceFacts) Add(commits []CommitStamp) {
	after := s.From
	if s.Through.After(after) {
		after = s.Through
	}
	seen := map[string]bool{}
	for _, a := range s.Authors {
		seen[a] = true
	}
	newest := s.Through
	for _, c := range commits {
		if !c.At.After(after) {
			continue
		}
		s.Commits++
		if !seen[c.Author] {
			seen[c.Author] = true
			s.Authors = append(s.Authors, c.Author)
		}
		if c.At.After(newest) {
			newest = c.At
		}
	}
	s.Through = newest
	sort.Strings(s.Authors)
}

// HistoryFrom returns how far back a crawl must read the default branch's
// history so that both the activity window (from windowStart) and the
// commits after since are counted, given the previous crawl's count prev
// (nil: none). A zero since asks for the window only.
func HistoryFrom(windowStart, since time.Time, prev *SinceFacts) time.Time {
	if since.IsZero() {
		return windowStart
	}
	from := since
	if prev != nil && prev.From.Equal(since) && prev.Through.After(from) {
		from = prev.Through
	}
	if from.Before(windowStart) {
		return from
	}
	return windowStart
}

// NewSince starts the count after since from the previous crawl's (when it
// counted from the same date) and adds the commits read.
func NewSince(since time.Time, prev *SinceFacts, commits []CommitStamp) *SinceFacts {
	if since.IsZero() {
		return nil
	}
	s := &SinceFacts{From: since}
	if prev != nil && prev.From.Equal(since) {
		s.Commits, s.Through = prev.Commits, prev.Through
		s.Authors = append([]string(nil), prev.Authors...)
	}
	s.Add(commits)
	return s
}

// Visibilities as the forges name them (lower case).
const (
	VisibilityPublic   = "public"
	VisibilityPrivate  = "private"
	VisibilityInternal = "internal"
	// VisibilityUnknown is NotPublic's word for an answer that did not say.
	VisibilityUnknown = "unknown"
)

// Public reports whether the forge said the repository is public. An
// unknown visibility is not public: vigie publishes what it reads, and a
// token may read what its owner may not publish.
func (f Facts) Public() bool { return f.Visibility == VisibilityPublic }

// NotPublic is what a forge returns for a repository its answer says is
// not public ("private", "internal", or "" when the answer did not say):
// the visibility and an error, nothing else read from it. A forge stops
// there, before any further request. Its visibility is never "" (an
// answer that did not say is "unknown"), so Withheld tells these facts
// from others.
func NotPublic(ref Ref, now time.Time, visibility string) Facts {
	if visibility == "" || visibility == VisibilityPublic {
		visibility = VisibilityUnknown
	}
	return Facts{
		Ref: ref, CrawledAt: now, Visibility: visibility,
		Error: "not public on its forge (visibility: " + visibility + "): vigie reads and publishes public repositories only; make it public or remove it from the configuration",
	}
}

// Withheld reports whether the facts are NotPublic's: a repository the
// forge answered for but that is not public.
func (f Facts) Withheld() bool { return f.Visibility != "" && f.Visibility != VisibilityPublic }

// NotFoundFacts is the answer to a repository that does not exist, or that
// exists but is not public, in words that do not tell the two apart: a
// visitor must learn nothing of a private repository, not even that it
// exists.
func NotFoundFacts(ref Ref, now time.Time) Facts {
	return Facts{Ref: ref, CrawledAt: now, NotFound: true,
		Error: ref.URL + ": repository not found (it does not exist, or it is not public)"}
}

// File is one entry of the repository's tree.
type File struct {
	Path string `json:"path"`
	Dir  bool   `json:"dir,omitempty"`
	// Size in bytes; -1 when the forge's listing does not say (GitLab).
	Size int64 `json:"size"`
}

// LicenseFacts holds the forge's licence verdict and every licence file.
type LicenseFacts struct {
	// ForgeSPDX is the forge's own detection as an SPDX id: "" when the forge
	// found no licence, "NOASSERTION" when it found a licence file it could
	// not identify ("other").
	ForgeSPDX string `json:"forge_spdx"`
	// ForgePath is the file the forge's detection points at, when it says.
	ForgePath string `json:"forge_path,omitempty"`
	// ForgeDetected is the verdict of a forge whose detection vigie does
	// not follow, as SPDX ids: Gitea (1.23 and later) lists the licences it
	// found, Forgejo and older Gitea say nothing (nil). vigie's own
	// identification of the files decides there, so a repository gets the
	// same verdict on Gitea and Forgejo; this list is kept to compare.
	ForgeDetected []string `json:"forge_detected,omitempty"`
	// Files are the licence files at the top level (LICENSE*, LICENCE*,
	// COPYING*, UNLICENSE*), sorted by path.
	Files []LicenseFile `json:"files,omitempty"`
}

// LicenseFile is one licence file and what its text was identified as.
type LicenseFile struct {
	Path string `json:"path"`
	// SPDX is the id identified from the text ("" unidentified).
	SPDX string `json:"spdx,omitempty"`
	// Coverage is the share (0..100) of the text the identified licence
	// covers.
	Coverage float64 `json:"coverage,omitempty"`
	Bytes    int64   `json:"bytes"`
}

// ReadmeFacts describes the README the forge shows on the repository page.
type ReadmeFacts struct {
	Path  string `json:"path,omitempty"` // "" when there is none
	Bytes int64  `json:"bytes"`
	// Text is the README's content (possibly truncated to MaxReadmeText) so
	// checks can look for sections without another call.
	Text string `json:"text,omitempty"`
}

// MaxReadmeText bounds the README text kept in facts.
const MaxReadmeText = 64 << 10

// CI system names, as docs/reference.md lists them.
const (
	CIGitHubActions  = "github-actions"
	CIGitLabCI       = "gitlab-ci"
	CIGiteaActions   = "gitea-actions" // Gitea and Forgejo Actions
	CITravis         = "travis"
	CICircleCI       = "circleci"
	CIJenkins        = "jenkins"
	CIDrone          = "drone"
	CIWoodpecker     = "woodpecker"
	CIAzurePipelines = "azure-pipelines"
	CIOther          = "other"
)

// CI statuses, as docs/reference.md lists them.
const (
	StatusSuccess = "success"
	StatusFailure = "failure"
	StatusRunning = "running"
	StatusNone    = "none"
	StatusUnknown = "unknown"
)

// CIFacts tells which CI systems are configured and how the latest run on the
// default branch went.
type CIFacts struct {
	Systems []string `json:"systems"`         // sorted, from the list above
	Files   []string `json:"files,omitempty"` // the configuration files found
	Status  string   `json:"status"`          // success|failure|running|none|unknown
	// RunAt is when the latest run (pipeline, check run, status) happened.
	RunAt time.Time `json:"run_at,omitzero"`
	// RunURL links to the run on the forge.
	RunURL string `json:"run_url,omitempty"`
}

// ActivityFacts describes the commits of the default branch.
type ActivityFacts struct {
	LastCommitAt time.Time `json:"last_commit_at,omitzero"`
	// Commits90d counts the commits on the default branch in the 90 days
	// before CrawledAt.
	Commits90d int `json:"commits_90d"`
	// Contributors90d counts distinct commit authors over the same window.
	Contributors90d int `json:"contributors_90d"`
	// Recent lists the commits of the window (date and author key), newest
	// first, when the forge gave them. A later crawl that finds the same
	// head commit slides the window over them instead of asking again: the
	// count changes as old commits leave the window even when nothing is
	// pushed.
	Recent []CommitStamp `json:"recent,omitempty"`
}

// CommitStamp is one commit of the activity window.
type CommitStamp struct {
	At     time.Time `json:"at"`
	Author string    `json:"author"` // "@login", else lower-case e-mail, else name
	// Email is the author's lower-case e-mail when Author is a login, so a
	// team listed by e-mail is recognised too.
	Email string `json:"email,omitempty"`
}

// Slide recounts the activity of a repository whose head commit did not
// move since a crawl that listed its recent commits: the commits still in
// the 90 days before now. It reports false when the previous crawl did not
// keep the list (then the forge must be asked).
func (a ActivityFacts) Slide(now time.Time) (ActivityFacts, bool) {
	if a.Commits90d > 0 && len(a.Recent) != a.Commits90d {
		return a, false
	}
	from := now.Add(-Window)
	out := ActivityFacts{LastCommitAt: a.LastCommitAt}
	authors := map[string]bool{}
	for _, c := range a.Recent {
		if c.At.After(from) && !c.At.After(now) {
			out.Recent = append(out.Recent, c)
			authors[c.Author] = true
		}
	}
	out.Commits90d = len(out.Recent)
	out.Contributors90d = len(authors)
	return out, true
}

// Release is the latest published release.
type Release struct {
	Tag         string    `json:"tag"`
	Name        string    `json:"name,omitempty"`
	PublishedAt time.Time `json:"published_at,omitzero"`
}

// CommunityFacts holds the paths of community files ("" absent).
type CommunityFacts struct {
	Contributing  string `json:"contributing,omitempty"`
	CodeOfConduct string `json:"code_of_conduct,omitempty"`
	Security      string `json:"security,omitempty"`
	Publiccode    string `json:"publiccode,omitempty"`
}

// Window is the activity window docs/reference.md fixes for commits_90d.
const Window = 90 * 24 * time.Hour
