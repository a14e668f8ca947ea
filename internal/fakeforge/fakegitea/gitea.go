// Package fakegitea is an in-process Gitea (or Forgejo) for tests, the
// benchmark and `vigie serve --demo`: it serves the part of Gitea's REST API
// (/api/v1) vigie reads from the forge-neutral fakeforge.Repo model, shaped
// like the real one: 307 from a renamed repository's old path, 409 on the
// commits of an empty repository, pages cut at the instance's
// MAX_RESPONSE_ITEMS with X-Total-Count, X-HasMore and Link headers, raw
// files with their blob SHA as ETag (304 honoured), no ETag on JSON, the
// licence verdict only as Gitea 1.23 and later give it, and a version string
// written Gitea's or Forgejo's way.
package fakegitea

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eiglink/vigie/internal/fakeforge"
)

// Options shape the instance.
type Options struct {
	// Version is what GET /version answers: "1.23.4" (Gitea, the default),
	// "11.0.3+gitea-1.22.0" (Forgejo). Forgejo, and Gitea before 1.23, have
	// no licence verdict; only Gitea 1.24 and later serve /actions/runs
	// (older ones /actions/tasks).
	Version string
	// MaxResponseItems caps every page (Gitea's MAX_RESPONSE_ITEMS, default
	// 50); commits are capped at 50 too (Git.CommitsRangeSize).
	MaxResponseItems int
	// RootURL is the instance's public address (Gitea's ROOT_URL), which
	// every html_url starts with: https://codeberg.org behind the demo,
	// where the API is reached on a loopback port. Default: the address
	// the request came to.
	RootURL string
}

// Extra holds what only a Gitea says about a repository.
type Extra struct {
	// Mirror marks a pull mirror.
	Mirror bool
	// ActionsDisabled turns the Actions unit off.
	ActionsDisabled bool
}

// Gitea serves Gitea's API from repos. It is an http.Handler.
type Gitea struct {
	o       Options
	forgejo bool
	compat  [2]int // Gitea (compatible) major, minor

	mu     sync.Mutex
	repos  []*repo
	byPath map[string]*repo // lower-case current and old paths
	users  map[string]bool  // user-owned owners
	count  map[string]int
	total  int
}

type repo struct {
	fakeforge.Repo
	id    int64
	extra Extra
	// trees maps a tree SHA to its folder ("" the root).
	trees map[string]string
}

// New builds a fake Gitea serving repos, ids from 1 in order.
func New(repos []fakeforge.Repo, o Options) *Gitea {
	if o.Version == "" {
		o.Version = "1.23.4"
	}
	if o.MaxResponseItems <= 0 {
		o.MaxResponseItems = 50
	}
	g := &Gitea{o: o, byPath: map[string]*repo{}, users: map[string]bool{}, count: map[string]int{}}
	ver := o.Version
	if _, compat, ok := strings.Cut(ver, "+gitea-"); ok {
		g.forgejo, ver = true, compat
	}
	parts := strings.SplitN(ver, ".", 3)
	if len(parts) >= 2 {
		g.compat[0], _ = strconv.Atoi(parts[0])
		g.compat[1], _ = strconv.Atoi(parts[1])
	}
	for i, r := range repos {
		r.FillSHAs()
		p := &repo{Repo: r, id: int64(i + 1), trees: map[string]string{}}
		for _, d := range p.dirs() {
			p.trees[p.treeSHA(d)] = d
		}
		g.repos = append(g.repos, p)
		g.byPath[strings.ToLower(r.Path)] = p
		if r.UserOwned {
			g.users[strings.ToLower(owner(r.Path))] = true
		}
	}
	for _, p := range g.repos {
		for _, old := range p.OldPaths {
			if _, taken := g.byPath[strings.ToLower(old)]; !taken {
				g.byPath[strings.ToLower(old)] = p
			}
		}
	}
	return g
}

// SetExtra sets the Gitea-only facts of the repository at path.
func (g *Gitea) SetExtra(p string, x Extra) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r := g.byPath[strings.ToLower(p)]; r != nil {
		r.extra = x
	}
}

// Requests returns how many API requests the fake answered.
func (g *Gitea) Requests() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.total
}

// PathCounts returns the requests per route ("GET repos/{o}/{r}/commits").
func (g *Gitea) PathCounts() map[string]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return maps.Clone(g.count)
}

// ResetCounts sets the counters back to zero.
func (g *Gitea) ResetCounts() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.total, g.count = 0, map[string]int{}
}

