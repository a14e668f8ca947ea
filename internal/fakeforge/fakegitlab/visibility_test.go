package fakegitlab

import (
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/eiglink/vigie/internal/fakeforge"
)

func visibilityFixture() []fakeforge.Repo {
	return []fakeforge.Repo{
		{Path: "eig/ouvert", DefaultBranch: "main", Description: "ouvert"},
		{Path: "eig/secret", DefaultBranch: "main", Description: "confidentiel", Private: true},
		{Path: "eig/sub/interne", DefaultBranch: "main", Description: "confidentiel", Internal: true},
		{Path: "jane/perso", DefaultBranch: "main", Private: true, UserOwned: true},
		{Path: "jane/public", DefaultBranch: "main", UserOwned: true},
	}
}

// TestGitLabVisibility: the same on GitLab: 404 to anonymous requests,
// 200 with "visibility" to a token (an anonymous answer about a public
// project has none: GitLab's ProjectDetails entity leaves it out); listings show a token its private and
// internal projects unless they ask visibility=public; GraphQL shows them
// to a token.
func TestGitLabVisibility(t *testing.T) {
	g := NewGitLab(visibilityFixture())
	get := func(target string, tok bool) glResp {
		req := httptest.NewRequest("GET", "http://h"+target, nil)
		if tok {
			req.Header.Set("PRIVATE-TOKEN", "tok")
		}
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, req)
		return glResp{rec.Code, rec.Header(), rec.Body.Bytes()}
	}
	for _, tc := range []struct {
		path       string
		tok        bool
		code       int
		visibility string
	}{
		{"/api/v4/projects/eig%2Fsecret", false, 404, ""},
		{"/api/v4/projects/eig%2Fsecret", true, 200, "private"},
		{"/api/v4/projects/eig%2Fsub%2Finterne", false, 404, ""},
		{"/api/v4/projects/eig%2Fsub%2Finterne", true, 200, "internal"},
		{"/api/v4/projects/eig%2Fouvert", false, 200, ""},
		{"/api/v4/projects/eig%2Fouvert", true, 200, "public"},
	} {
		r := get(tc.path, tc.tok)
		var p struct {
			Visibility string `json:"visibility"`
		}
		_ = json.Unmarshal(r.body, &p)
		if r.code != tc.code || p.Visibility != tc.visibility {
			t.Errorf("GET %s (token %v): %d %q, want %d %q", tc.path, tc.tok, r.code, p.Visibility, tc.code, tc.visibility)
		}
	}
	for _, tc := range []struct {
		path string
		tok  bool
		want string
	}{
		{"/api/v4/groups/eig/projects?include_subgroups=true", false, "eig/ouvert"},
		{"/api/v4/groups/eig/projects?include_subgroups=true", true, "eig/ouvert eig/secret eig/sub/interne"},
		{"/api/v4/groups/eig/projects?include_subgroups=true&visibility=public", true, "eig/ouvert"},
		{"/api/v4/groups/eig/projects?include_subgroups=true&visibility=internal", true, "eig/sub/interne"},
	} {
		var ps []struct {
			Path string `json:"path_with_namespace"`
		}
		get(tc.path, tc.tok).json(t, &ps)
		var got []string
		for _, p := range ps {
			got = append(got, p.Path)
		}
		slices.Sort(got)
		if strings.Join(got, " ") != tc.want {
			t.Errorf("GET %s (token %v): %v, want %s", tc.path, tc.tok, got, tc.want)
		}
	}
	q, _ := json.Marshal(map[string]any{"query": `{ projects(fullPaths: ["eig/ouvert", "eig/secret"]) { nodes { fullPath visibility } } }`})
	for _, tok := range []bool{false, true} {
		req := httptest.NewRequest("POST", "http://h/api/graphql", strings.NewReader(string(q)))
		if tok {
			req.Header.Set("Authorization", "Bearer tok")
		}
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, req)
		want := `{"fullPath":"eig/ouvert","visibility":"public"}]`
		if tok {
			want = `{"fullPath":"eig/ouvert","visibility":"public"},{"fullPath":"eig/secret","visibility":"private"}]`
		}
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GraphQL (token %v): %s, want %s", tok, rec.Body, want)
		}
	}
}
