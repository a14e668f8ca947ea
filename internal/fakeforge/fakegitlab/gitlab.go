// Package fakegitlab is an in-process GitLab: its REST API v4 and its
// GraphQL API, served from fakeforge.Repo values.
package fakegitlab

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
	"sync/atomic"
	"time"

	"github.com/eiglink/vigie/internal/fakeforge"
)

// GitLab serves GitLab's REST API v4 from a list of Repo values, shaped like
// the real one: URL-encoded project paths and numeric ids, 301 from a moved
// project's old path to /projects/:id, offset pagination headers (X-Total
// left out where GitLab leaves it out: commits and trees), GitLab's error
// bodies, RateLimit-* headers. It ignores If-None-Match, as GitLab does.
// Mounted below a path prefix (https://host/gitlab/api/v4/...), it answers
// with links under that prefix. It is an http.Handler.
type GitLab struct {
	projects []*glProject
	byPath   map[string]*glProject // lower-case current and old paths
	users    map[string]bool       // user namespaces (not groups)
	resetAt  time.Time

	fakeforge.RequestCounter

	mu     sync.Mutex
	extras map[string]GitLabExtra
	ci     map[string]*fakeforge.CIRun // newest pipeline set after construction

	noGraphQL atomic.Bool
}

// SetGraphQL turns the GraphQL endpoint on (the default) or off (404, as
// on an instance behind a proxy that only passes /api/v4).
func (g *GitLab) SetGraphQL(on bool) { g.noGraphQL.Store(!on) }

// GitLabExtra holds what only GitLab says about a project.
type GitLabExtra struct {
	// CIConfigPath is the project's custom CI configuration path ("" the
	// default .gitlab-ci.yml); it may name another project's file
	// ("ci.yml@group/project") or a URL.
	CIConfigPath string
	// MergeRequestsDisabled, JobsDisabled turn the features off: GitLab then
	// answers 403 on their endpoints.
	MergeRequestsDisabled bool
	JobsDisabled          bool
	// Pipelines lists older pipelines of the default branch (newest first),
	// after Repo.CI, the newest.
	Pipelines []fakeforge.CIRun
	// LastActivityAt, when set, is the project's last_activity_at: issues,
	// merge requests and comments move it without a push. Zero: the
	// newest commit's date (else the creation date).
	LastActivityAt time.Time
}

// glProject is a Repo with what the GitLab handlers derive from it once.
type glProject struct {
	fakeforge.Repo
	id int64
	// entries maps a folder ("" root) to its direct children, sorted as
	// GitLab sorts them: folders first, then by name.
	entries map[string][]glEntry
}

type glEntry struct {
	path string
	dir  bool
}

// tree returns the entries of folder dir: its direct children, or with
// recursive every entry below it, each folder followed by its content.
func (p *glProject) tree(dir string, recursive bool) []glEntry {
	if !recursive {
		return p.entries[dir]
	}
	var all []glEntry
	var walk func(d string)
	walk = func(d string) {
		for _, e := range p.entries[d] {
			all = append(all, e)
			if e.dir {
				walk(e.path)
			}
		}
	}
	walk(dir)
	return all
}

// NewGitLab builds a fake GitLab serving repos. Project ids follow the
// order of repos, from 1. A repo with UserOwned belongs to a user
// namespace (its first path segment) rather than a group.
func NewGitLab(repos []fakeforge.Repo) *GitLab {
	g := &GitLab{
		byPath:  map[string]*glProject{},
		users:   map[string]bool{},
		extras:  map[string]GitLabExtra{},
		ci:      map[string]*fakeforge.CIRun{},
		resetAt: time.Now().Add(time.Minute).Truncate(time.Second),
	}
	for i, r := range repos {
		r.FillSHAs()
		p := &glProject{Repo: r, id: int64(i + 1), entries: glTree(r)}
		g.projects = append(g.projects, p)
		g.byPath[strings.ToLower(r.Path)] = p
		if r.UserOwned {
			g.users[strings.ToLower(strings.SplitN(r.Path, "/", 2)[0])] = true
		}
	}
	for _, p := range g.projects {
		for _, old := range p.OldPaths {
			if _, taken := g.byPath[strings.ToLower(old)]; !taken {
				g.byPath[strings.ToLower(old)] = p
			}
		}
	}
	return g
}

// SetExtra sets the GitLab-only facts of the project at path.
func (g *GitLab) SetExtra(path string, x GitLabExtra) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.extras[strings.ToLower(path)] = x
}

// SetCI replaces the newest pipeline of the project at path (nil: none),
// as a pipeline that ran or changed status without a push does.
func (g *GitLab) SetCI(path string, run *fakeforge.CIRun) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.ci[strings.ToLower(path)] = run
}

// latestCI is the project's newest pipeline.
func (g *GitLab) latestCI(p *glProject) *fakeforge.CIRun {
	g.mu.Lock()
	defer g.mu.Unlock()
	if run, ok := g.ci[strings.ToLower(p.Path)]; ok {
		return run
	}
	return p.CI
}

func (g *GitLab) extra(p *glProject) GitLabExtra {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.extras[strings.ToLower(p.Path)]
}