func owner(p string) string { o, _, _ := strings.Cut(p, "/"); return o }

func sha(parts ...string) string {
	h := sha1.Sum([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:])
}

// dirs lists every folder of the repository, the root ("") first.
func (p *repo) dirs() []string {
	seen := map[string]bool{"": true}
	out := []string{""}
	for f := range p.all() {
		for d := path.Dir(f); d != "." && !seen[d]; d = path.Dir(d) {
			seen[d] = true
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}

// all maps every file to its size.
func (p *repo) all() map[string]int64 {
	out := map[string]int64{}
	for f, c := range p.Files {
		out[strings.Trim(f, "/")] = int64(len(c))
	}
	for f, n := range p.Sizes {
		out[strings.Trim(f, "/")] = n
	}
	return out
}

// treeSHA names a folder's tree at the head commit.
func (p *repo) treeSHA(dir string) string {
	head := ""
	if len(p.Commits) > 0 {
		head = p.Commits[0].SHA
	}
	if dir == "" && head != "" {
		return head // a commit SHA names its root tree in Gitea's trees route
	}
	return sha("tree", p.Path, head, dir)
}

func blobSHA(content string) string { return sha("blob", content) }

// route names a request for counting, its variable parts replaced.
func route(method string, segs []string) string {
	out := slicesClone(segs)
	if len(out) >= 3 && out[0] == "repos" {
		out[1], out[2] = "{o}", "{r}"
		if len(out) >= 5 && (out[3] == "raw" || out[3] == "contents") {
			out = append(out[:4], "{path}")
		}
		if len(out) == 6 && out[3] == "git" && out[4] == "trees" {
			out[5] = "{sha}"
		}
		if len(out) == 6 && out[3] == "commits" && out[5] == "status" {
			out[4] = "{ref}"
		}
	}
	if len(out) == 3 && (out[0] == "orgs" || out[0] == "users") {
		out[1] = "{name}"
	}
	return method + " " + strings.Join(out, "/")
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// ServeHTTP answers /api/v1/... (below any path prefix).
func (g *Gitea) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	esc := r.URL.EscapedPath()
	i := strings.Index(esc, "/api/v1/")
	if i < 0 {
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "not found"})
		return
	}
	prefix := esc[:i]
	var segs []string
	for _, s := range strings.Split(strings.Trim(esc[i+len("/api/v1/"):], "/"), "/") {
		u, err := url.PathUnescape(s)
		if err != nil {
			u = s
		}
		segs = append(segs, u)
	}
	g.mu.Lock()
	g.total++
	g.count[route(r.Method, segs)]++
	g.mu.Unlock()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"message": "method not allowed"})
		return
	}
	authed := strings.HasPrefix(r.Header.Get("Authorization"), "token ") || strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ")
	q := req{g: g, w: w, r: r, prefix: prefix, segs: segs, authed: authed}
	switch {
	case len(segs) == 1 && segs[0] == "version":
		writeJSON(w, http.StatusOK, map[string]any{"version": g.o.Version})
	case len(segs) == 2 && segs[0] == "settings" && segs[1] == "api":
		writeJSON(w, http.StatusOK, map[string]any{
			"max_response_items": g.o.MaxResponseItems, "default_paging_num": min(30, g.o.MaxResponseItems),
			"default_git_trees_per_page": 1000, "default_max_blob_size": 10485760,
		})
	case len(segs) >= 3 && segs[0] == "repos":
		q.repo()
	case len(segs) == 3 && segs[0] == "orgs" && segs[2] == "repos":
		q.list(segs[1], false)
	case len(segs) == 3 && segs[0] == "users" && segs[2] == "repos":
		q.list(segs[1], true)
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "not found"})
	}
}

type req struct {
	g      *Gitea
	w      http.ResponseWriter
	r      *http.Request
	prefix string
	segs   []string
	authed bool
}

// web is where the instance's pages are: its ROOT_URL.
func (q req) web() string {
	if q.g.o.RootURL != "" {
		return strings.TrimSuffix(q.g.o.RootURL, "/")
	}
	return q.base()
}

func (q req) base() string {
	scheme := "http"
	if q.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + q.r.Host + q.prefix
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}

func notFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, map[string]any{"errors": []string{}, "message": "The target couldn't be found.", "url": "https://docs.gitea.com/api"})
}

