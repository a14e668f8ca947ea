package fakegithub

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

// TestGitHubVisibility: a repository that is not public answers 404 to
// anonymous requests and 200 to a token, saying so; an organisation's
// listing shows it to a token unless type=public; a user's shows public
// repositories only; GraphQL says isPrivate and visibility, and lists by
// privacy.
func TestGitHubVisibility(t *testing.T) {
	srv := httptest.NewServer(NewGitHub(visibilityFixture()))
	defer srv.Close()
	auth := []string{"Authorization", "Bearer tok"}
	for _, tc := range []struct {
		path       string
		tok        bool
		code       int
		visibility string
	}{
		{"/repos/eig/secret", false, 404, ""},
		{"/repos/eig/secret", true, 200, "private"},
		{"/repos/eig/interne", true, 404, ""},
		{"/repos/eig/ouvert", false, 200, "public"},
	} {
		var hdr []string
		if tc.tok {
			hdr = auth
		}
		resp, body := ghGet(t, srv, tc.path, hdr...)
		if resp.StatusCode != tc.code {
			t.Errorf("GET %s (token %v): %d, want %d", tc.path, tc.tok, resp.StatusCode, tc.code)
			continue
		}
		if tc.code == 200 {
			var r struct {
				Private    bool   `json:"private"`
				Visibility string `json:"visibility"`
			}
			_ = json.Unmarshal(body, &r)
			if r.Visibility != tc.visibility || r.Private != (tc.visibility != "public") {
				t.Errorf("GET %s: private %v visibility %q", tc.path, r.Private, r.Visibility)
			}
		}
	}
	list := func(path string, hdr ...string) []string {
		t.Helper()
		resp, body := ghGet(t, srv, path, hdr...)
		var rs []struct {
			FullName string `json:"full_name"`
		}
		if err := json.Unmarshal(body, &rs); err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		var out []string
		for _, r := range rs {
			out = append(out, r.FullName)
		}
		slices.Sort(out)
		return out
	}
	for _, tc := range []struct {
		path string
		hdr  []string
		want string
	}{
		{"/orgs/eig/repos", nil, "eig/ouvert"},
		{"/orgs/eig/repos", auth, "eig/ouvert eig/secret eig/sub/interne"},
		{"/orgs/eig/repos?type=public", auth, "eig/ouvert"},
		{"/orgs/eig/repos?type=private", auth, "eig/secret eig/sub/interne"},
		{"/users/jane/repos", auth, "jane/public"},
	} {
		if got := strings.Join(list(tc.path, tc.hdr...), " "); got != tc.want {
			t.Errorf("GET %s (%v): %s, want %s", tc.path, tc.hdr, got, tc.want)
		}
	}

	_, out := ghPostGraphQL(t, srv, "tok", `query { repository(owner: "eig", name: "secret") { isPrivate visibility }
	  repositoryOwner(login: "eig") { all: repositories(first: 10) { nodes { nameWithOwner } }
	    public: repositories(first: 10, privacy: PUBLIC) { nodes { nameWithOwner isPrivate visibility } } } }`, nil)
	b, _ := json.Marshal(out)
	for _, want := range []string{`"isPrivate":true,"visibility":"PRIVATE"`, `"public":{"nodes":[{"isPrivate":false,"nameWithOwner":"eig/ouvert","visibility":"PUBLIC"}]}`, `"eig/sub/interne"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("GraphQL answer lacks %s:\n%s", want, b)
		}
	}
}
