// Package report builds vigie's weekly report from the stored history: the
// data behind it (docs/reference.md's "Weekly report data" JSON, extended), its
// HTML and plain-text renderings, and Run, which writes, archives and mails
// it.
//
// Everything is computed from stored results: a repository's week value is
// its newest result crawled in that ISO week (in the configured time zone),
// its previous value its newest result in the week before. No clock is read:
// the caller passes now.
package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/locale"
	"github.com/eiglink/vigie/store"
)

// Change kinds, as docs/reference.md lists them.
const (
	KindImprovement    = "improvement"
	KindRegression     = "regression"
	KindLicenseAdded   = "license_added"
	KindLicenseRemoved = "license_removed"
	KindCIBroke        = "ci_broke"
	KindCIFixed        = "ci_fixed"
	KindWentDormant    = "went_dormant"
	KindCameBack       = "came_back"
	KindArchived       = "archived"
	KindNew            = "new"
	KindUnreachable    = "unreachable"
	KindOpennessUp     = "openness_up"
	KindOpennessDown   = "openness_down"
)

// ReasonLowScore marks a repository in Attention whose score is below
// LowScore.
const ReasonLowScore = "low_score"

const (
	// ScoreStep is the overall score change that makes an improvement or a
	// regression.
	ScoreStep = 5
	// LowScore: a scored repository below it needs attention.
	LowScore = 50
	// CoveredScore: a check scoring at least this counts in the coverage.
	CoveredScore = 5
	// TrendWeeks is how many weeks (the report's included) the trend spans.
	TrendWeeks = 8
)

// ErrNoData is returned (wrapped) by Build for a week without any stored
// result.
var ErrNoData = errors.New("no crawl stored in that week")

// ErrFutureWeek is returned (wrapped) by Build for a week that has not begun.
var ErrFutureWeek = errors.New("week has not begun yet")

// Data is the report: docs/reference.md's "Weekly report data" (week,
// generated_at, language, repos, changes) and, after them, what the HTML
// shows beyond it. The HTML and text renderings show this value and nothing
// else, so the JSON archived beside them is exactly their data.
type Data struct {
	Week        string    `json:"week"`
	GeneratedAt time.Time `json:"generated_at"`
	Language    string    `json:"language"`
	Repos       []Repo    `json:"repos"`
	Changes     []Change  `json:"changes"`

	// Scope is "" for the whole programme, a défi slug for a défi's part.
	Scope     string       `json:"scope,omitempty"`
	Period    Period       `json:"period"`
	Summary   Summary      `json:"summary"`
	Trend     []TrendPoint `json:"trend"`
	Defis     []Defi       `json:"defis"`
	Attention []Attention  `json:"attention"`
	// PublicURL is http.public_url, the vigie site the report links to
	// ("" when not configured: the report then links to the forges only).
	PublicURL string `json:"public_url,omitempty"`
}

// JSONURL is where this report's data is published on the vigie site
// ("" without public_url).
func (d *Data) JSONURL() string {
	if d.PublicURL == "" {
		return ""
	}
	return d.PublicURL + "/reports/" + d.Week + ".json"
}

// Find returns the week of the named repository, nil when it is not in the
// report.
func (d *Data) Find(name string) *Repo {
	for i := range d.Repos {
		if d.Repos[i].Repo == name {
			return &d.Repos[i]
		}
	}
	return nil
}

