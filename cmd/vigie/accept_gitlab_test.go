package main

// An acceptance test of vigie against a GitLab REST API v4 written from
// GitLab's API documentation alone (projects, repository tree, files,
// commits, pipelines, merge requests, releases, group projects), with
// GitLab's pagination headers and error bodies, and no GraphQL endpoint
// (/api/graphql answers 404, as on an instance that has it turned off).
// It shares no code with fakeforge, so the two cannot share a mistake.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// glaProject is one project of the test GitLab.
type glaProject struct {
	path          string // path_with_namespace
	branch        string // "" with empty: default_branch null
	empty         bool
	archived      bool
	private       bool // 404 to everyone
	fork          bool
	licenseKey    string // "" no licence detected
	licenseFile   string // the file GitLab's detector read
	readme        string // the README GitLab shows ("" readme_url null)
	oldBlobURLs   bool   // readme_url and license_url without "/-/" (GitLab < 11)
	ciConfigPath  string // "" the default
	buildsOff     bool   // CI/CD disabled: builds_access_level disabled, pipelines 403
	pipelines403  bool   // CI/CD on, pipelines visible to members only
	pipelines     []string
	files         map[string]string
	commits       []time.Time // any order
	oldPaths      []string    // paths it had before a move
	moveRedirects bool        // an old path answers 301 (GitLab >= 16.4) rather than 200
	issuesOff     bool
	// Shapes seen on other GitLab versions or stand-ins.
	noHead          bool // HEAD answers 405 (a server that only routes GET)
	noEmptyFlag     bool // empty, but answering empty_repo false and default_branch "main"
	readmeOtherHost bool // readme_url on another host than web_url, without "/-/"
	// meta overrides description, topics, forks_count and the
	// namespace's kind (userAcc: a personal namespace).
	meta *ghaMeta
}

// glaServer is the test GitLab; prefix is the path it is served under
// ("" or "/gitlab"), web its public web base.
type glaServer struct {
	t        *testing.T
	prefix   string
	web      string
	projects []*glaProject
	groups   map[string]bool
	users    map[string]bool // namespaces that are users' (the others are groups)
	token    string          // the token every call must carry ("" none)
	// started dates the pipelines: a real pipeline's times do not move
	// between two crawls.
	started time.Time

	mu       sync.Mutex
	requests []string
	badAuth  []string
	unknown  []string
}

func (s *glaServer) byID(id int) *glaProject {
	if id < 1 || id > len(s.projects) {
		return nil
	}
	return s.projects[id-1]
}

func (s *glaServer) idOf(p *glaProject) int {
	for i, q := range s.projects {
		if q == p {
			return i + 1
		}
	}
	return 0
}

// lookup finds a project by id or full path (case-insensitive, as GitLab);
// moved is true when an old path named it.
func (s *glaServer) lookup(key string) (p *glaProject, moved bool) {
	if n, err := strconv.Atoi(key); err == nil {
		return s.byID(n), false
	}
	for _, q := range s.projects {
		if strings.EqualFold(q.path, key) {
			return q, false
		}
	}
	for _, q := range s.projects {
		for _, o := range q.oldPaths {
			if strings.EqualFold(o, key) {
				return q, true
			}
		}
	}
	return nil, false
}

func glaJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func glaMessage(w http.ResponseWriter, code int, msg string) {
	glaJSON(w, code, map[string]string{"message": msg})
}

// glaPage answers one page of a list with GitLab's offset pagination
// headers; total false leaves out X-Total, X-Total-Pages and the "last"
// link, as the commits list does.
func glaPage[T any](w http.ResponseWriter, r *http.Request, items []T, total bool) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	if page < 1 {
		page = 1
	}
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per < 1 {
		per = 20
	}
	per = min(per, 100)
	start := min((page-1)*per, len(items))
	end := min(start+per, len(items))
	out := items[start:end]
	if out == nil {
		out = []T{}
	}
	h := w.Header()
	h.Set("X-Page", strconv.Itoa(page))
	h.Set("X-Per-Page", strconv.Itoa(per))
	h.Set("X-Prev-Page", "")
	if page > 1 {
		h.Set("X-Prev-Page", strconv.Itoa(page-1))
	}
	h.Set("X-Next-Page", "")
	link := func(p int, rel string) string {
		u := *r.URL
		u.Scheme, u.Host = "http", r.Host
		qq := u.Query()
		qq.Set("page", strconv.Itoa(p))
		qq.Set("per_page", strconv.Itoa(per))
		u.RawQuery = qq.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if page > 1 {
		links = append(links, link(page-1, "prev"))
	}
	if end < len(items) {
		h.Set("X-Next-Page", strconv.Itoa(page+1))
		links = append(links, link(page+1, "next"))
	}
	links = append(links, link(1, "first"))
	if total {
		pages := max((len(items)+per-1)/per, 1)
		h.Set("X-Total", strconv.Itoa(len(items)))
		h.Set("X-Total-Pages", strconv.Itoa(pages))
		links = append(links, link(pages, "last"))
	}
	h.Set("Link", strings.Join(links, ", "))
	glaJSON(w, http.StatusOK, out)
}

func (s *glaServer) webURL(p *glaProject) string { return s.web + "/" + p.path }

func (s *glaServer) blobURL(p *glaProject, file string) string {
	if p.oldBlobURLs {
		return s.webURL(p) + "/blob/" + p.branch + "/" + file
	}
	return s.webURL(p) + "/-/blob/" + p.branch + "/" + file
}

var glaLicenseNames = map[string][3]string{
	"mit":        {"MIT License", "", "https://opensource.org/licenses/MIT"},
	"apache-2.0": {"Apache License 2.0", "", "http://www.apache.org/licenses/LICENSE-2.0.html"},
	"gpl-3.0":    {"GNU General Public License v3.0", "GNU GPLv3", "http://www.gnu.org/licenses/gpl-3.0.txt"},
	"lgpl-3.0":   {"GNU Lesser General Public License v3.0", "GNU LGPLv3", "http://www.gnu.org/licenses/lgpl-3.0.txt"},
	"agpl-3.0":   {"GNU Affero General Public License v3.0", "GNU AGPLv3", "https://www.gnu.org/licenses/agpl.txt"},
	"eupl-1.2":   {"European Union Public License 1.2", "", "https://joinup.ec.europa.eu/page/eupl-text-11-12"},
	"other":      {"Other", "", ""},
}

