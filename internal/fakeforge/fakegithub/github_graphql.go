package fakegithub

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// The GraphQL side resolves a query by walking its selection set over the
// model: every object below knows its GraphQL type name and answers the
// fields vigie (and a reasonable client) asks for. Unknown fields resolve to
// null rather than failing, since validation against the schema already
// catches misspelt ones.

type gqlObject interface {
	typeName() string
	field(name string, args map[string]any) (any, error)
}

// gqlNotFound is a per-field NOT_FOUND error: the field is null, the other
// fields still answer.
type gqlNotFound struct{ msg string }

func (e gqlNotFound) Error() string { return e.msg }

// interfaces lists the abstract types each object type satisfies, for
// fragments on interfaces.
var ghInterfaces = map[string][]string{
	"Repository":   {"Node", "RepositoryInfo", "UniformResourceLocatable"},
	"Commit":       {"GitObject", "Node", "UniformResourceLocatable"},
	"Tree":         {"GitObject", "Node"},
	"Blob":         {"GitObject", "Node"},
	"Organization": {"RepositoryOwner", "Node", "Actor", "UniformResourceLocatable"},
	"User":         {"RepositoryOwner", "Node", "Actor", "UniformResourceLocatable"},
}

func typeMatches(o gqlObject, cond string) bool {
	if cond == "" || cond == o.typeName() {
		return true
	}
	for _, i := range ghInterfaces[o.typeName()] {
		if i == cond {
			return true
		}
	}
	return false
}

type gqlRequest struct {
	Query         string         `json:"query"`
	Variables     map[string]any `json:"variables"`
	OperationName string         `json:"operationName"`
}

type gqlExec struct {
	g    *GitHub
	doc  *ast.QueryDocument
	vars map[string]any
	errs []map[string]any
	rate *gqlRate
}

func (g *GitHub) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	tok := bearer(r)
	if r.Method != http.MethodPost {
		g.restError(w, tok, http.StatusNotFound, "Not Found")
		return
	}
	if tok == "" {
		// GitHub's GraphQL API refuses anonymous clients.
		writeJSON(w, http.StatusUnauthorized, map[string]any{
			"message": "This endpoint requires you to be authenticated.", "documentation_url": "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql"})
		return
	}
	var req gqlRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "Problems parsing JSON", "documentation_url": "https://docs.github.com/graphql"})
		return
	}
	var doc *ast.QueryDocument
	if g.schema != nil {
		d, errs := validatedQuery(g.schema, req.Query)
		if len(errs) > 0 {
			writeJSON(w, http.StatusOK, map[string]any{"errors": gqlErrors(errs)})
			return
		}
		doc = d
	} else {
		d, err := parser.ParseQuery(&ast.Source{Input: req.Query})
		if err != nil {
			var ge *gqlerror.Error
			if errors.As(err, &ge) {
				writeJSON(w, http.StatusOK, map[string]any{"errors": gqlErrors(gqlerror.List{ge})})
			} else {
				writeJSON(w, http.StatusOK, map[string]any{"errors": []map[string]any{{"message": err.Error()}}})
			}
			return
		}
		doc = d
	}
	var op *ast.OperationDefinition
	for _, o := range doc.Operations {
		if req.OperationName == "" || o.Name == req.OperationName {
			op = o
			break
		}
	}
	if op == nil || op.Operation != ast.Query {
		writeJSON(w, http.StatusOK, map[string]any{"errors": []map[string]any{{"message": "no query operation to run"}}})
		return
	}
	x := &gqlExec{g: g, doc: doc, vars: req.Variables, rate: &gqlRate{}}
	data := map[string]any{}
	x.selectInto(gqlRoot{g: g, x: x}, op.SelectionSet, data, nil)
	cost := queryCost(doc, op, req.Variables)
	g.mu.Lock()
	g.points += cost
	key := "graphql/" + tok
	g.used[key] += cost
	used := g.used[key]
	g.mu.Unlock()
	x.rate.cost, x.rate.used = cost, used
	// rateLimit was resolved before the cost was known: patch it in.
	patchRate(data, x.rate)
	h := w.Header()
	h.Set("X-RateLimit-Limit", "5000")
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(5000-used, 0)))
	h.Set("X-RateLimit-Used", strconv.Itoa(used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(g.resetAt.Unix(), 10))
	h.Set("X-RateLimit-Resource", "graphql")
	out := map[string]any{"data": data}
	if len(x.errs) > 0 {
		out["errors"] = x.errs
	}
	writeJSON(w, http.StatusOK, out)
}