// Repo is one repository's week.
type Repo struct {
	Repo          string `json:"repo"`
	Defi          string `json:"defi"`
	Score         *int   `json:"score"`          // null when the week's newest result is an error
	PreviousScore *int   `json:"previous_score"` // null when no (scored) result the week before
	Delta         *int   `json:"delta"`          // null likewise
	Checks        Marks  `json:"checks"`
	// Archived: the forge marks the repository archived (its project is
	// finished); it is shown apart, out of the averages and priorities.
	Archived bool `json:"archived"`
	// DefiEnded: its défi has ended (configuration's ended); shown apart
	// likewise.
	DefiEnded bool `json:"defi_ended,omitempty"`
	// Error is the week's newest result's error ("" fetched).
	Error string `json:"error,omitempty"`
	// CrawledAt is when the week's newest result was crawled.
	CrawledAt time.Time `json:"crawled_at"`
	// URL is the repository's page on its forge.
	URL string `json:"url,omitempty"`
	// CIRunURL is the failing CI run on the forge, when the CI check fails
	// and the forge said where ("" otherwise).
	CIRunURL string `json:"ci_run_url,omitempty"`
	// Page is the repository's page on vigie: http.public_url + /repos/ +
	// repo ("" without public_url).
	Page string `json:"page,omitempty"`
	// Openness is the degree of openness (-1..8); null when the result
	// has an error or none (imported without it).
	Openness *int `json:"openness"`
	// Continuity is the life after the défi of an ended défi's repository
	// (absent otherwise); ContinuityState sums it up ("alive",
	// "handed_over", "dormant").
	Continuity      *checks.Continuity `json:"continuity,omitempty"`
	ContinuityState string             `json:"continuity_state,omitempty"`
	// Missing lists the checklist items that apply and are not met.
	Missing []string `json:"checklist_missing,omitempty"`
}

// Marks are the checks' scores by check name (0..10; nil when not scored:
// a result in error, a check the result lacks or that does not apply).
type Marks map[string]*int

// Get returns the named check's mark.
func (m Marks) Get(name string) *int { return m[name] }

// MarshalJSON writes every check the checks declare, in their order, null
// when not scored.
func (m Marks) MarshalJSON() ([]byte, error) { return byCheck(m) }

// Change is one notable change of the week.
type Change struct {
	Repo  string `json:"repo"`
	Kind  string `json:"kind"`
	Check string `json:"check,omitempty"`
	From  *int   `json:"from,omitempty"`
	To    *int   `json:"to,omitempty"`
}

// Period tells the week's bounds as calendar dates in the time zone.
type Period struct {
	From     string `json:"from"` // Monday, "2026-11-23"
	To       string `json:"to"`   // Sunday, "2026-11-29"
	Timezone string `json:"timezone"`
}

// Summary is the programme (or défi) at a glance. Finished projects
// (archived repositories, ended défis) are counted in Repos and Finished
// only: the other figures are about the projects that run.
type Summary struct {
	Repos       int `json:"repos"`       // with a result this week
	Scored      int `json:"scored"`      // of which scored (finished ones aside)
	Unreachable int `json:"unreachable"` // of which in error (finished ones aside)
	// Finished counts the archived repositories and those of ended défis.
	Finished int `json:"finished"`
	// Average is the mean score of the scored repositories, one decimal.
	Average *float64 `json:"average"`
	// PreviousAverage is the same mean the week before.
	PreviousAverage *float64 `json:"previous_average"`
	// Distribution counts scored repositories per band of scores.
	Distribution []Band `json:"distribution"`
	// Coverage counts, per check, the scored repositories that score at
	// least CoveredScore on it.
	Coverage Coverage `json:"coverage"`
	// Profiled counts the repositories whose result has the programme's
	// profile (a degree of openness); Degrees spreads them over the
	// degrees -1..8.
	Profiled int           `json:"profiled"`
	Degrees  []DegreeCount `json:"degrees"`
	// MostMissing lists the checklist items the most repositories miss,
	// most missed first (at most MostMissingItems): a coach's next
	// workshop topic.
	MostMissing []ItemCount `json:"most_missing"`
}

// DegreeCount is how many repositories sit at a degree of openness.
type DegreeCount struct {
	Degree int `json:"degree"`
	Count  int `json:"count"`
}

// ItemCount is how many repositories miss a checklist item.
type ItemCount struct {
	ID    string `json:"id"`
	Count int    `json:"count"`
}

// MostMissingItems is how many checklist items the report lists as most
// often missing.
const MostMissingItems = 5

// Band is a range of overall scores [Min, Max] and how many repos fall in.
type Band struct {
	Min   int `json:"min"`
	Max   int `json:"max"`
	Count int `json:"count"`
}

// Coverage counts repositories per check name.
type Coverage map[string]int

// Get returns the named check's count.
func (c Coverage) Get(name string) int { return c[name] }

