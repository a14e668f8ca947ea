package main

// An acceptance test of vigie against a Gitea (and a Forgejo) written from
// Gitea's API documentation alone (the swagger of /api/v1: repository,
// commits, git trees, raw files, combined commit status, Actions tasks and
// runs, latest release, organisation and user repositories, version), with
// Gitea's paging headers (X-Total-Count, X-HasMore, Link) cut at the
// instance's MAX_RESPONSE_ITEMS, 307 from a renamed repository, 409 on an
// empty repository's commits, raw files whose ETag is the blob SHA, and a
// reverse proxy in front answering 429 now and then. It shares no code with
// internal/fakeforge, so the two cannot share a mistake.

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// gtaCommit is one commit of a default branch.
type gtaCommit struct {
	at    time.Time
	email string
	login string
}

// gtaRepo is one repository of the test Gitea.
type gtaRepo struct {
	owner, name string
	branch      string
	empty       bool
	archived    bool
	fork        bool
	private     bool
	internal    bool
	licenses    []string // Gitea ≥ 1.23's detection; nil leaves the field out (Forgejo, older Gitea)
	files       map[string]string
	commits     []gtaCommit // newest first
	statuses    []string    // commit statuses posted on the head commit, by context
	scheduled   string      // the latest scheduled Actions run's result ("" none)
	release     string      // latest release tag
	oldNames    []string    // owner/name it had before
	moved301    bool        // the old name answers 301 (a proxy's rewrite) rather than Gitea's 307
	// meta overrides description, website, topics, forks_count,
	// watchers_count, template and has_issues.
	meta *ghaMeta
}

func (r *gtaRepo) full() string { return r.owner + "/" + r.name }

func gtaSHA(s ...string) string {
	h := sha1.Sum([]byte(strings.Join(s, "|")))
	return hex.EncodeToString(h[:])
}

func (r *gtaRepo) commitSHA(i int) string {
	return gtaSHA(r.full(), strconv.Itoa(len(r.commits)-i), r.commits[i].at.String())
}

// gtaServer is a test Gitea or Forgejo; a reverse proxy in front of it
// answers every proxyEvery-th request 429 (every other one of those with
// Retry-After).
type gtaServer struct {
	t          *testing.T
	version    string
	maxItems   int
	prefix     string // "" or a sub-path such as "/forge"
	repos      []*gtaRepo
	orgs       map[string]bool
	token      string
	proxyEvery int

	mu       sync.Mutex
	n        int
	requests map[string]int // by repository (owner/name) or route
	notMod   int
	limited  int
	badAuth  []string
	unknown  []string
}

func (s *gtaServer) atLeast(major, minor int) bool {
	v := s.version
	if _, g, ok := strings.Cut(v, "+gitea-"); ok {
		v = g
	}
	p := strings.Split(v, ".")
	a, _ := strconv.Atoi(p[0])
	b, _ := strconv.Atoi(p[1])
	return a > major || a == major && b >= minor
}

func (s *gtaServer) forgejo() bool { return strings.Contains(s.version, "+gitea-") }

