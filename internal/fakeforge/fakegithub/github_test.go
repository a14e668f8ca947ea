package fakegithub

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/testtool"
	"github.com/vektah/gqlparser/v2/ast"
)

var ghNow = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

func ghTestRepos() []fakeforge.Repo {
	var cs []fakeforge.Commit
	for i := range 75 {
		cs = append(cs, fakeforge.Commit{AuthorName: "A", AuthorEmail: "a@example.org", Login: "alice",
			Date: ghNow.Add(-time.Duration(i) * 24 * time.Hour), Message: "m"})
	}
	return []fakeforge.Repo{
		{Path: "eig/app", DefaultBranch: "main", License: "MIT", Topics: []string{"etat"},
			Files:   map[string]string{"README.md": "# App\n", "LICENSE": "MIT License\n", ".github/workflows/ci.yml": "on: push\n"},
			Sizes:   map[string]int64{"big.bin": 4096},
			Commits: cs, OpenIssues: 4, OpenPullRequests: 3,
			CI: &fakeforge.CIRun{State: "success", Kind: "checks", At: ghNow}, OldPaths: []string{"eig/old-app"}},
		{Path: "eig/empty"},
		{Path: "eig/secret", Private: true, DefaultBranch: "main", Commits: cs[:1]},
		{Path: "eig/nolicence", DefaultBranch: "dev", License: "NOASSERTION", Commits: cs[:2],
			Files: map[string]string{"docs/README.md": "docs\n", "LICENCE.txt": "Licence CeCILL\n"}},
	}
}