// projectJSON is the project entity as GET /projects/:id answers it to an
// anonymous user or a Guest (no statistics), with the licence when asked.
func (s *glaServer) projectJSON(p *glaProject, withLicense bool) map[string]any {
	id := s.idOf(p)
	ns, name := "", p.path
	if i := strings.LastIndex(p.path, "/"); i >= 0 {
		ns, name = p.path[:i], p.path[i+1:]
	}
	var branch, readme, licenseURL any
	if p.noEmptyFlag {
		branch = "main"
	}
	if !p.empty {
		branch = p.branch
		if p.readme != "" {
			readme = s.blobURL(p, p.readme)
		}
		if p.readmeOtherHost {
			readme = "http://gitlab.internal:8080/" + p.path + "/blob/" + p.branch + "/" + p.readme
		}
		if p.licenseFile != "" {
			licenseURL = s.blobURL(p, p.licenseFile)
		}
	}
	last := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range p.commits {
		if c.After(last) {
			last = c
		}
	}
	kind := "group"
	if s.users[strings.ToLower(ns)] {
		kind = "user"
	}
	access := func(off bool) string {
		if off {
			return "disabled"
		}
		return "enabled"
	}
	m := map[string]any{
		"id":                  id,
		"description":         "Projet " + name,
		"description_html":    "<p data-sourcepos=\"1:1-1:10\" dir=\"auto\">Projet " + name + "</p>",
		"name":                name,
		"name_with_namespace": strings.ReplaceAll(p.path, "/", " / "),
		"path":                name,
		"path_with_namespace": p.path,
		"created_at":          "2019-03-04T10:00:00.000Z",
		"default_branch":      branch,
		"tag_list":            []string{"eig"},
		"topics":              []string{"eig"},
		"ssh_url_to_repo":     "git@" + strings.TrimPrefix(s.web, "https://") + ":" + p.path + ".git",
		"http_url_to_repo":    s.webURL(p) + ".git",
		"web_url":             s.webURL(p),
		"readme_url":          readme,
		"forks_count":         0,
		"avatar_url":          nil,
		"star_count":          3,
		"last_activity_at":    last.Format("2006-01-02T15:04:05.000Z"),
		"namespace": map[string]any{
			"id": 100 + id, "name": ns, "path": ns[strings.LastIndex(ns, "/")+1:], "kind": kind, "full_path": ns,
			"parent_id": nil, "avatar_url": nil, "web_url": s.web + "/groups/" + ns,
		},
		"container_registry_image_prefix": "registry.example.org/" + p.path,
		"_links": map[string]string{
			"self":   s.web + "/api/v4/projects/" + strconv.Itoa(id),
			"issues": s.web + "/api/v4/projects/" + strconv.Itoa(id) + "/issues",
		},
		"packages_enabled":                      true,
		"empty_repo":                            p.empty && !p.noEmptyFlag,
		"archived":                              p.archived,
		"visibility":                            "public",
		"resolve_outdated_diff_discussions":     false,
		"container_registry_enabled":            true,
		"container_registry_access_level":       "enabled",
		"issues_enabled":                        !p.issuesOff,
		"merge_requests_enabled":                true,
		"wiki_enabled":                          true,
		"jobs_enabled":                          !p.buildsOff,
		"snippets_enabled":                      true,
		"service_desk_enabled":                  false,
		"can_create_merge_request_in":           false,
		"issues_access_level":                   access(p.issuesOff),
		"repository_access_level":               "enabled",
		"merge_requests_access_level":           "enabled",
		"forking_access_level":                  "enabled",
		"wiki_access_level":                     "enabled",
		"builds_access_level":                   access(p.buildsOff),
		"snippets_access_level":                 "enabled",
		"pages_access_level":                    "enabled",
		"analytics_access_level":                "enabled",
		"security_and_compliance_enabled":       false,
		"emails_disabled":                       false,
		"emails_enabled":                        true,
		"shared_runners_enabled":                true,
		"lfs_enabled":                           true,
		"creator_id":                            7,
		"import_status":                         "none",
		"ci_default_git_depth":                  20,
		"ci_forward_deployment_enabled":         true,
		"ci_config_path":                        p.ciConfigPath,
		"public_jobs":                           true,
		"build_timeout":                         3600,
		"auto_cancel_pending_pipelines":         "enabled",
		"build_coverage_regex":                  nil,
		"shared_with_groups":                    []any{},
		"only_allow_merge_if_pipeline_succeeds": false,
		"request_access_enabled":                true,
		"merge_method":                          "merge",
		"squash_option":                         "default_off",
		"statistics":                            nil,
		"compliance_frameworks":                 []string{},
	}
	if mt := p.meta; mt != nil {
		m["description"] = mt.description
		m["description_html"] = "<p dir=\"auto\">" + mt.description + "</p>"
		m["topics"], m["tag_list"] = ghaOrEmpty(mt.topics), ghaOrEmpty(mt.topics)
		m["forks_count"] = mt.forks
		if mt.userAcc {
			ns := m["namespace"].(map[string]any)
			ns["kind"], ns["web_url"] = "user", s.web+"/"+ns["full_path"].(string)
		}
	}
	if p.ciConfigPath == "" {
		// GitLab answers null for a project that never set it.
		m["ci_config_path"] = nil
	}
	if !p.issuesOff {
		m["open_issues_count"] = 2
	}
	if p.fork {
		m["forked_from_project"] = map[string]any{
			"id": 999, "name": "upstream", "path_with_namespace": "upstream/upstream",
			"web_url": s.web + "/upstream/upstream", "default_branch": "main",
		}
	}
	if withLicense {
		m["license_url"] = licenseURL
		m["license"] = nil
		if p.licenseKey != "" && !p.empty {
			n := glaLicenseNames[p.licenseKey]
			var nick, src, html any
			if n[1] != "" {
				nick = n[1]
			}
			if n[2] != "" {
				src = n[2]
			}
			if p.licenseKey != "other" {
				html = "http://choosealicense.com/licenses/" + p.licenseKey + "/"
			}
			m["license"] = map[string]any{"key": p.licenseKey, "name": n[0], "nickname": nick, "html_url": html, "source_url": src}
		}
	}
	return m
}

func (s *glaServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw := r.URL.EscapedPath()
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+raw+"?"+r.URL.RawQuery)
	if got := r.Header.Get("PRIVATE-TOKEN"); got != s.token || (s.token == "" && r.Header.Get("Authorization") != "") {
		s.badAuth = append(s.badAuth, r.Method+" "+raw)
	}
	s.mu.Unlock()
	if s.prefix != "" && !strings.HasPrefix(raw, s.prefix+"/") {
		http.NotFound(w, r)
		return
	}
	raw = strings.TrimPrefix(raw, s.prefix)
	if raw == "/api/graphql" {
		// GraphQL turned off on this instance.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "<html><body>The page you're looking for could not be found.</body></html>")
		return
	}
	rest, ok := strings.CutPrefix(raw, "/api/v4/")
	if !ok {
		s.notFound(w, r, "404 Not Found")
		return
	}
	segs := strings.Split(rest, "/")
	for i := range segs {
		segs[i], _ = url.PathUnescape(segs[i])
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		glaMessage(w, http.StatusMethodNotAllowed, "405 Method Not Allowed")
		return
	}
	switch {
	case len(segs) >= 2 && segs[0] == "projects":
		s.serveProject(w, r, segs[1], segs[2:])
	case len(segs) == 3 && segs[0] == "groups" && segs[2] == "projects":
		s.serveGroup(w, r, segs[1])
	case len(segs) == 3 && segs[0] == "users" && segs[2] == "projects":
		// A user's personal projects (GET /users/:user_id/projects).
		// Without a token GitLab answers it with BasicProjectDetails.
		var list []map[string]any
		for _, p := range s.projects {
			if !p.private && strings.EqualFold(p.path[:strings.LastIndex(p.path, "/")], segs[1]) && !s.groups[strings.ToLower(segs[1])] {
				m := s.projectJSON(p, false)
				if s.token == "" {
					m = glaReduced(m, false)
				}
				list = append(list, m)
			}
		}
		if list == nil {
			glaMessage(w, http.StatusNotFound, "404 User Not Found")
			return
		}
		glaPage(w, r, list, true)
	default:
		s.notFound(w, r, "404 Not Found")
	}
}

func (s *glaServer) notFound(w http.ResponseWriter, r *http.Request, msg string) {
	s.mu.Lock()
	s.unknown = append(s.unknown, r.Method+" "+r.URL.String())
	s.mu.Unlock()
	glaJSON(w, http.StatusNotFound, map[string]string{"error": msg})
}

