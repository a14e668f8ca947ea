package github_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub/fakegithubtest"
)

// withPrevious returns the jobs of paths with prev[i] as each one's
// previous facts, changed by edit when it is not nil.
func withPrevious(paths []string, prev []crawler.Facts, edit func(i int, p *crawler.Facts)) []crawler.Job {
	js := jobs(paths...)
	for i := range js {
		p := prev[i]
		if edit != nil {
			edit(i, &p)
		}
		js[i].Previous = &p
	}
	return js
}

func sameFacts(t *testing.T, what string, got, want []crawler.Facts) {
	t.Helper()
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			gj, _ := json.MarshalIndent(got[i], "", " ")
			wj, _ := json.MarshalIndent(want[i], "", " ")
			t.Errorf("%s, %s: facts differ from a cold crawl's:\n%s", what, want[i].Ref.Path, diffLines(string(gj), string(wj)))
		}
	}
}

// TestRecrawlWithPrevious crawls the edge cases cold, then 40 days later
// with the cold facts as previous ones (the same head commits: nothing
// pushed), over GraphQL and over REST. The facts must be those of a cold
// crawl 40 days later — commits leave the window as it slides — while the
// forge is asked for no file, no text and no commit list: GraphQL sends
// the main query alone, REST reads the head commit but no folder, licence
// or README.
func TestRecrawlWithPrevious(t *testing.T) {
	schema := fakegithubtest.Schema(t)
	cases := edgeCases(t)
	var repos []fakeforge.Repo
	var paths []string
	for _, c := range cases {
		if c.repo != nil {
			repos = append(repos, *c.repo)
		}
		paths = append(paths, c.path)
	}
	later := now.Add(40 * 24 * time.Hour)
	ctx := context.Background()
	for _, api := range []struct {
		name   string
		tokens []string
	}{{"graphql", []string{"tok"}}, {"rest", nil}} {
		t.Run(api.name, func(t *testing.T) {
			e := newEnv(t, repos, schema)
			cold := e.forge(t, api.tokens...).Fetch(ctx, jobs(paths...), now)
			want := e.forge(t, api.tokens...).Fetch(ctx, jobs(paths...), later)
			moved := false
			for i, fa := range cold {
				if fa.Error != "" {
					continue
				}
				if fa.HeadSHA == "" && !fa.Empty {
					t.Errorf("%s: no head commit in the facts", fa.Ref.Path)
				}
				if len(fa.Activity.Recent) != fa.Activity.Commits90d {
					t.Errorf("%s: %d recent commit stamps for %d commits in the window", fa.Ref.Path, len(fa.Activity.Recent), fa.Activity.Commits90d)
				}
				if fa.Activity.Commits90d != want[i].Activity.Commits90d {
					moved = true
				}
			}
			if !moved {
				t.Fatal("no count changed in 40 days: the test shows no sliding")
			}

			before, queries := e.fake.PathCounts(), len(e.rec.queries)
			got := e.forge(t, api.tokens...).Fetch(ctx, withPrevious(paths, cold, nil), later)
			sameFacts(t, "unchanged", got, want)
			after := e.fake.PathCounts()
			for k, v := range after {
				if n := v - before[k]; n > 0 && (strings.Contains(k, "/contents/") || strings.HasSuffix(k, "/readme")) {
					t.Errorf("%d × %s for unchanged repositories", n, k)
				}
			}
			if api.tokens != nil {
				for _, q := range e.rec.queries[queries:] {
					if !strings.HasPrefix(q, "query vigieRepos(") || strings.Contains(q, "...content") {
						t.Errorf("an unchanged crawl sent more than main queries without files:\n%.300s", q)
					}
				}
			} else {
				found := 0
				for _, fa := range cold {
					if fa.Error == "" {
						found++
					}
				}
				k := "GET /repos/{owner}/{repo}/commits"
				if n := after[k] - before[k]; n != found {
					t.Errorf("%d commit lists for %d unchanged repositories: want one each (the head commit alone, or an empty repository's answer)", n, found)
				}
			}

			// Stale previous facts: a head that moved, a previous crawl
			// that kept no commit stamps, a repository missing then. Those repositories are read
			// again; the facts are still a cold crawl's.
			queries = len(e.rec.queries)
			got = e.forge(t, api.tokens...).Fetch(ctx, withPrevious(paths, cold, func(i int, p *crawler.Facts) {
				switch i % 3 {
				case 0:
					if p.HeadSHA != "" {
						p.HeadSHA = strings.Repeat("0", 40)
						p.Files, p.License.Files, p.Readme = nil, nil, crawler.ReadmeFacts{}
					}
				case 1:
					p.Activity.Recent = nil
				case 2:
					// Missing the last time, there now.
					*p = crawler.Facts{Ref: p.Ref, CrawledAt: p.CrawledAt, Error: "not found", NotFound: true}
				}
			}), later)
			sameFacts(t, "stale", got, want)
			if api.tokens != nil {
				var files, history bool
				for _, q := range e.rec.queries[queries:] {
					files = files || strings.Contains(q, "{ ...content")
					history = history || strings.HasPrefix(q, "query vigieHistory(")
				}
				if !files || !history {
					t.Errorf("stale previous facts: files read again %v, history read again %v; want both", files, history)
				}
			}
		})
	}
}

// TestUsualNamesOneQuery: dormant repositories whose licence and README
// have the usual names cost the main query alone — their texts come with
// it, and a head commit older than the window needs no history — and their
// facts are complete.
func TestUsualNamesOneQuery(t *testing.T) {
	schema := fakegithubtest.Schema(t)
	mit := realText(t, "MTES-MCT/rapportNav", "LICENSE")
	var repos []fakeforge.Repo
	var paths []string
	for i, names := range [][2]string{{"README.md", "LICENSE"}, {"README.rst", "LICENCE"}, {"readme.md", "COPYING"}, {"README.md", "LICENSE.md"}} {
		r := fakeforge.Repo{Path: "eig/usual" + string(rune('a'+i)), DefaultBranch: "main", CreatedAt: days(900), License: "MIT",
			Files:   map[string]string{names[0]: "# Outil\n\n## Installation\n", names[1]: mit},
			Commits: commits(5, days(120), 24*time.Hour, "alice")}
		repos = append(repos, r)
		paths = append(paths, r.Path)
	}
	e := newEnv(t, repos, schema)
	facts := e.forge(t, "tok").Fetch(context.Background(), jobs(paths...), now)
	if len(e.rec.queries) != 1 || !strings.HasPrefix(e.rec.queries[0], "query vigieRepos(") {
		t.Errorf("%d queries, want the main query alone", len(e.rec.queries))
	}
	for _, fa := range facts {
		if fa.Error != "" || fa.Readme.Text == "" || len(fa.License.Files) != 1 || fa.License.Files[0].SPDX != "MIT" ||
			fa.Activity.Commits90d != 0 || fa.Activity.LastCommitAt.IsZero() {
			t.Errorf("%s: incomplete facts: error %q, README %q (%d bytes of text), licence files %+v, activity %+v",
				fa.Ref.Path, fa.Error, fa.Readme.Path, len(fa.Readme.Text), fa.License.Files, fa.Activity)
		}
	}
}
