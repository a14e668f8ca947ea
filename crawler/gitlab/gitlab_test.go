package gitlab

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/eiglink/vigie/crawler/httpx"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/crawler/licenseid"
	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegitlab"
	"github.com/eiglink/vigie/internal/testtool"
)

var now = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

var mitText = fakeforge.MITLicense("2020 Direction interministérielle du numérique")

// cecillNotice is the notice CeCILL asks to put in each file; the whole
// licence text is long and the forge's detector does not know it anyway.
const cecillNotice = `Ce logiciel est régi par la licence CeCILL 2.1 soumise au droit français et
respectant les principes de diffusion des logiciels libres. Vous pouvez
utiliser, modifier et/ou redistribuer ce programme sous les conditions
de la licence CeCILL 2.1 telle que diffusée par le CEA, le CNRS et l'INRIA
sur le site "http://www.cecill.info".
`

// licenceOuverte returns a Licence Ouverte text: the real one from the
// shared data of real défi repositories when it is there.
func licenceOuverte(t *testing.T) string {
	t.Helper()
	p := filepath.Join(testtool.RealReposDir(), "github", "entrepreneur-interet-general", "brigade-numerique.json")
	if b, err := os.ReadFile(p); err == nil {
		var fx struct {
			Files map[string]json.RawMessage `json:"files"`
		}
		var s string
		if json.Unmarshal(b, &fx) == nil && json.Unmarshal(fx.Files["LICENSE.md"], &s) == nil && s != "" {
			return s
		}
	}
	return "# LICENCE OUVERTE / OPEN LICENCE\n\nVersion 2.0 - Avril 2017\n\nLe « Concédant » concède au « Réutilisateur » un droit de libre Réutilisation de l'Information.\n"
}

// commits makes n commits, newest first, one every step from start back,
// by authors cycling over the given e-mails.
func commits(start time.Time, n int, step time.Duration, emails ...string) []fakeforge.Commit {
	out := make([]fakeforge.Commit, n)
	for i := range out {
		e := emails[i%len(emails)]
		out[i] = fakeforge.Commit{AuthorName: e, AuthorEmail: e, Date: start.Add(-time.Duration(i) * step), Message: fmt.Sprintf("commit %d", i)}
	}
	return out
}

// recentStamps are the activity window's stamps of commits(start, n,
// step, emails...), e-mails lower-cased.
func recentStamps(start time.Time, n int, step time.Duration, emails ...string) []crawler.CommitStamp {
	var out []crawler.CommitStamp
	for _, c := range commits(start, n, step, emails...) {
		out = append(out, crawler.CommitStamp{At: c.Date.UTC(), Author: strings.ToLower(c.AuthorEmail)})
	}
	return out
}

