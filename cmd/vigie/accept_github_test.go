package main

// An acceptance test of `vigie check` against GitHub's REST API without a
// token. The fake below is written from GitHub's REST documentation, not
// from fakeforge: it answers with the documented shapes (full objects,
// Link pagination, X-RateLimit-* headers, 404/409/301 answers as
// api.github.com gives them), so it does not share fakeforge's guesses.

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// ---------------------------------------------------------------------------
// The fake api.github.com.

type ghaLicense struct{ key, name, spdx string }

var (
	ghaMIT    = &ghaLicense{"mit", "MIT License", "MIT"}
	ghaApache = &ghaLicense{"apache-2.0", "Apache License 2.0", "Apache-2.0"}
	ghaOther  = &ghaLicense{"other", "Other", "NOASSERTION"}
)

type ghaCommit struct {
	sha            string
	committer      time.Time
	author         time.Time
	login, email   string
	authorNameText string
}

type ghaCheckRun struct {
	name, status, conclusion string // status queued|in_progress|completed
	started, completed       time.Time
}

type ghaStatus struct {
	state, context string // success|failure|error|pending
	at             time.Time
}

type ghaRepo struct {
	id          int64
	owner, name string
	oldPaths    []string // owner/name before a rename: 301 to /repositories/ID
	private     bool     // exists, but GitHub answers 404 to an anonymous client
	blocked     int      // 403 (access blocked) or 451 (DMCA takedown)
	branch      string
	archived    bool
	fork        bool
	language    string
	license     *ghaLicense
	files       map[string]string // path → content, on the default branch
	submodules  []string
	commits     []ghaCommit // newest first
	checkRuns   []ghaCheckRun
	statuses    []ghaStatus
	openIssues  int // issues only
	openPRs     int
	created     time.Time
	release     bool
	forceEmpty  bool // no commit at all
	// What the programme's profile reads; the zero value keeps the
	// defaults the other cases were written against.
	meta *ghaMeta
}

// ghaMeta overrides the repository object's descriptive fields.
type ghaMeta struct {
	description       string // "" answers null, as GitHub does for none
	homepage          string
	topics            []string
	hasIssues         bool
	forks, watchers   int // forks_count, subscribers_count
	template, userAcc bool
}

func (r *ghaRepo) fullName() string { return r.owner + "/" + r.name }
func (r *ghaRepo) empty() bool      { return r.forceEmpty || len(r.commits) == 0 }

type ghaServer struct {
	t     *testing.T
	srv   *httptest.Server
	repos []*ghaRepo
	mu    sync.Mutex
	used  int
	reset time.Time
	// notModified counts the 304 answers.
	notModified int
	// quota is the hourly limit (ghaLimit when 0; -1: already exhausted).
	quota int
	log   []string
}

const ghaLimit = 60 // GitHub's hourly limit for unauthenticated requests

func newGHA(t *testing.T, repos ...*ghaRepo) *ghaServer {
	s := &ghaServer{t: t, repos: repos, reset: time.Now().Add(time.Hour).Truncate(time.Second)}
	for i, r := range repos {
		if r.id == 0 {
			r.id = int64(700000 + i)
		}
		if r.branch == "" {
			r.branch = "main"
		}
		if r.created.IsZero() {
			r.created = time.Now().Add(-800 * 24 * time.Hour).UTC().Truncate(time.Second)
		}
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *ghaServer) base() string { return s.srv.URL }

func (s *ghaServer) writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.t.Errorf("fake GitHub: %v", err)
	}
	sum := sha1.Sum(b)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if code == http.StatusOK {
		etag := `W/"` + hex.EncodeToString(sum[:]) + `"`
		w.Header().Set("ETag", etag)
		w.Header().Set("Cache-Control", "public, max-age=60, s-maxage=60")
		// A conditional request that matches: 304, no body (and, without
		// a token, it still counts against the limit).
		if gw, ok := w.(ghaWriter); ok && gw.req.Header.Get("If-None-Match") == etag {
			s.mu.Lock()
			s.notModified++
			s.mu.Unlock()
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.WriteHeader(code)
	w.Write(b)
}

func (s *ghaServer) errorJSON(w http.ResponseWriter, code int, msg, doc string) {
	s.writeJSON(w, code, map[string]any{"message": msg, "documentation_url": doc, "status": strconv.Itoa(code)})
}

func (s *ghaServer) notFound(w http.ResponseWriter, doc string) {
	s.errorJSON(w, http.StatusNotFound, "Not Found", doc)
}

// ghaWriter carries the request to writeJSON, for conditional requests.
type ghaWriter struct {
	http.ResponseWriter
	req *http.Request
}

func (s *ghaServer) serve(rw http.ResponseWriter, req *http.Request) {
	w := ghaWriter{rw, req}
	s.mu.Lock()
	s.used++
	used := s.used
	s.log = append(s.log, req.Method+" "+req.URL.RequestURI())
	s.mu.Unlock()
	h := w.Header()
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	h.Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	h.Set("X-GitHub-Request-Id", fmt.Sprintf("CAFE:%X:%X", used, used*7))
	quota := ghaLimit
	if s.quota != 0 {
		quota = max(s.quota, 0)
	}
	h.Set("X-RateLimit-Limit", strconv.Itoa(ghaLimit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(quota-used, 0)))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(s.reset.Unix(), 10))
	h.Set("X-RateLimit-Used", strconv.Itoa(min(used+ghaLimit-quota, ghaLimit)))
	h.Set("X-RateLimit-Resource", "core")
	h.Set("Vary", "Accept, Accept-Encoding, Accept, X-Requested-With")
	if req.Header.Get("Authorization") != "" {
		s.t.Errorf("fake GitHub: %s sent a token; this test runs without one", req.URL)
	}
	if used > quota {
		s.errorJSON(w, http.StatusForbidden, "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)",
			"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting")
		return
	}
	if req.Method != http.MethodGet {
		s.notFound(w, "https://docs.github.com/rest")
		return
	}
	parts := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	var repo *ghaRepo
	var rest []string
	switch {
	case len(parts) >= 3 && parts[0] == "repos":
		full := strings.ToLower(parts[1] + "/" + parts[2])
		for _, r := range s.repos {
			if strings.ToLower(r.fullName()) == full {
				repo = r
			}
			for _, old := range r.oldPaths {
				if strings.ToLower(old) == full && !r.private {
					loc := fmt.Sprintf("%s/repositories/%d", s.base(), r.id)
					if len(parts) > 3 {
						loc += "/" + strings.Join(parts[3:], "/")
					}
					if req.URL.RawQuery != "" {
						loc += "?" + req.URL.RawQuery
					}
					h.Set("Location", loc)
					s.writeJSON(w, http.StatusMovedPermanently, map[string]any{"message": "Moved Permanently", "url": loc, "documentation_url": "https://docs.github.com/v3/#http-redirects"})
					return
				}
			}
		}
		rest = parts[3:]
	case len(parts) >= 2 && parts[0] == "repositories":
		id, _ := strconv.ParseInt(parts[1], 10, 64)
		for _, r := range s.repos {
			if r.id == id {
				repo = r
			}
		}
		rest = parts[2:]
	}
	if repo == nil || repo.private {
		s.notFound(w, "https://docs.github.com/rest/repos/repos#get-a-repository")
		return
	}
	switch repo.blocked {
	case http.StatusForbidden:
		s.writeJSON(w, http.StatusForbidden, map[string]any{"message": "Repository access blocked", "block": map[string]any{"reason": "tos", "created_at": "2024-01-02T03:04:05Z", "html_url": "https://github.com/tos"}})
		return
	case http.StatusUnavailableForLegalReasons:
		s.writeJSON(w, http.StatusUnavailableForLegalReasons, map[string]any{"message": "Repository access blocked", "block": map[string]any{"reason": "dmca", "created_at": "2024-01-02T03:04:05Z", "html_url": "https://github.com/github/dmca/blob/master/2024/01/2024-01-02-x.md"}})
		return
	}
	q := req.URL.Query()
	switch {
	case len(rest) == 0:
		s.writeJSON(w, 200, s.repoJSON(repo))
	case rest[0] == "contents":
		s.contents(w, req, repo, strings.Join(rest[1:], "/"), q)
	case rest[0] == "readme" && len(rest) == 1:
		s.readme(w, req, repo)
	case rest[0] == "commits" && len(rest) == 1:
		s.listCommits(w, req, repo, q)
	case rest[0] == "commits" && len(rest) == 3 && rest[2] == "check-runs":
		s.checkRuns(w, req, repo, rest[1])
	case rest[0] == "commits" && len(rest) == 3 && rest[2] == "status":
		s.combinedStatus(w, repo, rest[1])
	case rest[0] == "releases" && len(rest) == 2 && rest[1] == "latest":
		s.latestRelease(w, repo)
	case rest[0] == "pulls" && len(rest) == 1:
		s.pulls(w, req, repo, q)
	case rest[0] == "license" && len(rest) == 1:
		s.notFound(w, "https://docs.github.com/rest/licenses/licenses#get-the-license-for-a-repository")
	default:
		s.notFound(w, "https://docs.github.com/rest")
	}
}