// glTree derives every folder's listing from the repo's files and sizes.
func glTree(r fakeforge.Repo) map[string][]glEntry {
	seen := map[string]bool{}
	out := map[string][]glEntry{}
	add := func(p string, dir bool) {
		if seen[p] {
			return
		}
		seen[p] = true
		parent := path.Dir(p)
		if parent == "." {
			parent = ""
		}
		out[parent] = append(out[parent], glEntry{path: p, dir: dir})
	}
	addFile := func(p string) {
		p = strings.Trim(p, "/")
		parts := strings.Split(p, "/")
		for i := 1; i < len(parts); i++ {
			add(strings.Join(parts[:i], "/"), true)
		}
		add(p, false)
	}
	for p := range r.Files {
		addFile(p)
	}
	for p := range r.Sizes {
		addFile(p)
	}
	for _, list := range out {
		sort.Slice(list, func(i, j int) bool {
			if list[i].dir != list[j].dir {
				return list[i].dir
			}
			return list[i].path < list[j].path
		})
	}
	return out
}

// glRequest is one parsed API request.
type glRequest struct {
	r      *http.Request
	prefix string   // instance path prefix ("" or "/gitlab")
	segs   []string // escaped path segments after /api/v4/
}

// base is the instance's web root as the client reached it.
func (q glRequest) base() string {
	scheme := "http"
	if q.r.TLS != nil {
		scheme = "https"
	}
	if fp := q.r.Header.Get("X-Forwarded-Proto"); fp != "" {
		scheme = fp
	}
	return scheme + "://" + q.r.Host + q.prefix
}

func (q glRequest) api() string { return q.base() + "/api/v4" }

// token is the request's token ("" anonymous): GitLab takes it in
// PRIVATE-TOKEN or as a bearer token.
func (q glRequest) token() string {
	if t := q.r.Header.Get("PRIVATE-TOKEN"); t != "" {
		return t
	}
	a := q.r.Header.Get("Authorization")
	if len(a) > len("Bearer ") && strings.EqualFold(a[:len("Bearer ")], "Bearer ") {
		return strings.TrimSpace(a[len("Bearer "):])
	}
	return ""
}

// ServeHTTP answers GitLab API v4 requests.
func (g *GitLab) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	esc := r.URL.EscapedPath()
	if strings.HasSuffix(esc, "/api/graphql") {
		g.Count(r.Method + " graphql")
		g.rateHeaders(w)
		if g.noGraphQL.Load() {
			glError(w, http.StatusNotFound, "error", "404 Not Found")
			return
		}
		g.serveGraphQL(w, glRequest{r: r, prefix: strings.TrimSuffix(esc, "/api/graphql")})
		return
	}
	i := strings.Index(esc, "/api/v4/")
	if i < 0 {
		g.Count(r.Method + " other")
		glError(w, http.StatusNotFound, "error", "404 Not Found")
		return
	}
	q := glRequest{r: r, prefix: esc[:i], segs: strings.Split(strings.Trim(esc[i+len("/api/v4/"):], "/"), "/")}
	g.Count(r.Method + " " + glRoute(q.segs))
	g.rateHeaders(w)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		glError(w, http.StatusMethodNotAllowed, "error", "405 Method Not Allowed")
		return
	}
	switch {
	case len(q.segs) >= 2 && q.segs[0] == "projects":
		g.serveProject(w, q)
	case len(q.segs) == 3 && q.segs[0] == "groups" && q.segs[2] == "projects":
		g.listGroup(w, q)
	case len(q.segs) == 2 && q.segs[0] == "groups":
		g.showGroup(w, q)
	case len(q.segs) == 3 && q.segs[0] == "users" && q.segs[2] == "projects":
		g.listUser(w, q)
	default:
		glError(w, http.StatusNotFound, "error", "404 Not Found")
	}
}

// glRoute names a request's route with its ids replaced, for counting.
func glRoute(segs []string) string {
	out := make([]string, len(segs))
	copy(out, segs)
	if len(out) >= 2 && (out[0] == "projects" || out[0] == "groups" || out[0] == "users") {
		out[1] = ":id"
	}
	if len(out) >= 5 && out[2] == "repository" && out[3] == "files" {
		out[4] = ":file"
	}
	if len(out) == 5 && out[2] == "repository" && out[3] == "commits" {
		out[4] = ":sha"
	}
	return strings.Join(out, "/")
}

func (g *GitLab) rateHeaders(w http.ResponseWriter) {
	n := g.Requests()
	const limit = 2000
	h := w.Header()
	h.Set("RateLimit-Limit", strconv.Itoa(limit))
	h.Set("RateLimit-Observed", strconv.Itoa(n))
	h.Set("RateLimit-Remaining", strconv.Itoa(max(0, limit-n)))
	h.Set("RateLimit-Reset", strconv.FormatInt(g.resetAt.Unix(), 10))
	h.Set("RateLimit-ResetTime", g.resetAt.UTC().Format(http.TimeFormat))
}

// glError writes GitLab's error body: {"message": "..."} for missing
// resources, {"error": "..."} for unknown routes.
func glError(w http.ResponseWriter, code int, key, msg string) {
	glJSON(w, code, map[string]string{key: msg})
}

