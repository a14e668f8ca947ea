package web

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// glance is the programme at a glance on the dashboard: when the data was
// collected, how scores spread, and the weekly average over recent weeks.
type glance struct {
	CollectedAt time.Time
	Scored      int
	Bands       []scoreBand
	Trend       *trend
	// Degrees counts the repositories at each degree of openness (-1..8),
	// over Profiled repositories (those whose result has the profile).
	Degrees  []degreeCount
	Profiled int
	// Missing are the checklist items most often missing across the
	// programme, most missed first (a coach's next workshop topic).
	Missing []missingItem
}

// degreeCount is one column of the degrees' chart.
type degreeCount struct {
	Degree, Count int
	// X, Y, H place the column in the chart's SVG.
	X, Y, H float64
}

// missingItem is a checklist item and how many repositories miss it, of
// Of to which it applies.
type missingItem struct {
	ID, Title string
	Count, Of int
}

// scoreBand is one range of overall scores and how many repositories fall
// in it (Width: the bar's length in percent of the largest band).
type scoreBand struct {
	Min, Max, Count, Width int
	Class                  string
}

// trend is the weekly mean score drawn as an inline SVG line.
type trend struct {
	Width, Height int
	Points        string
	Weeks         []trendWeek
}

type trendWeek struct {
	End     time.Time
	Average *int
	X, Y    float64
}

// trendWeeks is how many weeks the dashboard's trend spans.
const trendWeeks = 8

// glanceOf sums up the followed repositories' current scores and reads the
// weekly averages of the last trendWeeks weeks (one read per week).
func (s *Server) glanceOf(ctx context.Context, views []repoView) (glance, error) {
	var g glance
	last, err := s.st.LastCrawl(ctx)
	if err != nil {
		return g, fmt.Errorf("reading last crawl: %w", err)
	}
	g.CollectedAt = last
	g.Bands = []scoreBand{{Min: 0, Max: 19}, {Min: 20, Max: 39}, {Min: 40, Max: 59}, {Min: 60, Max: 79}, {Min: 80, Max: 100}}
	for _, v := range views {
		sc := v.Score()
		if sc == nil {
			continue
		}
		g.Scored++
		for i := range g.Bands {
			if *sc >= g.Bands[i].Min && *sc <= g.Bands[i].Max {
				g.Bands[i].Count++
			}
		}
	}
	g.Degrees, g.Profiled = degreesOf(views)
	g.Missing = missingOf(views, 5)
	most := 0
	for _, b := range g.Bands {
		most = max(most, b.Count)
	}
	for i := range g.Bands {
		g.Bands[i].Class = band(g.Bands[i].Max)
		if most > 0 {
			g.Bands[i].Width = g.Bands[i].Count * 100 / most
		}
	}

	ended := s.endedDefis()
	now := s.opts.Now()
	t := &trend{Width: 240, Height: 60}
	var pts []string
	for i := trendWeeks - 1; i >= 0; i-- {
		to := now.Add(-time.Duration(i) * week)
		rs, err := s.st.NewestIn(ctx, to.Add(-week), to.Add(time.Second))
		if err != nil {
			return g, fmt.Errorf("reading the results of the week to %s: %w", to.Format(time.DateOnly), err)
		}
		// The same repositories as the programme's average above it:
		// finished projects (ended défis, archived repositories) stay out,
		// else the line's last point and the average disagree.
		var xs []int
		for _, r := range rs {
			defi, ok := s.followed.Defi(r.Repo)
			if !ok || r.Score == nil || r.Error != "" || ended[defi] || (repoView{Result: &r}).Archived() {
				continue
			}
			xs = append(xs, *r.Score)
		}
		w := trendWeek{End: to, Average: mean(xs)}
		const pad = 6.0
		w.X = pad + float64(trendWeeks-1-i)*(float64(t.Width)-2*pad)/float64(trendWeeks-1)
		if w.Average != nil {
			w.Y = pad + (float64(t.Height)-2*pad)*(1-float64(*w.Average)/100)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", w.X, w.Y))
		}
		t.Weeks = append(t.Weeks, w)
	}
	if len(pts) > 0 {
		t.Points = strings.Join(pts, " ")
		g.Trend = t
	}
	return g, nil
}

// degreesOf counts the views with a profile at each degree -1..8 and lays
// the counts out as columns of a 200×60 chart.
func degreesOf(views []repoView) ([]degreeCount, int) {
	out := make([]degreeCount, 10)
	n := 0
	for i := range out {
		out[i].Degree = i - 1
	}
	for _, v := range views {
		if v.Result == nil || v.Result.Openness == nil {
			continue
		}
		d := v.Result.Openness.Degree
		if d >= -1 && d <= 8 {
			out[d+1].Count++
			n++
		}
	}
	most := 0
	for _, c := range out {
		most = max(most, c.Count)
	}
	const w, h, top = 20.0, 60.0, 12.0
	for i := range out {
		out[i].X = float64(i)*w + 3
		if most > 0 {
			out[i].H = (h - top) * float64(out[i].Count) / float64(most)
		}
		out[i].Y = h - out[i].H
	}
	return out, n
}

// missingOf lists the checklist items that apply and are not met, by how
// many of the views miss them, at most limit, ties in the checklist's
// order.
func missingOf(views []repoView, limit int) []missingItem {
	byID := map[string]*missingItem{}
	var order []string
	for _, v := range views {
		if v.Result == nil {
			continue
		}
		for _, it := range v.Result.Checklist {
			if !it.Applicable {
				continue
			}
			m, ok := byID[it.ID]
			if !ok {
				m = &missingItem{ID: it.ID, Title: checklistTitle(it.ID)}
				byID[it.ID] = m
				order = append(order, it.ID)
			}
			m.Of++
			if !it.Met {
				m.Count++
			}
		}
	}
	var out []missingItem
	for _, id := range order {
		if byID[id].Count > 0 {
			out = append(out, *byID[id])
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}
