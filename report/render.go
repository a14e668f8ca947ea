package report

import (
	"bytes"
	_ "embed"
	"fmt"
	htmltemplate "html/template"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/locale"
)

// The HTML is meant for mail clients as much as browsers: one file, tables
// for layout, every style inline on its element (clients drop <style> blocks
// and external sheets), no script, no image or link to fetch, the trend as
// inline SVG with its figures also written out for clients that hide SVG.

//go:embed report.html.tmpl
var htmlSource string

//go:embed report.txt.tmpl
var textSource string

// view is what the templates see: the data and the functions that format it. Every
// figure it shows comes from Data.
type view struct {
	*Data
	L        lang
	Title    string
	WeekLine string
	GenLine  string
	Defi     *Defi // the défi of a défi's part, nil for the programme
	Sections []section
	Spark    spark
	MaxBand  int
	// MaxDegree is the largest count of the degrees' bars.
	MaxDegree int
	// Continuity groups the ended défis' repositories by their state:
	// still alive, handed over, dormant since the end.
	Continuity []continuityGroup
}

// continuityGroup is the repositories of ended défis in one state.
type continuityGroup struct {
	State string
	Repos []Repo
}

// section is one block of the repositories' tables: a running défi's
// repositories (archived ones aside), an ended défi's, or the archived
// repositories of running défis. Group, when set, heads a run of sections
// ("Défis terminés", "Archivés").
type section struct {
	Group string
	Name  string // "" for the archived repositories' block
	Defi  Defi
	Repos []Repo
}

func newView(d *Data) *view {
	l := langOf(d.Language)
	v := &view{Data: d, L: l, Title: l.T("title")}
	w, err := ParseWeek(d.Week)
	if err == nil {
		mon := w.Monday()
		v.WeekLine = l.T("week", w.Week, w.Year, l.Date(mon), l.Date(mon.AddDate(0, 0, 6)))
	}
	loc, err := time.LoadLocation(d.Period.Timezone)
	if err != nil || d.Period.Timezone == "" {
		loc = time.UTC
	}
	g := d.GeneratedAt.In(loc)
	v.GenLine = l.T("generated", l.Date(g), l.Clock(g), loc.String())
	if d.Scope != "" && len(d.Defis) == 1 {
		v.Defi = &d.Defis[0]
		v.Title = l.T("title") + " — " + l.T("defi_part", defiName(l, d.Defis[0]))
	}
	v.Sections = sectionsOf(l, d)
	v.Spark = sparkOf(d.Trend)
	for _, b := range d.Summary.Distribution {
		v.MaxBand = max(v.MaxBand, b.Count)
	}
	for _, c := range d.Summary.Degrees {
		v.MaxDegree = max(v.MaxDegree, c.Count)
	}
	for _, state := range []string{"alive", "handed_over", "dormant"} {
		g := continuityGroup{State: state}
		for _, r := range d.Repos {
			if r.ContinuityState == state && r.Continuity != nil {
				g.Repos = append(g.Repos, r)
			}
		}
		if len(g.Repos) > 0 {
			v.Continuity = append(v.Continuity, g)
		}
	}
	return v
}

// sectionsOf orders the tables: running défis first (their archived
// repositories aside), then the ended défis, then the archived
// repositories of running défis, so that finished projects are shown apart.
func sectionsOf(l lang, d *Data) []section {
	var running, ended []section
	archived := section{Group: l.T("archived_group")}
	for _, df := range d.Defis {
		s := section{Name: defiName(l, df), Defi: df}
		for _, r := range d.Repos {
			switch {
			case r.Defi != df.Slug:
			case df.Ended == "" && r.Archived:
				archived.Repos = append(archived.Repos, r)
			default:
				s.Repos = append(s.Repos, r)
			}
		}
		if df.Ended != "" {
			if len(ended) == 0 {
				s.Group = l.T("ended_group")
			}
			ended = append(ended, s)
			continue
		}
		if len(s.Repos) > 0 {
			running = append(running, s)
		}
	}
	out := append(running, ended...)
	if len(archived.Repos) > 0 {
		out = append(out, archived)
	}
	return out
}

func defiName(l lang, d Defi) string {
	if d.Slug == "" {
		return l.T("no_defi")
	}
	if d.Name == "" {
		return d.Slug
	}
	return d.Name
}

// spark is the trend's inline SVG: polylines (a week without score breaks
// the line) and one dot per scored week, on a 0..100 vertical scale.
type spark struct {
	W, H     int
	Segments []string
	Dots     [][2]int
}

