package gitlab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/crawler/httpx"
	"github.com/eiglink/vigie/crawler/licenseid"
)

// work is one job on its way through Fetch.
type work struct {
	job   crawler.Job
	prev  *crawler.Facts // Job.Previous when it describes a non-empty repository
	c     call
	facts crawler.Facts
	done  bool
	p     *project    // the REST project, once asked
	gp    *gqlProject // the GraphQL answer
	head  *headCommit // the default branch's head, when REST asked it
}

// usablePrevious returns the previous facts when a crawl can build on them:
// the GraphQL stage asks them again on their default branch.
func usablePrevious(j crawler.Job) *crawler.Facts {
	if p := j.Reusable(); p != nil && p.DefaultBranch != "" {
		return p
	}
	return nil
}

// Fetch returns the facts of every job, in order. One project's failure is
// recorded in its Facts and never stops the others. It goes in stages:
//
//  1. projects crawled before are asked through GraphQL on their known
//     default branch, 50 a call; one whose head commit did not move is done
//     there, with no REST call (its files, licence and activity are the
//     previous crawl's, its pipelines, counts and settings fresh);
//  2. every other project is asked through REST (/projects/:id with the
//     licence), a few at a time;
//  3. those GraphQL did not answer for their default branch are asked now
//     that it is known, then the folders and files the answers showed were
//     needed;
//  4. each project is completed through REST where GraphQL did not answer:
//     the commits of the activity window, unanswered folders and files,
//     pipelines, merge requests, releases.
func (f *Forge) Fetch(ctx context.Context, jobs []crawler.Job, now time.Time) []crawler.Facts {
	ws := make([]*work, len(jobs))
	var asks []gqlAsk
	for i, j := range jobs {
		// Spread the projects over the tokens: each token has its own rate
		// limit.
		w := &work{job: j, prev: usablePrevious(j), c: call{f: f, cl: f.client},
			facts: crawler.Facts{Ref: j.Ref, CrawledAt: now.UTC()}}
		ws[i] = w
		asks = append(asks, previousAsks(j)...)
	}
	first := f.graphQLProjects(ctx, asks)
	f.each(ctx, ws, func(w *work) {
		if f.unchanged(ctx, w, first, now) {
			w.done = true
			return
		}
		if gp := first.projects[strings.ToLower(currentPath(w.job))]; gp != nil {
			w.gp = gp
		}
		f.restProject(ctx, w)
		if !w.done && w.gp == nil && f.restUnchanged(ctx, w, now) {
			w.done = true
		}
	})

	asks = nil
	for _, w := range ws {
		if w.done {
			continue
		}
		if w.gp != nil && (!strings.EqualFold(w.gp.FullPath, w.p.PathWithNamespace) || w.gp.full && !w.gp.validFor(w.facts.DefaultBranch)) {
			w.gp = nil
		}
		if w.gp == nil {
			asks = append(asks, gqlAsk{path: w.p.PathWithNamespace, ref: w.facts.DefaultBranch, files: projectFiles(w)})
		}
	}
	second := f.graphQLProjects(ctx, asks).projects
	var more []filesAsk
	for _, w := range ws {
		if w.done {
			continue
		}
		if w.gp == nil {
			w.gp = second[strings.ToLower(w.p.PathWithNamespace)]
		}
		if w.gp.validFor(w.facts.DefaultBranch) {
			if a, ok := f.filesNeeded(w); ok {
				more = append(more, a)
			}
		}
	}
	f.graphQLFiles(ctx, more)
	f.fillFromGroups(ctx, ws)

	f.each(ctx, ws, func(w *work) { f.complete(ctx, w, now) })
	out := make([]crawler.Facts, len(ws))
	for i, w := range ws {
		out[i] = w.facts
	}
	return out
}

// each runs fn on every unfinished work, a few at a time.
func (f *Forge) each(ctx context.Context, ws []*work, fn func(*work)) {
	sem := make(chan struct{}, f.concurrency)
	var wg sync.WaitGroup
	for _, w := range ws {
		if w.done {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
				fn(w)
			case <-ctx.Done():
				w.facts = crawler.Facts{Ref: w.job.Ref, CrawledAt: w.facts.CrawledAt, Error: ctx.Err().Error(), Failure: httpx.Classify(ctx.Err(), 0)}
				w.done = true
			}
		}()
	}
	wg.Wait()
}

// previousFiles are the files whose text the previous crawl read: likely
// the ones to read again after a push.
func previousFiles(prev *crawler.Facts) []string {
	out := []string{prev.Readme.Path, prev.License.ForgePath}
	for _, l := range prev.License.Files {
		out = append(out, l.Path)
	}
	return out
}

// projectFiles are the files the REST project names: its README and the
// licence file GitLab's detector read.
func projectFiles(w *work) []string {
	readme, _ := readmeOf(w.p, w.facts.DefaultBranch)
	// publiccode.yml is asked blind, as the README: an absent blob costs
	// nothing more in the query, a present one saves a REST read.
	out := []string{readme, w.facts.License.ForgePath, "publiccode.yml"}
	if w.prev != nil {
		out = append(out, previousFiles(w.prev)...)
	}
	return out
}

