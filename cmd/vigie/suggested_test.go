package main

import (
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/internal/fakeforge"
)

// TestCheckTextSuggestedCI: `vigie check` (text) prints the CI file it
// proposes for a repository without CI, ready to copy, the same file the
// JSON result carries in details.suggested_config.
func TestCheckTextSuggestedCI(t *testing.T) {
	now := time.Now().UTC()
	gh := []fakeforge.Repo{{
		Path: "eig/noci", DefaultBranch: "main", CreatedAt: now.Add(-day(400)), License: "MIT", Language: "Python",
		Files: map[string]string{
			"LICENSE": mitText, "requirements.txt": "flask\n",
			"README.md": "# Outil\n\nUn outil pour les coachs.\n",
		},
		Commits: []fakeforge.Commit{{AuthorName: "a", AuthorEmail: "a@example.org", Date: now.Add(-day(2))}},
	}}
	f := startForges(t, gh, nil)
	cfg := f.config(t, "https://github.com/eig/noci")
	js := runVigie(t, nil, "check", "--config", cfg, "--format", "json", "https://github.com/eig/noci")
	if js.code != 0 {
		t.Fatalf("exit %d: %s", js.code, js.stderr)
	}
	ci := details(t, decode(t, js.stdout)[0], "ci")
	file, _ := ci["suggested_file"].(string)
	want, _ := ci["suggested_config"].(string)
	if file != ".github/workflows/ci.yml" || !strings.Contains(want, "pytest") {
		t.Fatalf("suggested %q:\n%s", file, want)
	}
	out := runVigie(t, nil, "check", "--config", cfg, "https://github.com/eig/noci")
	if out.code != 0 {
		t.Fatalf("exit %d: %s", out.code, out.stderr)
	}
	i := strings.Index(out.stdout, file+":\n")
	if i < 0 {
		t.Fatalf("text output does not name the proposed file:\n%s", out.stdout)
	}
	// The file's lines follow, in order, with one indentation added.
	var got []string
	for _, line := range strings.Split(out.stdout[i+len(file)+2:], "\n") {
		if !strings.HasPrefix(line, strings.Repeat(" ", 22)) {
			break
		}
		got = append(got, strings.TrimPrefix(line, strings.Repeat(" ", 22)))
	}
	if strings.Join(got, "\n") != strings.TrimRight(want, "\n") {
		t.Errorf("text output's file:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
}
