package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/store"
)

// week is the span "change since last week" looks back over.
const week = 7 * 24 * time.Hour

type dashboardData struct {
	Glance glance
	// Flat: the whole programme in one list (?vue=liste), worst first by
	// default, instead of one table per défi.
	Flat    bool
	All     []repoView
	Query   string
	Sort    string
	Sorts   []sortOption
	Defis   []defiSection
	Total   int
	Shown   int
	Average *int
}

type defiSection struct {
	Slug    string
	Name    string
	Average *int
	Repos   []repoView
	// Group heads a run of sections: "Défis terminés", whose sections
	// (Sub) are headed one level below it.
	Group string
	Sub   bool
	// Apart: a finished project's section (an ended défi, the archived
	// repositories), out of the programme's average.
	Apart bool
	// Ended is an ended défi's last day (YYYY-MM-DD).
	Ended string
}

type sortOption struct {
	Value, Label string
}

var sorts = []sortOption{
	{"", "Ordre de la configuration"},
	{"score", "Score croissant"},
	{"-score", "Score décroissant"},
	{"delta", "Plus forte baisse sur 7 jours"},
	{"-delta", "Plus forte hausse sur 7 jours"},
	{"name", "Nom du dépôt"},
	{"-name", "Nom du dépôt, de Z à A"},
}

func validSort(v string) bool {
	for _, o := range sorts {
		if o.Value == v {
			return true
		}
	}
	return false
}

// dashboard lists every défi and its repositories. Filtering (?q=) and
// sorting (?sort=) happen here, so they work without JavaScript; the
// embedded script only filters as one types.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > 200 {
		q = q[:200]
	}
	sortBy := r.URL.Query().Get("sort")
	if !validSort(sortBy) {
		sortBy = ""
	}
	views, err := s.followedViews(ctx)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if err := s.addDeltas(ctx, views); err != nil {
		s.internal(w, r, err)
		return
	}
	data := dashboardData{Query: q, Sort: sortBy, Sorts: sorts, Total: len(views), Flat: r.URL.Query().Get("vue") == "liste"}
	if data.Flat && r.URL.Query().Get("sort") == "" {
		data.Sort, sortBy = "score", "score"
	}
	// The programme at a glance is the projects that run: finished ones
	// (archived, ended défis) are shown apart, out of its distribution.
	if data.Glance, err = s.glanceOf(ctx, s.running(views)); err != nil {
		s.internal(w, r, err)
		return
	}
	needle := strings.ToLower(q)
	// Finished projects are shown apart, after the running défis, and stay
	// out of the programme's average: ended défis under « Défis terminés »,
	// archived repositories of running défis under « Archivés ».
	var all []repoView
	var ended []defiSection
	archived := defiSection{Slug: "archives", Name: "Archivés", Apart: true}
	for _, d := range s.cfg.Defis {
		sec := defiSection{Slug: d.Slug, Name: d.Name, Apart: d.Ended != "", Ended: d.Ended}
		var scored []int
		for _, v := range views {
			if v.Defi != d.Slug {
				continue
			}
			if needle != "" && !strings.Contains(v.Search(), needle) && !strings.Contains(strings.ToLower(d.Name), needle) {
				continue
			}
			if !sec.Apart && v.Archived() {
				archived.Repos = append(archived.Repos, v)
				continue
			}
			if sc := v.Score(); sc != nil && !v.Archived() {
				scored = append(scored, *sc)
			}
			sec.Repos = append(sec.Repos, v)
		}
		sec.Average = mean(scored)
		sortViews(sec.Repos, sortBy)
		data.Shown += len(sec.Repos)
		if !sec.Apart {
			all = append(all, sec.Repos...)
		}
		if len(sec.Repos) == 0 && needle != "" {
			continue
		}
		if sec.Apart {
			if len(ended) == 0 {
				sec.Group = "Défis terminés"
			}
			sec.Sub = true
			ended = append(ended, sec)
			continue
		}
		data.Defis = append(data.Defis, sec)
	}
	data.Defis = append(data.Defis, ended...)
	if len(archived.Repos) > 0 {
		sortViews(archived.Repos, sortBy)
		data.Shown += len(archived.Repos)
		data.Defis = append(data.Defis, archived)
	}
	var scored []int
	for _, v := range all {
		if sc := v.Score(); sc != nil {
			scored = append(scored, *sc)
		}
	}
	data.Average = mean(scored)
	if data.Flat {
		for _, v := range all {
			v.ShowDefi = v.DefiName
			data.All = append(data.All, v)
		}
		sortViews(data.All, sortBy)
	}
	s.render(w, r, http.StatusOK, "dashboard", page{Title: "Tableau de bord", Nav: "dashboard", Data: data})
}