func (s *ghaServer) user(login string, id int) map[string]any {
	return map[string]any{
		"login": login, "id": id, "node_id": "MDQ6VXNlcjE=", "avatar_url": "https://avatars.githubusercontent.com/u/" + strconv.Itoa(id) + "?v=4",
		"gravatar_id": "", "url": s.base() + "/users/" + login, "html_url": "https://github.com/" + login,
		"followers_url": s.base() + "/users/" + login + "/followers", "repos_url": s.base() + "/users/" + login + "/repos",
		"type": "Organization", "site_admin": false,
	}
}

func (s *ghaServer) repoURL(r *ghaRepo) string { return s.base() + "/repos/" + r.fullName() }

func ghaTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func (s *ghaServer) repoJSON(r *ghaRepo) map[string]any {
	u := s.repoURL(r)
	var lic any
	if r.license != nil {
		l := map[string]any{"key": r.license.key, "name": r.license.name, "spdx_id": r.license.spdx, "url": s.base() + "/licenses/" + r.license.key, "node_id": "MDc6TGljZW5zZTEz"}
		if r.license.key == "other" {
			l["url"] = nil
			l["node_id"] = "MDc6TGljZW5zZTA="
		}
		lic = l
	}
	pushed := r.created
	size := 0
	if !r.empty() {
		pushed = r.commits[0].committer
		size = 1234
	}
	var lang any
	if r.language != "" {
		lang = r.language
	}
	m := map[string]any{
		"id": r.id, "node_id": "R_kgDOAAAA", "name": r.name, "full_name": r.fullName(), "private": false,
		"owner": s.user(r.owner, 1000+int(r.id%100)), "html_url": "https://github.com/" + r.fullName(),
		"description": "Un dépôt de test", "fork": r.fork, "url": u,
		"archive_url": u + "/{archive_format}{/ref}", "branches_url": u + "/branches{/branch}",
		"commits_url": u + "/commits{/sha}", "contents_url": u + "/contents/{+path}",
		"pulls_url": u + "/pulls{/number}", "releases_url": u + "/releases{/id}",
		"statuses_url": u + "/statuses/{sha}", "languages_url": u + "/languages",
		"created_at": ghaTime(r.created), "updated_at": ghaTime(pushed), "pushed_at": ghaTime(pushed),
		"git_url": "git://github.com/" + r.fullName() + ".git", "ssh_url": "git@github.com:" + r.fullName() + ".git",
		"clone_url": "https://github.com/" + r.fullName() + ".git", "svn_url": "https://github.com/" + r.fullName(),
		"homepage": nil, "size": size, "stargazers_count": 3, "watchers_count": 3, "language": lang,
		"has_issues": true, "has_projects": true, "has_downloads": true, "has_wiki": true, "has_pages": false,
		"has_discussions": false, "forks_count": 1, "mirror_url": nil, "archived": r.archived, "disabled": false,
		"open_issues_count": r.openIssues + r.openPRs, "license": lic, "allow_forking": true,
		"is_template": false, "web_commit_signoff_required": false, "topics": []string{"beta-gouv"},
		"visibility": "public", "forks": 1, "open_issues": r.openIssues + r.openPRs, "watchers": 3,
		"default_branch": r.branch, "temp_clone_token": nil, "network_count": 1, "subscribers_count": 2,
		"organization": s.user(r.owner, 1000+int(r.id%100)),
	}
	if mt := r.meta; mt != nil {
		m["description"], m["homepage"] = nil, nil
		if mt.description != "" {
			m["description"] = mt.description
		}
		if mt.homepage != "" {
			m["homepage"] = mt.homepage
		}
		m["topics"] = ghaOrEmpty(mt.topics)
		m["has_issues"] = mt.hasIssues
		m["forks_count"], m["forks"], m["network_count"] = mt.forks, mt.forks, mt.forks
		m["subscribers_count"] = mt.watchers
		m["is_template"] = mt.template
		if mt.userAcc {
			o := s.user(r.owner, 1000+int(r.id%100))
			o["type"] = "User"
			m["owner"] = o
			delete(m, "organization")
		}
		if !mt.hasIssues {
			m["open_issues_count"], m["open_issues"] = r.openPRs, r.openPRs
		}
	}
	if r.fork {
		parent := map[string]any{"id": 1, "name": r.name, "full_name": "upstream/" + r.name, "fork": false, "url": s.base() + "/repos/upstream/" + r.name, "default_branch": "main", "owner": s.user("upstream", 1)}
		m["parent"], m["source"] = parent, parent
	}
	return m
}

