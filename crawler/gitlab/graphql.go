package gitlab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/eiglink/vigie/crawler"
	gl "gitlab.com/gitlab-org/api/client-go"
)

// GitLab's GraphQL API answers, for up to 50 projects a call, most of what
// REST needs several calls per project for: the project's settings and
// counts, the default branch's head commit and root listing, the texts of
// the README and licence files, the latest pipelines of the default branch,
// the opened merge request count, the latest release and the languages.
// What it cannot say stays on REST: the licence verdict and readme_url (no
// such fields), and the commits of the activity window (no history
// connection, no count).
//
// Every project of a projects(fullPaths:) call gets the same selection, so
// the arguments that differ per project are batched apart: projects are
// grouped by default branch (pipelines(ref:) and tree(ref:) take it), and
// the file paths asked are the union of the batch's.
//
// An instance whose schema lacks a field of the full query (an older
// GitLab) or refuses its complexity is asked the basic query instead (merge
// requests, releases, languages); one without GraphQL, nothing.

// graphQLBatch is GitLab's limit on projects(fullPaths:).
const graphQLBatch = 50

// GraphQL levels: what the instance was found to answer.
const (
	levelOff   = iota // no usable GraphQL endpoint: REST alone
	levelBasic        // merge requests, releases, languages
	levelFull         // the full query
)

const basicQuery = `query vigieProjects($paths: [String!], $n: Int) {
  projects(fullPaths: $paths, first: $n) {
    nodes {
      fullPath
      mergeRequests(state: opened) { count }
      releases(first: 1, sort: RELEASED_AT_DESC) { nodes { tagName name releasedAt createdAt } }
      languages { name share }
    }
  }
}`

// entriesSelection lists a tree's entries: files, folders and submodules,
// a page of 100 each (a fuller folder is listed through REST).
const entriesSelection = `blobs(first: 100) { pageInfo { hasNextPage } nodes { path } } ` +
	`trees(first: 100) { pageInfo { hasNextPage } nodes { path } } ` +
	`submodules(first: 100) { pageInfo { hasNextPage } nodes { path } }`

// blobsSelection reads files by path: their size and text.
const blobsSelection = `blobs(ref: $ref, paths: $files, first: 20) { nodes { path size rawTextBlob } }`

// optionalFields are the full query's fields an older GitLab may lack:
// without one, the query is asked without it, and what it tells comes from
// REST (a project unchanged since the previous crawl then needs REST too).
var optionalFields = []string{"visibility", "isForked", "ciConfigPathOrDefault", "committedDate"}

const fullQuery = `query vigieProjectsFull($paths: [String!], $n: Int, $ref: String, $files: [String!]!) {
  projects(fullPaths: $paths, first: $n) {
    nodes {
      fullPath webUrl visibility archived description topics starCount createdAt openIssuesCount isForked
      jobsEnabled mergeRequestsEnabled ciConfigPathOrDefault
      mergeRequests(state: opened) { count }
      releases(first: 1, sort: RELEASED_AT_DESC) { nodes { tagName name releasedAt createdAt } }
      languages { name share }
      pipelines(ref: $ref, first: 5) { nodes { id status createdAt updatedAt } }
      repository {
        rootRef empty
        tree(ref: $ref) { lastCommit { sha committedDate } ` + entriesSelection + ` }
        ` + blobsSelection + `
      }
    }
  }
}`

// filesQuery asks, after the full query, the folders (dirs, as aliases
// d0, d1...) and files its answer showed were needed.
func filesQuery(dirs []string, withBlobs bool) string {
	var b strings.Builder
	// GraphQL refuses a query declaring a variable it does not use.
	files := ""
	if withBlobs {
		files = ", $files: [String!]!"
	}
	fmt.Fprintf(&b, "query vigieFiles($paths: [String!], $n: Int, $ref: String%s) {\n  projects(fullPaths: $paths, first: $n) {\n    nodes {\n      fullPath\n      repository {\n", files)
	for i, d := range dirs {
		rec := ""
		if strings.EqualFold(d, ".github") {
			rec = ", recursive: true"
		}
		fmt.Fprintf(&b, "        d%d: tree(ref: $ref, path: %s%s) { %s }\n", i, strconv.Quote(d), rec, entriesSelection)
	}
	if withBlobs {
		b.WriteString("        " + blobsSelection + "\n")
	}
	b.WriteString("      }\n    }\n  }\n}")
	return b.String()
}

