// Package gitea crawls Gitea and Forgejo instances (codeberg.org, the
// administrations' own forges) through their REST API, /api/v1, which both
// still share for everything vigie reads.
//
// Calls per repository on a cold crawl:
//
//	1   GET /repos/{o}/{r}                           settings, counts, default branch, Gitea ≥ 1.23's licence verdict
//	1+  GET /repos/{o}/{r}/commits?sha=BRANCH        newest first, paged until a page reaches past the 90 days
//	                                                 (there is no `since`); the first page gives the head commit
//	1+  GET /repos/{o}/{r}/git/trees/{sha}           the root, then only the listed folders that exist
//	                                                 (.gitea, .forgejo, .github whole; docs, CI folders;
//	                                                 src for a JVM build: pom.xml, build.gradle(.kts), build.sbt);
//	                                                 /contents/{dir} on an instance without this route
//	0-1 GET /repos/{o}/{r}/raw/{README}?ref=BRANCH   the README Gitea shows (root, else docs/, .gitea/, .github/)
//	0+  GET /repos/{o}/{r}/raw/{LICENSE}?ref=BRANCH  each top-level licence file, identified by vigie
//	1   GET /repos/{o}/{r}/commits/{sha}/status      the combined commit status of the head commit
//	0-1 GET /repos/{o}/{r}/actions/runs (or /tasks)  only when no status was posted and Actions workflows exist
//	0-1 GET /repos/{o}/{r}/releases/latest           only when the repository counts releases
//
// and once per crawl GET /version. Raw files carry their blob SHA as ETag
// and Gitea answers 304 to it, so the transport's ETag cache turns a
// licence or README read again into a 304. A repository whose head commit
// did not move since the previous crawl costs 3 calls (repository, first
// page of commits, status): its files, texts and commits of the window
// (slid to now) are the previous crawl's.
//
// Gitea has no rate limit of its own and no ETag on JSON; a reverse proxy
// in front may answer 429, with or without Retry-After, which the
// transport waits out and retries.
package gitea

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/eiglink/vigie/crawler/httpx"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/crawler/licenseid"
)

// Options configure one Gitea or Forgejo forge.
type Options struct {
	Name   string // configured forge name, e.g. "codeberg"
	WebURL string // e.g. https://codeberg.org (a path prefix is allowed)
	APIURL string // instance root (default WebURL); the client adds /api/v1
	// HTTPClient is the forge's client: its transport (crawler/httpx) sets
	// the tokens, in turn, never this package. nil: an anonymous httpx
	// client for the instance's host (public repositories answer
	// anonymously).
	HTTPClient *http.Client
	Logger     *slog.Logger
	// Concurrency bounds the repositories fetched at once (0: 8).
	Concurrency int
}

// Forge crawls one Gitea or Forgejo instance. It implements crawler.Forge.
type Forge struct {
	name        string
	webURL      string
	api         string // instance root + /api/v1
	hc          *http.Client
	log         *slog.Logger
	concurrency int

	verOnce sync.Once
	ver     Version
	// actions is which route lists Actions runs on this instance:
	// actionsUnknown until a call told, then actionsRuns (Gitea 1.24+) or
	// actionsTasks (Gitea 1.22-1.23, Forgejo).
	actions atomic.Int32
	// noTrees is set once the instance answered that it has no git trees
	// route: folders are listed through the contents route instead.
	noTrees atomic.Bool
}

const (
	actionsUnknown = iota
	actionsRuns
	actionsTasks
)

var _ crawler.Forge = (*Forge)(nil)

// pageSize is asked on every list: Gitea's default MAX_RESPONSE_ITEMS and
// its commits range size, 50. A smaller instance answers shorter pages.
const pageSize = 50

// maxPages bounds any paged listing.
const maxPages = 100

// New builds a Forge. It makes no network call.
func New(opts Options) (*Forge, error) {
	if opts.WebURL == "" {
		return nil, errors.New("gitea: WebURL is required")
	}
	root := cmp.Or(opts.APIURL, opts.WebURL)
	root = strings.TrimSuffix(strings.TrimSuffix(root, "/"), "/api/v1")
	if u, err := url.Parse(root); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("gitea: API URL %q is not an http(s) URL", root)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = httpx.NewClient(httpx.Options{Forge: opts.Name, Kind: httpx.KindGitea, AllowedHosts: httpx.HostsFor(root), Logger: opts.Logger})
	}
	f := &Forge{
		name:        opts.Name,
		webURL:      strings.TrimSuffix(opts.WebURL, "/"),
		api:         root + "/api/v1",
		hc:          hc,
		log:         log.With("forge", opts.Name),
		concurrency: cmp.Or(max(opts.Concurrency, 0), 8),
	}
	return f, nil
}

