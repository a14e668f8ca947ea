// Package github crawls repositories on github.com and GitHub Enterprise.
//
// With a token it asks GraphQL, batching about 25 repositories a query: one
// query for the repository fields and its top-level trees, one for the texts
// of licence files and READMEs, and a separate, smaller batched query for the
// commit history (GitHub kills queries that run over 10 seconds, and history
// counts are the slow part). Without a token, or when the GraphQL endpoint is
// unavailable, it uses the REST API through go-github. Both paths produce
// the same facts: they gather the same raw values, and one function turns
// those into crawler.Facts.
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
	"github.com/eiglink/vigie/crawler/licenseid"
)

// Options configure a GitHub forge.
type Options struct {
	Name       string // configured forge name, e.g. "github"
	WebURL     string // e.g. https://github.com (or https://ghe.example.org)
	APIURL     string // REST root: https://api.github.com, https://HOST/api/v3, or a test server URL
	GraphQLURL string // https://api.github.com/graphql, https://HOST/api/graphql, or APIURL+"/graphql"
	// Tokens may be empty: the crawl is then anonymous and REST only
	// (GitHub's GraphQL API needs a token).
	Tokens     []string
	HTTPClient *http.Client // nil: a client with timeouts
	Logger     *slog.Logger
}

// Forge crawls one configured GitHub instance. It implements crawler.Forge.
type Forge struct {
	opts    Options
	log     *slog.Logger
	rest    []*gh.Client // one per token; one anonymous client without tokens
	next    atomic.Uint64
	noGraph atomic.Bool // the GraphQL endpoint proved unavailable
	points  atomic.Int64
}

var _ crawler.Forge = (*Forge)(nil)

// concurrency bounds the requests in flight: GitHub's secondary limits
// punish bursts more than they reward them.
const concurrency = 4

// batchSize is how many repositories one GraphQL query asks for: about 25
// keeps a query well under GitHub's 10-second budget with trees included.
const batchSize = 25

// historyBatch is smaller: history is what makes GraphQL queries slow.
const historyBatch = 10

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
		opts.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("forge", opts.Name)
	f := &Forge{opts: opts, log: log}
	mk := func(tok string) *gh.Client {
		c := gh.NewClient(opts.HTTPClient)
		if tok != "" {
			c = c.WithAuthToken(tok)
		}
		c.BaseURL = api
		return c
	}
	for _, t := range opts.Tokens {
		if t != "" {
			f.rest = append(f.rest, mk(t))
		}
	}
	if len(f.rest) == 0 {
		f.rest = []*gh.Client{mk("")}
		log.Warn("no GitHub token: GitHub allows 60 requests an hour without one, enough for about 5 repositories")
	}
	return f, nil
}

// graphQLURL derives the GraphQL endpoint from the REST root as CONTRACT.md
// says: https://HOST/api/v3 → https://HOST/api/graphql, otherwise
// API_ROOT/graphql.
func graphQLURL(api string) string {
	api = strings.TrimRight(api, "/")
	if strings.HasSuffix(api, "/api/v3") {
		return strings.TrimSuffix(api, "/v3") + "/graphql"
	}
	return api + "/graphql"
}

