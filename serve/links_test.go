package serve_test

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// walker follows every same-site link of a site from its home page: each
// page reached answers its expected status, each #fragment exists as an
// id on its target page, each link to another site goes, over https, to
// one of the configured forges. It is bounded by a visited set and a page
// budget, so a page that links to ever new URLs ends the walk with an error
// instead of running on.
type walker struct {
	base     *url.URL
	forges   []string // hosts external links may point to
	maxPages int
	// status gives the status a same-site URL must answer (200 unless
	// said otherwise).
	status func(u *url.URL) int

	client   *http.Client
	visited  map[string]bool
	ids      map[string]map[string]bool // page (path?query) → ids on it
	anchors  []link                     // links with a fragment, checked at the end
	problems []string
	pages    int
}

// link is one reference found on a page.
type link struct {
	from, raw string
	to        *url.URL
}

func newWalker(base string, forges []string) *walker {
	u, err := url.Parse(base)
	if err != nil {
		panic(err)
	}
	return &walker{
		base: u, forges: forges, maxPages: 400,
		status: func(*url.URL) int { return http.StatusOK },
		// A redirect is followed by the walk itself, so its target is
		// checked like any link.
		client:  &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		visited: map[string]bool{}, ids: map[string]map[string]bool{},
	}
}

func (w *walker) fail(format string, a ...any) {
	w.problems = append(w.problems, fmt.Sprintf(format, a...))
}

// key is the page a URL names, without its fragment.
func key(u *url.URL) string {
	k := u.EscapedPath()
	if u.RawQuery != "" {
		k += "?" + u.RawQuery
	}
	return k
}

// walk visits the site from start and returns what is wrong, sorted.
func (w *walker) walk(start string) []string {
	queue := []link{{from: "(start)", raw: start, to: w.base.ResolveReference(&url.URL{Path: start})}}
	for len(queue) > 0 {
		l := queue[0]
		queue = queue[1:]
		k := key(l.to)
		if w.visited[k] {
			continue
		}
		w.visited[k] = true
		if w.pages++; w.pages > w.maxPages {
			w.fail("more than %d pages: the walk stops (a page links to ever new URLs?), last %s from %s", w.maxPages, k, l.from)
			break
		}
		queue = append(queue, w.visit(l)...)
	}
	for _, a := range w.anchors {
		ids, fetched := w.ids[key(a.to)]
		if !fetched {
			// The page answered something other than HTML (or was not
			// reached): its fragment cannot be checked, and that is a
			// problem too.
			w.fail("%s links to %s: no HTML page to hold #%s", a.from, a.raw, a.to.Fragment)
			continue
		}
		if !ids[a.to.Fragment] {
			w.fail("%s links to %s: no id %q on %s", a.from, a.raw, a.to.Fragment, key(a.to))
		}
	}
	sort.Strings(w.problems)
	return slices.Compact(w.problems)
}

// visit fetches one same-site page and returns the links it holds.
func (w *walker) visit(l link) []link {
	k := key(l.to)
	resp, err := w.client.Get(l.to.String())
	if err != nil {
		w.fail("%s: %v (linked from %s)", k, err, l.from)
		return nil
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		w.fail("%s: reading: %v", k, err)
		return nil
	}
	if want := w.status(l.to); resp.StatusCode != want {
		w.fail("%s answers %d, want %d (linked from %s as %q)", k, resp.StatusCode, want, l.from, l.raw)
	}
	if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode/100 == 3 {
		return w.resolve(k, []string{loc})
	}
	ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if ct != "text/html" {
		return nil
	}
	doc, err := html.Parse(strings.NewReader(string(body)))
	if err != nil {
		w.fail("%s: not HTML: %v", k, err)
		return nil
	}
	ids := map[string]bool{}
	var refs []string
	level, h1s := 0, 0
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		// The outline a screen reader lists: one h1, and no level
		// skipped on the way down (h2 then h4).
		if len(n.Data) == 2 && n.Data[0] == 'h' && n.Data[1] >= '1' && n.Data[1] <= '6' {
			l := int(n.Data[1] - '0')
			if l == 1 {
				h1s++
			}
			if l > level+1 {
				w.fail("%s: heading <%s> %q follows an h%d", k, n.Data, textOf(n), level)
			}
			level = l
		}
		if id := attr(n, "id"); id != "" {
			if ids[id] {
				w.fail("%s: id %q twice", k, id)
			}
			ids[id] = true
		}
		// <a name> is an anchor too (older markdown output uses it).
		if n.Data == "a" && attr(n, "name") != "" {
			ids[attr(n, "name")] = true
		}
		switch n.Data {
		case "a", "link", "area":
			if h, ok := attrOK(n, "href"); ok {
				refs = append(refs, h)
			}
		case "img", "script", "source", "iframe":
			if s, ok := attrOK(n, "src"); ok {
				refs = append(refs, s)
			}
		case "form":
			refs = append(refs, w.formURL(k, n))
		}
	}
	if h1s != 1 {
		w.fail("%s: %d h1 headings, want one", k, h1s)
	}
	w.ids[k] = ids
	return w.resolve(k, refs)
}

