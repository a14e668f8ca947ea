// Package github crawls repositories on github.com and GitHub Enterprise.
//
// With a token it asks GraphQL. One main query per batch of about 25
// repositories reads the repository fields, the head commit and its CI
// result, the top-level trees and the texts of the usual licence and README
// names (blobs cost no rate-limit point). Follow-up queries, batched over
// the whole crawl and smaller (GitHub kills queries that run over 10
// seconds, and history is the slow part), read the rest: the commits of the
// 90-day window of the repositories whose head commit is in it, the texts
// of unusual names, the next pages of long histories. When the head commit
// did not move since Job.Previous, the main query leaves the files out and
// the previous crawl's file facts and commits of the window (slid to now)
// stand in: an unchanged repository costs its share of one main query.
//
// Without a token, or when the GraphQL endpoint is unavailable, it uses the
// REST API through go-github, with the same reuse of previous facts. Both
// paths produce the same facts: they gather the same raw values, and one
// function turns those into crawler.Facts.
package github

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/crawler/httpx"
	"github.com/eiglink/vigie/crawler/licenseid"
)

// Options configure a GitHub forge.
type Options struct {
	Name       string // configured forge name, e.g. "github"
	WebURL     string // e.g. https://github.com (or https://ghe.example.org)
	APIURL     string // REST root: https://api.github.com, https://HOST/api/v3, or a test server URL
	GraphQLURL string // https://api.github.com/graphql, https://HOST/api/graphql, or APIURL+"/graphql"
	// Authenticated says that HTTPClient sends a token: the tokens, their
	// header and their rotation belong to the transport (crawler/httpx),
	// never to this package. Without one the crawl is anonymous and REST
	// only (GitHub's GraphQL API needs a token).
	Authenticated bool
	// HTTPClient is the forge's client (nil: an anonymous httpx client for
	// the API's hosts).
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// Forge crawls one configured GitHub instance. It implements crawler.Forge.
type Forge struct {
	opts    Options
	log     *slog.Logger
	rest    *gh.Client
	noGraph atomic.Bool // the GraphQL endpoint proved unavailable
	points  atomic.Int64
}

var _ crawler.Forge = (*Forge)(nil)

// concurrency bounds the requests in flight: GitHub's secondary limits
// punish bursts more than they reward them.
const concurrency = 4

// batchSize is how many repositories one GraphQL query asks for: about 25
// keeps a query well under GitHub's 10-second budget with trees and the
// usual texts included.
const batchSize = 25

// followBatch is how many repositories a follow-up query (commit history,
// texts of unusual names, pages beyond the first) asks for: fewer, since
// history is what makes GraphQL queries slow.
const followBatch = 20

// New builds a GitHub forge.
func New(opts Options) (*Forge, error) {
	if opts.APIURL == "" {
		opts.APIURL = "https://api.github.com"
	}
	if opts.WebURL == "" {
		opts.WebURL = "https://github.com"
	}
	opts.WebURL = strings.TrimRight(opts.WebURL, "/")
	api, err := url.Parse(strings.TrimRight(opts.APIURL, "/") + "/")
	if err != nil || api.Scheme == "" || api.Host == "" {
		return nil, fmt.Errorf("github forge %q: bad API URL %q", opts.Name, opts.APIURL)
	}
	if opts.GraphQLURL == "" {
		opts.GraphQLURL = graphQLURL(opts.APIURL)
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = httpx.NewClient(httpx.Options{Forge: opts.Name, Kind: httpx.KindGitHub,
			AllowedHosts: httpx.HostsFor(opts.APIURL, opts.GraphQLURL), Logger: opts.Logger})
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("forge", opts.Name)
	f := &Forge{opts: opts, log: log}
	f.rest = gh.NewClient(opts.HTTPClient)
	f.rest.BaseURL = api
	if !opts.Authenticated {
		log.Warn("no GitHub token: GitHub allows 60 requests an hour without one, enough for about 5 repositories")
	}
	return f, nil
}

// graphQLURL derives the GraphQL endpoint from the REST root as docs/reference.md
// says: https://HOST/api/v3 → https://HOST/api/graphql, otherwise
// API_ROOT/graphql.
func graphQLURL(api string) string {
	api = strings.TrimRight(api, "/")
	if strings.HasSuffix(api, "/api/v3") {
		return strings.TrimSuffix(api, "/v3") + "/graphql"
	}
	return api + "/graphql"
}

// restClient is the REST client; the transport spreads the requests over
// the tokens.
func (f *Forge) restClient() *gh.Client { return f.rest }

// Points returns the GraphQL rate-limit points this forge has spent.
func (f *Forge) Points() int64 { return f.points.Load() }

// Fetch returns the facts of every job, in order.
func (f *Forge) Fetch(ctx context.Context, jobs []crawler.Job, now time.Time) []crawler.Facts {
	now = now.UTC()
	if f.opts.Authenticated && !f.noGraph.Load() {
		return f.graphFetchAll(ctx, jobs, now)
	}
	return f.restFetchAll(ctx, jobs, now)
}

func (f *Forge) restFetchAll(ctx context.Context, jobs []crawler.Job, now time.Time) []crawler.Facts {
	out := make([]crawler.Facts, len(jobs))
	parallel(len(jobs), concurrency, func(i int) {
		out[i] = f.restFetch(ctx, jobs[i], now)
	})
	return out
}

// parallel runs fn(0..n-1) with at most limit at once.
func parallel(n, limit int, fn func(i int)) {
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			fn(i)
		}()
	}
	wg.Wait()
}

