// Package metrics exposes vigie's Prometheus metrics (docs/reference.md's table).
// Repository gauges are read from the store at scrape time by a custom
// collector, so they always match the latest stored snapshot and the current
// configuration; crawl and forge-request figures are kept in memory as they
// happen.
package metrics

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/store"
)

// Metrics owns vigie's registry. It is the forges' HTTP transport's
// httpx.Observer: one call per response, and the rate-limit budget the
// forge announced.
type Metrics struct {
	reg      *prometheus.Registry
	forges   map[string]bool
	requests *prometheus.CounterVec
	rate     *prometheus.GaugeVec
	duration prometheus.Histogram
	leader   prometheus.Gauge
	logger   *slog.Logger
	// own are vigie's collectors (beside Go's and the process's): every
	// metric docs/reference.md lists.
	own []prometheus.Collector
}

// scrapeTimeout bounds the store reads of one scrape: Prometheus gives up
// after its own scrape timeout (10s by default) anyway.
const scrapeTimeout = 8 * time.Second

// otherForge is the label for requests attributed to no configured forge, so
// a caller's typo cannot mint new series.
const otherForge = "other"

// New builds the metrics of one configuration over st, on a registry of its
// own (never the global one) with the Go and process collectors.
func New(cfg *config.Config, st store.Store, logger *slog.Logger) *Metrics {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{
		reg:    prometheus.NewRegistry(),
		forges: map[string]bool{},
		logger: logger,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigie_forge_requests_total",
			Help: "HTTP requests made to the forges' APIs, by forge and response status code (\"error\" when no response came).",
		}, []string{"forge", "code"}),
		rate: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "vigie_forge_rate_limit_remaining",
			Help: "Requests left in the forge's current rate-limit window, as the forge last announced it.",
		}, []string{"forge"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "vigie_crawl_duration_seconds",
			Help: "Duration of whole crawls (every configured repository).",
			// Crawls take from seconds (a few repositories, warm cache) to
			// tens of minutes (hundreds of repositories, rate-limited).
			Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600},
		}),
		leader: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "vigie_leader",
			Help: "1 when this process runs the schedule (crawls and weekly report), 0 when another replica does.",
		}),
	}
	for _, f := range cfg.Forges {
		m.forges[f.Name] = true
	}
	m.own = []prometheus.Collector{
		m.requests, m.rate, m.duration, m.leader,
		&repoCollector{cfg: cfg, followed: config.NewFollowed(cfg), st: st, logger: logger},
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	m.reg.MustRegister(m.own...)
	return m
}

// Registry returns the registry, for tests and extra collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the exposition. A store failure drops the repository
// series of that scrape (and is logged) but keeps the others, so the crawl
// and process metrics still tell what is wrong.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(m.logger.Handler(), slog.LevelError),
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.reg,
	})
}

// Request counts one response (code 0: no response at all).
func (m *Metrics) Request(forge string, code int) {
	m.requests.WithLabelValues(m.forge(forge), codeLabel(code)).Inc()
}

// RateLimit records the budget the forge announced.
func (m *Metrics) RateLimit(forge string, remaining int) {
	m.rate.WithLabelValues(m.forge(forge)).Set(float64(remaining))
}

// CrawlDone records one whole crawl's duration.
func (m *Metrics) CrawlDone(d time.Duration) { m.duration.Observe(d.Seconds()) }

// SetLeader records whether this process runs the schedule.
func (m *Metrics) SetLeader(leader bool) {
	v := 0.0
	if leader {
		v = 1
	}
	m.leader.Set(v)
}

func (m *Metrics) forge(name string) string {
	if m.forges[name] {
		return name
	}
	return otherForge
}

// codeLabel keeps the code label to HTTP's status range.
func codeLabel(code int) string {
	if code < 100 || code > 599 {
		return "error"
	}
	return strconv.Itoa(code)
}

var (
	labels      = []string{"defi", "forge", "repo"}
	descScore   = prometheus.NewDesc("vigie_repo_score", "Overall score of the repository's latest good result, 0..100.", labels, nil)
	descCheck   = prometheus.NewDesc("vigie_repo_check_score", "Score of one check in the repository's latest good result, 0..10.", append(append([]string{}, labels...), "check"), nil)
	descCommit  = prometheus.NewDesc("vigie_repo_last_commit_timestamp_seconds", "Date of the newest commit on the default branch, Unix seconds.", labels, nil)
	descUp      = prometheus.NewDesc("vigie_repo_up", "1 when the repository's latest fetch succeeded, 0 when it failed.", labels, nil)
	descSuccess = prometheus.NewDesc("vigie_crawl_last_success_timestamp_seconds", "When the newest stored crawl was made, Unix seconds.", nil, nil)

	// The programme's profile, from the same latest good result.
	descOpenness   = prometheus.NewDesc("vigie_repo_openness_degree", "Degree of openness in the EIG guide's ladder, -1..8.", labels, nil)
	descListMet    = prometheus.NewDesc("vigie_repo_checklist_met", "Items of the publication checklist the repository meets.", labels, nil)
	descListApplic = prometheus.NewDesc("vigie_repo_checklist_applicable", "Items of the publication checklist that apply to the repository.", labels, nil)
	descCodegouv   = prometheus.NewDesc("vigie_repo_codegouv_score", "code.gouv.fr's repository score, by its published table.", labels, nil)
	// Life after the défi, for the repositories of ended défis only.
	descSinceEnd   = prometheus.NewDesc("vigie_repo_commits_since_end", "Commits on the default branch after the défi ended (ended défis only).", labels, nil)
	descAuthorsEnd = prometheus.NewDesc("vigie_repo_authors_since_end", "Distinct commit authors after the défi ended (ended défis only).", labels, nil)
	descOutside    = prometheus.NewDesc("vigie_repo_authors_outside_team_90d", "Commit authors of the last 90 days who are not in the défi's team (ended défis only).", labels, nil)
)

