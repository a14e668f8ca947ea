package gitlab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/crawler/httpx"
)

// project is the part of GitLab's project entity vigie reads. Pointers and
// raw messages tell an absent or null field from a zero one.
type project struct {
	ID                int64            `json:"id"`
	PathWithNamespace string           `json:"path_with_namespace"`
	Visibility        *string          `json:"visibility"` // public, internal, private
	Description       *string          `json:"description"`
	Topics            []string         `json:"topics"`
	TagList           []string         `json:"tag_list"` // before GitLab 14.0
	DefaultBranch     *string          `json:"default_branch"`
	ForkedFromProject *json.RawMessage `json:"forked_from_project"`
	// Archived, EmptyRepo, OpenIssuesCount, CIConfigPath and the access
	// levels are absent from the reduced entity GitLab answers a request
	// without a token with (see reduced).
	Archived       *bool      `json:"archived"`
	EmptyRepo      *bool      `json:"empty_repo"`
	CreatedAt      *time.Time `json:"created_at"`
	LastActivityAt *time.Time `json:"last_activity_at"`
	StarCount      int        `json:"star_count"`
	ForksCount     int        `json:"forks_count"`
	Namespace      *struct {
		Kind     string `json:"kind"` // "group" or "user"
		FullPath string `json:"full_path"`
	} `json:"namespace"`
	OpenIssuesCount          *int            `json:"open_issues_count"`
	WebURL                   string          `json:"web_url"`
	ReadmeURL                json.RawMessage `json:"readme_url"` // "null": no README; absent: an old instance
	LicenseURL               *string         `json:"license_url"`
	License                  *projectLicense `json:"license"`
	CIConfigPath             *string         `json:"ci_config_path"`
	BuildsAccessLevel        string          `json:"builds_access_level"`
	JobsEnabled              *bool           `json:"jobs_enabled"`
	MergeRequestsAccessLevel string          `json:"merge_requests_access_level"`
	MergeRequestsEnabled     *bool           `json:"merge_requests_enabled"`
}

type projectLicense struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

type treeEntry struct {
	Name string `json:"name"`
	Type string `json:"type"` // blob, tree, commit (a submodule)
	Path string `json:"path"`
}

type pipeline struct {
	ID        int64      `json:"id"`
	Ref       string     `json:"ref"`
	Status    string     `json:"status"`
	CreatedAt *time.Time `json:"created_at"`
	UpdatedAt *time.Time `json:"updated_at"`
	WebURL    string     `json:"web_url"`
}

type commit struct {
	ID            string     `json:"id"`
	AuthorEmail   string     `json:"author_email"`
	AuthorName    string     `json:"author_name"`
	CommittedDate *time.Time `json:"committed_date"`
}

// headCommit is GitLab's single commit entity, asked by branch name: the
// branch's head and the latest pipeline of that commit (null when it has
// none, or when pipelines are hidden from the caller).
type headCommit struct {
	commit
	LastPipeline *pipeline `json:"last_pipeline"`
}

type release struct {
	TagName    string     `json:"tag_name"`
	Name       string     `json:"name"`
	ReleasedAt *time.Time `json:"released_at"`
	CreatedAt  *time.Time `json:"created_at"`
}

// facts turns a release, from REST or GraphQL, into the facts' one: published
// when released, else when created.
func (r release) facts() *crawler.Release {
	rel := &crawler.Release{Tag: r.TagName, Name: r.Name}
	switch {
	case r.ReleasedAt != nil:
		rel.PublishedAt = r.ReleasedAt.UTC()
	case r.CreatedAt != nil:
		rel.PublishedAt = r.CreatedAt.UTC()
	}
	return rel
}

// projectPath escapes a project path or id for the URL the way GitLab wants
// it: every slash encoded (group%2Fsub%2Fname).
func projectPath(id string) string { return "projects/" + gl.PathEscape(id) }

