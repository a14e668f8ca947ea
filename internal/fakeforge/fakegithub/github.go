// Package fakegithub is an in-process GitHub: its REST API and its GraphQL
// API (validated against GitHub's published schema when given one), served
// from fakeforge.Repo values.
package fakegithub

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/vektah/gqlparser/v2/ast"
)

// GitHub serves GitHub's REST API (at / and /api/v3/, as api.github.com and
// GitHub Enterprise do) and its GraphQL API (at /graphql and /api/graphql)
// from a list of Repo values. It is an http.Handler.
type GitHub struct {
	repos   []*ghRepo
	byPath  map[string]*ghRepo // lower-case owner/name, current and old paths
	byID    map[int64]*ghRepo
	schema  *ast.Schema // nil: GraphQL queries are parsed but not validated
	resetAt time.Time
	limits  [2]int // anonymous, authenticated

	fakeforge.RequestCounter

	mu     sync.Mutex
	used   map[string]int // rate-limit use per resource ("core", "graphql") and token
	points int            // GraphQL points spent
}

// GitHubOption configures a fake GitHub.
type GitHubOption func(*gitHubConfig)

type gitHubConfig struct {
	schema           *ast.Schema
	anonLimit, limit int
}

// WithGitHubRateLimit sets the hourly limits the rate-limit headers report.
// GitHub's are 60 without a token and 5,000 with one; the fake reports
// 5,000 for both by default, because clients such as go-github stop sending
// once Remaining reaches 0, and the demo and the benchmark crawl
// anonymously. Tests of rate limiting set GitHub's values here (or use the
// fault middleware).
func WithGitHubRateLimit(anonymous, authenticated int) GitHubOption {
	return func(c *gitHubConfig) { c.anonLimit, c.limit = anonymous, authenticated }
}

// WithGitHubSchema validates GraphQL queries against GitHub's public schema
// (see LoadGitHubSchema); without it queries are parsed but not validated.
func WithGitHubSchema(s *ast.Schema) GitHubOption {
	return func(c *gitHubConfig) { c.schema = s }
}

// ghRepo is a Repo with what the GitHub handlers derive from it once.
type ghRepo struct {
	fakeforge.Repo
	id    int64
	owner string
	name  string
	// entries maps a folder ("" root) to its direct children, sorted.
	entries map[string][]ghEntry
}

type ghEntry struct {
	path string
	dir  bool
	size int64
}

// NewGitHub builds a fake GitHub serving repos.
func NewGitHub(repos []fakeforge.Repo, opts ...GitHubOption) *GitHub {
	cfg := gitHubConfig{anonLimit: 5000, limit: 5000}
	for _, o := range opts {
		o(&cfg)
	}
	g := &GitHub{
		byPath:  map[string]*ghRepo{},
		byID:    map[int64]*ghRepo{},
		used:    map[string]int{},
		resetAt: time.Now().Add(time.Hour).Truncate(time.Second),
		schema:  cfg.schema,
		limits:  [2]int{cfg.anonLimit, cfg.limit},
	}
	for i, r := range repos {
		r.FillSHAs()
		owner, name, _ := strings.Cut(r.Path, "/")
		gr := &ghRepo{Repo: r, id: int64(100001 + i), owner: owner, name: name}
		gr.entries = treeEntries(r)
		g.repos = append(g.repos, gr)
		g.byID[gr.id] = gr
		g.byPath[strings.ToLower(r.Path)] = gr
	}
	// Old paths never shadow a live repository of the same name.
	for _, gr := range g.repos {
		for _, old := range gr.OldPaths {
			if _, taken := g.byPath[strings.ToLower(old)]; !taken {
				g.byPath[strings.ToLower(old)] = gr
			}
		}
	}
	return g
}