// repoCollector reads the latest snapshot of every followed repository at
// scrape time.
type repoCollector struct {
	cfg      *config.Config
	followed *config.Followed
	st       store.Store
	logger   *slog.Logger
}

func (c *repoCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descScore, descCheck, descCommit, descUp, descSuccess, descOpenness, descListMet, descListApplic, descCodegouv, descSinceEnd, descAuthorsEnd, descOutside} {
		ch <- d
	}
}

func (c *repoCollector) Collect(ch chan<- prometheus.Metric) {
	// Collect has no context of its own: bound the scrape's store reads.
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()

	last, err := c.st.LastCrawl(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(descSuccess, err)
	} else if !last.IsZero() {
		// LastCrawl counts complete crawls only (a crawl stored in parts
		// and interrupted is not one); reading it from the store keeps the
		// value across restarts, which the staleness alert needs.
		ch <- prometheus.MustNewConstMetric(descSuccess, prometheus.GaugeValue, float64(last.Unix()))
	}

	snaps, err := c.st.Latest(ctx)
	if err != nil {
		c.logger.ErrorContext(ctx, "metrics: reading latest snapshots", "err", err)
		ch <- prometheus.NewInvalidMetric(descScore, err)
		return
	}
	for _, s := range snaps {
		r := s.Result
		defi, ok := c.followed.Defi(r.Repo)
		if !ok {
			continue
		}
		lv := []string{defi, r.Forge, r.Repo}
		good := s
		up := 1.0
		if r.Error != "" {
			up = 0
			if s.HidesEarlier() { // missing, gone or no longer public: its old scores are not its to show
				ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, up, lv...)
				continue
			}
			g, gerr := c.st.LatestGood(ctx, r.Repo)
			if gerr != nil && !errors.Is(gerr, store.ErrNotFound) {
				c.logger.ErrorContext(ctx, "metrics: reading last good snapshot", "repo", r.Repo, "err", gerr)
			}
			if gerr != nil { // never fetched successfully: no score to show
				ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, up, lv...)
				continue
			}
			good = g
		}
		ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, up, lv...)
		g := good.Result
		if g.Score != nil {
			ch <- prometheus.MustNewConstMetric(descScore, prometheus.GaugeValue, float64(*g.Score), lv...)
		}
		seen := map[string]bool{}
		for _, ck := range g.Checks {
			// A duplicate would make the scrape fail; a check that does not
			// apply (archived repository) has no series.
			if seen[ck.Name] || ck.NotApplicable {
				continue
			}
			seen[ck.Name] = true
			ch <- prometheus.MustNewConstMetric(descCheck, prometheus.GaugeValue, float64(ck.Score), append(lv, ck.Name)...)
		}
		if t, ok := LastCommit(good); ok {
			ch <- prometheus.MustNewConstMetric(descCommit, prometheus.GaugeValue, float64(t.Unix()), lv...)
		}
		// Results stored or imported before the profile existed have
		// none: no series rather than a made-up zero.
		if g.Openness != nil {
			ch <- prometheus.MustNewConstMetric(descOpenness, prometheus.GaugeValue, float64(g.Openness.Degree), lv...)
		}
		if g.Checklist != nil {
			met, applicable := checks.ChecklistCounts(g.Checklist)
			ch <- prometheus.MustNewConstMetric(descListMet, prometheus.GaugeValue, float64(met), lv...)
			ch <- prometheus.MustNewConstMetric(descListApplic, prometheus.GaugeValue, float64(applicable), lv...)
		}
		if g.CodegouvScore != nil {
			ch <- prometheus.MustNewConstMetric(descCodegouv, prometheus.GaugeValue, float64(*g.CodegouvScore), lv...)
		}
		if c := g.Continuity; c != nil {
			ch <- prometheus.MustNewConstMetric(descSinceEnd, prometheus.GaugeValue, float64(c.CommitsSinceEnd), lv...)
			ch <- prometheus.MustNewConstMetric(descAuthorsEnd, prometheus.GaugeValue, float64(c.AuthorsSinceEnd), lv...)
			ch <- prometheus.MustNewConstMetric(descOutside, prometheus.GaugeValue, float64(c.AuthorsOutsideTeam90d), lv...)
		}
	}
}

// LastCommit returns the newest commit's date of a snapshot: from the
// activity check's details (present in imported results too), else from the
// facts.
func LastCommit(s store.Snapshot) (time.Time, bool) {
	if ck := s.Result.Check(checks.NameActivity); ck != nil {
		switch v := ck.Details[checks.DetailLastCommitAt].(type) {
		case string:
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				return t, true
			}
		case time.Time:
			if !v.IsZero() {
				return v, true
			}
		}
	}
	if s.Facts != nil && !s.Facts.Activity.LastCommitAt.IsZero() {
		return s.Facts.Activity.LastCommitAt, true
	}
	return time.Time{}, false
}