// projectFacts copies the project entity's fields.
func (f *Forge) projectFacts(facts *crawler.Facts, p *project) {
	facts.Visibility = f.restVisibility(p.Visibility)
	facts.CanonicalPath = p.PathWithNamespace
	if p.Description != nil {
		facts.Description = strings.TrimSpace(*p.Description)
	}
	facts.Topics = p.Topics
	if len(facts.Topics) == 0 {
		facts.Topics = p.TagList
	}
	if p.DefaultBranch != nil {
		facts.DefaultBranch = *p.DefaultBranch
	}
	facts.Fork = p.ForkedFromProject != nil && string(*p.ForkedFromProject) != "null"
	facts.Archived = p.Archived != nil && *p.Archived
	facts.Unknown = nil
	if p.reduced() {
		// Until another answer tells (see fillReduced).
		facts.Unknown = []string{crawler.FactArchived, crawler.FactOpenIssues}
	}
	// An empty repository has no default branch either; a project whose
	// repository was never created answers empty_repo true as well.
	facts.Empty = p.EmptyRepo != nil && *p.EmptyRepo || facts.DefaultBranch == ""
	if p.CreatedAt != nil {
		facts.CreatedAt = p.CreatedAt.UTC()
	}
	if p.LastActivityAt != nil {
		facts.LastActivityAt = p.LastActivityAt.UTC()
	}
	facts.Stars = p.StarCount
	facts.Forks = p.ForksCount
	// GitLab's projects have no watchers count: Watchers stays 0.
	facts.OwnerKind = ""
	if p.Namespace != nil {
		switch p.Namespace.Kind {
		case "group":
			facts.OwnerKind = crawler.OwnerOrganization
		case "user":
			facts.OwnerKind = crawler.OwnerUser
		}
	}
	// GitLab leaves open_issues_count out when the issue tracker is
	// disabled (or not visible to us).
	facts.OpenIssues = -1
	if p.OpenIssuesCount != nil {
		facts.OpenIssues = *p.OpenIssuesCount
	}
	key := ""
	if p.License != nil {
		key = p.License.Key
		if key == "" {
			key = "other"
		}
	}
	facts.License.ForgeSPDX = forgeSPDX(key, p.LicenseURL != nil && *p.LicenseURL != "")
	if p.LicenseURL != nil {
		facts.License.ForgePath = blobPath(*p.LicenseURL, p.WebURL, facts.DefaultBranch)
	}
	facts.CI.Systems = []string{}
	facts.CI.Status = crawler.StatusNone
}

// blobPath extracts a file's path from a web link
// WEB_URL/-/blob/BRANCH/PATH (older instances: WEB_URL/blob/BRANCH/PATH).
// Branch names may hold slashes, so the default branch is cut off as a
// whole. It returns "" for a link of another shape.
func blobPath(link, webURL, branch string) string {
	if link == "" {
		return ""
	}
	rest := ""
	for _, marker := range []string{"/-/blob/", "/blob/"} {
		prefix := strings.TrimSuffix(webURL, "/") + marker
		if webURL != "" && strings.HasPrefix(link, prefix) {
			rest = strings.TrimPrefix(link, prefix)
			break
		}
		if i := strings.Index(link, marker); webURL == "" && i >= 0 {
			rest = link[i+len(marker):]
			break
		}
	}
	if rest == "" {
		// The web URL may differ from the link's (http vs https, another
		// host name for the same instance): fall back on the marker.
		if i := strings.Index(link, "/-/blob/"); i >= 0 {
			rest = link[i+len("/-/blob/"):]
		} else if i := strings.Index(link, "/blob/"); i >= 0 {
			rest = link[i+len("/blob/"):]
		} else {
			return ""
		}
	}
	for _, b := range []string{branch, url.PathEscape(branch)} {
		if b != "" && strings.HasPrefix(rest, b+"/") {
			rest = strings.TrimPrefix(rest, b+"/")
			if p, err := url.PathUnescape(rest); err == nil {
				return p
			}
			return rest
		}
	}
	// Another ref than the default branch: drop its first segment.
	if i := strings.Index(rest, "/"); i >= 0 {
		rest = rest[i+1:]
	} else {
		return ""
	}
	if p, err := url.PathUnescape(rest); err == nil {
		return p
	}
	return rest
}