// MarshalJSON writes every check the checks declare, in their order.
func (c Coverage) MarshalJSON() ([]byte, error) { return byCheck(c) }

// byCheck writes a JSON object with one member per declared check, in the
// checks' order (a map would come out sorted by name): a check m does not
// hold is its zero value.
func byCheck[V any](m map[string]V) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, name := range checks.Names() {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(m[name])
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// TrendPoint is one week's mean score.
type TrendPoint struct {
	Week    string   `json:"week"`
	Average *float64 `json:"average"` // null: no scored repository that week
	Repos   int      `json:"repos"`   // scored repositories that week
}

// Defi is one défi's part at a glance.
type Defi struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	// Ended is the day the défi ended (YYYY-MM-DD), "" while it runs.
	Ended    string       `json:"ended,omitempty"`
	Contacts []string     `json:"-"`
	Summary  Summary      `json:"summary"`
	Trend    []TrendPoint `json:"trend"`
}

// Attention is a repository that needs attention this week, with the main
// thing to do.
type Attention struct {
	Repo  string `json:"repo"`
	Defi  string `json:"defi"`
	Score *int   `json:"score"`
	// Reasons are change kinds (unreachable, regression, license_removed,
	// ci_broke, went_dormant) and low_score.
	Reasons []string `json:"reasons"`
	// Check is the weakest check, whose remediation follows ("" when
	// unreachable: Remediation is then the error).
	Check       string `json:"check,omitempty"`
	Remediation string `json:"remediation"`
}

// Options tune Build.
type Options struct {
	// Location is the time zone weeks are cut in (nil: UTC).
	Location *time.Location
	// Language is "fr" (default) or "en".
	Language string
	// DormantDays is scoring.dormant_days (0: checks.DefaultDormantDays).
	DormantDays int
	// Defis gives défi names, order, contacts and ends.
	Defis []config.Defi
	// PublicURL is http.public_url: the vigie site the report links to.
	PublicURL string
}

// endedDefis returns the slugs of the défis that have ended.
func (o Options) endedDefis() map[string]bool {
	out := map[string]bool{}
	for _, d := range o.Defis {
		if d.Ended != "" {
			out[d.Slug] = true
		}
	}
	return out
}

// OptionsFrom derives Build's options from a configuration.
func OptionsFrom(cfg *config.Config) Options {
	return Options{
		Location:    cfg.Schedule.Location,
		Language:    cfg.Report.Language,
		DormantDays: cfg.Scoring.DormantDays,
		Defis:       cfg.Defis,
		PublicURL:   cfg.HTTP.PublicURL,
	}
}

func (o Options) loc() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

func (o Options) lang() string { return string(locale.Of(o.Language)) }