// treeEntries lists every folder's direct children from the files' paths.
func treeEntries(r fakeforge.Repo) map[string][]ghEntry {
	out := map[string][]ghEntry{}
	seen := map[string]bool{}
	add := func(p string, dir bool, size int64) {
		if seen[p] {
			return
		}
		seen[p] = true
		parent := path.Dir(p)
		if parent == "." {
			parent = ""
		}
		out[parent] = append(out[parent], ghEntry{path: p, dir: dir, size: size})
	}
	addFile := func(p string, size int64) {
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			add(d, true, 0)
		}
		add(p, false, size)
	}
	for p, c := range r.Files {
		addFile(p, int64(len(c)))
	}
	for p, s := range r.Sizes {
		if _, ok := r.Files[p]; !ok {
			addFile(p, s)
		}
	}
	for k := range out {
		sort.Slice(out[k], func(i, j int) bool { return out[k][i].path < out[k][j].path })
	}
	return out
}

// GraphQLPoints returns the rate-limit points the GraphQL queries cost.
func (g *GitHub) GraphQLPoints() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.points
}

const ghDocs = "https://docs.github.com/rest"

// ServeHTTP routes a request to the REST or GraphQL handlers.
func (g *GitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	prefix := ""
	if strings.HasPrefix(p, "/api/v3/") {
		prefix, p = "/api/v3", strings.TrimPrefix(p, "/api/v3")
	}
	if p == "/graphql" || p == "/api/graphql" {
		g.Count(r.Method + " /graphql")
		g.serveGraphQL(w, r)
		return
	}
	tok := bearer(r)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		g.Count(r.Method + " ?")
		g.restError(w, tok, http.StatusNotFound, "Not Found")
		return
	}
	seg := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case len(seg) == 3 && (seg[0] == "orgs" || seg[0] == "users") && seg[2] == "repos":
		g.Count("GET /" + seg[0] + "/{owner}/repos")
		g.listOwner(w, r, tok, seg[0] == "orgs", seg[1])
	case len(seg) >= 3 && seg[0] == "repos":
		gr := g.byPath[strings.ToLower(seg[1]+"/"+seg[2])]
		rest := seg[3:]
		g.Count("GET /repos/{owner}/{repo}" + routeOf(rest))
		if gr == nil || !gr.VisibleTo(tok) {
			g.restError(w, tok, http.StatusNotFound, "Not Found")
			return
		}
		if !strings.EqualFold(gr.Path, seg[1]+"/"+seg[2]) {
			// A renamed or transferred repository: GitHub answers 301 to
			// the repository's id-based URL, keeping the rest of the path.
			loc := &url.URL{Scheme: scheme(r), Host: r.Host,
				Path:     prefix + "/repositories/" + strconv.FormatInt(gr.id, 10) + suffix(rest),
				RawQuery: r.URL.RawQuery}
			g.rateHeaders(w, tok, "core")
			w.Header().Set("Location", loc.String())
			writeJSON(w, http.StatusMovedPermanently, map[string]any{
				"message": "Moved Permanently", "url": loc.String(), "documentation_url": ghDocs})
			return
		}
		g.serveRepo(w, r, tok, gr, rest)
	case len(seg) >= 2 && seg[0] == "repositories":
		id, _ := strconv.ParseInt(seg[1], 10, 64)
		gr := g.byID[id]
		g.Count("GET /repositories/{id}" + routeOf(seg[2:]))
		if gr == nil || !gr.VisibleTo(tok) {
			g.restError(w, tok, http.StatusNotFound, "Not Found")
			return
		}
		g.serveRepo(w, r, tok, gr, seg[2:])
	default:
		g.Count("GET ?")
		g.restError(w, tok, http.StatusNotFound, "Not Found")
	}
}

// routeOf names the sub-route for request counting without the variable
// parts (paths, refs).
func routeOf(rest []string) string {
	switch {
	case len(rest) == 0:
		return ""
	case rest[0] == "contents":
		return "/contents/{path}"
	case rest[0] == "commits" && len(rest) >= 3:
		return "/commits/{ref}/" + rest[2]
	case rest[0] == "releases":
		return "/releases/latest"
	}
	return "/" + rest[0]
}

func suffix(rest []string) string {
	if len(rest) == 0 {
		return ""
	}
	return "/" + strings.Join(rest, "/")
}

func scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

