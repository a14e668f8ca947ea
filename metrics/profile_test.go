package metrics_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/internal/readertest"
	"github.com/eiglink/vigie/metrics"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/memstore"
)

// The programme's profile comes out as four series per repository whose
// latest good result has one; a result without it (stored or imported
// before it existed) exports none of them.
func TestProfileSeries(t *testing.T) {
	cfg := readertest.Config()
	st := memstore.New()
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	alpha, beta := cfg.Defis[0].Repos[0], cfg.Defis[0].Repos[1]
	withProfile := readertest.Snap(alpha, at, [4]int{10, 10, 10, 10}, at.Add(-time.Hour))
	cg := 1110
	withProfile.Result.Openness = &checks.Openness{Degree: 4}
	withProfile.Result.Checklist = []checks.ChecklistItem{
		{ID: "description", Met: true, Applicable: true},
		{ID: "topics", Met: false, Applicable: true},
		{ID: "organisation_account", Applicable: false},
		{ID: "license_file", Met: true, Applicable: true},
	}
	withProfile.Result.CodegouvScore = &cg
	withProfile.Result.Continuity = &checks.Continuity{DefiEnded: "2019-11-30", CommitsSinceEnd: 42, AuthorsSinceEnd: 3, AuthorsOutsideTeam90d: 2}
	must(t, st.SaveCrawl(context.Background(), []store.Snapshot{withProfile, readertest.Snap(beta, at, [4]int{10, 10, 10, 10}, at)}))
	m := metrics.New(cfg, st, nil)
	want := `
# HELP vigie_repo_openness_degree Degree of openness in the EIG guide's ladder, -1..8.
# TYPE vigie_repo_openness_degree gauge
vigie_repo_openness_degree{defi="alpha",forge="github",repo="github.com/eig/alpha"} 4
# HELP vigie_repo_checklist_met Items of the publication checklist the repository meets.
# TYPE vigie_repo_checklist_met gauge
vigie_repo_checklist_met{defi="alpha",forge="github",repo="github.com/eig/alpha"} 2
# HELP vigie_repo_checklist_applicable Items of the publication checklist that apply to the repository.
# TYPE vigie_repo_checklist_applicable gauge
vigie_repo_checklist_applicable{defi="alpha",forge="github",repo="github.com/eig/alpha"} 3
# HELP vigie_repo_codegouv_score code.gouv.fr's repository score, by its published table.
# TYPE vigie_repo_codegouv_score gauge
vigie_repo_codegouv_score{defi="alpha",forge="github",repo="github.com/eig/alpha"} 1110
# HELP vigie_repo_commits_since_end Commits on the default branch after the défi ended (ended défis only).
# TYPE vigie_repo_commits_since_end gauge
vigie_repo_commits_since_end{defi="alpha",forge="github",repo="github.com/eig/alpha"} 42
# HELP vigie_repo_authors_outside_team_90d Commit authors of the last 90 days who are not in the défi's team (ended défis only).
# TYPE vigie_repo_authors_outside_team_90d gauge
vigie_repo_authors_outside_team_90d{defi="alpha",forge="github",repo="github.com/eig/alpha"} 2
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want),
		"vigie_repo_openness_degree", "vigie_repo_checklist_met", "vigie_repo_checklist_applicable", "vigie_repo_codegouv_score",
		"vigie_repo_commits_since_end", "vigie_repo_authors_outside_team_90d"); err != nil {
		t.Error(err)
	}
}