// ghSchemaForTest loads GitHub's GraphQL schema as the crawler tests do.
func ghSchemaForTest(t *testing.T) *ast.Schema {
	t.Helper()
	s, err := LoadGitHubSchema(testtool.GitHubSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ghGet(t *testing.T, srv *httptest.Server, path string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestGitHubREST(t *testing.T) {
	srv := httptest.NewServer(NewGitHub(ghTestRepos(), WithGitHubRateLimit(60, 5000)))
	defer srv.Close()
	tests := []struct {
		path    string
		code    int
		contain string // a fragment of the body
	}{
		{"/repos/eig/app", 200, `"full_name":"eig/app"`},
		{"/repos/EIG/App", 200, `"open_issues_count":7`},
		{"/api/v3/repos/eig/app", 200, `"default_branch":"main"`},
		{"/repos/eig/nope", 404, `"message":"Not Found"`},
		{"/repos/eig/secret", 404, `"documentation_url"`},
		{"/repos/eig/old-app/commits", 301, `"Moved Permanently"`},
		{"/repos/eig/empty", 200, `"default_branch":"main"`},
		{"/repos/eig/empty/commits", 409, `Git Repository is empty.`},
		{"/repos/eig/empty/contents/", 404, `This repository is empty.`},
		{"/repos/eig/app/contents/", 200, `"path":".github","sha"`},
		{"/repos/eig/app/contents/.github/workflows", 200, `"path":".github/workflows/ci.yml"`},
		{"/repos/eig/app/contents/nothing", 404, `Not Found`},
		{"/repos/eig/app/readme", 200, `"path":"README.md"`},
		{"/repos/eig/nolicence/readme", 200, `"path":"docs/README.md"`},
		{"/repos/eig/nolicence", 200, `"spdx_id":"NOASSERTION"`},
		{"/repos/eig/app/commits/main/check-runs", 200, `"conclusion":"success"`},
		{"/repos/eig/app/commits/main/status", 200, `"state":"pending","statuses":[]`},
		{"/repos/eig/app/commits/main/status", 200, `"total_count":0`},
		{"/repos/eig/app/releases/latest", 404, `Not Found`},
		{"/orgs/eig/repos", 200, `"full_name":"eig/nolicence"`},
		{"/orgs/nobody/repos", 404, `Not Found`},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := ghGet(t, srv, tc.path)
			if resp.StatusCode != tc.code || !bytes.Contains(body, []byte(tc.contain)) {
				t.Errorf("GET %s: %d %s; want %d containing %s", tc.path, resp.StatusCode, body, tc.code, tc.contain)
			}
			if resp.Header.Get("X-RateLimit-Limit") != "60" || resp.Header.Get("X-RateLimit-Resource") != "core" {
				t.Errorf("rate-limit headers missing: %v", resp.Header)
			}
		})
	}
}

func TestGitHubRedirect(t *testing.T) {
	srv := httptest.NewServer(NewGitHub(ghTestRepos()))
	defer srv.Close()
	resp, _ := ghGet(t, srv, "/api/v3/repos/eig/old-app/commits?per_page=5")
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 301 || !strings.HasPrefix(loc, srv.URL+"/api/v3/repositories/") || !strings.HasSuffix(loc, "/commits?per_page=5") {
		t.Fatalf("got %d Location %q", resp.StatusCode, loc)
	}
	resp, body := ghGet(t, srv, strings.TrimPrefix(loc, srv.URL))
	var list []map[string]any
	if err := json.Unmarshal(body, &list); resp.StatusCode != 200 || err != nil || len(list) != 5 {
		t.Fatalf("following the redirect: %d, %d commits, %v", resp.StatusCode, len(list), err)
	}
}

func TestGitHubPaginationAndSince(t *testing.T) {
	srv := httptest.NewServer(NewGitHub(ghTestRepos()))
	defer srv.Close()
	since := ghNow.Add(-30 * 24 * time.Hour).Format(time.RFC3339)
	seen := 0
	next := "/repos/eig/app/commits?per_page=10&since=" + since
	pages := 0
	for next != "" {
		resp, body := ghGet(t, srv, next)
		var list []map[string]any
		if err := json.Unmarshal(body, &list); err != nil {
			t.Fatal(err)
		}
		seen += len(list)
		pages++
		next = ""
		for _, l := range strings.Split(resp.Header.Get("Link"), ",") {
			if strings.Contains(l, `rel="next"`) {
				u := strings.Trim(strings.TrimSpace(strings.Split(l, ";")[0]), "<>")
				next = strings.TrimPrefix(u, srv.URL)
			}
		}
	}
	// Commits 0..30 days ago, both bounds included: 31.
	if seen != 31 || pages != 4 {
		t.Errorf("got %d commits over %d pages, want 31 over 4", seen, pages)
	}
	resp, _ := ghGet(t, srv, "/repos/eig/app/pulls?state=open&per_page=1")
	if l := resp.Header.Get("Link"); !strings.Contains(l, `?page=3&per_page=1&state=open>; rel="last"`) {
		t.Errorf("pulls Link = %q, want a last page of 3", l)
	}
}

func TestGitHubETag(t *testing.T) {
	srv := httptest.NewServer(NewGitHub(ghTestRepos(), WithGitHubRateLimit(60, 5000)))
	defer srv.Close()
	resp, _ := ghGet(t, srv, "/repos/eig/app", "Authorization", "Bearer t1")
	etag := resp.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	resp, body := ghGet(t, srv, "/repos/eig/app", "Authorization", "Bearer t1", "If-None-Match", etag)
	if resp.StatusCode != 304 || len(body) != 0 {
		t.Errorf("matching If-None-Match: %d %q, want 304 and no body", resp.StatusCode, body)
	}
	if resp.Header.Get("X-RateLimit-Limit") != "5000" || resp.Header.Get("X-RateLimit-Used") != "1" {
		t.Errorf("authenticated limit = %s, used %s after a 304 (free with a token)",
			resp.Header.Get("X-RateLimit-Limit"), resp.Header.Get("X-RateLimit-Used"))
	}
	// ETags differ per token, as on GitHub.
	resp, _ = ghGet(t, srv, "/repos/eig/app", "Authorization", "Bearer t2", "If-None-Match", etag)
	if resp.StatusCode != 200 {
		t.Errorf("another token's ETag: %d, want 200", resp.StatusCode)
	}
	// Without a token a 304 still counts.
	resp, _ = ghGet(t, srv, "/repos/eig/app")
	resp, _ = ghGet(t, srv, "/repos/eig/app", "If-None-Match", resp.Header.Get("ETag"))
	if resp.StatusCode != 304 || resp.Header.Get("X-RateLimit-Remaining") != "58" {
		t.Errorf("anonymous 304: %d, remaining %s, want 304 and 58", resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"))
	}
}

func TestGitHubContentsBase64(t *testing.T) {
	srv := httptest.NewServer(NewGitHub(ghTestRepos()))
	defer srv.Close()
	_, body := ghGet(t, srv, "/repos/eig/nolicence/contents/LICENCE.txt?ref=dev")
	var c struct {
		Content  string `json:"content"`
		Encoding string `json:"encoding"`
		Size     int    `json:"size"`
	}
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	text, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(c.Content, "\n", ""))
	if err != nil || string(text) != "Licence CeCILL\n" || c.Encoding != "base64" || c.Size != len(text) {
		t.Errorf("content %q (%v), encoding %s, size %d", text, err, c.Encoding, c.Size)
	}
}

func ghPostGraphQL(t *testing.T, srv *httptest.Server, tok, query string, vars map[string]any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(b))
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestGitHubGraphQL(t *testing.T) {
	g := NewGitHub(ghTestRepos(), WithGitHubSchema(ghSchemaForTest(t)))
	srv := httptest.NewServer(g)
	defer srv.Close()

	if code, _ := ghPostGraphQL(t, srv, "", `{ rateLimit { cost } }`, nil); code != 401 {
		t.Errorf("anonymous GraphQL: %d, want 401", code)
	}
	_, out := ghPostGraphQL(t, srv, "tok", `{ viewer { nope } }`, nil)
	if out["errors"] == nil || out["data"] != nil {
		t.Errorf("an invalid query answered %v", out)
	}

	q := `query($o: String!) {
  rateLimit { cost remaining }
  a: repository(owner: $o, name: "old-app") { nameWithOwner licenseInfo { spdxId key }
    defaultBranchRef { name target { ... on Commit { statusCheckRollup { state }
      history(first: 50, since: "2026-10-30T08:00:00Z") { totalCount pageInfo { hasNextPage endCursor } nodes { committedDate } } } } }
    root: object(expression: "HEAD:") { ... on Tree { entries { name type size } } }
    lic: object(expression: "main:LICENSE") { ... on Blob { text byteSize } }
    issues(states: [OPEN]) { totalCount } pullRequests(states: [OPEN]) { totalCount } }
  b: repository(owner: $o, name: "nope") { name }
  c: repository(owner: $o, name: "empty") { isEmpty defaultBranchRef { name } }
}`
	_, out = ghPostGraphQL(t, srv, "tok", q, map[string]any{"o": "eig"})
	data, _ := out["data"].(map[string]any)
	if data == nil {
		t.Fatalf("no data: %v", out)
	}
	a := data["a"].(map[string]any)
	target := a["defaultBranchRef"].(map[string]any)["target"].(map[string]any)
	hist := target["history"].(map[string]any)
	checks := []struct {
		what      string
		got, want any
	}{
		{"renamed nameWithOwner", a["nameWithOwner"], "eig/app"},
		{"licence key", a["licenseInfo"].(map[string]any)["key"], "mit"},
		{"rollup", target["statusCheckRollup"].(map[string]any)["state"], "SUCCESS"},
		{"history totalCount", hist["totalCount"], float64(31)},
		{"history page", len(hist["nodes"].([]any)), 31},
		{"history hasNextPage", hist["pageInfo"].(map[string]any)["hasNextPage"], false},
		{"root entries", len(a["root"].(map[string]any)["entries"].([]any)), 4},
		{"licence text", a["lic"].(map[string]any)["text"], "MIT License\n"},
		{"issues", a["issues"].(map[string]any)["totalCount"], float64(4)},
		{"missing repo", data["b"], nil},
		{"empty", data["c"].(map[string]any)["isEmpty"], true},
		{"empty branch", data["c"].(map[string]any)["defaultBranchRef"], nil},
		{"cost", data["rateLimit"].(map[string]any)["cost"], float64(1)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %#v, want %#v", c.what, c.got, c.want)
		}
	}
	errs, _ := out["errors"].([]any)
	if len(errs) != 1 {
		t.Fatalf("errors = %v, want one NOT_FOUND", errs)
	}
	e := errs[0].(map[string]any)
	if e["type"] != "NOT_FOUND" || e["path"].([]any)[0] != "b" {
		t.Errorf("error = %v", e)
	}
}

func TestGitHubGraphQLPaging(t *testing.T) {
	g := NewGitHub(ghTestRepos())
	srv := httptest.NewServer(g)
	defer srv.Close()
	q := `query($after: String) { repository(owner: "eig", name: "app") { object(expression: "HEAD") { ... on Commit {
  history(first: 30, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { oid } } } } } }`
	var after any
	total, pages := 0, 0
	for {
		_, out := ghPostGraphQL(t, srv, "tok", q, map[string]any{"after": after})
		h := out["data"].(map[string]any)["repository"].(map[string]any)["object"].(map[string]any)["history"].(map[string]any)
		total += len(h["nodes"].([]any))
		pages++
		pi := h["pageInfo"].(map[string]any)
		if pi["hasNextPage"] != true {
			break
		}
		after = pi["endCursor"]
	}
	if total != 75 || pages != 3 {
		t.Errorf("paged %d commits in %d pages, want 75 in 3", total, pages)
	}
	if g.Requests() != 3 || g.PathCounts()["POST /graphql"] != 3 {
		t.Errorf("requests = %d %v", g.Requests(), g.PathCounts())
	}
}

// TestGitHubGraphQLCost: the fake charges what GitHub's documentation
// computes before running a query — one request per connection and
// possible parent, as if every page were full, over 100, rounded, at least
// one point — with the schema's types and without them.
func TestGitHubGraphQLCost(t *testing.T) {
	var history strings.Builder
	history.WriteString("query($since: GitTimestamp!) { rateLimit { cost }\n")
	for i := range 10 {
		fmt.Fprintf(&history, "  r%d: repository(owner: \"eig\", name: \"app\") { object(expression: \"HEAD\") { ... on Commit { history(first: 100, since: $since) { nodes { committedDate author { email } } } } } }\n", i)
	}
	history.WriteString("}")
	cases := []struct {
		name, query string
		vars        map[string]any
		want        float64
	}{
		// GitHub's two documented examples: 1 + 50 + 50×20 = 1,051
		// requests, and 1 + 100 + 100×50 = 5,101.
		{"documented, pull request comments", `{ rateLimit { cost } viewer { login repositories(first: 50) { edges { node { name
			pullRequests(first: 20) { edges { node { title comments(first: 10) { edges { node { bodyHTML } } } } } } } } } } }`, nil, 11},
		{"documented, issue labels", `query($n: Int!) { rateLimit { cost } viewer { login repositories(first: 100) { edges { node { name
			issues(first: $n) { totalCount edges { node { title labels(first: 60) { edges { node { name } } } } } } } } } } }`, map[string]any{"n": 50}, 51},
		{"history of ten repositories", history.String(), map[string]any{"since": "2026-09-01T00:00:00Z"}, 1},
		{"no connection", `{ rateLimit { cost } repository(owner: "eig", name: "app") { nameWithOwner } }`, nil, 1},
	}
	for _, schema := range []bool{true, false} {
		var opts []GitHubOption
		if schema {
			opts = append(opts, WithGitHubSchema(ghSchemaForTest(t)))
		}
		g := NewGitHub(ghTestRepos(), opts...)
		srv := httptest.NewServer(g)
		for _, c := range cases {
			_, out := ghPostGraphQL(t, srv, "tok", c.query, c.vars)
			data, _ := out["data"].(map[string]any)
			if data == nil {
				t.Errorf("schema %v, %s: no data: %v", schema, c.name, out)
				continue
			}
			if got := data["rateLimit"].(map[string]any)["cost"]; got != c.want {
				t.Errorf("schema %v, %s: cost %v, want %v", schema, c.name, got, c.want)
			}
		}
		srv.Close()
	}
}
