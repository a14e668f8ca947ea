package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// GuidePath is where vigie serves its scoring guide (docs/scoring.md).
const GuidePath = "/notation"

// guide is the scoring guide rendered once at start: its HTML and, per
// name a section explains (a check, a part of the profile: the heading
// ends with it in parentheses), the section's anchor.
type guide struct {
	HTML    template.HTML
	Anchors map[string]string
}

// checkHeading matches a heading that explains a check or a result field:
// "Licence (`license`)" reads "Licence (license)" once its code span is
// text.
var checkHeading = regexp.MustCompile(`\(([a-z_]+)\)\s*$`)

// newGuide renders docs/scoring.md with goldmark (GitHub's flavour of
// Markdown: its tables). Raw HTML in the file is not passed through: the
// guide is text and tables. Headings get the anchors GitHub gives them, so
// a link to the guide on the forge and on vigie ends the same way.
func newGuide(src []byte) (*guide, error) {
	md := goldmark.New(
		goldmark.WithExtensions(extension.Table),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
	)
	ctx := parser.NewContext(parser.WithIDs(newGitHubIDs()))
	doc := md.Parser().Parse(text.NewReader(src), parser.WithContext(ctx))
	g := &guide{Anchors: map[string]string{}}
	var elsewhere []*ast.Link
	err := ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if l, ok := n.(*ast.Link); ok && entering && !servedLink(string(l.Destination)) {
			elsewhere = append(elsewhere, l)
		}
		h, ok := n.(*ast.Heading)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		id, _ := h.AttributeString("id")
		ids, _ := id.([]byte)
		if m := checkHeading.FindStringSubmatch(headingText(h, src)); m != nil {
			if _, taken := g.Anchors[m[1]]; !taken {
				g.Anchors[m[1]] = string(ids)
			}
		}
		return ast.WalkSkipChildren, nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: reading the scoring guide: %w", err)
	}
	// The guide's links to the other documents (forges.md…) would lead
	// nowhere on vigie, which serves this one only: their text stays, as
	// the file's name a reader can look up in docs/.
	for _, l := range elsewhere {
		parent := l.Parent()
		for c := l.FirstChild(); c != nil; {
			next := c.NextSibling()
			parent.InsertBefore(parent, l, c)
			c = next
		}
		parent.RemoveChild(parent, l)
	}
	var b bytes.Buffer
	if err := md.Renderer().Render(&b, src, doc); err != nil {
		return nil, fmt.Errorf("web: rendering the scoring guide: %w", err)
	}
	g.HTML = template.HTML(b.String()) // goldmark escapes text and drops raw HTML (no html.WithUnsafe)
	return g, nil
}

// servedLink tells whether a link of the guide leads somewhere from
// vigie's page: to one of its own sections or to another site.
func servedLink(dest string) bool {
	return strings.HasPrefix(dest, "#") || strings.HasPrefix(dest, "https://")
}

// Anchor is the link to the guide's section on check name ("" when the
// guide has none).
func (g *guide) Anchor(name string) string {
	if a, ok := g.Anchors[name]; ok {
		return GuidePath + "#" + a
	}
	return ""
}

// headingText is a heading's plain text, code spans included.
func headingText(n ast.Node, src []byte) string {
	var b strings.Builder
	var walk func(ast.Node)
	walk = func(n ast.Node) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if t, ok := c.(*ast.Text); ok {
				b.Write(t.Segment.Value(src))
				continue
			}
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// gitHubIDs gives headings the anchors GitHub gives them: lower case,
// letters (accented ones too), digits, '-' and '_' kept, spaces become
// '-', the rest dropped; a repeated anchor takes -1, -2...
type gitHubIDs struct{ seen map[string]int }

func newGitHubIDs() *gitHubIDs { return &gitHubIDs{seen: map[string]int{}} }

func (g *gitHubIDs) Generate(value []byte, _ ast.NodeKind) []byte {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(string(value))) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	id := b.String()
	if id == "" {
		id = "section"
	}
	if n, dup := g.seen[id]; dup {
		g.seen[id] = n + 1
		id = fmt.Sprintf("%s-%d", id, n+1)
	} else {
		g.seen[id] = 0
	}
	return []byte(id)
}

func (g *gitHubIDs) Put(value []byte) { g.seen[string(value)] = 0 }

func (s *Server) guidePage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "guide", page{Title: "Comment vigie note un dépôt", Nav: "guide", Data: s.guide})
}
