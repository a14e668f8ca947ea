package checks

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/eiglink/vigie/crawler"
)

func TestContinuity(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	// The défi ended on 30 November 2019: the day ends at midnight in
	// Paris, 23:00 UTC.
	endedAt := time.Date(2019, 12, 1, 0, 0, 0, 0, paris)
	d := DefiProfile{Ended: "2019-11-30", EndedAt: endedAt, Team: []string{"OctoCat", "jane@example.org"}}
	now := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	stamp := func(daysAgo int, author, email string) crawler.CommitStamp {
		return crawler.CommitStamp{At: now.AddDate(0, 0, -daysAgo), Author: author, Email: email}
	}
	tests := []struct {
		name string
		f    crawler.Facts
		want string
	}{
		{"lives on", crawler.Facts{
			Activity: crawler.ActivityFacts{LastCommitAt: now.AddDate(0, 0, -1), Recent: []crawler.CommitStamp{
				stamp(1, "@newdev", "nd@example.org"), stamp(2, "@newdev", "nd@example.org"), stamp(3, "@octocat", "o@example.org"),
				stamp(4, "jane@example.org", ""), stamp(5, "other@example.org", "")}},
			Since: &crawler.SinceFacts{From: endedAt, Commits: 42, Authors: []string{"@newdev", "@octocat", "jane@example.org", "other@example.org"}},
		}, `{"defi_ended":"2019-11-30","commits_since_end":42,"authors_since_end":4,"authors_outside_team_90d":2,"top_author_share_90d":0.4}`},
		{"team by e-mail behind a login", crawler.Facts{
			Activity: crawler.ActivityFacts{LastCommitAt: now, Recent: []crawler.CommitStamp{stamp(1, "@jd", "jane@example.org")}},
			Since:    &crawler.SinceFacts{From: endedAt, Commits: 1, Authors: []string{"@jd"}},
		}, `{"defi_ended":"2019-11-30","commits_since_end":1,"authors_since_end":1,"authors_outside_team_90d":0,"top_author_share_90d":1}`},
		{"dormant since the end", crawler.Facts{
			Activity: crawler.ActivityFacts{LastCommitAt: time.Date(2019, 11, 30, 22, 59, 0, 0, time.UTC)},
			Since:    &crawler.SinceFacts{From: endedAt},
		}, `{"defi_ended":"2019-11-30","commits_since_end":0,"authors_since_end":0,"authors_outside_team_90d":0,"top_author_share_90d":null}`},
		{"facts from before the end was configured, last commit older", crawler.Facts{
			Activity: crawler.ActivityFacts{LastCommitAt: time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC)},
		}, `{"defi_ended":"2019-11-30","commits_since_end":0,"authors_since_end":0,"authors_outside_team_90d":0,"top_author_share_90d":null}`},
		{"a count from another end date is not used", crawler.Facts{
			Activity: crawler.ActivityFacts{LastCommitAt: now, Recent: []crawler.CommitStamp{stamp(1, "@x", "")}},
			Since:    &crawler.SinceFacts{From: endedAt.AddDate(-1, 0, 0), Commits: 99, Authors: []string{"@x"}},
		}, `{"defi_ended":"2019-11-30","commits_since_end":1,"authors_since_end":1,"authors_outside_team_90d":1,"top_author_share_90d":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ContinuityOf(tt.f, d)
			b, _ := json.Marshal(c)
			if string(b) != tt.want {
				t.Errorf("got  %s\nwant %s", b, tt.want)
			}
		})
	}
}

func TestContinuityState(t *testing.T) {
	share := 0.5
	for _, tt := range []struct {
		c    *Continuity
		want string
	}{
		{nil, ""},
		{&Continuity{}, "dormant"},
		{&Continuity{CommitsSinceEnd: 10}, "dormant"},
		{&Continuity{CommitsSinceEnd: 10, TopAuthorShare90d: &share}, "alive"},
		{&Continuity{CommitsSinceEnd: 10, TopAuthorShare90d: &share, AuthorsOutsideTeam90d: 2}, "handed_over"},
	} {
		if got := ContinuityState(tt.c); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.c, got, tt.want)
		}
	}
}

// Score sets continuity only for a défi with an end; null otherwise.
func TestScoreContinuity(t *testing.T) {
	f := degree8()
	if r := Score(f, Options{}); r.Continuity != nil || r.Openness == nil || r.Checklist == nil || r.CodegouvScore == nil || r.Publiccode == nil {
		t.Errorf("running défi: %+v", r)
	}
	r := Score(f, Options{Defis: map[string]DefiProfile{"outil": {Ended: "2019-11-30", EndedAt: time.Date(2019, 12, 1, 0, 0, 0, 0, time.UTC)}}})
	if r.Continuity == nil || r.Continuity.DefiEnded != "2019-11-30" {
		t.Errorf("ended défi: %+v", r.Continuity)
	}
	b, _ := json.Marshal(Score(crawler.Facts{Error: "gone"}, Options{}))
	var m map[string]any
	json.Unmarshal(b, &m)
	if _, ok := m["openness"]; ok {
		t.Errorf("an error result has a profile: %s", b)
	}
}