func gtaWrite(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func (s *gtaServer) lookup(owner, name string) (r *gtaRepo, moved bool) {
	for _, x := range s.repos {
		if strings.EqualFold(x.full(), owner+"/"+name) {
			return x, false
		}
	}
	for _, x := range s.repos {
		for _, o := range x.oldNames {
			if strings.EqualFold(o, owner+"/"+name) {
				return x, true
			}
		}
	}
	return nil, false
}

// page answers one page: limit capped at the instance's maximum, with
// X-Total-Count and Link, and X-HasMore where Gitea sends it (commits).
func gtaPage[T any](s *gtaServer, w http.ResponseWriter, r *http.Request, items []T, limitMax int, hasMore bool) []T {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 {
		limit, _ = strconv.Atoi(q.Get("per_page"))
	}
	if limit <= 0 {
		limit = min(30, limitMax)
	}
	limit = min(limit, limitMax)
	from := min((page-1)*limit, len(items))
	to := min(from+limit, len(items))
	h := w.Header()
	h.Set("X-Total-Count", strconv.Itoa(len(items)))
	pages := max(1, (len(items)+limit-1)/limit)
	if page < pages {
		u := *r.URL
		v := u.Query()
		v.Set("page", strconv.Itoa(page+1))
		u.RawQuery = v.Encode()
		h.Set("Link", fmt.Sprintf(`<http://%s%s>; rel="next"`, r.Host, u.RequestURI()))
	}
	if hasMore {
		h.Set("X-HasMore", strconv.FormatBool(to < len(items)))
	}
	out := items[from:to]
	if out == nil {
		out = []T{}
	}
	return out
}

func (s *gtaServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.n++
	n := s.n
	s.mu.Unlock()
	if s.proxyEvery > 0 && n%s.proxyEvery == 0 {
		// The reverse proxy's rate limit, in its own words (nginx).
		s.mu.Lock()
		s.limited++
		s.mu.Unlock()
		if n%(2*s.proxyEvery) == 0 {
			w.Header().Set("Retry-After", "0")
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
		return
	}
	authed := false
	if a := r.Header.Get("Authorization"); a != "" {
		if s.token != "" && (a == "token "+s.token || a == "Bearer "+s.token) {
			authed = true
		} else {
			s.mu.Lock()
			s.badAuth = append(s.badAuth, r.URL.Path)
			s.mu.Unlock()
			gtaWrite(w, http.StatusUnauthorized, map[string]any{"message": "user does not exist", "url": "https://docs.gitea.com/api"})
			return
		}
	}
	rest, ok := strings.CutPrefix(r.URL.Path, s.prefix+"/api/v1/")
	if !ok || r.Method != http.MethodGet {
		s.miss(w, r)
		return
	}
	segs := strings.Split(rest, "/")
	count := func(key string) {
		s.mu.Lock()
		s.requests[key]++
		s.mu.Unlock()
	}
	switch {
	case rest == "version":
		count("version")
		gtaWrite(w, 200, map[string]string{"version": s.version})
	case len(segs) == 3 && (segs[0] == "orgs" || segs[0] == "users") && segs[2] == "repos":
		count("list")
		s.list(w, r, segs[0] == "users", segs[1], authed)
	case len(segs) >= 3 && segs[0] == "repos":
		repo, moved := s.lookup(segs[1], segs[2])
		if repo == nil || (repo.private || repo.internal) && !authed {
			count("missing")
			gtaWrite(w, 404, map[string]any{"errors": []string{}, "message": "The target couldn't be found.", "url": "https://docs.gitea.com/api"})
			return
		}
		count(repo.full())
		if moved {
			u := *r.URL
			u.Path = s.prefix + "/api/v1/repos/" + repo.full() + "/" + strings.Join(segs[3:], "/")
			u.Path = strings.TrimSuffix(u.Path, "/")
			code := http.StatusTemporaryRedirect
			if repo.moved301 {
				code = http.StatusMovedPermanently
			}
			http.Redirect(w, r, u.String(), code)
			return
		}
		s.repo(w, r, repo, segs[3:])
	default:
		s.miss(w, r)
	}
}

func (s *gtaServer) miss(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.unknown = append(s.unknown, r.Method+" "+r.URL.String())
	s.mu.Unlock()
	gtaWrite(w, 404, map[string]any{"message": "not found"})
}

func (s *gtaServer) repoJSON(r *http.Request, x *gtaRepo) map[string]any {
	web := "https://" + r.Host + s.prefix + "/" + x.full()
	m := map[string]any{
		"id": len(x.full()), "owner": map[string]any{"login": x.owner}, "name": x.name, "full_name": x.full(),
		"description": "Outil du défi " + x.name, "empty": x.empty, "private": x.private, "internal": x.internal,
		"fork": x.fork, "mirror": false, "archived": x.archived, "html_url": web, "clone_url": web + ".git",
		"website": "", "stars_count": 3, "forks_count": 1, "open_issues_count": 2, "open_pr_counter": 1,
		"release_counter": map[bool]int{true: 1, false: 0}[x.release != ""], "default_branch": x.branch,
		"created_at": "2021-03-01T10:00:00+01:00", "updated_at": "2026-11-01T10:00:00+01:00",
		"has_issues": true, "has_pull_requests": true, "has_actions": true, "topics": []string{"eig"}, "language": "Python",
	}
	if mt := x.meta; mt != nil {
		m["description"], m["website"], m["topics"] = mt.description, mt.homepage, ghaOrEmpty(mt.topics)
		m["forks_count"], m["watchers_count"], m["template"], m["has_issues"] = mt.forks, mt.watchers, mt.template, mt.hasIssues
		if !mt.hasIssues {
			m["open_issues_count"] = 0
		}
	}
	if x.fork {
		m["parent"] = map[string]any{"full_name": "amont/" + x.name}
	}
	if x.licenses != nil {
		m["licenses"] = x.licenses
	}
	return m
}

func (s *gtaServer) list(w http.ResponseWriter, r *http.Request, user bool, owner string, authed bool) {
	if s.orgs[owner] == user {
		gtaWrite(w, 404, map[string]any{"message": "GetOrgByName", "url": "https://docs.gitea.com/api"})
		return
	}
	var out []map[string]any
	for _, x := range s.repos {
		if x.owner == owner && (authed || !x.private && !x.internal) {
			out = append(out, s.repoJSON(r, x))
		}
	}
	gtaWrite(w, 200, gtaPage(s, w, r, out, s.maxItems, false))
}

func (s *gtaServer) repo(w http.ResponseWriter, r *http.Request, x *gtaRepo, rest []string) {
	q := r.URL.Query()
	switch {
	case len(rest) == 0:
		gtaWrite(w, 200, s.repoJSON(r, x))
	case len(rest) == 1 && rest[0] == "commits":
		if x.empty {
			gtaWrite(w, 409, map[string]any{"message": "Git Repository is empty.", "url": "https://docs.gitea.com/api"})
			return
		}
		if q.Get("sha") != x.branch {
			s.t.Errorf("commits of %s asked on %q, not the default branch", x.full(), q.Get("sha"))
		}
		var list []map[string]any
		for i, c := range x.commits {
			var author any
			if c.login != "" {
				author = map[string]any{"login": c.login}
			}
			d := c.at.In(time.FixedZone("CET", 3600)).Format(time.RFC3339)
			list = append(list, map[string]any{"sha": x.commitSHA(i), "created": d, "author": author, "committer": author,
				"commit": map[string]any{"author": map[string]any{"name": c.email, "email": c.email, "date": d},
					"committer": map[string]any{"name": c.email, "email": c.email, "date": d}, "message": "m"}})
		}
		gtaWrite(w, 200, gtaPage(s, w, r, list, min(50, s.maxItems), true))
	case len(rest) == 3 && rest[0] == "git" && rest[1] == "trees":
		s.tree(w, r, x, rest[2], q.Get("recursive") == "true")
	case len(rest) >= 2 && rest[0] == "raw":
		file := strings.Join(rest[1:], "/")
		text, ok := x.files[file]
		if !ok || q.Get("ref") != x.branch && q.Get("ref") != x.commitSHA(0) {
			gtaWrite(w, 404, map[string]any{"message": "object does not exist [id: , rel_path: " + file + "]"})
			return
		}
		etag := `"` + gtaSHA("blob", text) + `"`
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			s.mu.Lock()
			s.notMod++
			s.mu.Unlock()
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(w, text)
	case len(rest) == 3 && rest[0] == "commits" && rest[2] == "status":
		out := map[string]any{"state": "", "sha": rest[1], "total_count": 0, "statuses": []any{}}
		if len(x.statuses) > 0 && rest[1] == x.commitSHA(0) {
			state := "success"
			var sts []map[string]any
			for i, st := range x.statuses {
				if st == "failure" || st == "error" {
					state = "failure"
				} else if st == "pending" && state == "success" {
					state = "pending"
				}
				sts = append(sts, map[string]any{"id": i + 1, "status": st, "context": fmt.Sprintf("ci/%d", i),
					"target_url": "https://ci.example.org/build/" + strconv.Itoa(i), "created_at": x.commits[0].at.Add(time.Minute).Format(time.RFC3339),
					"updated_at": x.commits[0].at.Add(time.Duration(i+2) * time.Minute).Format(time.RFC3339)})
			}
			out["state"], out["total_count"], out["statuses"] = state, len(sts), sts
		}
		gtaWrite(w, 200, out)
	case len(rest) == 2 && rest[0] == "actions" && rest[1] == "tasks":
		var runs []map[string]any
		if x.scheduled != "" {
			at := x.commits[0].at.Add(time.Hour).Format(time.RFC3339)
			runs = append(runs, map[string]any{"id": 9, "name": "nightly", "head_branch": x.branch, "head_sha": x.commitSHA(0), "run_number": 9,
				"event": "schedule", "display_title": "nightly", "status": x.scheduled, "workflow_id": "nightly.yml",
				"url": "https://" + r.Host + s.prefix + "/" + x.full() + "/actions/runs/9", "created_at": at, "updated_at": at, "run_started_at": at})
		}
		gtaWrite(w, 200, map[string]any{"workflow_runs": gtaPage(s, w, r, runs, s.maxItems, false), "total_count": len(runs)})
	case len(rest) == 2 && rest[0] == "actions" && rest[1] == "runs" && s.atLeast(1, 24) && !s.forgejo():
		var runs []map[string]any
		if x.scheduled != "" {
			at := x.commits[0].at.Add(time.Hour).Format(time.RFC3339)
			runs = append(runs, map[string]any{"id": 9, "html_url": "https://" + r.Host + s.prefix + "/" + x.full() + "/actions/runs/9",
				"event": "schedule", "head_branch": x.branch, "head_sha": x.commitSHA(0), "status": "completed", "conclusion": x.scheduled,
				"started_at": at, "completed_at": at})
		}
		gtaWrite(w, 200, map[string]any{"workflow_runs": gtaPage(s, w, r, runs, s.maxItems, false), "total_count": len(runs)})
	case len(rest) == 2 && rest[0] == "releases" && rest[1] == "latest":
		if x.release == "" {
			gtaWrite(w, 404, map[string]any{"message": "The target couldn't be found."})
			return
		}
		gtaWrite(w, 200, map[string]any{"tag_name": x.release, "name": x.release, "published_at": "2026-10-01T10:00:00Z", "created_at": "2026-10-01T10:00:00Z"})
	default:
		s.miss(w, r)
	}
}

// tree answers a git tree: the head commit's SHA (or the branch) names the
// root; a folder's tree SHA is derived from its path.
func (s *gtaServer) tree(w http.ResponseWriter, r *http.Request, x *gtaRepo, sha string, recursive bool) {
	dir := ""
	if sha != x.commitSHA(0) && sha != x.branch {
		found := false
		for f := range x.files {
			for d := path.Dir(f); d != "."; d = path.Dir(d) {
				if gtaSHA(x.full(), "tree", d) == sha {
					dir, found = d, true
				}
			}
		}
		if !found {
			gtaWrite(w, 400, map[string]any{"message": "sha not found"})
			return
		}
	}
	seen := map[string]bool{}
	var entries []map[string]any
	for f, text := range x.files {
		rel := f
		if dir != "" {
			var in bool
			if rel, in = strings.CutPrefix(f, dir+"/"); !in {
				continue
			}
		}
		parts := strings.Split(rel, "/")
		for i := range parts {
			if !recursive && i > 0 {
				break
			}
			p := strings.Join(parts[:i+1], "/")
			if seen[p] {
				continue
			}
			seen[p] = true
			full := strings.TrimPrefix(dir+"/"+p, "/")
			if i < len(parts)-1 {
				entries = append(entries, map[string]any{"path": p, "mode": "040000", "type": "tree", "size": 0, "sha": gtaSHA(x.full(), "tree", full)})
			} else {
				entries = append(entries, map[string]any{"path": p, "mode": "100644", "type": "blob", "size": len(text), "sha": gtaSHA("blob", text)})
			}
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i]["path"].(string) < entries[j]["path"].(string) })
	page := gtaPage(s, w, r, entries, 1000, false)
	gtaWrite(w, 200, map[string]any{"sha": sha, "tree": page, "truncated": len(page) < len(entries), "page": 1, "total_count": len(entries)})
}

// take returns the requests counted so far and resets them.
func (s *gtaServer) take() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.requests
	s.requests = map[string]int{}
	return out
}