// restProject reads the project entity with its licence verdict; a missing
// or empty project is done there.
func (f *Forge) restProject(ctx context.Context, w *work) {
	ref := w.job.Ref
	var p project
	resp, err := w.c.do(ctx, http.MethodGet, projectPath(ref.Path), url.Values{"license": {"true"}}, &p)
	if id, ok := movedTo(resp); err != nil && ok {
		// A 301 the client did not follow (to another host name, as an
		// instance configured with its public name answers): the project
		// is asked again by its id, here.
		p = project{}
		resp, err = w.c.do(ctx, http.MethodGet, projectPath(id), url.Values{"license": {"true"}}, &p)
	}
	if err != nil {
		w.facts.Error = err.Error()
		w.facts.NotFound = errors.Is(err, errNotFound)
		w.facts.Failure = httpx.Classify(err, statusOf(resp))
		if w.facts.NotFound {
			w.facts.Failure = crawler.FailNotFound
		}
		if st := statusOf(resp); st == http.StatusMovedPermanently {
			w.facts.Error = fmt.Sprintf("gitlab: project %s moved to %s", ref.Path, resp.Header.Get("Location"))
			w.facts.Failure = crawler.FailRenamed
		}
		f.log.Debug("project not fetched", "repo", ref.ID(), "err", err)
		w.done = true
		return
	}
	// A token sees its owner's private and internal projects: vigie reads
	// nothing more of one, and publishes none of it.
	if v := f.restVisibility(p.Visibility); v != crawler.VisibilityPublic {
		w.facts = crawler.NotPublic(ref, w.facts.CrawledAt, v)
		w.done = true
		return
	}
	f.projectFacts(&w.facts, &p)
	w.p = &p
	if w.facts.Empty && !p.reduced() {
		// No commit, no tree, no pipeline: nothing more to ask.
		w.facts.CI.Status = crawler.StatusNone
		w.done = true
	}
}

// movedTo reads the project id from the Location of a 301 answer to
// GET /projects/:path: GitLab answers a moved project's old path with
// API_ROOT/projects/:id.
func movedTo(resp *gl.Response) (string, bool) {
	if statusOf(resp) != http.StatusMovedPermanently {
		return "", false
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return "", false
	}
	_, rest, ok := strings.Cut(loc.Path, "/api/v4/projects/")
	if !ok {
		return "", false
	}
	id, _, _ := strings.Cut(rest, "/")
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return "", false
	}
	return id, true
}

// previousAsks are the GraphQL asks that may show a project unchanged
// since its previous crawl: its current path on its default branch (and
// the configured path, when the project was moved, to see that no other
// project took it), or, for a project that was missing or empty, its path
// on whatever branch.
func previousAsks(j crawler.Job) []gqlAsk {
	prev := j.Previous
	switch {
	case prev == nil:
		return nil
	case usablePrevious(j) != nil:
		asks := []gqlAsk{{path: currentPath(j), ref: prev.DefaultBranch, files: previousFiles(prev)}}
		if !strings.EqualFold(currentPath(j), j.Ref.Path) {
			asks = append(asks, gqlAsk{path: j.Ref.Path, ref: prev.DefaultBranch})
		}
		return asks
	case prev.NotFound || prev.Error == "" && prev.Empty:
		return []gqlAsk{{path: currentPath(j)}}
	}
	return nil
}

// currentPath is where the previous crawl found the project.
func currentPath(j crawler.Job) string {
	if p := j.Previous; p != nil && p.CanonicalPath != "" {
		return p.CanonicalPath
	}
	return j.Ref.Path
}

// unchanged builds the facts of a project that did not change since the
// previous crawl from the GraphQL answers alone, and reports whether it
// could. A project whose default branch's head commit did not move gets
// the files, texts, licence verdict and activity of the previous crawl
// (the window slid to now), everything else fresh. A project still empty
// gets its project fields fresh. A project missing before and still
// absent from GraphQL's answer (which would show it had it been created or
// made public; a forge's tokens are taken to see the same projects) gets
// the previous crawl's error. Anything the answers
// cannot tell as REST would sends the project to REST.
func (f *Forge) unchanged(ctx context.Context, w *work, answers gqlAnswers, now time.Time) bool {
	prev := w.job.Previous
	if prev == nil {
		return false
	}
	if prev.NotFound {
		if !answers.absent(w.job.Ref.Path) {
			return false
		}
		facts := *prev
		facts.CrawledAt = now.UTC()
		w.facts = facts
		return true
	}
	cur := currentPath(w.job)
	if !strings.EqualFold(cur, w.job.Ref.Path) && !answers.absent(w.job.Ref.Path) {
		// Moved, and its old path now names another project (or was not
		// asked).
		return false
	}
	gp := answers.projects[strings.ToLower(cur)]
	if gp == nil || visibility(gp.Visibility) != crawler.VisibilityPublic {
		// Made private or internal since, or not said: REST decides.
		return false
	}
	// REST leaves out the upstream of a fork it cannot see (a private or
	// deleted one) where GraphQL's isForked says fork: when they differ,
	// REST has the last word, so that crawls agree.
	if since := w.job.Since; !since.IsZero() && (prev.Since != nil && !prev.Since.From.Equal(since) ||
		prev.Since == nil && prev.Activity.LastCommitAt.After(since)) {
		// The commits after the défi's end were never counted (none
		// to count when the newest commit is older).
		return false
	}
	if gp == nil || !gp.full || gp.partial || prev.Error != "" || gp.WebURL == "" ||
		gp.Archived == nil || gp.StarCount == nil || gp.IsForked == nil || *gp.IsForked != prev.Fork {
		return false
	}
	facts := *prev
	facts.Ref, facts.CrawledAt = w.job.Ref, now.UTC()
	facts.Visibility = crawler.VisibilityPublic
	// The answer names archived and the open issues (nil: the tracker is
	// off or hidden), whatever REST told before.
	facts.Unknown = nil
	facts.CanonicalPath = gp.FullPath
	facts.Description = ""
	if gp.Description != nil {
		facts.Description = strings.TrimSpace(*gp.Description)
	}
	if len(gp.Topics) > 0 || len(prev.Topics) > 0 {
		facts.Topics = gp.Topics
	}
	facts.Stars, facts.Archived, facts.Fork = *gp.StarCount, *gp.Archived, *gp.IsForked
	if gp.CreatedAt != nil {
		facts.CreatedAt = gp.CreatedAt.UTC()
	}
	facts.OpenIssues = -1
	if gp.OpenIssuesCount != nil {
		facts.OpenIssues = *gp.OpenIssuesCount
	}
	if prev.Empty {
		if gp.Repository == nil || !gp.Repository.Empty || gp.Repository.RootRef != nil {
			return false
		}
		w.facts = facts
		return true
	}
	if w.prev == nil || !gp.validFor(prev.DefaultBranch) {
		return false
	}
	sha, _, ok := gp.head()
	if !ok || sha != prev.HeadSHA {
		return false
	}
	// CI/CD off or hidden (REST tells which), merge requests on but not
	// counted, or a field missing: REST knows better.
	if gp.JobsEnabled == nil || !*gp.JobsEnabled || gp.Pipelines == nil ||
		gp.MergeRequests == nil && (gp.MergeRequestsEnabled == nil || *gp.MergeRequestsEnabled) ||
		gp.Releases == nil || gp.CIConfigPathOrDefault == nil {
		return false
	}
	activity, ok := prev.Activity.Slide(now)
	if !ok {
		return false
	}
	facts.Activity = activity
	systems, ciFiles, err := f.ciFacts(ctx, w.c, gp.FullPath, prev.DefaultBranch, prev.Files, *gp.CIConfigPathOrDefault, prev)
	if err != nil {
		return false
	}
	facts.CI = crawler.CIFacts{Systems: systems, Files: ciFiles}
	pickPipeline(&facts, gqlPipelines(gp))
	facts.OpenPullRequests, facts.Release, facts.Language = 0, nil, ""
	graphQLFacts(&facts, gp)
	w.facts = facts
	return true
}