func day(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// fixture is the fake instance every end-to-end test crawls.
func fixture(t *testing.T) []fakeforge.Repo {
	base := func(p string) fakeforge.Repo {
		return fakeforge.Repo{
			Path: p, DefaultBranch: "main", CreatedAt: now.Add(-day(400)),
			Files:   map[string]string{"README.md": "# " + p + "\n\nUn projet.\n"},
			Commits: commits(now.Add(-day(2)), 3, day(1), "a@example.org"),
		}
	}
	full := base("eig/sub/subsub/projet-a")
	full.Description, full.Topics, full.Stars, full.OpenIssues, full.OpenPullRequests = "Projet complet", []string{"eig", "santé"}, 12, 4, 37
	full.License, full.Language = "MIT", "Go"
	full.Files = map[string]string{
		"README.md": "# Projet A\n\n## Installation\n", "LICENSE": mitText, ".gitlab-ci.yml": "test:\n  script: go test\n",
		"docs/CONTRIBUTING.md": "Contribuer", ".github/workflows/ci.yml": "on: push", "src/main.go": "package main",
	}
	full.Sizes = map[string]int64{"go.mod": 120}
	full.Commits = append(commits(now.Add(-day(1)), 10, day(3), "Alice@example.org", "bob@example.org", "alice@example.org"),
		commits(now.Add(-day(200)), 5, day(10), "old@example.org")...)
	full.CI = &fakeforge.CIRun{State: "success", Kind: "pipeline", At: now.Add(-day(1))}
	full.Releases = []fakeforge.Release{{Tag: "v1.2.0", Name: "Version 1.2", PublishedAt: now.Add(-day(20))}, {Tag: "v1.1.0", PublishedAt: now.Add(-day(90))}}

	renamed := base("eig/nouveau-nom")
	renamed.OldPaths = []string{"eig/ancien-nom"}
	// GraphQL does not follow renames: these come from REST.
	renamed.OpenPullRequests = 2
	renamed.Releases = []fakeforge.Release{{Tag: "0.1", PublishedAt: now.Add(-day(5))}}

	private := base("eig/secret")
	private.Private = true

	empty := fakeforge.Repo{Path: "eig/vide", CreatedAt: now.Add(-day(3))}

	archived := base("eig/archive")
	archived.Archived = true
	archived.Commits = commits(now.Add(-day(700)), 4, day(5), "x@example.org")

	cecill := base("eig/cecill")
	cecill.License = "NOASSERTION"
	cecill.Files["LICENCE.txt"] = cecillNotice

	ouverte := base("eig/licence-ouverte")
	ouverte.License = "NOASSERTION"
	ouverte.Files["LICENSE.md"] = licenceOuverte(t)

	twoLicences := base("eig/double")
	twoLicences.License = "MIT"
	twoLicences.Files["LICENSE-MIT"] = mitText
	twoLicences.Files["COPYING"] = cecillNotice

	// GitLab's detector takes LICENSE_FR.md; the shared rule does not.
	underscore := base("eig/licence-fr")
	underscore.License = "NOASSERTION"
	underscore.Files["LICENSE_FR.md"] = cecillNotice

	rst := base("eig/rst")
	rst.Files = map[string]string{"README.rst": "Projet\n======\n", "docs/README.md": "not this one"}

	bare := base("eig/bare-readme")
	bare.Files = map[string]string{"README": "Projet sans extension\n"}

	noReadme := base("eig/sans-readme")
	noReadme.Files = map[string]string{"main.go": "package main"}

	customCI := base("eig/ci-perso")
	customCI.Files["ci/pipeline.yml"] = "build:\n  script: make\n"
	remoteCI := base("eig/ci-distant")
	missingCI := base("eig/ci-absent")

	states := map[string]string{"ok": "success", "ko": "failure", "encours": "running", "annule": "canceled", "attente": "pending", "manuel": "manual"}
	var pipes []fakeforge.Repo
	for name, st := range states {
		r := base("eig/pipeline-" + name)
		r.Files[".gitlab-ci.yml"] = "x: {script: [true]}"
		r.CI = &fakeforge.CIRun{State: st, Kind: "pipeline", At: now.Add(-day(1))}
		pipes = append(pipes, r)
	}
	annuleApresEchec := base("eig/pipeline-annule-apres-echec")
	// A manual pipeline (no verdict), then a skipped one, then a failure:
	// the failure is the latest result.
	annuleApresEchec.CI = &fakeforge.CIRun{State: "manual", Kind: "pipeline", At: now.Add(-time.Hour)}

	busy := base("eig/actif")
	// 250 commits in the window (one every 8 hours from an hour ago), then
	// 30 older ones: three pages, no X-Total.
	busy.Commits = append(commits(now.Add(-time.Hour), 250, 8*time.Hour, "a@x.org", "b@x.org", "c@x.org", "d@x.org"),
		commits(now.Add(-day(120)), 30, day(1), "e@x.org")...)

	edge := base("eig/limite")
	edge.Commits = []fakeforge.Commit{
		{AuthorEmail: "in@x.org", Date: now.Add(-crawler.Window + time.Minute)},
		{AuthorEmail: "out@x.org", Date: now.Add(-crawler.Window - time.Minute)},
		{AuthorEmail: "out@x.org", Date: now.Add(-crawler.Window - day(1))},
	}

	dormant := base("eig/dormant")
	dormant.Commits = commits(now.Add(-day(400)), 3, day(1), "z@x.org")

	noIssues := base("eig/sans-tickets")
	noIssues.OpenIssues = -1

	fork := base("eig/outils/fourche")
	fork.Fork = true

	dotted := base("eig/site.gouv.fr")

	user := base("jdupont/perso")
	user.UserOwned = true

	repos := []fakeforge.Repo{full, renamed, private, empty, archived, cecill, ouverte, twoLicences, rst, bare, noReadme,
		customCI, remoteCI, missingCI, annuleApresEchec, busy, edge, dormant, noIssues, fork, dotted, underscore, user}
	return append(repos, pipes...)
}

// headSHA is the head commit id the fake gives the fixture's repository.
func headSHA(t *testing.T, path string) string {
	for _, r := range fixture(t) {
		if r.Path == path {
			r.FillSHAs()
			return r.Commits[0].SHA
		}
	}
	t.Fatalf("no %s in the fixture", path)
	return ""
}

// newFake starts the fake GitLab at the root and under /gitlab, as a
// self-hosted instance with a path prefix is.
func newFake(t *testing.T) (*fakegitlab.GitLab, *httptest.Server) {
	t.Helper()
	g := fakegitlab.NewGitLab(fixture(t))
	g.SetExtra("eig/ci-perso", fakegitlab.GitLabExtra{CIConfigPath: "ci/pipeline.yml"})
	g.SetExtra("eig/ci-distant", fakegitlab.GitLabExtra{CIConfigPath: "templates/app.yml@infra/ci-templates"})
	g.SetExtra("eig/ci-absent", fakegitlab.GitLabExtra{CIConfigPath: "build/gitlab.yml"})
	g.SetExtra("eig/pipeline-annule-apres-echec", fakegitlab.GitLabExtra{Pipelines: []fakeforge.CIRun{
		{State: "skipped", At: now.Add(-2 * time.Hour)}, {State: "failure", At: now.Add(-3 * time.Hour)},
	}})
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return g, srv
}

func newForge(t *testing.T, web string, tokens ...string) *Forge {
	t.Helper()
	hc := httpx.NewClient(httpx.Options{Forge: "gitlab", Kind: httpx.KindGitLab, Tokens: tokens, AllowedHosts: httpx.HostsFor(web),
		MaxRetries: -1, Logger: slog.New(slog.DiscardHandler)})
	f, err := New(Options{Name: "gitlab", WebURL: web, Authenticated: len(tokens) > 0, HTTPClient: hc, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func ref(host, p string) crawler.Ref {
	return crawler.Ref{Forge: "gitlab", Host: host, Path: p, URL: "https://" + host + "/" + p}
}

func fetchOne(t *testing.T, f *Forge, host, p string) crawler.Facts {
	t.Helper()
	out := f.Fetch(context.Background(), []crawler.Job{{Ref: ref(host, p)}}, now)
	if len(out) != 1 {
		t.Fatalf("Fetch returned %d facts for one job", len(out))
	}
	return out[0]
}

func TestFetchEdgeCases(t *testing.T) {
	for _, mode := range []string{"graphql", "rest"} {
		t.Run(mode, func(t *testing.T) { testFetchEdgeCases(t, mode == "graphql") })
	}
}

// testFetchEdgeCases crawls the fixture with GitLab's GraphQL API batching
// the project-level facts, or without it (an instance where /api/graphql
// answers 404): the facts must be the same, but for the language, which
// only GraphQL gives without an extra call.
func testFetchEdgeCases(t *testing.T, graphQL bool) {
	g, srv := newFake(t)
	g.SetGraphQL(graphQL)
	host := strings.TrimPrefix(srv.URL, "http://")
	f := newForge(t, srv.URL)
	ouverteText := licenceOuverte(t)
	ouverteID, ouverteCov := licenseid.Identify([]byte(ouverteText))
	cecillID, cecillCov := licenseid.Identify([]byte(cecillNotice))

	tests := []struct {
		path  string
		check func(t *testing.T, got crawler.Facts)
	}{
		{"eig/sub/subsub/projet-a", func(t *testing.T, got crawler.Facts) {
			want := crawler.Facts{
				Ref: ref(host, "eig/sub/subsub/projet-a"), CrawledAt: now,
				Visibility:    "public",
				CanonicalPath: "eig/sub/subsub/projet-a", Description: "Projet complet", Topics: []string{"eig", "santé"},
				DefaultBranch: "main", CreatedAt: now.Add(-day(400)), Stars: 12, OpenIssues: 4, OpenPullRequests: 37,
				Language:       map[bool]string{true: "Go"}[graphQL],
				LastActivityAt: now.Add(-day(1)), // the fake's: the newest commit
				HeadSHA:        headSHA(t, "eig/sub/subsub/projet-a"),
				License: crawler.LicenseFacts{ForgeSPDX: "MIT", ForgePath: "LICENSE", Files: []crawler.LicenseFile{
					{Path: "LICENSE", SPDX: "MIT", Coverage: got.License.Files[0].Coverage, Bytes: int64(len(mitText))}}},
				Readme: crawler.ReadmeFacts{Path: "README.md", Bytes: int64(len("# Projet A\n\n## Installation\n")), Text: "# Projet A\n\n## Installation\n"},
				CI: crawler.CIFacts{Systems: []string{"github-actions", "gitlab-ci"}, Files: []string{".github/workflows/ci.yml", ".gitlab-ci.yml"},
					Status: "success", RunAt: now.Add(-day(1)), RunURL: got.CI.RunURL},
				// 10 commits every 3 days from yesterday: all in the window,
				// kept (authors by lower-case e-mail) so a later crawl can
				// slide the window.
				Activity: crawler.ActivityFacts{LastCommitAt: now.Add(-day(1)), Commits90d: 10, Contributors90d: 2,
					Recent: recentStamps(now.Add(-day(1)), 10, day(3), "alice@example.org", "bob@example.org", "alice@example.org")},
				Release:   &crawler.Release{Tag: "v1.2.0", Name: "Version 1.2", PublishedAt: now.Add(-day(20))},
				Community: crawler.Community(got.Files),
				OwnerKind: crawler.OwnerOrganization, // a group
				Files: []crawler.File{
					{Path: ".github", Dir: true, Size: -1}, {Path: ".github/workflows", Dir: true, Size: -1},
					{Path: ".github/workflows/ci.yml", Size: -1}, {Path: ".gitlab-ci.yml", Size: -1},
					{Path: "LICENSE", Size: int64(len(mitText))}, {Path: "README.md", Size: int64(len("# Projet A\n\n## Installation\n"))},
					{Path: "docs", Dir: true, Size: -1}, {Path: "docs/CONTRIBUTING.md", Size: -1},
					{Path: "go.mod", Size: -1}, {Path: "src", Dir: true, Size: -1},
				},
			}
			if got.License.Files[0].Coverage < 90 {
				t.Errorf("MIT coverage %v, want >= 90", got.License.Files[0].Coverage)
			}
			if !strings.HasSuffix(got.CI.RunURL, "/eig/sub/subsub/projet-a/-/pipelines/1001") {
				t.Errorf("RunURL %q", got.CI.RunURL)
			}
			if got.Community.Contributing != "docs/CONTRIBUTING.md" {
				t.Errorf("Contributing %q", got.Community.Contributing)
			}
			if !reflect.DeepEqual(got, want) {
				gj, _ := json.MarshalIndent(got, "", " ")
				wj, _ := json.MarshalIndent(want, "", " ")
				t.Errorf("facts differ\ngot  %s\nwant %s", gj, wj)
			}
		}},
		{"eig/ancien-nom", func(t *testing.T, got crawler.Facts) {
			if got.Error != "" || got.CanonicalPath != "eig/nouveau-nom" {
				t.Errorf("renamed: error %q, canonical %q; want the new path", got.Error, got.CanonicalPath)
			}
			if got.Ref.Path != "eig/ancien-nom" {
				t.Errorf("Ref changed to %q", got.Ref.Path)
			}
			if got.Readme.Path != "README.md" || got.Activity.Commits90d != 3 || got.Release == nil || got.OpenPullRequests != 2 {
				t.Errorf("renamed project's facts not fetched: %+v %+v %+v %d", got.Readme, got.Activity, got.Release, got.OpenPullRequests)
			}
		}},
		{"eig/absent", func(t *testing.T, got crawler.Facts) {
			if !got.NotFound || got.Error == "" {
				t.Errorf("missing: NotFound %v, Error %q", got.NotFound, got.Error)
			}
			if !strings.Contains(got.Error, "/api/v4/projects/eig%2Fabsent") {
				t.Errorf("error %q does not name the URL", got.Error)
			}
		}},
		{"eig/secret", func(t *testing.T, got crawler.Facts) {
			if !got.NotFound {
				t.Errorf("private project: NotFound false, error %q", got.Error)
			}
		}},
		{"eig/vide", func(t *testing.T, got crawler.Facts) {
			if got.Error != "" || !got.Empty || got.DefaultBranch != "" {
				t.Errorf("empty: error %q, Empty %v, branch %q", got.Error, got.Empty, got.DefaultBranch)
			}
			if got.CI.Status != crawler.StatusNone || !got.Activity.LastCommitAt.IsZero() || got.Readme.Path != "" {
				t.Errorf("empty: %+v %+v %+v", got.CI, got.Activity, got.Readme)
			}
		}},
		{"eig/archive", func(t *testing.T, got crawler.Facts) {
			if !got.Archived || got.Activity.Commits90d != 0 || !got.Activity.LastCommitAt.Equal(now.Add(-day(700))) {
				t.Errorf("archived: %v %+v", got.Archived, got.Activity)
			}
		}},
		{"eig/cecill", func(t *testing.T, got crawler.Facts) {
			want := []crawler.LicenseFile{{Path: "LICENCE.txt", SPDX: cecillID, Coverage: cecillCov, Bytes: int64(len(cecillNotice))}}
			if got.License.ForgeSPDX != "NOASSERTION" || got.License.ForgePath != "LICENCE.txt" || !reflect.DeepEqual(got.License.Files, want) {
				t.Errorf("cecill: %+v, want forge NOASSERTION and files %+v", got.License, want)
			}
		}},
		{"eig/licence-ouverte", func(t *testing.T, got crawler.Facts) {
			want := []crawler.LicenseFile{{Path: "LICENSE.md", SPDX: ouverteID, Coverage: ouverteCov, Bytes: int64(len(ouverteText))}}
			if got.License.ForgeSPDX != "NOASSERTION" || !reflect.DeepEqual(got.License.Files, want) {
				t.Errorf("licence ouverte: %+v, want files %+v", got.License, want)
			}
		}},
		{"eig/licence-fr", func(t *testing.T, got crawler.Facts) {
			want := []crawler.LicenseFile{{Path: "LICENSE_FR.md", SPDX: cecillID, Coverage: cecillCov, Bytes: int64(len(cecillNotice))}}
			if got.License.ForgePath != "LICENSE_FR.md" || !reflect.DeepEqual(got.License.Files, want) {
				t.Errorf("licence file named by GitLab: %+v, want files %+v", got.License, want)
			}
		}},
		{"eig/double", func(t *testing.T, got crawler.Facts) {
			var paths []string
			for _, lf := range got.License.Files {
				paths = append(paths, lf.Path)
			}
			if !reflect.DeepEqual(paths, []string{"COPYING", "LICENSE-MIT"}) || got.License.Files[1].SPDX != "MIT" {
				t.Errorf("two licence files: %+v", got.License.Files)
			}
		}},
		{"eig/rst", func(t *testing.T, got crawler.Facts) {
			if got.Readme.Path != "README.rst" || got.Readme.Text != "Projet\n======\n" || got.Readme.Bytes != 14 {
				t.Errorf("rst readme: %+v", got.Readme)
			}
			if got.License.ForgeSPDX != "" || got.License.Files != nil {
				t.Errorf("no licence: %+v", got.License)
			}
		}},
		{"eig/bare-readme", func(t *testing.T, got crawler.Facts) {
			if got.Readme.Path != "README" || got.Readme.Bytes != int64(len("Projet sans extension\n")) {
				t.Errorf("bare readme: %+v", got.Readme)
			}
		}},
		{"eig/sans-readme", func(t *testing.T, got crawler.Facts) {
			if got.Readme != (crawler.ReadmeFacts{}) {
				t.Errorf("no readme: %+v", got.Readme)
			}
		}},
		{"eig/ci-perso", func(t *testing.T, got crawler.Facts) {
			if !reflect.DeepEqual(got.CI.Systems, []string{"gitlab-ci"}) || !reflect.DeepEqual(got.CI.Files, []string{"ci/pipeline.yml"}) {
				t.Errorf("custom ci_config_path: %+v", got.CI)
			}
			if got.CI.Status != crawler.StatusNone {
				t.Errorf("no pipeline: status %q", got.CI.Status)
			}
		}},
		{"eig/ci-distant", func(t *testing.T, got crawler.Facts) {
			if !reflect.DeepEqual(got.CI.Systems, []string{"gitlab-ci"}) {
				t.Errorf("remote ci_config_path: %+v", got.CI)
			}
		}},
		{"eig/ci-absent", func(t *testing.T, got crawler.Facts) {
			if len(got.CI.Systems) != 0 || got.CI.Systems == nil {
				t.Errorf("ci_config_path naming a missing file: %+v, want no system (an empty list)", got.CI)
			}
		}},
		{"eig/pipeline-ok", status(crawler.StatusSuccess)},
		{"eig/pipeline-ko", status(crawler.StatusFailure)},
		{"eig/pipeline-encours", status(crawler.StatusRunning)},
		{"eig/pipeline-attente", status(crawler.StatusRunning)},
		{"eig/pipeline-annule", status(crawler.StatusFailure)},
		{"eig/pipeline-manuel", status(crawler.StatusUnknown)},
		{"eig/pipeline-annule-apres-echec", func(t *testing.T, got crawler.Facts) {
			if got.CI.Status != crawler.StatusFailure || !got.CI.RunAt.Equal(now.Add(-3*time.Hour)) {
				t.Errorf("manual, skipped, then failed: %+v; want the failed one", got.CI)
			}
		}},
		{"eig/actif", func(t *testing.T, got crawler.Facts) {
			if got.Activity.Commits90d != 250 || got.Activity.Contributors90d != 4 || !got.Activity.LastCommitAt.Equal(now.Add(-time.Hour)) {
				t.Errorf(">100 commits: %+v, want 250 commits by 4", got.Activity)
			}
		}},
		{"eig/limite", func(t *testing.T, got crawler.Facts) {
			if got.Activity.Commits90d != 1 || got.Activity.Contributors90d != 1 {
				t.Errorf("window edges: %+v, want 1 commit", got.Activity)
			}
		}},
		{"eig/dormant", func(t *testing.T, got crawler.Facts) {
			if got.Activity.Commits90d != 0 || !got.Activity.LastCommitAt.Equal(now.Add(-day(400))) {
				t.Errorf("dormant: %+v", got.Activity)
			}
		}},
		{"eig/sans-tickets", func(t *testing.T, got crawler.Facts) {
			if got.OpenIssues != -1 {
				t.Errorf("issues disabled: OpenIssues %d, want -1", got.OpenIssues)
			}
		}},
		{"eig/site.gouv.fr", func(t *testing.T, got crawler.Facts) {
			if got.CanonicalPath != "eig/site.gouv.fr" || got.Readme.Path != "README.md" {
				t.Errorf("dotted name: %q %+v", got.CanonicalPath, got.Readme)
			}
		}},
		{"eig/outils/fourche", func(t *testing.T, got crawler.Facts) {
			if !got.Fork {
				t.Error("fork not seen")
			}
		}},
	}
	jobs := make([]crawler.Job, len(tests))
	for i, tc := range tests {
		jobs[i] = crawler.Job{Ref: ref(host, tc.path)}
	}
	// One Fetch for all: a missing project among good ones stops nothing,
	// and the order is kept.
	got := f.Fetch(context.Background(), jobs, now)
	if len(got) != len(tests) {
		t.Fatalf("%d facts for %d jobs", len(got), len(tests))
	}
	for i, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			if got[i].Ref.Path != tc.path {
				t.Fatalf("facts %d are for %q", i, got[i].Ref.Path)
			}
			if !got[i].NotFound && got[i].Error != "" {
				t.Fatalf("unexpected error: %s", got[i].Error)
			}
			tc.check(t, got[i])
		})
	}
}

func status(want string) func(*testing.T, crawler.Facts) {
	return func(t *testing.T, got crawler.Facts) {
		t.Helper()
		if got.CI.Status != want {
			t.Errorf("CI status %q, want %q", got.CI.Status, want)
		}
		if got.CI.RunURL == "" || got.CI.RunAt.IsZero() {
			t.Errorf("run not described: %+v", got.CI)
		}
	}
}

// A self-hosted instance under a path prefix: the API lives at
// https://host/gitlab/api/v4 and web links carry the prefix, which must
// not end up in file paths.
func TestFetchPathPrefix(t *testing.T) {
	g := fakegitlab.NewGitLab(fixture(t))
	mux := http.NewServeMux()
	mux.Handle("/gitlab/", g)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	f := newForge(t, srv.URL+"/gitlab")
	got := fetchOne(t, f, host, "eig/sub/subsub/projet-a")
	if got.Error != "" {
		t.Fatal(got.Error)
	}
	if got.Readme.Path != "README.md" || got.License.ForgePath != "LICENSE" || got.Activity.Commits90d != 10 {
		t.Errorf("under /gitlab: readme %q, licence %q, commits %d", got.Readme.Path, got.License.ForgePath, got.Activity.Commits90d)
	}
	if !strings.HasPrefix(got.CI.RunURL, srv.URL+"/gitlab/") {
		t.Errorf("RunURL %q lacks the prefix", got.CI.RunURL)
	}
	repos, err := f.ListOrg(context.Background(), "eig/sub")
	if err != nil || len(repos) != 1 || repos[0].Path != "eig/sub/subsub/projet-a" {
		t.Errorf("ListOrg under /gitlab: %v %+v", err, repos)
	}
}

func TestListOrg(t *testing.T) {
	_, srv := newFake(t)
	f := newForge(t, srv.URL)
	got, err := f.ListOrg(context.Background(), "eig")
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]crawler.OrgRepo{}
	for _, r := range got {
		byPath[r.Path] = r
	}
	if _, ok := byPath["eig/secret"]; ok {
		t.Error("private project listed")
	}
	for _, p := range []string{"eig/sub/subsub/projet-a", "eig/outils/fourche", "eig/archive", "eig/vide"} {
		if _, ok := byPath[p]; !ok {
			t.Errorf("%s missing from the listing", p)
		}
	}
	if !byPath["eig/outils/fourche"].Fork || byPath["eig/archive"].Fork {
		t.Error("fork flags wrong")
	}
	if !byPath["eig/archive"].Archived || byPath["eig/vide"].Archived {
		t.Error("archived flags wrong")
	}
	// Every public project under eig, more than one page of 20.
	if want := len(fixture(t)) - 2; len(got) != want { // minus the private one and the user's
		t.Errorf("%d projects listed, want %d", len(got), want)
	}

	sub, err := f.ListOrg(context.Background(), "eig/sub")
	if err != nil || len(sub) != 1 {
		t.Errorf("subgroup listing: %v %+v", err, sub)
	}
	user, err := f.ListOrg(context.Background(), "jdupont")
	if err != nil || len(user) != 1 || user[0].Path != "jdupont/perso" {
		t.Errorf("user namespace: %v %+v", err, user)
	}
	if _, err := f.ListOrg(context.Background(), "nobody"); err == nil {
		t.Error("missing group: no error")
	}
}