// gqlProject is one project of an answer. Nil fields and connections mean
// the feature is off or hidden from us, or the basic query was asked.
type gqlProject struct {
	FullPath              string     `json:"fullPath"`
	WebURL                string     `json:"webUrl"`
	Visibility            *string    `json:"visibility"`
	Archived              *bool      `json:"archived"`
	Description           *string    `json:"description"`
	Topics                []string   `json:"topics"`
	StarCount             *int       `json:"starCount"`
	CreatedAt             *time.Time `json:"createdAt"`
	OpenIssuesCount       *int       `json:"openIssuesCount"`
	IsForked              *bool      `json:"isForked"`
	JobsEnabled           *bool      `json:"jobsEnabled"`
	MergeRequestsEnabled  *bool      `json:"mergeRequestsEnabled"`
	CIConfigPathOrDefault *string    `json:"ciConfigPathOrDefault"`
	MergeRequests         *struct {
		Count int `json:"count"`
	} `json:"mergeRequests"`
	Releases *struct {
		Nodes []struct {
			TagName    string     `json:"tagName"`
			Name       string     `json:"name"`
			ReleasedAt *time.Time `json:"releasedAt"`
			CreatedAt  *time.Time `json:"createdAt"`
		} `json:"nodes"`
	} `json:"releases"`
	Languages []struct {
		Name  string  `json:"name"`
		Share float64 `json:"share"`
	} `json:"languages"`
	Pipelines *struct {
		Nodes []struct {
			ID        string     `json:"id"`
			Status    string     `json:"status"`
			CreatedAt *time.Time `json:"createdAt"`
			UpdatedAt *time.Time `json:"updatedAt"`
		} `json:"nodes"`
	} `json:"pipelines"`
	Repository *gqlRepo `json:"repository"`

	// full: the answer is to the full query; ref: the branch it was asked
	// for; partial: an error bore on it (its nulls may be errors). dirs
	// and blobs: what the files query added.
	full    bool
	partial bool
	ref     string
	dirs    map[string]*gqlTree
	blobs   []gqlBlob
}

type gqlRepo struct {
	RootRef *string   `json:"rootRef"`
	Empty   bool      `json:"empty"`
	Tree    *gqlTree  `json:"tree"`
	Blobs   *gqlBlobs `json:"blobs"`
}

type gqlTree struct {
	LastCommit *struct {
		SHA           string     `json:"sha"`
		CommittedDate *time.Time `json:"committedDate"`
	} `json:"lastCommit"`
	Blobs      *gqlEntries `json:"blobs"`
	Trees      *gqlEntries `json:"trees"`
	Submodules *gqlEntries `json:"submodules"`
}

type gqlEntries struct {
	PageInfo struct {
		HasNextPage bool `json:"hasNextPage"`
	} `json:"pageInfo"`
	Nodes []struct {
		Path string `json:"path"`
	} `json:"nodes"`
}

type gqlBlobs struct {
	Nodes []gqlBlob `json:"nodes"`
}

type gqlBlob struct {
	Path string `json:"path"`
	// Size is a BigInt, which GitLab sends as a string.
	Size        json.RawMessage `json:"size"`
	RawTextBlob *string         `json:"rawTextBlob"`
}

