package fakegitlab

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/internal/fakeforge"
)

func glFixture() []fakeforge.Repo {
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	var cs []fakeforge.Commit
	for i := range 130 {
		cs = append(cs, fakeforge.Commit{AuthorName: "A", AuthorEmail: "a@x.org", Date: t0.Add(-time.Duration(i) * 24 * time.Hour)})
	}
	return []fakeforge.Repo{
		{Path: "eig/sub/projet", DefaultBranch: "main", License: "MIT", Stars: 3, OpenIssues: 2, OpenPullRequests: 45,
			Files:    map[string]string{"README.md": "# P", "LICENSE": "MIT text", "docs/guide.md": "g"},
			Commits:  cs,
			CI:       &fakeforge.CIRun{State: "failure", At: t0},
			OldPaths: []string{"eig/ancien"}, Language: "Python"},
		{Path: "eig/sans-tickets", DefaultBranch: "main", OpenIssues: -1, License: "NOASSERTION", Fork: true,
			Files: map[string]string{"LICENCE": "CeCILL"}},
		{Path: "eig/prive", DefaultBranch: "main", Private: true},
		{Path: "eig/vide", Archived: true},
		{Path: "moi/perso", DefaultBranch: "main", UserOwned: true},
	}
}

type glResp struct {
	code int
	h    http.Header
	body []byte
}

func glGet(t *testing.T, h http.Handler, method, target string, body string) glResp {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return glResp{rec.Code, rec.Header(), rec.Body.Bytes()}
}

func (r glResp) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body %q: %v", r.body, err)
	}
}

// withToken sends the requests as a token holder.
type withToken struct{ h http.Handler }

func (w withToken) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	r.Header.Set("PRIVATE-TOKEN", "glpat-test")
	w.h.ServeHTTP(rw, r)
}

func TestGitLabProject(t *testing.T) {
	anon := NewGitLab(glFixture())
	g := withToken{anon}
	r := glGet(t, g, "GET", "http://h/api/v4/projects/eig%2Fsub%2Fprojet?license=true", "")
	if r.code != 200 || r.h.Get("RateLimit-Limit") == "" || r.h.Get("RateLimit-Remaining") == "" {
		t.Fatalf("code %d, headers %v", r.code, r.h)
	}
	var p map[string]any
	r.json(t, &p)
	want := map[string]any{
		"id": 1.0, "path_with_namespace": "eig/sub/projet", "default_branch": "main", "star_count": 3.0,
		"open_issues_count": 2.0, "empty_repo": false, "archived": false,
		"readme_url":  "http://h/eig/sub/projet/-/blob/main/README.md",
		"license_url": "http://h/eig/sub/projet/-/blob/main/LICENSE",
		"web_url":     "http://h/eig/sub/projet", "statistics": nil,
	}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("%s = %#v, want %#v", k, p[k], v)
		}
	}
	lic, _ := p["license"].(map[string]any)
	if lic["key"] != "mit" || lic["name"] == "" || lic["nickname"] != nil {
		t.Errorf("license %#v", p["license"])
	}
	if r.h.Get("ETag") == "" {
		t.Error("no ETag")
	}
	// GitLab ignores If-None-Match: the same ETag still gets a full answer.
	req := httptest.NewRequest("GET", "http://h/api/v4/projects/1?license=true", nil)
	req.Header.Set("If-None-Match", r.h.Get("ETag"))
	rec := httptest.NewRecorder()
	g.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Body.Len() == 0 {
		t.Errorf("If-None-Match: %d, %d bytes", rec.Code, rec.Body.Len())
	}
	if _, ok := p["forked_from_project"]; ok {
		t.Error("forked_from_project on a non-fork")
	}

	// Without ?license=true there is no licence object.
	var bare map[string]any
	glGet(t, g, "GET", "http://h/api/v4/projects/1", "").json(t, &bare)
	if _, ok := bare["license"]; ok || bare["path_with_namespace"] != "eig/sub/projet" {
		t.Errorf("by id, without license=true: %v", bare["license"])
	}

	var other map[string]any
	glGet(t, g, "GET", "http://h/api/v4/projects/eig%2Fsans-tickets?license=true", "").json(t, &other)
	if _, ok := other["open_issues_count"]; ok {
		t.Error("open_issues_count present with issues disabled")
	}
	if lic, _ := other["license"].(map[string]any); lic["key"] != "other" || other["forked_from_project"] == nil {
		t.Errorf("other licence / fork: %v %v", other["license"], other["forked_from_project"])
	}

	var empty map[string]any
	glGet(t, g, "GET", "http://h/api/v4/projects/eig%2Fvide", "").json(t, &empty)
	if empty["empty_repo"] != true || empty["default_branch"] != nil || empty["readme_url"] != nil {
		t.Errorf("empty project: %v %v %v", empty["empty_repo"], empty["default_branch"], empty["readme_url"])
	}
}