// The token goes in the Private-Token header and nowhere else; without
// tokens no authentication header is sent at all.
func TestTokens(t *testing.T) {
	g := fakegitlab.NewGitLab(fixture(t))
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		_, has := r.Header["Private-Token"]
		seen[fmt.Sprintf("%v:%s", has, r.Header.Get("Private-Token"))]++
		mu.Unlock()
		g.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")

	anon := fetchOne(t, newForge(t, srv.URL), host, "eig/rst")
	if anon.Error != "" || len(seen) != 1 || seen["false:"] == 0 {
		t.Errorf("anonymous crawl sent %v (error %q)", seen, anon.Error)
	}
	seen = map[string]int{}
	f := newForge(t, srv.URL, "glpat-one", "glpat-two")
	out := f.Fetch(context.Background(), []crawler.Job{{Ref: ref(host, "eig/rst")}, {Ref: ref(host, "eig/absent")}}, now)
	if seen["true:glpat-one"] == 0 || seen["true:glpat-two"] == 0 || seen["false:"] != 0 {
		t.Errorf("tokens not used in turn: %v", seen)
	}
	for _, fc := range out {
		if strings.Contains(fc.Error, "glpat") {
			t.Errorf("token in error: %s", fc.Error)
		}
	}
}

// A forge that fails mid-crawl: the project's facts carry the error (with
// the URL) instead of wrong scores, and the other projects are unaffected.
func TestServerErrors(t *testing.T) {
	g := fakegitlab.NewGitLab(fixture(t))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.RawQuery, "ref_name") && strings.Contains(r.URL.EscapedPath(), "/projects/10/") {
			http.Error(w, `{"message":"500 Internal Server Error"}`, http.StatusInternalServerError)
			return
		}
		g.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	out := newForge(t, srv.URL).Fetch(context.Background(), []crawler.Job{{Ref: ref(host, "eig/bare-readme")}, {Ref: ref(host, "eig/rst")}}, now)
	if out[0].Error == "" || out[0].NotFound || !strings.Contains(out[0].Error, "/projects/10/repository/commits") {
		t.Errorf("failing commits list: error %q, NotFound %v", out[0].Error, out[0].NotFound)
	}
	if out[1].Error != "" || out[1].Readme.Path != "README.rst" {
		t.Errorf("other project affected: %+v", out[1])
	}
}

