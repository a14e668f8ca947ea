package github_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub/fakegithubtest"
)

// TestJVMSourceListed crawls a Maven project (its tests in src/test, the
// Java convention) and the same tree with an Ant build.xml instead of
// pom.xml: only the Maven one gets src/ listed, through GraphQL (the
// batched query asks HEAD:src of every repository: no request more) and
// REST (one more contents call, for the Maven project only).
func TestJVMSourceListed(t *testing.T) {
	schema := fakegithubtest.Schema(t)
	tree := func(build string) map[string]string {
		return map[string]string{
			"README.md": "# Outil\n", build: "<project/>\n",
			"src/main/java/fr/gouv/Outil.java":     "class Outil {}\n",
			"src/test/java/fr/gouv/OutilTest.java": "class OutilTest {}\n",
		}
	}
	repo := func(name, build string) fakeforge.Repo {
		return fakeforge.Repo{Path: "eig/" + name, DefaultBranch: "main", CreatedAt: days(900), Language: "Java",
			Files: tree(build), Commits: commits(3, days(5), 24*time.Hour, "alice")}
	}
	hasPath := func(fa crawler.Facts, p string, dir bool) bool {
		for _, f := range fa.Files {
			if f.Path == p && f.Dir == dir {
				return true
			}
		}
		return false
	}
	for _, tc := range []struct {
		mode      string
		tokens    []string
		extraReqs int // requests the Maven project costs more than the Ant one
	}{
		{"graphql", []string{"tok"}, 0},
		{"rest", nil, 1},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			e := newEnv(t, []fakeforge.Repo{repo("maven", "pom.xml"), repo("ant", "build.xml")}, schema)
			crawl := func(name string) (crawler.Facts, int) {
				e.fake.ResetCounts()
				facts := e.forge(t, tc.tokens...).Fetch(context.Background(), jobs("eig/"+name), now)
				if len(facts) != 1 || facts[0].Error != "" {
					t.Fatalf("%s: %+v", name, facts)
				}
				return facts[0], e.fake.Requests()
			}
			maven, nMaven := crawl("maven")
			ant, nAnt := crawl("ant")
			if !hasPath(maven, "src/test", true) || !hasPath(maven, "src/main", true) {
				t.Errorf("maven: files %+v lack src/test and src/main", maven.Files)
			}
			for _, f := range ant.Files {
				if strings.HasPrefix(f.Path, "src/") {
					t.Errorf("ant: %s listed, want src/ unread without a JVM build file", f.Path)
				}
			}
			if nMaven-nAnt != tc.extraReqs {
				t.Errorf("maven cost %d requests, ant %d: want %d more", nMaven, nAnt, tc.extraReqs)
			}
			// Facts of a crawl from before src/ was listed, head unchanged:
			// read again once, not reused.
			old := maven
			old.Files = slices.DeleteFunc(slices.Clone(old.Files), func(f crawler.File) bool { return strings.HasPrefix(f.Path, "src/") })
			js := jobs("eig/maven")
			js[0].Previous = &old
			again := e.forge(t, tc.tokens...).Fetch(context.Background(), js, now)[0]
			if again.Error != "" || !hasPath(again, "src/test", true) {
				t.Errorf("re-crawl over facts listed before src/ was: error %q, files %+v", again.Error, again.Files)
			}
		})
	}
}
