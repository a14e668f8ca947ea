package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/internal/readertest"
	"github.com/eiglink/vigie/store"
)

// The API serves the programme's profile with the result, under docs/reference.md's
// names, and a result stored without it stays as it was.
func TestAPIProfile(t *testing.T) {
	e := newEnv(t, true)
	alpha := readertest.Config().Defis[0].Repos[0]
	sn := readertest.Snap(alpha, now.Add(-time.Minute), [4]int{10, 10, 10, 10}, now.Add(-time.Hour))
	share := 0.75
	cg := 1110
	sn.Result.Openness = &checks.Openness{Degree: 4, Criteria: []checks.Criterion{{Name: "published", Met: true, Evidence: "public"}}}
	sn.Result.Checklist = []checks.ChecklistItem{{ID: "topics", Applicable: true, Evidence: "aucun", Remediation: "Ajoutez les sujets.", Source: checks.SourceEIGGuide}}
	sn.Result.Publiccode = &checks.Publiccode{File: "publiccode.yml", Version: "0.4", Errors: []checks.PubliccodeError{{Line: 12, Key: "maintenance.contacts", Message: "clé obligatoire absente"}}}
	sn.Result.CodegouvScore = &cg
	sn.Result.Continuity = &checks.Continuity{DefiEnded: "2019-11-30", CommitsSinceEnd: 42, AuthorsSinceEnd: 3, AuthorsOutsideTeam90d: 1, TopAuthorShare90d: &share}
	if err := e.st.SaveCrawl(context.Background(), []store.Snapshot{sn}); err != nil {
		t.Fatal(err)
	}
	code, _, body := e.get(t, "/api/repos/"+alpha.ID())
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"openness":       `{"degree":4,"criteria":[{"name":"published","met":true,"evidence":"public"}]}`,
		"checklist":      `[{"id":"topics","met":false,"applicable":true,"evidence":"aucun","remediation":"Ajoutez les sujets.","source":"` + checks.SourceEIGGuide + `"}]`,
		"publiccode":     `{"file":"publiccode.yml","version":"0.4","valid":false,"errors":[{"line":12,"key":"maintenance.contacts","message":"clé obligatoire absente"}]}`,
		"codegouv_score": `1110`,
		"continuity":     `{"defi_ended":"2019-11-30","commits_since_end":42,"authors_since_end":3,"authors_outside_team_90d":1,"top_author_share_90d":0.75}`,
	} {
		var got bytes.Buffer
		if err := json.Compact(&got, raw[k]); err != nil || got.String() != want {
			t.Errorf("%s = %s, want %s", k, got.String(), want)
		}
	}
	_, _, body = e.get(t, "/api/repos/gitlab.com/eig/sub/beta")
	var old map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &old); err != nil {
		t.Fatal(err)
	}
	if _, ok := old["openness"]; ok || string(old["continuity"]) != "null" {
		t.Errorf("a result stored without the profile: %s", body)
	}
}