// crawlCounts are the API calls of a cold crawl and of the unchanged
// re-crawl that follows it, per project and per route.
type crawlCounts struct {
	cold, unchanged             float64
	coldRoutes, unchangedRoutes map[string]int
}

// callsPerProject crawls n synthetic projects cold, then again with the
// cold facts as Previous and nothing changed, with or without GraphQL. A
// third of the projects are dormant (newest commit 200 days old). The
// re-crawl must give the cold crawl's facts.
func callsPerProject(t testing.TB, n int, graphQL bool) crawlCounts {
	var repos []fakeforge.Repo
	for i := range n {
		r := fakeforge.Repo{
			Path: fmt.Sprintf("bench/g%d/projet-%03d", i%7, i), DefaultBranch: "main", CreatedAt: now.Add(-day(300)),
			License: "MIT",
			Files: map[string]string{
				"README.md": "# Projet\n", "LICENSE": mitText, ".gitlab-ci.yml": "t: {script: [true]}",
			},
			Sizes: map[string]int64{"main.go": 300, "go.mod": 50},
			// The newest commit two hours or more before the crawl: GitLab's
			// last_activity_at (the newest commit's date in the fake) is then
			// settled when the previous crawl reads it.
			Commits: commits(now.Add(-time.Duration(i+2)*time.Hour), 40, day(3), "a@x.org", "b@x.org"),
			CI:      &fakeforge.CIRun{State: "success", At: now.Add(-day(1))},
		}
		if i%3 == 0 {
			r.Commits = commits(now.Add(-day(200)), 40, day(3), "a@x.org", "b@x.org")
		}
		if i%4 == 0 {
			r.Files["docs/index.md"] = "docs"
		}
		if i%10 == 0 {
			r.Releases = []fakeforge.Release{{Tag: "v1", PublishedAt: now.Add(-day(30))}}
		}
		repos = append(repos, r)
	}
	g := fakegitlab.NewGitLab(repos)
	g.SetGraphQL(graphQL)
	srv := httptest.NewServer(g)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	// With a token, as a programme's crawl runs (without one, GitLab
	// answers a reduced project entity that other calls complete).
	hc := httpx.NewClient(httpx.Options{Forge: "gitlab", Kind: httpx.KindGitLab, Tokens: []string{"glpat-test"},
		AllowedHosts: httpx.HostsFor(srv.URL), MaxRetries: -1, Logger: slog.New(slog.DiscardHandler)})
	f, err := New(Options{Name: "gitlab", WebURL: srv.URL, Authenticated: true, HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	jobs := make([]crawler.Job, n)
	for i, r := range repos {
		jobs[i] = crawler.Job{Ref: ref(host, r.Path)}
	}
	cold := f.Fetch(context.Background(), jobs, now)
	for _, fc := range cold {
		if fc.Error != "" {
			t.Fatal(fc.Error)
		}
	}
	out := crawlCounts{cold: float64(g.Requests()) / float64(n), coldRoutes: g.PathCounts()}
	g.ResetCounts()
	for i := range jobs {
		jobs[i].Previous = &cold[i]
	}
	warm := f.Fetch(context.Background(), jobs, now)
	out.unchanged, out.unchangedRoutes = float64(g.Requests())/float64(n), g.PathCounts()
	for i := range warm {
		if !reflect.DeepEqual(warm[i], cold[i]) {
			t.Errorf("%s: the unchanged re-crawl's facts differ from the cold crawl's:\nwarm %+v\ncold %+v", repos[i].Path, warm[i], cold[i])
		}
	}
	return out
}

func TestCallsPerProject(t *testing.T) {
	t.Run("graphql", func(t *testing.T) {
		c := callsPerProject(t, 100, true)
		t.Logf("cold: %.2f calls per project %v; unchanged: %.2f %v", c.cold, c.coldRoutes, c.unchanged, c.unchangedRoutes)
		// The full query for two batches of 50, then one listing docs/
		// for the quarter of projects that have it.
		if n := c.coldRoutes["POST graphql"]; n != 3 {
			t.Errorf("%d GraphQL calls for 100 projects, want 3", n)
		}
		// REST: the project (licence verdict) and, for the two thirds
		// that are active, one page of commits. Nothing else.
		if n := len(c.coldRoutes); n != 3 {
			t.Errorf("cold crawl used %d routes, want GraphQL, the project and commits: %v", n, c.coldRoutes)
		}
		if n := c.coldRoutes["GET projects/:id/repository/commits"]; n != 66 {
			t.Errorf("%d commit listings, want 66 (one per active project, none for a dormant one)", n)
		}
		if c.cold > 1.7 {
			t.Errorf("cold: %.2f calls per project, want at most 1.7", c.cold)
		}
		// Unchanged: the full query alone, two batches of 50.
		if n := c.unchangedRoutes["POST graphql"]; n != 2 || len(c.unchangedRoutes) != 1 {
			t.Errorf("unchanged re-crawl: %v, want 2 GraphQL calls and nothing else", c.unchangedRoutes)
		}
	})
	t.Run("rest", func(t *testing.T) {
		c := callsPerProject(t, 100, false)
		t.Logf("cold: %.2f calls per project %v; unchanged: %.2f %v", c.cold, c.coldRoutes, c.unchanged, c.unchangedRoutes)
		// project, commits, tree, docs tree (1 in 4), README, LICENSE,
		// pipelines, merge requests, releases.
		if c.cold > 8 {
			t.Errorf("cold: %.2f calls per project, want at most 8", c.cold)
		}
		// The project (last_activity_at did not move) and the default
		// branch's head commit with its latest pipeline: two calls each,
		// nothing else.
		want := map[string]int{"GET projects/:id": 100, "GET projects/:id/repository/commits/:sha": 100}
		if !reflect.DeepEqual(c.unchangedRoutes, want) {
			t.Errorf("unchanged re-crawl asked %v, want %v", c.unchangedRoutes, want)
		}
		if c.unchanged > 2 {
			t.Errorf("unchanged: %.2f calls per project, want at most 2", c.unchanged)
		}
		for _, r := range []string{"GET projects/:id/repository/tree", "GET projects/:id/repository/files/:file/raw"} {
			if c.unchangedRoutes[r] != 0 {
				t.Errorf("unchanged re-crawl asked %s %d times", r, c.unchangedRoutes[r])
			}
		}
	})
}

// An instance without GraphQL is asked once, then REST alone is used.
func TestGraphQLAbsentAskedOnce(t *testing.T) {
	g, srv := newFake(t)
	g.SetGraphQL(false)
	host := strings.TrimPrefix(srv.URL, "http://")
	f := newForge(t, srv.URL)
	for range 2 {
		got := fetchOne(t, f, host, "eig/sub/subsub/projet-a")
		if got.Error != "" || got.OpenPullRequests != 37 || got.Release == nil || got.Release.Tag != "v1.2.0" {
			t.Fatalf("REST fallback: error %q, MRs %d, release %+v", got.Error, got.OpenPullRequests, got.Release)
		}
	}
	if n := g.PathCounts()["POST graphql"]; n != 1 {
		t.Errorf("GraphQL asked %d times, want 1", n)
	}
}

func BenchmarkColdCrawl100(b *testing.B) {
	for b.Loop() {
		c := callsPerProject(b, 100, true)
		b.ReportMetric(c.cold, "calls/project")
		b.ReportMetric(c.unchanged, "unchanged-calls/project")
	}
}

func BenchmarkColdCrawl100REST(b *testing.B) {
	for b.Loop() {
		c := callsPerProject(b, 100, false)
		b.ReportMetric(c.cold, "calls/project")
		b.ReportMetric(c.unchanged, "unchanged-calls/project")
	}
}

// A warm crawl reuses the previous facts' files when the head commit did
// not move, and reads them again when it did.
func TestWarmCrawlReusesFiles(t *testing.T) {
	g, srv := newFake(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	f := newForge(t, srv.URL)
	paths := []string{"eig/sub/subsub/projet-a", "eig/cecill", "eig/rst", "eig/ci-perso"}
	jobs := make([]crawler.Job, len(paths))
	for i, p := range paths {
		jobs[i] = crawler.Job{Ref: ref(host, p)}
	}
	cold := f.Fetch(context.Background(), jobs, now)
	if cold[0].Language != "Go" {
		t.Fatalf("cold crawl: language %q", cold[0].Language)
	}
	g.ResetCounts()
	// GraphQL gone (a proxy change): the language, which only GraphQL
	// gives, is kept from the previous crawl since nothing was pushed.
	g.SetGraphQL(false)
	for i := range jobs {
		jobs[i].Previous = &cold[i]
	}
	warm := f.Fetch(context.Background(), jobs, now)
	if !reflect.DeepEqual(warm, cold) {
		for i := range warm {
			if !reflect.DeepEqual(warm[i], cold[i]) {
				t.Errorf("%s: warm facts differ from cold ones:\nwarm %+v\ncold %+v", paths[i], warm[i], cold[i])
			}
		}
	}
	routes := g.PathCounts()
	if routes["GET projects/:id/repository/tree"] != 0 || routes["GET projects/:id/repository/files/:file/raw"] != 0 {
		t.Errorf("warm crawl read files again: %v", routes)
	}
	t.Logf("warm crawl without GraphQL: %.2f calls per project: %v", float64(g.Requests())/float64(len(jobs)), routes)

	// The project moved on: a new commit changed the README.
	repos := fixture(t)
	for i := range repos {
		if repos[i].Path == "eig/sub/subsub/projet-a" {
			repos[i].Files["README.md"] = "# Projet A, nouvelle version\n"
			repos[i].Commits = append([]fakeforge.Commit{{AuthorEmail: "c@x.org", Date: now.Add(-time.Hour)}}, repos[i].Commits...)
		}
	}
	srv2 := httptest.NewServer(fakegitlab.NewGitLab(repos))
	t.Cleanup(srv2.Close)
	moved := newForge(t, srv2.URL).Fetch(context.Background(), []crawler.Job{{Ref: ref(host, paths[0]), Previous: &cold[0]}}, now)[0]
	if moved.Readme.Text != "# Projet A, nouvelle version\n" || moved.HeadSHA == cold[0].HeadSHA || moved.Activity.Commits90d != 11 {
		t.Errorf("after a push: readme %q, head %s, commits %d", moved.Readme.Text, moved.HeadSHA, moved.Activity.Commits90d)
	}
}

// A server that knows less than GitLab: it ignores recursive=true on the
// tree, and its GraphQL API answers null connections. The facts must not
// suffer: the crawler lists the workflows folder itself and asks REST.
func TestLesserServer(t *testing.T) {
	g := fakegitlab.NewGitLab(fixture(t))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/api/graphql") {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"data":{"projects":{"nodes":[{"fullPath":"eig/sub/subsub/projet-a","mergeRequests":null,"releases":null,"languages":[]}]}}}`)
			return
		}
		q := r.URL.Query()
		q.Del("recursive")
		r.URL.RawQuery = q.Encode()
		g.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	got := fetchOne(t, newForge(t, srv.URL), strings.TrimPrefix(srv.URL, "http://"), "eig/sub/subsub/projet-a")
	if got.Error != "" {
		t.Fatal(got.Error)
	}
	if !reflect.DeepEqual(got.CI.Systems, []string{"github-actions", "gitlab-ci"}) {
		t.Errorf("CI systems %v: workflows not listed", got.CI.Systems)
	}
	if got.OpenPullRequests != 37 || got.Release == nil || got.Release.Tag != "v1.2.0" {
		t.Errorf("null GraphQL connections: MRs %d, release %+v; want REST's answers", got.OpenPullRequests, got.Release)
	}
}

// Above 10,000 items GitLab leaves X-Total out: the count is unknown (-1)
// through REST; GraphQL's count has no such limit.
func TestManyMergeRequests(t *testing.T) {
	for _, graphQL := range []bool{true, false} {
		repo := fakeforge.Repo{Path: "eig/populaire", DefaultBranch: "main", OpenPullRequests: 12000,
			Files: map[string]string{"README.md": "x"}, Commits: commits(now.Add(-time.Hour), 1, time.Hour, "a@x.org")}
		g := fakegitlab.NewGitLab([]fakeforge.Repo{repo})
		g.SetGraphQL(graphQL)
		srv := httptest.NewServer(g)
		got := fetchOne(t, newForge(t, srv.URL), "h", "eig/populaire")
		srv.Close()
		want := map[bool]int{true: 12000, false: -1}[graphQL]
		if got.Error != "" || got.OpenPullRequests != want {
			t.Errorf("graphql %v: %d open merge requests (error %q), want %d", graphQL, got.OpenPullRequests, got.Error, want)
		}
	}
}

// readme_url null or absent (an instance that predates it): the README is
// picked from the root listing, as GitLab picks it, so a README in the tree
// is never missed.
func TestReadmeURLNullOrAbsent(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(map[string]any)
		readme string
	}{
		{"null", func(p map[string]any) { p["readme_url"] = nil }, "README.rst"},
		{"absent", func(p map[string]any) { delete(p, "readme_url") }, "README.rst"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := fakegitlab.NewGitLab(fixture(t))
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasSuffix(r.URL.EscapedPath(), "/projects/eig%2Frst") {
					g.ServeHTTP(w, r)
					return
				}
				rec := httptest.NewRecorder()
				g.ServeHTTP(rec, r)
				var p map[string]any
				if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
					t.Error(err)
				}
				tc.edit(p)
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(p)
			}))
			defer srv.Close()
			got := fetchOne(t, newForge(t, srv.URL), "h", "eig/rst")
			if got.Error != "" || got.Readme.Path != tc.readme {
				t.Errorf("readme %q (error %q), want %q", got.Readme.Path, got.Error, tc.readme)
			}
		})
	}
}