func ghaSHA(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// entry is one object of the contents API.
func (s *ghaServer) entry(r *ghaRepo, p, typ string, size int) map[string]any {
	sha := ghaSHA(r.fullName() + ":" + p)
	self := s.repoURL(r) + "/contents/" + p + "?ref=" + r.branch
	git := s.repoURL(r) + "/git/blobs/" + sha
	html := "https://github.com/" + r.fullName() + "/blob/" + r.branch + "/" + p
	var download any = "https://raw.githubusercontent.com/" + r.fullName() + "/" + r.branch + "/" + p
	if typ == "dir" {
		git = s.repoURL(r) + "/git/trees/" + sha
		html = "https://github.com/" + r.fullName() + "/tree/" + r.branch + "/" + p
		download = nil
	}
	return map[string]any{
		"name": path.Base(p), "path": p, "sha": sha, "size": size, "url": self, "html_url": html,
		"git_url": git, "download_url": download, "type": typ,
		"_links": map[string]any{"self": self, "git": git, "html": html},
	}
}

// ghaBase64 encodes as the contents API does: base64 with a newline
// every 60 characters.
func ghaBase64(b []byte) string {
	enc := base64.StdEncoding.EncodeToString(b)
	var sb strings.Builder
	for len(enc) > 60 {
		sb.WriteString(enc[:60])
		sb.WriteByte('\n')
		enc = enc[60:]
	}
	sb.WriteString(enc)
	sb.WriteByte('\n')
	return sb.String()
}

// ghaMaxContent is the contents API's limit: a larger file comes with
// an empty content and encoding "none" unless the raw media type is asked.
const ghaMaxContent = 1 << 20

func (s *ghaServer) fileJSON(r *ghaRepo, p string) map[string]any {
	e := s.entry(r, p, "file", len(r.files[p]))
	e["content"] = ghaBase64([]byte(r.files[p]))
	e["encoding"] = "base64"
	if len(r.files[p]) > ghaMaxContent {
		e["content"], e["encoding"] = "", "none"
	}
	return e
}

// file answers one file: JSON, or its bytes when the raw media type is
// asked (application/vnd.github.raw, .raw+json, .v3.raw).
func (s *ghaServer) file(w http.ResponseWriter, req *http.Request, r *ghaRepo, p string) {
	if strings.Contains(req.Header.Get("Accept"), ".raw") {
		w.Header().Set("Content-Type", "application/vnd.github.raw; charset=utf-8")
		w.Write([]byte(r.files[p]))
		return
	}
	s.writeJSON(w, 200, s.fileJSON(r, p))
}

func (s *ghaServer) contents(w http.ResponseWriter, req *http.Request, r *ghaRepo, p string, q url.Values) {
	if r.empty() {
		s.errorJSON(w, http.StatusNotFound, "This repository is empty.", "https://docs.github.com/rest/repos/contents#get-repository-content")
		return
	}
	if ref := q.Get("ref"); ref != "" && ref != r.branch && !slices.ContainsFunc(r.commits, func(c ghaCommit) bool { return c.sha == ref }) {
		s.errorJSON(w, http.StatusNotFound, "No commit found for the ref "+ref, "https://docs.github.com/rest/repos/contents#get-repository-content")
		return
	}
	p = strings.Trim(p, "/")
	if _, ok := r.files[p]; ok {
		s.file(w, req, r, p)
		return
	}
	// A folder: its direct entries, sorted; folders are implied by files.
	seen := map[string]bool{}
	var list []map[string]any
	for _, sub := range r.submodules {
		if path.Dir(sub) == ghaOrDot(p) {
			// Submodules are listed with type "file" (the documented
			// backwards-compatible quirk), size 0, no download_url.
			e := s.entry(r, sub, "file", 0)
			e["download_url"] = nil
			list = append(list, e)
			seen[sub] = true
		}
	}
	for fp, content := range r.files {
		rel := fp
		if p != "" {
			if !strings.HasPrefix(fp, p+"/") {
				continue
			}
			rel = strings.TrimPrefix(fp, p+"/")
		}
		first, _, isDir := strings.Cut(rel, "/")
		child := strings.TrimPrefix(p+"/"+first, "/")
		if seen[child] {
			continue
		}
		seen[child] = true
		if isDir {
			list = append(list, s.entry(r, child, "dir", 0))
		} else {
			list = append(list, s.entry(r, child, "file", len(content)))
		}
	}
	if len(list) == 0 {
		s.notFound(w, "https://docs.github.com/rest/repos/contents#get-repository-content")
		return
	}
	sort.Slice(list, func(i, j int) bool { return list[i]["name"].(string) < list[j]["name"].(string) })
	s.writeJSON(w, 200, list)
}

func ghaOrDot(p string) string {
	if p == "" {
		return "."
	}
	return p
}

// readme picks the README GitHub shows: .github/, then the root, then
// docs/; in a folder README.md before other markups, then plain names.
func (s *ghaServer) readme(w http.ResponseWriter, req *http.Request, r *ghaRepo) {
	if r.empty() {
		s.errorJSON(w, http.StatusNotFound, "This repository is empty.", "https://docs.github.com/rest/repos/contents#get-a-repository-readme")
		return
	}
	rank := func(name string) int {
		n := strings.ToLower(name)
		switch {
		case n == "readme.md":
			return 0
		case strings.HasPrefix(n, "readme.") && strings.Count(n, ".") == 1 && n != "readme.txt":
			return 1
		case n == "readme.txt":
			return 2
		case n == "readme":
			return 3
		case strings.HasPrefix(n, "readme."):
			return 4
		}
		return -1
	}
	for _, dir := range []string{".github", ".", "docs"} {
		best, bestRank := "", 99
		for p := range r.files {
			if path.Dir(p) != dir {
				continue
			}
			if k := rank(path.Base(p)); k >= 0 && (k < bestRank || k == bestRank && p < best) {
				best, bestRank = p, k
			}
		}
		if best != "" {
			s.file(w, req, r, best)
			return
		}
	}
	s.notFound(w, "https://docs.github.com/rest/repos/contents#get-a-repository-readme")
}

// ghaPage slices a list as GitHub does (per_page default 30, at most 100) and
// sets the Link header.
func ghaPage[T any](w http.ResponseWriter, req *http.Request, items []T) []T {
	q := req.URL.Query()
	per := 30
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		per = min(v, 100)
	}
	pg := 1
	if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 {
		pg = v
	}
	last := max((len(items)+per-1)/per, 1)
	link := func(n int, rel string) string {
		u := *req.URL
		u.Scheme, u.Host = "http", req.Host
		qq := u.Query()
		qq.Set("page", strconv.Itoa(n))
		u.RawQuery = qq.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
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
	from := min((pg-1)*per, len(items))
	return items[from:min(from+per, len(items))]
}

func (s *ghaServer) commitJSON(r *ghaRepo, c ghaCommit, i int) map[string]any {
	u := s.repoURL(r) + "/commits/" + c.sha
	var parents []map[string]any
	if i+1 < len(r.commits) {
		p := r.commits[i+1].sha
		parents = append(parents, map[string]any{"sha": p, "url": s.repoURL(r) + "/commits/" + p, "html_url": "https://github.com/" + r.fullName() + "/commit/" + p})
	}
	var author any
	if c.login != "" {
		author = s.user(c.login, 5000+i)
	}
	return map[string]any{
		"sha": c.sha, "node_id": "C_kwDO" + c.sha[:10], "url": u,
		"html_url": "https://github.com/" + r.fullName() + "/commit/" + c.sha, "comments_url": u + "/comments",
		"commit": map[string]any{
			"author":        map[string]any{"name": c.authorNameText, "email": c.email, "date": ghaTime(c.author)},
			"committer":     map[string]any{"name": "GitHub", "email": "noreply@github.com", "date": ghaTime(c.committer)},
			"message":       "Commit " + strconv.Itoa(i),
			"tree":          map[string]any{"sha": ghaSHA(c.sha + "tree"), "url": s.repoURL(r) + "/git/trees/" + ghaSHA(c.sha+"tree")},
			"url":           s.repoURL(r) + "/git/commits/" + c.sha,
			"comment_count": 0,
			"verification":  map[string]any{"verified": false, "reason": "unsigned", "signature": nil, "payload": nil, "verified_at": nil},
		},
		"author": author, "committer": s.user("web-flow", 19864447), "parents": parents,
	}
}

func (s *ghaServer) listCommits(w http.ResponseWriter, req *http.Request, r *ghaRepo, q url.Values) {
	if r.empty() {
		s.errorJSON(w, http.StatusConflict, "Git Repository is empty.", "https://docs.github.com/rest/commits/commits#list-commits")
		return
	}
	if sha := q.Get("sha"); sha != "" && sha != r.branch && !slices.ContainsFunc(r.commits, func(c ghaCommit) bool { return c.sha == sha }) {
		s.notFound(w, "https://docs.github.com/rest/commits/commits#list-commits")
		return
	}
	var since, until time.Time
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			s.errorJSON(w, http.StatusUnprocessableEntity, "Invalid request.\n\n\"since\" is not a timestamp.", "https://docs.github.com/rest/commits/commits#list-commits")
			return
		}
		since = t
	}
	if v := q.Get("until"); v != "" {
		until, _ = time.Parse(time.RFC3339, v)
	}
	var out []map[string]any
	for i, c := range r.commits {
		// git log --since/--until: committer dates, bounds included.
		if !since.IsZero() && c.committer.Before(since) || !until.IsZero() && c.committer.After(until) {
			continue
		}
		out = append(out, s.commitJSON(r, c, i))
	}
	s.writeJSON(w, 200, ghaOrEmpty(ghaPage(w, req, out)))
}

func ghaOrEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// resolve turns a ref (SHA or branch) into the head commit; "" unknown.
func (r *ghaRepo) resolve(ref string) string {
	if r.empty() {
		return ""
	}
	if ref == r.branch || ref == r.commits[0].sha {
		return r.commits[0].sha
	}
	for _, c := range r.commits {
		if c.sha == ref {
			return c.sha
		}
	}
	return ""
}