// glJSON writes a JSON answer. Like GitLab it sends a weak ETag on
// success, and like GitLab it never answers 304 to If-None-Match.
func glJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if code == http.StatusOK {
		sum := sha256.Sum256(b)
		w.Header().Set("ETag", `W/"`+hex.EncodeToString(sum[:16])+`"`)
	}
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}

// glPage cuts one page out of n items and writes GitLab's offset pagination
// headers; withTotal adds X-Total and X-Total-Pages (and the "last" link),
// which GitLab omits on some lists.
func glPage(w http.ResponseWriter, q glRequest, n int, withTotal bool) (from, to int) {
	v := q.r.URL.Query()
	per, err := strconv.Atoi(v.Get("per_page"))
	if err != nil || per <= 0 {
		per = 20
	}
	per = min(per, 100)
	pg, err := strconv.Atoi(v.Get("page"))
	if err != nil || pg <= 0 {
		pg = 1
	}
	from = min((pg-1)*per, n)
	to = min(from+per, n)
	pages := max(1, (n+per-1)/per)
	h := w.Header()
	h.Set("X-Page", strconv.Itoa(pg))
	h.Set("X-Per-Page", strconv.Itoa(per))
	next, prev := "", ""
	if to < n {
		next = strconv.Itoa(pg + 1)
	}
	if pg > 1 {
		prev = strconv.Itoa(pg - 1)
	}
	h.Set("X-Next-Page", next)
	h.Set("X-Prev-Page", prev)
	link := func(p int, rel string) string {
		u := *q.r.URL
		vv := u.Query()
		vv.Set("page", strconv.Itoa(p))
		vv.Set("per_page", strconv.Itoa(per))
		u.RawQuery = vv.Encode()
		return fmt.Sprintf("<%s://%s%s>; rel=%q", strings.SplitN(q.base(), "://", 2)[0], q.r.Host, u.RequestURI(), rel)
	}
	var links []string
	if prev != "" {
		links = append(links, link(pg-1, "prev"))
	}
	if next != "" {
		links = append(links, link(pg+1, "next"))
	}
	links = append(links, link(1, "first"))
	if withTotal {
		h.Set("X-Total", strconv.Itoa(n))
		h.Set("X-Total-Pages", strconv.Itoa(pages))
		links = append(links, link(pages, "last"))
	}
	h.Set("Link", strings.Join(links, ", "))
	return from, to
}

// findProject resolves a project id segment: a numeric id or an
// URL-encoded path. moved is true when the path is an old one.
func (g *GitLab) findProject(seg, tok string) (p *glProject, moved bool) {
	if id, err := strconv.ParseInt(seg, 10, 64); err == nil {
		if id >= 1 && int(id) <= len(g.projects) {
			p = g.projects[id-1]
		}
	} else if s, err := url.PathUnescape(seg); err == nil {
		p = g.byPath[strings.ToLower(s)]
		moved = p != nil && !strings.EqualFold(p.Path, s)
	}
	if p == nil || !p.VisibleTo(tok) {
		return nil, false
	}
	return p, moved
}

func (g *GitLab) serveProject(w http.ResponseWriter, q glRequest) {
	p, moved := g.findProject(q.segs[1], q.token())
	if p == nil {
		glError(w, http.StatusNotFound, "message", "404 Project Not Found")
		return
	}
	if moved {
		// GitLab 16.3+ answers a GET on a moved project's old path with a
		// 301 to the same resource under the project's numeric id.
		loc := q.api() + "/projects/" + strconv.FormatInt(p.id, 10)
		if rest := q.segs[2:]; len(rest) > 0 {
			loc += "/" + strings.Join(rest, "/")
		}
		if q.r.URL.RawQuery != "" {
			loc += "?" + q.r.URL.RawQuery
		}
		w.Header().Set("Location", loc)
		glError(w, http.StatusMovedPermanently, "message", "301 Moved Permanently")
		return
	}
	x := g.extra(p)
	rest := q.segs[2:]
	v := q.r.URL.Query()
	switch {
	case len(rest) == 0:
		m := g.projectJSON(q, p, x, v.Get("license") == "true")
		if q.token() == "" {
			// GitLab answers an anonymous request with its ProjectDetails
			// entity (a token gets ProjectWithAccess).
			m = reducedEntity(m, true)
		}
		glJSON(w, http.StatusOK, m)
	case len(rest) == 2 && rest[0] == "repository" && rest[1] == "tree":
		g.tree(w, q, p)
	case len(rest) == 4 && rest[0] == "repository" && rest[1] == "files" && rest[3] == "raw":
		g.file(w, q, p, rest[2], true)
	case len(rest) == 3 && rest[0] == "repository" && rest[1] == "files":
		g.file(w, q, p, rest[2], false)
	case len(rest) == 2 && rest[0] == "repository" && rest[1] == "commits":
		g.commits(w, q, p)
	case len(rest) == 3 && rest[0] == "repository" && rest[1] == "commits":
		g.commit(w, q, p, x, rest[2])
	case len(rest) == 1 && rest[0] == "pipelines":
		g.pipelines(w, q, p, x)
	case len(rest) == 2 && rest[0] == "pipelines" && rest[1] == "latest":
		g.latestPipeline(w, q, p, x)
	case len(rest) == 1 && rest[0] == "merge_requests":
		g.mergeRequests(w, q, p, x)
	case len(rest) == 1 && rest[0] == "releases":
		g.releases(w, q, p)
	case len(rest) == 1 && rest[0] == "languages":
		langs := map[string]float64{}
		if p.Language != "" {
			langs[p.Language] = 100
		}
		glJSON(w, http.StatusOK, langs)
	default:
		glError(w, http.StatusNotFound, "error", "404 Not Found")
	}
}