// Without a token GitLab answers GET /projects/:id with ProjectDetails and
// a user's projects with BasicProjectDetails; a group's listing keeps the
// full entity.
func TestGitLabAnonymousEntities(t *testing.T) {
	g := NewGitLab(glFixture())
	full := []string{"archived", "empty_repo", "open_issues_count", "visibility", "builds_access_level", "ci_config_path", "merge_requests_access_level", "issues_enabled"}
	var p map[string]any
	glGet(t, g, "GET", "http://h/api/v4/projects/eig%2Fsub%2Fprojet?license=true", "").json(t, &p)
	for _, k := range full {
		if _, ok := p[k]; ok {
			t.Errorf("anonymous GET /projects/:id has %s", k)
		}
	}
	for _, k := range []string{"path_with_namespace", "default_branch", "readme_url", "license_url", "license", "star_count", "namespace", "topics"} {
		if _, ok := p[k]; !ok {
			t.Errorf("anonymous GET /projects/:id lacks %s", k)
		}
	}
	var fork map[string]any
	glGet(t, g, "GET", "http://h/api/v4/projects/eig%2Fsans-tickets", "").json(t, &fork)
	if fork["forked_from_project"] == nil {
		t.Error("ProjectDetails names the upstream of a fork")
	}
	var listed []map[string]any
	glGet(t, g, "GET", "http://h/api/v4/groups/eig/projects?include_subgroups=true&search=projet", "").json(t, &listed)
	if len(listed) != 1 || listed[0]["path_with_namespace"] != "eig/sub/projet" {
		t.Fatalf("group listing searched for projet: %v", listed)
	}
	for _, k := range full {
		if _, ok := listed[0][k]; !ok {
			t.Errorf("anonymous group listing lacks %s", k)
		}
	}
}

func TestGitLabNotFoundAndMoved(t *testing.T) {
	g := NewGitLab(glFixture())
	for _, target := range []string{"/api/v4/projects/eig%2Fprive", "/api/v4/projects/eig%2Fnope/repository/tree", "/api/v4/projects/99"} {
		r := glGet(t, g, "GET", "http://h"+target, "")
		if r.code != 404 || strings.TrimSpace(string(r.body)) != `{"message":"404 Project Not Found"}` {
			t.Errorf("%s: %d %s", target, r.code, r.body)
		}
	}
	r := glGet(t, g, "GET", "http://h/gitlab/api/v4/projects/eig%2Fancien/repository/tree?ref=main", "")
	if r.code != 301 || r.h.Get("Location") != "http://h/gitlab/api/v4/projects/1/repository/tree?ref=main" {
		t.Errorf("moved: %d %q", r.code, r.h.Get("Location"))
	}
}

func TestGitLabPagination(t *testing.T) {
	g := NewGitLab(glFixture())
	// Commits: X-Next-Page and Link, but no X-Total.
	r := glGet(t, g, "GET", "http://h/api/v4/projects/1/repository/commits?ref_name=main&per_page=100", "")
	var cs []map[string]any
	r.json(t, &cs)
	if len(cs) != 100 || r.h.Get("X-Next-Page") != "2" || r.h.Get("X-Total") != "" || r.h.Get("X-Total-Pages") != "" {
		t.Errorf("commits page 1: %d items, headers %v", len(cs), r.h)
	}
	if !strings.Contains(r.h.Get("Link"), `rel="next"`) || strings.Contains(r.h.Get("Link"), `rel="last"`) {
		t.Errorf("Link %q", r.h.Get("Link"))
	}
	r = glGet(t, g, "GET", "http://h/api/v4/projects/1/repository/commits?ref_name=main&per_page=100&page=2", "")
	r.json(t, &cs)
	if len(cs) != 30 || r.h.Get("X-Next-Page") != "" {
		t.Errorf("commits page 2: %d items, next %q", len(cs), r.h.Get("X-Next-Page"))
	}
	// since filters the committed date.
	r = glGet(t, g, "GET", "http://h/api/v4/projects/1/repository/commits?since=2026-10-22T12:00:00Z&per_page=100", "")
	r.json(t, &cs)
	if len(cs) != 11 || cs[0]["committed_date"] != "2026-11-01T12:00:00.000Z" {
		t.Errorf("since: %d commits, first %v", len(cs), cs[0]["committed_date"])
	}
	// Merge requests: X-Total.
	r = glGet(t, g, "GET", "http://h/api/v4/projects/1/merge_requests?state=opened&per_page=1", "")
	if r.h.Get("X-Total") != "45" || r.h.Get("X-Total-Pages") != "45" {
		t.Errorf("merge requests X-Total %q", r.h.Get("X-Total"))
	}
}