// Build computes week's report from the stored history. now is the
// generation time; a week that begins after now is refused (ErrFutureWeek),
// so is a week without any stored result (ErrNoData).
//
// Dormancy is judged per result, against that result's own crawled_at: a
// result is dormant when its last_commit_at is empty or more than
// DormantDays older than its crawled_at. went_dormant and came_back compare
// the previous week's result with this week's.
func Build(ctx context.Context, st store.Store, week ISOWeek, now time.Time, o Options) (*Data, error) {
	loc := o.loc()
	start, end := week.Start(loc), week.End(loc)
	if !start.Before(now) {
		return nil, fmt.Errorf("report %s: starts %s, after now (%s): %w", week, start.Format(time.RFC3339), now.In(loc).Format(time.RFC3339), ErrFutureWeek)
	}
	cur, err := st.NewestIn(ctx, start, end)
	if err != nil {
		return nil, fmt.Errorf("report %s: read results: %w", week, err)
	}
	if len(cur) == 0 {
		return nil, fmt.Errorf("report %s (%s to %s, %s): %w", week, start.Format("2006-01-02"), end.AddDate(0, 0, -1).Format("2006-01-02"), loc, ErrNoData)
	}
	prevWeek := week.Prev()
	prev, err := st.NewestIn(ctx, prevWeek.Start(loc), start)
	if err != nil {
		return nil, fmt.Errorf("report %s: read results of %s: %w", week, prevWeek, err)
	}
	prevBy := make(map[string]*checks.Result, len(prev))
	for i := range prev {
		prevBy[prev[i].Repo] = &prev[i]
	}
	dormant := checks.Options{DormantDays: o.DormantDays}.Dormancy()
	ended := o.endedDefis()

	d := &Data{
		Week:        week.String(),
		GeneratedAt: now.UTC().Truncate(time.Second),
		Language:    o.lang(),
		Repos:       make([]Repo, 0, len(cur)),
		Changes:     []Change{},
		Period: Period{
			From:     week.Monday().Format("2006-01-02"),
			To:       week.Monday().AddDate(0, 0, 6).Format("2006-01-02"),
			Timezone: loc.String(),
		},
		Attention: []Attention{},
		PublicURL: strings.TrimSuffix(o.PublicURL, "/"),
	}
	sort.Slice(cur, func(i, j int) bool { return cur[i].Repo < cur[j].Repo })
	hidden, err := withheld(ctx, st, cur)
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", week, err)
	}
	for i := range cur {
		r := &cur[i]
		p := prevBy[r.Repo]
		hide := hidden[r.Repo]
		rw := repoOf(r, p)
		if hide {
			rw.PreviousScore, rw.Delta = nil, nil
		}
		if d.PublicURL != "" {
			rw.Page = d.PublicURL + "/repos/" + r.Repo
		}
		rw.DefiEnded = ended[r.Defi]
		rw.Error = r.ErrorText(locale.Of(o.Language))
		d.Repos = append(d.Repos, rw)
		isNew := false
		if p == nil {
			older, err := st.History(ctx, r.Repo, time.Time{}, start)
			if err != nil {
				return nil, fmt.Errorf("report %s: history of %s: %w", week, r.Repo, err)
			}
			isNew = len(older) == 0
		}
		for _, c := range changesOf(r, p, isNew, time.Duration(dormant)*24*time.Hour) {
			if hide {
				c.From = nil
			}
			d.Changes = append(d.Changes, c)
		}
	}
	d.Attention = attentionOf(cur, prevBy, d.Changes, ended, locale.Of(o.Language))

	// Trend: the weeks before the previous one need their own reads.
	weeks := make([][]checks.Result, TrendWeeks)
	weeks[TrendWeeks-1], weeks[TrendWeeks-2] = cur, prev
	for i := TrendWeeks - 3; i >= 0; i-- {
		w := week.Add(i - (TrendWeeks - 1))
		rs, err := st.NewestIn(ctx, w.Start(loc), w.End(loc))
		if err != nil {
			return nil, fmt.Errorf("report %s: read results of %s: %w", week, w, err)
		}
		weeks[i] = rs
	}
	// The programme's figures are over the projects that run; an ended
	// défi's own figures are over its repositories (archived ones aside).
	all := func(string) bool { return true }
	running := func(defi string, archived bool) bool { return !archived && !ended[defi] }
	d.Summary = summaryOf(d.Repos, prev, all, running)
	d.Trend = trendOf(week, weeks, running)
	endedOn := map[string]string{}
	for _, c := range o.Defis {
		endedOn[c.Slug] = c.Ended
	}
	for _, df := range defisOf(o.Defis, d.Repos) {
		in := func(defi string) bool { return defi == df.Slug }
		counted := func(defi string, archived bool) bool { return defi == df.Slug && !archived }
		df.Ended = endedOn[df.Slug]
		df.Summary = summaryOf(d.Repos, prev, in, counted)
		df.Trend = trendOf(week, weeks, counted)
		d.Defis = append(d.Defis, df)
	}
	return d, nil
}