// queryCost is a query's rate-limit cost as GitHub documents it, computed
// from the query before running it: every connection costs one request per
// possible parent (the product of the first/last arguments of the
// connections above it, as if each page were full), whatever the data
// holds; the requests summed, divided by 100 and rounded give the points,
// at least 1. A connection's own first does not add to its cost, only to
// its children's: history(first: 100) under ten repository aliases is ten
// requests, one point.
func queryCost(doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) int {
	var walk func(set ast.SelectionSet, parents int, depth int) int
	walk = func(set ast.SelectionSet, parents int, depth int) int {
		if depth > 50 {
			return 0
		}
		n := 0
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if isConnectionField(s) {
					n += parents
					page := 1
					for _, name := range []string{"first", "last"} {
						if a := s.Arguments.ForName(name); a != nil {
							if v, err := a.Value.Value(vars); err == nil {
								page = max(page, min(argInt(map[string]any{"n": v}, "n", 1), 100))
							}
						}
					}
					n += walk(s.SelectionSet, parents*page, depth+1)
				} else {
					n += walk(s.SelectionSet, parents, depth+1)
				}
			case *ast.InlineFragment:
				n += walk(s.SelectionSet, parents, depth+1)
			case *ast.FragmentSpread:
				if fr := doc.Fragments.ForName(s.Name); fr != nil {
					n += walk(fr.SelectionSet, parents, depth+1)
				}
			}
		}
		return n
	}
	return max(1, int(math.Round(float64(walk(op.SelectionSet, 1, 0))/100)))
}

// isConnectionField tells a connection: by its type when the query was
// validated against the schema, else by its paging arguments or fields.
func isConnectionField(f *ast.Field) bool {
	if f.Definition != nil && f.Definition.Type != nil {
		return strings.HasSuffix(f.Definition.Type.Name(), "Connection")
	}
	if f.Arguments.ForName("first") != nil || f.Arguments.ForName("last") != nil {
		return true
	}
	for _, sel := range f.SelectionSet {
		if c, ok := sel.(*ast.Field); ok {
			switch c.Name {
			case "totalCount", "nodes", "edges", "pageInfo":
				return true
			}
		}
	}
	return false
}

func validatedQuery(schema *ast.Schema, q string) (*ast.QueryDocument, gqlerror.List) {
	doc, err := parser.ParseQuery(&ast.Source{Input: q})
	if err != nil {
		var ge *gqlerror.Error
		if errors.As(err, &ge) {
			return nil, gqlerror.List{ge}
		}
		return nil, gqlerror.List{gqlerror.Wrap(err)}
	}
	if errs := validator.ValidateWithRules(schema, doc, nil); len(errs) > 0 {
		return nil, errs
	}
	return doc, nil
}

func gqlErrors(errs gqlerror.List) []map[string]any {
	var out []map[string]any
	for _, e := range errs {
		m := map[string]any{"message": e.Message}
		if len(e.Locations) > 0 {
			m["locations"] = e.Locations
		}
		out = append(out, m)
	}
	return out
}

// rateObjects collects the rateLimit objects answered, to fill in the cost.
type gqlRate struct {
	cost, used int
	outs       []map[string]any
}

