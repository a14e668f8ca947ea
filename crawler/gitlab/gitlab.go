// Package gitlab crawls GitLab instances (gitlab.com, framagit.org,
// self-hosted ones, possibly under a path prefix) through GitLab's GraphQL
// API, 50 projects a call, and the REST API v4 for what GraphQL cannot say
// or did not answer.
//
// Calls per project on a cold crawl, with GraphQL:
//
//	1/50 POST /api/graphql vigieProjectsFull   settings, counts, head commit, root listing, README and
//	                                           licence texts, pipelines, merge requests, release, languages
//	0-1/50 POST /api/graphql vigieFiles        folders that exist (.github, docs, CI folders), files not
//	                                           answered (unusual names), 3 folders a call
//	1  GET  /projects/:path?license=true       licence verdict, readme_url, ci_config_path (no GraphQL field)
//	0+ GET  /projects/:id/repository/commits   the activity window (since=now-90d), paged; none for a
//	                                           project whose head commit is older than the window
//
// plus, rarely, REST for what an answer lacked (a listing over 100 entries,
// a text GitLab cut or re-encoded, a null connection). Measured over the
// benchmark's 500 GitLab projects: 1.90 calls per project cold, 0.03 on an
// unchanged re-crawl (go run ./cmd/vigie-bench -n 1000).
//
// A project crawled before is first asked through GraphQL on its known
// default branch: when its head commit did not move, its facts are the
// previous crawl's files, texts, licence verdict and activity (the window
// slid to now over the kept commit stamps), with its pipelines, counts and
// settings fresh from the same answer: no REST call. A project still empty
// or still missing costs none either.
//
// Without GraphQL (an instance that answers 404 there) every project goes
// through REST:
//
//	1  GET  /projects/:path?license=true        project, licence verdict, readme_url, ci_config_path
//	1+ GET  /projects/:id/repository/commits    newest commits, paged until one falls outside the window
//	1+ GET  /projects/:id/repository/tree       root listing (more pages when >100 entries)
//	0+ GET  .../repository/tree?path=DIR        only for folders that exist: .github, docs, CI folders
//	0-1 GET .../repository/files/README/raw     the README GitLab shows (its text and size)
//	0+ GET  .../repository/files/LICENSE/raw    each top-level licence file
//	0-1 GET .../repository/files/CFG/raw        only for a custom ci_config_path outside the listed folders
//	0-1 GET /projects/:id/pipelines             latest pipelines on the default branch (skipped when CI/CD is off)
//	1  GET  /projects/:id/merge_requests        opened merge request count (X-Total)
//	1  GET  /projects/:id/releases              latest release
//
// about 8 calls for a typical project (8.26 over 100 synthetic projects,
// TestCallsPerProject/rest), and 5 on an unchanged re-crawl (project, the
// first page of commits to see the head, pipelines, merge requests,
// releases: the tree and files are not read again). An instance whose
// schema lacks a field of the full query is asked without it (REST stands
// in), or the basic query (merge requests, releases, languages).
package gitlab

import (
	"cmp"
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
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/eiglink/vigie/crawler"
)

// Options configure one GitLab forge.
type Options struct {
	Name       string       // configured forge name, e.g. "gitlab" or "framagit"
	WebURL     string       // e.g. https://gitlab.com or https://host/gitlab (path prefix allowed)
	APIURL     string       // instance root (default WebURL); the client adds /api/v4
	Tokens     []string     // may be empty: public projects answer anonymously
	HTTPClient *http.Client // nil: a default client with timeouts
	Logger     *slog.Logger
	// Concurrency bounds the projects fetched at once (0: 8); keep it at
	// the shared transport's limit for the forge.
	Concurrency int
}

// Forge fetches facts from one GitLab instance. It implements crawler.Forge.
type Forge struct {
	name    string
	webURL  string
	clients []*gl.Client // one per token (or one anonymous client)
	log     *slog.Logger
	// concurrency bounds the projects fetched at once: as many as the
	// shared transport lets in flight to one forge (8 by default), which
	// bounds the burst; GitLab's limits count requests per minute, which
	// the transport paces.
	concurrency int
	// level is how much of GitLab's GraphQL API the instance answers
	// (levelFull, then levelBasic or levelOff once it showed less).
	level atomic.Int32
	// mu guards dropped, the optional fields the instance's GraphQL
	// schema lacks (left out of the full query), and batch, the projects a
	// query asks once a larger batch failed (0: GitLab's limit, 50).
	mu      sync.Mutex
	dropped map[string]bool
	batch   int
}

// perPage is GitLab's maximum page size.
const perPage = 100

// maxPages bounds any paged listing, so a huge repository cannot turn one
// crawl into thousands of calls.
const maxPages = 50

