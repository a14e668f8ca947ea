package github_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/crawler/github"
	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub/fakegithubtest"
)

// visibilityRepos are an organisation's public, private and internal
// repositories; the fake shows the last two to a token, as GitHub does.
func visibilityRepos() []fakeforge.Repo {
	c := []fakeforge.Commit{{AuthorName: "A", AuthorEmail: "a@example.org", Date: now.Add(-48 * time.Hour)}}
	files := map[string]string{"README.md": "# Secret\n\nconfidentiel", "LICENSE": "MIT License"}
	return []fakeforge.Repo{
		{Path: "eig/public", DefaultBranch: "main", Description: "ouvert", Commits: c, Files: map[string]string{"README.md": "# Ouvert\n"}},
		{Path: "eig/secret", DefaultBranch: "main", Description: "projet confidentiel", Private: true, Commits: c, Files: files, License: "MIT"},
		{Path: "eig/interne", DefaultBranch: "main", Description: "projet confidentiel", Internal: true, Commits: c, Files: files, License: "MIT"},
	}
}

// seen records every request a forge got: path and query, and the body
// of GraphQL queries.
type seen struct {
	mu   sync.Mutex
	reqs []string
}

func (s *seen) wrap(h http.Handler, rewrite func(*http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		line := r.URL.RequestURI()
		if r.Body != nil {
			b, _ := io.ReadAll(r.Body)
			line += " " + string(b)
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		s.mu.Lock()
		s.reqs = append(s.reqs, line)
		s.mu.Unlock()
		if rewrite != nil {
			rewrite(r)
		}
		h.ServeHTTP(w, r)
	})
}

func (s *seen) about(word string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, r := range s.reqs {
		if strings.Contains(r, word) {
			out = append(out, r)
		}
	}
	return out
}

// TestNotPublicRepositories: with a token, a private or internal repository
// answers; the crawler reads its visibility in the first answer (GraphQL's
// main query, REST's repository) and asks nothing more of it; its facts are
// NotPublic's. Anonymous requests get a 404. Both listings list public
// repositories only.
func TestNotPublicRepositories(t *testing.T) {
	schema := fakegithubtest.Schema(t)
	for _, mode := range []string{"graphql", "rest-token", "anonymous"} {
		t.Run(mode, func(t *testing.T) {
			fake := fakegithub.NewGitHub(visibilityRepos(), fakegithub.WithGitHubSchema(schema), fakegithub.WithGitHubRateLimit(1000, 1000))
			var h http.Handler = fake
			if mode == "rest-token" {
				// An Enterprise server without GraphQL: REST with the token.
				h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if strings.HasSuffix(r.URL.Path, "/graphql") {
						http.NotFound(w, r)
						return
					}
					fake.ServeHTTP(w, r)
				})
			}
			var rec seen
			srv := httptest.NewServer(rec.wrap(h, nil))
			defer srv.Close()
			var tokens []string
			if mode != "anonymous" {
				tokens = []string{"tok"}
			}
			f, err := github.New(github.Options{Name: "github", APIURL: srv.URL, Authenticated: len(tokens) > 0,
				HTTPClient: tokenClient(srv.URL, tokens, nil, nil), Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			got := f.Fetch(context.Background(), jobs("eig/public", "eig/secret", "eig/interne"), now)
			if got[0].Error != "" || !got[0].Public() || got[0].Description != "ouvert" {
				t.Errorf("public repository: visibility %q error %q", got[0].Visibility, got[0].Error)
			}
			for i, v := range []string{"private", "internal"} {
				fa := got[i+1]
				if mode == "anonymous" {
					if !fa.NotFound || fa.Withheld() {
						t.Errorf("%s, anonymous: %+v, want not found", v, fa)
					}
					continue
				}
				if want := crawler.NotPublic(fa.Ref, fa.CrawledAt, v); !reflect.DeepEqual(fa, want) {
					t.Errorf("%s: %+v\nwant %+v", v, fa, want)
				}
			}
			// One request named each: the one that told its visibility
			// (GraphQL's main query, or REST's repository after the
			// GraphQL endpoint answered 404).
			for _, name := range []string{"secret", "interne"} {
				var reqs []string
				for _, r := range rec.about(name) {
					if mode == "graphql" || !strings.HasPrefix(r, "/graphql") {
						reqs = append(reqs, r)
					}
				}
				if len(reqs) != 1 {
					t.Errorf("%d requests about eig/%s, want 1:\n%.3000s", len(reqs), name, strings.Join(reqs, "\n"))
				}
			}
			list, err := f.ListOrg(context.Background(), "eig")
			if err != nil || len(list) != 1 || list[0].Path != "eig/public" {
				t.Errorf("ListOrg = %+v, %v; want eig/public alone", list, err)
			}
		})
	}
}

// TestListingsDropNotPublic: a forge (or a proxy) that lists a token's
// private and internal repositories although vigie asked for public ones
// does not get them crawled.
func TestListingsDropNotPublic(t *testing.T) {
	schema := fakegithubtest.Schema(t)
	for _, mode := range []string{"graphql", "rest"} {
		t.Run(mode, func(t *testing.T) {
			fake := fakegithub.NewGitHub(visibilityRepos(), fakegithub.WithGitHubSchema(schema), fakegithub.WithGitHubRateLimit(1000, 1000))
			var rec seen
			srv := httptest.NewServer(rec.wrap(fake, func(r *http.Request) {
				if mode == "rest" && strings.HasSuffix(r.URL.Path, "/graphql") {
					r.URL.Path = "/nothing-here"
				}
				// Forget what was asked: list everything the token sees.
				q := r.URL.Query()
				q.Del("type")
				r.URL.RawQuery = q.Encode()
				if r.Body != nil {
					b, _ := io.ReadAll(r.Body)
					b = bytes.ReplaceAll(b, []byte("privacy: PUBLIC, "), nil)
					r.Body = io.NopCloser(bytes.NewReader(b))
					r.ContentLength = int64(len(b))
				}
			}))
			defer srv.Close()
			f, err := github.New(github.Options{Name: "github", APIURL: srv.URL, Authenticated: true,
				HTTPClient: tokenClient(srv.URL, []string{"tok"}, nil, nil), Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			list, err := f.ListOrg(context.Background(), "eig")
			if err != nil || len(list) != 1 || list[0].Path != "eig/public" {
				t.Errorf("ListOrg = %+v, %v; want eig/public alone", list, err)
			}
			asked := rec.about("/orgs/eig/repos")
			if mode == "graphql" {
				asked = rec.about("vigieOrg")
			}
			if len(asked) == 0 || mode == "rest" && !strings.Contains(asked[0], "type=public") || mode == "graphql" && !strings.Contains(asked[0], "privacy: PUBLIC") {
				t.Errorf("the listing did not ask for public repositories: %q", asked)
			}
		})
	}
}
