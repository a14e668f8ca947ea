package crawler

import "testing"

func TestNewFileURL(t *testing.T) {
	gh := Ref{Type: "github", URL: "https://github.com/eig/outil"}
	gl := Ref{Type: "gitlab", URL: "https://gitlab.example.org/gitlab/sante/dossier"}
	gt := Ref{Type: "gitea", URL: "https://codeberg.org/eig/outil"}
	for _, tc := range []struct {
		name                  string
		ref                   Ref
		branch, file, content string
		want                  string
	}{
		{"github licence", gh, "main", "LICENSE", "", "https://github.com/eig/outil/new/main?filename=LICENSE"},
		{"github CI with content", gh, "main", ".github/workflows/ci.yml", "on: [push]\n",
			"https://github.com/eig/outil/new/main?filename=.github%2Fworkflows%2Fci.yml&value=on%3A+%5Bpush%5D%0A"},
		{"github branch with a slash and a hash", gh, "dev/v2#x", "README.md", "", "https://github.com/eig/outil/new/dev/v2%23x?filename=README.md"},
		{"gitlab instance under a path", gl, "master", ".gitlab-ci.yml", "test:\n  script: make\n",
			"https://gitlab.example.org/gitlab/sante/dossier/-/new/master?content=test%3A%0A++script%3A+make%0A&file_name=.gitlab-ci.yml"},
		{"gitea file in a folder", gt, "main", ".gitea/workflows/ci.yml", "x",
			"https://codeberg.org/eig/outil/_new/main/.gitea/workflows/?filename=ci.yml&value=x"},
		{"gitea file at the root", gt, "main", "LICENSE", "", "https://codeberg.org/eig/outil/_new/main/?filename=LICENSE"},
		{"empty repository", gh, "", "LICENSE", "", ""},
		{"unknown forge type", Ref{URL: "https://example.org/a/b"}, "main", "LICENSE", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NewFileURL(tc.ref, tc.branch, tc.file, tc.content); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}