// An unchanged re-crawl through GraphQL asks no REST at all, yet sees
// what changed without a push: a pipeline that failed, the stars, the
// merge request count. Activity slides: a commit that left the window is
// no longer counted.
func TestUnchangedSeesPipelineChange(t *testing.T) {
	g, srv := newFake(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	f := newForge(t, srv.URL)
	paths := []string{"eig/sub/subsub/projet-a", "eig/pipeline-ok", "eig/limite", "eig/dormant"}
	jobs := make([]crawler.Job, len(paths))
	for i, p := range paths {
		jobs[i] = crawler.Job{Ref: ref(host, p)}
	}
	cold := f.Fetch(context.Background(), jobs, now)
	for i := range jobs {
		if cold[i].Error != "" {
			t.Fatal(cold[i].Error)
		}
		jobs[i].Previous = &cold[i]
	}
	g.ResetCounts()
	g.SetCI("eig/pipeline-ok", &fakeforge.CIRun{State: "failure", At: now.Add(-time.Hour)})
	g.SetCI("eig/sub/subsub/projet-a", nil)
	later := now.Add(2 * time.Minute)
	warm := f.Fetch(context.Background(), jobs, later)
	if routes := g.PathCounts(); routes["POST graphql"] != 1 || len(routes) != 1 {
		t.Errorf("unchanged re-crawl asked %v, want one GraphQL call", routes)
	}
	if got := warm[1].CI; got.Status != crawler.StatusFailure || !got.RunAt.Equal(now.Add(-time.Hour)) || got.RunURL == cold[1].CI.RunURL && got.RunURL == "" {
		t.Errorf("pipeline that failed since: %+v, want failure an hour ago", got)
	}
	if got := warm[0].CI; got.Status != crawler.StatusNone || got.RunURL != "" || !got.RunAt.IsZero() || !reflect.DeepEqual(got.Systems, cold[0].CI.Systems) {
		t.Errorf("pipelines gone: %+v, want none with the same systems", got)
	}
	// eig/limite has one commit a minute inside the window at the cold
	// crawl: two minutes later it has left.
	if got := warm[2].Activity; got.Commits90d != 0 || got.Contributors90d != 0 || !got.LastCommitAt.Equal(cold[2].Activity.LastCommitAt) {
		t.Errorf("window slid by two minutes: %+v, want no commit left in it", got)
	}
	if !reflect.DeepEqual(warm[3].Activity, cold[3].Activity) || warm[3].Readme != cold[3].Readme || warm[0].License.ForgeSPDX != "MIT" {
		t.Errorf("reused facts changed: %+v %+v", warm[3].Activity, warm[0].License)
	}
	for i := range warm {
		if !warm[i].CrawledAt.Equal(later) {
			t.Errorf("%s crawled at %v", paths[i], warm[i].CrawledAt)
		}
	}
}

// A push between crawls: the GraphQL answer shows a new head commit, and
// the files, texts and activity are read again.
func TestPushSeenThroughGraphQL(t *testing.T) {
	_, srv := newFake(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	p := "eig/sub/subsub/projet-a"
	cold := newForge(t, srv.URL).Fetch(context.Background(), []crawler.Job{{Ref: ref(host, p)}}, now)[0]
	repos := fixture(t)
	for i := range repos {
		if repos[i].Path == p {
			repos[i].Files["README.md"] = "# Projet A, nouvelle version\n"
			repos[i].Files["COPYING"] = cecillNotice
			repos[i].Commits = append([]fakeforge.Commit{{AuthorEmail: "C@x.org", Date: now.Add(-time.Hour)}}, repos[i].Commits...)
		}
	}
	g2 := fakegitlab.NewGitLab(repos)
	srv2 := httptest.NewServer(g2)
	t.Cleanup(srv2.Close)
	got := newForge(t, srv2.URL).Fetch(context.Background(), []crawler.Job{{Ref: ref(host, p), Previous: &cold}}, now)[0]
	if got.Error != "" {
		t.Fatal(got.Error)
	}
	if got.Readme.Text != "# Projet A, nouvelle version\n" || got.HeadSHA == cold.HeadSHA || got.Activity.Commits90d != 11 || got.Activity.Contributors90d != 3 ||
		!got.Activity.LastCommitAt.Equal(now.Add(-time.Hour)) || len(got.Activity.Recent) != 11 || got.Activity.Recent[0].Author != "c@x.org" {
		t.Errorf("after a push: readme %q, head %s, activity %+v", got.Readme.Text, got.HeadSHA, got.Activity)
	}
	if len(got.License.Files) != 2 || got.License.Files[0].Path != "COPYING" || got.License.Files[0].Bytes != int64(len(cecillNotice)) {
		t.Errorf("licence files after a push: %+v", got.License.Files)
	}
	routes := g2.PathCounts()
	if routes["GET projects/:id/repository/tree"] != 0 || routes["GET projects/:id/repository/files/:file/raw"] != 0 {
		t.Errorf("files read through REST although GraphQL answered them: %v", routes)
	}
}

// An instance whose GraphQL schema lacks a field of the full query (an
// older GitLab) is asked the full query without it when the field is one
// REST can stand in for, else the basic query; the facts are those REST
// gives either way.
func TestOlderGraphQLSchema(t *testing.T) {
	for _, tc := range []struct {
		field string
		level int32
	}{{"isForked", levelFull}, {"committedDate", levelFull}, {"jobsEnabled", levelBasic}} {
		t.Run(tc.field, func(t *testing.T) {
			g := fakegitlab.NewGitLab(fixture(t))
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/api/graphql") {
					b, _ := io.ReadAll(r.Body)
					if strings.Contains(string(b), tc.field) {
						w.Header().Set("Content-Type", "application/json")
						fmt.Fprintf(w, `{"errors":[{"message":"Field '%s' doesn't exist on type 'Project'"}]}`, tc.field)
						return
					}
					r.Body = io.NopCloser(bytes.NewReader(b))
				}
				g.ServeHTTP(w, r)
			}))
			t.Cleanup(srv.Close)
			host := strings.TrimPrefix(srv.URL, "http://")
			f := newForge(t, srv.URL)
			jobs := []crawler.Job{{Ref: ref(host, "eig/sub/subsub/projet-a")}, {Ref: ref(host, "eig/dormant")}}
			got := f.Fetch(context.Background(), jobs, now)
			a := got[0]
			if a.Error != "" || a.Language != "Go" || a.OpenPullRequests != 37 || a.Readme.Path != "README.md" || a.CI.Status != crawler.StatusSuccess || a.Activity.Commits90d != 10 {
				t.Errorf("projet-a: %+v", a)
			}
			if d := got[1].Activity; !d.LastCommitAt.Equal(now.Add(-day(400))) || d.Commits90d != 0 {
				t.Errorf("dormant: %+v", d)
			}
			if f.level.Load() != tc.level {
				t.Errorf("GraphQL level %d, want %d", f.level.Load(), tc.level)
			}
		})
	}
}

