package fakegithub

import (
	"fmt"
	"os"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// schemaCache keeps loaded schemas by path: GitHub's schema is 64,000 lines
// and takes a noticeable time to load, while tests build many fakes. A
// loaded schema is never modified, so sharing it is safe.
var schemaCache sync.Map // path -> *ast.Schema

// LoadGitHubSchema loads GitHub's public GraphQL schema (the SDL published
// as @octokit/graphql-schema). That file defines two fields of
// EnterpriseOwnerInfo twice, which a strict loader refuses, so the second
// definition of any field within a type is dropped before validation.
func LoadGitHubSchema(path string) (*ast.Schema, error) {
	if s, ok := schemaCache.Load(path); ok {
		return s.(*ast.Schema), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("github schema: %w", err)
	}
	doc, err := parser.ParseSchemas(validator.Prelude, &ast.Source{Name: path, Input: string(b)})
	if err != nil {
		return nil, fmt.Errorf("github schema %s: %w", path, err)
	}
	dedupe := func(defs ast.DefinitionList) {
		for _, d := range defs {
			seen := map[string]bool{}
			kept := d.Fields[:0]
			for _, f := range d.Fields {
				if !seen[f.Name] {
					seen[f.Name] = true
					kept = append(kept, f)
				}
			}
			d.Fields = kept
		}
	}
	dedupe(doc.Definitions)
	dedupe(doc.Extensions)
	s, err := validator.ValidateSchemaDocument(doc)
	if err != nil {
		return nil, fmt.Errorf("github schema %s: %w", path, err)
	}
	schemaCache.Store(path, s)
	return s, nil
}
