package github

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/crawler/httpx"
)

// statusOf returns the HTTP status of a go-github error (0 when the error
// is not an HTTP answer).
func statusOf(err error) int {
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	var rl *gh.RateLimitError
	if errors.As(err, &rl) && rl.Response != nil {
		return rl.Response.StatusCode
	}
	var ar *gh.AbuseRateLimitError
	if errors.As(err, &ar) && ar.Response != nil {
		return ar.Response.StatusCode
	}
	return 0
}

func isEmptyRepoAnswer(err error) bool {
	var er *gh.ErrorResponse
	return errors.As(err, &er) && strings.Contains(strings.ToLower(er.Message), "empty")
}

// restFetch gathers one repository's facts over REST: about a dozen calls
// cold; when the head commit did not move since job.Previous, the tree,
// licence and README reads and the commit listing are skipped.
func (f *Forge) restFetch(ctx context.Context, job crawler.Job, now time.Time) crawler.Facts {
	ref := job.Ref
	c := f.restClient()
	owner, name, _ := strings.Cut(ref.Path, "/")
	where := f.opts.WebURL + "/" + ref.Path
	fail := func(err error) crawler.Facts {
		fa := crawler.Facts{Ref: ref, CrawledAt: now, Error: fmt.Sprintf("github %s: %v", where, err), Failure: httpx.Classify(err, statusOf(err))}
		if s := statusOf(err); s == http.StatusNotFound || s == http.StatusGone || s == http.StatusUnavailableForLegalReasons {
			fa.NotFound = true
			fa.Failure = crawler.FailNotFound
			fa.Error = fmt.Sprintf("github %s: repository not found (missing or private)", where)
		}
		return fa
	}
	// A renamed repository answers 301 to /repositories/ID, which the HTTP
	// client follows; full_name then gives the current path.
	repo, _, err := c.Repositories.Get(ctx, owner, name)
	if err != nil {
		return fail(fmt.Errorf("repository: %w", err))
	}
	// A token sees the private repositories of its owner: vigie reads
	// nothing more of one, and publishes none of it.
	if v := restVisibility(repo); v != crawler.VisibilityPublic {
		return crawler.NotPublic(ref, now, v)
	}
	r := &raw{
		visibility:  crawler.VisibilityPublic,
		canonical:   repo.GetFullName(),
		description: repo.GetDescription(),
		homepage:    repo.GetHomepage(),
		topics:      repo.Topics,
		branch:      repo.GetDefaultBranch(),
		language:    repo.GetLanguage(),
		fork:        repo.GetFork(),
		archived:    repo.GetArchived(),
		createdAt:   repo.GetCreatedAt().Time,
		stars:       repo.GetStargazersCount(),
		forks:       repo.GetForksCount(),
		watchers:    repo.GetSubscribersCount(),
		template:    repo.GetIsTemplate(),
		ownerKind:   ownerKind(repo.GetOwner().GetType()),
		texts:       map[string][]byte{},
	}
	r.setSince(job)
	if l := repo.GetLicense(); l != nil {
		r.forgeSPDX = forgeSPDX(l.GetSPDXID(), l.GetKey())
	}
	if r.canonical != "" {
		owner, name, _ = strings.Cut(r.canonical, "/")
	}

	// head asks for the head commit alone. An empty repository answers
	// 409.
	head := func() error {
		list, _, err := c.Repositories.ListCommits(ctx, owner, name, &gh.CommitsListOptions{SHA: r.branch, ListOptions: gh.ListOptions{PerPage: 1}})
		switch {
		case statusOf(err) == http.StatusConflict:
			r.empty = true
		case err != nil:
			return fmt.Errorf("head commit of %s: %w", r.branch, err)
		case len(list) > 0:
			r.headSHA = list[0].GetSHA()
			r.headAt = list[0].GetCommit().GetCommitter().GetDate().Time
		}
		return nil
	}
	// With previous facts, the head commit first: when it did not move,
	// their files hold and their commits of the window slide to now.
	if prev := job.Reusable(); prev != nil {
		if err := head(); err != nil {
			return fail(err)
		}
		if r.sameHead(prev) {
			r.prev = prev
			if a, ok := prev.Activity.Slide(now); ok {
				r.activity = &a
			}
		}
	}

	// Commits of the window; the head commit's date also when the window
	// is empty.
	if r.needsHistory(now) {
		opt := &gh.CommitsListOptions{SHA: r.branch, Since: r.historyFrom(now), ListOptions: gh.ListOptions{PerPage: 100}}
		for {
			list, resp, err := c.Repositories.ListCommits(ctx, owner, name, opt)
			if err != nil {
				if statusOf(err) == http.StatusConflict {
					r.empty = true
					break
				}
				return fail(fmt.Errorf("commits of %s: %w", r.branch, err))
			}
			for _, cm := range list {
				if r.headSHA == "" {
					r.headSHA = cm.GetSHA()
					r.headAt = cm.GetCommit().GetCommitter().GetDate().Time
				}
				r.commits = append(r.commits, newCommit(cm.GetCommit().GetCommitter().GetDate().Time,
					cm.GetAuthor().GetLogin(), cm.GetCommit().GetAuthor().GetEmail(), cm.GetCommit().GetAuthor().GetName()))
			}
			if resp.NextPage == 0 {
				break
			}
			opt.Page = resp.NextPage
		}
	}
	if !r.empty && r.headSHA == "" {
		if err := head(); err != nil {
			return fail(err)
		}
	}
	if r.empty {
		// GitHub names the branch an empty repository will get; GraphQL
		// has no default branch then. Facts say "none" either way.
		r.branch = ""
		r.openIssues, r.openPRs = f.restIssueCounts(ctx, c, owner, name, repo)
		return r.facts(ref, now)
	}
	if r.prev == nil {
		if err := f.restFiles(ctx, c, owner, name, r); err != nil {
			if r.empty {
				return r.facts(ref, now)
			}
			return fail(err)
		}
	}

	r.ciStatus, r.ciRun = f.restCI(ctx, c, owner, name, r.headSHA, r.branch)

	// Releases and pull requests are secondary facts: a failure there is
	// logged, not worth losing the repository's result.
	rel, _, err := c.Repositories.GetLatestRelease(ctx, owner, name)
	switch {
	case statusOf(err) == http.StatusNotFound:
	case err != nil:
		f.log.Warn("latest release", "repo", owner+"/"+name, "err", err)
	default:
		r.release = &crawler.Release{Tag: rel.GetTagName(), Name: rel.GetName(), PublishedAt: rel.GetPublishedAt().Time.UTC()}
	}
	r.openIssues, r.openPRs = f.restIssueCounts(ctx, c, owner, name, repo)
	return r.facts(ref, now)
}