// Moved, empty, missing and private projects unchanged since the previous
// crawl cost no REST call either; a missing project that appears is
// crawled.
func TestUnchangedMovedEmptyMissing(t *testing.T) {
	g, srv := newFake(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	f := newForge(t, srv.URL)
	paths := []string{"eig/ancien-nom", "eig/vide", "eig/absent", "eig/secret"}
	jobs := make([]crawler.Job, len(paths))
	for i, p := range paths {
		jobs[i] = crawler.Job{Ref: ref(host, p)}
	}
	cold := f.Fetch(context.Background(), jobs, now)
	for i := range jobs {
		jobs[i].Previous = &cold[i]
	}
	g.ResetCounts()
	warm := f.Fetch(context.Background(), jobs, now)
	if routes := g.PathCounts(); routes["POST graphql"] != 1 || len(routes) != 1 {
		t.Errorf("unchanged re-crawl asked %v, want one GraphQL call", routes)
	}
	for i := range warm {
		if !reflect.DeepEqual(warm[i], cold[i]) {
			t.Errorf("%s: re-crawl %+v, cold %+v", paths[i], warm[i], cold[i])
		}
	}

	// The missing project was created, another took the moved project's
	// old path: both are asked through REST.
	repos := fixture(t)
	created := repos[0]
	created.Path, created.OldPaths = "eig/absent", nil
	taken := repos[0]
	taken.Path, taken.OldPaths, taken.Description = "eig/ancien-nom", nil, "Un autre projet"
	for i := range repos {
		if repos[i].Path == "eig/nouveau-nom" {
			repos[i].OldPaths = nil
		}
	}
	srv2 := httptest.NewServer(fakegitlab.NewGitLab(append(repos, created, taken)))
	t.Cleanup(srv2.Close)
	got := newForge(t, srv2.URL).Fetch(context.Background(), jobs, now)
	if got[2].Error != "" || got[2].NotFound || got[2].CanonicalPath != "eig/absent" {
		t.Errorf("created project: %+v", got[2])
	}
	if got[0].Error != "" || got[0].CanonicalPath != "eig/ancien-nom" || got[0].Description != "Un autre projet" {
		t.Errorf("old path taken by another project: canonical %q, description %q, error %q", got[0].CanonicalPath, got[0].Description, got[0].Error)
	}
}

// A GraphQL answer with an error on one project (a timeout, a size limit)
// keeps the others' answers; that project is read through REST.
func TestGraphQLErrorOnOneProject(t *testing.T) {
	g := fakegitlab.NewGitLab(fixture(t))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/api/graphql") {
			g.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, r)
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Error(err)
		}
		nodes := body["data"].(map[string]any)["projects"].(map[string]any)["nodes"].([]any)
		if len(nodes) > 0 {
			nodes[0].(map[string]any)["repository"] = nil
			body["errors"] = []any{map[string]any{"message": "Max blobs size limit exceeded (21 MB / 20 MB).", "path": []any{"projects", "nodes", 0, "repository"}}}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	f := newForge(t, srv.URL)
	jobs := []crawler.Job{{Ref: ref(host, "eig/sub/subsub/projet-a")}, {Ref: ref(host, "eig/rst")}}
	got := f.Fetch(context.Background(), jobs, now)
	for i, fc := range got {
		if fc.Error != "" || fc.Readme.Path == "" || fc.Readme.Text == "" {
			t.Errorf("%s: error %q, readme %+v", jobs[i].Ref.Path, fc.Error, fc.Readme)
		}
	}
	if got[0].License.Files[0].SPDX != "MIT" || got[0].Language != "Go" {
		t.Errorf("projet-a: licence %+v, language %q", got[0].License, got[0].Language)
	}
	if f.level.Load() != levelFull {
		t.Errorf("level %d after an error on one project", f.level.Load())
	}
}