// ListOrg lists the repositories of an organisation or a user.
func (f *Forge) ListOrg(ctx context.Context, org string) ([]crawler.OrgRepo, error) {
	org = strings.Trim(org, "/")
	if f.opts.Authenticated && !f.noGraph.Load() {
		list, err := f.graphListOrg(ctx, org)
		if err == nil || errors.Is(err, errNoOwner) || errors.Is(err, crawler.ErrListingCut) {
			return list, err
		}
		f.log.Warn("GraphQL listing failed, using REST", "org", org, "err", err)
	}
	return f.restListOrg(ctx, org)
}

// raw is what either API path gathers about one repository before it
// becomes facts.
type raw struct {
	visibility  string // crawler.VisibilityPublic: the others never become facts
	canonical   string
	description string
	homepage    string
	topics      []string
	branch      string
	language    string
	fork        bool
	archived    bool
	empty       bool
	createdAt   time.Time
	stars       int
	forks       int
	watchers    int
	template    bool
	ownerKind   string
	openIssues  int // issues only; -1 when the tracker is disabled
	openPRs     int
	release     *crawler.Release
	forgeSPDX   string
	files       []crawler.File
	texts       map[string][]byte // licence file and README texts by path
	readme      string            // path of the README the forge shows
	readmeSize  int64
	ciStatus    string
	ciRun       ciRun
	headSHA     string    // the default branch's newest commit
	headAt      time.Time // committer date of the default branch head
	commits     []commit  // commits listed since the window's start
	// prev, when set, is the previous crawl's facts of the same head
	// commit: its files, licence files and README are this crawl's too.
	prev *crawler.Facts
	// activity, when set, is the previous crawl's activity slid to now
	// (same head commit): the commits were not listed again.
	activity *crawler.ActivityFacts
	// since is the job's Since; prevSince the previous crawl's count after
	// it; sinceDone the count when the previous one still holds (same
	// head commit).
	since     time.Time
	prevSince *crawler.SinceFacts
	sinceDone *crawler.SinceFacts
}

// setSince records what the job asks after Since, from the previous facts.
func (r *raw) setSince(job crawler.Job) {
	r.since, r.prevSince = job.Since, job.PrevSince()
}

// historyFrom is how far back the history must be read: the window, and
// the commits after Since not counted yet.
func (r *raw) historyFrom(now time.Time) time.Time {
	return crawler.HistoryFrom(now.Add(-crawler.Window), r.since, r.prevSince)
}

