package checks

import (
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/crawler"
)

func TestActivity(t *testing.T) {
	now := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	facts := func(lastAgo time.Duration, n int) crawler.Facts {
		return crawler.Facts{CrawledAt: now, CreatedAt: now.Add(-800 * day), DefaultBranch: "main",
			Activity: crawler.ActivityFacts{LastCommitAt: now.Add(-lastAgo), Commits90d: n}}
	}
	young := func(f crawler.Facts) crawler.Facts { f.CreatedAt = now.Add(-20 * day); return f }
	unknown := facts(2*day, 12)
	unknown.Unknown = []string{crawler.FactArchived}
	tests := []struct {
		name   string
		facts  crawler.Facts
		opts   Options
		score  int
		lastAt string
		days   any
	}{
		{"active", facts(2*day, 12), Options{}, 10, "2026-11-27T08:00:00Z", 2},
		{"a few commits", facts(10*day, 3), Options{}, 8, "2026-11-19T08:00:00Z", 10},
		{"one commit", facts(80*day, 1), Options{}, 7, "2026-09-10T08:00:00Z", 80},
		{"young repository, a few commits", young(facts(1*day, 3)), Options{}, 10, "2026-11-28T08:00:00Z", 1},
		{"young repository, one commit", young(facts(1*day, 1)), Options{}, 8, "2026-11-28T08:00:00Z", 1},
		{"dormant", facts(120*day, 0), Options{}, 3, "2026-08-01T08:00:00Z", 120},
		{"long dormant", facts(200*day, 0), Options{}, 2, "2026-05-13T08:00:00Z", 200},
		{"abandoned", facts(1000*day, 0), Options{}, 1, "2024-03-04T08:00:00Z", 1000},
		{"exactly dormant_days: not yet dormant", facts(90*day, 0), Options{}, 6, "2026-08-31T08:00:00Z", 90},
		{"dormant_days 30", facts(45*day, 2), Options{DormantDays: 30}, 3, "2026-10-15T08:00:00Z", 45},
		{"dormant_days 365 keeps an old commit alive", facts(200*day, 0), Options{DormantDays: 365}, 6, "2026-05-13T08:00:00Z", 200},
		{"commit dated after the crawl", facts(-2*time.Hour, 5), Options{}, 10, "2026-11-29T10:00:00Z", 0},
		{"empty", crawler.Facts{CrawledAt: now, Empty: true}, Options{}, 0, "", nil},
		{"archived unknown: scored on its commits, and said", unknown, Options{}, 10, "2026-11-27T08:00:00Z", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Activity(tt.facts, tt.opts)
			if c.Score != tt.score {
				t.Errorf("score = %d, want %d (%s)", c.Score, tt.score, c.Reason)
			}
			if got := c.Details["last_commit_at"]; got != tt.lastAt {
				t.Errorf("last_commit_at = %v, want %q", got, tt.lastAt)
			}
			if got := c.Details["days_since_last_commit"]; got != tt.days {
				t.Errorf("days_since_last_commit = %v, want %v", got, tt.days)
			}
			if got, want := c.Details["archived"], tt.facts.Archived; got != want {
				t.Errorf("archived = %v, want %v", got, want)
			}
			if _, said := c.Details["archived_unknown"]; said != tt.facts.IsUnknown(crawler.FactArchived) ||
				said && !strings.Contains(c.Reason, "archivé") {
				t.Errorf("archived_unknown said %v, reason %q", said, c.Reason)
			}
			if got, want := c.Details["commits_90d"], tt.facts.Activity.Commits90d; got != want {
				t.Errorf("commits_90d = %v (%T), want %d", got, got, want)
			}
			checkWording(t, c)
		})
	}
}