// glLicenses names the licences the fake renders, by licensee key.
var glLicenses = map[string][2]string{
	"mit":          {"MIT License", "https://opensource.org/licenses/MIT"},
	"apache-2.0":   {"Apache License 2.0", "https://www.apache.org/licenses/LICENSE-2.0"},
	"gpl-3.0":      {"GNU General Public License v3.0", "https://www.gnu.org/licenses/gpl-3.0.txt"},
	"agpl-3.0":     {"GNU Affero General Public License v3.0", "https://www.gnu.org/licenses/agpl-3.0.txt"},
	"lgpl-3.0":     {"GNU Lesser General Public License v3.0", "https://www.gnu.org/licenses/lgpl-3.0.txt"},
	"eupl-1.2":     {"European Union Public License 1.2", "https://joinup.ec.europa.eu/collection/eupl"},
	"mpl-2.0":      {"Mozilla Public License 2.0", "https://www.mozilla.org/media/MPL/2.0/index.txt"},
	"bsd-3-clause": {"BSD 3-Clause \"New\" or \"Revised\" License", "https://opensource.org/licenses/BSD-3-Clause"},
}

// glLicenseKey turns the model's SPDX id into GitLab's lower-case licensee
// key: "NOASSERTION" is "other", the GNU "-only"/"-or-later" forms are
// licensee's bare ones.
func glLicenseKey(spdx string) string {
	switch spdx {
	case "":
		return ""
	case "NOASSERTION":
		return "other"
	}
	k := strings.ToLower(spdx)
	k = strings.TrimSuffix(strings.TrimSuffix(k, "-only"), "-or-later")
	return k
}

func glTS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// blobURL is a file's web link as GitLab writes it.
func (q glRequest) blobURL(p *glProject, file string) string {
	return q.base() + "/" + p.Path + "/-/blob/" + p.DefaultBranch + "/" + file
}

// readme picks the README GitLab shows: in the root, a previewable markup
// first, then plain text, then anything else named README.
func (p *glProject) readme() string {
	best, bestRank := "", 99
	for _, e := range p.entries[""] {
		if e.dir {
			continue
		}
		n := strings.ToLower(e.path)
		if n != "readme" && !strings.HasPrefix(n, "readme.") {
			continue
		}
		rank := 2
		switch path.Ext(n) {
		case ".md", ".markdown", ".rst", ".adoc", ".asciidoc", ".org", ".textile", ".rdoc", ".mediawiki", ".wiki", ".creole", ".pod":
			rank = 0
		case ".txt", "":
			rank = 1
		}
		if rank < bestRank || rank == bestRank && e.path < best {
			best, bestRank = e.path, rank
		}
	}
	return best
}

// licenseFile is the top-level file GitLab's detector reads.
func (p *glProject) licenseFile() string {
	for _, e := range p.entries[""] {
		n := strings.ToUpper(e.path)
		if e.dir {
			continue
		}
		for _, base := range []string{"LICENSE", "LICENCE", "COPYING", "UNLICENSE"} {
			// licensee also takes LICENSE_FR.md, LICENSE-MIT...
			if n == base || strings.HasPrefix(n, base+".") || strings.HasPrefix(n, base+"-") || strings.HasPrefix(n, base+"_") {
				return e.path
			}
		}
	}
	return ""
}

