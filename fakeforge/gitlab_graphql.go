package fakeforge

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// The fake GitLab's GraphQL API (/api/graphql) resolves the part of GitLab's
// schema vigie asks: projects(fullPaths:, first:) and project(fullPath:)
// with a few Project fields. A field it does not know is an error shaped
// like GitLab's ("Field 'x' doesn't exist on type 'Project'"), so a client
// asking more than the fake knows finds out, as it would on an older
// instance.

type glGraphQLRequest struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables"`
}

// glGQLError is a query error, answered with status 200 and "errors" as
// GitLab does.
type glGQLError struct{ msg string }

func (e glGQLError) Error() string { return e.msg }

func gqlErr(format string, args ...any) error { return glGQLError{fmt.Sprintf(format, args...)} }

// maxFullPaths is GitLab's limit on projects(fullPaths:).
const maxFullPaths = 50

func (g *GitLab) serveGraphQL(w http.ResponseWriter, q glRequest) {
	if q.r.Method != http.MethodPost {
		glError(w, http.StatusNotFound, "error", "404 Not Found")
		return
	}
	var req glGraphQLRequest
	if err := json.NewDecoder(q.r.Body).Decode(&req); err != nil || req.Query == "" {
		glJSON(w, http.StatusBadRequest, map[string]any{"errors": []map[string]string{{"message": "No query string was present"}}})
		return
	}
	doc, perr := parser.ParseQuery(&ast.Source{Input: req.Query})
	if perr != nil {
		glJSON(w, http.StatusOK, map[string]any{"errors": []map[string]string{{"message": perr.Error()}}})
		return
	}
	if len(doc.Operations) != 1 || doc.Operations[0].Operation != ast.Query {
		glJSON(w, http.StatusOK, map[string]any{"errors": []map[string]string{{"message": "expected exactly one query operation"}}})
		return
	}
	data, err := g.resolveQuery(q, doc.Operations[0].SelectionSet, req.Variables)
	if err != nil {
		glJSON(w, http.StatusOK, map[string]any{"data": nil, "errors": []map[string]string{{"message": err.Error()}}})
		return
	}
	glJSON(w, http.StatusOK, map[string]any{"data": data})
}

// gqlArg evaluates a field argument ("" when absent).
func gqlArg(f *ast.Field, name string, vars map[string]any) any {
	a := f.Arguments.ForName(name)
	if a == nil {
		return nil
	}
	return gqlValue(a.Value, vars)
}

func gqlValue(v *ast.Value, vars map[string]any) any {
	if v == nil {
		return nil
	}
	switch v.Kind {
	case ast.Variable:
		return vars[v.Raw]
	case ast.IntValue:
		n, _ := strconv.Atoi(v.Raw)
		return float64(n) // as JSON variables decode
	case ast.BooleanValue:
		return v.Raw == "true"
	case ast.NullValue:
		return nil
	case ast.ListValue:
		out := make([]any, 0, len(v.Children))
		for _, c := range v.Children {
			out = append(out, gqlValue(c.Value, vars))
		}
		return out
	default: // strings, enums
		return v.Raw
	}
}

func gqlInt(v any, def int) int {
	if f, ok := v.(float64); ok {
		return int(f)
	}
	return def
}

func gqlFields(set ast.SelectionSet, typ string) ([]*ast.Field, error) {
	var out []*ast.Field
	for _, s := range set {
		f, ok := s.(*ast.Field)
		if !ok {
			return nil, gqlErr("fragments are not supported on type '%s' by this fake", typ)
		}
		out = append(out, f)
	}
	return out, nil
}

func gqlKey(f *ast.Field) string {
	if f.Alias != "" {
		return f.Alias
	}
	return f.Name
}

func (g *GitLab) resolveQuery(q glRequest, set ast.SelectionSet, vars map[string]any) (map[string]any, error) {
	fields, err := gqlFields(set, "Query")
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, f := range fields {
		switch f.Name {
		case "__typename":
			out[gqlKey(f)] = "Query"
		case "project":
			path, _ := gqlArg(f, "fullPath", vars).(string)
			p := g.byPath[strings.ToLower(path)]
			// GraphQL does not follow the redirects of moved projects.
			if p == nil || p.Private || !strings.EqualFold(p.Path, path) {
				out[gqlKey(f)] = nil
				continue
			}
			v, err := g.resolveProject(q, p, f.SelectionSet, vars)
			if err != nil {
				return nil, err
			}
			out[gqlKey(f)] = v
		case "projects":
			paths, _ := gqlArg(f, "fullPaths", vars).([]any)
			if len(paths) > maxFullPaths {
				return nil, gqlErr("You cannot provide more than %d full paths", maxFullPaths)
			}
			first := gqlInt(gqlArg(f, "first", vars), 100)
			var list []*glProject
			seen := map[*glProject]bool{}
			for _, x := range paths {
				s, _ := x.(string)
				p := g.byPath[strings.ToLower(s)]
				if p == nil || p.Private || seen[p] || !strings.EqualFold(p.Path, s) {
					continue
				}
				seen[p] = true
				list = append(list, p)
			}
			sort.Slice(list, func(i, j int) bool { return list[i].id < list[j].id })
			if len(list) > first {
				list = list[:first]
			}
			v, err := g.resolveProjects(q, list, f.SelectionSet, vars)
			if err != nil {
				return nil, err
			}
			out[gqlKey(f)] = v
		default:
			return nil, gqlErr("Field '%s' doesn't exist on type 'Query'", f.Name)
		}
	}
	return out, nil
}