// glaReduced keeps of a full project entity the fields of GitLab's
// BasicProjectDetails (GitLab before 18: no visibility), and
// forked_from_project for ProjectDetails: what GitLab answers a request
// without a token with, on GET /projects/:id and GET /users/:id/projects.
// GET /groups/:id/projects answers the full entity, token or not.
func glaReduced(m map[string]any, details bool) map[string]any {
	keep := []string{"id", "description", "name", "name_with_namespace", "path", "path_with_namespace", "created_at",
		"default_branch", "tag_list", "topics", "ssh_url_to_repo", "http_url_to_repo", "web_url", "readme_url",
		"forks_count", "license_url", "license", "avatar_url", "star_count", "last_activity_at", "namespace"}
	if details {
		keep = append(keep, "forked_from_project")
	}
	out := map[string]any{}
	for _, k := range keep {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}

func (s *glaServer) serveGroup(w http.ResponseWriter, r *http.Request, group string) {
	if !s.groups[strings.ToLower(group)] {
		glaMessage(w, http.StatusNotFound, "404 Group Not Found")
		return
	}
	subgroups := r.URL.Query().Get("include_subgroups") == "true"
	var list []map[string]any
	for _, p := range s.projects {
		if p.private {
			continue
		}
		ns := p.path[:strings.LastIndex(p.path, "/")]
		if term := r.URL.Query().Get("search"); term != "" && !strings.Contains(strings.ToLower(p.path[len(ns)+1:]), strings.ToLower(term)) {
			// GitLab matches the name, the path and the description.
			continue
		}
		if strings.EqualFold(ns, group) || subgroups && strings.HasPrefix(strings.ToLower(ns), strings.ToLower(group)+"/") {
			list = append(list, s.projectJSON(p, false))
		}
	}
	glaPage(w, r, list, true)
}

func (s *glaServer) serveProject(w http.ResponseWriter, r *http.Request, key string, rest []string) {
	p, moved := s.lookup(key)
	if p == nil || p.private {
		glaMessage(w, http.StatusNotFound, "404 Project Not Found")
		return
	}
	if moved && p.moveRedirects {
		if r.Method != http.MethodGet {
			glaMessage(w, http.StatusMethodNotAllowed, "405 Method Not Allowed")
			return
		}
		loc := s.prefix + "/api/v4/projects/" + strconv.Itoa(s.idOf(p))
		for _, seg := range rest {
			loc += "/" + url.PathEscape(seg)
		}
		if r.URL.RawQuery != "" {
			loc += "?" + r.URL.RawQuery
		}
		w.Header().Set("Location", "http://"+r.Host+loc)
		glaMessage(w, http.StatusMovedPermanently, "301 Moved Permanently")
		return
	}
	q := r.URL.Query()
	switch {
	case len(rest) == 0:
		m := s.projectJSON(p, q.Get("license") == "true")
		if s.token == "" {
			// GitLab answers a request without a token with its
			// ProjectDetails entity.
			m = glaReduced(m, true)
		}
		glaJSON(w, http.StatusOK, m)
	case len(rest) == 2 && rest[0] == "repository" && rest[1] == "tree":
		s.serveTree(w, r, p)
	case len(rest) >= 3 && rest[0] == "repository" && rest[1] == "files":
		s.serveFile(w, r, p, rest[2], len(rest) == 4 && rest[3] == "raw")
	case len(rest) == 2 && rest[0] == "repository" && rest[1] == "commits":
		s.serveCommits(w, r, p)
	case len(rest) == 3 && rest[0] == "repository" && rest[1] == "commits":
		s.serveCommit(w, r, p, rest[2])
	case len(rest) == 1 && rest[0] == "pipelines":
		s.servePipelines(w, r, p)
	case len(rest) == 1 && rest[0] == "merge_requests":
		glaPage(w, r, []map[string]any{}, true)
	case len(rest) == 1 && rest[0] == "releases":
		glaPage(w, r, []map[string]any{}, true)
	default:
		s.notFound(w, r, "404 Not Found")
	}
}

// ref checks the ref parameter: the default branch (or a SHA of it, not
// used here) or nothing.
func (s *glaServer) refOK(p *glaProject, ref string) bool {
	return !p.empty && (ref == "" || ref == p.branch || ref == "HEAD")
}

func (s *glaServer) serveTree(w http.ResponseWriter, r *http.Request, p *glaProject) {
	q := r.URL.Query()
	if !s.refOK(p, q.Get("ref")) {
		glaMessage(w, http.StatusNotFound, "404 Tree Not Found")
		return
	}
	dir := strings.Trim(q.Get("path"), "/")
	recursive := q.Get("recursive") == "true"
	type entry struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Type string `json:"type"`
		Path string `json:"path"`
		Mode string `json:"mode"`
	}
	seen := map[string]bool{}
	var out []entry
	found := dir == ""
	for f := range p.files {
		var rel string
		if dir == "" {
			rel = f
		} else if r, ok := strings.CutPrefix(f, dir+"/"); ok {
			rel = r
		} else {
			continue
		}
		found = true
		parts := strings.Split(rel, "/")
		n := 1
		if recursive {
			n = len(parts)
		}
		for i := 0; i < n; i++ {
			full := strings.Join(append([]string{dir}, parts[:i+1]...), "/")
			full = strings.TrimPrefix(full, "/")
			if seen[full] {
				continue
			}
			seen[full] = true
			e := entry{ID: fmt.Sprintf("%040x", len(full)), Name: parts[i], Path: full, Type: "blob", Mode: "100644"}
			if i < len(parts)-1 {
				e.Type, e.Mode = "tree", "040000"
			}
			out = append(out, e)
		}
	}
	if !found {
		glaMessage(w, http.StatusNotFound, "404 Tree Not Found")
		return
	}
	// GitLab lists folders first, then files, each by name.
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type == "tree"
		}
		return out[i].Path < out[j].Path
	})
	glaPage(w, r, out, true)
}

func (s *glaServer) serveFile(w http.ResponseWriter, r *http.Request, p *glaProject, file string, raw bool) {
	ref := r.URL.Query().Get("ref")
	body, ok := p.files[file]
	if !ok || !s.refOK(p, ref) || ref == "" {
		if ref == "" {
			glaJSON(w, http.StatusBadRequest, map[string]string{"error": "ref is missing"})
			return
		}
		glaMessage(w, http.StatusNotFound, "404 File Not Found")
		return
	}
	h := w.Header()
	h.Set("X-Gitlab-File-Name", file[strings.LastIndex(file, "/")+1:])
	h.Set("X-Gitlab-File-Path", file)
	h.Set("X-Gitlab-Size", strconv.Itoa(len(body)))
	h.Set("X-Gitlab-Encoding", "base64")
	h.Set("X-Gitlab-Ref", ref)
	if r.Method == http.MethodHead && p.noHead {
		glaMessage(w, http.StatusMethodNotAllowed, "405 Method Not Allowed")
		return
	}
	if raw {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			fmt.Fprint(w, body)
		}
		return
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	glaJSON(w, http.StatusOK, map[string]any{
		"file_name": file[strings.LastIndex(file, "/")+1:], "file_path": file, "size": len(body),
		"encoding": "base64", "ref": ref, "content": body,
	})
}

func (s *glaServer) serveCommits(w http.ResponseWriter, r *http.Request, p *glaProject) {
	q := r.URL.Query()
	if !s.refOK(p, q.Get("ref_name")) {
		glaMessage(w, http.StatusNotFound, "404 Reference Not Found")
		return
	}
	var since, until time.Time
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			glaJSON(w, http.StatusBadRequest, map[string]string{"error": "since is invalid"})
			return
		}
		since = t
	}
	if v := q.Get("until"); v != "" {
		until, _ = time.Parse(time.RFC3339, v)
	}
	dates := append([]time.Time(nil), p.commits...)
	sort.Slice(dates, func(i, j int) bool { return dates[i].After(dates[j]) })
	var out []map[string]any
	for i, d := range dates {
		if !since.IsZero() && d.Before(since) || !until.IsZero() && d.After(until) {
			continue
		}
		sha := fmt.Sprintf("%040x", 1_000_000*s.idOf(p)+len(dates)-i)
		author := fmt.Sprintf("dev%d", i%3)
		// GitLab gives the committer's own offset, with milliseconds.
		stamp := d.In(time.FixedZone("", 2*3600)).Format("2006-01-02T15:04:05.000-07:00")
		out = append(out, map[string]any{
			"id": sha, "short_id": sha[:8], "created_at": stamp, "parent_ids": []string{},
			"title": "commit " + strconv.Itoa(i), "message": "commit " + strconv.Itoa(i) + "\n",
			"author_name": author, "author_email": author + "@example.org", "authored_date": stamp,
			"committer_name": author, "committer_email": author + "@example.org", "committed_date": stamp,
			"trailers": map[string]any{}, "extended_trailers": map[string]any{}, "web_url": s.webURL(p) + "/-/commit/" + sha,
		})
	}
	glaPage(w, r, out, false)
}