func sparkOf(tr []TrendPoint) spark {
	const w, h, pad = 240, 56, 6
	s := spark{W: w, H: h}
	if len(tr) == 0 {
		return s
	}
	// The vertical scale spans the scores shown, at least 10 points wide,
	// within 0..100.
	lo, hi := 100.0, 0.0
	for _, p := range tr {
		if p.Average != nil {
			lo, hi = min(lo, *p.Average), max(hi, *p.Average)
		}
	}
	if hi-lo < 10 {
		mid := (lo + hi) / 2
		lo, hi = max(0, mid-5), min(100, mid+5)
		if hi-lo < 10 {
			lo, hi = min(lo, hi-10), max(hi, lo+10)
		}
	}
	step := float64(w-2*pad) / float64(max(len(tr)-1, 1))
	var seg []string
	flush := func() {
		if len(seg) > 1 {
			s.Segments = append(s.Segments, strings.Join(seg, " "))
		}
		seg = nil
	}
	for i, p := range tr {
		if p.Average == nil {
			flush()
			continue
		}
		x := pad + int(float64(i)*step+0.5)
		y := pad + int((hi-*p.Average)*float64(h-2*pad)/(hi-lo)+0.5)
		seg = append(seg, strconv.Itoa(x)+","+strconv.Itoa(y))
		s.Dots = append(s.Dots, [2]int{x, y})
	}
	flush()
	return s
}

func scoreColor(p *int, outOf int) string {
	if p == nil {
		return "#6e7781"
	}
	switch v := *p * 100 / outOf; {
	case v >= 80:
		return "#1a7f37"
	case v >= 50:
		return "#9a6700"
	default:
		return "#cf222e"
	}
}

func funcs(l lang) map[string]any {
	return map[string]any{
		"t": l.T,
		"n": l.N,
		// c is the colon and its spacing: " : " in French, ": " in English.
		"c": func() string { return locale.Lang(l).Pick("\u00a0: ", ": ") },
		"score": func(p *int) string {
			if p == nil {
				return "—"
			}
			return strconv.Itoa(*p)
		},
		"avg": func(p *float64) string {
			if p == nil {
				return "—"
			}
			return l.Decimal(*p)
		},
		"delta": func(p *int) string {
			if p == nil {
				return "—"
			}
			return l.Signed(*p)
		},
		"avgDelta": func(cur, prev *float64) string {
			if cur == nil || prev == nil {
				return ""
			}
			d := *cur - *prev
			s := l.Decimal(d)
			if d > 0 {
				s = "+" + s
			} else if d < 0 {
				s = "−" + strings.TrimPrefix(s, "-")
			}
			return s
		},
		"color":      func(p *int) string { return scoreColor(p, 100) },
		"checkColor": func(p *int) string { return scoreColor(p, 10) },
		"bandColor":  func(min int) string { return scoreColor(&min, 100) },
		"deltaColor": func(p *int) string {
			switch {
			case p == nil || *p == 0:
				return "#57606a"
			case *p > 0:
				return "#1a7f37"
			}
			return "#cf222e"
		},
		"pct": l.Percent,
		// wbr writes a repository name with a line-break opportunity after
		// each slash and nowhere else (each part on one line, or a browser
		// breaks it after a hyphen): a narrow column wraps
		// github.com/eig-demo/depot-disparu between its parts.
		"wbr": func(s string) htmltemplate.HTML {
			var b strings.Builder
			for i, p := range strings.SplitAfter(s, "/") {
				if p == "" {
					continue
				}
				if i > 0 {
					b.WriteString("<wbr>")
				}
				b.WriteString(`<span style="white-space:nowrap;">` + htmltemplate.HTMLEscapeString(p) + "</span>")
			}
			return htmltemplate.HTML(b.String())
		},
		// code writes a remediation's `backquoted` parts as <code>.
		"code": inlineCode,
		"bar": func(n, of int, color string) bar {
			return bar{Width: barWidth(n, of), Color: color}
		},
		"checks":     checks.Names,
		"mark":       func(m Marks, name string) *int { return m.Get(name) },
		"covered":    func(c Coverage, name string) int { return c.Get(name) },
		"kind":       func(k string) string { return l.T("kind." + k) },
		"isOpenness": func(k string) bool { return k == KindOpennessUp || k == KindOpennessDown },
		"item": func(id string) string {
			if t := l.T("item." + id); t != "item."+id {
				return t
			}
			return id
		},
		"day": func(s string) string {
			t, err := time.Parse(time.DateOnly, s)
			if err != nil {
				return s
			}
			return l.Date(t)
		},
		"check":    func(c string) string { return checkTitle(l, c) },
		"defiName": func(d Defi) string { return defiName(l, d) },
		"defiOf": func(d *Data, slug string) string {
			for _, df := range d.Defis {
				if df.Slug == slug {
					return defiName(l, df)
				}
			}
			return slug
		},
		"shortWeek": func(w string) string {
			if i := strings.Index(w, "-W"); i >= 0 {
				return locale.Lang(l).Pick("S", "W") + w[i+2:]
			}
			return w
		},
		"reasons": func(rs []string) string {
			out := make([]string, len(rs))
			for i, r := range rs {
				out[i] = l.T("kind." + r)
			}
			return strings.Join(out, ", ")
		},
		"coverageNote": func() string { return l.T("coverage_note", CoveredScore) },
		"trendTitle":   func() string { return l.T("trend", TrendWeeks) },
		"footer":       func(week string) string { return l.T("footer", week) },
		"previous": func(p *float64) string {
			if p == nil {
				return l.T("no_previous")
			}
			return l.T("previous", l.Decimal(*p))
		},
	}
}