// The folders where CI systems and community files live are listed
// through GraphQL, a few a call, as REST would list them.
func TestFoldersThroughGraphQL(t *testing.T) {
	repo := fakeforge.Repo{Path: "eig/dossiers", DefaultBranch: "main", Commits: commits(now.Add(-time.Hour), 1, time.Hour, "a@x.org"),
		Files: map[string]string{
			"README.md": "x", ".github/workflows/ci.yml": "on: push", ".github/CODE_OF_CONDUCT.md": "sois gentil",
			"docs/SECURITY.md": "s", ".circleci/config.yml": "v", ".woodpecker/build.yml": "b", ".gitea/workflows/t.yaml": "t",
			".azure-pipelines/p.yml": "p",
		}}
	var facts [2]crawler.Facts
	var routes [2]map[string]int
	for i, graphQL := range []bool{true, false} {
		g := fakegitlab.NewGitLab([]fakeforge.Repo{repo})
		g.SetGraphQL(graphQL)
		srv := httptest.NewServer(g)
		facts[i] = fetchOne(t, newForge(t, srv.URL), "h", repo.Path)
		routes[i] = g.PathCounts()
		srv.Close()
	}
	facts[0].CrawledAt, facts[1].CrawledAt = now, now
	facts[1].Language = facts[0].Language
	if !reflect.DeepEqual(facts[0].Files, facts[1].Files) || !reflect.DeepEqual(facts[0].CI, facts[1].CI) || facts[0].Community != facts[1].Community {
		t.Errorf("GraphQL and REST list differently:\n%+v\n%+v", facts[0], facts[1])
	}
	want := []string{"azure-pipelines", "github-actions", "woodpecker", "circleci"}
	sort.Strings(want)
	if !reflect.DeepEqual(facts[0].CI.Systems, want) || facts[0].Community.CodeOfConduct != ".github/CODE_OF_CONDUCT.md" || facts[0].Community.Security != "docs/SECURITY.md" {
		t.Errorf("systems %v, community %+v", facts[0].CI.Systems, facts[0].Community)
	}
	// The full query, then two calls for the six folders.
	if routes[0]["POST graphql"] != 3 || routes[0]["GET projects/:id/repository/tree"] != 0 {
		t.Errorf("GraphQL crawl: %v", routes[0])
	}
}

// A batch GitLab fails on (a timeout: too many projects' trees and texts
// for one query) is asked again in halves.
func TestGraphQLBatchSplit(t *testing.T) {
	g := fakegitlab.NewGitLab(fixture(t))
	var mu sync.Mutex
	var sizes []int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/api/graphql") {
			b, _ := io.ReadAll(r.Body)
			var req struct {
				Query     string
				Variables struct{ Paths []string }
			}
			_ = json.Unmarshal(b, &req)
			if strings.Contains(req.Query, "vigieProjectsFull") {
				mu.Lock()
				sizes = append(sizes, len(req.Variables.Paths))
				mu.Unlock()
				if len(req.Variables.Paths) > 15 {
					http.Error(w, `{"message":"502 Bad Gateway"}`, http.StatusBadGateway)
					return
				}
			}
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		g.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	var jobs []crawler.Job
	for _, r := range fixture(t) {
		jobs = append(jobs, crawler.Job{Ref: ref(host, r.Path)})
	}
	got := newForge(t, srv.URL).Fetch(context.Background(), jobs, now)
	for i, fc := range got {
		if fc.Error != "" && !fc.NotFound {
			t.Errorf("%s: %s", jobs[i].Ref.Path, fc.Error)
		}
		if jobs[i].Ref.Path == "eig/sub/subsub/projet-a" && fc.Language != "Go" {
			t.Errorf("projet-a not answered through GraphQL: language %q", fc.Language)
		}
	}
	if len(sizes) != 3 || sizes[0] <= 15 || sizes[1]+sizes[2] != sizes[0] {
		t.Errorf("batch sizes asked %v, want one batch then its two halves", sizes)
	}
}

// The default branch renamed between crawls, same commits: the project is
// read again on its new branch.
func TestDefaultBranchRenamed(t *testing.T) {
	_, srv := newFake(t)
	host := strings.TrimPrefix(srv.URL, "http://")
	p := "eig/sub/subsub/projet-a"
	cold := newForge(t, srv.URL).Fetch(context.Background(), []crawler.Job{{Ref: ref(host, p)}}, now)[0]
	repos := fixture(t)
	for i := range repos {
		if repos[i].Path == p {
			repos[i].DefaultBranch = "trunk"
		}
	}
	g2 := fakegitlab.NewGitLab(repos)
	srv2 := httptest.NewServer(g2)
	t.Cleanup(srv2.Close)
	got := newForge(t, srv2.URL).Fetch(context.Background(), []crawler.Job{{Ref: ref(host, p), Previous: &cold}}, now)[0]
	if got.Error != "" || got.DefaultBranch != "trunk" || got.HeadSHA != cold.HeadSHA || got.CI.Status != crawler.StatusSuccess ||
		got.Readme != cold.Readme || !reflect.DeepEqual(got.License, cold.License) || !reflect.DeepEqual(got.Activity, cold.Activity) {
		t.Errorf("after renaming the default branch: %+v", got)
	}
	// The previous branch, the new one, then its .github and docs folders.
	if n := g2.PathCounts()["POST graphql"]; n != 3 {
		t.Errorf("%d GraphQL calls, want 3", n)
	}
}