// serveCommit answers GET /projects/:id/repository/commits/:sha for a
// branch name (its head), as GitLab documents it: the commit, with
// last_pipeline the latest pipeline of that very commit. This server's
// pipelines ran on other commits: last_pipeline is null.
func (s *glaServer) serveCommit(w http.ResponseWriter, r *http.Request, p *glaProject, seg string) {
	ref, err := url.PathUnescape(seg)
	if err != nil || p.empty || len(p.commits) == 0 || ref != p.branch {
		glaMessage(w, http.StatusNotFound, "404 Commit Not Found")
		return
	}
	dates := append([]time.Time(nil), p.commits...)
	sort.Slice(dates, func(i, j int) bool { return dates[i].After(dates[j]) })
	sha := fmt.Sprintf("%040x", 1_000_000*s.idOf(p)+len(dates))
	stamp := dates[0].In(time.FixedZone("", 2*3600)).Format("2006-01-02T15:04:05.000-07:00")
	glaJSON(w, http.StatusOK, map[string]any{
		"id": sha, "short_id": sha[:8], "created_at": stamp, "parent_ids": []string{},
		"title": "commit 0", "message": "commit 0\n",
		"author_name": "dev0", "author_email": "dev0@example.org", "authored_date": stamp,
		"committer_name": "dev0", "committer_email": "dev0@example.org", "committed_date": stamp,
		"web_url": s.webURL(p) + "/-/commit/" + sha, "stats": map[string]int{"additions": 1, "deletions": 0, "total": 1},
		"status": nil, "last_pipeline": nil, "project_id": s.idOf(p),
	})
}

