package gitlab

import (
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegitlab"
)

// Without a token GitLab answers GET /projects/:id with a reduced entity:
// no archived, open_issues_count, ci_config_path nor access level. The
// crawl completes it from GraphQL, else from the group's listing (the full
// entity, token or not); a user's project over REST alone keeps archived
// and its open issues unknown.
func TestAnonymousReducedEntity(t *testing.T) {
	type want struct {
		archived   bool
		openIssues int
		unknown    []string
		status     string
		systems    []string
	}
	active := want{openIssues: 4, status: crawler.StatusSuccess, systems: []string{crawler.CIGitLabCI}}
	with := func(w want, fn func(*want)) want { fn(&w); return w }
	tests := []struct {
		graphQL bool
		want    map[string]want
		// listings: GET groups/:id/projects calls.
		listings int
	}{
		{false, map[string]want{
			"eig/archive":     with(active, func(w *want) { w.archived = true }),
			"eig/sans-ticket": with(active, func(w *want) { w.openIssues = -1 }),
			"eig/sub/ci-perso": with(active, func(w *want) {
				w.systems = []string{crawler.CIGitLabCI}
			}),
			"eig/sans-ci": with(active, func(w *want) { w.status = crawler.StatusNone }),
			"marie/archive": with(active, func(w *want) {
				w.openIssues, w.unknown, w.status = -1, []string{crawler.FactArchived, crawler.FactOpenIssues}, crawler.StatusSuccess
			}),
		}, 1},
		{true, map[string]want{
			"eig/archive":      with(active, func(w *want) { w.archived = true }),
			"eig/sans-ticket":  with(active, func(w *want) { w.openIssues = -1 }),
			"eig/sub/ci-perso": active,
			"eig/sans-ci":      with(active, func(w *want) { w.status = crawler.StatusNone }),
			"marie/archive":    with(active, func(w *want) { w.archived = true }),
		}, 0},
	}
	for _, tt := range tests {
		name := map[bool]string{true: "graphql", false: "rest"}[tt.graphQL]
		t.Run(name, func(t *testing.T) {
			var repos []fakeforge.Repo
			for _, p := range []string{"eig/archive", "eig/sans-ticket", "eig/sub/ci-perso", "eig/sans-ci", "marie/archive"} {
				r := fakeforge.Repo{Path: p, DefaultBranch: "main", CreatedAt: now.Add(-day(300)), OpenIssues: 4,
					Archived: strings.HasSuffix(p, "/archive"), UserOwned: strings.HasPrefix(p, "marie/"),
					Files:   map[string]string{"README.md": "# Projet\n", ".gitlab-ci.yml": "t: {script: [true]}"},
					Commits: commits(now.Add(-day(1)), 5, day(2), "a@x.org"),
					CI:      &fakeforge.CIRun{State: "success", At: now.Add(-day(1))}}
				if p == "eig/sans-ticket" {
					r.OpenIssues = -1
				}
				if p == "eig/sub/ci-perso" {
					delete(r.Files, ".gitlab-ci.yml")
					r.Files["ci/pipeline.yml"] = "t: {script: [true]}"
				}
				repos = append(repos, r)
			}
			g := fakegitlab.NewGitLab(repos)
			g.SetGraphQL(tt.graphQL)
			g.SetExtra("eig/sub/ci-perso", fakegitlab.GitLabExtra{CIConfigPath: "ci/pipeline.yml"})
			g.SetExtra("eig/sans-ci", fakegitlab.GitLabExtra{JobsDisabled: true})
			srv := httptest.NewServer(g)
			defer srv.Close()
			f, err := New(Options{Name: "gitlab", WebURL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			host := strings.TrimPrefix(srv.URL, "http://")
			var jobs []crawler.Job
			for _, r := range repos {
				jobs = append(jobs, crawler.Job{Ref: ref(host, r.Path)})
			}
			got := f.Fetch(context.Background(), jobs, now)
			for i, fc := range got {
				w := tt.want[repos[i].Path]
				if fc.Error != "" {
					t.Errorf("%s: %s", repos[i].Path, fc.Error)
					continue
				}
				if fc.Archived != w.archived || fc.OpenIssues != w.openIssues || !slices.Equal(fc.Unknown, w.unknown) {
					t.Errorf("%s: archived %v, open issues %d, unknown %v; want %v, %d, %v", repos[i].Path, fc.Archived, fc.OpenIssues, fc.Unknown, w.archived, w.openIssues, w.unknown)
				}
				if fc.CI.Status != w.status || !slices.Equal(fc.CI.Systems, w.systems) {
					t.Errorf("%s: CI %s %v, want %s %v", repos[i].Path, fc.CI.Status, fc.CI.Systems, w.status, w.systems)
				}
			}
			if n := g.PathCounts()["GET groups/:id/projects"]; n != tt.listings {
				t.Errorf("%d group listings, want %d: %v", n, tt.listings, g.PathCounts())
			}

			// A re-crawl with the facts as previous gives the same facts.
			for i := range jobs {
				jobs[i].Previous = &got[i]
			}
			again := f.Fetch(context.Background(), jobs, now.Add(time.Hour))
			for i := range again {
				if again[i].Archived != got[i].Archived || !slices.Equal(again[i].Unknown, got[i].Unknown) || again[i].OpenIssues != got[i].OpenIssues {
					t.Errorf("%s: re-crawl archived %v unknown %v issues %d, first %v %v %d", repos[i].Path,
						again[i].Archived, again[i].Unknown, again[i].OpenIssues, got[i].Archived, got[i].Unknown, got[i].OpenIssues)
				}
			}
		})
	}
}

// One project of a group, over REST alone, costs one listing narrowed by
// a search on its path, not the whole group's.
func TestAnonymousOneProjectSearch(t *testing.T) {
	var repos []fakeforge.Repo
	for _, p := range []string{"eig/cible", "eig/autre-1", "eig/autre-2", "eig/cible-bis"} {
		repos = append(repos, fakeforge.Repo{Path: p, DefaultBranch: "main", Archived: p == "eig/cible", CreatedAt: now.Add(-day(300)),
			Files: map[string]string{"README.md": "# x\n"}, Commits: commits(now.Add(-day(1)), 2, day(2), "a@x.org")})
	}
	g := fakegitlab.NewGitLab(repos)
	g.SetGraphQL(false)
	var log requestLog
	srv := httptest.NewServer(log.wrap(g, nil))
	defer srv.Close()
	f, err := New(Options{Name: "gitlab", WebURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	got := f.Fetch(context.Background(), []crawler.Job{{Ref: ref(strings.TrimPrefix(srv.URL, "http://"), "eig/cible")}}, now)
	if got[0].Error != "" || !got[0].Archived || got[0].Unknown != nil {
		t.Errorf("archived %v unknown %v error %q", got[0].Archived, got[0].Unknown, got[0].Error)
	}
	listings := log.about("/groups/")
	if len(listings) != 1 || !strings.Contains(listings[0], "search=cible") || strings.Contains(listings[0], "include_subgroups=true") {
		t.Errorf("group listings %v, want one searched for cible", listings)
	}
}