func (g *GitLab) projectJSON(q glRequest, p *glProject, x GitLabExtra, withLicense bool) map[string]any {
	ns, name := "", p.Path
	if i := strings.LastIndex(p.Path, "/"); i >= 0 {
		ns, name = p.Path[:i], p.Path[i+1:]
	}
	web := q.base() + "/" + p.Path
	empty := p.DefaultBranch == "" // the model's word for an empty repository
	topics := p.Topics
	if topics == nil {
		topics = []string{}
	}
	lastActivity := p.CreatedAt
	if len(p.Commits) > 0 {
		lastActivity = p.Commits[0].Date
	}
	if !x.LastActivityAt.IsZero() {
		lastActivity = x.LastActivityAt
	}
	m := map[string]any{
		"id":                  p.id,
		"description":         nilIfGL(p.Description == "", p.Description),
		"name":                name,
		"name_with_namespace": strings.ReplaceAll(p.Path, "/", " / "),
		"path":                name,
		"path_with_namespace": p.Path,
		"created_at":          glTS(p.CreatedAt),
		"default_branch":      nilIfGL(p.DefaultBranch == "", p.DefaultBranch),
		"tag_list":            topics,
		"topics":              topics,
		"ssh_url_to_repo":     "git@" + q.r.Host + ":" + p.Path + ".git",
		"http_url_to_repo":    web + ".git",
		"web_url":             web,
		"readme_url":          nil,
		"forks_count":         p.Forks,
		"avatar_url":          nil,
		"star_count":          p.Stars,
		"last_activity_at":    glTS(lastActivity),
		"namespace": map[string]any{
			"id": 1000 + len(ns), "name": path.Base(ns), "path": path.Base(ns), "full_path": ns,
			"kind": map[bool]string{true: "user", false: "group"}[g.users[strings.ToLower(ns)]],
		},
		"container_registry_image_prefix": q.r.Host + "/" + strings.ToLower(p.Path),
		"_links": map[string]any{
			"self":   q.api() + "/projects/" + strconv.FormatInt(p.id, 10),
			"issues": q.api() + "/projects/" + strconv.FormatInt(p.id, 10) + "/issues",
		},
		"packages_enabled":                  true,
		"empty_repo":                        empty,
		"archived":                          p.Archived,
		"visibility":                        p.Visibility(),
		"resolve_outdated_diff_discussions": false,
		"issues_enabled":                    p.OpenIssues >= 0,
		"merge_requests_enabled":            !x.MergeRequestsDisabled,
		"wiki_enabled":                      true,
		"jobs_enabled":                      !x.JobsDisabled,
		"snippets_enabled":                  true,
		"issues_access_level":               map[bool]string{true: "enabled", false: "disabled"}[p.OpenIssues >= 0],
		"repository_access_level":           "enabled",
		"merge_requests_access_level":       map[bool]string{true: "disabled", false: "enabled"}[x.MergeRequestsDisabled],
		"builds_access_level":               map[bool]string{true: "disabled", false: "enabled"}[x.JobsDisabled],
		"ci_config_path":                    x.CIConfigPath,
		"shared_with_groups":                []any{},
		"statistics":                        nil,
		"license_url":                       nil,
	}
	if readme := p.readme(); readme != "" && !empty {
		m["readme_url"] = q.blobURL(p, readme)
	}
	// Like GitLab, the issue count is only there when issues are on.
	if p.OpenIssues >= 0 {
		m["open_issues_count"] = p.OpenIssues
	}
	if p.Fork {
		parent := "upstream/" + name
		m["forked_from_project"] = map[string]any{
			"id": 100000 + p.id, "name": name, "path": name, "path_with_namespace": parent,
			"web_url": q.base() + "/" + parent,
		}
	}
	if withLicense {
		lf := p.licenseFile()
		if lf != "" && !empty && p.License != "" {
			m["license_url"] = q.blobURL(p, lf)
		}
		if key := glLicenseKey(p.License); key != "" && !empty {
			lic := map[string]any{"key": key, "name": "Other", "nickname": nil, "html_url": nil, "source_url": nil}
			if n, ok := glLicenses[key]; ok {
				lic["name"], lic["html_url"], lic["source_url"] = n[0], n[1], n[1]
			} else if key != "other" {
				lic["name"] = p.License
			}
			m["license"] = lic
		} else {
			m["license"] = nil
		}
	}
	return m
}

func nilIfGL(cond bool, v any) any {
	if cond {
		return nil
	}
	return v
}

// ref checks the request's ref names the default branch (or is absent).
func (p *glProject) ref(v string) bool {
	return v == "" || v == p.DefaultBranch || v == "HEAD"
}

func (g *GitLab) tree(w http.ResponseWriter, q glRequest, p *glProject) {
	v := q.r.URL.Query()
	if p.DefaultBranch == "" || !p.ref(v.Get("ref")) {
		glError(w, http.StatusNotFound, "message", "404 Tree Not Found")
		return
	}
	dir := strings.Trim(v.Get("path"), "/")
	if _, ok := p.entries[dir]; !ok {
		if dir == "" {
			glJSON(w, http.StatusOK, []any{})
			return
		}
		glError(w, http.StatusNotFound, "message", "404 Tree Not Found")
		return
	}
	all := p.tree(dir, v.Get("recursive") == "true")
	from, to := glPage(w, q, len(all), false)
	out := make([]map[string]any, 0, to-from)
	for _, e := range all[from:to] {
		typ, mode := "blob", "100644"
		if e.dir {
			typ, mode = "tree", "040000"
		}
		out = append(out, map[string]any{
			"id": fakeforge.SHA(p.Path + ":" + e.path), "name": path.Base(e.path), "type": typ, "path": e.path, "mode": mode,
		})
	}
	glJSON(w, http.StatusOK, out)
}

// content returns a file's bytes: its text, or filler of its size.
func (p *glProject) content(file string) ([]byte, bool) {
	if s, ok := p.Files[file]; ok {
		return []byte(s), true
	}
	if n, ok := p.Sizes[file]; ok {
		return []byte(strings.Repeat("x", int(n))), true
	}
	return nil, false
}

