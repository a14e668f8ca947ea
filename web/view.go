package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/locale"
	"github.com/eiglink/vigie/store"
)

// checkLabel is a check's title on the pages, which speak French; a check
// the checks no longer declare (an old stored result) keeps its name.
func checkLabel(name string) string {
	if d, ok := checks.Lookup(name); ok {
		return d.Title.In(locale.French)
	}
	return name
}

// repoView is one repository as the pages show it: its newest result, or,
// when that one failed for the forge's sake (down, rate-limited), its last
// good result beside the error. A repository missing, gone or not public
// shows its error alone (store.Snapshot.HidesEarlier).
type repoView struct {
	ID       string
	Path     string // owner/name, without the host
	URL      string
	Forge    string
	Defi     string
	DefiName string
	// Result is the result whose scores are shown (the last good one when
	// the newest failed); nil when the repository was never scored.
	Result *checks.Result
	Facts  *crawler.Facts
	// Error and ErrorAt describe the newest crawl when it failed.
	Error   string
	ErrorAt time.Time
	// Delta is the change of the overall score since a week ago.
	Delta *int
	// Pending: configured but not crawled yet.
	Pending bool
	// ShowDefi is the défi's name written under the repository, in the
	// programme-wide list (where rows are no longer grouped by défi).
	ShowDefi string
}

// Score is the shown overall score, or nil.
func (v repoView) Score() *int {
	if v.Result == nil {
		return nil
	}
	return v.Result.Score
}

// Degree is the shown result's degree of openness, nil without the
// programme's profile.
func (v repoView) Degree() *int {
	if v.Result == nil || v.Result.Openness == nil {
		return nil
	}
	return &v.Result.Openness.Degree
}

// Archived tells whether the forge marks the repository archived (its
// newest result says so).
func (v repoView) Archived() bool {
	if v.Result == nil {
		return false
	}
	c := v.Result.Check(checks.NameActivity)
	if c == nil {
		return false
	}
	a, _ := c.Details[checks.DetailArchived].(bool)
	return a
}

// CheckScore returns a check's score, -1 when unknown or when the check
// does not apply.
func (v repoView) CheckScore(name string) int {
	if m := v.Result.Mark(name); m != nil {
		return *m
	}
	return -1
}

// Search is the lower-case text the dashboard filter matches.
func (v repoView) Search() string {
	parts := []string{v.ID, v.Defi, v.DefiName}
	if v.Facts != nil {
		parts = append(parts, v.Facts.Description)
	}
	return strings.ToLower(strings.Join(parts, " "))
}

// snapshotView is what a snapshot says of its repository, for the pages:
// its result, or its error in French; the défi is the caller's to set.
func snapshotView(sn store.Snapshot) repoView {
	r := sn.Result
	v := repoView{ID: r.Repo, URL: r.URL, Forge: r.Forge, Facts: sn.Facts}
	_, v.Path, _ = strings.Cut(r.Repo, "/")
	if r.Error == "" {
		v.Result = &r
	} else {
		v.Error, v.ErrorAt = r.ErrorText(locale.French), r.CrawledAt
	}
	return v
}

// view builds a repoView from a repository's newest snapshot, a failed
// one showing the last good result unless the forge hides it.
func (s *Server) view(ctx context.Context, sn store.Snapshot) (repoView, error) {
	r := sn.Result
	v := snapshotView(sn)
	v.Defi = r.Defi
	if d, ok := s.followed.Defi(r.Repo); ok && d != "" {
		v.Defi = d
	}
	v.DefiName = s.defiName(v.Defi)
	if r.Error == "" || sn.HidesEarlier() {
		return v, nil
	}
	good, err := s.st.LatestGood(ctx, r.Repo)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return v, fmt.Errorf("last good result of %s: %w", r.Repo, err)
	default:
		v.Result, v.Facts = &good.Result, good.Facts
	}
	return v, nil
}

func (s *Server) defiName(slug string) string {
	for _, d := range s.cfg.Defis {
		if d.Slug == slug {
			return d.Name
		}
	}
	return slug
}

// pendingView is a configured repository no crawl has stored yet.
func pendingView(d config.Defi, ref crawler.Ref) repoView {
	return repoView{ID: ref.ID(), Path: ref.Path, URL: ref.URL, Forge: ref.Forge, Defi: d.Slug, DefiName: d.Name, Pending: true}
}