// New builds a Forge. It makes no network call.
func New(opts Options) (*Forge, error) {
	if opts.WebURL == "" {
		return nil, errors.New("gitlab: WebURL is required")
	}
	root := opts.APIURL
	if root == "" {
		root = opts.WebURL
	}
	root = strings.TrimSuffix(strings.TrimSuffix(root, "/"), "/api/v4")
	if u, err := url.Parse(root); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("gitlab: API URL %q is not an http(s) URL", root)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	// A copy, so the caller's client is untouched: follow a redirect only on
	// the same host. GitLab answers an old path of a moved project with a 301
	// to /projects/:id on the same instance; Go would forward the
	// Private-Token header to any other host it was sent to.
	c := *hc
	prev := hc.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 && req.URL.Host != via[0].URL.Host {
			return http.ErrUseLastResponse
		}
		if prev != nil {
			return prev(req, via)
		}
		if len(via) >= 5 {
			return errors.New("stopped after 5 redirects")
		}
		return nil
	}
	clientOpts := []gl.ClientOptionFunc{
		gl.WithBaseURL(root),
		gl.WithHTTPClient(&c),
		// Retries and pacing belong to the shared transport wrapped in
		// HTTPClient; the client's own would multiply them.
		gl.WithoutRetries(),
		gl.WithCustomLimiter(noLimit{}),
	}
	f := &Forge{
		name:        opts.Name,
		webURL:      strings.TrimSuffix(opts.WebURL, "/"),
		log:         logger.With("forge", opts.Name),
		concurrency: cmp.Or(max(opts.Concurrency, 0), 8),
		dropped:     map[string]bool{},
	}
	f.level.Store(levelFull)
	var tokens []string
	for _, t := range opts.Tokens {
		if t != "" {
			tokens = append(tokens, t)
		}
	}
	if len(tokens) == 0 {
		// An empty token would still send an empty Private-Token header.
		cl, err := gl.NewAuthSourceClient(gl.Unauthenticated{}, clientOpts...)
		if err != nil {
			return nil, fmt.Errorf("gitlab: client for %s: %w", root, err)
		}
		f.clients = append(f.clients, cl)
	}
	for _, t := range tokens {
		cl, err := gl.NewClient(t, clientOpts...)
		if err != nil {
			return nil, fmt.Errorf("gitlab: client for %s: %w", root, err)
		}
		f.clients = append(f.clients, cl)
	}
	return f, nil
}

type noLimit struct{}

func (noLimit) Wait(context.Context) error { return nil }

// call is one API request through the client: it carries the client's
// authentication and pagination parsing, and wraps errors with the URL.
type call struct {
	f  *Forge
	cl *gl.Client
}

// errNotFound marks a 404: a missing or private project, or a missing file.
var errNotFound = errors.New("not found")

// do sends method to the relative API path (already escaped) with the query,
// decoding the JSON answer into v (or copying the body when v is an
// io.Writer).
func (c call) do(ctx context.Context, method, rel string, q url.Values, v any) (*gl.Response, error) {
	u := c.cl.BaseURL()
	unescaped, err := url.PathUnescape(rel)
	if err != nil {
		return nil, fmt.Errorf("gitlab: bad path %q: %w", rel, err)
	}
	u.RawPath = u.Path + rel
	u.Path += unescaped
	if q != nil {
		u.RawQuery = q.Encode()
	}
	req, err := c.cl.NewRequestToURL(method, u, nil, []gl.RequestOptionFunc{gl.WithContext(ctx)})
	if err != nil {
		return nil, fmt.Errorf("gitlab: %s %s: %w", method, u.Redacted(), err)
	}
	resp, err := c.cl.Do(req, v)
	if err != nil {
		if errors.Is(err, gl.ErrNotFound) || (resp != nil && resp.StatusCode == http.StatusNotFound) {
			return resp, fmt.Errorf("gitlab: %s %s: %w", method, u.Redacted(), errNotFound)
		}
		var er *gl.ErrorResponse
		if errors.As(err, &er) {
			// Its message already names the method and URL.
			return resp, fmt.Errorf("gitlab: %w", err)
		}
		return resp, fmt.Errorf("gitlab: %s %s: %w", method, u.Redacted(), err)
	}
	return resp, nil
}

// statusOf returns the HTTP status of a failed call's response, 0 without one.
func statusOf(resp *gl.Response) int {
	if resp == nil || resp.Response == nil {
		return 0
	}
	return resp.StatusCode
}

// pages fetches a paged listing, calling each for every page's items, until
// the last page, until each returns false, or maxPages. GitLab's offset
// pagination says the next page in X-Next-Page (present even where X-Total
// is not, as on the commits list); keyset pagination only in Link.
func pages[T any](ctx context.Context, c call, rel string, q url.Values, each func([]T) bool) error {
	q.Set("per_page", strconv.Itoa(perPage))
	page := 1
	for n := 0; n < maxPages; n++ {
		q.Set("page", strconv.Itoa(page))
		var items []T
		resp, err := c.do(ctx, http.MethodGet, rel, q, &items)
		if err != nil {
			return err
		}
		if !each(items) || len(items) == 0 {
			return nil
		}
		next := int(resp.NextPage)
		if next == 0 && resp.NextLink != "" {
			if lu, err := url.Parse(resp.NextLink); err == nil {
				next, _ = strconv.Atoi(lu.Query().Get("page"))
			}
		}
		if next == 0 && resp.Header.Get("X-Page") == "" && len(items) == perPage {
			// No pagination headers at all (a proxy stripped them): a full
			// page may have a successor.
			next = page + 1
		}
		if next <= page {
			return nil
		}
		page = next
	}
	return nil
}