// bar is one horizontal bar: Width percent of its track, in Color.
type bar struct {
	Width int
	Color string
}

// barWidth is a bar's length in percent (at least 1 when n > 0, so a small
// count stays visible).
func barWidth(n, of int) int {
	if of <= 0 || n <= 0 {
		return 0
	}
	return max(1, n*100/of)
}

// RenderHTML renders d as one self-contained HTML page (inline styles and
// SVG, no script, no external resource). scope "" renders d as it is; a
// défi slug renders that défi's part (d.ForDefi).
func RenderHTML(d *Data, scope string) ([]byte, error) {
	d, err := scoped(d, scope)
	if err != nil {
		return nil, err
	}
	v := newView(d)
	t, err := htmltemplate.New("report.html").Funcs(funcs(v.L)).Parse(htmlSource)
	if err != nil {
		return nil, fmt.Errorf("report: parse HTML template: %w", err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, v); err != nil {
		return nil, fmt.Errorf("report %s: render HTML: %w", d.Week, err)
	}
	return b.Bytes(), nil
}

// RenderText renders d as plain text, the mail's alternative part.
func RenderText(d *Data, scope string) ([]byte, error) {
	d, err := scoped(d, scope)
	if err != nil {
		return nil, err
	}
	v := newView(d)
	t, err := texttemplate.New("report.txt").Funcs(funcs(v.L)).Parse(textSource)
	if err != nil {
		return nil, fmt.Errorf("report: parse text template: %w", err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, v); err != nil {
		return nil, fmt.Errorf("report %s: render text: %w", d.Week, err)
	}
	return b.Bytes(), nil
}

// Subject is the mail subject of d's scope.
func Subject(d *Data, scope string) (string, error) {
	d, err := scoped(d, scope)
	if err != nil {
		return "", err
	}
	l := langOf(d.Language)
	w, err := ParseWeek(d.Week)
	if err != nil {
		return "", err
	}
	avg := "—"
	if d.Summary.Average != nil {
		avg = l.Decimal(*d.Summary.Average) + "/100"
	}
	if d.Scope != "" {
		return l.T("subject_defi", defiName(l, d.Defis[0]), w.Week, w.Year, avg), nil
	}
	return l.T("subject", w.Week, w.Year, avg), nil
}

func scoped(d *Data, scope string) (*Data, error) {
	if scope == "" || scope == d.Scope {
		return d, nil
	}
	p := d.ForDefi(scope)
	if p == nil {
		return nil, fmt.Errorf("report %s: défi %q has no repository in the report", d.Week, scope)
	}
	return p, nil
}

// inlineCode renders a remediation with its code spans (checks.Spans) as
// <code>, everything escaped.
func inlineCode(s string) htmltemplate.HTML {
	var b strings.Builder
	for _, sp := range checks.Spans(s) {
		if sp.Code {
			b.WriteString(`<code style="font-family:Consolas,Menlo,monospace;font-size:12px;background-color:#eff1f3;padding:0 3px;border-radius:3px;">` + htmltemplate.HTMLEscapeString(sp.Text) + "</code>")
			continue
		}
		b.WriteString(htmltemplate.HTMLEscapeString(sp.Text))
	}
	return htmltemplate.HTML(b.String())
}