func (g *GitLab) resolveProjects(q glRequest, list []*glProject, set ast.SelectionSet, vars map[string]any) (map[string]any, error) {
	fields, err := gqlFields(set, "ProjectConnection")
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, f := range fields {
		switch f.Name {
		case "count":
			out[gqlKey(f)] = len(list)
		case "pageInfo":
			out[gqlKey(f)] = map[string]any{"hasNextPage": false, "endCursor": nil}
		case "nodes":
			nodes := make([]any, 0, len(list))
			for _, p := range list {
				v, err := g.resolveProject(q, p, f.SelectionSet, vars)
				if err != nil {
					return nil, err
				}
				nodes = append(nodes, v)
			}
			out[gqlKey(f)] = nodes
		default:
			return nil, gqlErr("Field '%s' doesn't exist on type 'ProjectConnection'", f.Name)
		}
	}
	return out, nil
}

func (g *GitLab) resolveProject(q glRequest, p *glProject, set ast.SelectionSet, vars map[string]any) (map[string]any, error) {
	fields, err := gqlFields(set, "Project")
	if err != nil {
		return nil, err
	}
	x := g.extra(p)
	out := map[string]any{}
	for _, f := range fields {
		k := gqlKey(f)
		switch f.Name {
		case "__typename":
			out[k] = "Project"
		case "id":
			out[k] = fmt.Sprintf("gid://gitlab/Project/%d", p.id)
		case "fullPath":
			out[k] = p.Path
		case "name":
			out[k] = p.Path[strings.LastIndex(p.Path, "/")+1:]
		case "description":
			out[k] = nilIfGL(p.Description == "", p.Description)
		case "archived":
			out[k] = p.Archived
		case "starCount":
			out[k] = p.Stars
		case "webUrl":
			out[k] = q.base() + "/" + p.Path
		case "openIssuesCount":
			out[k] = nilIfGL(p.OpenIssues < 0, p.OpenIssues)
		case "mergeRequests":
			if x.MergeRequestsDisabled {
				out[k] = nil
				continue
			}
			n := p.OpenPullRequests
			if st, _ := gqlArg(f, "state", vars).(string); st != "" && st != "opened" && st != "all" {
				n = 0
			}
			sub, err := gqlFields(f.SelectionSet, "MergeRequestConnection")
			if err != nil {
				return nil, err
			}
			conn := map[string]any{}
			for _, sf := range sub {
				switch sf.Name {
				case "count":
					conn[gqlKey(sf)] = n
				default:
					return nil, gqlErr("Field '%s' doesn't exist on type 'MergeRequestConnection' in this fake", sf.Name)
				}
			}
			out[k] = conn
		case "releases":
			v, err := resolveReleases(p, f, vars)
			if err != nil {
				return nil, err
			}
			out[k] = v
		case "languages":
			sub, err := gqlFields(f.SelectionSet, "RepositoryLanguage")
			if err != nil {
				return nil, err
			}
			langs := []any{}
			if p.Language != "" && p.DefaultBranch != "" {
				l := map[string]any{}
				for _, sf := range sub {
					switch sf.Name {
					case "name":
						l[gqlKey(sf)] = p.Language
					case "share":
						l[gqlKey(sf)] = 100.0
					case "color":
						l[gqlKey(sf)] = "#00ADD8"
					default:
						return nil, gqlErr("Field '%s' doesn't exist on type 'RepositoryLanguage'", sf.Name)
					}
				}
				langs = append(langs, l)
			}
			out[k] = langs
		default:
			return nil, gqlErr("Field '%s' doesn't exist on type 'Project'", f.Name)
		}
	}
	return out, nil
}

func resolveReleases(p *glProject, f *ast.Field, vars map[string]any) (map[string]any, error) {
	rels := append([]Release(nil), p.Releases...)
	// RELEASED_AT_DESC is GitLab's default order; the model is newest first.
	if s, _ := gqlArg(f, "sort", vars).(string); s == "RELEASED_AT_ASC" || s == "CREATED_ASC" {
		for i, j := 0, len(rels)-1; i < j; i, j = i+1, j-1 {
			rels[i], rels[j] = rels[j], rels[i]
		}
	}
	total := len(rels)
	if first := gqlInt(gqlArg(f, "first", vars), 100); len(rels) > first {
		rels = rels[:first]
	}
	sub, err := gqlFields(f.SelectionSet, "ReleaseConnection")
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, sf := range sub {
		switch sf.Name {
		case "count":
			out[gqlKey(sf)] = total
		case "nodes":
			fields, err := gqlFields(sf.SelectionSet, "Release")
			if err != nil {
				return nil, err
			}
			nodes := []any{}
			for _, r := range rels {
				n := map[string]any{}
				for _, rf := range fields {
					switch rf.Name {
					case "tagName":
						n[gqlKey(rf)] = r.Tag
					case "name":
						n[gqlKey(rf)] = r.Name
					case "releasedAt", "createdAt":
						n[gqlKey(rf)] = glTS(r.PublishedAt)
					case "description":
						n[gqlKey(rf)] = ""
					default:
						return nil, gqlErr("Field '%s' doesn't exist on type 'Release'", rf.Name)
					}
				}
				nodes = append(nodes, n)
			}
			out[gqlKey(sf)] = nodes
		default:
			return nil, gqlErr("Field '%s' doesn't exist on type 'ReleaseConnection'", sf.Name)
		}
	}
	return out, nil
}