// restFiles reads the listed folders, the licence files and the README
// into r. A repository that proves empty gets r.empty and an error.
func (f *Forge) restFiles(ctx context.Context, c *gh.Client, owner, name string, r *raw) error {
	// The tree: root, then the listed folders that exist.
	getDir := func(dir string) error {
		_, entries, _, err := c.Repositories.GetContents(ctx, owner, name, dir, nil)
		if err != nil {
			return fmt.Errorf("contents of /%s: %w", dir, err)
		}
		for _, e := range entries {
			fl := crawler.File{Path: e.GetPath(), Size: int64(e.GetSize())}
			if fl.Path == "" {
				fl.Path = strings.TrimPrefix(dir+"/"+e.GetName(), "/")
			}
			switch e.GetType() {
			case "dir":
				fl.Dir, fl.Size = true, 0
			case "submodule":
				fl.Size = 0
			}
			r.files = append(r.files, fl)
		}
		return nil
	}
	if err := getDir(""); err != nil {
		if isEmptyRepoAnswer(err) {
			r.empty, r.branch = true, ""
		}
		return err
	}
	for _, d := range listedDirs[1:] {
		if hasDir(r.files, d) {
			if err := getDir(d); err != nil {
				return err
			}
		}
	}
	if crawler.ListsSource(r.files) {
		if err := getDir(crawler.SourceDir); err != nil {
			return err
		}
	}
	for _, p := range licensePaths(r.files) {
		fc, _, _, err := c.Repositories.GetContents(ctx, owner, name, p, nil)
		if err != nil {
			return fmt.Errorf("licence file %s: %w", p, err)
		}
		if fc != nil {
			t, err := fileText(ctx, c, owner, name, fc)
			if err != nil {
				return fmt.Errorf("licence file %s: %w", p, err)
			}
			r.texts[p] = t
		}
	}
	if p := crawler.Community(r.files).Publiccode; p != "" {
		fc, _, _, err := c.Repositories.GetContents(ctx, owner, name, p, nil)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		if fc != nil {
			t, err := fileText(ctx, c, owner, name, fc)
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			r.texts[p] = truncate(t)
		}
	}
	// The README GitHub shows: .github/'s, else the root's, else docs/'s,
	// picked from the listings as the GraphQL path picks it, so both give
	// the same file whatever /readme prefers. /readme answers only when
	// no listed name is a README.
	rd, err := readmeContent(ctx, c, owner, name, r.files)
	switch {
	case statusOf(err) == http.StatusNotFound:
	case err != nil:
		return fmt.Errorf("readme: %w", err)
	default:
		r.readme, r.readmeSize = rd.GetPath(), int64(rd.GetSize())
		t, err := fileText(ctx, c, owner, name, rd)
		if err != nil {
			return fmt.Errorf("readme %s: %w", rd.GetPath(), err)
		}
		r.texts[r.readme] = truncate(t)
	}
	return nil
}