// endedDefis is the set of défis whose end is configured: their projects
// are finished, shown apart and out of the programme's figures.
func (s *Server) endedDefis() map[string]bool {
	ended := map[string]bool{}
	for _, d := range s.cfg.Defis {
		if d.Ended != "" {
			ended[d.Slug] = true
		}
	}
	return ended
}

// running keeps the repositories of projects that run: neither archived
// nor in an ended défi.
func (s *Server) running(views []repoView) []repoView {
	ended := s.endedDefis()
	var out []repoView
	for _, v := range views {
		if !v.Archived() && !ended[v.Defi] {
			out = append(out, v)
		}
	}
	return out
}

func mean(xs []int) *int {
	if len(xs) == 0 {
		return nil
	}
	sum := 0
	for _, x := range xs {
		sum += x
	}
	m := (sum + len(xs)/2) / len(xs)
	return &m
}

// sortViews orders rows; rows without a score (pending, never fetched) go
// last whatever the order, since they cannot be compared.
func sortViews(vs []repoView, by string) {
	key := func(v repoView) (int, bool) {
		switch strings.TrimPrefix(by, "-") {
		case "score":
			if sc := v.Score(); sc != nil {
				return *sc, true
			}
		case "delta":
			if v.Delta != nil {
				return *v.Delta, true
			}
		}
		return 0, false
	}
	switch by {
	case "":
		return
	case "name", "-name":
		desc := by == "-name"
		sort.SliceStable(vs, func(i, j int) bool {
			a, b := strings.ToLower(vs[i].ID), strings.ToLower(vs[j].ID)
			if desc {
				return a > b
			}
			return a < b
		})
		return
	}
	desc := strings.HasPrefix(by, "-")
	sort.SliceStable(vs, func(i, j int) bool {
		ki, oki := key(vs[i])
		kj, okj := key(vs[j])
		if oki != okj {
			return oki
		}
		if desc {
			return ki > kj
		}
		return ki < kj
	})
}

// addDeltas sets each row's change since the newest result at least a week
// old (looking back five weeks at most).
func (s *Server) addDeltas(ctx context.Context, views []repoView) error {
	now := s.opts.Now()
	before, err := s.st.NewestIn(ctx, now.Add(-5*week), now.Add(-week))
	if err != nil {
		return fmt.Errorf("reading last week's results: %w", err)
	}
	prev := map[string]int{}
	for _, r := range before {
		if r.Score != nil {
			prev[r.Repo] = *r.Score
		}
	}
	for i := range views {
		sc := views[i].Score()
		p, ok := prev[views[i].ID]
		if sc == nil || !ok || views[i].Error != "" {
			continue
		}
		d := *sc - p
		views[i].Delta = &d
	}
	return nil
}

type repoData struct {
	repoView
	Checks      []checkRow
	History     *historyChart
	HistoryRows []checks.Result
	BadgeURL    string
	PageURL     string
	BadgeMD     string
	// RelativeLinks: http.public_url is not configured, so the snippet
	// holds paths on this site, never an address taken from the request's
	// Host header (which a visitor chooses).
	RelativeLinks bool
	FromCheck     bool
	CheckedURL    string
	CheckedCache  bool
	// Profile is the programme's profile (nil for a result without it).
	Profile *profileView
}