// gqlPipelines turns GraphQL's pipelines into REST's shape.
func gqlPipelines(gp *gqlProject) []pipeline {
	var out []pipeline
	for _, n := range gp.Pipelines.Nodes {
		id, _ := strconv.ParseInt(n.ID[strings.LastIndex(n.ID, "/")+1:], 10, 64)
		out = append(out, pipeline{ID: id, Status: strings.ToLower(n.Status), CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt,
			WebURL: strings.TrimSuffix(gp.WebURL, "/") + "/-/pipelines/" + strconv.FormatInt(id, 10)})
	}
	return out
}

// filesNeeded says which folders to list and files to read for a project
// whose full answer is valid, beyond what that answer holds.
func (f *Forge) filesNeeded(w *work) (filesAsk, bool) {
	sha, _, ok := w.gp.head()
	if !ok {
		return filesAsk{}, false
	}
	if w.prev != nil && w.prev.HeadSHA == sha && w.prev.DefaultBranch == w.facts.DefaultBranch {
		// Same commit: the previous crawl's files are reused.
		return filesAsk{}, false
	}
	root, ok := w.gp.Repository.Tree.entries()
	if !ok {
		return filesAsk{}, false
	}
	a := filesAsk{gp: w.gp}
	var files []crawler.File
	for _, e := range root {
		files = append(files, crawler.File{Path: e.Path, Dir: e.Type != "blob"})
	}
	for _, e := range root {
		if e.Type == "tree" && listedDir(files, e.Path) {
			a.dirs = append(a.dirs, e.Path)
		}
	}
	readme, hasURL := readmeOf(w.p, w.facts.DefaultBranch)
	if !hasURL {
		if i := crawler.PickReadme(files, ""); i >= 0 {
			readme = files[i].Path
		}
	}
	want := []string{readme}
	for _, fl := range files {
		if !fl.Dir && (crawler.IsLicenseFile(fl.Path) || fl.Path == w.facts.License.ForgePath) {
			want = append(want, fl.Path)
		}
	}
	for _, p := range want {
		if _, _, ok := w.gp.blob(p, 1); p != "" && !ok {
			a.files = append(a.files, p)
		}
	}
	return a, len(a.dirs) > 0 || len(a.files) > 0
}

// readmeOf is the README GitLab shows, as readme_url names it; hasURL is
// false for an instance that predates readme_url, or whose readme_url is
// a link of another shape (the listing then tells, as GitLab would).
func readmeOf(p *project, branch string) (readme string, hasURL bool) {
	if len(p.ReadmeURL) > 0 {
		var s *string
		if err := json.Unmarshal(p.ReadmeURL, &s); err == nil {
			if s == nil {
				// GitLab says null when the root holds no README; the
				// listing agrees then, and decides if an instance (or a
				// proxy) left the field empty although a README is there.
				return "", false
			}
			if readme = blobPath(*s, p.WebURL, branch); readme != "" {
				return readme, true
			}
		}
	}
	return "", false
}

// complete finishes a project's facts through REST where GraphQL did not
// answer. Without the files or commits the scores would be wrong: the
// project then gets an error rather than a misjudgement.
func (f *Forge) complete(ctx context.Context, w *work, now time.Time) {
	log := f.log.With("repo", w.job.Ref.ID())
	facts, p := &w.facts, w.p
	gp := w.gp
	if p.reduced() {
		f.fillReduced(ctx, w, log)
	}
	if facts.Empty {
		// Known empty only now (a reduced answer does not say): no
		// commit, no tree, no pipeline.
		facts.CI.Status = crawler.StatusNone
		return
	}
	full := gp.validFor(facts.DefaultBranch)
	if err := f.repositoryFacts(ctx, w, now); err != nil {
		log.Debug("repository not fetched", "err", err)
		w.facts = crawler.Facts{Ref: w.job.Ref, CrawledAt: facts.CrawledAt, Error: err.Error(), Failure: httpx.Classify(err, 0)}
		return
	}
	switch {
	case p.BuildsAccessLevel == "disabled" || (p.BuildsAccessLevel == "" && p.JobsEnabled != nil && !*p.JobsEnabled):
		facts.CI.Status = crawler.StatusNone
	case full && gp.Pipelines != nil:
		pickPipeline(facts, gqlPipelines(gp))
	case w.head != nil && w.head.ID == facts.HeadSHA && headPipeline(w.head, facts.DefaultBranch) != nil:
		pickPipeline(facts, []pipeline{*headPipeline(w.head, facts.DefaultBranch)})
	default:
		f.pipelineFacts(ctx, w.c, facts, p, log)
	}
	// What the GraphQL answer did not hold comes from REST: GraphQL is off
	// or failed, or a connection came back null although REST says the
	// feature is on.
	if gp != nil {
		graphQLFacts(facts, gp)
	} else if prev := w.prev; prev != nil && facts.HeadSHA != "" && prev.HeadSHA == facts.HeadSHA {
		// Languages only change with a push.
		facts.Language = prev.Language
	}
	if gp == nil || gp.MergeRequests == nil {
		f.mergeRequestFacts(ctx, w.c, facts, p, log)
	}
	if gp == nil || gp.Releases == nil {
		f.releaseFacts(ctx, w.c, facts, p, log)
	}
}