func (g *GitLab) file(w http.ResponseWriter, q glRequest, p *glProject, seg string, raw bool) {
	file, err := url.PathUnescape(seg)
	if err != nil || p.DefaultBranch == "" || !p.ref(q.r.URL.Query().Get("ref")) {
		glError(w, http.StatusNotFound, "message", "404 File Not Found")
		return
	}
	body, ok := p.content(file)
	if !ok {
		glError(w, http.StatusNotFound, "message", "404 File Not Found")
		return
	}
	sum := sha256.Sum256(body)
	head := ""
	if len(p.Commits) > 0 {
		head = p.Commits[0].SHA
	}
	h := w.Header()
	h.Set("X-Gitlab-Blob-Id", fakeforge.SHA(p.Path+":"+file))
	h.Set("X-Gitlab-Commit-Id", head)
	h.Set("X-Gitlab-Content-Sha256", hex.EncodeToString(sum[:]))
	h.Set("X-Gitlab-File-Name", path.Base(file))
	h.Set("X-Gitlab-File-Path", file)
	h.Set("X-Gitlab-Last-Commit-Id", head)
	h.Set("X-Gitlab-Ref", p.DefaultBranch)
	h.Set("X-Gitlab-Size", strconv.Itoa(len(body)))
	if raw {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		if q.r.Method != http.MethodHead {
			_, _ = w.Write(body)
		}
		return
	}
	h.Set("X-Gitlab-Encoding", "base64")
	if q.r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	glJSON(w, http.StatusOK, map[string]any{
		"file_name": path.Base(file), "file_path": file, "size": len(body), "encoding": "base64",
		"content": base64.StdEncoding.EncodeToString(body), "content_sha256": hex.EncodeToString(sum[:]),
		"ref": p.DefaultBranch, "blob_id": fakeforge.SHA(p.Path + ":" + file), "commit_id": head, "last_commit_id": head,
		"execute_filemode": false,
	})
}

func glParseTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// commits lists the default branch's commits, newest first, filtered by
// since/until on the committer date, without X-Total (GitLab leaves it out
// of this list: counting means paging).
func (g *GitLab) commits(w http.ResponseWriter, q glRequest, p *glProject) {
	v := q.r.URL.Query()
	if p.DefaultBranch == "" {
		glJSON(w, http.StatusOK, []any{})
		return
	}
	if !p.ref(v.Get("ref_name")) {
		glError(w, http.StatusNotFound, "message", "404 Revision Not Found")
		return
	}
	since, hasSince := glParseTime(v.Get("since"))
	until, hasUntil := glParseTime(v.Get("until"))
	var idx []int
	for i, c := range p.Commits {
		if hasSince && c.Date.Before(since) || hasUntil && c.Date.After(until) {
			continue
		}
		idx = append(idx, i)
	}
	from, to := glPage(w, q, len(idx), false)
	out := make([]map[string]any, 0, to-from)
	for _, i := range idx[from:to] {
		c := p.Commits[i]
		authored := c.AuthoredAt
		if authored.IsZero() {
			authored = c.Date
		}
		parents := []string{}
		if i+1 < len(p.Commits) {
			parents = append(parents, p.Commits[i+1].SHA)
		}
		title := strings.SplitN(c.Message, "\n", 2)[0]
		out = append(out, map[string]any{
			"id": c.SHA, "short_id": c.SHA[:8], "created_at": glTS(c.Date), "parent_ids": parents,
			"title": title, "message": c.Message,
			"author_name": c.AuthorName, "author_email": c.AuthorEmail, "authored_date": glTS(authored),
			"committer_name": c.AuthorName, "committer_email": c.AuthorEmail, "committed_date": glTS(c.Date),
			"trailers": map[string]any{}, "extended_trailers": map[string]any{},
			"web_url": q.base() + "/" + p.Path + "/-/commit/" + c.SHA,
		})
	}
	glJSON(w, http.StatusOK, out)
}

// commit answers GET /projects/:id/repository/commits/:sha, where sha may
// be a branch name (the branch's head): GitLab's commit detail, with the
// latest pipeline of that commit (null when it has none, or when CI/CD is
// off and pipelines cannot be read).
func (g *GitLab) commit(w http.ResponseWriter, q glRequest, p *glProject, x GitLabExtra, seg string) {
	ref, err := url.PathUnescape(seg)
	if err != nil {
		glError(w, http.StatusBadRequest, "error", "sha is invalid")
		return
	}
	i := -1
	for j, c := range p.Commits {
		if c.SHA == ref {
			i = j
			break
		}
	}
	if i < 0 && ref == p.DefaultBranch && len(p.Commits) > 0 {
		i = 0
	}
	if i < 0 {
		glError(w, http.StatusNotFound, "message", "404 Commit Not Found")
		return
	}
	c := p.Commits[i]
	authored := c.AuthoredAt
	if authored.IsZero() {
		authored = c.Date
	}
	parents := []string{}
	if i+1 < len(p.Commits) {
		parents = append(parents, p.Commits[i+1].SHA)
	}
	var last map[string]any
	if !x.JobsDisabled {
		for _, pl := range g.pipelineList(q, p, x) {
			if pl["sha"] == c.SHA {
				last = pl
				break
			}
		}
	}
	out := map[string]any{
		"id": c.SHA, "short_id": c.SHA[:8], "created_at": glTS(c.Date), "parent_ids": parents,
		"title": strings.SplitN(c.Message, "\n", 2)[0], "message": c.Message,
		"author_name": c.AuthorName, "author_email": c.AuthorEmail, "authored_date": glTS(authored),
		"committer_name": c.AuthorName, "committer_email": c.AuthorEmail, "committed_date": glTS(c.Date),
		"trailers": map[string]any{}, "extended_trailers": map[string]any{},
		"web_url": q.base() + "/" + p.Path + "/-/commit/" + c.SHA,
		"stats":   map[string]any{"additions": 1, "deletions": 0, "total": 1},
		"status":  nil, "project_id": p.id, "last_pipeline": last,
	}
	if last != nil {
		out["status"] = last["status"]
	}
	glJSON(w, http.StatusOK, out)
}

