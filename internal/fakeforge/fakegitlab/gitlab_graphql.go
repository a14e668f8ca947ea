package fakegitlab

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/eiglink/vigie/internal/fakeforge"
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
	if err := gqlCheckVariables(doc.Operations[0]); err != nil {
		glJSON(w, http.StatusOK, map[string]any{"errors": []map[string]string{{"message": err.Error()}}})
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
			if p == nil || !p.VisibleTo(q.token()) || !strings.EqualFold(p.Path, path) {
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
				if p == nil || !p.VisibleTo(q.token()) || seen[p] || !strings.EqualFold(p.Path, s) {
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
		case "visibility":
			out[k] = p.Visibility()
		case "starCount":
			out[k] = p.Stars
		case "webUrl":
			out[k] = q.base() + "/" + p.Path
		case "openIssuesCount":
			out[k] = nilIfGL(p.OpenIssues < 0, p.OpenIssues)
		case "openMergeRequestsCount":
			out[k] = nilIfGL(x.MergeRequestsDisabled, p.OpenPullRequests)
		case "createdAt":
			out[k] = glTS(p.CreatedAt)
		case "lastActivityAt":
			at := p.CreatedAt
			if len(p.Commits) > 0 {
				at = p.Commits[0].Date
			}
			out[k] = glTS(at)
		case "topics":
			topics := p.Topics
			if topics == nil {
				topics = []string{}
			}
			out[k] = topics
		case "isForked":
			out[k] = p.Fork
		case "jobsEnabled":
			out[k] = !x.JobsDisabled
		case "mergeRequestsEnabled":
			out[k] = !x.MergeRequestsDisabled
		case "issuesEnabled":
			out[k] = p.OpenIssues >= 0
		case "ciConfigPathOrDefault":
			cfg := x.CIConfigPath
			if cfg == "" {
				cfg = ".gitlab-ci.yml"
			}
			out[k] = cfg
		case "repository":
			v, err := g.resolveRepository(q, p, f.SelectionSet, vars)
			if err != nil {
				return nil, err
			}
			out[k] = v
		case "pipelines":
			v, err := g.resolvePipelines(q, p, x, f, vars)
			if err != nil {
				return nil, err
			}
			out[k] = v
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
	rels := append([]fakeforge.Release(nil), p.Releases...)
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

// gqlPage cuts a connection's page out of n items from its first and after
// arguments (after is the offset of the last item seen, as a string).
func gqlPage(f *ast.Field, vars map[string]any, n int) (from, to int, err error) {
	first := gqlInt(gqlArg(f, "first", vars), 100)
	if first > 100 {
		return 0, 0, gqlErr("first must be at most 100")
	}
	if a, _ := gqlArg(f, "after", vars).(string); a != "" {
		k, err := strconv.Atoi(a)
		if err != nil {
			return 0, 0, gqlErr("invalid cursor %q", a)
		}
		from = min(k+1, n)
	}
	return from, min(from+first, n), nil
}

// gqlConnection resolves a connection's pageInfo and nodes, each node by
// node(i, its fields).
func gqlConnection(f *ast.Field, vars map[string]any, typ string, n int, node func(i int, fields []*ast.Field) (map[string]any, error)) (map[string]any, error) {
	from, to, err := gqlPage(f, vars, n)
	if err != nil {
		return nil, err
	}
	sub, err := gqlFields(f.SelectionSet, typ+"Connection")
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, sf := range sub {
		switch sf.Name {
		case "count":
			out[gqlKey(sf)] = n
		case "pageInfo":
			pi, err := gqlFields(sf.SelectionSet, "PageInfo")
			if err != nil {
				return nil, err
			}
			info := map[string]any{}
			for _, pf := range pi {
				switch pf.Name {
				case "hasNextPage":
					info[gqlKey(pf)] = to < n
				case "hasPreviousPage":
					info[gqlKey(pf)] = from > 0
				case "endCursor":
					info[gqlKey(pf)] = nilIfGL(to == from, strconv.Itoa(to-1))
				case "startCursor":
					info[gqlKey(pf)] = nilIfGL(to == from, strconv.Itoa(from))
				default:
					return nil, gqlErr("Field '%s' doesn't exist on type 'PageInfo'", pf.Name)
				}
			}
			out[gqlKey(sf)] = info
		case "nodes":
			fields, err := gqlFields(sf.SelectionSet, typ)
			if err != nil {
				return nil, err
			}
			nodes := []any{}
			for i := from; i < to; i++ {
				v, err := node(i, fields)
				if err != nil {
					return nil, err
				}
				nodes = append(nodes, v)
			}
			out[gqlKey(sf)] = nodes
		default:
			return nil, gqlErr("Field '%s' doesn't exist on type '%sConnection'", sf.Name, typ)
		}
	}
	return out, nil
}

// resolveRepository answers Project.repository: rootRef, empty, exists,
// tree(ref:, path:, recursive:) and blobs(paths:, ref:).
func (g *GitLab) resolveRepository(q glRequest, p *glProject, set ast.SelectionSet, vars map[string]any) (map[string]any, error) {
	fields, err := gqlFields(set, "Repository")
	if err != nil {
		return nil, err
	}
	empty := p.DefaultBranch == ""
	out := map[string]any{}
	for _, f := range fields {
		k := gqlKey(f)
		switch f.Name {
		case "__typename":
			out[k] = "Repository"
		case "rootRef":
			out[k] = nilIfGL(empty, p.DefaultBranch)
		case "empty":
			out[k] = empty
		case "exists":
			out[k] = true
		case "tree":
			ref, _ := gqlArg(f, "ref", vars).(string)
			if empty || !p.ref(ref) {
				out[k] = nil
				continue
			}
			dir, _ := gqlArg(f, "path", vars).(string)
			recursive, _ := gqlArg(f, "recursive", vars).(bool)
			v, err := g.resolveTree(p, strings.Trim(dir, "/"), recursive, f.SelectionSet, vars)
			if err != nil {
				return nil, err
			}
			out[k] = v
		case "blobs":
			ref, _ := gqlArg(f, "ref", vars).(string)
			paths, _ := gqlArg(f, "paths", vars).([]any)
			var found []string
			if !empty && p.ref(ref) {
				for _, x := range paths {
					s, _ := x.(string)
					if _, ok := p.content(s); ok {
						found = append(found, s)
					}
				}
			}
			v, err := gqlConnection(f, vars, "RepositoryBlob", len(found), func(i int, bf []*ast.Field) (map[string]any, error) {
				body, _ := p.content(found[i])
				n := map[string]any{}
				for _, x := range bf {
					switch x.Name {
					case "path":
						n[gqlKey(x)] = found[i]
					case "name":
						n[gqlKey(x)] = path.Base(found[i])
					case "size", "rawSize":
						// BigInt: GitLab sends it as a string.
						n[gqlKey(x)] = strconv.Itoa(len(body))
					case "rawTextBlob", "rawBlob":
						n[gqlKey(x)] = string(body)
					case "oid", "id":
						n[gqlKey(x)] = fakeforge.SHA(p.Path + ":" + found[i])
					default:
						return nil, gqlErr("Field '%s' doesn't exist on type 'RepositoryBlob'", x.Name)
					}
				}
				return n, nil
			})
			if err != nil {
				return nil, err
			}
			out[k] = v
		default:
			return nil, gqlErr("Field '%s' doesn't exist on type 'Repository'", f.Name)
		}
	}
	return out, nil
}

// resolveTree answers a Tree: its last commit and its entries, folders
// (trees), files (blobs) and submodules (none in the model), each a
// connection of at most 100 a page.
func (g *GitLab) resolveTree(p *glProject, dir string, recursive bool, set ast.SelectionSet, vars map[string]any) (map[string]any, error) {
	all := p.tree(dir, recursive)
	var blobs, trees []glEntry
	for _, e := range all {
		if e.dir {
			trees = append(trees, e)
		} else {
			blobs = append(blobs, e)
		}
	}
	fields, err := gqlFields(set, "Tree")
	if err != nil {
		return nil, err
	}
	entry := func(list []glEntry, typ string) func(i int, fields []*ast.Field) (map[string]any, error) {
		return func(i int, fields []*ast.Field) (map[string]any, error) {
			e := list[i]
			n := map[string]any{}
			for _, x := range fields {
				switch x.Name {
				case "name":
					n[gqlKey(x)] = path.Base(e.path)
				case "path", "flatPath":
					n[gqlKey(x)] = e.path
				case "type":
					n[gqlKey(x)] = map[bool]string{true: "tree", false: "blob"}[e.dir]
				case "id", "sha":
					n[gqlKey(x)] = fakeforge.SHA(p.Path + ":" + e.path)
				default:
					return nil, gqlErr("Field '%s' doesn't exist on type '%s'", x.Name, typ)
				}
			}
			return n, nil
		}
	}
	out := map[string]any{}
	for _, f := range fields {
		k := gqlKey(f)
		var v map[string]any
		var err error
		switch f.Name {
		case "lastCommit":
			if len(p.Commits) == 0 {
				out[k] = nil
				continue
			}
			c := p.Commits[0]
			cf, err := gqlFields(f.SelectionSet, "Commit")
			if err != nil {
				return nil, err
			}
			m := map[string]any{}
			for _, x := range cf {
				switch x.Name {
				case "sha", "id":
					m[gqlKey(x)] = c.SHA
				case "committedDate":
					m[gqlKey(x)] = glTS(c.Date)
				case "authoredDate":
					at := c.AuthoredAt
					if at.IsZero() {
						at = c.Date
					}
					m[gqlKey(x)] = glTS(at)
				case "authorEmail":
					m[gqlKey(x)] = c.AuthorEmail
				case "title":
					m[gqlKey(x)] = strings.SplitN(c.Message, "\n", 2)[0]
				default:
					return nil, gqlErr("Field '%s' doesn't exist on type 'Commit'", x.Name)
				}
			}
			out[k] = m
			continue
		case "blobs":
			v, err = gqlConnection(f, vars, "Blob", len(blobs), entry(blobs, "Blob"))
		case "trees":
			v, err = gqlConnection(f, vars, "TreeEntry", len(trees), entry(trees, "TreeEntry"))
		case "submodules":
			v, err = gqlConnection(f, vars, "Submodule", 0, entry(nil, "Submodule"))
		default:
			return nil, gqlErr("Field '%s' doesn't exist on type 'Tree'", f.Name)
		}
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// resolvePipelines answers Project.pipelines(ref:, first:), newest first;
// null when CI/CD is off.
func (g *GitLab) resolvePipelines(q glRequest, p *glProject, x GitLabExtra, f *ast.Field, vars map[string]any) (any, error) {
	if x.JobsDisabled {
		return nil, nil
	}
	all := g.pipelineList(q, p, x)
	if ref, _ := gqlArg(f, "ref", vars).(string); ref != "" && ref != p.DefaultBranch {
		all = nil
	}
	return gqlConnection(f, vars, "Pipeline", len(all), func(i int, fields []*ast.Field) (map[string]any, error) {
		pl := all[i]
		n := map[string]any{}
		for _, x := range fields {
			switch x.Name {
			case "id":
				n[gqlKey(x)] = fmt.Sprintf("gid://gitlab/Ci::Pipeline/%d", pl["id"])
			case "iid":
				n[gqlKey(x)] = strconv.Itoa(pl["iid"].(int))
			case "status":
				n[gqlKey(x)] = strings.ToUpper(pl["status"].(string))
			case "createdAt":
				n[gqlKey(x)] = pl["created_at"]
			case "updatedAt":
				n[gqlKey(x)] = pl["updated_at"]
			case "ref":
				n[gqlKey(x)] = pl["ref"]
			case "sha":
				n[gqlKey(x)] = pl["sha"]
			case "path":
				n[gqlKey(x)] = q.prefix + "/" + p.Path + fmt.Sprintf("/-/pipelines/%d", pl["id"])
			default:
				return nil, gqlErr("Field '%s' doesn't exist on type 'Pipeline'", x.Name)
			}
		}
		return n, nil
	})
}

// gqlCheckVariables applies GraphQL's rules that every variable used is
// defined and every variable defined is used, as GitLab does.
func gqlCheckVariables(op *ast.OperationDefinition) error {
	used := map[string]bool{}
	var value func(v *ast.Value)
	value = func(v *ast.Value) {
		if v == nil {
			return
		}
		if v.Kind == ast.Variable {
			used[v.Raw] = true
		}
		for _, c := range v.Children {
			value(c.Value)
		}
	}
	var walk func(set ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, s := range set {
			if f, ok := s.(*ast.Field); ok {
				for _, a := range f.Arguments {
					value(a.Value)
				}
				walk(f.SelectionSet)
			}
		}
	}
	walk(op.SelectionSet)
	defined := map[string]bool{}
	for _, d := range op.VariableDefinitions {
		defined[d.Variable] = true
		if !used[d.Variable] {
			return gqlErr("Variable $%s is declared by %s but not used", d.Variable, op.Name)
		}
	}
	for v := range used {
		if !defined[v] {
			return gqlErr("Variable $%s is used by %s but not declared", v, op.Name)
		}
	}
	return nil
}