func patchRate(_ map[string]any, r *gqlRate) {
	for _, m := range r.outs {
		for k, v := range m {
			switch v {
			case "\x00cost":
				m[k] = r.cost
			case "\x00remaining":
				m[k] = max(5000-r.used, 0)
			case "\x00used":
				m[k] = r.used
			}
		}
	}
}

func (x *gqlExec) args(f *ast.Field) map[string]any {
	out := map[string]any{}
	for _, a := range f.Arguments {
		v, err := a.Value.Value(x.vars)
		if err == nil {
			out[a.Name] = v
		}
	}
	return out
}

// selectInto resolves a selection set on o into out.
func (x *gqlExec) selectInto(o gqlObject, set ast.SelectionSet, out map[string]any, path []any) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			key := s.Alias
			if key == "" {
				key = s.Name
			}
			if s.Name == "__typename" {
				out[key] = o.typeName()
				continue
			}
			v, err := o.field(s.Name, x.args(s))
			p := append(append([]any{}, path...), key)
			if err != nil {
				e := map[string]any{"path": p, "message": err.Error(),
					"locations": []map[string]int{{"line": s.Position.Line, "column": s.Position.Column}}}
				var nf gqlNotFound
				if errors.As(err, &nf) {
					e["type"] = "NOT_FOUND"
				}
				x.errs = append(x.errs, e)
				out[key] = nil
				continue
			}
			val := x.complete(v, s.SelectionSet, p)
			if prev, ok := out[key].(map[string]any); ok {
				if m, ok := val.(map[string]any); ok {
					for k, vv := range m {
						prev[k] = vv
					}
					continue
				}
			}
			out[key] = val
		case *ast.InlineFragment:
			if typeMatches(o, s.TypeCondition) {
				x.selectInto(o, s.SelectionSet, out, path)
			}
		case *ast.FragmentSpread:
			if fr := x.doc.Fragments.ForName(s.Name); fr != nil && typeMatches(o, fr.TypeCondition) {
				x.selectInto(o, fr.SelectionSet, out, path)
			}
		}
	}
}

func (x *gqlExec) complete(v any, set ast.SelectionSet, path []any) any {
	switch t := v.(type) {
	case nil:
		return nil
	case gqlObject:
		if isNilObject(t) {
			return nil
		}
		m := map[string]any{}
		x.selectInto(t, set, m, path)
		if _, ok := t.(gqlRateLimit); ok {
			x.rate.outs = append(x.rate.outs, m)
		}
		return m
	case []gqlObject:
		out := make([]any, len(t))
		for i, o := range t {
			out[i] = x.complete(o, set, append(append([]any{}, path...), i))
		}
		return out
	default:
		return v
	}
}

func isNilObject(o gqlObject) bool {
	switch t := o.(type) {
	case *gqlRepo:
		return t == nil
	}
	return false
}

func argInt(args map[string]any, name string, def int) int {
	switch v := args[name].(type) {
	case int64:
		return int(v)
	case float64:
		return int(v)
	case int:
		return v
	case json.Number:
		n, _ := v.Int64()
		return int(n)
	}
	return def
}

func argString(args map[string]any, name string) string {
	s, _ := args[name].(string)
	return s
}

// --- root -------------------------------------------------------------

type gqlRoot struct {
	g *GitHub
	x *gqlExec
}

func (gqlRoot) typeName() string { return "Query" }

