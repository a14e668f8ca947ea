package fakegitea

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/internal/fakeforge"
)

func get(t *testing.T, c *http.Client, u string, h ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for i := 0; i+1 < len(h); i += 2 {
		req.Header.Set(h[i], h[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// The fake answers in Gitea's shapes: what the crawler relies on is checked
// here against the fake alone, so a mistake in one shows in the other.
func TestShapes(t *testing.T) {
	now := time.Now().UTC()
	var cs []fakeforge.Commit
	for i := range 25 {
		cs = append(cs, fakeforge.Commit{AuthorEmail: "a@x.org", Date: now.Add(-time.Duration(i) * time.Hour)})
	}
	repos := []fakeforge.Repo{
		{Path: "o/full", DefaultBranch: "main", License: "MIT", Commits: cs, OldPaths: []string{"o/old"},
			Files: map[string]string{"LICENSE": "MIT", "a/b/c.txt": "x"}},
		{Path: "o/empty"},
		{Path: "o/secret", DefaultBranch: "main", Private: true, Commits: cs[:1]},
	}
	for _, version := range []string{"1.23.4", "11.0.3+gitea-1.22.0"} {
		g := New(repos, Options{Version: version, MaxResponseItems: 10})
		srv := httptest.NewServer(g)
		c := srv.Client()
		api := srv.URL + "/api/v1/"

		resp, body := get(t, c, api+"repos/o/full")
		var m map[string]any
		_ = json.Unmarshal([]byte(body), &m)
		_, has := m["licenses"]
		if resp.StatusCode != 200 || m["full_name"] != "o/full" || has != (version == "1.23.4") {
			t.Errorf("%s: repository = %d %v (licenses field present: %v)", version, resp.StatusCode, m["full_name"], has)
		}
		// Pages cut at MAX_RESPONSE_ITEMS, with Gitea's headers.
		resp, body = get(t, c, api+"repos/o/full/commits?sha=main&limit=50&page=3")
		var list []map[string]any
		_ = json.Unmarshal([]byte(body), &list)
		if len(list) != 5 || resp.Header.Get("X-Total-Count") != "25" || resp.Header.Get("X-HasMore") != "false" || strings.Contains(resp.Header.Get("Link"), `rel="next"`) {
			t.Errorf("%s: last page = %d items, headers %v", version, len(list), resp.Header)
		}
		resp, _ = get(t, c, api+"repos/o/full/commits?sha=main&limit=50&page=1")
		if resp.Header.Get("X-HasMore") != "true" || !strings.Contains(resp.Header.Get("Link"), `page=2`) {
			t.Errorf("%s: first page headers %v", version, resp.Header)
		}
		if resp, _ := get(t, c, api+"repos/o/empty/commits?sha=main"); resp.StatusCode != http.StatusConflict {
			t.Errorf("%s: empty repository's commits = %d, want 409", version, resp.StatusCode)
		}
		// A renamed repository: 307 to the new path, the rest kept.
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		if resp, _ := get(t, noFollow, api+"repos/o/old/commits?sha=main"); resp.StatusCode != http.StatusTemporaryRedirect ||
			!strings.HasSuffix(resp.Header.Get("Location"), "/api/v1/repos/o/full/commits?sha=main") {
			t.Errorf("%s: old path = %d %s", version, resp.StatusCode, resp.Header.Get("Location"))
		}
		// Raw files: the blob SHA as ETag, 304 when it matches.
		resp, body = get(t, c, api+"repos/o/full/raw/LICENSE?ref=main")
		etag := resp.Header.Get("ETag")
		if resp.StatusCode != 200 || body != "MIT" || etag == "" {
			t.Errorf("%s: raw = %d %q etag %q", version, resp.StatusCode, body, etag)
		}
		if resp, _ := get(t, c, api+"repos/o/full/raw/LICENSE?ref=main", "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s: revalidation = %d, want 304", version, resp.StatusCode)
		}
		// A tree: the root, then a folder by its SHA, recursively.
		_, body = get(t, c, api+"repos/o/full/git/trees/"+cs[0].SHA)
		var tree struct {
			Tree []struct{ Path, Type, SHA string } `json:"tree"`
		}
		_ = json.Unmarshal([]byte(body), &tree)
		if len(tree.Tree) != 2 || tree.Tree[1].Path != "a" || tree.Tree[1].Type != "tree" {
			t.Fatalf("%s: root tree = %+v", version, tree.Tree)
		}
		_, body = get(t, c, api+"repos/o/full/git/trees/"+tree.Tree[1].SHA+"?recursive=true")
		var sub struct {
			Tree []struct{ Path, Type string } `json:"tree"`
		}
		_ = json.Unmarshal([]byte(body), &sub)
		if len(sub.Tree) != 2 || sub.Tree[0].Path != "b" || sub.Tree[1].Path != "b/c.txt" {
			t.Errorf("%s: recursive tree of a = %+v", version, sub.Tree)
		}
		// Private: 404 anonymously, 200 with a token.
		if resp, _ := get(t, c, api+"repos/o/secret"); resp.StatusCode != 404 {
			t.Errorf("%s: private anonymously = %d", version, resp.StatusCode)
		}
		if resp, _ := get(t, c, api+"repos/o/secret", "Authorization", "token t"); resp.StatusCode != 200 {
			t.Errorf("%s: private with a token = %d", version, resp.StatusCode)
		}
		// /actions/runs exists from Gitea 1.24 only.
		if resp, _ := get(t, c, api+"repos/o/full/actions/runs"); resp.StatusCode != 404 {
			t.Errorf("%s: /actions/runs = %d, want 404", version, resp.StatusCode)
		}
		srv.Close()
	}
}