// readmeContent reads the README the listed files name (see
// crawler.PickReadme), or asks /readme when they name none.
func readmeContent(ctx context.Context, c *gh.Client, owner, name string, files []crawler.File) (*gh.RepositoryContent, error) {
	if i := crawler.PickReadme(files, ".github", "", "docs"); i >= 0 {
		fc, _, _, err := c.Repositories.GetContents(ctx, owner, name, files[i].Path, nil)
		if err == nil && fc == nil {
			err = fmt.Errorf("%s is a folder", files[i].Path)
		}
		return fc, err
	}
	rd, _, err := c.Repositories.GetReadme(ctx, owner, name, nil)
	return rd, err
}

// maxRawText bounds what is read of a file asked as raw bytes.
const maxRawText = 1 << 20

// fileText returns the text of a file the contents API answered. Over 1 MB
// GitHub leaves the content out (encoding "none"): the file is then asked
// again with the raw media type, and its first maxRawText bytes kept.
func fileText(ctx context.Context, c *gh.Client, owner, name string, fc *gh.RepositoryContent) ([]byte, error) {
	if fc.GetEncoding() != "none" {
		t, err := fc.GetContent()
		return []byte(t), err
	}
	p := (&url.URL{Path: strings.TrimPrefix(fc.GetPath(), "/")}).String()
	req, err := c.NewRequest(http.MethodGet, fmt.Sprintf("repos/%s/%s/contents/%s", owner, name, p), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/vnd.github.raw")
	// A text: the transport cuts it at its bound rather than failing.
	resp, err := c.BareDo(httpx.WithText(ctx), req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(io.LimitReader(resp.Body, maxRawText))
}

// restIssueCounts splits open_issues_count, which counts pull requests too:
// the number of open pull requests is the last page of a one-per-page list.
// When that list fails, the issues keep the pull requests in.
func (f *Forge) restIssueCounts(ctx context.Context, c *gh.Client, owner, name string, repo *gh.Repository) (issues, prs int) {
	list, resp, err := c.PullRequests.List(ctx, owner, name, &gh.PullRequestListOptions{State: "open", ListOptions: gh.ListOptions{PerPage: 1}})
	if err != nil {
		f.log.Warn("open pull requests", "repo", owner+"/"+name, "err", err)
	} else {
		prs = len(list)
		if resp.LastPage > 0 {
			prs = resp.LastPage
		}
	}
	if !repo.GetHasIssues() {
		return -1, prs
	}
	return max(repo.GetOpenIssuesCount()-prs, 0), prs
}

// restCI tells how the head commit's CI went, from its check runs (GitHub
// Actions and other apps) and its commit statuses (Jenkins, Travis...),
// with the same mapping as GraphQL's statusCheckRollup:
//
//   - check runs: a completed run with conclusion failure, timed_out,
//     cancelled, action_required or startup_failure fails; a queued,
//     in_progress, waiting or pending run is running; success, neutral,
//     skipped and stale are fine.
//   - combined status: failure and error fail; pending runs, except that
//     GitHub says "pending" with total_count 0 when there is no status at
//     all (every Actions-only repository): that is no status.
//   - together: any failure → failure; else anything running → running;
//     else anything at all → success; nothing → none. A call that fails
//     makes the status unknown.
func (f *Forge) restCI(ctx context.Context, c *gh.Client, owner, name, sha, branch string) (string, ciRun) {
	var failed, running, seen bool
	var run ciRun
	// GitHub takes a SHA or a branch name as ref; the SHA pins the commit
	// the other facts describe, the branch is asked when a server knows
	// only branches.
	ref := sha
	opt := &gh.ListCheckRunsOptions{ListOptions: gh.ListOptions{PerPage: 100}}
	for {
		res, resp, err := c.Checks.ListCheckRunsForRef(ctx, owner, name, ref, opt)
		if s := statusOf(err); (s == http.StatusNotFound || s == http.StatusUnprocessableEntity) && ref != branch && opt.Page == 0 {
			ref = branch
			continue
		}
		if err != nil {
			f.log.Warn("check runs", "repo", owner+"/"+name, "err", err)
			return crawler.StatusUnknown, ciRun{}
		}
		for _, cr := range res.CheckRuns {
			seen = true
			run.add(cr.GetStartedAt().Time, cr.GetCompletedAt().Time, cr.GetHTMLURL())
			switch cr.GetStatus() {
			case "completed":
				switch cr.GetConclusion() {
				case "failure", "timed_out", "cancelled", "action_required", "startup_failure":
					failed = true
				}
			default: // queued, in_progress, waiting, requested, pending
				running = true
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	st, _, err := c.Repositories.GetCombinedStatus(ctx, owner, name, ref, &gh.ListOptions{PerPage: 100})
	if err != nil {
		f.log.Warn("combined status", "repo", owner+"/"+name, "err", err)
		return crawler.StatusUnknown, ciRun{}
	}
	if st.GetTotalCount() > 0 || len(st.Statuses) > 0 {
		seen = true
		for _, s := range st.Statuses {
			run.add(s.GetCreatedAt().Time, time.Time{}, s.GetTargetURL())
		}
		switch st.GetState() {
		case "failure", "error":
			failed = true
		case "pending":
			running = true
		}
	}
	switch {
	case failed:
		return crawler.StatusFailure, run
	case running:
		return crawler.StatusRunning, run
	case seen:
		return crawler.StatusSuccess, run
	}
	return crawler.StatusNone, run
}

// restVisibility reads REST's private and visibility (public, private,
// internal; older GitHub Enterprise servers send private alone): "public"
// only when the answer says so, "" when it says nothing.
func restVisibility(r *gh.Repository) string {
	v := strings.ToLower(r.GetVisibility())
	switch {
	case r.Private == nil && r.Visibility == nil:
		return ""
	case v == crawler.VisibilityInternal:
		return crawler.VisibilityInternal
	case r.GetPrivate() || r.Visibility != nil && v != crawler.VisibilityPublic:
		return crawler.VisibilityPrivate
	}
	return crawler.VisibilityPublic
}

// publicRepos keeps the repositories a listing says are public: the
// listings ask for public ones only, and a forge that answers more does
// not get them published.
func publicRepos(list []*gh.Repository) []crawler.OrgRepo {
	var out []crawler.OrgRepo
	for _, r := range list {
		if restVisibility(r) == crawler.VisibilityPublic {
			out = append(out, crawler.OrgRepo{Path: r.GetFullName(), Fork: r.GetFork(), Archived: r.GetArchived()})
		}
	}
	return out
}

// restListOrg lists an organisation's public repositories, or a user's
// when /orgs answers 404.
func (f *Forge) restListOrg(ctx context.Context, org string) ([]crawler.OrgRepo, error) {
	c := f.restClient()
	var out []crawler.OrgRepo
	opt := &gh.RepositoryListByOrgOptions{Type: "public", ListOptions: gh.ListOptions{PerPage: 100}}
	var pager crawler.Pager
	for {
		list, resp, err := c.Repositories.ListByOrg(ctx, org, opt)
		if statusOf(err) == http.StatusNotFound && opt.Page == 0 {
			return f.restListUser(ctx, c, org)
		}
		if err != nil {
			return out, fmt.Errorf("github %s/%s: listing repositories: %w", f.opts.WebURL, org, err)
		}
		out = append(out, publicRepos(list)...)
		if resp.LastPage > 0 {
			// The Link header's last page bounds the listing.
			pager.Total(resp.LastPage*100, 100)
		}
		if err := pager.Next(strconv.Itoa(opt.Page), repoPaths(list), resp.NextPage != 0); err != nil {
			return out, fmt.Errorf("github %s/%s: listing repositories: %w", f.opts.WebURL, org, err)
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}

// repoPaths returns the owner/name of each listed repository.
func repoPaths(list []*gh.Repository) []string {
	out := make([]string, len(list))
	for i, r := range list {
		out[i] = r.GetFullName()
	}
	return out
}

// restListUser lists a user's repositories: GitHub lists public ones only
// on /users/{user}/repos, whichever token asks.
func (f *Forge) restListUser(ctx context.Context, c *gh.Client, user string) ([]crawler.OrgRepo, error) {
	var out []crawler.OrgRepo
	opt := &gh.RepositoryListByUserOptions{Type: "owner", ListOptions: gh.ListOptions{PerPage: 100}}
	var pager crawler.Pager
	for {
		list, resp, err := c.Repositories.ListByUser(ctx, user, opt)
		if err != nil {
			if statusOf(err) == http.StatusNotFound && opt.Page == 0 {
				return nil, fmt.Errorf("github %s/%s: %w", f.opts.WebURL, user, errNoOwner)
			}
			return out, fmt.Errorf("github %s/%s: listing repositories: %w", f.opts.WebURL, user, err)
		}
		out = append(out, publicRepos(list)...)
		if resp.LastPage > 0 {
			pager.Total(resp.LastPage*100, 100)
		}
		if err := pager.Next(strconv.Itoa(opt.Page), repoPaths(list), resp.NextPage != 0); err != nil {
			return out, fmt.Errorf("github %s/%s: listing repositories: %w", f.opts.WebURL, user, err)
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}

// ownerKind maps GitHub's owner type to the facts' words.
func ownerKind(t string) string {
	switch t {
	case "Organization":
		return crawler.OwnerOrganization
	case "User":
		return crawler.OwnerUser
	}
	return ""
}