func (r gqlRoot) field(name string, args map[string]any) (any, error) {
	switch name {
	case "repository":
		owner, repo := argString(args, "owner"), argString(args, "name")
		// GraphQL always has a token (anonymous queries answer 401): it
		// sees private repositories.
		gr := r.g.byPath[strings.ToLower(owner+"/"+repo)]
		if gr == nil {
			return nil, gqlNotFound{fmt.Sprintf("Could not resolve to a Repository with the name '%s/%s'.", owner, repo)}
		}
		return &gqlRepo{r: gr, x: r.x}, nil
	case "repositoryOwner", "organization", "user":
		login := argString(args, "login")
		var found *ghRepo
		for _, gr := range r.g.repos {
			if strings.EqualFold(gr.owner, login) {
				found = gr
				break
			}
		}
		if found == nil || name == "organization" && found.UserOwned || name == "user" && !found.UserOwned {
			if name == "repositoryOwner" {
				return nil, nil
			}
			kind := map[string]string{"organization": "Organization", "user": "User"}[name]
			return nil, gqlNotFound{fmt.Sprintf("Could not resolve to a%s %s with the login of '%s'.", map[bool]string{true: "n", false: ""}[kind == "Organization"], kind, login)}
		}
		return gqlOwner{g: r.g, x: r.x, login: found.owner, user: found.UserOwned}, nil
	case "rateLimit":
		return gqlRateLimit{g: r.g}, nil
	}
	return nil, nil
}

type gqlRateLimit struct{ g *GitHub }

func (gqlRateLimit) typeName() string { return "RateLimit" }

// The cost is only known once the whole query ran: placeholders are
// replaced by patchRate.
func (o gqlRateLimit) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "cost", "remaining", "used":
		return "\x00" + name, nil
	case "limit":
		return 5000, nil
	case "nodeCount":
		return 0, nil
	case "resetAt":
		return ts(o.g.resetAt), nil
	}
	return nil, nil
}

// --- owners -----------------------------------------------------------

type gqlOwner struct {
	g     *GitHub
	x     *gqlExec
	login string
	user  bool
}

func (o gqlOwner) typeName() string {
	if o.user {
		return "User"
	}
	return "Organization"
}

func (o gqlOwner) field(name string, args map[string]any) (any, error) {
	switch name {
	case "login":
		return o.login, nil
	case "repositories":
		var nodes []gqlObject
		for _, gr := range o.g.repos {
			if !strings.EqualFold(gr.owner, o.login) {
				continue
			}
			// Without privacy, the token sees the private repositories
			// too, as on GitHub.
			if p, ok := args["privacy"].(string); ok && (p == "PUBLIC") != gr.Public() {
				continue
			}
			if f, ok := args["isFork"].(bool); ok && f != gr.Fork {
				continue
			}
			nodes = append(nodes, &gqlRepo{r: gr, x: o.x})
		}
		return o.x.connection(nodes, args), nil
	}
	return nil, nil
}

// --- connections ------------------------------------------------------

type gqlConn struct {
	nodes      []gqlObject
	start, end int
	total      int
}

func cursorOf(i int) string {
	return base64.StdEncoding.EncodeToString([]byte("cursor:" + strconv.Itoa(i)))
}

func offsetOf(c string) int {
	b, err := base64.StdEncoding.DecodeString(c)
	if err != nil {
		return -1
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "cursor:"))
	if err != nil {
		return -1
	}
	return n
}

// connection pages nodes by first/after (GitHub caps first at 100).
func (x *gqlExec) connection(nodes []gqlObject, args map[string]any) *gqlConn {
	first := min(argInt(args, "first", len(nodes)), 100)
	start := 0
	if a := argString(args, "after"); a != "" {
		start = offsetOf(a) + 1
	}
	start = max(0, min(start, len(nodes)))
	end := min(start+max(first, 0), len(nodes))
	return &gqlConn{nodes: nodes, start: start, end: end, total: len(nodes)}
}

func (*gqlConn) typeName() string { return "Connection" }

func (c *gqlConn) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "totalCount":
		return c.total, nil
	case "nodes":
		return c.nodes[c.start:c.end], nil
	case "edges":
		var out []gqlObject
		for i := c.start; i < c.end; i++ {
			out = append(out, gqlEdge{node: c.nodes[i], cursor: cursorOf(i)})
		}
		return out, nil
	case "pageInfo":
		return gqlPageInfo{c: c}, nil
	}
	return nil, nil
}

type gqlEdge struct {
	node   gqlObject
	cursor string
}