func bearer(r *http.Request) string {
	a := r.Header.Get("Authorization")
	for _, p := range []string{"Bearer ", "bearer ", "token "} {
		if strings.HasPrefix(a, p) {
			return strings.TrimSpace(a[len(p):])
		}
	}
	return ""
}

// rateHeaders writes GitHub's rate-limit headers. Nothing is refused: the
// fake measures use, the fault middleware simulates exhaustion.
func (g *GitHub) rateHeaders(w http.ResponseWriter, tok, resource string) {
	g.writeRateHeaders(w, tok, resource, 1)
}

// peekRateHeaders writes the headers without spending a request.
func (g *GitHub) peekRateHeaders(w http.ResponseWriter, tok, resource string) {
	g.writeRateHeaders(w, tok, resource, 0)
}

func (g *GitHub) writeRateHeaders(w http.ResponseWriter, tok, resource string, spend int) {
	limit := g.limits[1]
	if tok == "" {
		limit = g.limits[0]
	}
	key := resource + "/" + tok
	g.mu.Lock()
	g.used[key] += spend
	used := g.used[key]
	g.mu.Unlock()
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(limit-used, 0)))
	h.Set("X-RateLimit-Used", strconv.Itoa(used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(g.resetAt.Unix(), 10))
	h.Set("X-RateLimit-Resource", resource)
}