// withheld returns the repositories among cur whose failed week result
// is their newest snapshot and whose forge no longer calls them public
// (store.Snapshot.Withheld): what vigie read of them before is then not
// the report's to show, as on the pages. A repository that went missing
// keeps its previous score here (its "unreachable" change says from
// what): the report compares weeks the programme already saw. The failed
// repositories' snapshots are read in one query, not one per repository.
func withheld(ctx context.Context, st store.Store, cur []checks.Result) (map[string]bool, error) {
	week := make(map[string]time.Time)
	var failed []string
	for i := range cur {
		if cur[i].Error != "" {
			failed = append(failed, cur[i].Repo)
			week[cur[i].Repo] = cur[i].CrawledAt
		}
	}
	hidden := make(map[string]bool)
	if len(failed) == 0 {
		return hidden, nil
	}
	snaps, err := st.LatestOf(ctx, failed)
	if err != nil {
		return nil, fmt.Errorf("newest results of the failed repositories: %w", err)
	}
	for _, sn := range snaps {
		if sn.Result.CrawledAt.Equal(week[sn.Result.Repo]) && sn.Withheld() {
			hidden[sn.Result.Repo] = true
		}
	}
	return hidden, nil
}

func repoOf(r, p *checks.Result) Repo {
	out := Repo{Repo: r.Repo, Defi: r.Defi, Error: r.Error, CrawledAt: r.CrawledAt.UTC(), URL: webURL(r.URL)}
	out.Archived, _ = detailBool(r, checks.NameActivity, checks.DetailArchived)
	if r.Error == "" {
		out.Score = copyInt(r.Score)
		out.Checks = marksOf(r)
		if c := r.Check(checks.NameCI); c != nil && c.Details[checks.DetailCIStatus] == crawler.StatusFailure {
			out.CIRunURL, _ = c.Details["run_url"].(string)
			out.CIRunURL = webURL(out.CIRunURL)
		}
		if r.Openness != nil {
			out.Openness = intp(r.Openness.Degree)
		}
		out.Continuity = r.Continuity
		out.ContinuityState = checks.ContinuityState(r.Continuity)
		for _, it := range r.Checklist {
			if it.Applicable && !it.Met {
				out.Missing = append(out.Missing, it.ID)
			}
		}
	}
	if p != nil && p.Error == "" && p.Score != nil {
		out.PreviousScore = copyInt(p.Score)
		if out.Score != nil {
			out.Delta = intp(*out.Score - *p.Score)
		}
	}
	return out
}

func marksOf(r *checks.Result) Marks {
	m := Marks{}
	for _, name := range checks.Names() {
		m[name] = r.Mark(name)
	}
	return m
}

// changesOf lists r's changes against p (the week before, nil if none), in
// a fixed kind order.
func changesOf(r, p *checks.Result, isNew bool, dormantAfter time.Duration) []Change {
	var out []Change
	add := func(kind, check string, from, to *int) {
		out = append(out, Change{Repo: r.Repo, Kind: kind, Check: check, From: from, To: to})
	}
	if isNew {
		add(KindNew, "", nil, scoreOf(r))
	}
	if r.Error != "" {
		// A repository that stays unreachable is said once, the week it
		// became so.
		if p == nil || p.Error == "" {
			add(KindUnreachable, "", scoreOf(p), nil)
		}
		return out
	}
	if p == nil || p.Error != "" {
		return out
	}
	if r.Score != nil && p.Score != nil {
		switch delta := *r.Score - *p.Score; {
		case delta >= ScoreStep:
			add(KindImprovement, "", intp(*p.Score), intp(*r.Score))
		case delta <= -ScoreStep:
			add(KindRegression, "", intp(*p.Score), intp(*r.Score))
		}
	}
	both := func(kind, check string) { add(kind, check, p.Mark(check), r.Mark(check)) }
	// A detail compares only when both results tell it: an imported result
	// may lack details, which is no change.
	pl, pok := detailString(p, checks.NameLicense, checks.DetailSPDX)
	rl, rok := detailString(r, checks.NameLicense, checks.DetailSPDX)
	switch {
	case !pok || !rok:
	case pl == "" && rl != "":
		both(KindLicenseAdded, checks.NameLicense)
	case pl != "" && rl == "":
		both(KindLicenseRemoved, checks.NameLicense)
	}
	pc, _ := detailString(p, checks.NameCI, checks.DetailCIStatus)
	rc, _ := detailString(r, checks.NameCI, checks.DetailCIStatus)
	switch {
	case pc == crawler.StatusSuccess && rc == crawler.StatusFailure:
		both(KindCIBroke, checks.NameCI)
	case pc == crawler.StatusFailure && rc == crawler.StatusSuccess:
		both(KindCIFixed, checks.NameCI)
	}
	pd, pok := dormantOf(p, dormantAfter)
	rd, rok := dormantOf(r, dormantAfter)
	switch {
	case !pok || !rok:
	case !pd && rd:
		both(KindWentDormant, checks.NameActivity)
	case pd && !rd:
		both(KindCameBack, checks.NameActivity)
	}
	pa, pok := detailBool(p, checks.NameActivity, checks.DetailArchived)
	ra, _ := detailBool(r, checks.NameActivity, checks.DetailArchived)
	if ra && pok && !pa {
		both(KindArchived, checks.NameActivity)
	}
	// Only results that both have a degree compare: one imported without
	// the profile is no change.
	if r.Openness != nil && p.Openness != nil {
		switch from, to := p.Openness.Degree, r.Openness.Degree; {
		case to > from:
			add(KindOpennessUp, "", intp(from), intp(to))
		case to < from:
			add(KindOpennessDown, "", intp(from), intp(to))
		}
	}
	return out
}

