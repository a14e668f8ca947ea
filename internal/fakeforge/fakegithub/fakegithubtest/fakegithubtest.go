// Package fakegithubtest gives tests fake GitHubs that check every GraphQL
// query they receive against GitHub's published schema, found by
// internal/testtool (the fake itself reads no environment).
package fakegithubtest

import (
	"testing"

	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub"
	"github.com/eiglink/vigie/internal/testtool"
	"github.com/vektah/gqlparser/v2/ast"
)

// Schema loads GitHub's GraphQL schema. Absent, the test is skipped, unless
// CI=true where it fails.
func Schema(t testing.TB) *ast.Schema {
	t.Helper()
	return load(t, testtool.GitHubSchema(t))
}

// New builds a fake GitHub serving repos that validates every GraphQL
// query against GitHub's schema when it is at hand (and only parses them
// otherwise: the test still runs).
func New(t testing.TB, repos []fakeforge.Repo, opts ...fakegithub.GitHubOption) *fakegithub.GitHub {
	t.Helper()
	if p := testtool.GitHubSchemaPath(); p != "" {
		opts = append(opts, fakegithub.WithGitHubSchema(load(t, p)))
	}
	return fakegithub.NewGitHub(repos, opts...)
}

func load(t testing.TB, path string) *ast.Schema {
	t.Helper()
	s, err := fakegithub.LoadGitHubSchema(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
