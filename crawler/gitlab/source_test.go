package gitlab

import (
	"context"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegitlab"
)

// TestJVMSourceListed crawls a Maven project (its tests in src/test, the
// Java convention) and the same tree with an Ant build.xml: only the
// Maven one gets src/ listed, with one more folder in the GraphQL files
// query, or one more REST tree call.
func TestJVMSourceListed(t *testing.T) {
	repo := func(name, build string) fakeforge.Repo {
		return fakeforge.Repo{Path: "eig/" + name, DefaultBranch: "main", Commits: commits(now.Add(-time.Hour), 1, time.Hour, "a@x.org"),
			Files: map[string]string{
				"README.md": "# Outil\n", build: "<project/>\n",
				"src/main/java/fr/gouv/Outil.java":     "class Outil {}\n",
				"src/test/java/fr/gouv/OutilTest.java": "class OutilTest {}\n",
			}}
	}
	var mavenFiles [2][]crawler.File
	for i, graphQL := range []bool{true, false} {
		mode := map[bool]string{true: "graphql", false: "rest"}[graphQL]
		t.Run(mode, func(t *testing.T) {
			crawl := func(name, build string) (crawler.Facts, map[string]int) {
				g := fakegitlab.NewGitLab([]fakeforge.Repo{repo(name, build)})
				g.SetGraphQL(graphQL)
				srv := httptest.NewServer(g)
				defer srv.Close()
				fa := fetchOne(t, newForge(t, srv.URL), "h", "eig/"+name)
				if fa.Error != "" {
					t.Fatalf("%s: %s", name, fa.Error)
				}
				return fa, g.PathCounts()
			}
			maven, mRoutes := crawl("maven", "pom.xml")
			ant, aRoutes := crawl("ant", "build.xml")
			mavenFiles[i] = maven.Files
			var dirs []string
			for _, f := range maven.Files {
				if f.Dir && strings.HasPrefix(f.Path, "src/") {
					dirs = append(dirs, f.Path)
				}
			}
			if !reflect.DeepEqual(dirs, []string{"src/main", "src/test"}) {
				t.Errorf("maven: folders under src/ %v, want src/main and src/test", dirs)
			}
			for _, f := range ant.Files {
				if strings.HasPrefix(f.Path, "src/") {
					t.Errorf("ant: %s listed, want src/ unread without a JVM build file", f.Path)
				}
			}
			route := "GET projects/:id/repository/tree"
			if graphQL {
				route = "POST graphql"
			}
			if mRoutes[route] != aRoutes[route]+1 {
				t.Errorf("%s: maven %d, ant %d, want one more for maven (all: %v / %v)", route, mRoutes[route], aRoutes[route], mRoutes, aRoutes)
			}
			// Facts of a crawl from before src/ was listed, head unchanged:
			// read again once, not reused.
			g := fakegitlab.NewGitLab([]fakeforge.Repo{repo("maven", "pom.xml")})
			g.SetGraphQL(graphQL)
			srv := httptest.NewServer(g)
			defer srv.Close()
			old := maven
			old.Files = slices.DeleteFunc(slices.Clone(old.Files), func(f crawler.File) bool { return strings.HasPrefix(f.Path, "src/") })
			again := newForge(t, srv.URL).Fetch(context.Background(), []crawler.Job{{Ref: ref("h", "eig/maven"), Previous: &old}}, now)[0]
			if again.Error != "" || !slices.ContainsFunc(again.Files, func(f crawler.File) bool { return f.Path == "src/test" && f.Dir }) {
				t.Errorf("re-crawl over facts listed before src/ was: error %q, files %+v", again.Error, again.Files)
			}
		})
	}
	if !reflect.DeepEqual(mavenFiles[0], mavenFiles[1]) {
		t.Errorf("GraphQL and REST list differently:\n%+v\n%+v", mavenFiles[0], mavenFiles[1])
	}
}
