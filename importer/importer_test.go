package importer_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/importer"
	"github.com/eiglink/vigie/report"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/memstore"
	"github.com/eiglink/vigie/store/sqlite/sqlitetest"
)

const yml = `forges:
  - {name: github, type: github, url: https://github.com}
  - {name: gitlab, type: gitlab, url: https://gitlab.com}
defis:
  - slug: alpha
    name: Défi Alpha
    repos: [https://github.com/etalab/alpha]
  - slug: beta
    name: Défi Bêta
    orgs: [https://gitlab.com/beta-group, https://github.com/beta-org]
    exclude: ["*-archive"]
`

var now = time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)

func cfg(t *testing.T) *config.Config {
	t.Helper()
	c, err := config.Parse("vigie.yml", []byte(yml), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func result(repo string, at time.Time, score int) map[string]any {
	forge := "github"
	if strings.HasPrefix(strings.ToLower(repo), "gitlab.com/") {
		forge = "gitlab"
	}
	return map[string]any{
		"repo": repo, "url": "https://" + repo, "forge": forge, "defi": "",
		"crawled_at": at.Format(time.RFC3339), "score": score, "error": "",
		"checks": []map[string]any{
			{"name": "license", "score": 10, "reason": "MIT", "remediation": "", "details": map[string]any{"spdx_id": "MIT", "file": "LICENSE"}},
			{"name": "readme", "score": 5, "reason": "short", "remediation": "Write more.", "details": map[string]any{"file": "README.md", "bytes": 300}},
			{"name": "ci", "score": 10, "reason": "green", "remediation": "", "details": map[string]any{"systems": []string{"gitlab-ci"}, "status": "success"}},
			{"name": "activity", "score": 10, "reason": "active", "remediation": "", "details": map[string]any{"archived": false, "last_commit_at": "2026-11-01T00:00:00Z", "commits_90d": 12}},
		},
	}
}

func file(t *testing.T, v any) *strings.Reader {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return strings.NewReader(string(b))
}

func TestImportHistoryFeedsTheReport(t *testing.T) {
	ctx := context.Background()
	st := sqlitetest.SQLite(t, "")
	c := cfg(t)
	w47 := time.Date(2026, 11, 18, 8, 0, 0, 0, time.UTC)
	w48 := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	regressed := result("gitlab.com/beta-group/sub/tool", w48, 55)
	regressed["checks"].([]map[string]any)[2]["details"].(map[string]any)["status"] = "failure"
	in := []any{
		result("github.com/etalab/alpha", w47, 60),
		result("github.com/etalab/alpha", w48, 70),
		result("GitHub.com/beta-org/api", w48, 80), // host case is normalised
		result("gitlab.com/beta-group/sub/tool", w47, 65),
		regressed,
	}
	res, err := importer.Import(ctx, st, c, file(t, in), "results.json", importer.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Read != 5 || res.Stored != 5 || res.Skipped != 0 || count(t, st) != 5 {
		t.Fatalf("%+v, %d stored", res, count(t, st))
	}
	h, err := st.History(ctx, "github.com/beta-org/api", time.Time{}, now)
	if err != nil || len(h) != 1 || h[0].Defi != "beta" || !h[0].CrawledAt.Equal(w48) {
		t.Fatalf("beta-org/api history: %+v %v", h, err)
	}
	// The imported history is the report's history.
	d, err := report.Build(ctx, st, report.ISOWeek{Year: 2026, Week: 48}, now, report.OptionsFrom(c))
	if err != nil {
		t.Fatal(err)
	}
	var changes []string
	for _, ch := range d.Changes {
		changes = append(changes, ch.Repo+":"+ch.Kind)
	}
	want := "github.com/beta-org/api:new github.com/etalab/alpha:improvement gitlab.com/beta-group/sub/tool:regression gitlab.com/beta-group/sub/tool:ci_broke"
	if strings.Join(changes, " ") != want {
		t.Errorf("changes %v", changes)
	}
	if *d.Summary.Average != 68.3 { // (70 + 80 + 55) / 3
		t.Errorf("average %v", *d.Summary.Average)
	}

	// The same file again stores nothing more.
	res, err = importer.Import(ctx, st, c, file(t, in), "results.json", importer.Options{Now: now})
	if err != nil || res.Stored != 0 || res.Skipped != 5 || count(t, st) != 5 {
		t.Errorf("second import: %+v %v, %d stored", res, err, count(t, st))
	}
}

func TestImportRefusesWholeFile(t *testing.T) {
	ctx := context.Background()
	c := cfg(t)
	at := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	unreachable := result("github.com/etalab/alpha", at, 0)
	unreachable["score"], unreachable["error"], unreachable["checks"] = nil, "forge answered 503", []any{}
	for _, c2 := range []struct {
		name string
		body string
		want string
	}{
		{"object", `{"repo": "github.com/etalab/alpha"}`, "want a JSON array of result objects"},
		{"not json", `repo,score`, "not JSON"},
		{"empty", ``, "empty file"},
		{"numbers", `[1, 2]`, "element 0 is not a result object"},
		{"trailing", `[] []`, "data after the array"},
		{"outside", mustJSON(t, []any{result("github.com/etalab/alpha", at, 70), result("github.com/someone/else", at, 50)}),
			"element 1 (github.com/someone/else): not a repository of vigie.yml"},
		{"excluded", mustJSON(t, []any{result("gitlab.com/beta-group/old-archive", at, 50)}), "not a repository of vigie.yml"},
		{"github subgroup", mustJSON(t, []any{result("github.com/beta-org/a/b", at, 50)}), "not a repository of vigie.yml"},
		{"future", mustJSON(t, []any{result("github.com/etalab/alpha", now.Add(2*time.Hour), 50)}), "is in the future"},
		{"score range", mustJSON(t, []any{result("github.com/etalab/alpha", at, 101)}), "score 101 is outside 0..100"},
		{"no date", `[{"repo": "github.com/etalab/alpha", "score": 3}]`, "no crawled_at"},
		{"bad date", `[{"repo": "github.com/etalab/alpha", "crawled_at": "yesterday"}]`, "element 0"},
		{"openness range", mustJSON(t, []any{withField(result("github.com/etalab/alpha", at, 70), "openness", map[string]any{"degree": 9, "criteria": []any{}})}), "openness.degree 9 is outside -1..8"},
		{"checklist id", mustJSON(t, []any{withField(result("github.com/etalab/alpha", at, 70), "checklist", []any{map[string]any{"met": true, "applicable": true}})}), "a checklist item has no id"},
		{"continuity date", mustJSON(t, []any{withField(result("github.com/etalab/alpha", at, 70), "continuity", map[string]any{"defi_ended": "fin 2019"})}), "continuity.defi_ended"},
		{"many", mustJSON(t, []any{result("x.org/a/b", at, 1), result("x.org/a/c", at, 1), result("x.org/a/d", at, 1)}), "and 2 more refused results"},
	} {
		st := memstore.New()
		_, err := importer.Import(ctx, st, c, strings.NewReader(c2.body), "in.json", importer.Options{Now: now})
		if err == nil || !errors.Is(err, importer.ErrInvalid) || !strings.Contains(err.Error(), c2.want) || !strings.HasPrefix(err.Error(), "in.json: ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v", c2.name, err)
		}
		if st.Count() != 0 {
			t.Errorf("%s: %d results stored", c2.name, st.Count())
		}
	}
	// An unreachable result (error, null score) is fine.
	st := memstore.New()
	res, err := importer.Import(ctx, st, c, file(t, []any{unreachable}), "in.json", importer.Options{Now: now})
	if err != nil || res.Stored != 1 {
		t.Errorf("unreachable result: %+v %v", res, err)
	}
	// The store failing stores nothing either (one SaveCrawl).
	st = memstore.New()
	st.FailSave = errors.New("disk full")
	_, err = importer.Import(ctx, st, c, file(t, []any{result("github.com/etalab/alpha", at, 1)}), "in.json", importer.Options{Now: now})
	if err == nil || errors.Is(err, importer.ErrInvalid) || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("store failure: %v", err)
	}
}

// What `vigie check --format json` prints (checks.Result marshalled) reads
// back unchanged.
func TestImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	st := sqlitetest.SQLite(t, "")
	score := 73
	in := []checks.Result{{
		Repo: "github.com/etalab/alpha", URL: "https://github.com/etalab/alpha", Forge: "github", Defi: "alpha",
		CrawledAt: time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC), Score: &score,
		Checks: []checks.Check{{Name: "license", Score: 10, Reason: "MIT", Details: map[string]any{"spdx_id": "MIT"}}},
	}}
	if _, err := importer.Import(ctx, st, cfg(t), file(t, in), "in.json", importer.Options{Now: now}); err != nil {
		t.Fatal(err)
	}
	snap, err := st.Get(ctx, "github.com/etalab/alpha")
	if err != nil {
		t.Fatal(err)
	}
	if mustJSON(t, snap.Result) != mustJSON(t, in[0]) || snap.Facts != nil {
		t.Errorf("stored %s", mustJSON(t, snap.Result))
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// count returns how many results st holds.
func count(t *testing.T, st store.Store) int {
	t.Helper()
	latest, err := st.Latest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range latest {
		h, err := st.History(context.Background(), s.Result.Repo, time.Time{}, now.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		n += len(h)
	}
	return n
}

func withField(m map[string]any, k string, v any) map[string]any {
	m[k] = v
	return m
}

// A result with the programme's profile, as a crawl of an ended défi
// makes it, reads back unchanged; one without stays valid.
func TestImportProfileRoundTrip(t *testing.T) {
	ctx := context.Background()
	st := sqlitetest.SQLite(t, "")
	at := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	ended := time.Date(2019, 12, 1, 0, 0, 0, 0, time.UTC)
	f := crawler.Facts{
		Ref:       crawler.Ref{Forge: "github", Host: "github.com", Path: "etalab/alpha", URL: "https://github.com/etalab/alpha", Defi: "alpha"},
		CrawledAt: at, DefaultBranch: "main", Description: "Alpha", Forks: 3, Watchers: 12,
		License: crawler.LicenseFacts{ForgeSPDX: "MIT", Files: []crawler.LicenseFile{{Path: "LICENSE", SPDX: "MIT"}}},
		Readme:  crawler.ReadmeFacts{Path: "README.md", Bytes: 40, Text: "# Alpha\n\nContact : alpha@example.org\n"},
		Activity: crawler.ActivityFacts{LastCommitAt: at.Add(-time.Hour), Commits90d: 2,
			Recent: []crawler.CommitStamp{{At: at.Add(-time.Hour), Author: "@octocat"}, {At: at.Add(-48 * time.Hour), Author: "someone@example.org"}}},
		Since: &crawler.SinceFacts{From: ended, Commits: 40, Authors: []string{"@octocat", "someone@example.org"}},
	}
	res := checks.Score(f, checks.Options{Defis: map[string]checks.DefiProfile{"alpha": {Ended: "2019-11-30", EndedAt: ended, Team: []string{"octocat"}}}})
	if res.Openness == nil || res.Continuity == nil || res.Continuity.AuthorsOutsideTeam90d != 1 {
		t.Fatalf("profile %+v", res)
	}
	plain := result("github.com/etalab/alpha", at.Add(-24*time.Hour), 60)
	if _, err := importer.Import(ctx, st, cfg(t), file(t, []any{plain, res}), "in.json", importer.Options{Now: now}); err != nil {
		t.Fatal(err)
	}
	h, err := st.History(ctx, "github.com/etalab/alpha", time.Time{}, now)
	if err != nil || len(h) != 2 {
		t.Fatalf("history %d %v", len(h), err)
	}
	if h[0].Openness != nil || h[0].Checklist != nil {
		t.Errorf("a result without the profile got one: %s", mustJSON(t, h[0]))
	}
	if mustJSON(t, h[1]) != mustJSON(t, res) {
		t.Errorf("stored\n%s\nwant\n%s", mustJSON(t, h[1]), mustJSON(t, res))
	}
}
