package github

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/crawler/httpx"
)

// errGraphUnavailable says the GraphQL endpoint cannot be used at all (no
// such endpoint, token refused, not a GraphQL answer): REST takes over.
var errGraphUnavailable = errors.New("GraphQL endpoint unavailable")

// errGraphTimeout says a query was too slow for GitHub (502/504 after its
// 10-second budget): smaller batches may pass.
var errGraphTimeout = errors.New("GraphQL query timed out")

// errNoOwner says an organisation or user does not exist.
var errNoOwner = errors.New("no such organisation or user")

type gqlError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	Path    []any  `json:"path"`
}

type gqlResponse struct {
	Data   map[string]json.RawMessage `json:"data"`
	Errors []gqlError                 `json:"errors"`
}

// errorsFor returns the errors whose path starts at the alias.
func (r *gqlResponse) errorsFor(alias string) []gqlError {
	var out []gqlError
	for _, e := range r.Errors {
		if len(e.Path) > 0 && e.Path[0] == alias {
			out = append(out, e)
		}
	}
	return out
}

type rateLimit struct {
	Cost      int       `json:"cost"`
	Remaining int       `json:"remaining"`
	ResetAt   time.Time `json:"resetAt"`
}

// query posts one GraphQL query. Errors tied to a path are left to the
// caller (one repository's problem); errors without a path fail the query.
func (f *Forge) query(ctx context.Context, q string, vars map[string]any) (*gqlResponse, error) {
	body, err := json.Marshal(map[string]any{"query": q, "variables": vars})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.opts.GraphQLURL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("github GraphQL %s: %w", f.opts.GraphQLURL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := f.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("github GraphQL %s: %w", f.opts.GraphQLURL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("github GraphQL %s: reading answer: %w", f.opts.GraphQLURL, err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusUnauthorized, http.StatusMethodNotAllowed:
		f.noGraph.Store(true)
		return nil, fmt.Errorf("github GraphQL %s: HTTP %d: %w", f.opts.GraphQLURL, resp.StatusCode, errGraphUnavailable)
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		return nil, fmt.Errorf("github GraphQL %s: HTTP %d: %w", f.opts.GraphQLURL, resp.StatusCode, errGraphTimeout)
	default:
		return nil, fmt.Errorf("github GraphQL %s: HTTP %d", f.opts.GraphQLURL, resp.StatusCode)
	}
	var out gqlResponse
	if err := json.Unmarshal(b, &out); err != nil {
		f.noGraph.Store(true)
		return nil, fmt.Errorf("github GraphQL %s: not a GraphQL answer: %w", f.opts.GraphQLURL, errGraphUnavailable)
	}
	for _, e := range out.Errors {
		if len(e.Path) == 0 {
			return nil, fmt.Errorf("github GraphQL %s: %s", f.opts.GraphQLURL, e.Message)
		}
	}
	if out.Data == nil {
		// JSON, but no GraphQL answer: every repository would look missing.
		f.noGraph.Store(true)
		return nil, fmt.Errorf("github GraphQL %s: answer without data: %w", f.opts.GraphQLURL, errGraphUnavailable)
	}
	if raw, ok := out.Data["rateLimit"]; ok {
		var rl rateLimit
		if json.Unmarshal(raw, &rl) == nil {
			f.points.Add(int64(rl.Cost))
			f.log.Debug("GraphQL rate limit", "cost", rl.Cost, "remaining", rl.Remaining, "reset_at", rl.ResetAt)
		}
	}
	return &out, nil
}

const treeFragment = `fragment tree on Tree { entries { name type size } }`

const blobFragment = `fragment blob on Blob { text }`

// repoFragment asks for the repository's fields, what changes without a
// push included (CI result, issues, release...), but no file.
const repoFragment = `fragment repo on Repository {
  nameWithOwner isPrivate visibility description homepageUrl
  repositoryTopics(first: 20) { nodes { topic { name } } }
  primaryLanguage { name }
  isFork isArchived isEmpty isTemplate createdAt stargazerCount forkCount hasIssuesEnabled
  watchers { totalCount }
  owner { __typename }
  issues(states: [OPEN]) { totalCount }
  pullRequests(states: [OPEN]) { totalCount }
  latestRelease { tagName name publishedAt }
  licenseInfo { spdxId key }
  defaultBranchRef { name target { ... on Commit { oid committedDate statusCheckRollup { state contexts(first: 100) { nodes {
    ... on CheckRun { startedAt completedAt url }
    ... on StatusContext { createdAt targetUrl } } } } } } }
}`

// usualTexts are the licence files and READMEs most repositories have: the
// content fragment reads their texts blind (an absent one costs a null), so
// that only unusual names need a follow-up query. Blobs are no connection:
// they cost no rate-limit point.
var usualTexts = []string{"README.md", "README.rst", "readme.md", "LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "LICENCE.md", "COPYING", "publiccode.yml", "publiccode.yaml"}

// contentFragment asks for what only a push changes: the listed folders
// (read at HEAD, which GitHub resolves to the default branch) and the
// texts of the usual names.
var contentFragment = func() string {
	var b strings.Builder
	b.WriteString(`fragment content on Repository {
  root: object(expression: "HEAD:") { ...tree }
  dotgithub: object(expression: "HEAD:.github") { ...tree }
  workflows: object(expression: "HEAD:.github/workflows") { ...tree }
  docs: object(expression: "HEAD:docs") { ...tree }
  circleci: object(expression: "HEAD:.circleci") { ...tree }
  woodpecker: object(expression: "HEAD:.woodpecker") { ...tree }
  azure: object(expression: "HEAD:.azure-pipelines") { ...tree }
  src: object(expression: "HEAD:src") { ...tree }
`)
	for i, p := range usualTexts {
		fmt.Fprintf(&b, "  u%d: object(expression: %q) { ...blob }\n", i, "HEAD:"+p)
	}
	b.WriteString("}")
	return b.String()
}()

type gqlTree struct {
	Entries []struct {
		Name string `json:"name"`
		Type string `json:"type"`
		Size int64  `json:"size"`
	} `json:"entries"`
}

type gqlBlob struct {
	Text *string `json:"text"`
}

type gqlRepo struct {
	NameWithOwner string `json:"nameWithOwner"`
	// IsPrivate and Visibility (PUBLIC, PRIVATE, INTERNAL) say who may
	// see the repository; null when the answer did not hold them.
	IsPrivate        *bool  `json:"isPrivate"`
	Visibility       string `json:"visibility"`
	Description      string `json:"description"`
	HomepageURL      string `json:"homepageUrl"`
	RepositoryTopics struct {
		Nodes []struct {
			Topic struct {
				Name string `json:"name"`
			} `json:"topic"`
		} `json:"nodes"`
	} `json:"repositoryTopics"`
	PrimaryLanguage *struct {
		Name string `json:"name"`
	} `json:"primaryLanguage"`
	IsFork           bool      `json:"isFork"`
	IsArchived       bool      `json:"isArchived"`
	IsEmpty          bool      `json:"isEmpty"`
	IsTemplate       bool      `json:"isTemplate"`
	CreatedAt        time.Time `json:"createdAt"`
	StargazerCount   int       `json:"stargazerCount"`
	ForkCount        int       `json:"forkCount"`
	HasIssuesEnabled bool      `json:"hasIssuesEnabled"`
	Watchers         struct {
		TotalCount int `json:"totalCount"`
	} `json:"watchers"`
	Owner struct {
		Typename string `json:"__typename"`
	} `json:"owner"`
	Issues struct {
		TotalCount int `json:"totalCount"`
	} `json:"issues"`
	PullRequests struct {
		TotalCount int `json:"totalCount"`
	} `json:"pullRequests"`
	LatestRelease *struct {
		TagName     string    `json:"tagName"`
		Name        string    `json:"name"`
		PublishedAt time.Time `json:"publishedAt"`
	} `json:"latestRelease"`
	LicenseInfo *struct {
		SpdxID string `json:"spdxId"`
		Key    string `json:"key"`
	} `json:"licenseInfo"`
	DefaultBranchRef *struct {
		Name   string `json:"name"`
		Target struct {
			Oid               string     `json:"oid"`
			CommittedDate     time.Time  `json:"committedDate"`
			StatusCheckRollup *gqlRollup `json:"statusCheckRollup"`
		} `json:"target"`
	} `json:"defaultBranchRef"`
}

// gqlContent is the content fragment's answer (the usual texts, u0...,
// are read from the alias's fields by name).
type gqlContent struct {
	Root       *gqlTree `json:"root"`
	DotGithub  *gqlTree `json:"dotgithub"`
	Workflows  *gqlTree `json:"workflows"`
	Docs       *gqlTree `json:"docs"`
	CircleCI   *gqlTree `json:"circleci"`
	Woodpecker *gqlTree `json:"woodpecker"`
	Azure      *gqlTree `json:"azure"`
	// Src is asked of every repository (one more object in the same query
	// costs no request and no point) and kept only when
	// crawler.ListsSource says so, as the REST path lists it.
	Src *gqlTree `json:"src"`
}

type gqlRollup struct {
	State    string `json:"state"`
	Contexts struct {
		Nodes []struct {
			StartedAt   time.Time `json:"startedAt"`
			CompletedAt time.Time `json:"completedAt"`
			URL         string    `json:"url"`
			CreatedAt   time.Time `json:"createdAt"`
			TargetURL   string    `json:"targetUrl"`
		} `json:"nodes"`
	} `json:"contexts"`
}

// rollupStatus maps statusCheckRollup.state, which already combines check
// runs and commit statuses: SUCCESS → success, FAILURE and ERROR →
// failure, PENDING and EXPECTED → running, no rollup → none. The run's
// time and link are those of its newest context (check run or status).
func rollupStatus(r *gqlRollup) (status string, run ciRun) {
	if r == nil {
		return crawler.StatusNone, run
	}
	for _, n := range r.Contexts.Nodes {
		if n.CreatedAt.IsZero() {
			run.add(n.StartedAt, n.CompletedAt, n.URL)
		} else {
			run.add(n.CreatedAt, time.Time{}, n.TargetURL)
		}
	}
	switch r.State {
	case "SUCCESS":
		return crawler.StatusSuccess, run
	case "FAILURE", "ERROR":
		return crawler.StatusFailure, run
	case "PENDING", "EXPECTED":
		return crawler.StatusRunning, run
	}
	return crawler.StatusUnknown, run
}

// varDecls declares the named variables as String!.
func varDecls(names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + n + ": String!")
	}
	return b.String()
}

// gstate is one repository's progress through a GraphQL crawl: the main
// query answers most of it; follow-up queries, batched over the whole
// crawl, read what is left (the trees and usual texts when the previous
// crawl's proved stale, texts of unusual names, the commit history page by
// page).
type gstate struct {
	job     crawler.Job
	r       *raw
	asked   map[string]bool // texts already asked for, found or not
	content bool            // the content fragment is still to read
	texts   []string        // texts still to read
	history bool            // a history page is still to read
	after   string          // its cursor ("" the first)
	failed  string          // why GraphQL failed on it: REST takes over
}

func (st *gstate) pending() bool {
	return st.failed == "" && (st.content || len(st.texts) > 0 || st.history)
}

// graphFetchAll crawls the jobs over GraphQL: one main query per batch of
// about 25 repositories, then follow-up queries for what is left, then
// REST for any repository GraphQL failed on.
func (f *Forge) graphFetchAll(ctx context.Context, jobs []crawler.Job, now time.Time) []crawler.Facts {
	out := make([]crawler.Facts, len(jobs))
	states := make([]*gstate, len(jobs))
	var batches [][]int
	for i := 0; i < len(jobs); i += batchSize {
		var b []int
		for j := i; j < min(i+batchSize, len(jobs)); j++ {
			b = append(b, j)
		}
		batches = append(batches, b)
	}
	parallel(len(batches), 2, func(k int) {
		f.graphMain(ctx, jobs, batches[k], now, out, states)
	})
	f.graphFollow(ctx, states, now)
	var rest []int
	for j, st := range states {
		switch {
		case st == nil:
		case st.failed != "":
			f.log.Warn("GraphQL failed on a repository, using REST for it", "repo", st.job.Ref.Path, "err", st.failed)
			rest = append(rest, j)
		default:
			out[j] = st.r.facts(st.job.Ref, now)
		}
	}
	parallel(len(rest), concurrency, func(k int) {
		out[rest[k]] = f.restFetch(ctx, jobs[rest[k]], now)
	})
	return out
}

// graphMain runs the main query of one batch. A batch too slow for GitHub
// is split in halves; a batch that fails otherwise goes to REST. Each
// repository either gets its facts in out (an error, a REST fallback) or a
// state in states. The content fragment is left out for a repository whose
// previous facts may still hold: the head commit says whether they do.
func (f *Forge) graphMain(ctx context.Context, jobs []crawler.Job, idx []int, now time.Time, out []crawler.Facts, states []*gstate) {
	var sel strings.Builder
	vars := map[string]any{}
	var names []string
	withContent := false
	for k, j := range idx {
		owner, name, _ := strings.Cut(jobs[j].Ref.Path, "/")
		o, n := "o"+strconv.Itoa(k), "n"+strconv.Itoa(k)
		vars[o], vars[n] = owner, name
		names = append(names, o, n)
		content := ""
		if !omitContent(jobs[j].Previous) {
			content, withContent = " ...content", true
		}
		fmt.Fprintf(&sel, "  r%d: repository(owner: $%s, name: $%s) { ...repo%s }\n", k, o, n, content)
	}
	q := "query vigieRepos(" + varDecls(names) + ") {\n  rateLimit { cost remaining resetAt }\n" + sel.String() + "}\n" + repoFragment
	if withContent {
		q += "\n" + contentFragment + "\n" + treeFragment + "\n" + blobFragment
	}
	resp, err := f.query(ctx, q, vars)
	if err != nil {
		if errors.Is(err, errGraphTimeout) && len(idx) > 1 && ctx.Err() == nil {
			f.log.Warn("GraphQL batch too slow, splitting it", "repos", len(idx), "err", err)
			half := len(idx) / 2
			f.graphMain(ctx, jobs, idx[:half], now, out, states)
			f.graphMain(ctx, jobs, idx[half:], now, out, states)
			return
		}
		if httpx.Classify(err, 0) == crawler.FailUnreachable {
			// The transport said it once; REST fails at once too.
			f.log.Debug("GraphQL batch failed, using REST for it", "repos", len(idx), "err", err)
		} else {
			f.log.Warn("GraphQL batch failed, using REST for it", "repos", len(idx), "err", err)
		}
		parallel(len(idx), concurrency, func(k int) {
			out[idx[k]] = f.restFetch(ctx, jobs[idx[k]], now)
		})
		return
	}
	for k, j := range idx {
		job := jobs[j]
		ref := job.Ref
		alias := "r" + strconv.Itoa(k)
		where := f.opts.WebURL + "/" + ref.Path
		var repo *gqlRepo
		rawJSON := resp.Data[alias]
		if len(rawJSON) > 0 && string(rawJSON) != "null" {
			if err := json.Unmarshal(rawJSON, &repo); err != nil {
				out[j] = crawler.Facts{Ref: ref, CrawledAt: now, Error: fmt.Sprintf("github %s: decoding GraphQL answer: %v", where, err), Failure: crawler.FailForgeError}
				continue
			}
		}
		errs := resp.errorsFor(alias)
		if repo != nil {
			// A token sees the private repositories of its owner: vigie
			// reads nothing more of one, and publishes none of it.
			v := graphVisibility(repo.IsPrivate, repo.Visibility)
			if v != crawler.VisibilityPublic && (v != "" || len(errs) == 0) {
				out[j] = crawler.NotPublic(ref, now, v)
				continue
			}
		}
		if repo == nil {
			fa := crawler.Facts{Ref: ref, CrawledAt: now, Error: fmt.Sprintf("github %s: repository not found (missing or private)", where), NotFound: true, Failure: crawler.FailNotFound}
			for _, e := range errs {
				if e.Type != "NOT_FOUND" {
					fa.NotFound = false
					fa.Error = fmt.Sprintf("github %s: %s", where, e.Message)
					fa.Failure = crawler.FailForgeError
					if e.Type == "FORBIDDEN" {
						fa.Failure = crawler.FailAccessRefused
					}
					break
				}
			}
			out[j] = fa
			continue
		}
		if len(errs) > 0 {
			// The repository answered but some field did not (a timeout
			// on one connection, a field an old Enterprise lacks): REST
			// gathers the whole repository again rather than guess.
			f.log.Warn("GraphQL answered part of a repository, using REST for it", "repo", ref.Path, "err", errs[0].Message)
			out[j] = f.restFetch(ctx, job, now)
			continue
		}
		st := &gstate{job: job, r: rawFromGraph(repo), asked: map[string]bool{}}
		r := st.r
		r.setSince(job)
		if !omitContent(job.Previous) {
			if err := st.applyContent(rawJSON); err != nil {
				out[j] = crawler.Facts{Ref: ref, CrawledAt: now, Error: fmt.Sprintf("github %s: decoding GraphQL answer: %v", where, err), Failure: crawler.FailForgeError}
				continue
			}
		} else if prev := job.Reusable(); r.sameHead(prev) {
			// Nothing pushed since the previous crawl: its file facts
			// hold, and its commits of the window slide to now.
			r.prev = prev
			if a, ok := prev.Activity.Slide(now); ok {
				r.activity = &a
			}
		} else if !r.empty {
			st.content = true
		}
		// A head commit older than the window (and than the commits
		// after Since still to count) means no commit to list.
		st.history = r.needsHistory(now)
		states[j] = st
	}
}

// omitContent reports whether the main query may leave a repository's
// files out: its previous facts hold them (or it was empty, missing or not
// public),
// and the head commit will tell whether they still do.
func omitContent(prev *crawler.Facts) bool {
	return prev != nil && (prev.NotFound || prev.Withheld() || prev.Error == "" && (prev.Empty || prev.HeadSHA != ""))
}

// applyContent reads the content fragment's answer (a repository alias's
// JSON): the files, the README GitHub shows, the usual texts; then lists
// the texts still to read.
func (st *gstate) applyContent(alias json.RawMessage) error {
	var c gqlContent
	if err := json.Unmarshal(alias, &c); err != nil {
		return err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(alias, &fields); err != nil {
		return err
	}
	r := st.r
	r.files = nil
	for _, t := range []struct {
		dir  string
		tree *gqlTree
	}{{"", c.Root}, {".github", c.DotGithub}, {".github/workflows", c.Workflows}, {"docs", c.Docs},
		{".circleci", c.CircleCI}, {".woodpecker", c.Woodpecker}, {".azure-pipelines", c.Azure},
		{crawler.SourceDir, c.Src}} {
		if t.tree == nil || t.dir == crawler.SourceDir && !crawler.ListsSource(r.files) {
			continue
		}
		for _, e := range t.tree.Entries {
			p := e.Name
			if t.dir != "" {
				p = t.dir + "/" + e.Name
			}
			fl := crawler.File{Path: p, Size: e.Size}
			switch e.Type {
			case "tree":
				fl.Dir, fl.Size = true, 0
			case "commit": // a submodule
				fl.Size = 0
			}
			r.files = append(r.files, fl)
		}
	}
	// GitHub shows the README of .github/, else the root's, else docs/'s.
	r.readme, r.readmeSize = "", 0
	if i := crawler.PickReadme(r.files, ".github", "", "docs"); i >= 0 {
		r.readme, r.readmeSize = r.files[i].Path, r.files[i].Size
	}
	for i, p := range usualTexts {
		st.asked[p] = true
		var b *gqlBlob
		if json.Unmarshal(fields["u"+strconv.Itoa(i)], &b) == nil && b != nil && b.Text != nil {
			r.texts[p] = truncate([]byte(*b.Text))
		}
	}
	st.texts = nil
	paths := licensePaths(r.files)
	if r.readme != "" {
		paths = append(paths, r.readme)
	}
	for _, p := range paths {
		if !st.asked[p] {
			st.texts = append(st.texts, p)
		}
	}
	return nil
}

// graphVisibility reads GraphQL's isPrivate and visibility: "public" only
// when the answer says so, "" when it says nothing.
func graphVisibility(isPrivate *bool, visibility string) string {
	switch {
	case isPrivate == nil:
		return ""
	case strings.EqualFold(visibility, "INTERNAL"):
		return crawler.VisibilityInternal
	case *isPrivate || visibility != "" && !strings.EqualFold(visibility, "PUBLIC"):
		return crawler.VisibilityPrivate
	}
	return crawler.VisibilityPublic
}

func rawFromGraph(g *gqlRepo) *raw {
	r := &raw{
		visibility: graphVisibility(g.IsPrivate, g.Visibility),
		canonical:  g.NameWithOwner, description: g.Description, homepage: g.HomepageURL,
		fork: g.IsFork, archived: g.IsArchived, empty: g.IsEmpty, createdAt: g.CreatedAt,
		stars: g.StargazerCount, openIssues: g.Issues.TotalCount, openPRs: g.PullRequests.TotalCount,
		forks: g.ForkCount, watchers: g.Watchers.TotalCount, template: g.IsTemplate,
		ownerKind: ownerKind(g.Owner.Typename),
		texts:     map[string][]byte{}, ciStatus: crawler.StatusNone,
	}
	if !g.HasIssuesEnabled {
		r.openIssues = -1
	}
	for _, t := range g.RepositoryTopics.Nodes {
		r.topics = append(r.topics, t.Topic.Name)
	}
	if g.PrimaryLanguage != nil {
		r.language = g.PrimaryLanguage.Name
	}
	if g.LatestRelease != nil {
		r.release = &crawler.Release{Tag: g.LatestRelease.TagName, Name: g.LatestRelease.Name, PublishedAt: g.LatestRelease.PublishedAt.UTC()}
	}
	if g.LicenseInfo != nil {
		r.forgeSPDX = forgeSPDX(g.LicenseInfo.SpdxID, g.LicenseInfo.Key)
	}
	if b := g.DefaultBranchRef; b != nil {
		r.branch = b.Name
		r.headSHA = b.Target.Oid
		r.headAt = b.Target.CommittedDate
		r.ciStatus, r.ciRun = rollupStatus(b.Target.StatusCheckRollup)
	} else {
		r.empty = true
	}
	return r
}

type gqlHistory struct {
	History struct {
		PageInfo struct {
			HasNextPage bool   `json:"hasNextPage"`
			EndCursor   string `json:"endCursor"`
		} `json:"pageInfo"`
		Nodes []struct {
			CommittedDate time.Time `json:"committedDate"`
			Author        struct {
				Name  string `json:"name"`
				Email string `json:"email"`
				User  *struct {
					Login string `json:"login"`
				} `json:"user"`
			} `json:"author"`
		} `json:"nodes"`
	} `json:"history"`
}

// graphFollow runs follow-up rounds until no repository has anything left
// to read: each round batches, over the whole crawl, every repository's
// next need (content, texts, a history page), followBatch a query.
func (f *Forge) graphFollow(ctx context.Context, states []*gstate, now time.Time) {
	for {
		var idx []int
		for j, st := range states {
			if st != nil && st.pending() {
				idx = append(idx, j)
			}
		}
		if len(idx) == 0 {
			return
		}
		if err := ctx.Err(); err != nil {
			for _, j := range idx {
				states[j].failed = err.Error()
			}
			return
		}
		var chunks [][]int
		for i := 0; i < len(idx); i += followBatch {
			chunks = append(chunks, idx[i:min(i+followBatch, len(idx))])
		}
		parallel(len(chunks), 2, func(k int) {
			f.graphFollowQuery(ctx, states, chunks[k], now)
		})
	}
}

// graphFollowQuery asks one follow-up query for the repositories idx, each
// under the alias h<job index>. A query too slow for GitHub is split in
// halves; a query that fails otherwise leaves its repositories to REST.
func (f *Forge) graphFollowQuery(ctx context.Context, states []*gstate, idx []int, now time.Time) {
	var sel strings.Builder
	vars := map[string]any{}
	names := []string{}
	var sinceNames []string // the history's since, per repository
	var withContent, withBlob, withHistory bool
	texts := map[int][]string{} // the texts this query asks, by job
	for _, j := range idx {
		st := states[j]
		owner, name, _ := strings.Cut(st.r.canonical, "/")
		s := strconv.Itoa(j)
		vars["o"+s], vars["n"+s] = owner, name
		names = append(names, "o"+s, "n"+s)
		fmt.Fprintf(&sel, "  h%s: repository(owner: $o%s, name: $n%s) {", s, s, s)
		if st.content {
			sel.WriteString(" ...content")
			withContent, withBlob = true, true
		} else if len(st.texts) > 0 {
			texts[j] = st.texts
			for k, p := range st.texts {
				e := "e" + s + "_" + strconv.Itoa(k)
				vars[e] = "HEAD:" + p
				names = append(names, e)
				fmt.Fprintf(&sel, " t%d: object(expression: $%s) { ...blob }", k, e)
			}
			withBlob = true
		}
		if st.history {
			withHistory = true
			vars["c"+s] = st.r.headSHA
			names = append(names, "c"+s)
			after := "null"
			if st.after != "" {
				vars["a"+s] = st.after
				names = append(names, "a"+s)
				after = "$a" + s
			}
			vars["s"+s] = st.r.historyFrom(now).Format(time.RFC3339)
			sinceNames = append(sinceNames, "s"+s)
			fmt.Fprintf(&sel, " hist: object(expression: $c%s) { ... on Commit { history(first: 100, since: $s%s, after: %s) { pageInfo { hasNextPage endCursor } nodes { committedDate author { name email user { login } } } } } }", s, s, after)
		}
		sel.WriteString(" }\n")
	}
	op, decls := "vigieTexts", varDecls(names)
	if withHistory {
		op = "vigieHistory"
		for _, n := range sinceNames {
			decls += ", $" + n + ": GitTimestamp!"
		}
	}
	q := "query " + op + "(" + decls + ") {\n  rateLimit { cost remaining resetAt }\n" + sel.String() + "}"
	if withContent {
		q += "\n" + contentFragment + "\n" + treeFragment
	}
	if withBlob {
		q += "\n" + blobFragment
	}
	resp, err := f.query(ctx, q, vars)
	if err != nil {
		if errors.Is(err, errGraphTimeout) && len(idx) > 1 && ctx.Err() == nil {
			f.log.Warn("GraphQL follow-up too slow, splitting it", "repos", len(idx), "err", err)
			half := len(idx) / 2
			f.graphFollowQuery(ctx, states, idx[:half], now)
			f.graphFollowQuery(ctx, states, idx[half:], now)
			return
		}
		for _, j := range idx {
			states[j].failed = err.Error()
		}
		return
	}
	for _, j := range idx {
		st := states[j]
		alias := "h" + strconv.Itoa(j)
		if errs := resp.errorsFor(alias); len(errs) > 0 {
			st.failed = errs[0].Message
			continue
		}
		data := resp.Data[alias]
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
			st.failed = "no answer for the repository"
			continue
		}
		if st.history {
			var h *gqlHistory
			if err := json.Unmarshal(fields["hist"], &h); err != nil || h == nil {
				st.failed = "history: no commit " + st.r.headSHA
				continue
			}
			for _, n := range h.History.Nodes {
				login := ""
				if n.Author.User != nil {
					login = n.Author.User.Login
				}
				st.r.commits = append(st.r.commits, newCommit(n.CommittedDate, login, n.Author.Email, n.Author.Name))
			}
			pi := h.History.PageInfo
			if pi.HasNextPage && pi.EndCursor != "" && pi.EndCursor != st.after && len(h.History.Nodes) > 0 {
				st.after = pi.EndCursor
			} else {
				st.history = false
			}
		}
		if st.content {
			st.content = false
			if err := st.applyContent(data); err != nil {
				st.failed = "decoding the files: " + err.Error()
			}
			continue
		}
		for k, p := range texts[j] {
			st.asked[p] = true
			var b *gqlBlob
			if json.Unmarshal(fields["t"+strconv.Itoa(k)], &b) == nil && b != nil && b.Text != nil {
				st.r.texts[p] = truncate([]byte(*b.Text))
			}
		}
		if texts[j] != nil {
			st.texts = nil
		}
	}
}

// graphListOrg lists an organisation's or a user's public repositories:
// vigie publishes what it finds, so a token's access to private ones must
// not leak them.
func (f *Forge) graphListOrg(ctx context.Context, org string) ([]crawler.OrgRepo, error) {
	const q = `query vigieOrg($login: String!, $after: String) {
  rateLimit { cost remaining resetAt }
  repositoryOwner(login: $login) {
    repositories(first: 100, after: $after, ownerAffiliations: [OWNER], privacy: PUBLIC, orderBy: {field: NAME, direction: ASC}) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { nameWithOwner isPrivate visibility isFork isArchived }
    }
  }
}`
	var out []crawler.OrgRepo
	var pager crawler.Pager
	vars := map[string]any{"login": org, "after": nil}
	cursor := ""
	for {
		resp, err := f.query(ctx, q, vars)
		if err != nil {
			if len(out) > 0 {
				return out, fmt.Errorf("github %s/%s: listing repositories: %w", f.opts.WebURL, org, err)
			}
			return nil, err
		}
		var owner *struct {
			Repositories struct {
				TotalCount *int `json:"totalCount"`
				PageInfo   struct {
					HasNextPage bool   `json:"hasNextPage"`
					EndCursor   string `json:"endCursor"`
				} `json:"pageInfo"`
				Nodes []struct {
					NameWithOwner string `json:"nameWithOwner"`
					IsPrivate     *bool  `json:"isPrivate"`
					Visibility    string `json:"visibility"`
					IsFork        bool   `json:"isFork"`
					IsArchived    bool   `json:"isArchived"`
				} `json:"nodes"`
			} `json:"repositories"`
		}
		if err := json.Unmarshal(resp.Data["repositoryOwner"], &owner); err != nil {
			return nil, fmt.Errorf("github %s/%s: decoding repositories: %w", f.opts.WebURL, org, err)
		}
		if owner == nil {
			return nil, fmt.Errorf("github %s/%s: %w", f.opts.WebURL, org, errNoOwner)
		}
		paths := make([]string, len(owner.Repositories.Nodes))
		for i, n := range owner.Repositories.Nodes {
			paths[i] = n.NameWithOwner
			if graphVisibility(n.IsPrivate, n.Visibility) != crawler.VisibilityPublic {
				// privacy: PUBLIC asked for none: a forge that lists one
				// anyway does not get it published.
				continue
			}
			out = append(out, crawler.OrgRepo{Path: n.NameWithOwner, Fork: n.IsFork, Archived: n.IsArchived})
		}
		if tc := owner.Repositories.TotalCount; tc != nil {
			pager.Total(*tc, 100)
		}
		pi := owner.Repositories.PageInfo
		more := pi.HasNextPage && pi.EndCursor != ""
		if err := pager.Next(cursor, paths, more); err != nil {
			return out, fmt.Errorf("github %s/%s: listing repositories: %w", f.opts.WebURL, org, err)
		}
		if !more {
			return out, nil
		}
		cursor = pi.EndCursor
		vars["after"] = cursor
	}
}