// glPipelineStatus turns the model's words into GitLab's: failure is
// "failed"; GitLab's own words (canceled, skipped, manual...) pass through.
func glPipelineStatus(s string) string {
	if s == "failure" {
		return "failed"
	}
	return s
}

func (g *GitLab) pipelineList(q glRequest, p *glProject, x GitLabExtra) []map[string]any {
	var runs []fakeforge.CIRun
	if ci := g.latestCI(p); ci != nil {
		runs = append(runs, *ci)
	}
	runs = append(runs, x.Pipelines...)
	out := make([]map[string]any, 0, len(runs))
	for i, run := range runs {
		id := p.id*1000 + int64(len(runs)-i)
		sha := ""
		if i < len(p.Commits) {
			sha = p.Commits[i].SHA
		}
		out = append(out, map[string]any{
			"id": id, "iid": len(runs) - i, "project_id": p.id, "sha": sha, "ref": p.DefaultBranch,
			"status": glPipelineStatus(run.State), "source": "push",
			"created_at": glTS(run.At), "updated_at": glTS(run.At),
			"web_url": q.base() + "/" + p.Path + "/-/pipelines/" + strconv.FormatInt(id, 10),
		})
	}
	return out
}

func (g *GitLab) pipelines(w http.ResponseWriter, q glRequest, p *glProject, x GitLabExtra) {
	if x.JobsDisabled {
		glError(w, http.StatusForbidden, "message", "403 Forbidden")
		return
	}
	all := g.pipelineList(q, p, x)
	if ref := q.r.URL.Query().Get("ref"); ref != "" && ref != p.DefaultBranch {
		all = nil
	}
	from, to := glPage(w, q, len(all), true)
	glJSON(w, http.StatusOK, all[from:to])
}

// latestPipeline answers like GitLab: 403 when the head commit has no
// pipeline (which is why the crawler lists pipelines instead).
func (g *GitLab) latestPipeline(w http.ResponseWriter, q glRequest, p *glProject, x GitLabExtra) {
	all := g.pipelineList(q, p, x)
	if x.JobsDisabled || len(all) == 0 {
		glError(w, http.StatusForbidden, "message", "403 Forbidden")
		return
	}
	glJSON(w, http.StatusOK, all[0])
}

func (g *GitLab) mergeRequests(w http.ResponseWriter, q glRequest, p *glProject, x GitLabExtra) {
	if x.MergeRequestsDisabled {
		glError(w, http.StatusForbidden, "message", "403 Forbidden")
		return
	}
	n := p.OpenPullRequests
	if st := q.r.URL.Query().Get("state"); st != "" && st != "opened" && st != "all" {
		n = 0
	}
	from, to := glPage(w, q, n, n <= 10000)
	out := make([]map[string]any, 0, to-from)
	for i := from; i < to; i++ {
		iid := n - i
		out = append(out, map[string]any{
			"id": p.id*100000 + int64(iid), "iid": iid, "project_id": p.id, "title": fmt.Sprintf("MR %d", iid),
			"state": "opened", "draft": false, "target_branch": p.DefaultBranch, "source_branch": fmt.Sprintf("feature-%d", iid),
			"web_url": q.base() + "/" + p.Path + "/-/merge_requests/" + strconv.Itoa(iid),
		})
	}
	glJSON(w, http.StatusOK, out)
}

func (g *GitLab) releases(w http.ResponseWriter, q glRequest, p *glProject) {
	from, to := glPage(w, q, len(p.Releases), true)
	out := make([]map[string]any, 0, to-from)
	for _, r := range p.Releases[from:to] {
		out = append(out, map[string]any{
			"tag_name": r.Tag, "name": r.Name, "description": "", "created_at": glTS(r.PublishedAt),
			"released_at": glTS(r.PublishedAt), "upcoming_release": false,
			"_links": map[string]any{"self": q.base() + "/" + p.Path + "/-/releases/" + url.PathEscape(r.Tag)},
		})
	}
	glJSON(w, http.StatusOK, out)
}