// visible reports whether the requester may see p: a private or internal
// repository answers 404 to anonymous requests, and a token (taken to be a
// member's, or a signed-in user's) sees it, "private" or "internal" said.
func (q req) visible(p *repo) bool {
	return p.Public() || q.authed
}

// page cuts one page out of n items as Gitea does: limit capped at max,
// X-Total-Count, Link (next, last) and, with hasMore, X-HasMore.
func (q req) page(n, maxItems int, hasMore bool) (from, to int) {
	v := q.r.URL.Query()
	limit, err := strconv.Atoi(v.Get("limit"))
	if err != nil || limit <= 0 {
		limit, _ = strconv.Atoi(v.Get("per_page"))
	}
	if limit <= 0 {
		limit = min(30, maxItems)
	}
	limit = min(limit, maxItems)
	pg, err := strconv.Atoi(v.Get("page"))
	if err != nil || pg <= 0 {
		pg = 1
	}
	from = min((pg-1)*limit, n)
	to = min(from+limit, n)
	h := q.w.Header()
	h.Set("X-Total-Count", strconv.Itoa(n))
	h.Set("Access-Control-Expose-Headers", "X-Total-Count, Link")
	last := max(1, (n+limit-1)/limit)
	var links []string
	link := func(p int, rel string) {
		u := *q.r.URL
		vals := u.Query()
		vals.Set("page", strconv.Itoa(p))
		vals.Set("limit", strconv.Itoa(limit))
		u.RawQuery = vals.Encode()
		links = append(links, fmt.Sprintf(`<%s%s>; rel="%s"`, q.base(), u.RequestURI()[len(q.prefix):], rel))
	}
	if pg < last {
		link(pg+1, "next")
		link(last, "last")
	}
	if pg > 1 {
		link(1, "first")
		link(pg-1, "prev")
	}
	if len(links) > 0 {
		h.Set("Link", strings.Join(links, ","))
	}
	if hasMore {
		h.Set("X-HasMore", strconv.FormatBool(to < n))
	}
	return from, to
}

