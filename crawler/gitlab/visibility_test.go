package gitlab

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegitlab"
)

// visibilityProjects are a group's public, private and internal projects
// ("internal": any signed-in user, not public); the fake shows the last two
// to a token, as GitLab does.
func visibilityProjects(secretVisibility string) []fakeforge.Repo {
	c := []fakeforge.Commit{{AuthorName: "A", AuthorEmail: "a@example.org", Date: now.Add(-48 * time.Hour)}}
	files := map[string]string{"README.md": "# Secret\n\nconfidentiel", "LICENSE": mitText}
	secret := fakeforge.Repo{Path: "eig/secret", DefaultBranch: "main", Description: "projet confidentiel", Commits: c, Files: files, License: "MIT"}
	switch secretVisibility {
	case "private":
		secret.Private = true
	case "internal":
		secret.Internal = true
	}
	return []fakeforge.Repo{
		{Path: "eig/public", DefaultBranch: "main", Description: "ouvert", Commits: c, Files: map[string]string{"README.md": "# Ouvert\n"}},
		secret,
		{Path: "eig/sub/interne", DefaultBranch: "main", Description: "projet confidentiel", Internal: true, Commits: c, Files: files, License: "MIT"},
	}
}

// requestLog records the URLs a handler was asked.
type requestLog struct {
	mu   sync.Mutex
	urls []string
}

func (l *requestLog) wrap(h http.Handler, rewrite func(*http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.urls = append(l.urls, r.URL.RequestURI())
		l.mu.Unlock()
		if rewrite != nil {
			rewrite(r)
		}
		h.ServeHTTP(w, r)
	})
}

func (l *requestLog) about(word string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, u := range l.urls {
		if d, err := url.PathUnescape(u); err == nil && strings.Contains(d, word) {
			out = append(out, u)
		}
	}
	return out
}

// TestNotPublicProjects: with a token, a private or internal project
// answers; the crawler reads its visibility on the project's REST answer
// and asks nothing more of it; its facts are NotPublic's, with or without
// GraphQL, and also when the previous crawl found it public (nothing of
// that crawl is reused). Anonymous requests get 404.
func TestNotPublicProjects(t *testing.T) {
	for _, graphQL := range []bool{true, false} {
		for _, v := range []string{"private", "internal"} {
			name := v + map[bool]string{true: "/graphql", false: "/rest"}[graphQL]
			t.Run(name, func(t *testing.T) {
				// The previous crawl, when eig/secret was public.
				before := fakegitlab.NewGitLab(visibilityProjects("public"))
				before.SetGraphQL(graphQL)
				bsrv := httptest.NewServer(before)
				defer bsrv.Close()
				host := strings.TrimPrefix(bsrv.URL, "http://")
				paths := []string{"eig/public", "eig/secret", "eig/sub/interne"}
				var jobs []crawler.Job
				for _, p := range paths {
					jobs = append(jobs, crawler.Job{Ref: ref(host, p)})
				}
				prev := newForge(t, bsrv.URL, "tok").Fetch(context.Background(), jobs, now.Add(-time.Hour))
				if !prev[1].Public() || prev[1].Description != "projet confidentiel" {
					t.Fatalf("public before: %+v", prev[1])
				}

				g := fakegitlab.NewGitLab(visibilityProjects(v))
				g.SetGraphQL(graphQL)
				var log requestLog
				srv := httptest.NewServer(log.wrap(g, nil))
				defer srv.Close()
				for _, withPrevious := range []bool{false, true} {
					log.urls = nil
					jobs := jobs
					if withPrevious {
						jobs = nil
						for i, p := range paths {
							pf := prev[i]
							jobs = append(jobs, crawler.Job{Ref: ref(host, p), Previous: &pf})
						}
					}
					got := newForge(t, srv.URL, "tok").Fetch(context.Background(), jobs, now)
					if got[0].Error != "" || !got[0].Public() {
						t.Errorf("public project: %+v", got[0])
					}
					for i, want := range []string{v, "internal"} {
						fa := got[i+1]
						if w := crawler.NotPublic(fa.Ref, fa.CrawledAt, want); !reflect.DeepEqual(fa, w) {
							t.Errorf("previous %v, %s: %+v\nwant %+v", withPrevious, paths[i+1], fa, w)
						}
					}
					for _, name := range []string{"secret", "interne"} {
						var rest []string
						for _, u := range log.about(name) {
							if !strings.Contains(u, "graphql") {
								rest = append(rest, u)
							}
						}
						if len(rest) != 1 || !strings.Contains(rest[0], "/projects/") {
							t.Errorf("previous %v: REST requests about %s: %q, want the project alone", withPrevious, name, rest)
						}
					}
				}
				anon := newForge(t, srv.URL).Fetch(context.Background(), jobs, now)
				for _, fa := range anon[1:] {
					if !fa.NotFound || fa.Withheld() {
						t.Errorf("anonymous: %+v, want not found", fa)
					}
				}
			})
		}
	}
}