// project is the part of GitLab's project entity vigie reads. Pointers and
// raw messages tell an absent or null field from a zero one.
type project struct {
	ID                       int64            `json:"id"`
	PathWithNamespace        string           `json:"path_with_namespace"`
	Description              *string          `json:"description"`
	Topics                   []string         `json:"topics"`
	TagList                  []string         `json:"tag_list"` // before GitLab 14.0
	DefaultBranch            *string          `json:"default_branch"`
	ForkedFromProject        *json.RawMessage `json:"forked_from_project"`
	Archived                 bool             `json:"archived"`
	EmptyRepo                bool             `json:"empty_repo"`
	CreatedAt                *time.Time       `json:"created_at"`
	StarCount                int              `json:"star_count"`
	OpenIssuesCount          *int             `json:"open_issues_count"`
	WebURL                   string           `json:"web_url"`
	ReadmeURL                json.RawMessage  `json:"readme_url"` // "null": no README; absent: an old instance
	LicenseURL               *string          `json:"license_url"`
	License                  *projectLicense  `json:"license"`
	CIConfigPath             *string          `json:"ci_config_path"`
	BuildsAccessLevel        string           `json:"builds_access_level"`
	JobsEnabled              *bool            `json:"jobs_enabled"`
	MergeRequestsAccessLevel string           `json:"merge_requests_access_level"`
	MergeRequestsEnabled     *bool            `json:"merge_requests_enabled"`
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
	facts.Archived = p.Archived
	// An empty repository has no default branch either; a project whose
	// repository was never created answers empty_repo true as well.
	facts.Empty = p.EmptyRepo || facts.DefaultBranch == ""
	if p.CreatedAt != nil {
		facts.CreatedAt = p.CreatedAt.UTC()
	}
	facts.Stars = p.StarCount
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
	if _, err := c.do(ctx, http.MethodGet, rel, url.Values{"ref": {branch}}, w); err != nil {
		return nil, 0, err
	}
	return w.buf, w.n, nil
}

// pipelineStatus maps GitLab's pipeline status to CONTRACT.md's words. A
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

// graphQLFacts copies what the GraphQL batch answered.
func graphQLFacts(facts *crawler.Facts, gp *gqlProject) {
	if gp.MergeRequests != nil {
		facts.OpenPullRequests = gp.MergeRequests.Count
	}
	if gp.Releases != nil && len(gp.Releases.Nodes) > 0 {
		// The GraphQL node has the REST release's fields (under other JSON
		// names), so it converts.
		facts.Release = release(gp.Releases.Nodes[0]).facts()
	}
	// The primary language is the one with the largest share, as GitLab's
	// project page shows first.
	best := -1.0
	for _, l := range gp.Languages {
		if l.Share > best {
			facts.Language, best = l.Name, l.Share
		}
	}
}

// groupProject is the part of a listed project ListOrg reads.
type groupProject struct {
	PathWithNamespace string           `json:"path_with_namespace"`
	ForkedFromProject *json.RawMessage `json:"forked_from_project"`
	Archived          bool             `json:"archived"`
}

// ListOrg lists every project of a group and its subgroups (shared projects
// excluded), archived ones included, sorted by path. A user namespace is not
// a group (404): its projects are listed instead.
func (f *Forge) ListOrg(ctx context.Context, org string) ([]crawler.OrgRepo, error) {
	org = strings.Trim(org, "/")
	c := call{f: f, cl: f.clients[0]}
	var out []crawler.OrgRepo
	collect := func(items []groupProject) bool {
		for _, p := range items {
			out = append(out, crawler.OrgRepo{
				Path:     p.PathWithNamespace,
				Fork:     p.ForkedFromProject != nil && string(*p.ForkedFromProject) != "null",
				Archived: p.Archived,
			})
		}
		return true
	}
	q := url.Values{"include_subgroups": {"true"}, "with_shared": {"false"}, "order_by": {"id"}, "sort": {"asc"}}
	err := pages(ctx, c, "groups/"+gl.PathEscape(org)+"/projects", q, collect)
	if errors.Is(err, errNotFound) && !strings.Contains(org, "/") {
		out = nil
		err = pages(ctx, c, "users/"+gl.PathEscape(org)+"/projects", url.Values{"order_by": {"id"}, "sort": {"asc"}}, collect)
	}
	if err != nil {
		return nil, fmt.Errorf("gitlab: listing group %s on %s: %w", org, f.webURL, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

var _ crawler.Forge = (*Forge)(nil)