// size reads the blob's size, -1 when it says none.
func (b gqlBlob) size() int64 {
	s := strings.Trim(string(b.Size), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// validFor tells whether a full answer describes the default branch
// branch: asked for it, and GitLab's root ref is it.
func (p *gqlProject) validFor(branch string) bool {
	return p != nil && p.full && branch != "" && p.ref == branch && p.Repository != nil &&
		!p.Repository.Empty && p.Repository.RootRef != nil && *p.Repository.RootRef == branch
}

// head is the default branch's newest commit, nil when not answered.
func (p *gqlProject) head() (sha string, at *time.Time, ok bool) {
	if p == nil || p.Repository == nil || p.Repository.Tree == nil || p.Repository.Tree.LastCommit == nil || p.Repository.Tree.LastCommit.SHA == "" {
		return "", nil, false
	}
	lc := p.Repository.Tree.LastCommit
	return lc.SHA, lc.CommittedDate, true
}

// blob returns a file's first max bytes and size when an answer holds its
// whole text (or at least max bytes of it).
func (p *gqlProject) blob(path string, max int) ([]byte, int64, bool) {
	var all []gqlBlob
	if p.Repository != nil && p.Repository.Blobs != nil {
		all = p.Repository.Blobs.Nodes
	}
	all = append(all, p.blobs...)
	for _, b := range all {
		if b.Path != path || b.RawTextBlob == nil {
			continue
		}
		n, text := b.size(), *b.RawTextBlob
		// A text GitLab re-encoded or cut short is read through REST.
		if n < 0 || int64(len(text)) != n && len(text) < max {
			return nil, 0, false
		}
		return []byte(text[:min(len(text), max)]), n, true
	}
	return nil, 0, false
}

// entries lists a tree answer's entries, false when it is missing or
// longer than one page.
func (t *gqlTree) entries() ([]treeEntry, bool) {
	if t == nil || t.Blobs == nil || t.Trees == nil || t.Submodules == nil {
		return nil, false
	}
	var out []treeEntry
	for _, c := range []struct {
		e   *gqlEntries
		typ string
	}{{t.Blobs, "blob"}, {t.Trees, "tree"}, {t.Submodules, "commit"}} {
		if c.e.PageInfo.HasNextPage {
			return nil, false
		}
		for _, n := range c.e.Nodes {
			out = append(out, treeEntry{Path: n.Path, Type: c.typ})
		}
	}
	return out, true
}

type gqlResponse struct {
	Data *struct {
		Projects *struct {
			Nodes []json.RawMessage `json:"nodes"`
		} `json:"projects"`
	} `json:"data"`
	Errors []struct {
		Message string `json:"message"`
		Path    []any  `json:"path"`
	} `json:"errors"`
}

// erroredNodes returns the indices of the projects' nodes the errors point
// at; ok is false when an error points at none (the whole answer is then
// in doubt).
func (r *gqlResponse) erroredNodes() (map[int]bool, bool) {
	out := map[int]bool{}
	for _, e := range r.Errors {
		if len(e.Path) < 3 || e.Path[0] != "projects" || e.Path[1] != "nodes" {
			return nil, false
		}
		i, isNum := e.Path[2].(float64)
		if !isNum {
			return nil, false
		}
		out[int(i)] = true
	}
	return out, true
}

// errGraphQLUnusable marks an answer that will not change on retry: no
// GraphQL endpoint (404), or a schema without the fields asked (an older
// instance), or a query over the instance's complexity limit.
var errGraphQLUnusable = errors.New("GraphQL API unusable")

// errGraphQLSchema marks a query the instance refuses as written: a field
// it does not know, or too complex. A simpler query may still work.
var errGraphQLSchema = errors.New("GraphQL query refused")

// gqlAsk is one project to ask: its path, its default branch, and the
// files whose text may be needed.
type gqlAsk struct {
	path  string
	ref   string
	files []string
}

// licenceNames are the licence file names asked for every project, so the
// common cases need no second read.
var licenceNames = []string{"LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "LICENCE.md", "LICENCE.txt", "COPYING"}

// gqlAnswers are the answers of GraphQL calls by lower-case full path,
// and the paths asked in calls that succeeded (a path asked but not
// answered names no project the token can see).
type gqlAnswers struct {
	projects map[string]*gqlProject
	asked    map[string]bool
}

// absent tells whether a successful call asked for path and got nothing.
func (a gqlAnswers) absent(path string) bool {
	k := strings.ToLower(path)
	return a.asked[k] && a.projects[k] == nil
}

// graphQLProjects asks the facts of the projects in batches of at most 50
// sharing a default branch ("" unknown). It returns what it got; a failed
// batch leaves its projects out (REST then asks for them).
func (f *Forge) graphQLProjects(ctx context.Context, asks []gqlAsk) gqlAnswers {
	out := gqlAnswers{projects: map[string]*gqlProject{}, asked: map[string]bool{}}
	if f.level.Load() == levelOff || len(asks) == 0 {
		return out
	}
	c := call{f: f, cl: f.client}
	for _, group := range groupAsks(asks) {
		for start := 0; start < len(group); {
			n := f.batchSize()
			f.askBatch(ctx, c, group[start:min(start+n, len(group))], out)
			start += n
		}
	}
	return out
}

// batchSize is the number of projects a query asks: GitLab's limit,
// less after a batch that size failed.
func (f *Forge) batchSize() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.batch <= 0 || f.batch > graphQLBatch {
		return graphQLBatch
	}
	return f.batch
}

// minSplit is the smallest batch a failed one is split into.
const minSplit = 10

// askBatch asks one batch of projects sharing a default branch, at the
// level the instance answers. A batch that fails for a reason that may
// not come back (a timeout: 50 projects' trees and texts take GitLab a
// while) is asked again in halves, down to minSplit projects; what still
// fails is left to REST.
func (f *Forge) askBatch(ctx context.Context, c call, batch []gqlAsk, out gqlAnswers) {
	paths := make([]string, len(batch))
	files := append([]string(nil), licenceNames...)
	for i, a := range batch {
		paths[i] = a.path
		files = append(files, a.files...)
	}
	files = mostAsked(files, maxFiles)
	ref := batch[0].ref
	for {
		level := f.level.Load()
		if level == levelOff || ctx.Err() != nil {
			return
		}
		query, vars := basicQuery, map[string]any{"paths": paths, "n": len(paths)}
		if level == levelFull {
			query = f.fullQuery()
			vars["ref"], vars["files"] = ref, files
			if ref == "" {
				// The default branch, whichever it is: a variable left out
				// leaves the arguments it feeds at their defaults (HEAD),
				// where an explicit null would not.
				delete(vars, "ref")
			}
		}
		nodes, bad, err := f.graphQLBatch(ctx, c, query, vars)
		if err == nil {
			for i, raw := range nodes {
				gp := &gqlProject{}
				if json.Unmarshal(raw, gp) != nil || gp.FullPath == "" {
					continue
				}
				gp.full, gp.ref, gp.partial = level == levelFull, ref, bad[i]
				out.projects[strings.ToLower(gp.FullPath)] = gp
			}
			for _, p := range paths {
				out.asked[strings.ToLower(p)] = true
			}
			return
		}
		if f.downgrade(level, err) {
			continue
		}
		if !errors.Is(err, errGraphQLUnusable) && !errors.Is(err, errGraphQLSchema) && len(batch) >= 2*minSplit {
			half := len(batch) / 2
			// The next batches start at that size.
			f.mu.Lock()
			f.batch = min(f.batch, half)
			f.mu.Unlock()
			f.askBatch(ctx, c, batch[:half], out)
			f.askBatch(ctx, c, batch[half:], out)
		}
		return
	}
}

// fullQuery is the full query without the optional fields the instance
// showed it lacks.
func (f *Forge) fullQuery() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := fullQuery
	for field := range f.dropped {
		q = strings.Replace(q, " "+field, "", 1)
	}
	return q
}

// missingField reads the field a schema error names ("Field 'x' doesn't
// exist on type 'Project'"), "" when there is none.
func missingField(err error) string {
	m := err.Error()
	const pre = "Field '"
	i := strings.Index(m, pre)
	if i < 0 || !strings.Contains(m[i:], "' doesn't exist") {
		return ""
	}
	rest := m[i+len(pre):]
	return rest[:strings.Index(rest, "'")]
}

// downgrade lowers the GraphQL level after an error that will come back,
// and says whether to ask again at the new level.
func (f *Forge) downgrade(level int32, err error) bool {
	if field := missingField(err); level == levelFull && errors.Is(err, errGraphQLSchema) && contains(optionalFields, field) {
		f.mu.Lock()
		again := !f.dropped[field]
		f.dropped[field] = true
		f.mu.Unlock()
		if again {
			f.log.Info("GitLab GraphQL API lacks a field, asking without it", "field", field)
			return true
		}
	}
	switch {
	case errors.Is(err, errGraphQLSchema) && level == levelFull:
		f.level.CompareAndSwap(levelFull, levelBasic)
		f.log.Info("GitLab GraphQL API refuses the full query, using the basic one", "err", err)
		return true
	case errors.Is(err, errGraphQLUnusable) || errors.Is(err, errGraphQLSchema):
		f.level.Store(levelOff)
		f.log.Info("GitLab GraphQL API not usable, using REST only", "err", err)
		return false
	}
	f.log.Warn("GraphQL batch failed", "err", err)
	return false
}

// groupAsks groups the asks by default branch, in a stable order. Asks
// on whatever branch ("") join the largest group: their answers are read
// for the project alone.
func groupAsks(asks []gqlAsk) [][]gqlAsk {
	by := map[string][]gqlAsk{}
	var refs []string
	for _, a := range asks {
		if _, ok := by[a.ref]; !ok {
			refs = append(refs, a.ref)
		}
		by[a.ref] = append(by[a.ref], a)
	}
	sort.Strings(refs)
	if loose := by[""]; len(loose) > 0 && len(refs) > 1 {
		largest := ""
		for _, r := range refs {
			if r != "" && (largest == "" || len(by[r]) > len(by[largest])) {
				largest = r
			}
		}
		for i := range loose {
			loose[i].ref = largest
		}
		by[largest] = append(by[largest], loose...)
		delete(by, "")
		refs = refs[1:] // "" sorts first
	}
	out := make([][]gqlAsk, 0, len(refs))
	for _, r := range refs {
		out = append(out, by[r])
	}
	return out
}

func uniq(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// filesAsk is one project whose full answer needs folders listed or files
// read: its answer, and what it needs.
type filesAsk struct {
	gp    *gqlProject
	dirs  []string
	files []string
}

// graphQLFiles asks, in batches sharing a default branch, the folders and
// files the full answers showed were needed, and adds them to the answers.
// What it cannot get is left to REST.
func (f *Forge) graphQLFiles(ctx context.Context, asks []filesAsk) {
	if f.level.Load() != levelFull || len(asks) == 0 {
		return
	}
	c := call{f: f, cl: f.client}
	by := map[string][]filesAsk{}
	var refs []string
	for _, a := range asks {
		if _, ok := by[a.gp.ref]; !ok {
			refs = append(refs, a.gp.ref)
		}
		by[a.gp.ref] = append(by[a.gp.ref], a)
	}
	sort.Strings(refs)
	for _, ref := range refs {
		group := by[ref]
		for start := 0; start < len(group); start += graphQLBatch {
			batch := group[start:min(start+graphQLBatch, len(group))]
			var paths, dirs, files []string
			byPath := map[string]*gqlProject{}
			for _, a := range batch {
				paths = append(paths, a.gp.FullPath)
				byPath[strings.ToLower(a.gp.FullPath)] = a.gp
				dirs = append(dirs, a.dirs...)
				files = append(files, a.files...)
			}
			dirs, files = uniq(dirs), mostAsked(files, maxFiles)
			sort.Strings(dirs)
			// A few folders a call keep the query's complexity well under
			// GitLab's limit; the files ride with the first.
			for chunk := 0; chunk == 0 || chunk*maxDirs < len(dirs); chunk++ {
				part := dirs[min(chunk*maxDirs, len(dirs)):min((chunk+1)*maxDirs, len(dirs))]
				f.graphQLFilesCall(ctx, c, paths, ref, part, files, byPath)
				files = nil
			}
		}
	}
}

// maxDirs and maxFiles bound the folders and file paths of one call.
const (
	maxDirs  = 3
	maxFiles = 16
)

// mostAsked returns the distinct paths of list, the most asked first (the
// licence names always), at most n.
func mostAsked(list []string, n int) []string {
	count := map[string]int{}
	for _, s := range list {
		count[s]++
	}
	out := uniq(list)
	sort.SliceStable(out, func(i, j int) bool {
		li, lj := contains(licenceNames, out[i]), contains(licenceNames, out[j])
		if li != lj {
			return li
		}
		return count[out[i]] > count[out[j]]
	})
	return out[:min(n, len(out))]
}

// graphQLFilesCall asks one files query and adds its answers to byPath's.
func (f *Forge) graphQLFilesCall(ctx context.Context, c call, paths []string, ref string, dirs, files []string, byPath map[string]*gqlProject) {
	if len(dirs) == 0 && len(files) == 0 {
		return
	}
	vars := map[string]any{"paths": paths, "n": len(paths), "ref": ref}
	if len(files) > 0 {
		vars["files"] = files
	}
	nodes, _, err := f.graphQLBatch(ctx, c, filesQuery(dirs, len(files) > 0), vars)
	if err != nil {
		f.log.Warn("GraphQL files batch failed, using REST for it", "err", err)
		return
	}
	for _, raw := range nodes {
		var n struct {
			FullPath   string                     `json:"fullPath"`
			Repository map[string]json.RawMessage `json:"repository"`
		}
		if json.Unmarshal(raw, &n) != nil {
			continue
		}
		gp := byPath[strings.ToLower(n.FullPath)]
		if gp == nil || n.Repository == nil {
			continue
		}
		for i, d := range dirs {
			var t *gqlTree
			if json.Unmarshal(n.Repository["d"+strconv.Itoa(i)], &t) == nil && t != nil {
				if gp.dirs == nil {
					gp.dirs = map[string]*gqlTree{}
				}
				gp.dirs[d] = t
			}
		}
		var bl *gqlBlobs
		if json.Unmarshal(n.Repository["blobs"], &bl) == nil && bl != nil {
			gp.blobs = append(gp.blobs, bl.Nodes...)
		}
	}
}

// graphQLBatch sends one query and returns the projects' nodes.
// The second result holds the indices of nodes an error bore on.
func (f *Forge) graphQLBatch(ctx context.Context, c call, query string, vars map[string]any) ([]json.RawMessage, map[int]bool, error) {
	// The endpoint is INSTANCE_ROOT/api/graphql, beside /api/v4 (with the
	// instance's path prefix, which the client's own GraphQL helper drops).
	u := c.cl.BaseURL()
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.Path = strings.TrimSuffix(u.Path, "/v4") + "/graphql"
	u.RawPath = ""
	body := gl.GraphQLQuery{Query: query, Variables: vars}
	req, err := c.cl.NewRequestToURL(http.MethodPost, u, body, []gl.RequestOptionFunc{gl.WithContext(ctx)})
	if err != nil {
		return nil, nil, fmt.Errorf("gitlab: POST %s: %w", u.Redacted(), err)
	}
	var resp gqlResponse
	r, err := c.cl.Do(req, &resp)
	if err != nil {
		st := statusOf(r)
		if errors.Is(err, gl.ErrNotFound) || st == http.StatusNotFound || st == http.StatusMethodNotAllowed || st == http.StatusBadRequest {
			return nil, nil, fmt.Errorf("gitlab: POST %s: %d: %w", u.Redacted(), st, errGraphQLUnusable)
		}
		return nil, nil, fmt.Errorf("gitlab: POST %s: %w", u.Redacted(), err)
	}
	if bad, ok := resp.erroredNodes(); len(resp.Errors) > 0 && ok && resp.Data != nil && resp.Data.Projects != nil {
		// Errors on some projects (a timeout, a size limit): the others'
		// answers stand; those projects' answers hold nulls where the
		// errors were, and are marked partial.
		f.log.Warn("GraphQL errors on some projects, using REST for what they lack", "projects", len(bad), "err", resp.Errors[0].Message)
		return resp.Data.Projects.Nodes, bad, nil
	}
	if len(resp.Errors) > 0 {
		msgs := make([]string, len(resp.Errors))
		for i, e := range resp.Errors {
			msgs[i] = e.Message
		}
		all := strings.Join(msgs, "; ")
		// A schema error or a complexity refusal will come back on every
		// call; anything else (a timeout) may not.
		for _, s := range []string{"doesn't exist", "Unknown argument", "isn't supported", "Unknown type", "complexity", "depth"} {
			if strings.Contains(all, s) {
				return nil, nil, fmt.Errorf("gitlab: POST %s: %s: %w", u.Redacted(), all, errGraphQLSchema)
			}
		}
		return nil, nil, fmt.Errorf("gitlab: POST %s: %s", u.Redacted(), all)
	}
	if resp.Data == nil || resp.Data.Projects == nil {
		return nil, nil, fmt.Errorf("gitlab: POST %s: no projects in the answer: %w", u.Redacted(), errGraphQLUnusable)
	}
	return resp.Data.Projects.Nodes, nil, nil
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