// TestListOrgPublicOnly: a group listing (and a user's) asks for public
// projects; one that lists a token's private and internal projects anyway
// (a forge or proxy that ignores visibility=public) does not get them
// crawled.
func TestListOrgPublicOnly(t *testing.T) {
	for _, honest := range []bool{true, false} {
		g := fakegitlab.NewGitLab(visibilityProjects("private"))
		var log requestLog
		srv := httptest.NewServer(log.wrap(g, func(r *http.Request) {
			if !honest {
				q := r.URL.Query()
				q.Del("visibility")
				r.URL.RawQuery = q.Encode()
			}
		}))
		defer srv.Close()
		list, err := newForge(t, srv.URL, "tok").ListOrg(context.Background(), "eig")
		if err != nil || len(list) != 1 || list[0].Path != "eig/public" {
			t.Errorf("honest %v: ListOrg = %+v, %v; want eig/public alone", honest, list, err)
		}
		asked := log.about("/groups/eig/projects")
		if len(asked) == 0 || !strings.Contains(asked[0], "visibility=public") {
			t.Errorf("the listing did not ask for public projects: %q", asked)
		}
	}
}

// TestAnonymousAnswersArePublic: without a token, GitLab answers a project
// with its ProjectDetails entity and a user's projects with
// BasicProjectDetails, neither of which says the visibility; it answers
// anonymous requests about public projects only, so such an answer is a
// public project's. (A group's listing answers Entities::Project, which
// says it.) A crawl and a listing without a token find public projects.
func TestAnonymousAnswersArePublic(t *testing.T) {
	c := []fakeforge.Commit{{AuthorName: "A", AuthorEmail: "a@example.org", Date: now.Add(-48 * time.Hour)}}
	repos := append(visibilityProjects("private"),
		fakeforge.Repo{Path: "jane/outil", UserOwned: true, DefaultBranch: "main", Description: "outil ouvert", Commits: c, Files: map[string]string{"README.md": "# Outil\n"}},
		fakeforge.Repo{Path: "jane/cache", UserOwned: true, Private: true, DefaultBranch: "main", Description: "projet confidentiel", Commits: c})
	for _, graphQL := range []bool{true, false} {
		t.Run(map[bool]string{true: "graphql", false: "rest"}[graphQL], func(t *testing.T) {
			g := fakegitlab.NewGitLab(repos)
			g.SetGraphQL(graphQL)
			srv := httptest.NewServer(g)
			defer srv.Close()
			host := strings.TrimPrefix(srv.URL, "http://")
			var jobs []crawler.Job
			for _, p := range []string{"eig/public", "jane/outil", "eig/secret", "jane/cache"} {
				jobs = append(jobs, crawler.Job{Ref: ref(host, p)})
			}
			got := newForge(t, srv.URL).Fetch(context.Background(), jobs, now)
			for _, fa := range got[:2] {
				if fa.Error != "" || !fa.Public() || fa.Description == "" {
					t.Errorf("%s, anonymous: %+v, want a public project", fa.Ref.Path, fa)
				}
			}
			for _, fa := range got[2:] {
				if !fa.NotFound || fa.Withheld() || fa.Description != "" {
					t.Errorf("%s, anonymous: %+v, want not found", fa.Ref.Path, fa)
				}
			}
			for _, org := range []string{"eig", "jane"} {
				list, err := newForge(t, srv.URL).ListOrg(context.Background(), org)
				want := map[string]string{"eig": "eig/public", "jane": "jane/outil"}[org]
				if err != nil || len(list) != 1 || list[0].Path != want {
					t.Errorf("anonymous ListOrg(%s) = %+v, %v; want %s alone", org, list, err, want)
				}
			}
		})
	}
}
