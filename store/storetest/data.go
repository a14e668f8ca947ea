// Package storetest is the conformance suite every store.Store back-end
// passes: the same table of behaviours run against SQLite and Postgres, so
// a reader cannot tell which database it is talking to. It also holds the
// back-ends' shared benchmarks.
package storetest

import (
	"fmt"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/store"
)

// T0 is the suite's reference time: a Monday (2026-W48 begins on
// 2026-11-23), in UTC.
var T0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// Result builds a plausible docs/reference.md result of repo crawled at at, with
// the four checks and their required details.
func Result(repo string, at time.Time, score int) checks.Result {
	sc := score
	return checks.Result{
		Repo:      repo,
		URL:       "https://" + repo,
		Forge:     "github",
		Defi:      "defi-a",
		CrawledAt: at,
		Score:     &sc,
		Checks: []checks.Check{
			{Name: "license", Score: 10, Reason: "Licence MIT identifiée.", Details: map[string]any{"spdx_id": "MIT", "file": "LICENSE"}},
			{Name: "readme", Score: 7, Reason: "README court.", Remediation: "Décrivez l'installation.", Details: map[string]any{"file": "README.md", "bytes": 1234}},
			{Name: "ci", Score: 10, Reason: "CI au vert.", Details: map[string]any{"systems": []string{"github-actions"}, "status": "success"}},
			{Name: "activity", Score: 10, Reason: "Actif.", Details: map[string]any{"archived": false, "last_commit_at": at.Add(-24 * time.Hour).UTC().Format(time.RFC3339), "commits_90d": 42}},
		},
	}
}

// ErrorResult builds the result of a repository that could not be fetched.
func ErrorResult(repo string, at time.Time, msg string) checks.Result {
	return checks.Result{
		Repo: repo, URL: "https://" + repo, Forge: "github", Defi: "defi-a",
		CrawledAt: at, Error: msg,
	}
}

// Facts builds plausible facts of repo crawled at at.
func Facts(repo string, at time.Time) *crawler.Facts {
	return &crawler.Facts{
		Ref:           crawler.Ref{Forge: "github", Host: "github.com", Path: repo, URL: "https://" + repo, Defi: "defi-a"},
		CrawledAt:     at,
		DefaultBranch: "main",
		Topics:        []string{"etat", "open-source"},
		Stars:         12,
		OpenIssues:    -1,
		License:       crawler.LicenseFacts{ForgeSPDX: "MIT", Files: []crawler.LicenseFile{{Path: "LICENSE", SPDX: "MIT", Coverage: 98.5, Bytes: 1070}}},
		Readme:        crawler.ReadmeFacts{Path: "README.md", Bytes: 1234, Text: "# Projet\n\nÀ propos…"},
		CI:            crawler.CIFacts{Systems: []string{"github-actions"}, Files: []string{".github/workflows/ci.yml"}, Status: "success", RunAt: at.Add(-time.Hour)},
		Activity:      crawler.ActivityFacts{LastCommitAt: at.Add(-24 * time.Hour), Commits90d: 42, Contributors90d: 3},
		Files:         []crawler.File{{Path: "README.md", Size: 1234}, {Path: "src", Dir: true, Size: -1}},
	}
}

// Crawl builds one crawl: n repositories ("github.com/org/repo-0007"...),
// all crawled at at, with facts.
func Crawl(n int, at time.Time) []store.Snapshot {
	snaps := make([]store.Snapshot, n)
	for i := range snaps {
		repo := RepoName(i)
		snaps[i] = store.Snapshot{Facts: Facts(repo, at), Result: Result(repo, at, 40+i%60)}
	}
	return snaps
}

// RepoName is the name Crawl gives its i-th repository; names sort as their
// index does.
func RepoName(i int) string { return fmt.Sprintf("github.com/org/repo-%04d", i) }
