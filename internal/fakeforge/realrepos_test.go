package fakeforge

import (
	"testing"
	"time"

	"github.com/eiglink/vigie/internal/testtool"
)

func TestLoadRealRepos(t *testing.T) {
	dir := testtool.RealRepos(t)
	now := time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)
	repos, err := LoadRealRepos(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(repos) != 14 {
		t.Fatalf("got %d repositories, want 14", len(repos))
	}
	byPath := map[string]Repo{}
	for _, r := range repos {
		byPath[r.Path] = r
		for i := 1; i < len(r.Commits); i++ {
			if r.Commits[i].Date.After(r.Commits[i-1].Date) {
				t.Fatalf("%s: commits not newest first at %d", r.Path, i)
			}
		}
		// Every reference time is one day after the head commit.
		if len(r.Commits) == 0 || !r.Commits[0].Date.Equal(now.Add(-24*time.Hour)) {
			t.Errorf("%s: head commit at %v, want %v", r.Path, r.Commits[0].Date, now.Add(-24*time.Hour))
		}
	}
	label := byPath["Cour-de-cassation/label"]
	if label.DefaultBranch != "master" || label.License != "MIT" || label.Files["LICENSE"] == "" || label.Sizes["README.fr.md"] != 6896 {
		t.Errorf("label: branch %q licence %q, LICENSE %d bytes, README.fr.md %d bytes",
			label.DefaultBranch, label.License, len(label.Files["LICENSE"]), label.Sizes["README.fr.md"])
	}
	// Series of old commits expand to one commit each: the last series of
	// label holds 54 commits of author-18.
	n := 0
	for _, c := range label.Commits {
		if c.AuthorName == "author-18" {
			n++
		}
	}
	if n < 54 {
		t.Errorf("label: %d commits by author-18, want the series expanded", n)
	}
	if r := byPath["entrepreneur-interet-general/cartav"]; r.License != "" || r.DefaultBranch != "dev" {
		t.Errorf("cartav: licence %q branch %q", r.License, r.DefaultBranch)
	}
	if !byPath["entrepreneur-interet-general/opencollectivites"].Archived {
		t.Error("opencollectivites is archived")
	}
	if _, err := LoadRealRepos(t.TempDir(), now); err == nil {
		t.Error("a folder without REFERENCE.json loaded")
	}
}