func (f *Forge) tokens() []string {
	var out []string
	for _, t := range f.opts.Tokens {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

// restClient picks the next client, spreading the work over the tokens.
func (f *Forge) restClient() *gh.Client {
	return f.rest[int(f.next.Add(1)-1)%len(f.rest)]
}

// Points returns the GraphQL rate-limit points this forge has spent.
func (f *Forge) Points() int64 { return f.points.Load() }

// Fetch returns the facts of every job, in order.
func (f *Forge) Fetch(ctx context.Context, jobs []crawler.Job, now time.Time) []crawler.Facts {
	now = now.UTC()
	out := make([]crawler.Facts, len(jobs))
	if len(f.tokens()) > 0 && !f.noGraph.Load() {
		var batches [][]int
		for i := 0; i < len(jobs); i += batchSize {
			var b []int
			for j := i; j < min(i+batchSize, len(jobs)); j++ {
				b = append(b, j)
			}
			batches = append(batches, b)
		}
		parallel(len(batches), 2, func(k int) {
			b := batches[k]
			refs := make([]crawler.Ref, len(b))
			for i, j := range b {
				refs[i] = jobs[j].Ref
			}
			facts := f.graphFetchOrFallBack(ctx, refs, now)
			for i, j := range b {
				out[j] = facts[i]
			}
		})
		return out
	}
	refs := make([]crawler.Ref, len(jobs))
	for i, j := range jobs {
		refs[i] = j.Ref
	}
	return f.restFetchAll(ctx, refs, now)
}

// graphFetchOrFallBack crawls a batch over GraphQL; a batch too slow for
// GitHub is split in halves, and a batch that fails otherwise goes to REST.
func (f *Forge) graphFetchOrFallBack(ctx context.Context, refs []crawler.Ref, now time.Time) []crawler.Facts {
	facts, err := f.graphFetch(ctx, refs, now)
	if err == nil {
		return facts
	}
	if errors.Is(err, errGraphTimeout) && len(refs) > 1 && ctx.Err() == nil {
		f.log.Warn("GraphQL batch too slow, splitting it", "repos", len(refs), "err", err)
		half := len(refs) / 2
		return append(f.graphFetchOrFallBack(ctx, refs[:half], now), f.graphFetchOrFallBack(ctx, refs[half:], now)...)
	}
	f.log.Warn("GraphQL batch failed, using REST for it", "repos", len(refs), "err", err)
	return f.restFetchAll(ctx, refs, now)
}

func (f *Forge) restFetchAll(ctx context.Context, refs []crawler.Ref, now time.Time) []crawler.Facts {
	out := make([]crawler.Facts, len(refs))
	parallel(len(refs), concurrency, func(i int) {
		out[i] = f.restFetch(ctx, refs[i], now)
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
	if len(f.tokens()) > 0 && !f.noGraph.Load() {
		list, err := f.graphListOrg(ctx, org)
		if err == nil || errors.Is(err, errNoOwner) {
			return list, err
		}
		f.log.Warn("GraphQL listing failed, using REST", "org", org, "err", err)
	}
	return f.restListOrg(ctx, org)
}

// raw is what either API path gathers about one repository before it
// becomes facts.
type raw struct {
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
	headAt      time.Time // committer date of the default branch head
	commits     []commit  // commits listed since the window's start
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
		Ref: ref, CrawledAt: now,
		CanonicalPath: r.canonical, Description: r.description, Homepage: r.homepage,
		Topics: r.topics, DefaultBranch: r.branch, Language: r.language,
		Fork: r.fork, Archived: r.archived, Empty: r.empty, CreatedAt: r.createdAt.UTC(),
		Stars: r.stars, OpenIssues: r.openIssues, OpenPullRequests: r.openPRs,
		Release: r.release,
	}
	if len(fa.Topics) == 0 {
		fa.Topics = nil
	}
	slices.SortFunc(r.files, func(a, b crawler.File) int { return cmp.Compare(a.Path, b.Path) })
	fa.Files = r.files
	fa.Community = crawler.Community(r.files)
	fa.License.ForgeSPDX = r.forgeSPDX
	sizes := map[string]int64{}
	for _, fl := range r.files {
		sizes[fl.Path] = fl.Size
	}
	for _, p := range licensePaths(r.files) {
		lf := crawler.LicenseFile{Path: p, Bytes: sizes[p]}
		if t, ok := r.texts[p]; ok {
			lf.SPDX, lf.Coverage = licenseid.Identify(t)
		}
		fa.License.Files = append(fa.License.Files, lf)
	}
	// Neither API says which file GitHub's detection read; with a verdict
	// and a single licence file there is no doubt.
	if r.forgeSPDX != "" && len(fa.License.Files) == 1 {
		fa.License.ForgePath = fa.License.Files[0].Path
	}
	if r.readme != "" {
		fa.Readme.Path, fa.Readme.Bytes = r.readme, r.readmeSize
		t := r.texts[r.readme]
		if len(t) > crawler.MaxReadmeText {
			t = t[:crawler.MaxReadmeText]
		}
		fa.Readme.Text = string(t)
	}
	fa.CI.Systems, fa.CI.Files = crawler.CISystems(r.files)
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
	// The window is (now-90d, now], on committer dates: the date GitHub's
	// `since` filters on in both APIs.
	last := r.headAt
	authors := map[string]bool{}
	start := now.Add(-crawler.Window)
	for _, c := range r.commits {
		if c.at.After(last) {
			last = c.at
		}
		if c.at.After(start) && !c.at.After(now) {
			fa.Activity.Commits90d++
			authors[c.author] = true
		}
	}
	fa.Activity.LastCommitAt = last.UTC()
	fa.Activity.Contributors90d = len(authors)
	return fa
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
