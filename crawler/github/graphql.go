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
	toks := f.tokens()
	tok := toks[int(f.next.Add(1)-1)%len(toks)]
	req.Header.Set("Authorization", "Bearer "+tok)
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

// repoQueryFields asks for everything but the history and the blob texts.
// The trees are read at HEAD, which GitHub resolves to the default branch.
const repoFragment = `fragment repo on Repository {
  nameWithOwner description homepageUrl
  repositoryTopics(first: 20) { nodes { topic { name } } }
  primaryLanguage { name }
  isFork isArchived isEmpty createdAt stargazerCount hasIssuesEnabled
  issues(states: [OPEN]) { totalCount }
  pullRequests(states: [OPEN]) { totalCount }
  latestRelease { tagName name publishedAt }
  licenseInfo { spdxId key }
  defaultBranchRef { name target { ... on Commit { oid committedDate statusCheckRollup { state contexts(first: 100) { nodes {
    ... on CheckRun { startedAt completedAt url }
    ... on StatusContext { createdAt targetUrl } } } } tree { ...tree } } } }
  root: object(expression: "HEAD:") { ...tree }
  dotgithub: object(expression: "HEAD:.github") { ...tree }
  workflows: object(expression: "HEAD:.github/workflows") { ...tree }
  docs: object(expression: "HEAD:docs") { ...tree }
  circleci: object(expression: "HEAD:.circleci") { ...tree }
  woodpecker: object(expression: "HEAD:.woodpecker") { ...tree }
  azure: object(expression: "HEAD:.azure-pipelines") { ...tree }
}`

type gqlTree struct {
	Entries []struct {
		Name string `json:"name"`
		Type string `json:"type"`
		Size int64  `json:"size"`
	} `json:"entries"`
}

type gqlRepo struct {
	NameWithOwner    string `json:"nameWithOwner"`
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
	CreatedAt        time.Time `json:"createdAt"`
	StargazerCount   int       `json:"stargazerCount"`
	HasIssuesEnabled bool      `json:"hasIssuesEnabled"`
	Issues           struct {
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
			Tree              *gqlTree   `json:"tree"`
		} `json:"target"`
	} `json:"defaultBranchRef"`
	Root       *gqlTree `json:"root"`
	DotGithub  *gqlTree `json:"dotgithub"`
	Workflows  *gqlTree `json:"workflows"`
	Docs       *gqlTree `json:"docs"`
	CircleCI   *gqlTree `json:"circleci"`
	Woodpecker *gqlTree `json:"woodpecker"`
	Azure      *gqlTree `json:"azure"`
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

// varDefs declares n string variables named prefix0..prefixN-1 (and more
// per index via names).
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

// graphFetch crawls one batch of repositories: it returns an error only
// when the batch as a whole failed.
func (f *Forge) graphFetch(ctx context.Context, refs []crawler.Ref, now time.Time) ([]crawler.Facts, error) {
	out := make([]crawler.Facts, len(refs))
	raws := make([]*raw, len(refs))
	heads := make([]string, len(refs))

	// 1. Repository fields and trees.
	var sel strings.Builder
	vars := map[string]any{}
	var names []string
	for i, ref := range refs {
		owner, name, _ := strings.Cut(ref.Path, "/")
		o, n := "o"+strconv.Itoa(i), "n"+strconv.Itoa(i)
		vars[o], vars[n] = owner, name
		names = append(names, o, n)
		fmt.Fprintf(&sel, "  r%d: repository(owner: $%s, name: $%s) { ...repo }\n", i, o, n)
	}
	q := "query vigieRepos(" + varDecls(names) + ") {\n  rateLimit { cost remaining resetAt }\n" + sel.String() + "}\n" + repoFragment + "\n" + treeFragment
	resp, err := f.query(ctx, q, vars)
	if err != nil {
		return nil, err
	}
	for i, ref := range refs {
		alias := "r" + strconv.Itoa(i)
		where := f.opts.WebURL + "/" + ref.Path
		var repo *gqlRepo
		if rawJSON := resp.Data[alias]; len(rawJSON) > 0 && string(rawJSON) != "null" {
			if err := json.Unmarshal(rawJSON, &repo); err != nil {
				out[i] = crawler.Facts{Ref: ref, CrawledAt: now, Error: fmt.Sprintf("github %s: decoding GraphQL answer: %v", where, err)}
				continue
			}
		}
		errs := resp.errorsFor(alias)
		if repo == nil {
			fa := crawler.Facts{Ref: ref, CrawledAt: now, Error: fmt.Sprintf("github %s: repository not found (missing or private)", where), NotFound: true}
			for _, e := range errs {
				if e.Type != "NOT_FOUND" {
					fa.NotFound = false
					fa.Error = fmt.Sprintf("github %s: %s", where, e.Message)
					break
				}
			}
			out[i] = fa
			continue
		}
		if len(errs) > 0 {
			// The repository answered but some field did not (a timeout
			// on one connection, a field an old Enterprise lacks): REST
			// gathers the whole repository again rather than guess.
			f.log.Warn("GraphQL answered part of a repository, using REST for it", "repo", ref.Path, "err", errs[0].Message)
			out[i] = f.restFetch(ctx, ref, now)
			continue
		}
		raws[i] = rawFromGraph(repo)
		if repo.DefaultBranchRef != nil {
			heads[i] = repo.DefaultBranchRef.Target.Oid
		}
	}

	// 2. Texts of licence files and READMEs, one query for the batch; 3.
	// the commit history since the window's start. A repository either
	// query fails on (moved or deleted in between, a timeout on its
	// history) is gathered again over REST, alone.
	failed := map[int]string{}
	if err := f.graphTexts(ctx, raws, failed); err != nil {
		return nil, err
	}
	if err := f.graphHistory(ctx, raws, heads, now, failed); err != nil {
		return nil, err
	}
	for i, r := range raws {
		switch {
		case failed[i] != "":
			f.log.Warn("GraphQL failed on a repository, using REST for it", "repo", refs[i].Path, "err", failed[i])
			out[i] = f.restFetch(ctx, refs[i], now)
		case r != nil:
			out[i] = r.facts(refs[i], now)
		}
	}
	return out, nil
}