// needsHistory reports whether the commits must be listed: the window's
// were not slid from the previous crawl, or the count after Since is not
// the previous one's, and the head commit is recent enough to matter.
func (r *raw) needsHistory(now time.Time) bool {
	if r.empty {
		return false
	}
	if r.activity != nil && r.since.IsZero() {
		return false
	}
	if r.activity != nil && r.prev != nil && r.prevSince != nil {
		s := *r.prevSince
		r.sinceDone = &s
		return false
	}
	return r.headSHA == "" || r.headAt.After(r.historyFrom(now))
}

// sameHead reports whether prev describes the same head commit of the same
// default branch as r.
func (r *raw) sameHead(prev *crawler.Facts) bool {
	return prev != nil && !r.empty && r.headSHA != "" && prev.HeadSHA == r.headSHA && prev.DefaultBranch == r.branch
}

// ciRun keeps the newest CI context of the head commit: when it ran and
// where to see it.
type ciRun struct {
	at  time.Time
	url string
}

// add considers one check run (started, completed) or status (created).
func (c *ciRun) add(started, completed time.Time, url string) {
	t := completed
	if t.IsZero() {
		t = started
	}
	if !t.IsZero() && (t.After(c.at) || t.Equal(c.at) && url < c.url) {
		c.at, c.url = t, url
	}
}

type commit struct {
	at     time.Time // committer date
	author string    // login, else lower-case e-mail, else name
	email  string    // lower-case e-mail when author is a login
}

// newCommit names a commit's author (see authorKey).
func newCommit(at time.Time, login, email, name string) commit {
	c := commit{at: at, author: authorKey(login, email, name)}
	if login != "" {
		c.email = strings.ToLower(email)
	}
	return c
}

// forgeSPDX turns GitHub's licence verdict into the facts' form: key
// "other" (a licence file GitHub could not identify) is NOASSERTION.
func forgeSPDX(spdx, key string) string {
	if key == "other" || spdx == "NOASSERTION" {
		return "NOASSERTION"
	}
	return spdx
}

// licensePaths are the top-level licence files, sorted.
func licensePaths(files []crawler.File) []string {
	var out []string
	for _, fl := range files {
		if !fl.Dir && !strings.Contains(fl.Path, "/") && crawler.IsLicenseFile(fl.Path) {
			out = append(out, fl.Path)
		}
	}
	slices.Sort(out)
	return out
}

// authorKey names a commit author: the GitHub account when the e-mail
// matches one, the e-mail otherwise.
func authorKey(login, email, name string) string {
	switch {
	case login != "":
		return "@" + strings.ToLower(login)
	case email != "":
		return strings.ToLower(email)
	}
	return name
}