// treeDirs are the folders listed besides the root when they exist: where
// CI systems keep their configuration and where community files live.
// .github is listed recursively (workflows live in .github/workflows).
var treeDirs = map[string]bool{
	".github": true, "docs": true, ".woodpecker": true, ".circleci": true,
	".azure-pipelines": true, ".gitea": true, ".forgejo": true,
	".buildkite": true, ".semaphore": true,
	".gitlab": true, // issue and merge request templates
}

// listedDir reports whether the root folder dir is listed, given the
// root's entries: one of treeDirs, or src for a JVM build
// (crawler.ListsSource), where its tests live.
func listedDir(root []crawler.File, dir string) bool {
	return treeDirs[strings.ToLower(dir)] || dir == crawler.SourceDir && crawler.ListsSource(root)
}

// validUTF8Prefix turns a possibly truncated text into a string without a
// broken character at its end.
func validUTF8Prefix(b []byte) string {
	for i := 0; i < utf8.UTFMax && len(b) > 0 && !utf8.Valid(b); i++ {
		b = b[:len(b)-1]
	}
	return string(b)
}

func hasDir(files []crawler.File, dir string) bool {
	for _, f := range files {
		if f.Dir && f.Path == dir {
			return true
		}
	}
	return false
}

func hasUnder(files []crawler.File, dir string) bool {
	for _, f := range files {
		if strings.HasPrefix(f.Path, dir+"/") {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// tree lists one folder of the default branch ("" the root).
func (f *Forge) tree(ctx context.Context, c call, id, branch, dir string, recursive bool) ([]crawler.File, error) {
	q := url.Values{"ref": {branch}}
	if dir != "" {
		q.Set("path", dir)
	}
	if recursive {
		q.Set("recursive", "true")
	}
	var out []crawler.File
	err := pages(ctx, c, projectPath(id)+"/repository/tree", q, func(items []treeEntry) bool {
		for _, e := range items {
			p := e.Path
			if p == "" {
				p = path.Join(dir, e.Name)
			}
			// GitLab's tree has no sizes. A submodule ("commit") is a
			// folder in a checkout.
			out = append(out, crawler.File{Path: p, Dir: e.Type != "blob", Size: -1})
		}
		return true
	})
	if errors.Is(err, errNotFound) && dir != "" {
		return nil, nil
	}
	return out, err
}

// limitWriter keeps the first max bytes written and counts them all.
type limitWriter struct {
	buf []byte
	max int
	n   int64
}

func (w *limitWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	if room := w.max - len(w.buf); room > 0 {
		w.buf = append(w.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

var _ io.Writer = (*limitWriter)(nil)

// raw reads a file of the default branch: its first max bytes and its size.
func (f *Forge) raw(ctx context.Context, c call, id, branch, file string, max int) ([]byte, int64, error) {
	w := &limitWriter{max: max}
	rel := projectPath(id) + "/repository/files/" + gl.PathEscape(file) + "/raw"
	// A text: the transport cuts it at its bound rather than failing.
	if _, err := c.do(httpx.WithText(ctx), http.MethodGet, rel, url.Values{"ref": {branch}}, w); err != nil {
		return nil, 0, err
	}
	return w.buf, w.n, nil
}

// pipelineStatus maps GitLab's pipeline status to docs/reference.md's words. A
// canceled pipeline is a failure, as GitHub's status rollup counts a
// cancelled check run: the latest run did not pass, and the two forges must
// read alike. ok is false for a pipeline that reached no verdict: skipped
// (every job was skipped, e.g. "[skip ci]"), manual (waiting for someone to
// start a job, possibly forever). Such a pipeline says nothing about the
// code, so the latest one with a verdict is used instead.
func pipelineStatus(s string) (status string, ok bool) {
	switch s {
	case "success":
		return crawler.StatusSuccess, true
	case "failed", "canceled", "canceling":
		return crawler.StatusFailure, true
	case "running", "pending", "created", "waiting_for_resource", "preparing", "scheduled", "waiting_for_callback":
		return crawler.StatusRunning, true
	}
	return crawler.StatusUnknown, false
}

// mergeRequestFacts counts opened merge requests from X-Total. GitLab drops
// X-Total above 10,000 items: the count is then unknown (-1).
func (f *Forge) mergeRequestFacts(ctx context.Context, c call, facts *crawler.Facts, p *project, log *slog.Logger) {
	if p.MergeRequestsAccessLevel == "disabled" || (p.MergeRequestsAccessLevel == "" && p.MergeRequestsEnabled != nil && !*p.MergeRequestsEnabled) {
		return
	}
	var list []json.RawMessage
	q := url.Values{"state": {"opened"}, "per_page": {"1"}}
	resp, err := c.do(ctx, http.MethodGet, projectPath(strconv.FormatInt(p.ID, 10))+"/merge_requests", q, &list)
	if err != nil {
		log.Debug("merge requests not fetched", "err", err)
		return
	}
	switch {
	case resp.Header.Get("X-Total") != "":
		facts.OpenPullRequests = int(resp.TotalItems)
	case len(list) == 0:
		facts.OpenPullRequests = 0
	default:
		facts.OpenPullRequests = -1
	}
}

// releaseFacts reads the latest release (GitLab sorts by released_at).
func (f *Forge) releaseFacts(ctx context.Context, c call, facts *crawler.Facts, p *project, log *slog.Logger) {
	var list []release
	q := url.Values{"per_page": {"1"}}
	if _, err := c.do(ctx, http.MethodGet, projectPath(strconv.FormatInt(p.ID, 10))+"/releases", q, &list); err != nil {
		log.Debug("releases not fetched", "err", err)
		return
	}
	if len(list) == 0 {
		return
	}
	facts.Release = list[0].facts()
}

// visibility reads GitLab's visibility: "public" only when the answer
// says so, "" when it says nothing. "internal" is not public: it asks for
// a login.
func visibility(v *string) string {
	if v == nil {
		return ""
	}
	return strings.ToLower(*v)
}

// restVisibility reads the visibility of a REST answer to this forge's
// requests. Without a token GitLab answers a project with its
// ProjectDetails entity and a user's projects with BasicProjectDetails,
// neither of which names the visibility; but it answers an anonymous
// request about a public project only (internal asks for a login, private
// for a membership), so that silence is a public project's. With a token
// the answer names it, and one that does not is not public.
func (f *Forge) restVisibility(v *string) string {
	if v == nil && f.anonymous {
		return crawler.VisibilityPublic
	}
	return visibility(v)
}

// reduced tells whether the answer is GitLab's reduced project entity:
// without a token, GET /projects/:id answers ProjectDetails and
// GET /users/:id/projects BasicProjectDetails, which hold the project's
// identity, description, topics, default branch, links (readme_url,
// license_url), licence, stars, forks and namespace (ProjectDetails adds
// forked_from_project; recent versions add visibility) but neither archived,
// empty_repo, open_issues_count, ci_config_path nor any access level. The
// full entity (a token's, or any answer of GET /groups/:id/projects)
// always names archived.
func (p *project) reduced() bool { return p.Archived == nil }

// fillFrom takes from full, the same project's full entity, the fields
// the reduced one lacks.
func (p *project) fillFrom(full *project) {
	p.Archived, p.EmptyRepo, p.OpenIssuesCount = full.Archived, full.EmptyRepo, full.OpenIssuesCount
	p.CIConfigPath = full.CIConfigPath
	p.BuildsAccessLevel, p.JobsEnabled = full.BuildsAccessLevel, full.JobsEnabled
	p.MergeRequestsAccessLevel, p.MergeRequestsEnabled = full.MergeRequestsAccessLevel, full.MergeRequestsEnabled
}

// groupProject is the part of a listed project ListOrg reads.
type groupProject struct {
	PathWithNamespace string           `json:"path_with_namespace"`
	Visibility        *string          `json:"visibility"`
	ForkedFromProject *json.RawMessage `json:"forked_from_project"`
	Archived          bool             `json:"archived"`
}

// ListOrg lists every public project of a group and its subgroups (shared
// projects excluded), archived ones included, sorted by path. A user
// namespace is not a group (404): its projects are listed instead. The
// listing asks for public projects, and keeps only those it says are:
// a token sees its owner's private and internal projects, which vigie
// must not publish. Every page is followed (not pages' 50: a group of
// 5,000 projects and more is listed whole), within crawler.Pager's bounds;
// a listing it stops returns what was read with crawler.ErrListingCut.
func (f *Forge) ListOrg(ctx context.Context, org string) ([]crawler.OrgRepo, error) {
	org = strings.Trim(org, "/")
	c := call{f: f, cl: f.client}
	q := url.Values{"include_subgroups": {"true"}, "with_shared": {"false"}, "visibility": {"public"}, "order_by": {"id"}, "sort": {"asc"}}
	out, err := f.listProjects(ctx, c, "groups/"+gl.PathEscape(org)+"/projects", q)
	if errors.Is(err, errNotFound) && len(out) == 0 && !strings.Contains(org, "/") {
		out, err = f.listProjects(ctx, c, "users/"+gl.PathEscape(org)+"/projects", url.Values{"visibility": {"public"}, "order_by": {"id"}, "sort": {"asc"}})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	if err != nil {
		return out, fmt.Errorf("gitlab: listing group %s on %s: %w", org, f.webURL, err)
	}
	return out, nil
}

// listProjects follows a project listing's offset pages: X-Next-Page, else
// the Link header's next page, else (no pagination headers at all: a proxy
// stripped them) the page after a full one. It keeps public projects only.
func (f *Forge) listProjects(ctx context.Context, c call, rel string, q url.Values) ([]crawler.OrgRepo, error) {
	var out []crawler.OrgRepo
	var pager crawler.Pager
	q.Set("per_page", strconv.Itoa(perPage))
	page := 1
	for {
		q.Set("page", strconv.Itoa(page))
		var items []groupProject
		resp, err := c.do(ctx, http.MethodGet, rel, q, &items)
		if err != nil {
			return out, err
		}
		paths := make([]string, len(items))
		for i, p := range items {
			paths[i] = p.PathWithNamespace
			if f.restVisibility(p.Visibility) != crawler.VisibilityPublic {
				continue
			}
			out = append(out, crawler.OrgRepo{
				Path:     p.PathWithNamespace,
				Fork:     p.ForkedFromProject != nil && string(*p.ForkedFromProject) != "null",
				Archived: p.Archived,
			})
		}
		if n, err := strconv.Atoi(resp.Header.Get("X-Total-Pages")); err == nil {
			pager.Total(n*perPage, perPage)
		}
		next := int(resp.NextPage)
		if next == 0 && resp.NextLink != "" {
			if lu, err := url.Parse(resp.NextLink); err == nil {
				next, _ = strconv.Atoi(lu.Query().Get("page"))
			}
		}
		if next == 0 && resp.Header.Get("X-Page") == "" && len(items) == perPage {
			next = page + 1
		}
		if err := pager.Next(strconv.Itoa(page), paths, next != 0 && len(items) > 0); err != nil {
			return out, err
		}
		if next == 0 || len(items) == 0 {
			return out, nil
		}
		if next <= page {
			// Backwards: a page already read (the pager has its number).
			if err := pager.Next(strconv.Itoa(next), nil, true); err != nil {
				return out, err
			}
		}
		page = next
	}
}

var _ crawler.Forge = (*Forge)(nil)