func (g *GitHub) restError(w http.ResponseWriter, tok string, code int, msg string) {
	g.rateHeaders(w, tok, "core")
	doc := ghDocs
	if code == http.StatusNotFound && msg == "Not Found" {
		doc = "https://docs.github.com/rest"
	}
	writeJSON(w, code, map[string]any{"message": msg, "documentation_url": doc, "status": strconv.Itoa(code)})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

// writeOK answers 200 with an ETag, or 304 when the client already holds
// that version (GitHub's conditional requests).
func (g *GitHub) writeOK(w http.ResponseWriter, r *http.Request, tok string, v any) {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(append([]byte(tok+"\x00"), b...))
	etag := `W/"` + hex.EncodeToString(sum[:16]) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "private, max-age=60, s-maxage=60")
	w.Header().Set("Vary", "Accept, Authorization, Cookie, X-GitHub-OTP")
	if inm := r.Header.Get("If-None-Match"); inm != "" && (inm == etag || strings.TrimPrefix(inm, "W/") == strings.TrimPrefix(etag, "W/")) {
		// A 304 is free with a token and counts without one, as on GitHub.
		if tok == "" {
			g.rateHeaders(w, tok, "core")
		} else {
			g.peekRateHeaders(w, tok, "core")
		}
		w.WriteHeader(http.StatusNotModified)
		return
	}
	g.rateHeaders(w, tok, "core")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// page cuts a list the way GitHub paginates: per_page (default 30, at most
// 100) and page (from 1), with a Link header for the other pages.
func page[T any](w http.ResponseWriter, r *http.Request, all []T) []T {
	q := r.URL.Query()
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per <= 0 {
		per = 30
	}
	per = min(per, 100)
	pg, _ := strconv.Atoi(q.Get("page"))
	if pg <= 0 {
		pg = 1
	}
	last := (len(all) + per - 1) / per
	link := func(n int, rel string) string {
		u := &url.URL{Scheme: scheme(r), Host: r.Host, Path: r.URL.Path}
		qq := r.URL.Query()
		qq.Set("per_page", strconv.Itoa(per))
		qq.Set("page", strconv.Itoa(n))
		u.RawQuery = qq.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u, rel)
	}
	var links []string
	if pg > 1 {
		links = append(links, link(pg-1, "prev"))
	}
	if pg < last {
		links = append(links, link(pg+1, "next"), link(last, "last"))
	}
	if pg > 1 {
		links = append(links, link(1, "first"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	lo := (pg - 1) * per
	if lo >= len(all) {
		return []T{}
	}
	return all[lo:min(lo+per, len(all))]
}

func (g *GitHub) apiBase(r *http.Request) string {
	p := ""
	if strings.HasPrefix(r.URL.Path, "/api/v3/") {
		p = "/api/v3"
	}
	return scheme(r) + "://" + r.Host + p
}

func (g *GitHub) listOwner(w http.ResponseWriter, r *http.Request, tok string, org bool, owner string) {
	var list []map[string]any
	exists := false
	for _, gr := range g.repos {
		if !strings.EqualFold(gr.owner, owner) {
			continue
		}
		// /orgs/{user}/repos answers 404; /users/{org}/repos does list an
		// organisation's repositories, as on GitHub.
		exists = !(org && gr.UserOwned)
		if listed(gr, tok, org, r.URL.Query().Get("type")) {
			list = append(list, g.repoJSON(r, gr))
		}
	}
	if !exists {
		g.restError(w, tok, http.StatusNotFound, "Not Found")
		return
	}
	if list == nil {
		list = []map[string]any{}
	}
	g.writeOK(w, r, tok, page(w, r, list))
}

// listed tells whether an owner's listing shows a repository. An
// organisation's (/orgs/{org}/repos) shows a token the repositories it
// may see, of the type asked (all by default; public, private); a user's
// (/users/{user}/repos) shows public ones only, whoever asks, as GitHub
// documents.
func listed(gr *ghRepo, tok string, org bool, typ string) bool {
	if !gr.VisibleTo(tok) || !org && !gr.Public() {
		return false
	}
	switch typ {
	case "public":
		return gr.Public()
	case "private":
		return !gr.Public()
	}
	return true
}

func licenseKey(spdx string) (key, name string) {
	switch spdx {
	case "":
		return "", ""
	case "NOASSERTION":
		return "other", "Other"
	}
	return strings.ToLower(spdx), spdx
}

func (g *GitHub) repoJSON(r *http.Request, gr *ghRepo) map[string]any {
	base := g.apiBase(r)
	web := scheme(r) + "://" + r.Host
	var lic any
	if gr.License != "" {
		key, name := licenseKey(gr.License)
		lic = map[string]any{"key": key, "name": name, "spdx_id": gr.License,
			"url": nilIf(gr.License == "NOASSERTION", base+"/licenses/"+key), "node_id": "MDc6TGljZW5zZTA="}
	}
	branch := gr.DefaultBranch
	if branch == "" {
		branch = "main" // GitHub names the branch an empty repository will get
	}
	topics := gr.Topics
	if topics == nil {
		topics = []string{}
	}
	pushed := gr.CreatedAt
	if len(gr.Commits) > 0 {
		pushed = gr.Commits[0].Date
	}
	var lang any
	if gr.Language != "" {
		lang = gr.Language
	}
	return map[string]any{
		"id": gr.id, "node_id": "R_" + strconv.FormatInt(gr.id, 10),
		"name": gr.name, "full_name": gr.Path, "private": !gr.Public(),
		"owner":       map[string]any{"login": gr.owner, "id": gr.id * 7, "type": map[bool]string{true: "User", false: "Organization"}[gr.UserOwned]},
		"html_url":    web + "/" + gr.Path,
		"description": nilIf(gr.Description == "", gr.Description),
		"fork":        gr.Fork, "url": base + "/repos/" + gr.Path,
		"homepage": nilIf(gr.Homepage == "", gr.Homepage),
		"language": lang, "stargazers_count": gr.Stars, "watchers_count": gr.Stars,
		"forks_count": gr.Forks, "forks": gr.Forks, "subscribers_count": gr.Watchers, "is_template": gr.Template,
		"open_issues_count": max(gr.OpenIssues, 0) + gr.OpenPullRequests,
		"topics":            topics, "has_issues": gr.OpenIssues >= 0, "archived": gr.Archived, "disabled": false,
		"visibility": gr.Visibility(), "default_branch": branch,
		"created_at": ts(gr.CreatedAt), "updated_at": ts(pushed), "pushed_at": ts(pushed),
		"size": len(gr.Files) + len(gr.Sizes), "license": lic,
	}
}

func nilIf(cond bool, v any) any {
	if cond {
		return nil
	}
	return v
}

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func (g *GitHub) serveRepo(w http.ResponseWriter, r *http.Request, tok string, gr *ghRepo, rest []string) {
	if len(rest) == 0 {
		g.writeOK(w, r, tok, g.repoJSON(r, gr))
		return
	}
	empty := len(gr.Commits) == 0
	switch {
	case rest[0] == "commits" && len(rest) == 1:
		if empty {
			g.restError(w, tok, http.StatusConflict, "Git Repository is empty.")
			return
		}
		g.listCommits(w, r, tok, gr)
	case rest[0] == "commits" && len(rest) == 3 && (rest[2] == "check-runs" || rest[2] == "status"):
		if empty || gr.commitIndex(rest[1]) < 0 {
			g.restError(w, tok, http.StatusUnprocessableEntity, "No commit found for SHA: "+rest[1])
			return
		}
		if rest[2] == "check-runs" {
			g.writeOK(w, r, tok, g.checkRuns(gr))
		} else {
			g.writeOK(w, r, tok, g.combinedStatus(r, gr))
		}
	case rest[0] == "contents":
		if empty {
			g.restError(w, tok, http.StatusNotFound, "This repository is empty.")
			return
		}
		ref := r.URL.Query().Get("ref")
		if ref != "" && gr.commitIndex(ref) < 0 {
			g.restError(w, tok, http.StatusNotFound, "No commit found for the ref "+ref)
			return
		}
		g.contents(w, r, tok, gr, strings.Join(rest[1:], "/"))
	case rest[0] == "readme" && len(rest) == 1:
		if empty {
			g.restError(w, tok, http.StatusNotFound, "This repository is empty.")
			return
		}
		files := gr.fileList()
		i := crawler.PickReadme(files, ".github", "", "docs")
		if i < 0 {
			g.restError(w, tok, http.StatusNotFound, "Not Found")
			return
		}
		g.writeOK(w, r, tok, g.contentJSON(r, gr, files[i].Path, false, files[i].Size, true))
	case rest[0] == "releases" && len(rest) == 2 && rest[1] == "latest":
		if len(gr.Releases) == 0 {
			g.restError(w, tok, http.StatusNotFound, "Not Found")
			return
		}
		rel := gr.Releases[0]
		g.writeOK(w, r, tok, map[string]any{"id": 1, "tag_name": rel.Tag, "name": rel.Name,
			"draft": false, "prerelease": false, "published_at": ts(rel.PublishedAt), "created_at": ts(rel.PublishedAt),
			"html_url": scheme(r) + "://" + r.Host + "/" + gr.Path + "/releases/tag/" + rel.Tag})
	case rest[0] == "pulls" && len(rest) == 1:
		var prs []map[string]any
		if st := r.URL.Query().Get("state"); st == "" || st == "open" || st == "all" {
			for i := range gr.OpenPullRequests {
				n := gr.OpenPullRequests - i
				prs = append(prs, map[string]any{"number": n, "state": "open", "title": "Pull request " + strconv.Itoa(n),
					"html_url": scheme(r) + "://" + r.Host + "/" + gr.Path + "/pull/" + strconv.Itoa(n)})
			}
		}
		if prs == nil {
			prs = []map[string]any{}
		}
		g.writeOK(w, r, tok, page(w, r, prs))
	default:
		g.restError(w, tok, http.StatusNotFound, "Not Found")
	}
}

// commitIndex resolves a ref (the default branch, HEAD, refs/heads/BRANCH
// or a commit SHA, full or abbreviated) to an index in Commits; -1 when
// unknown.
func (gr *ghRepo) commitIndex(ref string) int {
	if len(gr.Commits) == 0 {
		return -1
	}
	ref = strings.TrimPrefix(ref, "refs/heads/")
	if ref == "HEAD" || ref == gr.DefaultBranch {
		return 0
	}
	if len(ref) >= 7 {
		for i, c := range gr.Commits {
			if strings.HasPrefix(c.SHA, ref) {
				return i
			}
		}
	}
	return -1
}

// fileList is every file and folder of the tree, as crawler.File values.
func (gr *ghRepo) fileList() []crawler.File {
	var out []crawler.File
	for _, es := range gr.entries {
		for _, e := range es {
			out = append(out, crawler.File{Path: e.path, Dir: e.dir, Size: e.size})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func (gr *ghRepo) entry(p string) (ghEntry, bool) {
	parent := path.Dir(p)
	if parent == "." {
		parent = ""
	}
	for _, e := range gr.entries[parent] {
		if e.path == p {
			return e, true
		}
	}
	return ghEntry{}, false
}

func blobSHA(gr *ghRepo, p string) string {
	return fakeforge.SHA("blob:" + gr.Path + ":" + p + ":" + gr.Files[p])
}

func (g *GitHub) contentJSON(r *http.Request, gr *ghRepo, p string, dir bool, size int64, withContent bool) map[string]any {
	base := g.apiBase(r)
	web := scheme(r) + "://" + r.Host + "/" + gr.Path
	branch := gr.DefaultBranch
	typ, sha := "file", blobSHA(gr, p)
	if dir {
		typ, sha = "dir", fakeforge.SHA("tree:"+gr.Path+":"+p)
		size = 0
	}
	m := map[string]any{
		"type": typ, "name": path.Base(p), "path": p, "sha": sha, "size": size,
		"url":      base + "/repos/" + gr.Path + "/contents/" + p + "?ref=" + branch,
		"html_url": web + "/" + map[bool]string{true: "tree", false: "blob"}[dir] + "/" + branch + "/" + p,
		"git_url":  base + "/repos/" + gr.Path + "/git/" + map[bool]string{true: "trees", false: "blobs"}[dir] + "/" + sha,
	}
	if dir {
		m["download_url"] = nil
	} else {
		m["download_url"] = web + "/raw/" + branch + "/" + p
	}
	if withContent && !dir {
		content, ok := gr.Files[p]
		if !ok {
			// A size-only filler: its bytes do not matter, its size does.
			content = strings.Repeat("\x00", int(min(size, 1<<20)))
		}
		m["content"] = wrap60(base64.StdEncoding.EncodeToString([]byte(content)))
		m["encoding"] = "base64"
	}
	return m
}

// wrap60 breaks base64 into lines the way GitHub's contents API does.
func wrap60(s string) string {
	var b strings.Builder
	for len(s) > 60 {
		b.WriteString(s[:60])
		b.WriteByte('\n')
		s = s[60:]
	}
	b.WriteString(s)
	b.WriteByte('\n')
	return b.String()
}

func (g *GitHub) contents(w http.ResponseWriter, r *http.Request, tok string, gr *ghRepo, p string) {
	p = strings.Trim(p, "/")
	if p == "" || func() bool { e, ok := gr.entry(p); return ok && e.dir }() {
		list := []map[string]any{}
		for _, e := range gr.entries[p] {
			list = append(list, g.contentJSON(r, gr, e.path, e.dir, e.size, false))
		}
		g.writeOK(w, r, tok, list)
		return
	}
	e, ok := gr.entry(p)
	if !ok {
		g.restError(w, tok, http.StatusNotFound, "Not Found")
		return
	}
	g.writeOK(w, r, tok, g.contentJSON(r, gr, p, false, e.size, true))
}

// commitsSince filters the commits the way GitHub does for since/until:
// on the committer date, both bounds included.
func commitsBetween(cs []fakeforge.Commit, since, until time.Time) []int {
	var out []int
	for i, c := range cs {
		if !since.IsZero() && c.Date.Before(since) {
			continue
		}
		if !until.IsZero() && c.Date.After(until) {
			continue
		}
		out = append(out, i)
	}
	return out
}

func parseTS(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

func (g *GitHub) listCommits(w http.ResponseWriter, r *http.Request, tok string, gr *ghRepo) {
	q := r.URL.Query()
	start := 0
	if sha := q.Get("sha"); sha != "" {
		start = gr.commitIndex(sha)
		if start < 0 {
			g.restError(w, tok, http.StatusNotFound, "Not Found")
			return
		}
	}
	idx := commitsBetween(gr.Commits[start:], parseTS(q.Get("since")), parseTS(q.Get("until")))
	list := make([]map[string]any, 0, len(idx))
	for _, i := range idx {
		list = append(list, g.commitJSON(r, gr, start+i))
	}
	g.writeOK(w, r, tok, page(w, r, list))
}

func authorDate(c fakeforge.Commit) time.Time {
	if c.AuthoredAt.IsZero() {
		return c.Date
	}
	return c.AuthoredAt
}

func (g *GitHub) commitJSON(r *http.Request, gr *ghRepo, i int) map[string]any {
	c := gr.Commits[i]
	base := g.apiBase(r)
	var user any
	if c.Login != "" {
		user = map[string]any{"login": c.Login, "id": len(c.Login) * 1000, "type": "User"}
	}
	var parents []map[string]any
	if i+1 < len(gr.Commits) {
		parents = append(parents, map[string]any{"sha": gr.Commits[i+1].SHA})
	} else {
		parents = []map[string]any{}
	}
	return map[string]any{
		"sha": c.SHA, "node_id": "C_" + c.SHA[:12],
		"commit": map[string]any{
			"author":    map[string]any{"name": c.AuthorName, "email": c.AuthorEmail, "date": ts(authorDate(c))},
			"committer": map[string]any{"name": c.AuthorName, "email": c.AuthorEmail, "date": ts(c.Date)},
			"message":   c.Message,
			"tree":      map[string]any{"sha": fakeforge.SHA("tree:" + c.SHA)},
		},
		"url":      base + "/repos/" + gr.Path + "/commits/" + c.SHA,
		"html_url": scheme(r) + "://" + r.Host + "/" + gr.Path + "/commit/" + c.SHA,
		"author":   user, "committer": user, "parents": parents,
	}
}

// ciStatusURL is where the fake's commit statuses point.
const ciStatusURL = "https://ci.example.org/job/1"

func checkRunURL(gr *ghRepo) string {
	return "https://github.com/" + gr.Path + "/runs/" + strconv.FormatInt(gr.id, 10)
}

// checkRuns renders the model's CI run as GitHub Actions check runs.
func (g *GitHub) checkRuns(gr *ghRepo) map[string]any {
	runs := []map[string]any{}
	if ci := gr.CI; ci != nil && ci.Kind == "checks" {
		status, conclusion := "completed", any(ci.State)
		switch ci.State {
		case "running":
			status, conclusion = "in_progress", nil
		case "queued":
			status, conclusion = "queued", nil
		}
		runs = append(runs, map[string]any{
			"id": 1, "name": "build", "head_sha": gr.Commits[0].SHA, "status": status, "conclusion": conclusion,
			"started_at": ts(ci.At), "completed_at": nilIf(status != "completed", ts(ci.At)),
			"html_url": checkRunURL(gr), "details_url": checkRunURL(gr),
			"app": map[string]any{"slug": "github-actions", "name": "GitHub Actions"},
		})
	}
	return map[string]any{"total_count": len(runs), "check_runs": runs}
}

// combinedStatus renders the model's CI run as commit statuses. With no
// status at all GitHub says "pending" with total_count 0.
func (g *GitHub) combinedStatus(r *http.Request, gr *ghRepo) map[string]any {
	state := "pending"
	statuses := []map[string]any{}
	if ci := gr.CI; ci != nil && ci.Kind == "status" {
		switch ci.State {
		case "success", "failure", "error":
			state = ci.State
		default:
			state = "pending"
		}
		statuses = append(statuses, map[string]any{"state": state, "context": "ci/jenkins",
			"description": "The build " + state, "target_url": ciStatusURL,
			"created_at": ts(ci.At), "updated_at": ts(ci.At)})
	}
	return map[string]any{"state": state, "statuses": statuses, "sha": gr.Commits[0].SHA,
		"total_count": len(statuses), "commit_url": g.apiBase(r) + "/repos/" + gr.Path + "/commits/" + gr.Commits[0].SHA}
}
