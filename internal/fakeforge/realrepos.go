package fakeforge

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// realRepoFile is one fixture of the real-repos folder: a real repository's
// licence, README, CI and community texts, the sizes of its other files and
// its commit dates counted back from a reference time.
type realRepoFile struct {
	DefaultBranch string                     `json:"default_branch"`
	Archived      bool                       `json:"archived"`
	ForgeLicense  *string                    `json:"forge_license"`
	Files         map[string]json.RawMessage `json:"files"`
	Commits       []realCommit               `json:"commits"`
}

// realCommit is one commit (days_ago, the committer date) or, for old
// history, a series of Count commits by one author between FromDaysAgo and
// ToDaysAgo.
type realCommit struct {
	DaysAgo         *float64 `json:"days_ago"`
	AuthoredDaysAgo *float64 `json:"authored_days_ago"`
	Author          string   `json:"author"`
	Count           int      `json:"count"`
	FromDaysAgo     float64  `json:"from_days_ago"`
	ToDaysAgo       float64  `json:"to_days_ago"`
}

// LoadRealRepos reads the real-repository fixtures under dir
// (dir/HOST/OWNER/NAME.json and dir/REFERENCE.json) as fake repositories,
// every date shifted so that each repository's reference time falls on now:
// they look as if crawled one day after their last commit. Repositories
// are sorted by path.
func LoadRealRepos(dir string, now time.Time) ([]Repo, error) {
	refPath := filepath.Join(dir, "REFERENCE.json")
	b, err := os.ReadFile(refPath)
	if err != nil {
		return nil, fmt.Errorf("real repos: %w", err)
	}
	var refs map[string]json.RawMessage
	if err := json.Unmarshal(b, &refs); err != nil {
		return nil, fmt.Errorf("real repos %s: %w", refPath, err)
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*", "*", "*.json"))
	if err != nil {
		return nil, fmt.Errorf("real repos %s: %w", dir, err)
	}
	var out []Repo
	for _, p := range paths {
		rel, _ := filepath.Rel(dir, p)
		parts := strings.Split(filepath.ToSlash(strings.TrimSuffix(rel, ".json")), "/")
		host := parts[0]
		if !strings.Contains(host, ".") {
			host += ".com" // the folder "github" holds github.com's repositories
		}
		id := host + "/" + parts[1] + "/" + parts[2]
		if _, ok := refs[id]; !ok {
			return nil, fmt.Errorf("real repos %s: no reference time for %s", refPath, id)
		}
		r, err := loadRealRepo(p, parts[1]+"/"+parts[2], now)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func loadRealRepo(file, repoPath string, now time.Time) (Repo, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return Repo{}, fmt.Errorf("real repo: %w", err)
	}
	var f realRepoFile
	if err := json.Unmarshal(b, &f); err != nil {
		return Repo{}, fmt.Errorf("real repo %s: %w", file, err)
	}
	r := Repo{
		Path: repoPath, DefaultBranch: f.DefaultBranch, Archived: f.Archived,
		Files: map[string]string{}, Sizes: map[string]int64{},
	}
	if f.ForgeLicense != nil {
		r.License = *f.ForgeLicense
	}
	for p, v := range f.Files {
		var text string
		if json.Unmarshal(v, &text) == nil {
			r.Files[p] = text
			continue
		}
		var sz struct {
			Bytes int64 `json:"bytes"`
		}
		if err := json.Unmarshal(v, &sz); err != nil {
			return Repo{}, fmt.Errorf("real repo %s: file %s: %w", file, p, err)
		}
		r.Sizes[p] = sz.Bytes
	}
	ago := func(days float64) time.Time {
		return now.Add(-time.Duration(math.Round(days * float64(24*time.Hour)))).UTC().Truncate(time.Second)
	}
	person := func(a string) (string, string) {
		return a, a + "@users.noreply.example.org"
	}
	for _, c := range f.Commits {
		name, email := person(c.Author)
		if c.Count > 0 {
			// A series: spread its commits evenly over its span, newest
			// first.
			for k := range c.Count {
				d := c.FromDaysAgo
				if c.Count > 1 {
					d += (c.ToDaysAgo - c.FromDaysAgo) * float64(k) / float64(c.Count-1)
				}
				r.Commits = append(r.Commits, Commit{AuthorName: name, AuthorEmail: email, Date: ago(d), Message: "Commit"})
			}
			continue
		}
		if c.DaysAgo == nil {
			return Repo{}, fmt.Errorf("real repo %s: a commit without days_ago", file)
		}
		cm := Commit{AuthorName: name, AuthorEmail: email, Date: ago(*c.DaysAgo), Message: "Commit"}
		if c.AuthoredDaysAgo != nil {
			cm.AuthoredAt = ago(*c.AuthoredDaysAgo)
		}
		r.Commits = append(r.Commits, cm)
	}
	sort.SliceStable(r.Commits, func(i, j int) bool { return r.Commits[i].Date.After(r.Commits[j].Date) })
	if n := len(r.Commits); n > 0 {
		r.CreatedAt = r.Commits[n-1].Date
	}
	r.FillSHAs()
	return r, nil
}