func scoreOf(r *checks.Result) *int {
	if r == nil || r.Error != "" {
		return nil
	}
	return copyInt(r.Score)
}

// dormantOf tells whether r is dormant: no commit at all (last_commit_at
// ""), or the newest older than dormantAfter before the result's own crawl.
// known is false when r does not say (no such detail, or not a date).
func dormantOf(r *checks.Result, dormantAfter time.Duration) (dormant, known bool) {
	if s, ok := detailString(r, checks.NameActivity, checks.DetailLastCommitAt); ok && s == "" {
		return true, true
	}
	t, ok := detailTime(r, checks.NameActivity, checks.DetailLastCommitAt)
	if !ok {
		return false, false
	}
	return r.CrawledAt.Sub(t) > dormantAfter, true
}

var badKinds = map[string]bool{
	KindUnreachable: true, KindRegression: true, KindLicenseRemoved: true,
	KindCIBroke: true, KindWentDormant: true,
}

func attentionOf(cur []checks.Result, prevBy map[string]*checks.Result, changes []Change, ended map[string]bool, lang locale.Lang) []Attention {
	reasons := map[string][]string{}
	for _, c := range changes {
		if badKinds[c.Kind] {
			reasons[c.Repo] = append(reasons[c.Repo], c.Kind)
		}
	}
	out := []Attention{}
	for i := range cur {
		r := &cur[i]
		if archived, _ := detailBool(r, checks.NameActivity, checks.DetailArchived); archived || ended[r.Defi] {
			// Finished projects are no priority (their changes still show).
			continue
		}
		rs := reasons[r.Repo]
		low := r.Error == "" && r.Score != nil && *r.Score < LowScore
		if low {
			rs = append(rs, ReasonLowScore)
		}
		if len(rs) == 0 {
			continue
		}
		a := Attention{Repo: r.Repo, Defi: r.Defi, Score: scoreOf(r), Reasons: rs}
		if r.Error != "" {
			a.Remediation = r.ErrorText(lang)
		} else if c := actionFor(r, prevBy[r.Repo], rs, changes); c != nil {
			a.Check, a.Remediation = c.Name, c.Remediation
		}
		out = append(out, a)
	}
	// Unreachable first, then lowest score first.
	sort.SliceStable(out, func(i, j int) bool {
		si, sj := out[i].Score, out[j].Score
		switch {
		case si == nil || sj == nil:
			return si == nil && sj != nil
		default:
			return *si < *sj
		}
	})
	return out
}