func (gqlEdge) typeName() string { return "Edge" }
func (e gqlEdge) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "node":
		return e.node, nil
	case "cursor":
		return e.cursor, nil
	}
	return nil, nil
}

type gqlPageInfo struct{ c *gqlConn }

func (gqlPageInfo) typeName() string { return "PageInfo" }
func (p gqlPageInfo) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "hasNextPage":
		return p.c.end < p.c.total, nil
	case "hasPreviousPage":
		return p.c.start > 0, nil
	case "endCursor":
		if p.c.end == p.c.start {
			return nil, nil
		}
		return cursorOf(p.c.end - 1), nil
	case "startCursor":
		if p.c.end == p.c.start {
			return nil, nil
		}
		return cursorOf(p.c.start), nil
	}
	return nil, nil
}

// gqlMap is a leaf object given as a map of its scalar fields.
type gqlMap struct {
	name string
	m    map[string]any
}

func (o gqlMap) typeName() string { return o.name }
func (o gqlMap) field(name string, _ map[string]any) (any, error) {
	return o.m[name], nil
}

// --- repository -------------------------------------------------------

type gqlRepo struct {
	r *ghRepo
	x *gqlExec
}

func (*gqlRepo) typeName() string { return "Repository" }

func (o *gqlRepo) field(name string, args map[string]any) (any, error) {
	r := o.r
	switch name {
	case "id":
		return "R_" + strconv.FormatInt(r.id, 10), nil
	case "databaseId":
		return r.id, nil
	case "name":
		return r.name, nil
	case "nameWithOwner":
		return r.Path, nil
	case "owner":
		return gqlOwner{g: o.x.g, x: o.x, login: r.owner, user: r.UserOwned}, nil
	case "url":
		return "https://github.com/" + r.Path, nil
	case "description":
		return nilIf(r.Description == "", r.Description), nil
	case "homepageUrl":
		return nilIf(r.Homepage == "", r.Homepage), nil
	case "isFork":
		return r.Fork, nil
	case "isArchived":
		return r.Archived, nil
	case "isPrivate":
		return !r.Public(), nil
	case "visibility":
		return strings.ToUpper(r.Visibility()), nil
	case "isEmpty":
		return len(r.Commits) == 0, nil
	case "isTemplate":
		return r.Template, nil
	case "isDisabled", "isLocked", "isMirror":
		return false, nil
	case "hasIssuesEnabled":
		return r.OpenIssues >= 0, nil
	case "createdAt":
		return ts(r.CreatedAt), nil
	case "pushedAt", "updatedAt":
		if len(r.Commits) > 0 {
			return ts(r.Commits[0].Date), nil
		}
		return ts(r.CreatedAt), nil
	case "stargazerCount":
		return r.Stars, nil
	case "forkCount":
		return r.Forks, nil
	case "watchers":
		nodes := make([]gqlObject, r.Watchers)
		for i := range nodes {
			nodes[i] = gqlMap{"User", map[string]any{"login": fmt.Sprintf("watcher%d", i)}}
		}
		return o.x.connection(nodes, args), nil
	case "primaryLanguage":
		if r.Language == "" {
			return nil, nil
		}
		return gqlMap{"Language", map[string]any{"name": r.Language}}, nil
	case "repositoryTopics":
		var nodes []gqlObject
		for _, t := range r.Topics {
			nodes = append(nodes, gqlMap{"RepositoryTopic", map[string]any{
				"topic": gqlMap{"Topic", map[string]any{"name": t}}}})
		}
		return o.x.connection(nodes, args), nil
	case "issues", "pullRequests":
		n := max(r.OpenIssues, 0)
		if name == "pullRequests" {
			n = r.OpenPullRequests
		}
		if !statesInclude(args["states"], "OPEN") {
			n = 0
		}
		nodes := make([]gqlObject, n)
		for i := range nodes {
			nodes[i] = gqlMap{"Issue", map[string]any{"number": n - i, "state": "OPEN"}}
		}
		return o.x.connection(nodes, args), nil
	case "latestRelease":
		if len(r.Releases) == 0 {
			return nil, nil
		}
		rel := r.Releases[0]
		return gqlMap{"Release", map[string]any{"tagName": rel.Tag, "name": nilIf(rel.Name == "", rel.Name),
			"publishedAt": ts(rel.PublishedAt), "createdAt": ts(rel.PublishedAt), "isDraft": false, "isPrerelease": false}}, nil
	case "licenseInfo":
		if r.License == "" {
			return nil, nil
		}
		key, lname := licenseKey(r.License)
		return gqlMap{"License", map[string]any{"spdxId": r.License, "key": key, "name": lname}}, nil
	case "defaultBranchRef":
		if len(r.Commits) == 0 {
			return nil, nil
		}
		return gqlMap{"Ref", map[string]any{"name": r.DefaultBranch, "prefix": "refs/heads/",
			"target": &gqlCommit{o: o, i: 0}}}, nil
	case "object":
		return o.object(argString(args, "expression"), argString(args, "oid")), nil
	}
	return nil, nil
}