type checkRow struct {
	checks.Check
	Label string
	Done  bool
	// Guide links to the scoring guide's section on this check.
	Guide string
	// CreateFile and CreateURL: the file whose absence the check reports
	// and the forge's page that creates it ("" when the forge has none).
	CreateFile, CreateURL string
	// SuggestedConfig is the CI file vigie proposes (details
	// suggested_config), shown ready to copy.
	SuggestedConfig string
	// RunURL links to the failing CI run on the forge.
	RunURL string
}

// rows turns a result's checks into the page's checklist, with the links
// a reader wants beside each: the rule, the file to create, the failing run.
func (s *Server) rows(v repoView) []checkRow {
	r := v.Result
	if r == nil {
		return nil
	}
	var out []checkRow
	for _, c := range r.Checks {
		row := checkRow{Check: c, Label: checkLabel(c.Name), Done: c.Applies() && c.Score >= 10, Guide: s.guide.Anchor(c.Name)}
		str := func(key string) string { s, _ := c.Details[key].(string); return s }
		// A check that does not apply (archived) offers no file to add.
		switch name := c.Name; {
		case !c.Applies():
		case name == checks.NameLicense:
			if str("file") == "" && str(checks.DetailSPDX) == "" {
				row.CreateFile = "LICENSE"
			}
		case name == checks.NameReadme:
			if str("file") == "" {
				row.CreateFile = "README.md"
			}
		case name == checks.NameCI:
			row.CreateFile, row.SuggestedConfig = str("suggested_file"), str("suggested_config")
			if str(checks.DetailCIStatus) == crawler.StatusFailure {
				row.RunURL = safeURL(str("run_url"))
			}
		}
		if row.CreateFile != "" && v.Facts != nil {
			row.CreateURL = crawler.NewFileURL(v.Facts.Ref, v.Facts.DefaultBranch, row.CreateFile, row.SuggestedConfig)
		}
		out = append(out, row)
	}
	return out
}

// safeURL keeps a link read from a forge only when it is http(s): a
// stored result may come from an import.
func safeURL(u string) string {
	if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
		return u
	}
	return ""
}

// repoPage shows one repository: its checks as a checklist, its facts, its
// score history and its badge.
func (s *Server) repoPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := parseRepo(r.PathValue("repo"))
	if !ok {
		s.errorPage(w, r, http.StatusBadRequest, "Adresse mal formée", "Une page de dépôt s'écrit /repos/hôte/propriétaire/nom, par exemple /repos/github.com/etalab/vigie.")
		return
	}
	sn, canonical, err := s.lookup(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		if v, ok := s.pending(id); ok {
			// Configured, not crawled yet: the dashboard links here.
			if v.ID != id {
				http.Redirect(w, r, "/repos/"+v.ID, http.StatusMovedPermanently)
				return
			}
			s.render(w, r, http.StatusOK, "repo", page{Title: id, Nav: "dashboard", Data: s.repoData(r, v)})
			return
		}
		s.errorPage(w, r, http.StatusNotFound, "Dépôt inconnu", "vigie ne suit pas le dépôt "+id+". Vous pouvez le vérifier ponctuellement depuis la page « Vérifier un dépôt ».")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if canonical != id {
		http.Redirect(w, r, "/repos/"+canonical, http.StatusMovedPermanently)
		return
	}
	v, err := s.view(ctx, sn)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	now := s.opts.Now()
	hist, err := s.st.History(ctx, id, now.Add(-26*week), now.Add(time.Second))
	if err != nil {
		s.internal(w, r, err)
		return
	}
	if sn.HidesEarlier() {
		// Missing, gone or no longer public: what vigie read while it was
		// public is not the page's to show, history included; the
		// failures alone remain.
		failed := hist[:0:0]
		for _, h := range hist {
			if h.Error != "" {
				failed = append(failed, h)
			}
		}
		hist = failed
	}
	vs := []repoView{v}
	if err := s.addDeltas(ctx, vs); err != nil {
		s.internal(w, r, err)
		return
	}
	data := s.repoData(r, vs[0])
	data.History = chart(hist)
	for i := len(hist) - 1; i >= 0 && len(data.HistoryRows) < 20; i-- {
		data.HistoryRows = append(data.HistoryRows, hist[i])
	}
	s.render(w, r, http.StatusOK, "repo", page{Title: id, Nav: "dashboard", Data: data})
}