// actionFor picks the check whose remediation the priorities propose, so
// that the action answers the first reason given: for a regression the
// check that lost the most since p (the week before), for another change
// the check it names (ci_broke: ci; license_removed: license;
// went_dormant: activity), otherwise the weakest.
func actionFor(r, p *checks.Result, reasons []string, changes []Change) *checks.Check {
	for _, reason := range reasons {
		if reason == KindRegression {
			var best *checks.Check
			drop := 0
			for _, n := range checks.Names() {
				pm, rm := p.Mark(n), r.Mark(n)
				if pm == nil || rm == nil {
					continue
				}
				if c := r.Check(n); *pm-*rm > drop && c.Remediation != "" {
					best, drop = c, *pm-*rm
				}
			}
			if best != nil {
				return best
			}
			continue
		}
		for _, ch := range changes {
			if ch.Repo == r.Repo && ch.Kind == reason && ch.Check != "" {
				if c := r.Check(ch.Check); c != nil && c.Applies() && c.Remediation != "" {
					return c
				}
			}
		}
	}
	return weakest(r)
}

// weakest returns the lowest-scoring check below 10 that applies (the
// first in the checks' order on a tie), or nil.
func weakest(r *checks.Result) *checks.Check {
	var w *checks.Check
	for _, n := range checks.Names() {
		c := r.Check(n)
		if c != nil && c.Applies() && c.Score < 10 && (w == nil || c.Score < w.Score) {
			w = c
		}
	}
	return w
}

var bands = [][2]int{{0, 19}, {20, 39}, {40, 59}, {60, 79}, {80, 100}}

// summaryOf sums up the repositories of a scope: those counted (the
// projects that run) in every figure, the others in Repos and Finished.
func summaryOf(repos []Repo, prev []checks.Result, scope func(defi string) bool, counted func(defi string, archived bool) bool) Summary {
	s := Summary{Distribution: make([]Band, len(bands)), Coverage: Coverage{}}
	for i, b := range bands {
		s.Distribution[i] = Band{Min: b[0], Max: b[1]}
	}
	sum := 0
	for _, r := range repos {
		if !scope(r.Defi) {
			continue
		}
		s.Repos++
		if !counted(r.Defi, r.Archived) {
			s.Finished++
			continue
		}
		if r.Error != "" {
			s.Unreachable++
		}
		if r.Score == nil {
			continue
		}
		s.Scored++
		sum += *r.Score
		for i := range s.Distribution {
			if *r.Score >= s.Distribution[i].Min && *r.Score <= s.Distribution[i].Max {
				s.Distribution[i].Count++
			}
		}
		for _, name := range checks.Names() {
			if m := r.Checks[name]; m != nil && *m >= CoveredScore {
				s.Coverage[name]++
			}
		}
	}
	if s.Scored > 0 {
		s.Average = mean(sum, s.Scored)
	}
	s.PreviousAverage, _ = average(prev, counted)
	s.Degrees = make([]DegreeCount, 10)
	for i := range s.Degrees {
		s.Degrees[i].Degree = i - 1
	}
	missing := map[string]int{}
	var order []string
	for _, r := range repos {
		if !scope(r.Defi) || !counted(r.Defi, r.Archived) || r.Openness == nil {
			continue
		}
		s.Profiled++
		if d := *r.Openness; d >= -1 && d <= 8 {
			s.Degrees[d+1].Count++
		}
		for _, id := range r.Missing {
			if missing[id] == 0 {
				order = append(order, id)
			}
			missing[id]++
		}
	}
	// Ties keep the checklist's order.
	rank := map[string]int{}
	for i, id := range checks.ChecklistIDs {
		rank[id] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		if missing[order[i]] != missing[order[j]] {
			return missing[order[i]] > missing[order[j]]
		}
		ri, oki := rank[order[i]]
		rj, okj := rank[order[j]]
		if oki != okj {
			return oki
		}
		return ri < rj
	})
	s.MostMissing = []ItemCount{}
	for _, id := range order {
		if len(s.MostMissing) == MostMissingItems {
			break
		}
		s.MostMissing = append(s.MostMissing, ItemCount{ID: id, Count: missing[id]})
	}
	return s
}

func average(rs []checks.Result, counted func(defi string, archived bool) bool) (*float64, int) {
	sum, n := 0, 0
	for i := range rs {
		archived, _ := detailBool(&rs[i], checks.NameActivity, checks.DetailArchived)
		if rs[i].Error == "" && rs[i].Score != nil && counted(rs[i].Defi, archived) {
			sum += *rs[i].Score
			n++
		}
	}
	if n == 0 {
		return nil, 0
	}
	return mean(sum, n), n
}