func statesInclude(v any, s string) bool {
	if v == nil {
		return true
	}
	switch t := v.(type) {
	case []any:
		for _, e := range t {
			if e == s {
				return true
			}
		}
	case string:
		return t == s
	}
	return false
}

// object resolves a git expression: "REV" (a commit) or "REV:path" (a tree
// or blob), REV being HEAD, a branch or a commit SHA.
func (o *gqlRepo) object(expr, oid string) gqlObject {
	r := o.r
	if oid != "" {
		expr = oid
	}
	rev, p, hasPath := strings.Cut(expr, ":")
	i := r.commitIndex(rev)
	if i < 0 {
		return nil
	}
	if !hasPath {
		return &gqlCommit{o: o, i: i}
	}
	// The fake keeps one tree, the default branch head's.
	p = strings.Trim(p, "/")
	if p == "" {
		return gqlTree{o: o, path: ""}
	}
	e, ok := r.entry(p)
	if !ok {
		return nil
	}
	if e.dir {
		return gqlTree{o: o, path: p}
	}
	return gqlBlob{o: o, path: p, size: e.size}
}

type gqlTree struct {
	o    *gqlRepo
	path string
}

func (gqlTree) typeName() string { return "Tree" }
func (t gqlTree) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "oid":
		return fakeforge.SHA("tree:" + t.o.r.Path + ":" + t.path), nil
	case "entries":
		var out []gqlObject
		for _, e := range t.o.r.entries[t.path] {
			out = append(out, gqlTreeEntry{o: t.o, e: e})
		}
		if out == nil {
			return []gqlObject{}, nil
		}
		return out, nil
	}
	return nil, nil
}

type gqlTreeEntry struct {
	o *gqlRepo
	e ghEntry
}

func (gqlTreeEntry) typeName() string { return "TreeEntry" }
func (t gqlTreeEntry) field(name string, _ map[string]any) (any, error) {
	e := t.e
	base := e.path[strings.LastIndex(e.path, "/")+1:]
	switch name {
	case "name":
		return base, nil
	case "path":
		return e.path, nil
	case "type":
		if e.dir {
			return "tree", nil
		}
		return "blob", nil
	case "mode":
		if e.dir {
			return 16384, nil
		}
		return 33188, nil
	case "size":
		if e.dir {
			return 0, nil
		}
		return e.size, nil
	case "extension":
		if i := strings.LastIndex(base, "."); i > 0 && !e.dir {
			return base[i:], nil
		}
		return nil, nil
	case "oid":
		if e.dir {
			return fakeforge.SHA("tree:" + t.o.r.Path + ":" + e.path), nil
		}
		return blobSHA(t.o.r, e.path), nil
	case "isGenerated":
		return false, nil
	case "object":
		if e.dir {
			return gqlTree{o: t.o, path: e.path}, nil
		}
		return gqlBlob{o: t.o, path: e.path, size: e.size}, nil
	}
	return nil, nil
}