func gtaStart(t *testing.T, version string, maxItems int, prefix string, repos []*gtaRepo, orgs ...string) (*gtaServer, *httptest.Server) {
	s := &gtaServer{t: t, version: version, maxItems: maxItems, prefix: prefix, repos: repos, orgs: map[string]bool{}, requests: map[string]int{}}
	for _, o := range orgs {
		s.orgs[o] = true
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	t.Cleanup(func() {
		if len(s.unknown) > 0 {
			t.Errorf("%s: requests the fake does not know: %v", version, s.unknown)
		}
		if len(s.badAuth) > 0 {
			t.Errorf("%s: requests with wrong credentials: %v", version, s.badAuth)
		}
	})
	return s, ts
}

// gtaDays makes commits d days before now, by authors in turn.
func gtaDays(now time.Time, ds ...float64) []gtaCommit {
	var out []gtaCommit
	for i, d := range ds {
		out = append(out, gtaCommit{at: now.Add(-day(d)), email: fmt.Sprintf("dev%d@example.org", i%3)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].at.After(out[j].at) })
	return out
}

func gtaConfig(t *testing.T, dir, giteaAPI, forgejoAPI string, repos, orgs []string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `forges:
  - {name: gitea, type: gitea, url: https://gitea.example.org, api_url: %q, token_env: ACC_GITEA_TOKEN}
  - {name: codeberg, type: gitea, url: https://codeberg.example.org/forge, api_url: %q}
defis:
  - slug: acc
    name: Défi d'acceptation
`, giteaAPI, forgejoAPI)
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
	fmt.Fprintf(&b, "storage: {driver: sqlite, dsn: %q}\n", filepath.Join(dir, "vigie.db"))
	p := filepath.Join(dir, "vigie.yml")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// gtaCase is one repository and the details its result must hold.
type gtaCase struct {
	name, url, repo string
	spdx, licFile   string
	readme          string
	rbytes          int
	systems         []string
	status          string
	archived        bool
	last            float64 // days; -1 empty
	commits         int
}

func gtaAssert(t *testing.T, r checksResult, k gtaCase, now time.Time) {
	t.Helper()
	if r.Repo != k.repo || r.Error != "" || r.Score == nil || len(r.Checks) < 4 {
		t.Errorf("%s: repo %q error %q score %v, want %q scored", k.name, r.Repo, r.Error, r.Score, k.repo)
		return
	}
	lic, rd, ci, act := r.Checks[0].Details, r.Checks[1].Details, r.Checks[2].Details, r.Checks[3].Details
	if lic["spdx_id"] != k.spdx || lic["file"] != k.licFile {
		t.Errorf("%s: licence = %q %q, want %q %q", k.name, lic["spdx_id"], lic["file"], k.spdx, k.licFile)
	}
	if rd["file"] != k.readme || rd["bytes"] != float64(k.rbytes) {
		t.Errorf("%s: readme = %v %v, want %q %d", k.name, rd["file"], rd["bytes"], k.readme, k.rbytes)
	}
	if fmt.Sprint(ci["systems"]) != fmt.Sprint(k.systems) || ci["status"] != k.status {
		t.Errorf("%s: ci = %v %v, want %v %s", k.name, ci["systems"], ci["status"], k.systems, k.status)
	}
	if act["archived"] != k.archived || act["commits_90d"] != float64(k.commits) {
		t.Errorf("%s: archived %v commits_90d %v, want %v %d", k.name, act["archived"], act["commits_90d"], k.archived, k.commits)
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

// gtaProgramme builds both instances' repositories and their expected
// results: a Gitea 1.24 at the root, and a Forgejo under /forge whose
// MAX_RESPONSE_ITEMS is 10, behind a proxy that answers 429 now and then.
func gtaProgramme(now time.Time) (gitea, forgejo []*gtaRepo, cases []gtaCase) {
	wf := ".gitea/workflows/ci.yml"
	full := &gtaRepo{owner: "eig", name: "outil", branch: "main", licenses: []string{"MIT"}, release: "v1.0.0",
		files:   map[string]string{"LICENSE": glaMIT, "README.md": glaReadme, wf: "on: push\n", "src/app.py": "print()\n"},
		commits: gtaDays(now, 1, 2, 3, 40, 120), statuses: []string{"success"}}
	// Gitea's verdict disagrees with the file: vigie's identification decides.
	mismatch := &gtaRepo{owner: "eig", name: "mismatch", branch: "main", licenses: []string{"Apache-2.0"},
		files: map[string]string{"LICENSE": glaMIT, "docs/README.md": glaReadme}, commits: gtaDays(now, 5)}
	empty := &gtaRepo{owner: "eig", name: "vide", branch: "main", empty: true, licenses: []string{}}
	archived := &gtaRepo{owner: "eig", name: "ancien", branch: "master", archived: true, fork: true, licenses: []string{"MIT"},
		files: map[string]string{"LICENSE": glaMIT, "README": "Ancien outil.\n", ".drone.yml": "kind: pipeline\n"}, commits: gtaDays(now, 400), statuses: []string{"failure"}}
	renamed := &gtaRepo{owner: "eig", name: "nouveau-nom", oldNames: []string{"eig/ancien-nom"}, branch: "main", licenses: []string{"MIT"},
		files: map[string]string{"LICENSE": glaMIT, "README.md": glaReadme}, commits: gtaDays(now, 2)}
	transferred := &gtaRepo{owner: "dinum", name: "carto", oldNames: []string{"eig/carto"}, moved301: true, branch: "main", licenses: []string{"MIT"},
		files: map[string]string{"LICENSE": glaMIT, "README.md": glaReadme}, commits: gtaDays(now, 3, 4)}
	// A scheduled-only workflow: no status, the run's result stands.
	nightly := &gtaRepo{owner: "eig", name: "nightly", branch: "main", licenses: []string{},
		files: map[string]string{"README.md": glaReadme, ".gitea/workflows/nightly.yaml": "on:\n  schedule:\n    - cron: '0 3 * * *'\n"}, commits: gtaDays(now, 10), scheduled: "failure"}
	secret := &gtaRepo{owner: "eig", name: "secret", branch: "main", private: true, files: map[string]string{"README.md": "x"}, commits: gtaDays(now, 1)}
	gitea = []*gtaRepo{full, mismatch, empty, archived, renamed, nightly, secret, transferred}

	var many []float64
	for i := range 33 {
		many = append(many, 0.5+float64(i)*2.5) // 33 commits over 81 days
	}
	many = append(many, 95, 100, 200)
	forge := &gtaRepo{owner: "dinum", name: "suivi", branch: "main",
		files:   map[string]string{"LICENSE": glaCeCILLB, "README.md": glaReadme, ".forgejo/workflows/test.yml": "on: [push]\n", ".woodpecker.yml": "steps: []\n"},
		commits: gtaDays(now, many...), statuses: []string{"success", "pending"}}
	sched := &gtaRepo{owner: "dinum", name: "veille", branch: "main",
		files:   map[string]string{"LICENSE": glaMIT, "README.md": glaReadme, ".forgejo/workflows/veille.yml": "on:\n  schedule:\n    - cron: '@daily'\n"},
		commits: gtaDays(now, 30), scheduled: "success"}
	forgejo = []*gtaRepo{forge, sched}

	g := func(x *gtaRepo) string { return "gitea.example.org/" + x.full() }
	cases = []gtaCase{
		{name: "full", url: "https://gitea.example.org/eig/outil/src/branch/main/src", repo: g(full), spdx: "MIT", licFile: "LICENSE", readme: "README.md", rbytes: len(glaReadme),
			systems: []string{"gitea-actions"}, status: "success", last: 1, commits: 4},
		{name: "verdicts disagree, README in docs/", url: "https://gitea.example.org/eig/mismatch.git", repo: g(mismatch), spdx: "MIT", licFile: "LICENSE", readme: "docs/README.md", rbytes: len(glaReadme),
			systems: []string{}, status: "none", last: 5, commits: 1},
		{name: "empty", url: "gitea.example.org/eig/vide", repo: g(empty), systems: []string{}, status: "none", last: -1},
		{name: "archived fork", url: "https://gitea.example.org/eig/ancien", repo: g(archived), spdx: "MIT", licFile: "LICENSE", readme: "README", rbytes: len("Ancien outil.\n"),
			systems: []string{"drone"}, status: "failure", archived: true, last: 400},
		{name: "renamed", url: "https://gitea.example.org/eig/ancien-nom", repo: "gitea.example.org/eig/ancien-nom", spdx: "MIT", licFile: "LICENSE", readme: "README.md", rbytes: len(glaReadme),
			systems: []string{}, status: "none", last: 2, commits: 1},
		{name: "transferred (301)", url: "https://gitea.example.org/eig/carto", repo: "gitea.example.org/eig/carto", spdx: "MIT", licFile: "LICENSE", readme: "README.md", rbytes: len(glaReadme),
			systems: []string{}, status: "none", last: 3, commits: 2},
		{name: "scheduled only (Gitea 1.24: /actions/runs)", url: "https://gitea.example.org/eig/nightly", repo: g(nightly), readme: "README.md", rbytes: len(glaReadme),
			systems: []string{"gitea-actions"}, status: "failure", last: 10, commits: 1},
		{name: "Forgejo, short pages, two CI systems", url: "https://codeberg.example.org/forge/dinum/suivi", repo: "codeberg.example.org/forge/dinum/suivi", spdx: "CECILL-B", licFile: "LICENSE",
			readme: "README.md", rbytes: len(glaReadme), systems: []string{"gitea-actions", "woodpecker"}, status: "running", last: 0.5, commits: 33},
		{name: "Forgejo, scheduled only (/actions/tasks)", url: "https://codeberg.example.org/forge/dinum/veille", repo: "codeberg.example.org/forge/dinum/veille", spdx: "MIT", licFile: "LICENSE",
			readme: "README.md", rbytes: len(glaReadme), systems: []string{"gitea-actions"}, status: "success", last: 30, commits: 1},
	}
	return gitea, forgejo, cases
}

func TestAcceptGitea(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	gRepos, fRepos, cases := gtaProgramme(now)
	gs, gts := gtaStart(t, "1.24.2", 50, "", gRepos, "eig")
	fs, fts := gtaStart(t, "11.0.3+gitea-1.22.0", 10, "/forge", fRepos, "dinum")
	fs.proxyEvery = 7
	dir := t.TempDir()
	cfg := gtaConfig(t, dir, gts.URL, fts.URL+"/forge", []string{"https://gitea.example.org/eig/outil"}, nil)
	var urls []string
	for _, k := range cases {
		urls = append(urls, k.url)
	}
	for _, tok := range []string{"", "gitea-acceptance-token"} {
		t.Run("token="+strconv.FormatBool(tok != ""), func(t *testing.T) {
			gs.token = tok
			env := map[string]string{"ACC_GITEA_TOKEN": tok}
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
				gtaAssert(t, rs[i], k, now)
			}
			if rs[0].Defi != "acc" || rs[0].Forge != "gitea" || rs[7].Forge != "codeberg" {
				t.Errorf("défi %q, forges %q %q", rs[0].Defi, rs[0].Forge, rs[7].Forge)
			}
			if fs.limited == 0 {
				t.Error("the proxy never answered 429: the test tests nothing")
			}
		})
	}
	gs.token = ""

	t.Run("missing and private", func(t *testing.T) {
		out := runVigie(t, nil, "check", "--config", cfg, "--format", "json",
			"https://gitea.example.org/eig/nope", "https://gitea.example.org/eig/secret", "https://gitea.example.org/eig/outil")
		if out.code != 3 {
			t.Errorf("exit %d, want 3; stderr:\n%s", out.code, out.stderr)
		}
		rs := glaDecode(t, out.stdout)
		if len(rs) != 3 {
			t.Fatalf("%d results, want 3", len(rs))
		}
		for _, r := range rs[:2] {
			if r.Error == "" || r.Score != nil || len(r.Checks) != 0 {
				t.Errorf("%s: error %q score %v", r.Repo, r.Error, r.Score)
			}
		}
		gtaAssert(t, rs[2], cases[0], now)
	})

	// A token reads a private repository: vigie still reports it as not
	// public and publishes nothing of it.
	t.Run("private with a token", func(t *testing.T) {
		gs.token = "gitea-acceptance-token"
		defer func() { gs.token = "" }()
		out := runVigie(t, map[string]string{"ACC_GITEA_TOKEN": gs.token}, "check", "--config", cfg, "--format", "json", "https://gitea.example.org/eig/secret")
		rs := glaDecode(t, out.stdout)
		if out.code != 3 || len(rs) != 1 || rs[0].Error == "" || rs[0].Score != nil || strings.Contains(out.stdout, "Outil du défi secret") {
			t.Errorf("exit %d, %+v", out.code, rs)
		}
	})
}

// TestAcceptGiteaCrawl crawls an organisation on each instance (the
// Forgejo's longer than its pages), twice: the second crawl of unchanged
// repositories costs few requests, a push shows, raw files come back as
// 304s; then the API serves what the crawl stored.
func TestAcceptGiteaCrawl(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	mk := func(owner, name string) *gtaRepo {
		return &gtaRepo{owner: owner, name: name, branch: "main",
			files:   map[string]string{"LICENSE": glaMIT, "README.md": glaReadme, ".forgejo/workflows/ci.yml": "on: push\n"},
			commits: gtaDays(now, 2, 3, 50), statuses: []string{"success"}}
	}
	var fRepos []*gtaRepo
	for i := range 23 {
		fRepos = append(fRepos, mk("dinum", fmt.Sprintf("outil-%02d", i)))
	}
	internal, private := mk("dinum", "interne"), mk("dinum", "prive")
	internal.internal, private.private = true, true
	fRepos = append(fRepos, internal, private, mk("jdupont", "script"))
	gRepos := []*gtaRepo{mk("eig", "api")}
	gs, gts := gtaStart(t, "1.23.4", 50, "", gRepos, "eig")
	fs, fts := gtaStart(t, "11.0.3+gitea-1.22.0", 10, "/forge", fRepos, "dinum")
	gs.token = "tok"
	dir := t.TempDir()
	cfg := gtaConfig(t, dir, gts.URL, fts.URL+"/forge", []string{"https://gitea.example.org/eig/api"},
		[]string{"https://codeberg.example.org/forge/dinum", "https://codeberg.example.org/forge/jdupont"})
	env := map[string]string{"ACC_GITEA_TOKEN": "tok"}

	crawl := func() map[string]checksResult {
		t.Helper()
		out := runVigie(t, env, "crawl", "--config", cfg, "--format", "json")
		if out.code != 0 {
			t.Fatalf("crawl exit %d, stderr:\n%s", out.code, out.stderr)
		}
		m := map[string]checksResult{}
		for _, r := range glaDecode(t, out.stdout) {
			if r.Error != "" || r.Score == nil || r.Defi != "acc" {
				t.Errorf("%s: error %q score %v défi %q", r.Repo, r.Error, r.Score, r.Defi)
			}
			m[r.Repo] = r
		}
		return m
	}
	perRepo := func(s *gtaServer) float64 {
		c := s.take()
		repos, n := 0, 0
		for k, v := range c {
			n += v
			if strings.Contains(k, "/") {
				repos++
			}
		}
		return float64(n) / float64(max(repos, 1))
	}
	first := crawl()
	if len(first) != 25 {
		t.Errorf("first crawl: %d repositories, want 25 (23 + jdupont/script + eig/api)", len(first))
	}
	for _, no := range []string{"codeberg.example.org/forge/dinum/interne", "codeberg.example.org/forge/dinum/prive"} {
		if _, ok := first[no]; ok {
			t.Errorf("%s crawled: not public", no)
		}
	}
	cold := perRepo(fs)
	gs.take()

	second := crawl()
	warm := perRepo(fs)
	t.Logf("requests per repository on the Forgejo (listing and version included): cold %.2f, unchanged %.2f", cold, warm)
	if cold > 9 || warm > 4.5 {
		t.Errorf("requests per repository: cold %.2f (want ≤ 9), unchanged %.2f (want ≤ 4.5)", cold, warm)
	}
	for id, r := range first {
		if a, b := fmt.Sprint(r.Checks), fmt.Sprint(second[id].Checks); a != b {
			t.Errorf("%s: unchanged repository, different checks:\n%s\n%s", id, a, b)
		}
	}

	// A push to one repository: new head, same README and LICENSE.
	pushed := gRepos[0]
	pushed.commits = append([]gtaCommit{{at: now.Add(-time.Hour), email: "new@example.org"}}, pushed.commits...)
	pushed.statuses = []string{"failure"}
	gs.take()
	third := crawl()
	k := gtaCase{name: "pushed", repo: "gitea.example.org/eig/api", spdx: "MIT", licFile: "LICENSE", readme: "README.md", rbytes: len(glaReadme),
		systems: []string{"gitea-actions"}, status: "failure", last: 1.0 / 24, commits: 4}
	gtaAssert(t, third[k.repo], k, now)
	if gs.notMod < 2 {
		t.Errorf("%d raw files answered 304 after the push, want the README and LICENSE (2)", gs.notMod)
	}

	// The API serves the stored results, as the crawl printed them.
	base, _ := startServe(t, cfg, env)
	a := svGet(t, base+"/api/repos/"+k.repo)
	if a.code != 200 {
		t.Fatalf("/api/repos/%s = %d %s", k.repo, a.code, a.body)
	}
	api := glaDecode(t, "["+a.body+"]")[0]
	gtaAssert(t, api, k, now)
	if c := svGet(t, base+"/api/repos/codeberg.example.org/forge/dinum/outil-07"); c.code != 200 || !strings.Contains(c.body, `"gitea-actions"`) {
		t.Errorf("/api/repos/…/outil-07 = %d %s", c.code, c.body)
	}
}
