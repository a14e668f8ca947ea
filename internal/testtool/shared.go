package testtool

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedDir is the shared reference folder, shared/ beside the module's
// root ("" when the module root is not found).
func sharedDir() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(dir), "shared")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// lookup returns the environment variable env, else the path rel under the
// shared folder; "" when neither names something that exists.
func lookup(env, rel string) string {
	p := os.Getenv(env)
	if p == "" {
		if d := sharedDir(); d != "" {
			p = filepath.Join(d, rel)
		}
	}
	if p == "" {
		return ""
	}
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// RealReposDir returns the folder of the real défi repositories' fixtures:
// VIGIE_REAL_REPOS, else shared/data/real-repos beside the module; "" when
// there is none.
func RealReposDir() string { return lookup("VIGIE_REAL_REPOS", filepath.Join("data", "real-repos")) }

// RealRepos returns RealReposDir. Absent, the test is skipped, unless
// CI=true where it fails.
func RealRepos(t testing.TB) string {
	t.Helper()
	return need(t, RealReposDir(), "real-repository fixtures", "VIGIE_REAL_REPOS")
}

// GitHubSchemaPath returns the path of GitHub's published GraphQL schema:
// VIGIE_GITHUB_SCHEMA, else shared/github-schema.graphql beside the
// module; "" when there is none. Fakes given it validate every query.
func GitHubSchemaPath() string { return lookup("VIGIE_GITHUB_SCHEMA", "github-schema.graphql") }

// GitHubSchema returns GitHubSchemaPath. Absent, the test is skipped,
// unless CI=true where it fails.
func GitHubSchema(t testing.TB) string {
	t.Helper()
	return need(t, GitHubSchemaPath(), "GitHub GraphQL schema", "VIGIE_GITHUB_SCHEMA")
}

func need(t testing.TB, p, what, env string) string {
	t.Helper()
	if p != "" {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found (set %s)", what, env)
	}
	t.Skipf("%s not found; set %s", what, env)
	return ""
}