type gqlBlob struct {
	o    *gqlRepo
	path string
	size int64
}

func (gqlBlob) typeName() string { return "Blob" }
func (b gqlBlob) field(name string, _ map[string]any) (any, error) {
	content, known := b.o.r.Files[b.path]
	switch name {
	case "oid":
		return blobSHA(b.o.r, b.path), nil
	case "byteSize":
		return b.size, nil
	case "isBinary":
		return !known, nil
	case "isTruncated":
		return false, nil
	case "text":
		// Fillers are size-only: GitHub gives no text for binary blobs.
		if !known {
			return nil, nil
		}
		return content, nil
	}
	return nil, nil
}

// --- commits ----------------------------------------------------------

type gqlCommit struct {
	o *gqlRepo
	i int
}

func (*gqlCommit) typeName() string { return "Commit" }

func (c *gqlCommit) field(name string, args map[string]any) (any, error) {
	r := c.o.r
	cm := r.Commits[c.i]
	switch name {
	case "oid":
		return cm.SHA, nil
	case "abbreviatedOid":
		return cm.SHA[:7], nil
	case "committedDate":
		return ts(cm.Date), nil
	case "authoredDate":
		return ts(authorDate(cm)), nil
	case "message", "messageHeadline":
		return cm.Message, nil
	case "url":
		return "https://github.com/" + r.Path + "/commit/" + cm.SHA, nil
	case "author", "committer":
		var user any
		if cm.Login != "" {
			user = gqlMap{"User", map[string]any{"login": cm.Login}}
		}
		d := cm.Date
		if name == "author" {
			d = authorDate(cm)
		}
		return gqlMap{"GitActor", map[string]any{"name": cm.AuthorName, "email": cm.AuthorEmail,
			"date": ts(d), "user": user}}, nil
	case "tree":
		// The fake keeps one tree, the head's, for every commit.
		return gqlTree{o: c.o, path: ""}, nil
	case "statusCheckRollup":
		if c.i != 0 || r.CI == nil {
			return nil, nil
		}
		state := map[string]string{"success": "SUCCESS", "failure": "FAILURE", "running": "PENDING", "error": "ERROR", "queued": "PENDING"}[r.CI.State]
		if state == "" {
			state = "PENDING"
		}
		return gqlRollup{c: c, state: state}, nil
	case "history":
		since, until := parseTS(argString(args, "since")), parseTS(argString(args, "until"))
		var nodes []gqlObject
		for _, j := range commitsBetween(r.Commits[c.i:], since, until) {
			nodes = append(nodes, &gqlCommit{o: c.o, i: c.i + j})
		}
		return c.o.x.connection(nodes, args), nil
	}
	return nil, nil
}

// gqlRollup is the head commit's statusCheckRollup: its state and its one
// context, a check run or a commit status as the model's CI run says.
type gqlRollup struct {
	c     *gqlCommit
	state string
}

func (gqlRollup) typeName() string { return "StatusCheckRollup" }

func (o gqlRollup) field(name string, args map[string]any) (any, error) {
	ci := o.c.o.r.CI
	switch name {
	case "state":
		return o.state, nil
	case "contexts":
		var node gqlObject
		if ci.Kind == "status" {
			node = gqlMap{"StatusContext", map[string]any{"state": o.state, "context": "ci/jenkins",
				"createdAt": ts(ci.At), "targetUrl": ciStatusURL}}
		} else {
			completed := any(ts(ci.At))
			if ci.State == "running" || ci.State == "queued" {
				completed = nil
			}
			node = gqlMap{"CheckRun", map[string]any{"name": "build", "startedAt": ts(ci.At), "completedAt": completed,
				"url": checkRunURL(o.c.o.r), "detailsUrl": checkRunURL(o.c.o.r)}}
		}
		return o.c.o.x.connection([]gqlObject{node}, args), nil
	}
	return nil, nil
}