// Fetch returns the facts of every job, in order.
func (f *Forge) Fetch(ctx context.Context, jobs []crawler.Job, now time.Time) []crawler.Facts {
	now = now.UTC()
	f.version(ctx)
	out := make([]crawler.Facts, len(jobs))
	sem := make(chan struct{}, f.concurrency)
	var wg sync.WaitGroup
	for i := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = f.fetch(ctx, jobs[i], now)
		}()
	}
	wg.Wait()
	return out
}

// version asks the instance's version once: it says whether the Actions
// runs route can exist (Gitea 1.24) and is logged, so a report of odd facts
// says which server gave them. A failure only logs.
func (f *Forge) version(ctx context.Context) Version {
	f.verOnce.Do(func() {
		var v struct {
			Version string `json:"version"`
		}
		if _, err := f.getJSON(ctx, "version", nil, &v); err != nil {
			f.log.Debug("version not read", "err", err)
			return
		}
		f.ver = ParseVersion(v.Version)
		f.log.Debug("instance version", "version", v.Version, "forgejo", f.ver.Forgejo, "gitea", f.ver.Gitea)
		if f.ver.Known() && !f.ver.AtLeast(1, 24) {
			f.actions.Store(actionsTasks)
		}
	})
	return f.ver
}

// repository is the part of Gitea's Repository vigie reads. Pointers tell
// an absent field (an older version) from a zero one.
type repository struct {
	FullName        string     `json:"full_name"`
	Description     string     `json:"description"`
	Website         string     `json:"website"`
	Topics          []string   `json:"topics"`
	DefaultBranch   string     `json:"default_branch"`
	Language        string     `json:"language"`
	Empty           bool       `json:"empty"`
	Private         bool       `json:"private"`
	Internal        bool       `json:"internal"`
	Fork            bool       `json:"fork"`
	Mirror          bool       `json:"mirror"`
	Archived        bool       `json:"archived"`
	CreatedAt       *time.Time `json:"created_at"`
	Stars           int        `json:"stars_count"`
	Forks           int        `json:"forks_count"`
	Watchers        int        `json:"watchers_count"`
	Template        bool       `json:"template"`
	OpenIssues      int        `json:"open_issues_count"`
	OpenPRs         *int       `json:"open_pr_counter"`
	Releases        *int       `json:"release_counter"`
	HasIssues       *bool      `json:"has_issues"`
	HasPullRequests *bool      `json:"has_pull_requests"`
	HasActions      *bool      `json:"has_actions"`
	// Licenses is Gitea 1.23's detection (SPDX ids); absent before, and on
	// Forgejo.
	Licenses *[]string `json:"licenses"`
}

// Visibility says who may read a repository, from the repository's
// private and internal fields: "public" (anyone), "internal" (any signed-in
// user of the instance: not public), "private". Gitea has no visibility
// field on repositories (only on owners).
func (r *repository) Visibility() string {
	switch {
	case r.Private:
		return crawler.VisibilityPrivate
	case r.Internal:
		return crawler.VisibilityInternal
	}
	return crawler.VisibilityPublic
}

// commit is one entry of the commits list.
type commit struct {
	SHA     string    `json:"sha"`
	Created time.Time `json:"created"` // the committer date again, on the entry itself
	Commit  struct {
		Author struct {
			Name  string    `json:"name"`
			Email string    `json:"email"`
			Date  time.Time `json:"date"`
		} `json:"author"`
		Committer struct {
			Date time.Time `json:"date"`
		} `json:"committer"`
	} `json:"commit"`
	Author *struct {
		Login string `json:"login"`
	} `json:"author"`
}