// An instance may name a default branch for a project with no commit yet
// and leave empty_repo false: no commit and no tree make it empty, not
// unreadable.
func TestEmptyWithoutEmptyRepo(t *testing.T) {
	g := fakegitlab.NewGitLab(fixture(t))
	g.SetGraphQL(false)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.EscapedPath(), "/projects/eig%2Fvide") {
			g.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, r)
		var p map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
			t.Error(err)
		}
		p["empty_repo"], p["default_branch"] = false, "main"
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(p)
	}))
	defer srv.Close()
	got := fetchOne(t, newForge(t, srv.URL), "h", "eig/vide")
	if got.Error != "" || !got.Empty || !got.Activity.LastCommitAt.IsZero() || got.Activity.Commits90d != 0 || got.Readme.Path != "" {
		t.Errorf("error %q, empty %v, activity %+v, readme %q; want an empty repository", got.Error, got.Empty, got.Activity, got.Readme.Path)
	}
}

// A custom CI file outside the listed folders is looked for with a GET: a
// server that routes GET alone (HEAD answers 405) still shows it.
func TestCustomCIFileWithoutHEAD(t *testing.T) {
	g, _ := newFake(t)
	g.SetGraphQL(false)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		g.ServeHTTP(w, r)
	}))
	defer srv.Close()
	got := fetchOne(t, newForge(t, srv.URL), "h", "eig/ci-perso")
	if got.Error != "" || !reflect.DeepEqual(got.CI.Systems, []string{"gitlab-ci"}) {
		t.Errorf("error %q, CI systems %v; want gitlab-ci", got.Error, got.CI.Systems)
	}
	got = fetchOne(t, newForge(t, srv.URL), "h", "eig/ci-absent")
	if got.Error != "" || len(got.CI.Systems) != 0 {
		t.Errorf("error %q, CI systems %v; want none", got.Error, got.CI.Systems)
	}
}

// A moved project's old path answers 301 to API_ROOT/projects/:id; an
// instance configured with its public name puts that name in Location.
// The client follows no redirect to another host (it would carry the
// token there): the project is asked again by its id on the API root.
func TestMovedToAnotherHostName(t *testing.T) {
	g := fakegitlab.NewGitLab(fixture(t))
	g.SetGraphQL(false)
	var redirected bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		if loc := rec.Header().Get("Location"); loc != "" {
			u, _ := url.Parse(loc)
			u.Scheme, u.Host = "https", "gitlab.example.org"
			w.Header().Set("Location", u.String())
			redirected = true
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	defer srv.Close()
	got := fetchOne(t, newForge(t, srv.URL), "h", "eig/ancien-nom")
	if !redirected {
		t.Fatal("the old path was not redirected")
	}
	if got.Error != "" || got.CanonicalPath != "eig/nouveau-nom" || got.Readme.Path != "README.md" {
		t.Errorf("error %q, canonical path %q, readme %q; want the moved project's facts", got.Error, got.CanonicalPath, got.Readme.Path)
	}
}

// A group of more than 5,000 projects (50 pages of GitLab's maximum 100)
// is listed whole: the listing follows every page an honest forge gives.
func TestListOrgPastFiftyPages(t *testing.T) {
	const n = 5150
	now := time.Now().UTC()
	repos := make([]fakeforge.Repo, n)
	for i := range repos {
		repos[i] = fakeforge.Repo{Path: fmt.Sprintf("big/p%05d", i), DefaultBranch: "main", CreatedAt: now.Add(-time.Hour)}
	}
	srv := httptest.NewServer(fakegitlab.NewGitLab(repos))
	t.Cleanup(srv.Close)
	f := newForge(t, srv.URL)
	got, err := f.ListOrg(context.Background(), "big")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n || got[0].Path != "big/p00000" || got[n-1].Path != fmt.Sprintf("big/p%05d", n-1) {
		t.Errorf("listed %d projects, want %d", len(got), n)
	}
}

// Over REST alone, an unchanged project costs the project and its default
// branch's head (with the head's latest pipeline): a pipeline that
// finished since shows there; merge requests and the release are asked
// again only when last_activity_at moved, or when the previous crawl came
// too soon after its last move to trust it (GitLab moves it at most once
// an hour).
func TestRESTUnchangedTwoCalls(t *testing.T) {
	g, srv := newFake(t)
	g.SetGraphQL(false)
	host := strings.TrimPrefix(srv.URL, "http://")
	// With a token: without one, GitLab answers a reduced project entity,
	// which other calls complete.
	f := newForge(t, srv.URL, "glpat-test")
	paths := []string{"eig/sub/subsub/projet-a", "eig/pipeline-ok", "eig/limite", "eig/dormant", "eig/ci-perso", "eig/pipeline-annule-apres-echec"}
	jobs := make([]crawler.Job, len(paths))
	for i, p := range paths {
		jobs[i] = crawler.Job{Ref: ref(host, p)}
	}
	cold := f.Fetch(context.Background(), jobs, now)
	for i := range jobs {
		if cold[i].Error != "" {
			t.Fatal(cold[i].Error)
		}
		jobs[i].Previous = &cold[i]
	}
	type step struct {
		name   string
		change func()
		at     time.Time
		// routes of the re-crawl, and a check of its facts
		want  map[string]int
		check func(t *testing.T, warm []crawler.Facts)
	}
	later := now.Add(2 * time.Minute)
	n := len(paths)
	steps := []step{
		{name: "nothing changed", at: now, change: func() {},
			want: map[string]int{"GET projects/:id": n, "GET projects/:id/repository/commits/:sha": n},
			check: func(t *testing.T, warm []crawler.Facts) {
				for i := range warm {
					if !reflect.DeepEqual(warm[i], cold[i]) {
						t.Errorf("%s: facts differ from the cold crawl's:\nwarm %+v\ncold %+v", paths[i], warm[i], cold[i])
					}
				}
			}},
		{name: "a pipeline failed since, no push", at: later,
			change: func() { g.SetCI("eig/pipeline-ok", &fakeforge.CIRun{State: "failure", At: now.Add(-time.Hour)}) },
			want:   map[string]int{"GET projects/:id": n, "GET projects/:id/repository/commits/:sha": n},
			check: func(t *testing.T, warm []crawler.Facts) {
				if got := warm[1].CI; got.Status != crawler.StatusFailure || !got.RunAt.Equal(now.Add(-time.Hour)) {
					t.Errorf("pipeline that failed since: %+v", got)
				}
				if got := warm[2].Activity; got.Commits90d != 0 || !got.LastCommitAt.Equal(cold[2].Activity.LastCommitAt) {
					t.Errorf("window slid by two minutes: %+v, want no commit left in it", got)
				}
				if warm[0].Readme != cold[0].Readme || warm[0].License.ForgeSPDX != "MIT" || warm[0].OpenPullRequests != 37 {
					t.Errorf("reused facts changed: %+v %+v %d", warm[0].Readme, warm[0].License, warm[0].OpenPullRequests)
				}
			}},
		{name: "a merge request opened: last_activity_at moved", at: later,
			change: func() {
				g.SetExtra("eig/sub/subsub/projet-a", fakegitlab.GitLabExtra{LastActivityAt: now.Add(time.Minute)})
			},
			want: map[string]int{"GET projects/:id": n, "GET projects/:id/repository/commits/:sha": n,
				"GET projects/:id/merge_requests": 1, "GET projects/:id/releases": 1},
			check: func(t *testing.T, warm []crawler.Facts) {
				if warm[0].OpenPullRequests != 37 || warm[0].Release == nil || !warm[0].LastActivityAt.Equal(now.Add(time.Minute)) {
					t.Errorf("re-asked: %d MRs, release %+v, activity %v", warm[0].OpenPullRequests, warm[0].Release, warm[0].LastActivityAt)
				}
			}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.change()
			g.ResetCounts()
			warm := f.Fetch(context.Background(), jobs, s.at)
			if routes := g.PathCounts(); !reflect.DeepEqual(routes, s.want) {
				t.Errorf("re-crawl asked %v, want %v", routes, s.want)
			}
			s.check(t, warm)
		})
	}

	// The previous crawl read last_activity_at less than an hour after it
	// moved: an event since may have left it where it was, so merge
	// requests and releases are asked again.
	g.SetExtra("eig/dormant", fakegitlab.GitLabExtra{LastActivityAt: now.Add(-30 * time.Minute)})
	first := f.Fetch(context.Background(), jobs[3:4], now)[0]
	g.ResetCounts()
	f.Fetch(context.Background(), []crawler.Job{{Ref: jobs[3].Ref, Previous: &first}}, now.Add(6*time.Hour))
	want := map[string]int{"GET projects/:id": 1, "GET projects/:id/repository/commits/:sha": 1,
		"GET projects/:id/merge_requests": 1, "GET projects/:id/releases": 1}
	if routes := g.PathCounts(); !reflect.DeepEqual(routes, want) {
		t.Errorf("activity unsettled at the previous crawl: asked %v, want %v", routes, want)
	}
}