func (s *ghaServer) checkRuns(w http.ResponseWriter, req *http.Request, r *ghaRepo, ref string) {
	sha := r.resolve(ref)
	if sha == "" {
		s.errorJSON(w, http.StatusUnprocessableEntity, "No commit found for SHA: "+ref, "https://docs.github.com/rest/checks/runs#list-check-runs-for-a-git-reference")
		return
	}
	var runs []map[string]any
	if sha == r.commits[0].sha {
		for i, cr := range r.checkRuns {
			id := 9000 + i
			run := map[string]any{
				"id": id, "head_sha": sha, "node_id": "CR_kwDO", "external_id": "", "url": s.repoURL(r) + "/check-runs/" + strconv.Itoa(id),
				"html_url": "https://github.com/" + r.fullName() + "/actions/runs/1/job/" + strconv.Itoa(id), "details_url": "https://github.com/" + r.fullName() + "/actions/runs/1/job/" + strconv.Itoa(id),
				"status": cr.status, "conclusion": nil, "started_at": ghaTime(cr.started), "completed_at": nil,
				"output": map[string]any{"title": nil, "summary": nil, "text": nil, "annotations_count": 0, "annotations_url": s.repoURL(r) + "/check-runs/" + strconv.Itoa(id) + "/annotations"},
				"name":   cr.name, "check_suite": map[string]any{"id": 5000}, "pull_requests": []any{},
				"app": map[string]any{"id": 15368, "slug": "github-actions", "node_id": "MDM6QXBwMTUzNjg=", "name": "GitHub Actions", "owner": s.user("github", 9919)},
			}
			if cr.status == "completed" {
				run["conclusion"] = cr.conclusion
				run["completed_at"] = ghaTime(cr.completed)
			}
			runs = append(runs, run)
		}
	}
	all := runs
	runs = ghaPage(w, req, runs)
	s.writeJSON(w, 200, map[string]any{"total_count": len(all), "check_runs": ghaOrEmpty(runs)})
}

func (s *ghaServer) combinedStatus(w http.ResponseWriter, r *ghaRepo, ref string) {
	sha := r.resolve(ref)
	if sha == "" {
		s.errorJSON(w, http.StatusNotFound, "No commit found for SHA: "+ref, "https://docs.github.com/rest/commits/statuses#get-the-combined-status-for-a-specific-reference")
		return
	}
	var sts []map[string]any
	state := "pending" // GitHub's answer when there is no status at all
	if sha == r.commits[0].sha && len(r.statuses) > 0 {
		state = "success"
		for i, st := range r.statuses {
			sts = append(sts, map[string]any{
				"url": s.repoURL(r) + "/statuses/" + sha, "avatar_url": "https://avatars.githubusercontent.com/oauth-app/67?v=4",
				"id": 100 + i, "node_id": "SC_kwDO", "state": st.state, "description": "The build " + st.state,
				"target_url": "https://app.travis-ci.com/" + r.fullName() + "/builds/" + strconv.Itoa(100+i),
				"context":    st.context, "created_at": ghaTime(st.at), "updated_at": ghaTime(st.at),
			})
			switch {
			case st.state == "failure" || st.state == "error":
				state = "failure"
			case st.state == "pending" && state != "failure":
				state = "pending"
			}
		}
	}
	s.writeJSON(w, 200, map[string]any{
		"state": state, "statuses": ghaOrEmpty(sts), "sha": sha, "total_count": len(sts),
		"repository": map[string]any{"id": r.id, "name": r.name, "full_name": r.fullName(), "owner": s.user(r.owner, 1), "private": false, "url": s.repoURL(r)},
		"commit_url": s.repoURL(r) + "/commits/" + sha, "url": s.repoURL(r) + "/commits/" + sha + "/status",
	})
}

func (s *ghaServer) latestRelease(w http.ResponseWriter, r *ghaRepo) {
	if !r.release {
		s.notFound(w, "https://docs.github.com/rest/releases/releases#get-the-latest-release")
		return
	}
	s.writeJSON(w, 200, map[string]any{
		"url": s.repoURL(r) + "/releases/1", "html_url": "https://github.com/" + r.fullName() + "/releases/tag/v1.0.0",
		"id": 1, "node_id": "RE_kwDO", "tag_name": "v1.0.0", "target_commitish": r.branch, "name": "v1.0.0",
		"draft": false, "prerelease": false, "created_at": ghaTime(r.created), "published_at": ghaTime(r.created.Add(time.Hour)),
		"author": s.user("someone", 42), "assets": []any{}, "tarball_url": s.repoURL(r) + "/tarball/v1.0.0", "zipball_url": s.repoURL(r) + "/zipball/v1.0.0", "body": "",
	})
}

func (s *ghaServer) pulls(w http.ResponseWriter, req *http.Request, r *ghaRepo, q url.Values) {
	var list []map[string]any
	if st := q.Get("state"); st == "" || st == "open" || st == "all" {
		for i := range r.openPRs {
			list = append(list, map[string]any{"url": s.repoURL(r) + "/pulls/" + strconv.Itoa(i+1), "id": i + 1, "number": i + 1, "state": "open", "title": "PR", "user": s.user("someone", 42), "draft": false})
		}
	}
	s.writeJSON(w, 200, ghaOrEmpty(ghaPage(w, req, list)))
}

// ---------------------------------------------------------------------------
// Building repositories.

func ghaCommits(now time.Time, days ...float64) []ghaCommit {
	var cs []ghaCommit
	for i, d := range days {
		at := now.Add(-time.Duration(d * 24 * float64(time.Hour))).UTC().Truncate(time.Second)
		login := ""
		if i%2 == 0 {
			login = "dev" + strconv.Itoa(i%3)
		}
		cs = append(cs, ghaCommit{
			sha: ghaSHA(fmt.Sprintf("%d-%v", i, d)), committer: at, author: at, login: login,
			email: fmt.Sprintf("dev%d@example.org", i%3), authorNameText: fmt.Sprintf("Dev %d", i%3),
		})
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].committer.After(cs[j].committer) })
	return cs
}

// ghaLicenceText reads a real licence text shipped with the licensecheck
// module (its test inputs: a header, a blank line, then the text).
func ghaLicenceText(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ghaModDir(t, "github.com/google/licensecheck"), "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	_, text, ok := strings.Cut(string(b), "\n\n")
	if !ok {
		t.Fatalf("%s: no header", name)
	}
	return text
}

var (
	ghaModDirs   = map[string]string{}
	ghaModDirsMu sync.Mutex
)