// at is the committer date (what the window counts on, as on the other
// forges), else the entry's created, else the author date.
func (c commit) at() time.Time {
	for _, t := range []time.Time{c.Commit.Committer.Date, c.Created, c.Commit.Author.Date} {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// authorKey names a commit author as the other forges do: the account
// when the e-mail matches one, else the lower-case e-mail, else the name.
func (c commit) authorKey() string {
	switch {
	case c.Author != nil && c.Author.Login != "":
		return "@" + strings.ToLower(c.Author.Login)
	case c.Commit.Author.Email != "":
		return strings.ToLower(c.Commit.Author.Email)
	}
	return c.Commit.Author.Name
}

// stamp is the commit as the facts keep it.
func (c commit) stamp() crawler.CommitStamp {
	st := crawler.CommitStamp{At: c.at().UTC(), Author: c.authorKey()}
	if c.Author != nil && c.Author.Login != "" {
		st.Email = strings.ToLower(c.Commit.Author.Email)
	}
	return st
}

// state is what one repository's crawl gathers.
type state struct {
	owner, name string
	repo        repository
	where       string
	headSHA     string
	headAt      time.Time
	commits     []commit
	empty       bool
	// prev, when set, holds the same head commit's files and texts.
	prev     *crawler.Facts
	activity *crawler.ActivityFacts
	// since is the job's Since, prevSince the previous crawl's count after
	// it, sinceDone that count when it still holds (same head commit).
	since     time.Time
	prevSince *crawler.SinceFacts
	sinceDone *crawler.SinceFacts
}

// fetch gathers one repository's facts. A failure gives Facts.Error.
func (f *Forge) fetch(ctx context.Context, job crawler.Job, now time.Time) crawler.Facts {
	ref := job.Ref
	s := &state{where: f.webURL + "/" + ref.Path, since: job.Since, prevSince: job.PrevSince()}
	s.owner, s.name, _ = strings.Cut(ref.Path, "/")
	fail := func(err error) crawler.Facts {
		return crawler.Facts{Ref: ref, CrawledAt: now, Error: fmt.Sprintf("gitea %s: %v", s.where, err)}
	}
	// A renamed or transferred repository answers its old path with a
	// redirect to the new one (307 on the API, 301 on some proxies), which
	// the HTTP client follows; full_name then names it.
	if _, err := f.getJSON(ctx, repoPath(s.owner, s.name), nil, &s.repo); err != nil {
		if st := statusOf(err); st == http.StatusNotFound || st == http.StatusGone || st == http.StatusUnavailableForLegalReasons {
			return crawler.Facts{Ref: ref, CrawledAt: now, NotFound: true,
				Error: fmt.Sprintf("gitea %s: repository not found (missing or private)", s.where)}
		}
		return fail(fmt.Errorf("repository: %w", err))
	}
	if v := s.repo.Visibility(); v != crawler.VisibilityPublic {
		// A token reads its owner's private and internal repositories;
		// vigie publishes public ones only: nothing more is asked, nothing
		// of it is kept but its visibility.
		return crawler.NotPublic(ref, now, v)
	}
	if s.repo.FullName != "" {
		if o, n, ok := strings.Cut(s.repo.FullName, "/"); ok {
			s.owner, s.name = o, n
		}
	}
	branch := s.repo.DefaultBranch
	s.empty = s.repo.Empty || branch == ""
	if !s.empty {
		if err := f.commits(ctx, s, job.Reusable(), now); err != nil {
			return fail(err)
		}
	}
	fa := s.base(ref, now)
	if s.empty {
		fa.Empty, fa.DefaultBranch, fa.HeadSHA = true, "", ""
		fa.CI = crawler.CIFacts{Systems: []string{}, Status: crawler.StatusNone}
		return fa
	}
	if s.prev != nil {
		fa.Files = slices.Clone(s.prev.Files)
		fa.License.Files = slices.Clone(s.prev.License.Files)
		fa.Readme = s.prev.Readme
		fa.Publiccode = s.prev.Publiccode
	} else if err := f.files(ctx, s, &fa); err != nil {
		return fail(err)
	}
	fa.Community = crawler.Community(fa.Files)
	fa.CI.Systems, fa.CI.Files = crawler.CISystems(fa.Files)
	if fa.CI.Systems == nil {
		fa.CI.Systems = []string{}
	}
	f.ci(ctx, s, &fa)
	if s.activity != nil {
		fa.Activity = *s.activity
	} else {
		fa.Activity = activity(s.headAt, s.commits, now)
	}
	switch {
	case s.sinceDone != nil:
		fa.Since = s.sinceDone
	case !s.since.IsZero():
		stamps := make([]crawler.CommitStamp, len(s.commits))
		for i, c := range s.commits {
			stamps[i] = c.stamp()
		}
		fa.Since = crawler.NewSince(s.since, s.prevSince, stamps)
	}
	f.release(ctx, s, &fa)
	return fa
}

// base copies the repository's fields into facts.
func (s *state) base(ref crawler.Ref, now time.Time) crawler.Facts {
	r := &s.repo
	fa := crawler.Facts{
		Ref: ref, CrawledAt: now, Visibility: r.Visibility(),
		CanonicalPath: r.FullName, Description: strings.TrimSpace(r.Description), Homepage: r.Website,
		DefaultBranch: r.DefaultBranch, HeadSHA: s.headSHA, Language: r.Language,
		Fork: r.Fork, Archived: r.Archived, Stars: r.Stars, OpenIssues: r.OpenIssues,
		Forks: r.Forks, Watchers: r.Watchers, Template: r.Template,
	}
	if len(r.Topics) > 0 {
		fa.Topics = r.Topics
	}
	if r.CreatedAt != nil {
		fa.CreatedAt = r.CreatedAt.UTC()
	}
	if r.HasIssues != nil && !*r.HasIssues {
		fa.OpenIssues = -1
	}
	if r.OpenPRs != nil {
		fa.OpenPullRequests = *r.OpenPRs
	}
	if r.Licenses != nil {
		fa.License.ForgeDetected = append([]string{}, (*r.Licenses)...)
	}
	return fa
}

func repoPath(owner, name string) string {
	return "repos/" + url.PathEscape(owner) + "/" + url.PathEscape(name)
}

func (s *state) path() string { return repoPath(s.owner, s.name) }

// commits lists the default branch's commits newest first, page after page,
// until a page reaches past the window (Gitea's list has no `since`), or
// past the commits after the job's Since not counted yet. The first page
// gives the head commit: when it is that of prev (the job's Reusable
// facts), their files hold and their commits of the window slide to now,
// and no other page is asked. An empty repository answers 409.
func (f *Forge) commits(ctx context.Context, s *state, prev *crawler.Facts, now time.Time) error {
	start := crawler.HistoryFrom(now.Add(-crawler.Window), s.since, s.prevSince)
	q := url.Values{
		"sha": {s.repo.DefaultBranch}, "limit": {strconv.Itoa(pageSize)},
		// Gitea computes these per commit unless told not to.
		"stat": {"false"}, "verification": {"false"}, "files": {"false"},
	}
	for page := 1; page <= maxPages; page++ {
		q.Set("page", strconv.Itoa(page))
		var list []commit
		resp, err := f.getJSON(ctx, s.path()+"/commits", q, &list)
		// 409: an empty repository; 404 on the first page: a default
		// branch that does not exist (yet), so no commit on it either.
		if st := statusOf(err); st == http.StatusConflict || (st == http.StatusNotFound && page == 1) {
			s.empty = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("commits of %s: %w", s.repo.DefaultBranch, err)
		}
		if page == 1 {
			if len(list) == 0 {
				s.empty = true
				return nil
			}
			s.headSHA, s.headAt = list[0].SHA, list[0].at()
			if p := prev; p != nil && p.HeadSHA == s.headSHA && p.DefaultBranch == s.repo.DefaultBranch {
				s.prev = p
				if a, ok := p.Activity.Slide(now); ok {
					s.activity = &a
					if s.since.IsZero() {
						return nil
					}
					if s.prevSince != nil {
						c := *s.prevSince
						s.sinceDone = &c
						return nil
					}
					// The count after Since is still to make: page on.
				}
			}
		}
		s.commits = append(s.commits, list...)
		oldest := time.Time{}
		for _, c := range list {
			if oldest.IsZero() || c.at().Before(oldest) {
				oldest = c.at()
			}
		}
		if len(list) == 0 || !oldest.After(start) || !hasMore(resp, len(list)) {
			return nil
		}
	}
	return nil
}

// activity counts the commits of the window (now-90d, now] on committer
// dates, as the other forges do.
func activity(headAt time.Time, commits []commit, now time.Time) crawler.ActivityFacts {
	var a crawler.ActivityFacts
	start := now.Add(-crawler.Window)
	last := headAt
	authors := map[string]bool{}
	for _, c := range commits {
		at := c.at()
		if at.After(last) {
			last = at
		}
		if at.After(start) && !at.After(now) {
			a.Recent = append(a.Recent, c.stamp())
			authors[c.authorKey()] = true
		}
	}
	slices.SortStableFunc(a.Recent, func(x, y crawler.CommitStamp) int { return y.At.Compare(x.At) })
	a.Commits90d = len(a.Recent)
	a.Contributors90d = len(authors)
	if !last.IsZero() {
		a.LastCommitAt = last.UTC()
	}
	return a
}

// treeEntry is one entry of a git tree.
type treeEntry struct {
	Path string `json:"path"`
	Mode string `json:"mode"`
	Type string `json:"type"` // blob, tree, commit (a submodule)
	Size int64  `json:"size"`
	SHA  string `json:"sha"`
}

// listedDirs are the top-level folders whose entries the facts list
// besides the root: where Gitea looks for a README (docs, .gitea, .github),
// where community files live, and where CI systems keep their
// configuration. Each is listed only when the root holds it; the forges'
// own folders, small and holding the workflows one level down, are listed
// whole in one call (recursive).
var listedDirs = []struct {
	dir       string
	recursive bool
}{
	{".gitea", true}, {".forgejo", true}, {".github", true},
	{"docs", false}, {".woodpecker", false}, {".circleci", false}, {".azure-pipelines", false},
}

// tree lists one folder at the head commit: the git tree object sha, under
// dir. An instance (or a stand-in) without the trees route is asked the
// contents route instead, from then on.
func (f *Forge) tree(ctx context.Context, s *state, sha, dir string, recursive bool) ([]treeEntry, error) {
	if !f.noTrees.Load() {
		out, err := f.gitTree(ctx, s, sha, dir, recursive)
		switch statusOf(err) {
		case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusNotImplemented:
			if dir != "" {
				return nil, err
			}
			f.log.Debug("no git trees route: listing through contents", "err", err)
			f.noTrees.Store(true)
		default:
			return out, err
		}
	}
	return f.contents(ctx, s, dir, recursive)
}

func (f *Forge) gitTree(ctx context.Context, s *state, sha, dir string, recursive bool) ([]treeEntry, error) {
	var out []treeEntry
	q := url.Values{"per_page": {"1000"}}
	if recursive {
		q.Set("recursive", "true")
	}
	for page := 1; page <= maxPages; page++ {
		q.Set("page", strconv.Itoa(page))
		var t struct {
			Tree       []treeEntry `json:"tree"`
			Truncated  bool        `json:"truncated"`
			TotalCount int         `json:"total_count"`
		}
		if _, err := f.getJSON(ctx, s.path()+"/git/trees/"+url.PathEscape(sha), q, &t); err != nil {
			return nil, fmt.Errorf("tree of /%s: %w", dir, err)
		}
		for _, e := range t.Tree {
			if dir != "" {
				e.Path = dir + "/" + e.Path
			}
			out = append(out, e)
		}
		if len(t.Tree) == 0 || len(out) >= t.TotalCount {
			break
		}
	}
	return out, nil
}

// contents lists a folder of the default branch through the contents
// route (a listing of its entries, with full paths); recursive goes one
// level further down, where the workflows live.
func (f *Forge) contents(ctx context.Context, s *state, dir string, recursive bool) ([]treeEntry, error) {
	var list []struct {
		Path string `json:"path"`
		Type string `json:"type"` // file, dir, symlink, submodule
		Size int64  `json:"size"`
		SHA  string `json:"sha"`
	}
	rel := s.path() + "/contents"
	if dir != "" {
		rel += "/" + escapePath(dir)
	}
	if _, err := f.getJSON(ctx, rel, url.Values{"ref": {s.repo.DefaultBranch}}, &list); err != nil {
		return nil, fmt.Errorf("contents of /%s: %w", dir, err)
	}
	var out []treeEntry
	for _, e := range list {
		t := "blob"
		switch e.Type {
		case "dir":
			t = "tree"
		case "submodule":
			t = "commit"
		}
		out = append(out, treeEntry{Path: e.Path, Type: t, Size: e.Size, SHA: e.SHA})
		if recursive && t == "tree" {
			sub, err := f.contents(ctx, s, e.Path, false)
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
		}
	}
	return out, nil
}

// files lists the root and the listed folders that exist, then reads the
// README and the licence files into fa.
func (f *Forge) files(ctx context.Context, s *state, fa *crawler.Facts) error {
	shas := map[string]string{}
	add := func(entries []treeEntry) {
		for _, e := range entries {
			fl := crawler.File{Path: e.Path, Size: e.Size}
			switch e.Type {
			case "tree":
				fl.Dir, fl.Size = true, 0
				shas[e.Path] = e.SHA
			case "commit":
				// A submodule is a folder in a checkout.
				fl.Dir, fl.Size = true, 0
			}
			fa.Files = append(fa.Files, fl)
		}
	}
	root, err := f.tree(ctx, s, s.headSHA, "", false)
	if err != nil {
		return err
	}
	add(root)
	for _, d := range listedDirs {
		sha, ok := shas[d.dir]
		if !ok {
			continue
		}
		entries, err := f.tree(ctx, s, sha, d.dir, d.recursive)
		if err != nil {
			return err
		}
		add(entries)
	}
	// A JVM build keeps its tests in src/test: its src is listed too.
	if sha, ok := shas[crawler.SourceDir]; ok && crawler.ListsSource(fa.Files) {
		entries, err := f.tree(ctx, s, sha, crawler.SourceDir, false)
		if err != nil {
			return err
		}
		add(entries)
	}
	sort.Slice(fa.Files, func(i, j int) bool { return fa.Files[i].Path < fa.Files[j].Path })

	for _, fl := range fa.Files {
		if fl.Dir || strings.Contains(fl.Path, "/") || !crawler.IsLicenseFile(fl.Path) {
			continue
		}
		text, err := f.raw(ctx, s, fl.Path)
		if err != nil {
			return fmt.Errorf("licence file %s: %w", fl.Path, err)
		}
		lf := crawler.LicenseFile{Path: fl.Path, Bytes: fl.Size}
		lf.SPDX, lf.Coverage = licenseid.Identify(text)
		fa.License.Files = append(fa.License.Files, lf)
	}
	if d := fa.License.ForgeDetected; len(d) > 0 {
		f.crossCheck(s, fa.License)
	}
	// The README Gitea shows: the root's, else docs/'s, .gitea/'s,
	// .github/'s (routers/web/repo/view's order), ranked by markup.
	if i := crawler.PickReadme(fa.Files, "", "docs", ".gitea", ".github"); i >= 0 {
		rd := fa.Files[i]
		text, err := f.raw(ctx, s, rd.Path)
		if err != nil {
			return fmt.Errorf("readme %s: %w", rd.Path, err)
		}
		if len(text) > crawler.MaxReadmeText {
			text = text[:crawler.MaxReadmeText]
		}
		fa.Readme = crawler.ReadmeFacts{Path: rd.Path, Bytes: rd.Size, Text: string(text)}
	}
	if p := crawler.Community(fa.Files).Publiccode; p != "" {
		text, err := f.raw(ctx, s, p)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		if len(text) > crawler.MaxReadmeText {
			text = text[:crawler.MaxReadmeText]
		}
		fa.Publiccode = strings.ToValidUTF8(string(text), "")
	}
	return nil
}

// crossCheck logs when Gitea's own licence detection and vigie's disagree:
// vigie's decides (Forgejo has none to compare), Gitea's helps find a rule
// to improve.
func (f *Forge) crossCheck(s *state, l crawler.LicenseFacts) {
	ours := map[string]bool{}
	for _, lf := range l.Files {
		for _, id := range strings.Split(licenseid.Normalize(lf.SPDX), " OR ") {
			ours[id] = true
		}
	}
	for _, id := range l.ForgeDetected {
		if !ours[licenseid.Normalize(id)] {
			f.log.Debug("licence verdicts differ", "repo", s.owner+"/"+s.name, "gitea", l.ForgeDetected, "files", l.Files)
			return
		}
	}
}

// raw reads a file of the default branch. The URL names the branch, not
// the commit, so it stays the same from crawl to crawl and the blob SHA
// Gitea sends as ETag revalidates it (304) while the file is unchanged.
func (f *Forge) raw(ctx context.Context, s *state, file string) ([]byte, error) {
	q := url.Values{"ref": {s.repo.DefaultBranch}}
	// A text: the transport cuts it at its bound rather than failing.
	_, body, err := f.get(httpx.WithText(ctx), s.path()+"/raw/"+escapePath(file), q)
	if st := statusOf(err); st != http.StatusNotFound && st != http.StatusMethodNotAllowed && st != http.StatusNotImplemented {
		return body, err
	}
	// The file was listed: an instance (or a stand-in) without the raw
	// route may still answer its contents, base64-encoded.
	var c struct {
		Encoding string `json:"encoding"`
		Content  string `json:"content"`
	}
	if _, cerr := f.getJSON(ctx, s.path()+"/contents/"+escapePath(file), q, &c); cerr != nil {
		return nil, err
	}
	if c.Encoding != "base64" {
		return []byte(c.Content), nil
	}
	b, derr := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(c.Content), ""))
	if derr != nil {
		return nil, fmt.Errorf("contents of %s: %w", file, derr)
	}
	return b, nil
}