func TestGitLabTreeAndFiles(t *testing.T) {
	g := NewGitLab(glFixture())
	var tree []map[string]any
	glGet(t, g, "GET", "http://h/api/v4/projects/1/repository/tree?ref=main", "").json(t, &tree)
	var got []string
	for _, e := range tree {
		got = append(got, fmt.Sprintf("%s:%s", e["type"], e["path"]))
	}
	if strings.Join(got, " ") != "tree:docs blob:LICENSE blob:README.md" {
		t.Errorf("root tree %v", got)
	}
	if r := glGet(t, g, "GET", "http://h/api/v4/projects/1/repository/tree?ref=main&path=nope", ""); r.code != 404 {
		t.Errorf("missing folder: %d", r.code)
	}
	r := glGet(t, g, "GET", "http://h/api/v4/projects/1/repository/files/docs%2Fguide.md/raw?ref=main", "")
	if r.code != 200 || string(r.body) != "g" {
		t.Errorf("raw: %d %q", r.code, r.body)
	}
	r = glGet(t, g, "HEAD", "http://h/api/v4/projects/1/repository/files/README.md?ref=main", "")
	if r.code != 200 || r.h.Get("X-Gitlab-Size") != "3" || len(r.body) != 0 {
		t.Errorf("HEAD: %d size %q", r.code, r.h.Get("X-Gitlab-Size"))
	}
	if r := glGet(t, g, "GET", "http://h/api/v4/projects/1/repository/files/NOPE/raw?ref=main", ""); r.code != 404 || !bytes.Contains(r.body, []byte("404 File Not Found")) {
		t.Errorf("missing file: %d %s", r.code, r.body)
	}
}

func TestGitLabPipelines(t *testing.T) {
	g := NewGitLab(glFixture())
	var ps []map[string]any
	glGet(t, g, "GET", "http://h/api/v4/projects/1/pipelines?ref=main&per_page=1", "").json(t, &ps)
	if len(ps) != 1 || ps[0]["status"] != "failed" {
		t.Errorf("pipelines %v", ps)
	}
	if r := glGet(t, g, "GET", "http://h/api/v4/projects/2/pipelines/latest", ""); r.code != 403 {
		t.Errorf("latest without pipeline: %d, want 403", r.code)
	}
}

func TestGitLabGroups(t *testing.T) {
	g := NewGitLab(glFixture())
	list := func(target string) (int, []string) {
		r := glGet(t, g, "GET", "http://h/api/v4/"+target, "")
		var ps []map[string]any
		if r.code == 200 {
			r.json(t, &ps)
		}
		var paths []string
		for _, p := range ps {
			paths = append(paths, p["path_with_namespace"].(string))
		}
		return r.code, paths
	}
	if code, paths := list("groups/eig/projects?include_subgroups=true&order_by=id&sort=asc"); code != 200 || strings.Join(paths, " ") != "eig/sub/projet eig/sans-tickets eig/vide" {
		t.Errorf("with subgroups: %d %v", code, paths)
	}
	if _, paths := list("groups/eig/projects?order_by=id&sort=asc"); strings.Join(paths, " ") != "eig/sans-tickets eig/vide" {
		t.Errorf("without subgroups: %v", paths)
	}
	if _, paths := list("groups/eig/projects?include_subgroups=true&archived=false&order_by=id&sort=asc"); len(paths) != 2 {
		t.Errorf("archived=false: %v", paths)
	}
	if _, paths := list("groups/eig%2Fsub/projects"); strings.Join(paths, " ") != "eig/sub/projet" {
		t.Errorf("subgroup by path: %v", paths)
	}
	if code, _ := list("groups/moi/projects"); code != 404 {
		t.Errorf("user namespace as a group: %d", code)
	}
	if code, paths := list("users/moi/projects"); code != 200 || len(paths) != 1 {
		t.Errorf("user projects: %d %v", code, paths)
	}
}