// fillReduced completes a reduced REST answer (a request without a token,
// see project.reduced) from the GraphQL answer, which GitLab gives an
// anonymous request with every field asked. Without one, fillFromGroups
// has completed it from its group's listing already; a user's project has
// no such listing (GET /users/:id/projects answers the reduced entity
// too): whether it is archived, and its open issues, stay unknown.
func (f *Forge) fillReduced(ctx context.Context, w *work, log *slog.Logger) {
	p, facts, gp := w.p, &w.facts, w.gp
	if gp != nil && gp.full && gp.Archived != nil {
		facts.Archived = *gp.Archived
		facts.OpenIssues = -1
		if gp.OpenIssuesCount != nil {
			facts.OpenIssues = *gp.OpenIssuesCount
		}
		facts.Unknown = nil
		if gp.Repository != nil && gp.Repository.Empty {
			facts.Empty = true
		}
		if p.JobsEnabled == nil {
			p.JobsEnabled = gp.JobsEnabled
		}
		if p.MergeRequestsEnabled == nil {
			p.MergeRequestsEnabled = gp.MergeRequestsEnabled
		}
		if p.CIConfigPath == nil {
			p.CIConfigPath = gp.CIConfigPathOrDefault
		}
		return
	}
}

// needsGroup tells whether a work's REST answer is reduced and no GraphQL
// answer completes it.
func (w *work) needsGroup() bool {
	return !w.done && w.p != nil && w.p.reduced() && (w.gp == nil || !w.gp.full || w.gp.Archived == nil) &&
		w.p.Namespace != nil && w.p.Namespace.Kind == "group" && w.p.Namespace.FullPath != ""
}

// fillFromGroups completes the reduced REST answers GraphQL did not from
// the listings of their groups, which GitLab answers with the full project
// entity even without a token. The projects of one top-level group are
// looked for in its listing (subgroups included, 100 a page), for at most
// half as many pages as projects wanted, so that the listing never costs
// more than asking each: those not found there are asked one by one, the
// listing of their own group narrowed by a search on their path.
func (f *Forge) fillFromGroups(ctx context.Context, ws []*work) {
	byTop := map[string][]*work{}
	var tops []string
	for _, w := range ws {
		if !w.needsGroup() {
			continue
		}
		top := strings.ToLower(strings.SplitN(w.p.Namespace.FullPath, "/", 2)[0])
		if byTop[top] == nil {
			tops = append(tops, top)
		}
		byTop[top] = append(byTop[top], w)
	}
	for _, top := range tops {
		wanted := byTop[top]
		byID := map[int64]*work{}
		for _, w := range wanted {
			byID[w.p.ID] = w
		}
		if maxPages := len(wanted) / 2; maxPages > 0 {
			q := url.Values{"include_subgroups": {"true"}, "with_shared": {"false"}, "order_by": {"id"}, "sort": {"asc"}}
			n := 0
			err := pages(ctx, wanted[0].c, "groups/"+gl.PathEscape(wanted[0].p.Namespace.FullPath[:len(top)])+"/projects", q, func(items []project) bool {
				for i := range items {
					if w := byID[items[i].ID]; w != nil && !items[i].reduced() {
						w.fillFull(&items[i])
						delete(byID, items[i].ID)
					}
				}
				n++
				return len(byID) > 0 && n < maxPages
			})
			if err != nil {
				f.log.Debug("group not listed", "group", top, "err", err)
			}
		}
		f.each(ctx, wanted, func(w *work) {
			if byID[w.p.ID] == nil {
				return
			}
			var full *project
			q := url.Values{"search": {path.Base(w.p.PathWithNamespace)}, "include_subgroups": {"false"}, "with_shared": {"false"},
				"order_by": {"id"}, "sort": {"asc"}}
			err := pages(ctx, w.c, "groups/"+gl.PathEscape(w.p.Namespace.FullPath)+"/projects", q, func(items []project) bool {
				for i := range items {
					if items[i].ID == w.p.ID && !items[i].reduced() {
						full = &items[i]
						return false
					}
				}
				return true
			})
			if err != nil || full == nil {
				f.log.Debug("project not found in its group's listing", "repo", w.job.Ref.ID(), "err", err)
				return
			}
			w.fillFull(full)
		})
	}
}

// fillFull completes a reduced REST answer with the same project's full
// entity.
func (w *work) fillFull(full *project) {
	p, facts := w.p, &w.facts
	p.fillFrom(full)
	facts.Archived = *full.Archived
	facts.Empty = facts.Empty || full.EmptyRepo != nil && *full.EmptyRepo
	facts.OpenIssues = -1
	if full.OpenIssuesCount != nil {
		facts.OpenIssues = *full.OpenIssuesCount
	}
	facts.Unknown = nil
}