// release reads the latest release when the repository counts any.
func (f *Forge) release(ctx context.Context, s *state, fa *crawler.Facts) {
	if s.repo.Releases != nil && *s.repo.Releases == 0 {
		return
	}
	var rel struct {
		TagName     string     `json:"tag_name"`
		Name        string     `json:"name"`
		PublishedAt *time.Time `json:"published_at"`
		CreatedAt   *time.Time `json:"created_at"`
	}
	_, err := f.getJSON(ctx, s.path()+"/releases/latest", nil, &rel)
	switch {
	case statusOf(err) == http.StatusNotFound:
		return
	case err != nil:
		// A secondary fact: logged, not worth the repository's result.
		f.log.Warn("latest release", "repo", s.owner+"/"+s.name, "err", err)
		return
	}
	fa.Release = &crawler.Release{Tag: rel.TagName, Name: rel.Name}
	switch {
	case rel.PublishedAt != nil && !rel.PublishedAt.IsZero():
		fa.Release.PublishedAt = rel.PublishedAt.UTC()
	case rel.CreatedAt != nil:
		fa.Release.PublishedAt = rel.CreatedAt.UTC()
	}
}

// listedRepo is the part of a listed repository ListOrg reads.
type listedRepo struct {
	FullName string `json:"full_name"`
	Fork     bool   `json:"fork"`
	Archived bool   `json:"archived"`
	Private  bool   `json:"private"`
	Internal bool   `json:"internal"`
}