func (q req) repo() {
	g := q.g
	full := q.segs[1] + "/" + q.segs[2]
	g.mu.Lock()
	p := g.byPath[strings.ToLower(full)]
	g.mu.Unlock()
	if p == nil || !q.visible(p) {
		notFound(q.w)
		return
	}
	if !strings.EqualFold(p.Path, full) {
		// Gitea's API redirects a renamed or transferred repository's old
		// path to the new one, the rest of the URL kept.
		loc := q.base() + "/api/v1/repos/" + p.Path
		if rest := q.segs[3:]; len(rest) > 0 {
			loc += "/" + strings.Join(rest, "/")
		}
		if q.r.URL.RawQuery != "" {
			loc += "?" + q.r.URL.RawQuery
		}
		http.Redirect(q.w, q.r, loc, http.StatusTemporaryRedirect)
		return
	}
	rest := q.segs[3:]
	switch {
	case len(rest) == 0:
		writeJSON(q.w, http.StatusOK, q.repoJSON(p))
	case len(rest) == 1 && rest[0] == "commits":
		q.commits(p)
	case len(rest) == 3 && rest[0] == "commits" && rest[2] == "status":
		q.status(p, rest[1])
	case len(rest) == 3 && rest[0] == "git" && rest[1] == "trees":
		q.tree(p, rest[2])
	case len(rest) >= 1 && rest[0] == "contents":
		q.contents(p, strings.Join(rest[1:], "/"))
	case len(rest) >= 2 && rest[0] == "raw":
		q.raw(p, strings.Join(rest[1:], "/"))
	case len(rest) == 2 && rest[0] == "releases" && rest[1] == "latest":
		q.latestRelease(p)
	case len(rest) == 2 && rest[0] == "actions" && (rest[1] == "runs" || rest[1] == "tasks"):
		q.actions(p, rest[1])
	default:
		notFound(q.w)
	}
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (q req) repoJSON(p *repo) map[string]any {
	g := q.g
	web := q.web() + "/" + p.Path
	name := path.Base(p.Path)
	m := map[string]any{
		"id": p.id, "name": name, "full_name": p.Path,
		"owner":       map[string]any{"id": p.id + 1000, "login": owner(p.Path), "username": owner(p.Path)},
		"description": p.Description, "website": p.Homepage,
		"empty": p.DefaultBranch == "" || len(p.Commits) == 0, "private": p.Private, "internal": p.Internal,
		"fork": p.Fork, "template": p.Template, "mirror": p.extra.Mirror, "archived": p.Archived,
		"size": 1024, "language": p.Language, "languages_url": q.base() + "/api/v1/repos/" + p.Path + "/languages",
		"html_url": web, "url": q.base() + "/api/v1/repos/" + p.Path, "link": "",
		"ssh_url": "git@" + q.r.Host + ":" + p.Path + ".git", "clone_url": web + ".git", "original_url": "",
		"stars_count": p.Stars, "forks_count": p.Forks, "watchers_count": p.Watchers,
		"open_issues_count": p.OpenIssues, "open_pr_counter": p.OpenPullRequests, "release_counter": len(p.Releases),
		"default_branch": p.DefaultBranch, "topics": nonNil(p.Topics),
		"created_at": ts(p.CreatedAt), "updated_at": ts(p.CreatedAt),
		"has_issues": true, "has_wiki": true, "has_pull_requests": true, "has_projects": true,
		"has_releases": true, "has_packages": true, "has_actions": !p.extra.ActionsDisabled,
		"internal_tracker":   map[string]any{"enable_time_tracker": true},
		"permissions":        map[string]any{"admin": false, "push": false, "pull": true},
		"object_format_name": "sha1", "avatar_url": "",
	}
	if p.Fork {
		m["parent"] = map[string]any{"full_name": "upstream/" + name}
	} else {
		m["parent"] = nil
	}
	if p.Archived {
		m["archived_at"] = ts(p.CreatedAt.Add(24 * time.Hour))
	}
	if len(p.Commits) > 0 {
		m["updated_at"] = ts(p.Commits[0].Date)
	}
	// Gitea 1.23 added its licence detection; Forgejo has none.
	if !g.forgejo && (g.compat[0] > 1 || g.compat[1] >= 23) {
		var ids []string
		if p.License != "" && p.License != "NOASSERTION" {
			ids = append(ids, p.License)
		}
		m["licenses"] = nonNil(ids)
	}
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (q req) commits(p *repo) {
	if len(p.Commits) == 0 || p.DefaultBranch == "" {
		writeJSON(q.w, http.StatusConflict, map[string]any{"message": "Git Repository is empty.", "url": "https://docs.gitea.com/api"})
		return
	}
	if ref := q.r.URL.Query().Get("sha"); ref != "" && ref != p.DefaultBranch && ref != p.Commits[0].SHA {
		notFound(q.w)
		return
	}
	// Gitea caps commits at Git.CommitsRangeSize (50) and the instance's
	// MAX_RESPONSE_ITEMS.
	from, to := q.page(len(p.Commits), min(50, q.g.o.MaxResponseItems), true)
	out := []map[string]any{}
	for _, c := range p.Commits[from:to] {
		authored := c.AuthoredAt
		if authored.IsZero() {
			authored = c.Date
		}
		item := map[string]any{
			"url": q.base() + "/api/v1/repos/" + p.Path + "/git/commits/" + c.SHA, "sha": c.SHA,
			"created":  ts(c.Date),
			"html_url": q.web() + "/" + p.Path + "/commit/" + c.SHA,
			"commit": map[string]any{
				"url":       q.base() + "/api/v1/repos/" + p.Path + "/git/commits/" + c.SHA,
				"author":    map[string]any{"name": c.AuthorName, "email": c.AuthorEmail, "date": ts(authored)},
				"committer": map[string]any{"name": c.AuthorName, "email": c.AuthorEmail, "date": ts(c.Date)},
				"message":   c.Message, "tree": map[string]any{"sha": p.treeSHA("")},
			},
			"author": nil, "committer": nil, "parents": []any{},
		}
		if c.Login != "" {
			item["author"] = map[string]any{"id": 1, "login": c.Login, "email": c.AuthorEmail}
			item["committer"] = item["author"]
		}
		out = append(out, item)
	}
	writeJSON(q.w, http.StatusOK, out)
}

func (q req) tree(p *repo, shaArg string) {
	dir, ok := p.trees[shaArg]
	if !ok && shaArg == p.DefaultBranch {
		dir, ok = "", true
	}
	if !ok {
		writeJSON(q.w, http.StatusBadRequest, map[string]any{"message": "sha not found"})
		return
	}
	all := p.all()
	recursive := q.r.URL.Query().Get("recursive") == "true"
	type entry struct {
		name  string
		isDir bool
		size  int64
	}
	seen := map[string]bool{}
	var entries []entry
	for f, size := range all {
		rel := f
		if dir != "" {
			var in bool
			rel, in = strings.CutPrefix(f, dir+"/")
			if !in {
				continue
			}
		}
		parts := strings.Split(rel, "/")
		if !recursive {
			parts = parts[:1]
		}
		// Every folder on the way, then the file (recursive); or the
		// first segment alone.
		for i := range parts {
			name := strings.Join(parts[:i+1], "/")
			isDir := name != rel
			if seen[name] {
				continue
			}
			seen[name] = true
			e := entry{name: name, isDir: isDir}
			if !isDir {
				e.size = size
			}
			entries = append(entries, e)
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	from, to := q.page(len(entries), 1000, false)
	out := []map[string]any{}
	for _, e := range entries[from:to] {
		full := strings.TrimPrefix(dir+"/"+e.name, "/")
		if e.isDir {
			s := p.treeSHA(full)
			out = append(out, map[string]any{"path": e.name, "mode": "040000", "type": "tree", "size": 0, "sha": s,
				"url": q.base() + "/api/v1/repos/" + p.Path + "/git/trees/" + s})
		} else {
			s := blobSHA(p.Files[full])
			out = append(out, map[string]any{"path": e.name, "mode": "100644", "type": "blob", "size": e.size, "sha": s,
				"url": q.base() + "/api/v1/repos/" + p.Path + "/git/blobs/" + s})
		}
	}
	pg, _ := strconv.Atoi(q.r.URL.Query().Get("page"))
	writeJSON(q.w, http.StatusOK, map[string]any{
		"sha": shaArg, "url": q.base() + "/api/v1/repos/" + p.Path + "/git/trees/" + shaArg,
		"tree": out, "truncated": to < len(entries), "page": max(pg, 1), "total_count": len(entries),
	})
}

func (q req) raw(p *repo, file string) {
	content, ok := p.Files[file]
	if !ok {
		notFound(q.w)
		return
	}
	etag := `"` + blobSHA(content) + `"`
	h := q.w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "private, max-age=300")
	if q.r.Header.Get("If-None-Match") == etag {
		q.w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(content)))
	q.w.WriteHeader(http.StatusOK)
	_, _ = q.w.Write([]byte(content))
}

// workflows reports whether the repository holds Actions workflows.
func (p *repo) workflows() bool {
	for f := range p.all() {
		d := path.Dir(f)
		if d == ".gitea/workflows" || d == ".forgejo/workflows" {
			return true
		}
	}
	return false
}

// statusWord maps docs/reference.md's words to Gitea's commit status states.
func statusWord(s string) string {
	switch s {
	case "success":
		return "success"
	case "failure":
		return "failure"
	}
	return "pending"
}

// status answers the combined status of a commit. A CI run of Kind
// "schedule" is a scheduled Actions run: Gitea posts no status for it.
func (q req) status(p *repo, ref string) {
	out := map[string]any{"state": "", "sha": ref, "total_count": 0, "statuses": []any{},
		"commit_url": "", "url": "", "repository": nil}
	run := p.CI
	if run != nil && run.Kind != "schedule" && len(p.Commits) > 0 && (ref == p.Commits[0].SHA || ref == p.DefaultBranch) {
		word := statusWord(run.State)
		ctxName, target := "ci/woodpecker/push/build", "https://ci.example.org/repos/1/pipeline/7"
		if p.workflows() {
			ctxName, target = "CI / test (push)", q.prefix+"/"+p.Path+"/actions/runs/7"
		}
		out["state"], out["total_count"] = word, 1
		out["statuses"] = []any{map[string]any{
			"id": 1, "status": word, "target_url": target, "description": run.State, "context": ctxName,
			"created_at": ts(run.At), "updated_at": ts(run.At),
		}}
	}
	writeJSON(q.w, http.StatusOK, out)
}

// actions answers /actions/runs (Gitea 1.24+) and /actions/tasks (1.22+,
// Forgejo) with the repository's latest run, when it has workflows.
func (q req) actions(p *repo, kind string) {
	g := q.g
	newer := !g.forgejo && (g.compat[0] > 1 || g.compat[1] >= 24)
	if kind == "runs" && !newer || kind == "tasks" && !g.forgejo && g.compat[0] == 1 && g.compat[1] < 22 {
		notFound(q.w)
		return
	}
	var list []map[string]any
	if run := p.CI; run != nil && p.workflows() && !p.extra.ActionsDisabled && len(p.Commits) > 0 {
		event := "push"
		if run.Kind == "schedule" {
			event = "schedule"
		}
		link := q.web() + "/" + p.Path + "/actions/runs/7"
		if kind == "runs" {
			status, conclusion := "completed", run.State
			if run.State == "running" {
				status, conclusion = "in_progress", ""
			}
			list = append(list, map[string]any{"id": 7, "url": q.base() + "/api/v1/repos/" + p.Path + "/actions/runs/7",
				"html_url": link, "display_title": "CI", "path": "ci.yml@refs/heads/" + p.DefaultBranch, "event": event,
				"run_attempt": 1, "run_number": 7, "head_sha": p.Commits[0].SHA, "head_branch": p.DefaultBranch,
				"status": status, "conclusion": conclusion, "started_at": ts(run.At), "completed_at": ts(run.At)})
		} else {
			list = append(list, map[string]any{"id": 7, "name": "test", "head_branch": p.DefaultBranch, "head_sha": p.Commits[0].SHA,
				"run_number": 7, "event": event, "display_title": "CI", "status": run.State, "workflow_id": "ci.yml",
				"url": link, "created_at": ts(run.At), "updated_at": ts(run.At), "run_started_at": ts(run.At)})
		}
	}
	from, to := q.page(len(list), q.g.o.MaxResponseItems, false)
	writeJSON(q.w, http.StatusOK, map[string]any{"workflow_runs": nonNilMaps(list[from:to]), "total_count": len(list)})
}

func nonNilMaps(s []map[string]any) []map[string]any {
	if s == nil {
		return []map[string]any{}
	}
	return s
}

func (q req) latestRelease(p *repo) {
	if len(p.Releases) == 0 {
		notFound(q.w)
		return
	}
	r := p.Releases[0]
	writeJSON(q.w, http.StatusOK, map[string]any{"id": 1, "tag_name": r.Tag, "name": r.Name, "draft": false, "prerelease": false,
		"created_at": ts(r.PublishedAt), "published_at": ts(r.PublishedAt), "html_url": q.web() + "/" + p.Path + "/releases/tag/" + r.Tag})
}

// list answers /orgs/{org}/repos (404 for a user) and /users/{u}/repos.
func (q req) list(name string, user bool) {
	g := q.g
	g.mu.Lock()
	isUser := g.users[strings.ToLower(name)]
	var found []*repo
	exists := false
	for _, p := range g.repos {
		if strings.EqualFold(owner(p.Path), name) {
			exists = true
			if q.visible(p) {
				found = append(found, p)
			}
		}
	}
	g.mu.Unlock()
	if !exists || isUser != user {
		notFound(q.w)
		return
	}
	sort.Slice(found, func(i, j int) bool { return found[i].id < found[j].id })
	from, to := q.page(len(found), g.o.MaxResponseItems, false)
	out := []map[string]any{}
	for _, p := range found[from:to] {
		out = append(out, q.repoJSON(p))
	}
	writeJSON(q.w, http.StatusOK, out)
}

// contents answers GET /repos/{o}/{r}/contents[/{path}]: a folder's
// listing (ContentsResponse entries without content) or a file with its
// content base64-encoded.
func (q req) contents(p *repo, file string) {
	if len(p.Commits) == 0 {
		notFound(q.w)
		return
	}
	if text, ok := p.Files[file]; ok {
		writeJSON(q.w, http.StatusOK, map[string]any{"name": path.Base(file), "path": file, "sha": blobSHA(text), "type": "file",
			"size": len(text), "encoding": "base64", "content": base64.StdEncoding.EncodeToString([]byte(text))})
		return
	}
	seen := map[string]bool{}
	out := []map[string]any{}
	prefix := ""
	if file != "" {
		prefix = file + "/"
	}
	all := p.all()
	var names []string
	for f := range all {
		if rest, ok := strings.CutPrefix(f, prefix); ok {
			names = append(names, rest)
		}
	}
	if len(names) == 0 {
		notFound(q.w)
		return
	}
	sort.Strings(names)
	for _, rest := range names {
		first, _, nested := strings.Cut(rest, "/")
		if seen[first] {
			continue
		}
		seen[first] = true
		e := map[string]any{"name": first, "path": prefix + first, "type": "file", "size": all[prefix+first], "encoding": nil, "content": nil}
		if nested {
			e["type"], e["size"] = "dir", 0
		}
		out = append(out, e)
	}
	writeJSON(q.w, http.StatusOK, out)
}