// repositoryFacts sets the head commit and activity, lists the files,
// reads the README and licence files and detects CI configuration.
func (f *Forge) repositoryFacts(ctx context.Context, w *work, now time.Time) error {
	facts, p, prev, c := &w.facts, w.p, w.prev, w.c
	id := strconv.FormatInt(p.ID, 10)
	branch := facts.DefaultBranch
	var gp *gqlProject
	if w.gp.validFor(branch) {
		gp = w.gp
	}

	// The head commit tells whether the files can be those of the previous
	// crawl (GitLab ignores If-None-Match, so this is how a warm crawl
	// saves the tree and file reads).
	from := w.historyFrom(now)
	var listed []crawler.CommitStamp
	covered := false // listed holds every commit after from
	sha, at, ok := gp.head()
	if !ok && gp == nil && f.restHead(ctx, w) {
		// Without GraphQL, the head commit (one call, with its latest
		// pipeline) says whether the window needs listing at all.
		sha, at, ok = w.head.ID, w.head.CommittedDate, true
	}
	if ok {
		facts.HeadSHA = sha
		slid := false
		if prev != nil && prev.HeadSHA == sha && prev.DefaultBranch == branch {
			facts.Activity, slid = prev.Activity.Slide(now)
		}
		switch {
		case slid:
		case at != nil && !at.After(now.Add(-crawler.Window)):
			// Dormant: the newest commit is older than the window.
			facts.Activity = crawler.ActivityFacts{LastCommitAt: at.UTC()}
		default:
			// Without the head's date (an instance without committedDate)
			// the list starts at the head, so a dormant project still gets
			// its last commit date.
			if at != nil {
				facts.Activity.LastCommitAt = at.UTC()
			}
			var err error
			if listed, covered, err = f.commitFacts(ctx, c, facts, id, branch, now, at != nil, nil, from); err != nil {
				return err
			}
		}
	} else {
		var err error
		if listed, covered, err = f.commitFacts(ctx, c, facts, id, branch, now, false, prev, from); err != nil {
			return err
		}
	}
	if err := f.sinceFacts(ctx, w, id, branch, from, listed, covered); err != nil {
		return err
	}
	reuse := prev != nil && facts.HeadSHA != "" && prev.HeadSHA == facts.HeadSHA && prev.DefaultBranch == branch

	readme, hasReadmeURL := readmeOf(p, branch)
	var files []crawler.File
	switch {
	case reuse:
		files = append(files, prev.Files...)
		facts.License.Files = prev.License.Files
	default:
		var err error
		if files, err = f.listFiles(ctx, c, id, branch, gp); err != nil {
			if errors.Is(err, errNotFound) && facts.HeadSHA == "" {
				// No commit and no tree: an empty repository on an
				// instance that did not say so (empty_repo false, a
				// default branch named in advance).
				facts.Empty = true
				return nil
			}
			return err
		}
	}
	if !hasReadmeURL {
		if i := crawler.PickReadme(files, ""); i >= 0 {
			readme = files[i].Path
		}
	}
	setSize := func(p string, n int64) {
		for i := range files {
			if files[i].Path == p {
				files[i].Size = n
			}
		}
	}
	read := func(file string, max int) ([]byte, int64, error) {
		if gp != nil {
			if body, n, ok := gp.blob(file, max); ok {
				return body, n, nil
			}
		}
		return f.raw(ctx, c, id, branch, file, max)
	}

	switch {
	case readme == "":
	case reuse && prev.Readme.Path == readme:
		facts.Readme = prev.Readme
	default:
		body, n, err := read(readme, crawler.MaxReadmeText)
		switch {
		case errors.Is(err, errNotFound):
			// The link named a file that is gone (a push between calls).
		case err != nil:
			return err
		default:
			facts.Readme = crawler.ReadmeFacts{Path: readme, Bytes: n, Text: validUTF8Prefix(body)}
			setSize(readme, n)
		}
	}
	if !reuse {
		if err := f.licenseFiles(facts, files, read, setSize); err != nil {
			return err
		}
	}
	if pc := crawler.Community(files).Publiccode; pc != "" {
		if reuse && prev.Community.Publiccode == pc {
			facts.Publiccode = prev.Publiccode
		} else {
			body, _, err := read(pc, crawler.MaxReadmeText)
			switch {
			case errors.Is(err, errNotFound):
			case err != nil:
				return err
			default:
				facts.Publiccode = validUTF8Prefix(body)
			}
		}
	}

	cfg := ""
	if p.CIConfigPath != nil {
		cfg = *p.CIConfigPath
	}
	var r *crawler.Facts
	if reuse {
		r = prev
	}
	systems, ciFiles, err := f.ciFacts(ctx, c, id, branch, files, cfg, r)
	if err != nil {
		return err
	}
	facts.CI.Systems, facts.CI.Files = systems, ciFiles
	facts.Files = files
	facts.Community = crawler.Community(files)
	return nil
}

// ciFacts names the CI systems and files: those the listing shows, plus a
// custom CI configuration path (a file elsewhere in the repository, in
// another project "path@group/project", or at a URL). prev, when the head
// commit did not move, saves asking again whether the custom file exists.
func (f *Forge) ciFacts(ctx context.Context, c call, id, branch string, files []crawler.File, cfg string, prev *crawler.Facts) (systems, ciFiles []string, err error) {
	systems, ciFiles = crawler.CISystems(files)
	if cfg = strings.TrimSpace(cfg); cfg != "" && !strings.EqualFold(cfg, ".gitlab-ci.yml") {
		ok := prev != nil && contains(prev.CI.Files, cfg)
		if !ok {
			if ok, err = f.ciConfigExists(ctx, c, id, branch, cfg, files); err != nil {
				return nil, nil, err
			}
		}
		if ok {
			ciFiles = append(ciFiles, cfg)
			if !contains(systems, crawler.CIGitLabCI) {
				systems = append(systems, crawler.CIGitLabCI)
			}
		}
	}
	sort.Strings(systems)
	sort.Strings(ciFiles)
	if systems == nil {
		systems = []string{}
	}
	return systems, ciFiles, nil
}

