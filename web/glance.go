package web

import (
	"context"
	"fmt"
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

	now := s.opts.Now()
	t := &trend{Width: 240, Height: 60}
	var pts []string
	scored := 0
	for i := trendWeeks - 1; i >= 0; i-- {
		to := now.Add(-time.Duration(i) * week)
		rs, err := s.st.NewestIn(ctx, to.Add(-week), to.Add(time.Second))
		if err != nil {
			return g, fmt.Errorf("reading the results of the week to %s: %w", to.Format(time.DateOnly), err)
		}
		var xs []int
		for _, r := range rs {
			if _, ok := s.followed.Defi(r.Repo); ok && r.Score != nil && r.Error == "" {
				xs = append(xs, *r.Score)
			}
		}
		w := trendWeek{End: to, Average: mean(xs)}
		const pad = 6.0
		w.X = pad + float64(trendWeeks-1-i)*(float64(t.Width)-2*pad)/float64(trendWeeks-1)
		if w.Average != nil {
			w.Y = pad + (float64(t.Height)-2*pad)*(1-float64(*w.Average)/100)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", w.X, w.Y))
			scored++
		}
		t.Weeks = append(t.Weeks, w)
	}
	if scored > 0 {
		t.Points = strings.Join(pts, " ")
		g.Trend = t
	}
	return g, nil
}
