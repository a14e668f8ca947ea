package gitea

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegitea"
)

// TestJVMSourceListed crawls a Gradle project (its tests in src/test, the
// JVM convention) and the same tree with an Ant build.xml: only the Gradle
// one gets src/ listed, with one more tree call, through the git trees
// route and through the contents route alike.
func TestJVMSourceListed(t *testing.T) {
	repo := func(name, build string) fakeforge.Repo {
		return fakeforge.Repo{Path: "eig/" + name, DefaultBranch: "main", CreatedAt: now.AddDate(-1, 0, 0),
			Commits: commits(now.Add(-time.Hour), 2, 24*time.Hour, "a@x.org"),
			Files: map[string]string{
				"README.md": "# Outil\n", build: "plugins { java }\n",
				"src/main/kotlin/Outil.kt":     "class Outil\n",
				"src/test/kotlin/OutilTest.kt": "class OutilTest\n",
			}}
	}
	var gradleFiles [2][]crawler.File
	for i, trees := range []bool{true, false} {
		t.Run(map[bool]string{true: "trees", false: "contents"}[trees], func(t *testing.T) {
			crawl := func(name, build string) (crawler.Facts, int) {
				g := fakegitea.New([]fakeforge.Repo{repo(name, build)}, fakegitea.Options{})
				h := http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
					if !trees && strings.Contains(q.URL.Path, "/git/trees/") {
						w.Header().Set("Content-Type", "application/json")
						w.WriteHeader(http.StatusNotFound)
						fmt.Fprint(w, `{"message":"not found"}`)
						return
					}
					g.ServeHTTP(w, q)
				})
				srv := httptest.NewServer(h)
				defer srv.Close()
				fa := fetch(t, newForge(t, srv.URL, nil), "eig/"+name, nil, now)
				if fa.Error != "" {
					t.Fatalf("%s: %s", name, fa.Error)
				}
				return fa, g.Requests()
			}
			gradle, nGradle := crawl("gradle", "build.gradle.kts")
			ant, nAnt := crawl("ant", "build.xml")
			gradleFiles[i] = gradle.Files
			var dirs []string
			for _, f := range gradle.Files {
				if f.Dir && strings.HasPrefix(f.Path, "src/") {
					dirs = append(dirs, f.Path)
				}
			}
			if !reflect.DeepEqual(dirs, []string{"src/main", "src/test"}) {
				t.Errorf("gradle: folders under src/ %v, want src/main and src/test", dirs)
			}
			for _, f := range ant.Files {
				if strings.HasPrefix(f.Path, "src/") {
					t.Errorf("ant: %s listed, want src/ unread without a JVM build file", f.Path)
				}
			}
			if nGradle != nAnt+1 {
				t.Errorf("gradle cost %d requests, ant %d: want one more", nGradle, nAnt)
			}
			// Facts of a crawl from before src/ was listed, head unchanged:
			// read again once, not reused.
			g := fakegitea.New([]fakeforge.Repo{repo("gradle", "build.gradle.kts")}, fakegitea.Options{})
			srv := httptest.NewServer(g)
			defer srv.Close()
			old := gradle
			old.Files = slices.DeleteFunc(slices.Clone(old.Files), func(f crawler.File) bool { return strings.HasPrefix(f.Path, "src/") })
			again := fetch(t, newForge(t, srv.URL, nil), "eig/gradle", &old, now)
			if again.Error != "" || !slices.ContainsFunc(again.Files, func(f crawler.File) bool { return f.Path == "src/test" && f.Dir }) {
				t.Errorf("re-crawl over facts listed before src/ was: error %q, files %+v", again.Error, again.Files)
			}
		})
	}
	if !reflect.DeepEqual(gradleFiles[0], gradleFiles[1]) {
		t.Errorf("trees and contents list differently:\n%+v\n%+v", gradleFiles[0], gradleFiles[1])
	}
}