func ghaModDir(t *testing.T, mod string) string {
	t.Helper()
	ghaModDirsMu.Lock()
	defer ghaModDirsMu.Unlock()
	if d, ok := ghaModDirs[mod]; ok {
		return d
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", mod).Output()
	if err != nil {
		t.Fatalf("locating %s: %v", mod, err)
	}
	d := strings.TrimSpace(string(out))
	ghaModDirs[mod] = d
	return d
}

// ---------------------------------------------------------------------------
// The cases.

// ghaWant is what every detail docs/reference.md requires must say; nil pointers and empty
// strings are checked too (a case says everything).
type ghaWant struct {
	url          string // as given on the command line
	repo         string // result's "repo"
	webURL       string // result's "url"
	err          bool
	spdx, lfile  string
	readme       string
	readmeBytes  int
	systems      []string
	status       string
	archived     bool
	lastCommitAt time.Time // zero: ""
	commits90d   int
}

type ghaCase struct {
	name  string
	repos []*ghaRepo
	want  []ghaWant
	code  int
	quota int // the fake's quota (0: GitHub's 60)
}

const ghaReadme = "# Outil\n\nUn outil pour les agents publics, qui fait une chose utile et la fait bien.\n\n## Installation\n\n```\nmake install\n```\n"

func TestAcceptGitHubREST(t *testing.T) {
	now := time.Now().UTC()
	day := func(d float64) time.Time {
		return now.Add(-time.Duration(d * 24 * float64(time.Hour))).UTC().Truncate(time.Second)
	}
	mit := ghaLicenceText(t, "MIT.t1")
	apache := ghaLicenceText(t, "Apache-2.0.t1")
	cecill := ghaLicenceText(t, "CECILL-2.1.t1")
	etalab := ghaLicenceText(t, "etalab-2.0.t1")
	gpl := ghaLicenceText(t, "GPL-3.0.t1")
	lgpl := ghaLicenceText(t, "LGPL-3.0.t1")
	workflow := "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"

	// std is a healthy repository: a README, MIT, an Actions workflow
	// that passed, three commits in the window.
	std := func(owner, name string, mod func(r *ghaRepo)) *ghaRepo {
		r := &ghaRepo{
			owner: owner, name: name, language: "Go", license: ghaMIT,
			files: map[string]string{
				"LICENSE": mit, "README.md": ghaReadme, ".github/workflows/ci.yml": workflow, "main.go": "package main\n",
			},
			commits:   ghaCommits(now, 1, 5, 30, 200),
			checkRuns: []ghaCheckRun{{name: "test", status: "completed", conclusion: "success", started: day(1), completed: day(0.99)}},
		}
		if mod != nil {
			mod(r)
		}
		return r
	}
	ok := func(path string, mod func(w *ghaWant)) ghaWant {
		w := ghaWant{
			url: "https://github.com/" + path, repo: "github.com/" + path, webURL: "https://github.com/" + path,
			spdx: "MIT", lfile: "LICENSE", readme: "README.md", readmeBytes: len(ghaReadme),
			systems: []string{"github-actions"}, status: "success", lastCommitAt: day(1), commits90d: 3,
		}
		if mod != nil {
			mod(&w)
		}
		return w
	}
	noCI := func(r *ghaRepo) {
		delete(r.files, ".github/workflows/ci.yml")
		r.checkRuns = nil
	}
	ciFile := func(p string) func(r *ghaRepo) {
		return func(r *ghaRepo) {
			noCI(r)
			r.files[p] = "steps: []\n"
			r.statuses = []ghaStatus{{state: "success", context: "ci/" + p, at: day(1)}}
		}
	}

	cases := []ghaCase{
		{name: "healthy", repos: []*ghaRepo{std("eig", "healthy", nil)}, want: []ghaWant{ok("eig/healthy", nil)}},
		// README
		{name: "readme only in docs", repos: []*ghaRepo{std("eig", "docsreadme", func(r *ghaRepo) {
			delete(r.files, "README.md")
			r.files["docs/README.md"] = ghaReadme + "docs\n"
			r.files["docs/guide.md"] = "guide"
		})}, want: []ghaWant{ok("eig/docsreadme", func(w *ghaWant) { w.readme, w.readmeBytes = "docs/README.md", len(ghaReadme)+5 })}},
		{name: "readme in .github wins", repos: []*ghaRepo{std("eig", "dotgithub", func(r *ghaRepo) {
			r.files[".github/README.md"] = "# Profil\n"
		})}, want: []ghaWant{ok("eig/dotgithub", func(w *ghaWant) { w.readme, w.readmeBytes = ".github/README.md", 9 })}},
		{name: "README.markdown", repos: []*ghaRepo{std("eig", "mdown", func(r *ghaRepo) {
			delete(r.files, "README.md")
			r.files["README.markdown"] = ghaReadme
		})}, want: []ghaWant{ok("eig/mdown", func(w *ghaWant) { w.readme = "README.markdown" })}},
		{name: "readme.txt", repos: []*ghaRepo{std("eig", "txt", func(r *ghaRepo) {
			delete(r.files, "README.md")
			r.files["readme.txt"] = "Lisez-moi.\n"
		})}, want: []ghaWant{ok("eig/txt", func(w *ghaWant) { w.readme, w.readmeBytes = "readme.txt", 11 })}},
		{name: "several readmes", repos: []*ghaRepo{std("eig", "several", func(r *ghaRepo) {
			r.files["README.fr.md"] = "# Outil (fr)\n"
			r.files["README.rst"] = "Outil\n=====\n"
			r.files["README"] = "Outil\n"
			r.files["docs/README.md"] = "# Docs\n"
		})}, want: []ghaWant{ok("eig/several", nil)}},
		{name: "README over 1 MB", repos: []*ghaRepo{std("eig", "bigreadme", func(r *ghaRepo) {
			r.files["README.md"] = ghaReadme + strings.Repeat("Une ligne de documentation très détaillée.\n", 30000)
		})}, want: []ghaWant{ok("eig/bigreadme", func(w *ghaWant) {
			w.readmeBytes = len(ghaReadme) + 30000*len("Une ligne de documentation très détaillée.\n")
		})}},
		{name: "no readme", repos: []*ghaRepo{std("eig", "noreadme", func(r *ghaRepo) { delete(r.files, "README.md") })},
			want: []ghaWant{ok("eig/noreadme", func(w *ghaWant) { w.readme, w.readmeBytes = "", 0 })}},
		// Licences
		{name: "LICENSE.md", repos: []*ghaRepo{std("eig", "licmd", func(r *ghaRepo) {
			delete(r.files, "LICENSE")
			r.files["LICENSE.md"] = mit
		})}, want: []ghaWant{ok("eig/licmd", func(w *ghaWant) { w.lfile = "LICENSE.md" })}},
		{name: "COPYING", repos: []*ghaRepo{std("eig", "copying", func(r *ghaRepo) {
			delete(r.files, "LICENSE")
			r.files["COPYING"] = apache
			r.license = ghaApache
		})}, want: []ghaWant{ok("eig/copying", func(w *ghaWant) { w.spdx, w.lfile = "Apache-2.0", "COPYING" })}},
		{name: "LICENCE british", repos: []*ghaRepo{std("eig", "licence", func(r *ghaRepo) {
			delete(r.files, "LICENSE")
			r.files["LICENCE"] = mit
		})}, want: []ghaWant{ok("eig/licence", func(w *ghaWant) { w.lfile = "LICENCE" })}},
		{name: "dual MIT and Apache, forge NOASSERTION", repos: []*ghaRepo{std("eig", "dual", func(r *ghaRepo) {
			delete(r.files, "LICENSE")
			r.files["LICENSE-MIT"] = mit
			r.files["LICENSE-APACHE"] = apache
			r.license = ghaOther
		})}, want: []ghaWant{ok("eig/dual", func(w *ghaWant) { w.spdx, w.lfile = "Apache-2.0 OR MIT", "LICENSE-APACHE" })}},
		{name: "CeCILL-2.1 english, forge other", repos: []*ghaRepo{std("eig", "cecill", func(r *ghaRepo) {
			r.files["LICENSE"] = cecill
			r.license = ghaOther
		})}, want: []ghaWant{ok("eig/cecill", func(w *ghaWant) { w.spdx = "CECILL-2.1" })}},
		{name: "Licence Ouverte, forge other", repos: []*ghaRepo{std("eig", "etalab", func(r *ghaRepo) {
			r.files["LICENSE"] = etalab
			r.license = ghaOther
			r.language = ""
		})}, want: []ghaWant{ok("eig/etalab", func(w *ghaWant) { w.spdx = "etalab-2.0" })}},
		{name: "unidentified licence", repos: []*ghaRepo{std("eig", "homemade", func(r *ghaRepo) {
			r.files["LICENSE"] = "Tous droits réservés, sauf pour les gentils.\n"
			r.license = ghaOther
		})}, want: []ghaWant{ok("eig/homemade", func(w *ghaWant) { w.spdx = "NOASSERTION" })}},
		{name: "MIT-LICENSE identified by the forge", repos: []*ghaRepo{std("eig", "mitlicense", func(r *ghaRepo) {
			delete(r.files, "LICENSE")
			r.files["MIT-LICENSE"] = mit
		})}, want: []ghaWant{ok("eig/mitlicense", func(w *ghaWant) { w.lfile = "MIT-LICENSE" })}},
		{name: "COPYRIGHT notice, no licence", repos: []*ghaRepo{std("eig", "copyright", func(r *ghaRepo) {
			delete(r.files, "LICENSE")
			r.files["COPYRIGHT"] = "Copyright (c) 2019 Ministère de l'Intérieur\n"
			r.license = nil
		})}, want: []ghaWant{ok("eig/copyright", func(w *ghaWant) { w.lfile = ""; w.spdx = "" })}},
		{name: "LICENSE.txt with a French notice beside", repos: []*ghaRepo{std("eig", "lictxt", func(r *ghaRepo) {
			delete(r.files, "LICENSE")
			r.files["LICENSE.txt"] = mit
			r.files["LICENSE.fr.md"] = "Ce logiciel est distribué sous licence MIT (voir LICENSE.txt).\n"
		})}, want: []ghaWant{ok("eig/lictxt", func(w *ghaWant) { w.lfile = "LICENSE.txt" })}},
		// GitHub says LGPL-3.0 here, and so does vigie: the LGPL-3.0
		// ships the GPL's text beside its own.
		{name: "LGPL: COPYING and COPYING.LESSER", repos: []*ghaRepo{std("eig", "lgpl", func(r *ghaRepo) {
			delete(r.files, "LICENSE")
			r.files["COPYING"] = gpl
			r.files["COPYING.LESSER"] = lgpl
			r.license = &ghaLicense{"lgpl-3.0", "GNU Lesser General Public License v3.0", "LGPL-3.0"}
		})}, want: []ghaWant{ok("eig/lgpl", func(w *ghaWant) { w.spdx, w.lfile = "LGPL-3.0", "COPYING.LESSER" })}},
		{name: "no licence", repos: []*ghaRepo{std("eig", "nolicense", func(r *ghaRepo) {
			delete(r.files, "LICENSE")
			r.license = nil
		})}, want: []ghaWant{ok("eig/nolicense", func(w *ghaWant) { w.spdx, w.lfile = "", "" })}},
		// CI
		{name: "actions failed", repos: []*ghaRepo{std("eig", "failed", func(r *ghaRepo) {
			r.checkRuns = []ghaCheckRun{
				{name: "lint", status: "completed", conclusion: "success", started: day(1), completed: day(0.99)},
				{name: "test", status: "completed", conclusion: "failure", started: day(1), completed: day(0.98)},
			}
		})}, want: []ghaWant{ok("eig/failed", func(w *ghaWant) { w.status = "failure" })}},
		{name: "travis status only", repos: []*ghaRepo{std("eig", "travis", func(r *ghaRepo) {
			noCI(r)
			r.files[".travis.yml"] = "language: node_js\n"
			r.statuses = []ghaStatus{{state: "success", context: "continuous-integration/travis-ci/push", at: day(1)}}
		})}, want: []ghaWant{ok("eig/travis", func(w *ghaWant) { w.systems = []string{"travis"} })}},
		{name: "actions and a pending status", repos: []*ghaRepo{std("eig", "both", func(r *ghaRepo) {
			r.files[".travis.yml"] = "language: node_js\n"
			r.statuses = []ghaStatus{{state: "pending", context: "continuous-integration/travis-ci/push", at: day(0.5)}}
		})}, want: []ghaWant{ok("eig/both", func(w *ghaWant) { w.systems, w.status = []string{"github-actions", "travis"}, "running" })}},
		{name: "actions running", repos: []*ghaRepo{std("eig", "running", func(r *ghaRepo) {
			r.checkRuns = []ghaCheckRun{{name: "test", status: "in_progress", started: day(0.01)}}
		})}, want: []ghaWant{ok("eig/running", func(w *ghaWant) { w.status = "running" })}},
		{name: "status without ci config", repos: []*ghaRepo{std("eig", "external", func(r *ghaRepo) {
			noCI(r)
			r.statuses = []ghaStatus{{state: "success", context: "ci/external", at: day(1)}}
		})}, want: []ghaWant{ok("eig/external", func(w *ghaWant) { w.systems = []string{} })}},
		{name: "no ci at all", repos: []*ghaRepo{std("eig", "noci", noCI)},
			want: []ghaWant{ok("eig/noci", func(w *ghaWant) { w.systems, w.status = []string{}, "none" })}},
		{name: "workflow .yaml", repos: []*ghaRepo{std("eig", "yaml", func(r *ghaRepo) {
			delete(r.files, ".github/workflows/ci.yml")
			r.files[".github/workflows/a.yaml"] = workflow
		})}, want: []ghaWant{ok("eig/yaml", nil)}},
		{name: "circleci", repos: []*ghaRepo{std("eig", "circle", ciFile(".circleci/config.yml"))},
			want: []ghaWant{ok("eig/circle", func(w *ghaWant) { w.systems = []string{"circleci"} })}},
		{name: "jenkins", repos: []*ghaRepo{std("eig", "jenkins", ciFile("Jenkinsfile"))},
			want: []ghaWant{ok("eig/jenkins", func(w *ghaWant) { w.systems = []string{"jenkins"} })}},
		{name: "gitlab-ci on github", repos: []*ghaRepo{std("eig", "glci", ciFile(".gitlab-ci.yml"))},
			want: []ghaWant{ok("eig/glci", func(w *ghaWant) { w.systems = []string{"gitlab-ci"} })}},
		{name: "azure", repos: []*ghaRepo{std("eig", "azure", ciFile("azure-pipelines.yml"))},
			want: []ghaWant{ok("eig/azure", func(w *ghaWant) { w.systems = []string{"azure-pipelines"} })}},
		{name: "drone", repos: []*ghaRepo{std("eig", "drone", ciFile(".drone.yml"))},
			want: []ghaWant{ok("eig/drone", func(w *ghaWant) { w.systems = []string{"drone"} })}},
		{name: "woodpecker", repos: []*ghaRepo{std("eig", "woodpecker", ciFile(".woodpecker.yml"))},
			want: []ghaWant{ok("eig/woodpecker", func(w *ghaWant) { w.systems = []string{"woodpecker"} })}},
		// Activity
		{name: "150 commits in 90 days", repos: []*ghaRepo{std("eig", "busy", func(r *ghaRepo) {
			var days []float64
			for i := range 150 {
				days = append(days, 0.5+float64(i)*0.5)
			}
			r.commits = ghaCommits(now, append(days, 120, 130)...)
			r.checkRuns[0].started, r.checkRuns[0].completed = day(0.5), day(0.49)
		})}, want: []ghaWant{ok("eig/busy", func(w *ghaWant) { w.lastCommitAt, w.commits90d = day(0.5), 150 })}},
		{name: "350 commits in 90 days", repos: []*ghaRepo{std("eig", "busier", func(r *ghaRepo) {
			var days []float64
			for i := range 350 {
				days = append(days, 0.2+float64(i)*0.25)
			}
			r.commits = ghaCommits(now, append(days, 95)...)
		})}, want: []ghaWant{ok("eig/busier", func(w *ghaWant) { w.lastCommitAt, w.commits90d = day(0.2), 350 })}},
		{name: "commits at the 90-day boundary", repos: []*ghaRepo{std("eig", "boundary", func(r *ghaRepo) {
			r.commits = ghaCommits(now, 10, 89.99, 90.01, 91)
		})}, want: []ghaWant{ok("eig/boundary", func(w *ghaWant) { w.lastCommitAt, w.commits90d = day(10), 2 })}},
		{name: "dormant", repos: []*ghaRepo{std("eig", "dormant", func(r *ghaRepo) {
			r.commits = ghaCommits(now, 300, 400)
		})}, want: []ghaWant{ok("eig/dormant", func(w *ghaWant) { w.lastCommitAt, w.commits90d = day(300), 0 })}},
		{name: "default branch develop", repos: []*ghaRepo{std("eig", "develop", func(r *ghaRepo) { r.branch = "develop" })},
			want: []ghaWant{ok("eig/develop", nil)}},
		{name: "archived", repos: []*ghaRepo{std("eig", "archived", func(r *ghaRepo) {
			r.archived = true
			r.commits = ghaCommits(now, 200)
		})}, want: []ghaWant{ok("eig/archived", func(w *ghaWant) { w.archived, w.lastCommitAt, w.commits90d = true, day(200), 0 })}},
		{name: "fork", repos: []*ghaRepo{std("someone", "forked", func(r *ghaRepo) { r.fork = true })},
			want: []ghaWant{ok("someone/forked", nil)}},
		{name: "submodule", repos: []*ghaRepo{std("eig", "submod", func(r *ghaRepo) { r.submodules = []string{"vendor-lib"} })},
			want: []ghaWant{ok("eig/submod", nil)}},
		{name: "open issues and PRs", repos: []*ghaRepo{std("eig", "issues", func(r *ghaRepo) { r.openIssues, r.openPRs = 4, 3; r.release = true })},
			want: []ghaWant{ok("eig/issues", nil)}},
		{name: "checks skipped and neutral", repos: []*ghaRepo{std("eig", "skipped", func(r *ghaRepo) {
			r.checkRuns = []ghaCheckRun{
				{name: "deploy", status: "completed", conclusion: "skipped", started: day(1), completed: day(1)},
				{name: "lint", status: "completed", conclusion: "neutral", started: day(1), completed: day(0.99)},
			}
		})}, want: []ghaWant{ok("eig/skipped", nil)}},
		{name: "status error", repos: []*ghaRepo{std("eig", "staterror", func(r *ghaRepo) {
			noCI(r)
			r.files["Jenkinsfile"] = "pipeline {}\n"
			r.statuses = []ghaStatus{{state: "error", context: "continuous-integration/jenkins/branch", at: day(1)}}
		})}, want: []ghaWant{ok("eig/staterror", func(w *ghaWant) { w.systems, w.status = []string{"jenkins"}, "failure" })}},
		{name: "status pending only", repos: []*ghaRepo{std("eig", "statpending", func(r *ghaRepo) {
			noCI(r)
			r.files[".travis.yml"] = "language: python\n"
			r.statuses = []ghaStatus{{state: "pending", context: "continuous-integration/travis-ci/push", at: day(0.01)}}
		})}, want: []ghaWant{ok("eig/statpending", func(w *ghaWant) { w.systems, w.status = []string{"travis"}, "running" })}},
		{name: "cancelled run", repos: []*ghaRepo{std("eig", "cancelled", func(r *ghaRepo) {
			r.checkRuns = []ghaCheckRun{{name: "test", status: "completed", conclusion: "cancelled", started: day(1), completed: day(0.99)}}
		})}, want: []ghaWant{ok("eig/cancelled", func(w *ghaWant) { w.status = "failure" })}},
		{name: "travis config left, no run", repos: []*ghaRepo{std("eig", "oldtravis", func(r *ghaRepo) {
			noCI(r)
			r.files[".travis.yml"] = "language: ruby\n"
		})}, want: []ghaWant{ok("eig/oldtravis", func(w *ghaWant) { w.systems, w.status = []string{"travis"}, "none" })}},
		{name: "branch with a slash", repos: []*ghaRepo{std("eig", "slash", func(r *ghaRepo) { r.branch = "release/v2" })},
			want: []ghaWant{ok("eig/slash", nil)}},
		{name: "rebased commit: author date older", repos: []*ghaRepo{std("eig", "rebased", func(r *ghaRepo) {
			r.commits[0].author = day(120)
		})}, want: []ghaWant{ok("eig/rebased", nil)}},
		{name: "URL spellings", repos: []*ghaRepo{std("eig", "spelling", nil)},
			want: []ghaWant{ok("eig/spelling", func(w *ghaWant) { w.url = "https://github.com/eig/spelling.git/" })}},
		{name: "dotted name", repos: []*ghaRepo{std("eig", "carte.js", nil)},
			want: []ghaWant{ok("eig/carte.js", nil)}},
		{name: "archived and empty", repos: []*ghaRepo{{owner: "eig", name: "void", forceEmpty: true, archived: true}},
			want: []ghaWant{{url: "https://github.com/eig/void", repo: "github.com/eig/void", webURL: "https://github.com/eig/void", systems: []string{}, status: "none", archived: true}}},
		{name: "five repositories at once", repos: []*ghaRepo{std("eig", "r1", nil), std("eig", "r2", nil), std("eig", "r3", nil), std("eig", "r4", nil), std("eig", "r5", nil)},
			want: []ghaWant{ok("eig/r1", nil), ok("eig/r2", nil), ok("eig/r3", nil), ok("eig/r4", nil), ok("eig/r5", nil)}},
		{name: "four repositories at once", repos: []*ghaRepo{std("eig", "r1", nil), std("eig", "r2", nil), std("eig", "r3", nil), std("eig", "r4", nil)},
			want: []ghaWant{ok("eig/r1", nil), ok("eig/r2", nil), ok("eig/r3", nil), ok("eig/r4", nil)}},
		// Repositories that moved or are gone.
		{name: "renamed", repos: []*ghaRepo{std("eig-new", "renamed-new", func(r *ghaRepo) { r.oldPaths = []string{"eig/renamed"} })},
			want: []ghaWant{ok("eig/renamed", nil)}},
		{name: "missing and private among good ones", code: 3, repos: []*ghaRepo{
			std("eig", "good1", nil), std("eig", "secret", func(r *ghaRepo) { r.private = true }), std("eig", "good2", nil),
		}, want: []ghaWant{
			ok("eig/good1", nil), {url: "https://github.com/eig/gone", repo: "github.com/eig/gone", webURL: "https://github.com/eig/gone", err: true},
			{url: "https://github.com/eig/secret", repo: "github.com/eig/secret", webURL: "https://github.com/eig/secret", err: true}, ok("eig/good2", nil),
		}},
		{name: "blocked and taken down", code: 3, repos: []*ghaRepo{
			std("eig", "tos", func(r *ghaRepo) { r.blocked = http.StatusForbidden }), std("eig", "dmca", func(r *ghaRepo) { r.blocked = http.StatusUnavailableForLegalReasons }), std("eig", "fine", nil),
		}, want: []ghaWant{
			{url: "https://github.com/eig/tos", repo: "github.com/eig/tos", webURL: "https://github.com/eig/tos", err: true},
			{url: "https://github.com/eig/dmca", repo: "github.com/eig/dmca", webURL: "https://github.com/eig/dmca", err: true}, ok("eig/fine", nil),
		}},
		// The hour's 60 requests already spent: GitHub answers 403 until
		// the reset, an hour away; the command fails rather than wait.
		{name: "anonymous quota exhausted", code: 3, quota: -1, repos: []*ghaRepo{std("eig", "late1", nil), std("eig", "late2", nil)},
			want: []ghaWant{
				{url: "https://github.com/eig/late1", repo: "github.com/eig/late1", webURL: "https://github.com/eig/late1", err: true},
				{url: "https://github.com/eig/late2", repo: "github.com/eig/late2", webURL: "https://github.com/eig/late2", err: true},
			}},
		{name: "empty repository", repos: []*ghaRepo{{owner: "eig", name: "empty", forceEmpty: true}},
			want: []ghaWant{{url: "https://github.com/eig/empty", repo: "github.com/eig/empty", webURL: "https://github.com/eig/empty", systems: []string{}, status: "none"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := newGHA(t, tc.repos...)
			fake.quota = tc.quota
			cfg := ghaConfig(t, fake.base())
			args := []string{"check", "--config", cfg, "--format", "json"}
			for _, w := range tc.want {
				args = append(args, w.url)
			}
			out := runVigie(t, map[string]string{}, args...)
			t.Logf("%d requests for %d repositories", len(fake.log), len(tc.want))
			defer func() {
				if t.Failed() {
					t.Logf("requests:\n%s\nstderr:\n%s", strings.Join(fake.log, "\n"), out.stderr)
				}
			}()
			if out.code != tc.code {
				t.Errorf("exit %d, want %d", out.code, tc.code)
			}
			var results []map[string]any
			if err := json.Unmarshal([]byte(out.stdout), &results); err != nil {
				t.Fatalf("stdout is not one JSON array: %v\n%s", err, out.stdout)
			}
			if len(results) != len(tc.want) {
				t.Fatalf("%d results, want %d", len(results), len(tc.want))
			}
			for i, w := range tc.want {
				ghaCompare(t, results[i], w)
			}
		})
	}
}

// ghaConfig writes a configuration whose forge is the fake, with one défi
// listing repos (URLs; a placeholder when none).
func ghaConfig(t *testing.T, api string, repos ...string) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "vigie.yml")
	if len(repos) == 0 {
		repos = []string{"https://github.com/eig/placeholder"}
	}
	cfg := fmt.Sprintf(`forges:
  - {name: github, type: github, url: https://github.com, api_url: %q, token_env: VIGIE_ACCEPT_NO_TOKEN}
defis:
  - slug: accept
    name: Acceptation
    repos: [%s]
storage: {driver: sqlite, dsn: %q}
`, api, strings.Join(repos, ", "), filepath.Join(dir, "vigie.db"))
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func ghaCompare(t *testing.T, r map[string]any, w ghaWant) {
	t.Helper()
	name := w.repo
	eq := func(what string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) || fmt.Sprintf("%T", got) != fmt.Sprintf("%T", want) {
			t.Errorf("%s: %s = %#v, want %#v", name, what, got, want)
		}
	}
	eq("repo", r["repo"], w.repo)
	eq("url", r["url"], w.webURL)
	eq("forge", r["forge"], "github")
	if _, err := time.Parse(time.RFC3339, fmt.Sprint(r["crawled_at"])); err != nil {
		t.Errorf("%s: crawled_at %v", name, r["crawled_at"])
	}
	if w.err {
		if r["error"] == "" || r["score"] != nil {
			t.Errorf("%s: error %q score %v, want an error and a null score", name, r["error"], r["score"])
		}
		if cs, ok := r["checks"].([]any); !ok || len(cs) != 0 {
			t.Errorf("%s: checks %v on an error", name, r["checks"])
		}
		return
	}
	eq("error", r["error"], "")
	if s, ok := r["score"].(float64); !ok || s < 0 || s > 100 || s != float64(int(s)) {
		t.Errorf("%s: score %v", name, r["score"])
	}
	cs, _ := r["checks"].([]any)
	det := map[string]map[string]any{}
	for i, n := range []string{"license", "readme", "ci", "activity"} {
		if i >= len(cs) {
			t.Fatalf("%s: %d checks", name, len(cs))
		}
		c := cs[i].(map[string]any)
		eq("check "+strconv.Itoa(i), c["name"], n)
		det[n], _ = c["details"].(map[string]any)
	}
	eq("license.spdx_id", det["license"]["spdx_id"], w.spdx)
	eq("license.file", det["license"]["file"], w.lfile)
	eq("readme.file", det["readme"]["file"], w.readme)
	eq("readme.bytes", det["readme"]["bytes"], float64(w.readmeBytes))
	sys := []any{}
	for _, s := range w.systems {
		sys = append(sys, s)
	}
	eq("ci.systems", det["ci"]["systems"], sys)
	eq("ci.status", det["ci"]["status"], w.status)
	eq("activity.archived", det["activity"]["archived"], w.archived)
	last := ""
	if !w.lastCommitAt.IsZero() {
		last = w.lastCommitAt.UTC().Format(time.RFC3339)
	}
	eq("activity.last_commit_at", det["activity"]["last_commit_at"], last)
	eq("activity.commits_90d", det["activity"]["commits_90d"], float64(w.commits90d))
}