// facts turns raw values into crawler.Facts, the same way for both paths.
func (r *raw) facts(ref crawler.Ref, now time.Time) crawler.Facts {
	fa := crawler.Facts{
		Ref: ref, CrawledAt: now, Visibility: r.visibility,
		CanonicalPath: r.canonical, Description: r.description, Homepage: r.homepage,
		Topics: r.topics, DefaultBranch: r.branch, Language: r.language,
		Fork: r.fork, Archived: r.archived, Empty: r.empty, CreatedAt: r.createdAt.UTC(),
		Stars: r.stars, OpenIssues: r.openIssues, OpenPullRequests: r.openPRs,
		Release: r.release, Forks: r.forks, Watchers: r.watchers, Template: r.template,
		OwnerKind: r.ownerKind,
	}
	if !r.empty {
		fa.HeadSHA = r.headSHA
	}
	if len(fa.Topics) == 0 {
		fa.Topics = nil
	}
	files := r.files
	if r.prev != nil {
		files = slices.Clone(r.prev.Files)
	}
	slices.SortFunc(files, func(a, b crawler.File) int { return cmp.Compare(a.Path, b.Path) })
	fa.Files = files
	fa.Community = crawler.Community(files)
	fa.License.ForgeSPDX = r.forgeSPDX
	if r.prev != nil {
		fa.License.Files = slices.Clone(r.prev.License.Files)
		fa.Readme = r.prev.Readme
		fa.Publiccode = r.prev.Publiccode
	} else {
		// The README's and publiccode.yml's texts were cut to
		// MaxReadmeText when read (REST and GraphQL alike).
		if p := fa.Community.Publiccode; p != "" {
			fa.Publiccode = string(r.texts[p])
		}
		sizes := map[string]int64{}
		for _, fl := range files {
			sizes[fl.Path] = fl.Size
		}
		for _, p := range licensePaths(files) {
			lf := crawler.LicenseFile{Path: p, Bytes: sizes[p]}
			if t, ok := r.texts[p]; ok {
				lf.SPDX, lf.Coverage = licenseid.Identify(t)
			}
			fa.License.Files = append(fa.License.Files, lf)
		}
		if r.readme != "" {
			fa.Readme.Path, fa.Readme.Bytes = r.readme, r.readmeSize
			fa.Readme.Text = string(r.texts[r.readme])
		}
	}
	// Neither API says which file GitHub's detection read; with a verdict
	// and a single licence file there is no doubt.
	if r.forgeSPDX != "" && len(fa.License.Files) == 1 {
		fa.License.ForgePath = fa.License.Files[0].Path
	}
	fa.CI.Systems, fa.CI.Files = crawler.CISystems(files)
	if fa.CI.Systems == nil {
		fa.CI.Systems = []string{}
	}
	fa.CI.Status = r.ciStatus
	if !r.ciRun.at.IsZero() {
		fa.CI.RunAt, fa.CI.RunURL = r.ciRun.at.UTC(), r.ciRun.url
	}
	if r.empty {
		fa.CI = crawler.CIFacts{Systems: fa.CI.Systems, Files: fa.CI.Files, Status: crawler.StatusNone}
	}
	switch {
	case r.sinceDone != nil:
		fa.Since = r.sinceDone
	case !r.since.IsZero():
		stamps := make([]crawler.CommitStamp, len(r.commits))
		for i, c := range r.commits {
			stamps[i] = crawler.CommitStamp{At: c.at.UTC(), Author: c.author, Email: c.email}
		}
		fa.Since = crawler.NewSince(r.since, r.prevSince, stamps)
	}
	if r.activity != nil {
		fa.Activity = *r.activity
		return fa
	}
	fa.Activity = activity(r.headAt, r.commits, now)
	return fa
}

// activity counts the commits of the window (now-90d, now], on committer
// dates: the date GitHub's `since` filters on in both APIs. A head commit
// committed before the window means no commit in it: the GraphQL path then
// lists no history at all, and both paths must agree.
func activity(headAt time.Time, commits []commit, now time.Time) crawler.ActivityFacts {
	var a crawler.ActivityFacts
	start := now.Add(-crawler.Window)
	last := headAt
	if !headAt.IsZero() && !headAt.After(start) {
		commits = nil
	}
	authors := map[string]bool{}
	for _, c := range commits {
		if c.at.After(last) {
			last = c.at
		}
		if c.at.After(start) && !c.at.After(now) {
			a.Recent = append(a.Recent, crawler.CommitStamp{At: c.at.UTC(), Author: c.author, Email: c.email})
			authors[c.author] = true
		}
	}
	// Newest first; the forge's order among commits of the same second.
	slices.SortStableFunc(a.Recent, func(x, y crawler.CommitStamp) int { return y.At.Compare(x.At) })
	a.Commits90d = len(a.Recent)
	a.LastCommitAt = last.UTC()
	a.Contributors90d = len(authors)
	return a
}

// listedDirs are the folders whose entries the facts list, parents first:
// the root, where GitHub looks for a README and community files (.github/,
// docs/), and the folders of CI configurations (CISystems reads them).
var listedDirs = []string{"", ".github", ".github/workflows", "docs", ".circleci", ".woodpecker", ".azure-pipelines"}

// hasDir reports whether the listing holds the folder p.
func hasDir(files []crawler.File, p string) bool {
	for _, fl := range files {
		if fl.Dir && fl.Path == p {
			return true
		}
	}
	return false
}

func truncate(b []byte) []byte {
	if len(b) > crawler.MaxReadmeText {
		return b[:crawler.MaxReadmeText]
	}
	return b
}