func (s *glaServer) servePipelines(w http.ResponseWriter, r *http.Request, p *glaProject) {
	if p.buildsOff || p.pipelines403 {
		glaMessage(w, http.StatusForbidden, "403 Forbidden")
		return
	}
	q := r.URL.Query()
	var out []map[string]any
	if q.Get("ref") == "" || q.Get("ref") == p.branch {
		// pipelines holds the newest first.
		for i, st := range p.pipelines {
			id := 5000 + len(p.pipelines) - i
			at := s.started.Add(-time.Duration(i+1) * time.Hour).Format("2006-01-02T15:04:05.000Z")
			out = append(out, map[string]any{
				"id": id, "iid": id - 4000, "project_id": s.idOf(p), "sha": fmt.Sprintf("%040x", id), "ref": p.branch,
				"status": st, "source": "push", "created_at": at, "updated_at": at,
				"web_url": s.webURL(p) + "/-/pipelines/" + strconv.Itoa(id),
			})
		}
	}
	if q.Get("sort") == "asc" {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	glaPage(w, r, out, true)
}

// Licence texts, short but in their real wording.
const glaMIT = `MIT License

Copyright (c) 2021 Etalab

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`

const glaCeCILLB = `CONTRAT DE LICENCE DE LOGICIEL LIBRE CeCILL-B

Avertissement

Ce contrat est une licence de logiciel libre issue d'une concertation
entre ses auteurs afin que le respect de deux grands principes préside à
sa rédaction:

    * d'une part, le respect des principes de diffusion des logiciels
      libres: accès au code source, droits étendus conférés aux utilisateurs,
    * d'autre part, la désignation d'un droit applicable, le droit
      français, auquel elle est conforme, tant au regard du droit de la
      responsabilité civile que du droit de la propriété intellectuelle
      et de la protection qu'il offre aux auteurs et titulaires des droits
      patrimoniaux sur un logiciel.
`

const glaEtalab = `LICENCE OUVERTE / OPEN LICENCE
===================================================================

- Version 2.0
- Avril 2017

« RÉUTILISATION » DE L'« INFORMATION » SOUS CETTE LICENCE
-------------------------------------------------------------------

Le « Concédant » concède au « Réutilisateur » un droit non exclusif et
gratuit de libre « Réutilisation » de l'« Information » objet de la
présente licence, à des fins commerciales ou non, dans le monde entier et
pour une durée illimitée, dans les conditions exprimées ci-dessous.
`

const glaReadme = "# Outil\n\nUn outil pour suivre les défis.\n\n## Installation\n\n```\nmake\n```\n"

// glaCase is one project and what vigie must say about it.
type glaCase struct {
	name    string
	url     string // as a user would paste it
	repo    string // the result's repo
	p       *glaProject
	spdx    string
	licFile string
	readme  string
	rbytes  int
	systems []string
	status  string
	last    float64 // days before now; -1: ""
	commits int
}

func glaDays(now time.Time, ds ...float64) []time.Time {
	var out []time.Time
	for _, d := range ds {
		out = append(out, now.Add(-day(d)))
	}
	return out
}

// glaSpread is n commits spread over the last span days, newest first.
func glaSpread(now time.Time, n int, span float64) []time.Time {
	var out []time.Time
	for i := 0; i < n; i++ {
		out = append(out, now.Add(-day(span*float64(i+1)/float64(n+1))))
	}
	return out
}

func glaCases(now time.Time) []glaCase {
	std := func(path string) *glaProject {
		return &glaProject{path: path, branch: "main", licenseKey: "mit", licenseFile: "LICENSE", readme: "README.md",
			files:     map[string]string{"LICENSE": glaMIT, "README.md": glaReadme, ".gitlab-ci.yml": "test:\n  script: make\n", "src/main.go": "package main\n"},
			pipelines: []string{"success"}, commits: glaDays(now, 1, 5, 200)}
	}
	with := func(p *glaProject, fn func(*glaProject)) *glaProject { fn(p); return p }
	lic := func(path, key, file, text string) *glaProject {
		return with(std(path), func(p *glaProject) {
			p.licenseKey, p.licenseFile = key, file
			delete(p.files, "LICENSE")
			if file != "" {
				p.files[file] = text
			}
		})
	}
	gl := func(path string) string { return "gitlab.com/" + path }
	base := glaCase{spdx: "MIT", licFile: "LICENSE", readme: "README.md", rbytes: len(glaReadme), systems: []string{"gitlab-ci"}, status: "success", last: 1, commits: 2}
	c := func(name, u, path string, p *glaProject, fn func(*glaCase)) glaCase {
		k := base
		k.name, k.url, k.repo, k.p = name, u, gl(path), p
		if fn != nil {
			fn(&k)
		}
		return k
	}
	return []glaCase{
		c("sub-subgroup", "https://gitlab.com/eig/promo-4/defi/outil", "eig/promo-4/defi/outil", std("eig/promo-4/defi/outil"), nil),
		c("tree URL", "https://gitlab.com/eig/tree-url/-/tree/main", "eig/tree-url", std("eig/tree-url"), nil),
		c("blob URL in a subgroup", "https://gitlab.com/eig/sub/blob-url/-/blob/main/README.md", "eig/sub/blob-url", std("eig/sub/blob-url"), nil),
		c(".git", "https://gitlab.com/eig/dotgit.git", "eig/dotgit", std("eig/dotgit"), nil),
		c("trailing slash", "https://gitlab.com/eig/slash/", "eig/slash", std("eig/slash"), nil),
		c("upper-case host", "https://GitLab.COM/eig/upper", "eig/upper", std("eig/upper"), nil),
		c("apache-2.0", "https://gitlab.com/eig/apache", "eig/apache", lic("eig/apache", "apache-2.0", "LICENSE", "                                 Apache License\n                           Version 2.0, January 2004\n"), func(k *glaCase) { k.spdx = "Apache-2.0" }),
		c("gpl-3.0", "https://gitlab.com/eig/gpl", "eig/gpl", lic("eig/gpl", "gpl-3.0", "COPYING", "                    GNU GENERAL PUBLIC LICENSE\n                       Version 3, 29 June 2007\n"), func(k *glaCase) { k.spdx, k.licFile = "GPL-3.0", "COPYING" }),
		c("lgpl-3.0", "https://gitlab.com/eig/lgpl", "eig/lgpl", lic("eig/lgpl", "lgpl-3.0", "LICENSE.md", "GNU LESSER GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n"), func(k *glaCase) { k.spdx, k.licFile = "LGPL-3.0", "LICENSE.md" }),
		c("agpl-3.0", "https://gitlab.com/eig/agpl", "eig/agpl", lic("eig/agpl", "agpl-3.0", "LICENSE", "GNU AFFERO GENERAL PUBLIC LICENSE\nVersion 3, 19 November 2007\n"), func(k *glaCase) { k.spdx = "AGPL-3.0" }),
		c("eupl-1.2", "https://gitlab.com/eig/eupl", "eig/eupl", lic("eig/eupl", "eupl-1.2", "LICENCE", "EUROPEAN UNION PUBLIC LICENCE v. 1.2\nEUPL © the European Union 2007, 2016\n"), func(k *glaCase) { k.spdx, k.licFile = "EUPL-1.2", "LICENCE" }),
		c("other: CeCILL-B", "https://gitlab.com/eig/cecill", "eig/cecill", lic("eig/cecill", "other", "LICENSE", glaCeCILLB), func(k *glaCase) { k.spdx = "CECILL-B" }),
		c("other: Licence Ouverte", "https://gitlab.com/eig/etalab", "eig/etalab", lic("eig/etalab", "other", "LICENCE.md", glaEtalab), func(k *glaCase) { k.spdx, k.licFile = "etalab-2.0", "LICENCE.md" }),
		c("other: unknown text", "https://gitlab.com/eig/maison", "eig/maison", lic("eig/maison", "other", "LICENSE", "Tous droits réservés, sauf pour les gentils.\n"), func(k *glaCase) { k.spdx = "NOASSERTION" }),
		c("no licence", "https://gitlab.com/eig/nolicense", "eig/nolicense", lic("eig/nolicense", "", "", ""), func(k *glaCase) { k.spdx, k.licFile = "", "" }),
		c("README.rst", "https://gitlab.com/eig/rst", "eig/rst", with(std("eig/rst"), func(p *glaProject) {
			delete(p.files, "README.md")
			p.files["README.rst"] = "Outil\n=====\n\nUn outil.\n"
			p.readme = "README.rst"
		}), func(k *glaCase) { k.readme, k.rbytes = "README.rst", len("Outil\n=====\n\nUn outil.\n") }),
		c("README without extension, old blob URLs", "https://gitlab.com/eig/plain", "eig/plain", with(std("eig/plain"), func(p *glaProject) {
			delete(p.files, "README.md")
			p.files["README"] = "Outil.\n"
			p.readme = "README"
			p.oldBlobURLs = true
		}), func(k *glaCase) { k.readme, k.rbytes = "README", len("Outil.\n") }),
		c("no README", "https://gitlab.com/eig/noreadme", "eig/noreadme", with(std("eig/noreadme"), func(p *glaProject) {
			delete(p.files, "README.md")
			p.readme = ""
		}), func(k *glaCase) { k.readme, k.rbytes = "", 0 }),
		c("custom ci_config_path", "https://gitlab.com/eig/customci", "eig/customci", with(std("eig/customci"), func(p *glaProject) {
			delete(p.files, ".gitlab-ci.yml")
			p.files["ci/pipeline.yml"] = "test:\n  script: make\n"
			p.ciConfigPath = "ci/pipeline.yml"
		}), nil),
		c("custom ci_config_path, no HEAD", "https://gitlab.com/eig/customci2", "eig/customci2", with(std("eig/customci2"), func(p *glaProject) {
			delete(p.files, ".gitlab-ci.yml")
			p.files[".gitlab/ci/main.yml"] = "test:\n  script: make\n"
			p.ciConfigPath = ".gitlab/ci/main.yml"
			p.noHead = true
		}), nil),
		c("ci_config_path naming a missing file", "https://gitlab.com/eig/customci3", "eig/customci3", with(std("eig/customci3"), func(p *glaProject) {
			delete(p.files, ".gitlab-ci.yml")
			p.ciConfigPath = "ci/absent.yml"
			p.pipelines = nil
		}), func(k *glaCase) { k.systems, k.status = []string{}, "none" }),
		c("no CI", "https://gitlab.com/eig/noci", "eig/noci", with(std("eig/noci"), func(p *glaProject) {
			delete(p.files, ".gitlab-ci.yml")
			p.pipelines = nil
		}), func(k *glaCase) { k.systems, k.status = []string{}, "none" }),
		c("failed", "https://gitlab.com/eig/failed", "eig/failed", with(std("eig/failed"), func(p *glaProject) { p.pipelines = []string{"failed", "success"} }), func(k *glaCase) { k.status = "failure" }),
		c("running", "https://gitlab.com/eig/running", "eig/running", with(std("eig/running"), func(p *glaProject) { p.pipelines = []string{"running", "failed"} }), func(k *glaCase) { k.status = "running" }),
		c("pending", "https://gitlab.com/eig/pending", "eig/pending", with(std("eig/pending"), func(p *glaProject) { p.pipelines = []string{"pending"} }), func(k *glaCase) { k.status = "running" }),
		c("canceled after a success: the latest run did not pass", "https://gitlab.com/eig/canceled", "eig/canceled", with(std("eig/canceled"), func(p *glaProject) { p.pipelines = []string{"canceled", "success"} }), func(k *glaCase) { k.status = "failure" }),
		c("no pipeline", "https://gitlab.com/eig/nopipeline", "eig/nopipeline", with(std("eig/nopipeline"), func(p *glaProject) { p.pipelines = nil }), func(k *glaCase) { k.status = "none" }),
		c("CI/CD disabled", "https://gitlab.com/eig/cioff", "eig/cioff", with(std("eig/cioff"), func(p *glaProject) { p.buildsOff = true }), func(k *glaCase) { k.status = "none" }),
		c("pipelines for members only", "https://gitlab.com/eig/cimembers", "eig/cimembers", with(std("eig/cimembers"), func(p *glaProject) { p.pipelines403 = true }), func(k *glaCase) { k.status = "unknown" }),
		c("150 commits", "https://gitlab.com/eig/busy", "eig/busy", with(std("eig/busy"), func(p *glaProject) {
			p.commits = append(glaSpread(now, 150, 80), glaDays(now, 120, 300)...)
		}), func(k *glaCase) { k.commits, k.last = 150, 80.0/151 }),
		c("350 commits", "https://gitlab.com/eig/busier", "eig/busier", with(std("eig/busier"), func(p *glaProject) {
			p.commits = append(glaSpread(now, 350, 89), glaSpread(now.Add(-day(90)), 120, 300)...)
		}), func(k *glaCase) { k.commits, k.last = 350, 89.0/351 }),
		c("exactly 100 commits, then older", "https://gitlab.com/eig/hundred", "eig/hundred", with(std("eig/hundred"), func(p *glaProject) {
			p.commits = append(glaSpread(now, 100, 60), glaDays(now, 95)...)
		}), func(k *glaCase) { k.commits, k.last = 100, 60.0/101 }),
		c("window boundary", "https://gitlab.com/eig/boundary", "eig/boundary", with(std("eig/boundary"), func(p *glaProject) {
			p.commits = []time.Time{now.Add(-day(90) + time.Minute), now.Add(-day(90) - time.Minute), now.Add(-day(100))}
		}), func(k *glaCase) { k.commits, k.last = 1, 90-1.0/1440 }),
		c("dormant", "https://gitlab.com/eig/dormant", "eig/dormant", with(std("eig/dormant"), func(p *glaProject) { p.commits = glaDays(now, 400, 500) }), func(k *glaCase) { k.commits, k.last = 0, 400 }),
		c("default branch develop", "https://gitlab.com/eig/develop", "eig/develop", with(std("eig/develop"), func(p *glaProject) { p.branch = "develop" }), nil),
		c("archived", "https://gitlab.com/eig/archived", "eig/archived", with(std("eig/archived"), func(p *glaProject) { p.archived = true }), nil),
		c("issues disabled", "https://gitlab.com/eig/noissues", "eig/noissues", with(std("eig/noissues"), func(p *glaProject) { p.issuesOff = true }), nil),
		c("empty project", "https://gitlab.com/eig/empty", "eig/empty", &glaProject{path: "eig/empty", empty: true, files: map[string]string{}},
			func(k *glaCase) {
				k.spdx, k.licFile, k.readme, k.rbytes, k.systems, k.status, k.last, k.commits = "", "", "", 0, []string{}, "none", -1, 0
			}),
		c("renamed, 200 on the old path", "https://gitlab.com/eig/old-name", "eig/old-name", with(std("eig/new-name"), func(p *glaProject) { p.oldPaths = []string{"eig/old-name"} }), nil),
		c("old URL form without /-/", "https://gitlab.com/eig/oldurl/tree/main/src", "eig/oldurl", std("eig/oldurl"), nil),
		c("old blob URL form", "https://gitlab.com/eig/sub/oldblob/blob/main/README.md", "eig/sub/oldblob", std("eig/sub/oldblob"), nil),
		c("empty, empty_repo false", "https://gitlab.com/eig/empty2", "eig/empty2", &glaProject{path: "eig/empty2", empty: true, noEmptyFlag: true, files: map[string]string{}},
			func(k *glaCase) {
				k.spdx, k.licFile, k.readme, k.rbytes, k.systems, k.status, k.last, k.commits = "", "", "", 0, []string{}, "none", -1, 0
			}),
		c("readme_url on another host", "https://gitlab.com/eig/otherhost", "eig/otherhost", with(std("eig/otherhost"), func(p *glaProject) { p.readmeOtherHost = true }), nil),
		c("150 root entries", "https://gitlab.com/eig/bigroot", "eig/bigroot", with(std("eig/bigroot"), func(p *glaProject) {
			for i := 0; i < 150; i++ {
				p.files[fmt.Sprintf("a%03d.txt", i)] = "x"
			}
			p.files["zz/LICENSE-APACHE"] = "nested, not a top-level licence"
		}), nil),
		c("two licence files", "https://gitlab.com/eig/dual", "eig/dual", with(std("eig/dual"), func(p *glaProject) {
			p.files["LICENCE.fr.txt"] = glaCeCILLB
		}), func(k *glaCase) { k.spdx = "CECILL-B OR MIT" }),
		c("branch with a slash", "https://gitlab.com/eig/slashbranch", "eig/slashbranch", with(std("eig/slashbranch"), func(p *glaProject) { p.branch = "release/v2" }), nil),
		c("README in UTF-8", "https://gitlab.com/eig/accents", "eig/accents", with(std("eig/accents"), func(p *glaProject) {
			p.files["README.md"] = "# Démarche simplifiée\n\nÉtat des lieux, données à caractère personnel.\n"
		}), func(k *glaCase) {
			k.rbytes = len("# Démarche simplifiée\n\nÉtat des lieux, données à caractère personnel.\n")
		}),
		c("several CI systems", "https://gitlab.com/eig/multici", "eig/multici", with(std("eig/multici"), func(p *glaProject) {
			p.files[".travis.yml"] = "language: go\n"
			p.files["Jenkinsfile"] = "pipeline {}\n"
			p.files[".github/workflows/test.yml"] = "on: push\n"
		}), func(k *glaCase) { k.systems = []string{"github-actions", "gitlab-ci", "jenkins", "travis"} }),
		c("skipped then failed", "https://gitlab.com/eig/skipped", "eig/skipped", with(std("eig/skipped"), func(p *glaProject) { p.pipelines = []string{"skipped", "failed"} }), func(k *glaCase) { k.status = "failure" }),
		c("created", "https://gitlab.com/eig/created", "eig/created", with(std("eig/created"), func(p *glaProject) { p.pipelines = []string{"created", "success"} }), func(k *glaCase) { k.status = "running" }),
		c("canceled alone", "https://gitlab.com/eig/canceled2", "eig/canceled2", with(std("eig/canceled2"), func(p *glaProject) { p.pipelines = []string{"canceled"} }), func(k *glaCase) { k.status = "failure" }),
		c("moved, 301 on the old path", "https://gitlab.com/old-group/moved", "old-group/moved", with(std("eig/moved"), func(p *glaProject) {
			p.oldPaths = []string{"old-group/moved"}
			p.moveRedirects = true
		}), nil),
	}
}

// glaConfig writes a configuration with gitlab.com and a self-hosted
// GitLab under /gitlab, both at test servers, and the repos in one défi.
func glaConfig(t *testing.T, dir, gitlabAPI, selfAPI string, repos []string, orgs []string, exclude []string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `forges:
  - {name: gitlab, type: gitlab, url: https://gitlab.com, api_url: %q, token_env: ACC_GL_TOKEN}
  - {name: forge-interne, type: gitlab, url: https://git.example.org/gitlab, api_url: %q, token_env: ACC_SELF_TOKEN}
defis:
  - slug: acc
    name: Défi d'acceptation
`, gitlabAPI, selfAPI)
	if len(repos) > 0 {
		b.WriteString("    repos:\n")
		for _, r := range repos {
			fmt.Fprintf(&b, "      - %s\n", r)
		}
	}
	if len(orgs) > 0 {
		b.WriteString("    orgs:\n")
		for _, o := range orgs {
			fmt.Fprintf(&b, "      - %s\n", o)
		}
	}
	if len(exclude) > 0 {
		fmt.Fprintf(&b, "    exclude: [%s]\n", strings.Join(exclude, ", "))
	}
	fmt.Fprintf(&b, "storage: {driver: sqlite, dsn: %q}\n", filepath.Join(dir, "vigie.db"))
	p := filepath.Join(dir, "vigie.yml")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// glaNamespaces are the groups the projects live in, and their parents.
func glaNamespaces(projects []*glaProject) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range projects {
		segs := strings.Split(p.path, "/")
		for i := 1; i < len(segs); i++ {
			if ns := strings.Join(segs[:i], "/"); !seen[ns] {
				seen[ns] = true
				out = append(out, ns)
			}
		}
	}
	return out
}