// followedViews returns every followed repository (configured ones not yet
// crawled included, as pending), in configuration order.
func (s *Server) followedViews(ctx context.Context) ([]repoView, error) {
	latest, err := s.st.Latest(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading latest snapshots: %w", err)
	}
	var out []repoView
	seen := map[string]bool{}
	for _, sn := range latest {
		if _, ok := s.followed.Defi(sn.Result.Repo); !ok {
			continue
		}
		v, err := s.view(ctx, sn)
		if err != nil {
			return nil, err
		}
		seen[v.ID] = true
		out = append(out, v)
	}
	for _, d := range s.cfg.Defis {
		for _, ref := range d.Repos {
			if seen[ref.ID()] {
				continue
			}
			seen[ref.ID()] = true
			out = append(out, pendingView(d, ref))
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		oi, oj := s.followed.Order(out[i].ID), s.followed.Order(out[j].ID)
		if oi != oj {
			return oi < oj
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// repoParam validates a {host}/{path} route value: a host, then at least
// owner and name (GitLab: groups and subgroups before the name), each a
// plain path segment.
var (
	hostRe    = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$`)
	segmentRe = regexp.MustCompile(`^[A-Za-z0-9_.][A-Za-z0-9_.+-]*$`)
)

func parseRepo(raw string) (string, bool) {
	raw = strings.TrimSuffix(raw, "/")
	parts := strings.Split(raw, "/")
	if len(parts) < 3 || len(parts) > 23 { // the host, then at most 22 segments (GitLab's deepest)
		return "", false
	}
	parts[0] = strings.ToLower(parts[0])
	if !hostRe.MatchString(parts[0]) {
		return "", false
	}
	for _, p := range parts[1:] {
		if p == "." || p == ".." || !segmentRe.MatchString(p) {
			return "", false
		}
	}
	return strings.Join(parts, "/"), true
}

// lookup finds a followed repository's newest snapshot; a path typed with
// another case than the stored one still finds it (the forges ignore case),
// and canonical tells the stored spelling.
func (s *Server) lookup(ctx context.Context, id string) (sn store.Snapshot, canonical string, err error) {
	sn, err = s.st.Get(ctx, id)
	if err == nil {
		if _, ok := s.followed.Defi(id); !ok {
			return store.Snapshot{}, "", store.ErrNotFound
		}
		return sn, id, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return sn, "", fmt.Errorf("reading %s: %w", id, err)
	}
	latest, err := s.st.Latest(ctx)
	if err != nil {
		return sn, "", fmt.Errorf("reading latest snapshots: %w", err)
	}
	for _, l := range latest {
		if strings.EqualFold(l.Result.Repo, id) {
			if _, ok := s.followed.Defi(l.Result.Repo); ok {
				return l, l.Result.Repo, nil
			}
		}
	}
	return store.Snapshot{}, "", store.ErrNotFound
}

// page is what the layout needs from every page.
type page struct {
	Title string
	Nav   string // the current section, for aria-current
	Data  any
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	t, ok := s.pages[name]
	if !ok {
		s.log.ErrorContext(r.Context(), "web: unknown template", "name", name)
		http.Error(w, "Erreur interne", http.StatusInternalServerError)
		return
	}
	// Render into a buffer first so a template error becomes a clean 500
	// page, not half a page.
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		s.log.ErrorContext(r.Context(), "web: rendering", "template", name, "err", err)
		if name != "error" {
			s.errorPage(w, r, http.StatusInternalServerError, "Erreur interne", "vigie n'a pas pu afficher cette page.")
			return
		}
		http.Error(w, "Erreur interne", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

type errorData struct {
	Status  int
	Message string
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, title, msg string) {
	s.render(w, r, status, "error", page{Title: title, Data: errorData{Status: status, Message: msg}})
}

// internal logs err and answers a 500 page that does not repeat it.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "web: serving", "path", r.URL.Path, "err", err)
	s.errorPage(w, r, http.StatusInternalServerError, "Erreur interne", "vigie n'a pas pu lire ses données. L'erreur est consignée dans son journal ; réessayez dans un moment.")
}

// frenchDay writes a date as the pages write every date: "30 juin 2021".
func frenchDay(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), locale.French.Month(t.Month()), t.Year())
}

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"checkNames": checks.Names,
		"hostOf": func(id string) string {
			h, _, _ := strings.Cut(id, "/")
			return h
		},
		"mul10": func(n int) int { return n * 10 },
		// num prints a details number as an integer: read back from the
		// store it is a float64, which fmt would print as 1.2e+06.
		"num": func(v any) string {
			switch n := v.(type) {
			case float64:
				return strconv.FormatInt(int64(math.Round(n)), 10)
			case nil:
				return "—"
			}
			return fmt.Sprint(v)
		},
		// sortURL links a column header to the dashboard sorted by key,
		// flipping the order when it is already sorted by key.
		"sortURL": func(q, current, key string, flat bool) string {
			next := key
			if current == key {
				next = "-" + key
			}
			v := url.Values{"sort": {next}}
			if q != "" {
				v.Set("q", q)
			}
			if flat {
				v.Set("vue", "liste")
			}
			return "/?" + v.Encode()
		},
		"ariaSort": func(current, key string) template.HTMLAttr {
			switch current {
			case key:
				return `aria-sort="ascending"`
			case "-" + key:
				return `aria-sort="descending"`
			}
			return ""
		},
		"dateStr": func(v any) string {
			t, err := time.Parse(time.RFC3339, fmt.Sprint(v))
			if err != nil {
				// A day (a défi's end) is a date in the schedule's zone.
				d, err := time.ParseInLocation(time.DateOnly, fmt.Sprint(v), s.loc)
				if err != nil {
					return fmt.Sprint(v)
				}
				t = d
			}
			t = t.In(s.loc)
			return frenchDay(t)
		},
		"checkLabel":      checkLabel,
		"code":            inlineCode,
		"guideLink":       s.guide.Anchor,
		"percent":         percent,
		"continuityWords": continuityWords,
		"wbr":             breakAtSlashes,
		"date": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			t = t.In(s.loc)
			return frenchDay(t) + fmt.Sprintf(" à %02d:%02d", t.Hour(), t.Minute())
		},
		"day": func(t time.Time) string {
			if t.IsZero() {
				return "—"
			}
			t = t.In(s.loc)
			return frenchDay(t)
		},
		// isoDay writes a configured day (YYYY-MM-DD: a défi's end) as
		// the pages write every date, "30 juin 2021".
		"isoDay": func(d string) string {
			t, err := time.Parse(time.DateOnly, d)
			if err != nil {
				return d
			}
			return frenchDay(t)
		},
		"iso":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"ago":     func(t time.Time) string { return ago(s.opts.Now().Sub(t)) },
		"band":    band,
		"degBand": degreeBand,
		"deref": func(p *int) int {
			if p == nil {
				return 0
			}
			return *p
		},
		"signed": func(p *int) string {
			if p == nil {
				return ""
			}
			if *p > 0 {
				return fmt.Sprintf("+%d", *p)
			}
			return fmt.Sprint(*p)
		},
		"detail": func(c *checks.Check, key string) any {
			if c == nil {
				return nil
			}
			return c.Details[key]
		},
		"join": func(v any) string {
			switch l := v.(type) {
			case []string:
				return strings.Join(l, ", ")
			case []any:
				var ss []string
				for _, x := range l {
					ss = append(ss, fmt.Sprint(x))
				}
				return strings.Join(ss, ", ")
			case nil:
				return ""
			}
			return fmt.Sprint(v)
		},
		"ciStatus": func(v any) string {
			switch fmt.Sprint(v) {
			case crawler.StatusSuccess:
				return "réussie"
			case crawler.StatusFailure:
				return "en échec"
			case crawler.StatusRunning:
				return "en cours"
			case crawler.StatusNone:
				return "aucune exécution trouvée"
			}
			return "inconnu"
		},
	}
}

// band names a score's colour class, shared by pages and badges.
func band(score int) string {
	switch {
	case score < 0:
		return "none"
	case score >= 80:
		return "good"
	case score >= 50:
		return "fair"
	default:
		return "poor"
	}
}

// degreeBand names a degree of openness's colour class: 6 and up (tests,
// contribution and more) good, 3 to 5 fair, below poor.
func degreeBand(d int) string {
	switch {
	case d >= 6:
		return "good"
	case d >= 3:
		return "fair"
	}
	return "poor"
}

func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "à l'instant"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "heure")
	default:
		return plural(int(d/(24*time.Hour)), "jour")
	}
}

func plural(n int, unit string) string {
	if n > 1 {
		unit += "s"
	}
	return fmt.Sprintf("il y a %d %s", n, unit)
}

// inlineCode renders a reason or remediation with its code spans
// (checks.Spans) as <code>, everything escaped.
func inlineCode(s string) template.HTML {
	var b strings.Builder
	for _, sp := range checks.Spans(s) {
		if sp.Code {
			b.WriteString("<code>" + template.HTMLEscapeString(sp.Text) + "</code>")
			continue
		}
		b.WriteString(template.HTMLEscapeString(sp.Text))
	}
	return template.HTML(b.String())
}

// breakAtSlashes renders a repository name (host/owner/name) escaped, each
// part and its slash kept on one line (a browser would otherwise break
// after a hyphen), with a line-break opportunity after each slash: on a
// narrow screen github.com/eig-demo/depot-disparu wraps between its parts,
// never inside one.
func breakAtSlashes(s string) template.HTML {
	return template.HTML(nameParts(s, `<span class="nw">`))
}

// nameParts writes name's slash-ended parts each in open…</span>, with
// <wbr> between them.
func nameParts(name, open string) string {
	var b strings.Builder
	parts := strings.SplitAfter(name, "/")
	for i, p := range parts {
		if p == "" {
			continue
		}
		if i > 0 {
			b.WriteString("<wbr>")
		}
		b.WriteString(open + template.HTMLEscapeString(p) + "</span>")
	}
	return b.String()
}