// ListOrg lists the public repositories of an organisation, or of a user
// when no organisation has that name, sorted by path. A token may see
// private and internal repositories too: they are left out, since vigie
// follows only what anyone can read. Every page is followed, within
// crawler.Pager's bounds (X-Total-Count, when said, tightens them); a
// listing it stops returns what was read with crawler.ErrListingCut.
func (f *Forge) ListOrg(ctx context.Context, org string) ([]crawler.OrgRepo, error) {
	org = strings.Trim(org, "/")
	list := func(rel string) ([]crawler.OrgRepo, error) {
		var out []crawler.OrgRepo
		var pager crawler.Pager
		q := url.Values{"limit": {strconv.Itoa(pageSize)}}
		for page := 1; ; page++ {
			q.Set("page", strconv.Itoa(page))
			var items []listedRepo
			resp, err := f.getJSON(ctx, rel, q, &items)
			if err != nil {
				return out, err
			}
			paths := make([]string, len(items))
			for i, r := range items {
				paths[i] = r.FullName
				if r.Private || r.Internal {
					continue
				}
				out = append(out, crawler.OrgRepo{Path: r.FullName, Fork: r.Fork, Archived: r.Archived})
			}
			if n, err := strconv.Atoi(resp.Header.Get("X-Total-Count")); err == nil && page == 1 && len(items) > 0 {
				// Pages as long as the first: an instance may answer
				// fewer than asked.
				pager.Total(n, len(items))
			}
			more := len(items) > 0 && hasMore(resp, len(items))
			if err := pager.Next(strconv.Itoa(page), paths, more); err != nil {
				return out, err
			}
			if !more {
				return out, nil
			}
		}
	}
	out, err := list("orgs/" + url.PathEscape(org) + "/repos")
	if statusOf(err) == http.StatusNotFound && len(out) == 0 {
		out, err = list("users/" + url.PathEscape(org) + "/repos")
		if statusOf(err) == http.StatusNotFound && len(out) == 0 {
			return nil, fmt.Errorf("gitea %s/%s: no organisation or user of that name", f.webURL, org)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	if err != nil {
		return out, fmt.Errorf("gitea %s/%s: listing repositories: %w", f.webURL, org, err)
	}
	return out, nil
}

// runURL turns a status's or run's link into one for people: Gitea's
// status target_url may be relative to the instance.
// (Actions writes the run's path, sub-URL included).
func (f *Forge) runURL(u string) string {
	if strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") {
		if w, err := url.Parse(f.webURL); err == nil {
			return w.Scheme + "://" + w.Host + u
		}
	}
	return u
}