func TestGitLabGraphQL(t *testing.T) {
	g := NewGitLab(glFixture())
	q := `query($p: [String!]) { projects(fullPaths: $p, first: 50) { nodes { fullPath mr: mergeRequests(state: opened) { count } languages { name share } } } }`
	body, _ := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"p": []string{"eig/sub/projet", "eig/prive", "eig/ancien"}}})
	r := glGet(t, g, "POST", "http://h/gitlab/api/graphql", string(body))
	var resp struct {
		Data struct {
			Projects struct {
				Nodes []struct {
					FullPath  string
					MR        struct{ Count int }
					Languages []struct {
						Name  string
						Share float64
					}
				}
			}
		}
		Errors []any
	}
	r.json(t, &resp)
	n := resp.Data.Projects.Nodes
	// Private and old paths are not found by GraphQL.
	if r.code != 200 || len(resp.Errors) != 0 || len(n) != 1 || n[0].MR.Count != 45 || n[0].Languages[0].Name != "Python" {
		t.Errorf("graphql: %d %s", r.code, r.body)
	}
	bad, _ := json.Marshal(map[string]any{"query": `{ projects(fullPaths: ["eig/sub/projet"]) { nodes { licence } } }`})
	r = glGet(t, g, "POST", "http://h/api/graphql", string(bad))
	if r.code != 200 || !bytes.Contains(r.body, []byte("Field 'licence' doesn't exist on type 'Project'")) {
		t.Errorf("unknown field: %d %s", r.code, r.body)
	}
	g.SetGraphQL(false)
	if r := glGet(t, g, "POST", "http://h/api/graphql", string(body)); r.code != 404 {
		t.Errorf("GraphQL off: %d", r.code)
	}
	if g.Requests() != 3 || g.PathCounts()["POST graphql"] != 3 {
		t.Errorf("counts %d %v", g.Requests(), g.PathCounts())
	}
}

// The repository, its tree and blobs, and pipelines, as GitLab's GraphQL
// API answers them; a variable declared and not used is an error.
func TestGitLabGraphQLRepository(t *testing.T) {
	g := NewGitLab(glFixture())
	q := `query($p: [String!], $ref: String, $files: [String!]!) { projects(fullPaths: $p) { nodes { fullPath webUrl isForked jobsEnabled ciConfigPathOrDefault
	  pipelines(ref: $ref, first: 5) { nodes { id status updatedAt } }
	  repository { rootRef empty tree(ref: $ref) { lastCommit { sha committedDate } blobs(first: 1) { pageInfo { hasNextPage } nodes { path } } trees { nodes { path } } }
	    blobs(ref: $ref, paths: $files) { nodes { path size rawTextBlob } } } } } }`
	body, _ := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"p": []string{"eig/sub/projet"}, "ref": "main", "files": []string{"README.md", "NOPE"}}})
	r := glGet(t, g, "POST", "http://h/api/graphql", string(body))
	var resp struct {
		Data struct {
			Projects struct {
				Nodes []struct {
					WebURL                string
					IsForked, JobsEnabled bool
					CIConfigPathOrDefault string
					Pipelines             struct{ Nodes []struct{ ID, Status string } }
					Repository            struct {
						RootRef string
						Tree    struct {
							LastCommit struct{ SHA string }
							Blobs      struct {
								PageInfo struct{ HasNextPage bool }
								Nodes    []struct{ Path string }
							}
						}
						Blobs struct {
							Nodes []struct{ Path, Size, RawTextBlob string }
						}
					}
				}
			}
		}
		Errors []any
	}
	r.json(t, &resp)
	if len(resp.Data.Projects.Nodes) != 1 || len(resp.Errors) != 0 {
		t.Fatalf("%d %s", r.code, r.body)
	}
	p := resp.Data.Projects.Nodes[0]
	if p.Repository.RootRef != "main" || p.Repository.Tree.LastCommit.SHA == "" || !p.Repository.Tree.Blobs.PageInfo.HasNextPage || len(p.Repository.Tree.Blobs.Nodes) != 1 {
		t.Errorf("repository: %s", r.body)
	}
	if b := p.Repository.Blobs.Nodes; len(b) != 1 || b[0].Path != "README.md" || b[0].Size == "" || b[0].RawTextBlob == "" {
		t.Errorf("blobs: %+v", b)
	}
	if p.CIConfigPathOrDefault != ".gitlab-ci.yml" || !p.JobsEnabled || !strings.HasSuffix(p.WebURL, "/eig/sub/projet") {
		t.Errorf("project: %s", r.body)
	}
	unused, _ := json.Marshal(map[string]any{"query": `query($p: [String!], $x: Int) { projects(fullPaths: $p) { nodes { fullPath } } }`})
	if r := glGet(t, g, "POST", "http://h/api/graphql", string(unused)); !bytes.Contains(r.body, []byte("Variable $x is declared")) {
		t.Errorf("unused variable: %s", r.body)
	}
}