// listFiles lists the root of the default branch and the folders of it
// that matter (treeDirs), sorted by path: from the GraphQL answer where it
// holds them, else through REST.
func (f *Forge) listFiles(ctx context.Context, c call, id, branch string, gp *gqlProject) ([]crawler.File, error) {
	var files []crawler.File
	fromTree := func(entries []treeEntry) {
		for _, e := range entries {
			// GitLab's tree has no sizes. A submodule is a folder in a
			// checkout.
			files = append(files, crawler.File{Path: e.Path, Dir: e.Type != "blob", Size: -1})
		}
	}
	root, ok := []treeEntry(nil), false
	if gp != nil {
		root, ok = gp.Repository.Tree.entries()
	}
	if ok {
		fromTree(root)
	} else {
		var err error
		if files, err = f.tree(ctx, c, id, branch, "", false); err != nil {
			return nil, err
		}
	}
	var extra []crawler.File
	for _, e := range files {
		if !e.Dir || !listedDir(files, e.Path) {
			continue
		}
		if gp != nil {
			if sub, ok := gp.dirs[e.Path].entries(); ok {
				n := len(files)
				fromTree(sub)
				extra = append(extra, files[n:]...)
				files = files[:n]
				continue
			}
		}
		recursive := strings.EqualFold(e.Path, ".github")
		sub, err := f.tree(ctx, c, id, branch, e.Path, recursive)
		if err != nil {
			return nil, err
		}
		extra = append(extra, sub...)
		if recursive {
			// A server that ignores recursive=true lists workflows/ as a
			// folder with nothing under it: list that folder itself.
			wf := e.Path + "/workflows"
			if hasDir(sub, wf) && !hasUnder(sub, wf) {
				more, err := f.tree(ctx, c, id, branch, wf, false)
				if err != nil {
					return nil, err
				}
				extra = append(extra, more...)
			}
		}
	}
	files = append(files, extra...)
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

// licenseFiles reads and identifies every top-level licence file: every
// one the shared rule names, and the one GitLab's detector chose when its
// name is one IsLicenseFile does not know (licensee also takes
// LICENSE_FR.md and the like).
func (f *Forge) licenseFiles(facts *crawler.Facts, files []crawler.File, read func(string, int) ([]byte, int64, error), setSize func(string, int64)) error {
	for _, fl := range files {
		if fl.Dir || strings.Contains(fl.Path, "/") || !crawler.IsLicenseFile(fl.Path) && fl.Path != facts.License.ForgePath {
			continue
		}
		body, n, err := read(fl.Path, 1<<20)
		if errors.Is(err, errNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		spdx, cov := licenseid.Identify(body)
		facts.License.Files = append(facts.License.Files, crawler.LicenseFile{Path: fl.Path, SPDX: spdx, Coverage: cov, Bytes: n})
		setSize(fl.Path, n)
	}
	return nil
}

// commitFacts counts the commits of the activity window, (now-90d, now] on
// committer dates, reading the newest commits page after page. With since,
// GitLab lists only the window (the head commit is known already);
// without, the list starts at the head commit, which names HeadSHA and,
// when it is prev's, lets the previous window slide instead of paging on.
// LastCommitAt is the newest date seen (or already set).
//
// It reads on back to listFrom (earlier than the window when the commits
// after a défi's end are wanted) and returns the commits after listFrom,
// with covered true when it read them all (false when it slid the
// previous window instead).
func (f *Forge) commitFacts(ctx context.Context, c call, facts *crawler.Facts, id, branch string, now time.Time, since bool, prev *crawler.Facts, listFrom time.Time) ([]crawler.CommitStamp, bool, error) {
	from := now.Add(-crawler.Window)
	q := url.Values{"ref_name": {branch}}
	if since {
		q.Set("since", listFrom.UTC().Format(time.RFC3339))
	}
	var all []crawler.CommitStamp
	authors := map[string]bool{}
	var recent []crawler.CommitStamp
	last := facts.Activity.LastCommitAt
	first, slid := true, false
	err := pages(ctx, c, projectPath(id)+"/repository/commits", q, func(items []commit) bool {
		if first {
			first = false
			if facts.HeadSHA == "" && len(items) > 0 {
				// The list starts at the branch's head.
				facts.HeadSHA = items[0].ID
			}
			if prev != nil && facts.HeadSHA != "" && prev.HeadSHA == facts.HeadSHA && prev.DefaultBranch == branch {
				if facts.Activity, slid = prev.Activity.Slide(now); slid {
					return false
				}
			}
		}
		inWindow := false
		for _, cm := range items {
			if cm.CommittedDate == nil {
				continue
			}
			d := cm.CommittedDate.UTC()
			if d.After(last) {
				last = d
			}
			author := strings.ToLower(cm.AuthorEmail)
			if author == "" {
				author = cm.AuthorName
			}
			if d.After(from) && !d.After(now) {
				recent = append(recent, crawler.CommitStamp{At: d, Author: author})
				authors[author] = true
			}
			if d.After(listFrom) {
				all = append(all, crawler.CommitStamp{At: d, Author: author})
			}
			inWindow = d.After(listFrom)
		}
		// Commits come newest first: once the page ends outside the window,
		// the next pages are older still.
		return inWindow
	})
	if err != nil {
		if errors.Is(err, errNotFound) {
			// The default branch has no commit (a repository being
			// created).
			return nil, true, nil
		}
		return nil, false, err
	}
	if slid {
		return nil, false, nil
	}
	facts.Activity = crawler.ActivityFacts{Commits90d: len(recent), Contributors90d: len(authors), Recent: recent}
	if !last.IsZero() {
		facts.Activity.LastCommitAt = last.UTC()
	}
	return all, true, nil
}

// historyFrom is how far back a crawl reads the commits: the window, and
// the commits after the job's Since not counted by the previous crawl.
func (w *work) historyFrom(now time.Time) time.Time {
	return crawler.HistoryFrom(now.Add(-crawler.Window), w.job.Since, w.job.PrevSince())
}

// sinceFacts counts the commits after the job's Since (a défi's end): from
// the commits listed when they reach back to from, else the previous
// count when the head did not move, else none when the newest commit is
// older than from, else by listing them.
func (f *Forge) sinceFacts(ctx context.Context, w *work, id, branch string, from time.Time, listed []crawler.CommitStamp, covered bool) error {
	facts, since := &w.facts, w.job.Since
	if since.IsZero() {
		return nil
	}
	prev := w.job.PrevSince()
	switch {
	case covered:
		facts.Since = crawler.NewSince(since, prev, listed)
		return nil
	case prev != nil && w.prev != nil && facts.HeadSHA != "" && w.prev.HeadSHA == facts.HeadSHA:
		s := *prev
		facts.Since = &s
		return nil
	case !facts.Activity.LastCommitAt.IsZero() && !facts.Activity.LastCommitAt.After(from):
		facts.Since = crawler.NewSince(since, prev, nil)
		return nil
	}
	q := url.Values{"ref_name": {branch}, "since": {from.UTC().Format(time.RFC3339)}}
	var all []crawler.CommitStamp
	err := pages(ctx, w.c, projectPath(id)+"/repository/commits", q, func(items []commit) bool {
		for _, cm := range items {
			if cm.CommittedDate == nil {
				continue
			}
			author := strings.ToLower(cm.AuthorEmail)
			if author == "" {
				author = cm.AuthorName
			}
			all = append(all, crawler.CommitStamp{At: cm.CommittedDate.UTC(), Author: author})
		}
		return true
	})
	if err != nil && !errors.Is(err, errNotFound) {
		return fmt.Errorf("commits after %s: %w", since.Format(time.DateOnly), err)
	}
	facts.Since = crawler.NewSince(since, prev, all)
	return nil
}

// pipelineFacts sets CI.Status from the latest pipelines of the default
// branch. /pipelines/latest is not used: it answers 403 when the head
// commit has no pipeline.
func (f *Forge) pipelineFacts(ctx context.Context, c call, facts *crawler.Facts, p *project, log *slog.Logger) {
	var list []pipeline
	q := url.Values{"ref": {facts.DefaultBranch}, "per_page": {"5"}, "order_by": {"id"}, "sort": {"desc"}}
	_, err := c.do(ctx, http.MethodGet, projectPath(strconv.FormatInt(p.ID, 10))+"/pipelines", q, &list)
	if err != nil {
		// 403: pipelines visible to members only.
		log.Debug("pipelines not fetched", "err", err)
		facts.CI.Status = crawler.StatusUnknown
		return
	}
	pickPipeline(facts, list)
}

// pickPipeline sets CI.Status from the latest pipelines of the default
// branch, newest first: the newest with a verdict (one that reached none
// is passed over for an older finished one), else the newest.
func pickPipeline(facts *crawler.Facts, list []pipeline) {
	facts.CI.Status, facts.CI.RunURL, facts.CI.RunAt = crawler.StatusNone, "", time.Time{}
	if len(list) == 0 {
		return
	}
	pick := list[0]
	status, ok := pipelineStatus(pick.Status)
	for _, pl := range list[1:] {
		if ok {
			break
		}
		if s, good := pipelineStatus(pl.Status); good && s != crawler.StatusRunning {
			pick, status, ok = pl, s, true
		}
	}
	if !ok {
		pick = list[0]
	}
	facts.CI.Status = status
	facts.CI.RunURL = pick.WebURL
	switch {
	case pick.UpdatedAt != nil:
		facts.CI.RunAt = pick.UpdatedAt.UTC()
	case pick.CreatedAt != nil:
		facts.CI.RunAt = pick.CreatedAt.UTC()
	}
}

// ciConfigExists tells whether a custom CI configuration exists. A file in
// another project or at a URL is taken on trust: checking it would need
// access to that project. id is the project's id or full path.
func (f *Forge) ciConfigExists(ctx context.Context, c call, id, branch, cfg string, files []crawler.File) (bool, error) {
	if strings.Contains(cfg, "@") || strings.Contains(cfg, "://") {
		return true, nil
	}
	cfg = strings.TrimPrefix(cfg, "/")
	dir := path.Dir(cfg)
	listed := dir == "."
	for _, fl := range files {
		if fl.Path == cfg && !fl.Dir {
			return true, nil
		}
		if !fl.Dir && path.Dir(fl.Path) == dir {
			listed = true
		}
	}
	if listed {
		// Its folder was listed and the file is not in it.
		return false, nil
	}
	// A GET of the raw file (its bytes dropped), not a HEAD of its
	// metadata: servers that route GET alone answer HEAD with 405 or 404,
	// and GitLab itself refuses HEAD on a moved project's old path.
	_, _, err := f.raw(ctx, c, id, branch, cfg, 0)
	if errors.Is(err, errNotFound) {
		return false, nil
	}
	return err == nil, err
}

// activityThrottle is how long GitLab lets pass before an event moves a
// project's last_activity_at again: an event within the hour after the
// last move leaves it as it is (GitLab's Event#reset_project_activity),
// plus a margin for the clocks of the instance and of vigie.
const activityThrottle = time.Hour + 10*time.Minute

// quiet reports whether GitLab's last_activity_at shows no issue, merge
// request, release or push event since the previous crawl: the stamp did
// not move, and the previous crawl came late enough after it that an
// event after that crawl would have moved it (events within the throttle
// after a move do not).
func quiet(p *project, prev *crawler.Facts) bool {
	if p.LastActivityAt == nil || prev.LastActivityAt.IsZero() {
		return false
	}
	at := p.LastActivityAt.UTC()
	return at.Equal(prev.LastActivityAt) && !prev.CrawledAt.Before(at.Add(activityThrottle))
}

// headPipeline is the head commit's latest pipeline when it ran on the
// default branch and reached a verdict (or is running): the pipeline the
// list of the branch's pipelines would pick, since none is newer than the
// head's. nil when the list must decide.
func headPipeline(h *headCommit, branch string) *pipeline {
	lp := h.LastPipeline
	if lp == nil || lp.Ref != branch {
		return nil
	}
	if _, ok := pipelineStatus(lp.Status); !ok {
		return nil
	}
	return lp
}

// restHead asks the default branch's head commit, with its latest
// pipeline, and keeps it in w.head; it reports false when the answer
// cannot serve (a server without the route, a branch gone meanwhile): the
// commits list then decides, as it always can.
func (f *Forge) restHead(ctx context.Context, w *work) bool {
	if w.head != nil {
		return true
	}
	var h headCommit
	rel := projectPath(strconv.FormatInt(w.p.ID, 10)) + "/repository/commits/" + gl.PathEscape(w.facts.DefaultBranch)
	if _, err := w.c.do(ctx, http.MethodGet, rel, nil, &h); err != nil {
		f.log.Debug("head commit not fetched", "repo", w.job.Ref.ID(), "err", err)
		return false
	}
	if h.ID == "" || h.CommittedDate == nil {
		return false
	}
	w.head = &h
	return true
}

// restUnchanged builds, over REST alone (GraphQL off, disabled or refusing
// the query), the facts of a project whose default branch did not move
// since the previous crawl, and reports whether it could. With the
// project already read (visibility, settings, counts, licence verdict,
// last_activity_at), one more call decides:
//
//	GET /projects/:id/repository/commits/:branch   the head commit and its latest pipeline
//
// Same head: the files, texts, licence files and activity are the previous
// crawl's (the window slid to now), and the CI status is the head's latest
// pipeline, fresh. Merge requests and the latest release change without a
// push: they are the previous crawl's when last_activity_at is quiet, and
// asked again (2 calls) when it moved. The pipelines list is asked only
// when the head's pipeline cannot decide (it reached no verdict and the
// previous pick was it or was running, or it ran for another ref). So an
// unchanged project costs 2 calls. A moved head, or an answer that cannot
// tell, sends the project down the full path, which reuses the head read.
func (f *Forge) restUnchanged(ctx context.Context, w *work, now time.Time) bool {
	prev, p := w.prev, w.p
	branch := w.facts.DefaultBranch
	if prev == nil || p == nil || p.reduced() || branch == "" || branch != prev.DefaultBranch {
		// (A reduced answer, to a request without a token, lacks
		// fields the later stages complete: the full path decides.)
		return false
	}
	id := strconv.FormatInt(p.ID, 10)
	if !f.restHead(ctx, w) || w.head.ID != prev.HeadSHA {
		return false
	}
	h := *w.head
	readme, hasURL := readmeOf(p, branch)
	if !hasURL {
		if i := crawler.PickReadme(prev.Files, ""); i >= 0 {
			readme = prev.Files[i].Path
		}
	}
	if readme != prev.Readme.Path {
		return false
	}
	activity, ok := prev.Activity.Slide(now)
	if !ok {
		return false
	}
	if since := w.job.Since; !since.IsZero() && (prev.Since != nil && !prev.Since.From.Equal(since) ||
		prev.Since == nil && prev.Activity.LastCommitAt.After(since)) {
		// The commits after the défi's end were never counted.
		return false
	}
	// What the repository's content gave is the previous crawl's (its
	// files, texts, licence files, languages, publiccode.yml...); what
	// the project says is fresh.
	fresh := w.facts
	facts := *prev
	facts.Ref, facts.CrawledAt, facts.Origin, facts.Failure = fresh.Ref, fresh.CrawledAt, fresh.Origin, fresh.Failure
	facts.Visibility, facts.CanonicalPath, facts.Description, facts.Topics = fresh.Visibility, fresh.CanonicalPath, fresh.Description, fresh.Topics
	facts.DefaultBranch, facts.LastActivityAt, facts.Fork, facts.Archived = fresh.DefaultBranch, fresh.LastActivityAt, fresh.Fork, fresh.Archived
	facts.Empty, facts.CreatedAt, facts.Stars, facts.Forks = fresh.Empty, fresh.CreatedAt, fresh.Stars, fresh.Forks
	facts.OwnerKind, facts.OpenIssues, facts.Unknown = fresh.OwnerKind, fresh.OpenIssues, fresh.Unknown
	facts.License.ForgeSPDX, facts.License.ForgePath = fresh.License.ForgeSPDX, fresh.License.ForgePath
	facts.OpenPullRequests, facts.Release, facts.Since = 0, nil, nil
	facts.HeadSHA = h.ID
	facts.Activity = activity
	if ps := w.job.PrevSince(); ps != nil {
		s := *ps
		facts.Since = &s
	} else if !w.job.Since.IsZero() {
		facts.Since = crawler.NewSince(w.job.Since, nil, nil)
	}
	cfg := ""
	if p.CIConfigPath != nil {
		cfg = *p.CIConfigPath
	}
	systems, ciFiles, err := f.ciFacts(ctx, w.c, id, branch, prev.Files, cfg, prev)
	if err != nil {
		return false
	}
	facts.CI.Systems, facts.CI.Files = systems, ciFiles
	log := f.log.With("repo", w.job.Ref.ID())
	lp := h.LastPipeline
	switch {
	case p.BuildsAccessLevel == "disabled" || (p.BuildsAccessLevel == "" && p.JobsEnabled != nil && !*p.JobsEnabled):
		facts.CI.Status = crawler.StatusNone
	case headPipeline(&h, branch) != nil:
		pickPipeline(&facts, []pipeline{*lp})
	case lp == nil && prev.CI.Status != crawler.StatusRunning,
		lp != nil && lp.Ref == branch && lp.WebURL != prev.CI.RunURL &&
			(prev.CI.Status == crawler.StatusSuccess || prev.CI.Status == crawler.StatusFailure):
		// No pipeline for the head, or one that reached no verdict
		// (skipped, manual): the list would pick the same older pipeline
		// as the previous crawl, finished then, so finished now.
		facts.CI.Status, facts.CI.RunAt, facts.CI.RunURL = prev.CI.Status, prev.CI.RunAt, prev.CI.RunURL
	default:
		f.pipelineFacts(ctx, w.c, &facts, p, log)
	}
	if quiet(p, prev) {
		facts.OpenPullRequests, facts.Release = prev.OpenPullRequests, prev.Release
	} else {
		f.mergeRequestFacts(ctx, w.c, &facts, p, log)
		f.releaseFacts(ctx, w.c, &facts, p, log)
	}
	w.facts = facts
	return true
}
