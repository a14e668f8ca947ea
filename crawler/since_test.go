package crawler

import (
	"reflect"
	"testing"
	"time"
)

// The commits after a défi's end are counted once, then only the new ones:
// a later crawl reads back to the newest commit counted, or to the window
// when that is older.
func TestSince(t *testing.T) {
	now := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	window := now.Add(-Window)
	end := time.Date(2019, 12, 1, 0, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return now.AddDate(0, 0, -n) }
	if got := HistoryFrom(window, time.Time{}, nil); !got.Equal(window) {
		t.Errorf("no end: from %s", got)
	}
	if got := HistoryFrom(window, end, nil); !got.Equal(end) {
		t.Errorf("first count: from %s, want the end", got)
	}
	if got := HistoryFrom(window, now.AddDate(0, 0, -10), nil); !got.Equal(window) {
		t.Errorf("end inside the window: from %s, want the window", got)
	}
	first := NewSince(end, nil, []CommitStamp{
		{At: day(1), Author: "@a"}, {At: day(200), Author: "b@example.org"}, {At: day(300), Author: "@a"},
		{At: end.Add(-time.Hour), Author: "@team"}, // before the end
	})
	want := &SinceFacts{From: end, Commits: 3, Authors: []string{"@a", "b@example.org"}, Through: day(1)}
	if !reflect.DeepEqual(first, want) {
		t.Fatalf("first count %+v, want %+v", first, want)
	}
	// The next crawl reads the window (the newest commit counted is in it)
	// and adds only what is newer.
	if got := HistoryFrom(window, end, first); !got.Equal(window) {
		t.Errorf("next crawl: from %s, want the window", got)
	}
	next := NewSince(end, first, []CommitStamp{{At: now.Add(-time.Hour), Author: "@c"}, {At: day(1), Author: "@a"}, {At: day(5), Author: "@a"}})
	want = &SinceFacts{From: end, Commits: 4, Authors: []string{"@a", "@c", "b@example.org"}, Through: now.Add(-time.Hour)}
	if !reflect.DeepEqual(next, want) {
		t.Errorf("next count %+v, want %+v", next, want)
	}
	if len(first.Authors) != 2 {
		t.Error("the next count changed the previous one's authors")
	}
	// A count from another end date starts over.
	if got := NewSince(end.AddDate(1, 0, 0), first, nil); got.Commits != 0 {
		t.Errorf("another end: %+v", got)
	}
	// A dormant repository's last count is older than the window: read
	// back to it.
	old := &SinceFacts{From: end, Commits: 3, Through: day(400)}
	if got := HistoryFrom(window, end, old); !got.Equal(day(400)) {
		t.Errorf("dormant: from %s", got)
	}
}