func glaStart(t *testing.T, prefix, web string, projects []*glaProject, groups ...string) (*glaServer, *httptest.Server) {
	s := &glaServer{t: t, prefix: prefix, web: web, projects: projects, groups: map[string]bool{}, users: map[string]bool{}, started: time.Now().UTC().Truncate(time.Second)}
	for _, g := range groups {
		s.groups[g] = true
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts
}

// glaAssert compares one result with its case.
func glaAssert(t *testing.T, r checksResult, k glaCase, now time.Time) {
	t.Helper()
	if r.Repo != k.repo || r.Error != "" || r.Score == nil {
		t.Errorf("%s: repo %q error %q score %v, want %q scored", k.name, r.Repo, r.Error, r.Score, k.repo)
		return
	}
	if len(r.Checks) < 4 || r.Checks[0].Name != "license" || r.Checks[1].Name != "readme" || r.Checks[2].Name != "ci" || r.Checks[3].Name != "activity" {
		t.Errorf("%s: checks not in the contract's order", k.name)
		return
	}
	if !strings.HasPrefix(r.URL, "https://") || strings.TrimPrefix(r.URL, "https://") != k.repo {
		t.Errorf("%s: url = %q, want https://%s", k.name, r.URL, k.repo)
	}
	lic, rd, ci, act := r.Checks[0].Details, r.Checks[1].Details, r.Checks[2].Details, r.Checks[3].Details
	if lic["spdx_id"] != k.spdx || lic["file"] != k.licFile {
		t.Errorf("%s: licence = %q %q, want %q %q", k.name, lic["spdx_id"], lic["file"], k.spdx, k.licFile)
	}
	if rd["file"] != k.readme || rd["bytes"] != float64(k.rbytes) {
		t.Errorf("%s: readme = %v %v bytes, want %q %d", k.name, rd["file"], rd["bytes"], k.readme, k.rbytes)
	}
	if fmt.Sprint(ci["systems"]) != fmt.Sprint(k.systems) || ci["status"] != k.status {
		t.Errorf("%s: ci = %v %v, want %v %s", k.name, ci["systems"], ci["status"], k.systems, k.status)
	}
	if _, ok := ci["systems"].([]any); !ok {
		t.Errorf("%s: ci.systems = %#v, not an array", k.name, ci["systems"])
	}
	if act["archived"] != k.p.archived || act["commits_90d"] != float64(k.commits) {
		t.Errorf("%s: archived %v commits_90d %v, want %v %d", k.name, act["archived"], act["commits_90d"], k.p.archived, k.commits)
	}
	last, _ := act["last_commit_at"].(string)
	if k.last < 0 {
		if last != "" {
			t.Errorf("%s: last_commit_at = %q, want \"\"", k.name, last)
		}
		return
	}
	at, err := time.Parse(time.RFC3339, last)
	if want := now.Add(-day(k.last)); err != nil || at.Sub(want).Abs() > time.Second {
		t.Errorf("%s: last_commit_at = %q, want %s", k.name, last, want.Format(time.RFC3339))
	}
}

type checksResult = struct {
	Repo   string `json:"repo"`
	URL    string `json:"url"`
	Forge  string `json:"forge"`
	Defi   string `json:"defi"`
	Score  *int   `json:"score"`
	Error  string `json:"error"`
	Checks []struct {
		Name    string         `json:"name"`
		Score   int            `json:"score"`
		Details map[string]any `json:"details"`
	} `json:"checks"`
}

func glaDecode(t *testing.T, s string) []checksResult {
	t.Helper()
	var rs []checksResult
	if err := json.Unmarshal([]byte(s), &rs); err != nil {
		t.Fatalf("stdout is not one JSON array: %v\n%s", err, s)
	}
	return rs
}

func TestAcceptGitLab(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	cases := glaCases(now)
	var projects []*glaProject
	for _, k := range cases {
		projects = append(projects, k.p)
	}
	projects = append(projects, &glaProject{path: "eig/secret", private: true, branch: "main"})
	gls, glts := glaStart(t, "", "https://gitlab.com", projects, glaNamespaces(projects)...)

	// A self-hosted GitLab served under /gitlab.
	self := &glaProject{path: "dinum/outils/suivi", branch: "master", licenseKey: "eupl-1.2", licenseFile: "LICENSE",
		readme: "README.md", files: map[string]string{"LICENSE": "EUPL v1.2\n", "README.md": glaReadme, ".gitlab-ci.yml": "x:\n  script: y\n"},
		pipelines: []string{"success"}, commits: glaDays(now, 3, 4, 5)}
	sls, slts := glaStart(t, "/gitlab", "https://git.example.org/gitlab", []*glaProject{self}, "dinum", "dinum/outils")
	selfCase := glaCase{name: "self-hosted under /gitlab", url: "https://git.example.org/gitlab/dinum/outils/suivi/-/tree/master", repo: "git.example.org/gitlab/dinum/outils/suivi",
		p: self, spdx: "EUPL-1.2", licFile: "LICENSE", readme: "README.md", rbytes: len(glaReadme), systems: []string{"gitlab-ci"}, status: "success", last: 3, commits: 3}
	cases = append(cases, selfCase)

	dir := t.TempDir()
	cfg := glaConfig(t, dir, glts.URL, slts.URL+"/gitlab", []string{"https://gitlab.com/eig/slash"}, nil, nil)
	var urls []string
	for _, k := range cases {
		urls = append(urls, k.url)
	}
	for _, tok := range []string{"", "glpat-acceptance"} {
		t.Run("token="+strconv.FormatBool(tok != ""), func(t *testing.T) {
			gls.token, sls.token = tok, tok
			gls.requests, gls.badAuth, gls.unknown = nil, nil, nil
			env := map[string]string{}
			if tok != "" {
				env["ACC_GL_TOKEN"], env["ACC_SELF_TOKEN"] = tok, tok
			}
			out := runVigie(t, env, append([]string{"check", "--config", cfg, "--format", "json"}, urls...)...)
			if out.code != 0 {
				t.Errorf("exit %d, want 0; stderr:\n%s", out.code, out.stderr)
			}
			if tok != "" && (strings.Contains(out.stdout, tok) || strings.Contains(out.stderr, tok)) {
				t.Error("the token leaked into the output")
			}
			rs := glaDecode(t, out.stdout)
			if len(rs) != len(cases) {
				t.Fatalf("%d results for %d URLs", len(rs), len(cases))
			}
			for i, k := range cases {
				glaAssert(t, rs[i], k, now)
				if rs[i].Forge != map[bool]string{true: "forge-interne", false: "gitlab"}[k.p == self] {
					t.Errorf("%s: forge %q", k.name, rs[i].Forge)
				}
			}
			if rs[4].Defi != "acc" || rs[0].Defi != "" {
				t.Errorf("défi: %q %q, want acc for the configured repo, \"\" otherwise", rs[4].Defi, rs[0].Defi)
			}
			for _, s := range []*glaServer{gls, sls} {
				if len(s.badAuth) > 0 {
					t.Errorf("%s: requests with the wrong credentials: %v", s.web, s.badAuth[:min(5, len(s.badAuth))])
				}
				if len(s.unknown) > 0 {
					t.Errorf("%s: requests the fake does not know: %v", s.web, s.unknown)
				}
			}
			t.Logf("%d requests to gitlab.com for %d projects", len(gls.requests), len(cases)-1)
		})
	}
	gls.token, sls.token = "", ""

	t.Run("missing and private", func(t *testing.T) {
		out := runVigie(t, nil, "check", "--config", cfg, "--format", "json",
			"https://gitlab.com/eig/dotgit", "https://gitlab.com/eig/nope", "https://gitlab.com/eig/secret", "https://gitlab.com/eig/apache")
		if out.code != 3 {
			t.Errorf("exit %d, want 3; stderr:\n%s", out.code, out.stderr)
		}
		rs := glaDecode(t, out.stdout)
		if len(rs) != 4 {
			t.Fatalf("%d results, want 4", len(rs))
		}
		glaAssert(t, rs[0], cases[3], now)
		glaAssert(t, rs[3], cases[6], now)
		for _, r := range rs[1:3] {
			if r.Error == "" || r.Score != nil || r.Checks == nil || len(r.Checks) != 0 || !strings.HasPrefix(r.Repo, "gitlab.com/eig/") {
				t.Errorf("%s: error %q score %v checks %v", r.Repo, r.Error, r.Score, r.Checks)
			}
		}
	})
}

// TestAcceptGitLabCrawlGroup crawls a défi made of a group with subgroups,
// a fork, an archived project and an exclude pattern.
func TestAcceptGitLabCrawlGroup(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	mk := func(path string, fn func(*glaProject)) *glaProject {
		p := &glaProject{path: path, branch: "main", licenseKey: "mit", licenseFile: "LICENSE", readme: "README.md",
			files:     map[string]string{"LICENSE": glaMIT, "README.md": glaReadme, ".gitlab-ci.yml": "t:\n  script: make\n"},
			pipelines: []string{"success"}, commits: glaDays(now, 2, 3)}
		if fn != nil {
			fn(p)
		}
		return p
	}
	var projects []*glaProject
	// More than one page of the group listing (GitLab's default is 20).
	for i := 0; i < 105; i++ {
		projects = append(projects, mk(fmt.Sprintf("defi-x/sub/p%03d", i), nil))
	}
	projects = append(projects,
		mk("defi-x/api", nil),
		mk("defi-x/sub/deeper/front", nil),
		mk("defi-x/old-archive", func(p *glaProject) { p.archived = true }),
		mk("defi-x/vieux", func(p *glaProject) { p.archived = true }),
		mk("defi-x/fork-of-lib", func(p *glaProject) { p.fork = true }),
		mk("defi-x/empty", func(p *glaProject) { p.empty = true; p.files = nil }),
		mk("defi-xy/elsewhere", nil),
		mk("other/thing", nil),
	)
	_, glts := glaStart(t, "", "https://gitlab.com", projects, "defi-x", "defi-x/sub", "defi-x/sub/deeper", "defi-xy", "other")
	_, slts := glaStart(t, "/gitlab", "https://git.example.org/gitlab", nil)
	dir := t.TempDir()
	cfg := glaConfig(t, dir, glts.URL, slts.URL+"/gitlab", []string{"https://gitlab.com/other/thing"},
		[]string{"https://gitlab.com/defi-x"}, []string{`"*-archive"`, `"defi-x/sub/p1*"`})
	out := runVigie(t, nil, "crawl", "--config", cfg, "--format", "json")
	if out.code != 0 {
		t.Fatalf("crawl exit %d, stderr:\n%s", out.code, out.stderr)
	}
	rs := glaDecode(t, out.stdout)
	got := map[string]checksResult{}
	var order []string
	for _, r := range rs {
		got[r.Repo] = r
		order = append(order, r.Repo)
	}
	want := []string{"gitlab.com/other/thing", "gitlab.com/defi-x/api", "gitlab.com/defi-x/empty", "gitlab.com/defi-x/sub/deeper/front", "gitlab.com/defi-x/vieux"}
	for i := 0; i < 100; i++ {
		want = append(want, fmt.Sprintf("gitlab.com/defi-x/sub/p%03d", i))
	}
	for _, w := range want {
		r, ok := got[w]
		if !ok {
			t.Errorf("%s not crawled", w)
			continue
		}
		if r.Error != "" || r.Score == nil || r.Defi != "acc" {
			t.Errorf("%s: error %q score %v défi %q", w, r.Error, r.Score, r.Defi)
		}
	}
	for _, no := range []string{"gitlab.com/defi-x/old-archive", "gitlab.com/defi-x/fork-of-lib", "gitlab.com/defi-xy/elsewhere", "gitlab.com/defi-x/sub/p100", "gitlab.com/defi-x/sub/p104"} {
		if _, ok := got[no]; ok {
			t.Errorf("%s crawled, want it left out", no)
		}
	}
	if len(rs) != len(want) {
		t.Errorf("%d results, want %d: %v", len(rs), len(want), order)
	}
	if len(order) > 0 && order[0] != "gitlab.com/other/thing" {
		t.Errorf("configured repository not first: %v", order)
	}
	if r := got["gitlab.com/defi-x/vieux"]; r.Score != nil && r.Checks[3].Details["archived"] != true {
		t.Errorf("archived project not marked archived: %v", r.Checks[3].Details)
	}
}

// TestAcceptGitLabRecrawl crawls twice through REST: an unchanged project
// gives the same details, a project that changed between the crawls shows
// its new state (a push, a pipeline, a licence, archived), and groups are
// listed on a path-prefixed instance and as a user namespace.
func TestAcceptGitLabRecrawl(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	mk := func(path string) *glaProject {
		return &glaProject{path: path, branch: "main", licenseKey: "mit", licenseFile: "LICENSE", readme: "README.md",
			files:     map[string]string{"LICENSE": glaMIT, "README.md": glaReadme, ".gitlab-ci.yml": "t:\n  script: make\n"},
			pipelines: []string{"success"}, commits: glaDays(now, 2, 3, 100)}
	}
	same, pushed, nolic := mk("eig/same"), mk("eig/pushed"), mk("eig/nolic")
	nolic.licenseKey, nolic.licenseFile = "", ""
	delete(nolic.files, "LICENSE")
	user := mk("jdupont/outil")
	_, glts := glaStart(t, "", "https://gitlab.com", []*glaProject{same, pushed, nolic, user})
	selfA, selfB := mk("dinum/outils/a"), mk("dinum/b")
	_, slts := glaStart(t, "/gitlab", "https://git.example.org/gitlab", []*glaProject{selfA, selfB}, "dinum", "dinum/outils")
	dir := t.TempDir()
	cfg := glaConfig(t, dir, glts.URL, slts.URL+"/gitlab",
		[]string{"https://gitlab.com/eig/same", "https://gitlab.com/eig/pushed", "https://gitlab.com/eig/nolic"},
		[]string{"https://git.example.org/gitlab/groups/dinum", "https://gitlab.com/jdupont"}, nil)

	crawl := func() map[string]checksResult {
		t.Helper()
		out := runVigie(t, nil, "crawl", "--config", cfg, "--format", "json")
		if out.code != 0 {
			t.Fatalf("crawl exit %d, stderr:\n%s", out.code, out.stderr)
		}
		m := map[string]checksResult{}
		for _, r := range glaDecode(t, out.stdout) {
			m[r.Repo] = r
		}
		return m
	}
	first := crawl()
	for _, w := range []string{"gitlab.com/eig/same", "gitlab.com/eig/pushed", "gitlab.com/eig/nolic", "git.example.org/gitlab/dinum/outils/a", "git.example.org/gitlab/dinum/b", "gitlab.com/jdupont/outil"} {
		r, ok := first[w]
		if !ok || r.Error != "" || r.Score == nil {
			t.Errorf("first crawl: %s missing or failed: %+v", w, r)
		}
	}
	if len(first) != 6 {
		t.Errorf("first crawl: %d results, want 6", len(first))
	}
	if r := first["gitlab.com/eig/nolic"]; r.Score != nil && r.Checks[0].Details["spdx_id"] != "" {
		t.Errorf("nolic: spdx_id %v before the licence was added", r.Checks[0].Details["spdx_id"])
	}

	// Between the crawls: a push with a failed pipeline and a new README, a
	// licence added, a project archived.
	pushed.commits = append(pushed.commits, now.Add(-time.Hour))
	pushed.pipelines = []string{"failed", "success"}
	pushed.files["README.md"] = glaReadme + "\n## Contribuer\n\nOuvrez une demande de fusion.\n"
	nolic.licenseKey, nolic.licenseFile, nolic.files["LICENSE"] = "other", "LICENSE", glaCeCILLB
	nolic.commits = append(nolic.commits, now.Add(-2*time.Hour))
	selfB.archived = true

	second := crawl()
	cases := []glaCase{
		{name: "unchanged", repo: "gitlab.com/eig/same", p: same, spdx: "MIT", licFile: "LICENSE", readme: "README.md", rbytes: len(glaReadme), systems: []string{"gitlab-ci"}, status: "success", last: 2, commits: 2},
		{name: "pushed", repo: "gitlab.com/eig/pushed", p: pushed, spdx: "MIT", licFile: "LICENSE", readme: "README.md", rbytes: len(pushed.files["README.md"]), systems: []string{"gitlab-ci"}, status: "failure", last: 1.0 / 24, commits: 3},
		{name: "licence added", repo: "gitlab.com/eig/nolic", p: nolic, spdx: "CECILL-B", licFile: "LICENSE", readme: "README.md", rbytes: len(glaReadme), systems: []string{"gitlab-ci"}, status: "success", last: 2.0 / 24, commits: 3},
		{name: "archived since", repo: "git.example.org/gitlab/dinum/b", p: selfB, spdx: "MIT", licFile: "LICENSE", readme: "README.md", rbytes: len(glaReadme), systems: []string{"gitlab-ci"}, status: "success", last: 2, commits: 2},
	}
	for _, k := range cases {
		glaAssert(t, second[k.repo], k, now)
	}
	if a, b := fmt.Sprint(first["gitlab.com/eig/same"].Checks), fmt.Sprint(second["gitlab.com/eig/same"].Checks); a != b {
		t.Errorf("unchanged project, different checks:\n%s\n%s", a, b)
	}
}