func rawFromGraph(g *gqlRepo) *raw {
	r := &raw{
		canonical: g.NameWithOwner, description: g.Description, homepage: g.HomepageURL,
		fork: g.IsFork, archived: g.IsArchived, empty: g.IsEmpty, createdAt: g.CreatedAt,
		stars: g.StargazerCount, openIssues: g.Issues.TotalCount, openPRs: g.PullRequests.TotalCount,
		texts: map[string][]byte{}, ciStatus: crawler.StatusNone,
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
		r.headAt = b.Target.CommittedDate
		r.ciStatus, r.ciRun = rollupStatus(b.Target.StatusCheckRollup)
	} else {
		r.empty = true
	}
	// The root tree comes both from the "HEAD:" expression and from the
	// head commit: they are the same on GitHub, and either is enough.
	root := g.Root
	if root == nil && g.DefaultBranchRef != nil {
		root = g.DefaultBranchRef.Target.Tree
	}
	for _, t := range []struct {
		dir  string
		tree *gqlTree
	}{{"", root}, {".github", g.DotGithub}, {".github/workflows", g.Workflows}, {"docs", g.Docs},
		{".circleci", g.CircleCI}, {".woodpecker", g.Woodpecker}, {".azure-pipelines", g.Azure}} {
		if t.tree == nil {
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
	if i := crawler.PickReadme(r.files, ".github", "", "docs"); i >= 0 {
		r.readme, r.readmeSize = r.files[i].Path, r.files[i].Size
	}
	return r
}

// graphTexts reads the licence files and READMEs of every repository of
// the batch as Blob texts, by aliases.
func (f *Forge) graphTexts(ctx context.Context, raws []*raw, failed map[int]string) error {
	var sel strings.Builder
	vars := map[string]any{}
	var names []string
	type want struct {
		repo int
		path string
	}
	wants := map[string]want{}
	for i, r := range raws {
		if r == nil || r.empty {
			continue
		}
		paths := licensePaths(r.files)
		if r.readme != "" {
			paths = append(paths, r.readme)
		}
		if len(paths) == 0 {
			continue
		}
		owner, name, _ := strings.Cut(r.canonical, "/")
		o, n := "o"+strconv.Itoa(i), "n"+strconv.Itoa(i)
		vars[o], vars[n] = owner, name
		names = append(names, o, n)
		fmt.Fprintf(&sel, "  t%d: repository(owner: $%s, name: $%s) {", i, o, n)
		for j, p := range paths {
			e := "e" + strconv.Itoa(i) + "_" + strconv.Itoa(j)
			vars[e] = "HEAD:" + p
			names = append(names, e)
			alias := "f" + strconv.Itoa(j)
			wants["t"+strconv.Itoa(i)+"."+alias] = want{i, p}
			fmt.Fprintf(&sel, " %s: object(expression: $%s) { ... on Blob { text } }", alias, e)
		}
		sel.WriteString(" }\n")
	}
	if len(wants) == 0 {
		return nil
	}
	q := "query vigieTexts(" + varDecls(names) + ") {\n  rateLimit { cost remaining resetAt }\n" + sel.String() + "}"
	resp, err := f.query(ctx, q, vars)
	if err != nil {
		return err
	}
	for _, e := range resp.Errors {
		if w, ok := wants[pathKey(e.Path)]; ok {
			failed[w.repo] = e.Message
		} else if len(e.Path) > 0 {
			if a, ok := e.Path[0].(string); ok && strings.HasPrefix(a, "t") {
				if i, err := strconv.Atoi(a[1:]); err == nil && i < len(raws) {
					failed[i] = e.Message
				}
			}
		}
	}
	for alias, rawJSON := range resp.Data {
		if !strings.HasPrefix(alias, "t") {
			continue
		}
		var objs map[string]*struct {
			Text *string `json:"text"`
		}
		if json.Unmarshal(rawJSON, &objs) != nil {
			continue
		}
		for fa, o := range objs {
			w, ok := wants[alias+"."+fa]
			if !ok || o == nil || o.Text == nil {
				continue
			}
			raws[w.repo].texts[w.path] = truncate([]byte(*o.Text))
		}
	}
	return nil
}

// pathKey joins an error path's first two names ("t3.f0").
func pathKey(p []any) string {
	if len(p) < 2 {
		return ""
	}
	a, _ := p[0].(string)
	b, _ := p[1].(string)
	return a + "." + b
}

type gqlHistory struct {
	Object *struct {
		History struct {
			TotalCount int `json:"totalCount"`
			PageInfo   struct {
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
	} `json:"object"`
}

// graphHistory lists the commits since the window's start of every
// non-empty repository, from its head commit, historyBatch repositories a
// query, following each history's pages.
func (f *Forge) graphHistory(ctx context.Context, raws []*raw, heads []string, now time.Time, failed map[int]string) error {
	since := now.Add(-crawler.Window).Format(time.RFC3339)
	type todo struct {
		i     int
		after string
	}
	var pending []todo
	for i, r := range raws {
		if r != nil && !r.empty && heads[i] != "" && failed[i] == "" {
			pending = append(pending, todo{i: i})
		}
	}
	for len(pending) > 0 {
		batch := pending[:min(historyBatch, len(pending))]
		pending = pending[len(batch):]
		var sel strings.Builder
		vars := map[string]any{"since": since}
		names := []string{}
		for _, t := range batch {
			r := raws[t.i]
			owner, name, _ := strings.Cut(r.canonical, "/")
			s := strconv.Itoa(t.i)
			vars["o"+s], vars["n"+s], vars["h"+s] = owner, name, heads[t.i]
			names = append(names, "o"+s, "n"+s, "h"+s)
			after := "null"
			if t.after != "" {
				vars["a"+s] = t.after
				names = append(names, "a"+s)
				after = "$a" + s
			}
			fmt.Fprintf(&sel, "  h%s: repository(owner: $o%s, name: $n%s) { object(expression: $h%s) { ... on Commit { history(first: 100, since: $since, after: %s) { totalCount pageInfo { hasNextPage endCursor } nodes { committedDate author { name email user { login } } } } } } }\n", s, s, s, s, after)
		}
		q := "query vigieHistory($since: GitTimestamp!, " + varDecls(names) + ") {\n  rateLimit { cost remaining resetAt }\n" + sel.String() + "}"
		resp, err := f.query(ctx, q, vars)
		if err != nil {
			return err
		}
		for _, t := range batch {
			alias := "h" + strconv.Itoa(t.i)
			if errs := resp.errorsFor(alias); len(errs) > 0 {
				failed[t.i] = "history: " + errs[0].Message
				continue
			}
			var h gqlHistory
			if err := json.Unmarshal(resp.Data[alias], &h); err != nil || h.Object == nil {
				failed[t.i] = "history: no commit " + heads[t.i]
				continue
			}
			r := raws[t.i]
			for _, n := range h.Object.History.Nodes {
				login := ""
				if n.Author.User != nil {
					login = n.Author.User.Login
				}
				r.commits = append(r.commits, commit{at: n.CommittedDate, author: authorKey(login, n.Author.Email, n.Author.Name)})
			}
			if pi := h.Object.History.PageInfo; pi.HasNextPage && pi.EndCursor != "" {
				pending = append(pending, todo{i: t.i, after: pi.EndCursor})
			}
		}
	}
	return nil
}

// graphListOrg lists an organisation's or a user's public repositories:
// vigie publishes what it finds, so a token's access to private ones must
// not leak them.
func (f *Forge) graphListOrg(ctx context.Context, org string) ([]crawler.OrgRepo, error) {
	const q = `query vigieOrg($login: String!, $after: String) {
  rateLimit { cost remaining resetAt }
  repositoryOwner(login: $login) {
    repositories(first: 100, after: $after, ownerAffiliations: [OWNER], privacy: PUBLIC, orderBy: {field: NAME, direction: ASC}) {
      pageInfo { hasNextPage endCursor }
      nodes { nameWithOwner isFork isArchived }
    }
  }
}`
	var out []crawler.OrgRepo
	vars := map[string]any{"login": org, "after": nil}
	for {
		resp, err := f.query(ctx, q, vars)
		if err != nil {
			return nil, err
		}
		var owner *struct {
			Repositories struct {
				PageInfo struct {
					HasNextPage bool   `json:"hasNextPage"`
					EndCursor   string `json:"endCursor"`
				} `json:"pageInfo"`
				Nodes []struct {
					NameWithOwner string `json:"nameWithOwner"`
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
		for _, n := range owner.Repositories.Nodes {
			out = append(out, crawler.OrgRepo{Path: n.NameWithOwner, Fork: n.IsFork, Archived: n.IsArchived})
		}
		pi := owner.Repositories.PageInfo
		if !pi.HasNextPage || pi.EndCursor == "" {
			return out, nil
		}
		vars["after"] = pi.EndCursor
	}
}