// groupProjects lists the projects below a namespace that a request with
// the token tok sees (anonymous: public ones only), of the visibility
// asked ("" any): directly in it, or in any subgroup too.
func (g *GitLab) groupProjects(ns string, subgroups bool, tok, visibility string) (list []*glProject, exists bool) {
	prefix := strings.ToLower(ns) + "/"
	for _, p := range g.projects {
		lp := strings.ToLower(p.Path)
		if !strings.HasPrefix(lp, prefix) {
			continue
		}
		exists = true
		if !p.VisibleTo(tok) || visibility != "" && p.Visibility() != visibility {
			continue
		}
		if !subgroups && strings.Contains(lp[len(prefix):], "/") {
			continue
		}
		list = append(list, p)
	}
	return list, exists
}

// basicProjectDetails are the fields of GitLab's BasicProjectDetails
// entity (with ProjectIdentity's), as a public project shows them to an
// anonymous request: no archived, empty_repo, open_issues_count,
// ci_config_path nor access level. license and license_url only when
// asked. Recent versions add visibility; the fake answers as earlier ones,
// the case a reader must cope with.
var basicProjectDetails = []string{
	"id", "description", "name", "name_with_namespace", "path", "path_with_namespace", "created_at",
	"default_branch", "tag_list", "topics", "ssh_url_to_repo", "http_url_to_repo", "web_url",
	"readme_url", "forks_count", "license_url", "license", "avatar_url", "star_count",
	"last_activity_at", "namespace",
}

// reducedEntity keeps of a full project entity what GitLab answers an
// anonymous request with: BasicProjectDetails, plus forked_from_project
// for ProjectDetails (GET /projects/:id).
func reducedEntity(m map[string]any, details bool) map[string]any {
	out := map[string]any{}
	for _, k := range basicProjectDetails {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	if v, ok := m["forked_from_project"]; ok && details {
		out["forked_from_project"] = v
	}
	return out
}

// writeProjectList writes a page of projects; anonymousEntity says the
// route answers an anonymous request with BasicProjectDetails (a user's
// projects; a group's answer Entities::Project, token or not).
func (g *GitLab) writeProjectList(w http.ResponseWriter, q glRequest, list []*glProject, anonymousEntity bool) {
	v := q.r.URL.Query()
	if term := strings.ToLower(v.Get("search")); term != "" {
		// GitLab matches the name, the path and the description.
		var kept []*glProject
		for _, p := range list {
			if strings.Contains(strings.ToLower(path.Base(p.Path)), term) || strings.Contains(strings.ToLower(p.Description), term) {
				kept = append(kept, p)
			}
		}
		list = kept
	}
	if a := v.Get("archived"); a != "" {
		want := a == "true"
		var kept []*glProject
		for _, p := range list {
			if p.Archived == want {
				kept = append(kept, p)
			}
		}
		list = kept
	}
	// GitLab's default order is created_at desc; id asc on request.
	sorted := append([]*glProject(nil), list...)
	if v.Get("order_by") == "id" && v.Get("sort") == "asc" {
		sort.Slice(sorted, func(i, j int) bool { return sorted[i].id < sorted[j].id })
	} else {
		sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].CreatedAt.After(sorted[j].CreatedAt) })
	}
	from, to := glPage(w, q, len(sorted), true)
	out := make([]map[string]any, 0, to-from)
	for _, p := range sorted[from:to] {
		// List entries carry no licence, as on GitLab.
		m := g.projectJSON(q, p, g.extra(p), false)
		if anonymousEntity && q.token() == "" {
			m = reducedEntity(m, false)
		}
		out = append(out, m)
	}
	glJSON(w, http.StatusOK, out)
}

func (g *GitLab) isGroup(ns string) bool {
	if g.users[strings.ToLower(strings.SplitN(ns, "/", 2)[0])] {
		return false
	}
	_, exists := g.groupProjects(ns, true, "", "")
	return exists
}

func (g *GitLab) listGroup(w http.ResponseWriter, q glRequest) {
	ns, err := url.PathUnescape(q.segs[1])
	if err != nil || !g.isGroup(ns) {
		glError(w, http.StatusNotFound, "message", "404 Group Not Found")
		return
	}
	list, _ := g.groupProjects(ns, q.r.URL.Query().Get("include_subgroups") == "true", q.token(), q.r.URL.Query().Get("visibility"))
	g.writeProjectList(w, q, list, false)
}

func (g *GitLab) showGroup(w http.ResponseWriter, q glRequest) {
	ns, err := url.PathUnescape(q.segs[1])
	if err != nil || !g.isGroup(ns) {
		glError(w, http.StatusNotFound, "message", "404 Group Not Found")
		return
	}
	glJSON(w, http.StatusOK, map[string]any{
		"id": 1000 + len(ns), "name": path.Base(ns), "path": path.Base(ns), "full_path": ns,
		"web_url": q.base() + "/groups/" + ns, "visibility": "public",
	})
}

func (g *GitLab) listUser(w http.ResponseWriter, q glRequest) {
	user, err := url.PathUnescape(q.segs[1])
	if err != nil || !g.users[strings.ToLower(user)] {
		glError(w, http.StatusNotFound, "message", "404 User Not Found")
		return
	}
	list, _ := g.groupProjects(user, false, q.token(), q.r.URL.Query().Get("visibility"))
	g.writeProjectList(w, q, list, true)
}