// formURL is the URL a GET form submits with its fields' values (or their
// placeholder, what a reader is invited to type).
func (w *walker) formURL(page string, f *html.Node) string {
	action, ok := attrOK(f, "action")
	if !ok {
		w.fail("%s: a form without action submits to itself; say where it goes", page)
		action = page
	}
	if m := strings.ToLower(attr(f, "method")); m != "" && m != "get" {
		w.fail("%s: form to %s uses %s; vigie's pages only read", page, action, m)
		return action
	}
	q := url.Values{}
	for n := range f.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		name := attr(n, "name")
		if name == "" {
			continue
		}
		switch n.Data {
		case "input":
			typ := strings.ToLower(attr(n, "type"))
			if (typ == "checkbox" || typ == "radio") && !hasAttr(n, "checked") {
				continue
			}
			if typ == "submit" {
				continue
			}
			v := attr(n, "value")
			if v == "" {
				v = attr(n, "placeholder")
			}
			q.Add(name, v)
		case "select":
			var first, chosen string
			for o := range n.Descendants() {
				if o.Type == html.ElementNode && o.Data == "option" {
					v, ok := attrOK(o, "value")
					if !ok && o.FirstChild != nil {
						v = o.FirstChild.Data
					}
					if first == "" {
						first = v
					}
					if hasAttr(o, "selected") {
						chosen = v
					}
				}
			}
			if chosen == "" {
				chosen = first
			}
			q.Add(name, chosen)
		}
	}
	if len(q) == 0 {
		return action
	}
	sep := "?"
	if strings.Contains(action, "?") {
		sep = "&"
	}
	return action + sep + q.Encode()
}

