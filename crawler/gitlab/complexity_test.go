package gitlab

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// GitLab refuses a query whose complexity exceeds 200 (anonymous) or 250
// (with a token), computed before running it: each field costs 1, one more
// when it calls Gitaly, plus its children; a field with a resolver adds
// the resolver's own complexity (1, one more with a sort argument, one per
// path for Repository.blobs), and a connection with a resolver grows by
// itself times 1% of its page size (first, at most 100); Tree.lastCommit
// is declared at 10 (app/graphql/types/base_field.rb,
// app/graphql/resolvers/base_resolver.rb, app/graphql/types/tree/tree_type.rb).
// Refused, the full query would fall back to the basic one on every call:
// correct facts, but the savings lost.

// gqlCost describes one field of the queries, keyed by its parent field's
// name and its own.
type gqlCost struct {
	gitaly, resolver, connection bool
	fixed                        int // declared complexity, 0 none
}

var gqlCosts = map[string]gqlCost{
	".projects":                {resolver: true, connection: true},
	"nodes.mergeRequests":      {resolver: true, connection: true},
	"nodes.releases":           {resolver: true, connection: true},
	"nodes.pipelines":          {resolver: true, connection: true},
	"nodes.languages":          {gitaly: true},
	"nodes.isForked":           {resolver: true},
	"repository.rootRef":       {gitaly: true},
	"repository.empty":         {gitaly: true},
	"repository.tree":          {gitaly: true, resolver: true},
	"repository.blobs":         {gitaly: true, resolver: true, connection: true},
	"tree.lastCommit":          {fixed: 10},
	"tree.blobs":               {gitaly: true},
	"tree.submodules":          {gitaly: true},
	"lastCommit.title":         {gitaly: true},
	"repository.paginatedTree": {gitaly: true, resolver: true, connection: true},
}

func gqlComplexity(t *testing.T, set ast.SelectionSet, parent string, vars map[string]any) float64 {
	total := 0.0
	for _, s := range set {
		f, ok := s.(*ast.Field)
		if !ok {
			t.Fatalf("unexpected selection %T", s)
		}
		c := gqlCosts[parent+"."+f.Name]
		children := gqlComplexity(t, f.SelectionSet, f.Name, vars)
		cost := 1.0
		switch {
		case c.fixed > 0:
			cost = float64(c.fixed)
		case c.resolver:
			if f.Arguments.ForName("sort") != nil {
				cost++
			}
			if p := f.Arguments.ForName("paths"); p != nil {
				cost += float64(len(vars[p.Value.Raw].([]string)))
			}
		}
		if c.gitaly && c.fixed == 0 {
			cost++
		}
		cost += children
		if c.connection {
			limit := 100.0
			if a := f.Arguments.ForName("first"); a != nil {
				switch a.Value.Kind {
				case ast.Variable:
					limit = min(limit, float64(vars[a.Value.Raw].(int)))
				default:
					var n int
					for _, r := range a.Value.Raw {
						n = n*10 + int(r-'0')
					}
					limit = min(limit, float64(n))
				}
			}
			cost += cost * limit * 0.01
		}
		total += float64(int(cost))
	}
	return total
}

func queryComplexity(t *testing.T, query string, vars map[string]any) float64 {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		t.Fatal(err)
	}
	return gqlComplexity(t, doc.Operations[0].SelectionSet, "", vars)
}

func TestQueryComplexity(t *testing.T) {
	files := make([]string, maxFiles)
	for i := range files {
		files[i] = strings.Repeat("x", i+1)
	}
	vars := map[string]any{"n": graphQLBatch, "files": files}
	for _, tc := range []struct {
		name  string
		query string
	}{
		{"full", fullQuery},
		{"basic", basicQuery},
		{"files", filesQuery([]string{".github", "docs", ".circleci"}, true)},
	} {
		c := queryComplexity(t, tc.query, vars)
		t.Logf("%s query: complexity about %.0f for %d projects and %d file paths", tc.name, c, graphQLBatch, maxFiles)
		if c > 160 {
			t.Errorf("%s query: complexity about %.0f, want at most 160 (GitLab refuses more than 200 without a token)", tc.name, c)
		}
	}
}