func mean(sum, n int) *float64 {
	v := math.Round(float64(sum)*10/float64(n)) / 10
	return &v
}

func trendOf(week ISOWeek, weeks [][]checks.Result, in func(defi string, archived bool) bool) []TrendPoint {
	out := make([]TrendPoint, len(weeks))
	for i, rs := range weeks {
		avg, n := average(rs, in)
		out[i] = TrendPoint{Week: week.Add(i - (len(weeks) - 1)).String(), Average: avg, Repos: n}
	}
	return out
}

// defisOf lists the défis with a repository in the report: configured ones
// in configuration order, then unknown slugs sorted ("" last).
func defisOf(conf []config.Defi, repos []Repo) []Defi {
	present := map[string]bool{}
	for _, r := range repos {
		present[r.Defi] = true
	}
	var out []Defi
	for _, c := range conf {
		if present[c.Slug] {
			out = append(out, Defi{Slug: c.Slug, Name: c.Name, Contacts: c.Contacts})
			delete(present, c.Slug)
		}
	}
	var rest []string
	for s := range present {
		rest = append(rest, s)
	}
	sort.Slice(rest, func(i, j int) bool {
		if (rest[i] == "") != (rest[j] == "") {
			return rest[j] == ""
		}
		return rest[i] < rest[j]
	})
	for _, s := range rest {
		out = append(out, Defi{Slug: s, Name: s})
	}
	return out
}

// ForDefi returns the part of the report about one défi: its repositories,
// changes and attention list, its summary and trend as the programme's.
// It returns nil when the défi has no repository in the report.
func (d *Data) ForDefi(slug string) *Data {
	var df *Defi
	for i := range d.Defis {
		if d.Defis[i].Slug == slug {
			df = &d.Defis[i]
		}
	}
	if df == nil {
		return nil
	}
	out := *d
	out.Scope = slug
	out.Repos = []Repo{}
	in := map[string]bool{}
	for _, r := range d.Repos {
		if r.Defi == slug {
			out.Repos = append(out.Repos, r)
			in[r.Repo] = true
		}
	}
	out.Changes = []Change{}
	for _, c := range d.Changes {
		if in[c.Repo] {
			out.Changes = append(out.Changes, c)
		}
	}
	out.Attention = []Attention{}
	for _, a := range d.Attention {
		if in[a.Repo] {
			out.Attention = append(out.Attention, a)
		}
	}
	out.Summary, out.Trend = df.Summary, df.Trend
	out.Defis = []Defi{*df}
	return &out
}

func intp(v int) *int { return &v }

func copyInt(p *int) *int {
	if p == nil {
		return nil
	}
	return intp(*p)
}

// Details read from stored results: JSON-decoded (string, bool, float64) or
// as the checks built them (time.Time too).

func detail(r *checks.Result, check, key string) (any, bool) {
	if r == nil {
		return nil, false
	}
	c := r.Check(check)
	if c == nil || c.Details == nil {
		return nil, false
	}
	v, ok := c.Details[key]
	return v, ok
}

func detailString(r *checks.Result, check, key string) (string, bool) {
	v, ok := detail(r, check, key)
	s, isStr := v.(string)
	return s, ok && isStr
}

func detailBool(r *checks.Result, check, key string) (bool, bool) {
	v, ok := detail(r, check, key)
	b, isBool := v.(bool)
	return b, ok && isBool
}

func detailTime(r *checks.Result, check, key string) (time.Time, bool) {
	v, _ := detail(r, check, key)
	switch t := v.(type) {
	case time.Time:
		return t, !t.IsZero()
	case *time.Time:
		if t == nil {
			return time.Time{}, false
		}
		return *t, !t.IsZero()
	case string:
		p, err := time.Parse(time.RFC3339, t)
		return p, err == nil
	}
	return time.Time{}, false
}

// webURL keeps a link read from a result only when it is http(s): results
// may come from an import.
func webURL(u string) string {
	if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
		return u
	}
	return ""
}