// pending returns the view of a repository the configuration lists by name
// but no crawl has stored yet (the id's case aside).
func (s *Server) pending(id string) (repoView, bool) {
	for _, d := range s.cfg.Defis {
		for _, ref := range d.Repos {
			if strings.EqualFold(ref.ID(), id) {
				return pendingView(d, ref), true
			}
		}
	}
	return repoView{}, false
}

func (s *Server) repoData(r *http.Request, v repoView) repoData {
	base := s.opts.BaseURL
	d := repoData{repoView: v, Checks: s.rows(v), Profile: s.profileOf(v.Result, v.Facts)}
	d.BadgeURL = "/badge/" + v.ID + ".svg"
	d.PageURL = base + "/repos/" + v.ID
	d.BadgeMD = fmt.Sprintf("[![Score vigie](%s%s)](%s)", base, d.BadgeURL, d.PageURL)
	d.RelativeLinks = base == ""
	return d
}

// historyChart is the score history drawn as an inline SVG line.
type historyChart struct {
	Width, Height int
	Points        string
	Dots          []chartDot
	From, To      time.Time
}

type chartDot struct {
	X, Y  float64
	Score int
	At    time.Time
}

func chart(hist []checks.Result) *historyChart {
	var rs []checks.Result
	for _, r := range hist {
		if r.Score != nil {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return nil
	}
	c := &historyChart{Width: 600, Height: 160, From: rs[0].CrawledAt, To: rs[len(rs)-1].CrawledAt}
	// The left margin holds the axis labels (0, 50, 100).
	const padLeft, padRight, padTop, padBottom = 36.0, 12.0, 10.0, 10.0
	span := c.To.Sub(c.From).Seconds()
	plotW := float64(c.Width) - padLeft - padRight
	plotH := float64(c.Height) - padTop - padBottom
	var pts []string
	for _, r := range rs {
		x := padLeft + plotW/2
		if span > 0 {
			x = padLeft + plotW*r.CrawledAt.Sub(c.From).Seconds()/span
		}
		y := padTop + plotH*(1-float64(*r.Score)/100)
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		c.Dots = append(c.Dots, chartDot{X: x, Y: y, Score: *r.Score, At: r.CrawledAt})
	}
	// Too many dots clutter the line; keep the last 60.
	if len(c.Dots) > 60 {
		c.Dots = c.Dots[len(c.Dots)-60:]
	}
	c.Points = strings.Join(pts, " ")
	return c
}

type reportsData struct {
	Reports []store.Report
}

func (s *Server) reports(w http.ResponseWriter, r *http.Request) {
	list, err := s.st.Reports(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "reports", page{Title: "Rapports hebdomadaires", Nav: "reports", Data: reportsData{Reports: list}})
}

var reportFile = regexp.MustCompile(`^([0-9]{4}-W[0-9]{2})\.(html|json)$`)

// report serves an archived report as the report package wrote it. Reports
// are made for mail clients, with inline styles: their policy allows those
// and nothing else (no scripts at all).
func (s *Server) report(w http.ResponseWriter, r *http.Request) {
	m := reportFile.FindStringSubmatch(r.PathValue("file"))
	if m == nil {
		s.errorPage(w, r, http.StatusBadRequest, "Adresse mal formée", "Un rapport s'écrit /reports/AAAA-Sss.html, par exemple /reports/2026-W48.html.")
		return
	}
	rep, err := s.st.Report(r.Context(), m[1])
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound, "Rapport introuvable", "Aucun rapport n'est archivé pour la semaine "+m[1]+".")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	body, ctype := rep.HTML, "text/html; charset=utf-8"
	if m[2] == "json" {
		body, ctype = rep.JSON, "application/json"
	}
	if len(body) == 0 {
		s.errorPage(w, r, http.StatusNotFound, "Rapport introuvable", "Ce rapport n'existe pas sous cette forme.")
		return
	}
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	w.Header().Set("Content-Type", ctype)
	// A week's report changes only when it is generated again: an hour.
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(body)
}