// TestAcceptGitHubRESTCrawlTwice crawls twice into the store: the second
// crawl asks with the ETags of the first (GitHub answers 304) and reuses
// what did not move, and must still see a commit pushed in between.
func TestAcceptGitHubRESTCrawlTwice(t *testing.T) {
	now := time.Now().UTC()
	day := func(d float64) time.Time {
		return now.Add(-time.Duration(d * 24 * float64(time.Hour))).UTC().Truncate(time.Second)
	}
	mit := ghaLicenceText(t, "MIT.t1")
	busy := &ghaRepo{
		owner: "eig", name: "busy", language: "Go", license: ghaMIT,
		files:     map[string]string{"LICENSE": mit, "README.md": ghaReadme, ".github/workflows/ci.yml": "on: push\n"},
		commits:   ghaCommits(now, 1, 5, 30, 89.9, 200),
		checkRuns: []ghaCheckRun{{name: "test", status: "completed", conclusion: "success", started: day(1), completed: day(0.99)}},
	}
	still := &ghaRepo{
		owner: "eig", name: "still", language: "Python",
		files:    map[string]string{"README.rst": "Outil\n=====\n", ".travis.yml": "language: python\n"},
		commits:  ghaCommits(now, 40, 300),
		statuses: []ghaStatus{{state: "failure", context: "continuous-integration/travis-ci/push", at: day(40)}},
	}
	fake := newGHA(t, busy, still)
	urls := []string{"https://github.com/eig/busy", "https://github.com/eig/still"}
	cfg := ghaConfig(t, fake.base(), urls...)
	wants := []ghaWant{
		{url: urls[0], repo: "github.com/eig/busy", webURL: urls[0], spdx: "MIT", lfile: "LICENSE", readme: "README.md", readmeBytes: len(ghaReadme),
			systems: []string{"github-actions"}, status: "success", lastCommitAt: day(1), commits90d: 4},
		{url: urls[1], repo: "github.com/eig/still", webURL: urls[1], readme: "README.rst", readmeBytes: 12,
			systems: []string{"travis"}, status: "failure", lastCommitAt: day(40), commits90d: 1},
	}
	crawl := func() []map[string]any {
		t.Helper()
		out := runVigie(t, map[string]string{}, "crawl", "--config", cfg, "--format", "json")
		if out.code != 0 {
			t.Fatalf("crawl exit %d:\n%s", out.code, out.stderr)
		}
		var rs []map[string]any
		if err := json.Unmarshal([]byte(out.stdout), &rs); err != nil || len(rs) != 2 {
			t.Fatalf("crawl printed %v (%v)", out.stdout, err)
		}
		return rs
	}
	rs := crawl()
	first := len(fake.log)
	for i := range wants {
		ghaCompare(t, rs[i], wants[i])
	}
	if t.Failed() {
		t.Fatalf("first crawl; requests:\n%s", strings.Join(fake.log, "\n"))
	}

	// A push on busy: a new head commit, and a new check run on it.
	fake.mu.Lock()
	busy.commits = append(ghaCommits(now, 0.1), busy.commits...)
	busy.checkRuns = []ghaCheckRun{{name: "test", status: "in_progress", started: day(0.09)}}
	fake.mu.Unlock()
	wants[0].lastCommitAt, wants[0].commits90d, wants[0].status = day(0.1), 5, "running"

	rs = crawl()
	for i := range wants {
		ghaCompare(t, rs[i], wants[i])
	}
	second := len(fake.log) - first
	t.Logf("first crawl %d requests, second %d (%d answered 304)", first, second, fake.notModified)
	if fake.notModified == 0 {
		t.Error("the second crawl sent no conditional request GitHub could answer 304")
	}
	if t.Failed() {
		t.Logf("requests:\n%s", strings.Join(fake.log[first:], "\n"))
	}
}