// resolve sorts a page's references: same-site ones are returned to
// visit, fragments are kept for the end, external ones checked for form.
func (w *walker) resolve(page string, refs []string) []link {
	from, _ := url.Parse(page)
	from = w.base.ResolveReference(from)
	var out []link
	for _, raw := range refs {
		ref, err := url.Parse(strings.TrimSpace(raw))
		if err != nil || raw == "" {
			w.fail("%s: unreadable link %q: %v", page, raw, err)
			continue
		}
		to := from.ResolveReference(ref)
		switch {
		case to.Scheme == "mailto":
			continue
		case to.Host == w.base.Host && to.Scheme == w.base.Scheme:
			l := link{from: page, raw: raw, to: to}
			if to.Fragment != "" {
				w.anchors = append(w.anchors, l)
			}
			out = append(out, link{from: page, raw: raw, to: &url.URL{Scheme: to.Scheme, Host: to.Host, Path: to.Path, RawPath: to.RawPath, RawQuery: to.RawQuery}})
		case to.Scheme != "https":
			w.fail("%s links to %s: not https", page, raw)
		case !slices.Contains(w.forges, to.Hostname()):
			w.fail("%s links to %s: %s is not a configured forge", page, raw, to.Hostname())
		case to.Path == "" || to.Path == "/":
			w.fail("%s links to %s: a forge's home, not a repository", page, raw)
		}
	}
	return out
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func attrOK(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

func attr(n *html.Node, name string) string { v, _ := attrOK(n, name); return v }

func hasAttr(n *html.Node, name string) bool { _, ok := attrOK(n, name); return ok }

// TestDemoLinks walks the demo's whole site from its home page: the
// dashboard's views, every repository page, the check form and its result,
// the reports and their JSON, the scoring guide's anchors, the badges and
// the API. No link leads to an unmounted route or a missing anchor.
func TestDemoLinks(t *testing.T) {
	base := startDemo(t)
	w := newWalker(base, []string{"github.com", "gitlab.com", "codeberg.org"})
	w.status = func(u *url.URL) int {
		// The check form submitted as shown carries its placeholder, a
		// repository no forge has: the documented answer is 400 with the
		// form and the reason.
		if u.Path == "/check" && strings.Contains(u.Query().Get("url"), "propriétaire") {
			return http.StatusBadRequest
		}
		return http.StatusOK
	}
	problems := w.walk("/")
	for _, p := range problems {
		t.Error(p)
	}
	t.Logf("%d pages walked", len(w.visited))
	// The walk reached every kind of page, else it proves little.
	for _, want := range []string{"/", "/check", "/notation", "/reports/", "/api/repos", "/metrics",
		"/repos/github.com/eig-demo/signaux-faibles", "/repos/github.com/eig-demo/ancien-pilote",
		"/repos/codeberg.org/eig-demo/veille-juridique"} {
		if !w.visited[want] {
			t.Errorf("the walk never reached %s", want)
		}
	}
	var kinds = map[string]bool{}
	for k := range w.visited {
		for _, p := range []string{"/check?url=", "/badge/", "/api/repos/", "/reports/2", "/notation#"} {
			if strings.HasPrefix(k, p) {
				kinds[p] = true
			}
		}
		if strings.HasPrefix(k, "/reports/") && strings.HasSuffix(k, ".json") {
			kinds[".json"] = true
		}
	}
	for _, a := range w.anchors {
		if a.to.Path == "/notation" {
			kinds["/notation#"] = true
		}
	}
	for _, p := range []string{"/check?url=", "/badge/", "/api/repos/", "/reports/2", ".json", "/notation#"} {
		if !kinds[p] {
			t.Errorf("no link of the form %s was found on the site", p)
		}
	}
}

// TestWalkerFindsBrokenLinks breaks a site on purpose: the walker must name
// each broken link, else TestDemoLinks could pass on a broken site.
func TestWalkerFindsBrokenLinks(t *testing.T) {
	page := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<!doctype html><html><body>"+body+"</body></html>")
		}
	}
	m := http.NewServeMux()
	m.Handle("GET /{$}", page(`<h1>Home</h1><h3>Skipped</h3><a href="/guide#ok">ok</a> <a href="/guide#gone">gone</a> <a href="/nowhere">x</a>
		<img src="/missing.png"> <a href="http://github.com/a/b">http</a> <a href="https://evil.example/a/b">evil</a>
		<a href="https://github.com/eig/a">fine</a> <form action="/search"><input name="q" placeholder="alpha"></form>`))
	m.Handle("GET /guide", page(`<h1>Guide</h1><h2 id="ok">ok</h2>`))
	m.HandleFunc("GET /search", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("q") != "alpha" {
			http.Error(w, "no query", http.StatusBadRequest)
			return
		}
		page(`<h1>Found</h1><h1>Twice</h1><a href="/search?q=beta">next</a>`)(w, r)
	})
	srv := httptest.NewServer(m)
	defer srv.Close()

	w := newWalker(srv.URL, []string{"github.com"})
	got := strings.Join(w.walk("/"), "\n")
	for _, want := range []string{
		`no id "gone" on /guide`,
		"/nowhere answers 404",
		"/missing.png answers 404",
		"http://github.com/a/b: not https",
		"evil.example is not a configured forge",
		"/search?q=beta answers 400",
		`/: heading <h3> "Skipped" follows an h1`,
		"/search?q=alpha: 2 h1 headings",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the walker did not report %q; it said:\n%s", want, got)
		}
	}
	for _, unwanted := range []string{`"ok"`, "eig/a", "/search?q=alpha answers", "/guide:"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("the walker reported a sound link (%s):\n%s", unwanted, got)
		}
	}
	if !w.visited["/search?q=alpha"] {
		t.Error("the form was not submitted with its placeholder")
	}
}
