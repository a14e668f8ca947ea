// Package gitlab crawls GitLab instances (gitlab.com, framagit.org,
// self-hosted ones, possibly under a path prefix) through GitLab's GraphQL
// API, 50 projects a call, and the REST API v4 for what GraphQL cannot say
// or did not answer.
//
// Calls per project on a cold crawl, with GraphQL:
//
//	1/50 POST /api/graphql vigieProjectsFull   settings, counts, head commit, root listing, README and
//	                                           licence texts, pipelines, merge requests, release, languages
//	0-1/50 POST /api/graphql vigieFiles        folders that exist (.github, docs, CI folders, src of a JVM build), files not
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
// Without usable GraphQL (an instance that answers 404 there, or refuses
// the query) every project goes through REST:
//
//	1  GET  /projects/:path?license=true        project, licence verdict, readme_url, ci_config_path, last_activity_at
//	1  GET  .../repository/commits/:branch      the head commit and its latest pipeline
//	0+ GET  /projects/:id/repository/commits    the activity window (since=now-90d), paged; none when dormant
//	1+ GET  /projects/:id/repository/tree       root listing (more pages when >100 entries)
//	0+ GET  .../repository/tree?path=DIR        only for folders that exist: .github, docs, CI folders, src of a JVM build
//	0-1 GET .../repository/files/README/raw     the README GitLab shows (its text and size)
//	0+ GET  .../repository/files/LICENSE/raw    each top-level licence file
//	0-1 GET .../repository/files/CFG/raw        only for a custom ci_config_path outside the listed folders
//	0-1 GET /projects/:id/pipelines             only when the head's own pipeline cannot tell (none, skipped, manual)
//	1  GET  /projects/:id/merge_requests        opened merge request count (X-Total)
//	1  GET  /projects/:id/releases              latest release
//
// and, without a token, the listing of the project's group (see
// fillFromGroups): GitLab answers an anonymous GET /projects/:id with a
// reduced entity that says neither archived nor the open issues, CI/CD and
// merge request settings; with GraphQL its answer completes it instead.
//
// about 8 calls for a typical project (7.92 over 100 synthetic projects,
// TestCallsPerProject/rest). With a token, an unchanged project costs 2:
// the project and the head commit (restUnchanged). GitLab ignores If-None-Match, so
// "nothing changed" is decided from those two answers against the
// previous crawl's facts: the same head commit means the same files,
// texts, licence files and CI configuration (the activity window slides
// to now); the CI status is the head's latest pipeline, fresh (a pipeline
// finishes without a push); merge requests and the release, which change
// without a push, are asked again (2 more calls) only when
// last_activity_at moved, or when the previous crawl came within GitLab's
// hour of throttle after its last move. An instance whose
// schema lacks a field of the full query is asked without it (REST stands
// in), or the basic query (merge requests, releases, languages).
package gitlab

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/eiglink/vigie/crawler/httpx"
)

// Options configure one GitLab forge.
type Options struct {
	Name   string // configured forge name, e.g. "gitlab" or "framagit"
	WebURL string // e.g. https://gitlab.com or https://host/gitlab (path prefix allowed)
	APIURL string // instance root (default WebURL); the client adds /api/v4
	// Authenticated says that HTTPClient sends a token (the transport,
	// crawler/httpx, holds and rotates the tokens, never this package):
	// without one, a project GitLab answers is public.
	Authenticated bool
	// HTTPClient is the forge's client. nil: an anonymous httpx client for
	// the instance's host (public projects answer anonymously).
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Concurrency bounds the projects fetched at once (0: 8); keep it at
	// the shared transport's limit for the forge.
	Concurrency int
}

// Forge fetches facts from one GitLab instance. It implements crawler.Forge.
type Forge struct {
	name   string
	webURL string
	client *gl.Client
	log    *slog.Logger
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
	// anonymous: no token, so every request goes without credentials,
	// and GitLab answers such requests about public projects only.
	anonymous bool
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
		hc = httpx.NewClient(httpx.Options{Forge: opts.Name, Kind: httpx.KindGitLab, AllowedHosts: httpx.HostsFor(root), Logger: opts.Logger})
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
	f.anonymous = !opts.Authenticated
	// No token here: the transport sets PRIVATE-TOKEN itself.
	cl, err := gl.NewAuthSourceClient(gl.Unauthenticated{}, clientOpts...)
	if err != nil {
		return nil, fmt.Errorf("gitlab: client for %s: %w", root, err)
	}
	f.client = cl
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
