// Package config turns vigie's YAML configuration into validated values.
// Nothing else in vigie parses YAML or reads environment variables.
package config

import (
	"net/netip"
	"path"
	"strings"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/crawler"
)

// Config is the whole configuration, validated, with defaults applied.
type Config struct {
	// File is the path the configuration was read from ("" built in).
	File     string
	Forges   []Forge
	Defis    []Defi
	Storage  Storage
	Scoring  Scoring
	HTTP     HTTP
	Schedule Schedule
	Report   Report
	SMTP     SMTP
}

// Forge is one configured forge.
type Forge struct {
	Name   string // used in results and metrics
	Type   string // github | gitlab | gitea (Gitea and Forgejo)
	URL    string // web base, normalised: https://host (no trailing slash)
	Host   string // lower-case host (with port when not default) of URL
	APIURL string // REST root (github) or instance root (gitlab, gitea); defaulted
	// GraphQLURL is GitHub's GraphQL endpoint derived from APIURL ("" for gitlab).
	GraphQLURL string
	TokenEnv   string   // first token's variable, as configured
	TokenEnvs  []string // every token variable, token_env first
	// Tokens holds the non-empty tokens read from TokenEnvs. Never log it.
	Tokens []string `json:"-"`
	// Concurrency bounds the requests in flight to the forge.
	Concurrency int
}

// Defi is one défi and the repositories it follows.
type Defi struct {
	Slug     string
	Name     string
	Contacts []string
	Repos    []crawler.Ref // normalised, Defi set
	Orgs     []Org
	Exclude  []string // glob patterns on owner/name
	// Ended is the day the défi ended in the programme (YYYY-MM-DD), ""
	// while it runs; EndedAt is the first instant after that day in the
	// schedule's time zone.
	Ended   string
	EndedAt time.Time
	// Team lists the entrepreneurs' forge logins and commit e-mails.
	Team []string
}

// Excluded reports whether a défi's exclude globs (Defi.Exclude) match the
// repository path p (owner/name, GitLab group/sub/name). A pattern without a
// slash also matches the last segment alone, so "*-archive" excludes
// "owner/x-archive" as a reader of the configuration expects. The crawl,
// the metrics and the import all apply it.
func Excluded(patterns []string, p string) bool {
	base := path.Base(p)
	for _, pat := range patterns {
		if ok, _ := path.Match(pat, p); ok {
			return true
		}
		if !strings.Contains(pat, "/") {
			if ok, _ := path.Match(pat, base); ok {
				return true
			}
		}
	}
	return false
}

// Org is an organisation (GitHub) or group (GitLab) whose repositories join
// a défi.
type Org struct {
	Forge string // configured forge name
	Host  string
	Path  string // org or group path on the forge
	URL   string
}

// Storage selects the database.
type Storage struct {
	Driver string // sqlite | postgres
	DSN    string
}

// Scoring tunes the checks.
type Scoring struct {
	Weights     map[string]float64 // check name -> weight
	DormantDays int
}

// CheckOptions are the checks' options this configuration sets: the
// weights, the dormancy and the language of reasons and remediations, which
// is the report's (report.language), since the report shows them; and each
// défi's end and team.
func (c *Config) CheckOptions() checks.Options {
	o := checks.Options{Weights: c.Scoring.Weights, DormantDays: c.Scoring.DormantDays, Language: c.Report.Language}
	// Each défi's end and team, for the life after the défi.
	for _, d := range c.Defis {
		if d.Ended == "" && len(d.Team) == 0 {
			continue
		}
		if o.Defis == nil {
			o.Defis = map[string]checks.DefiProfile{}
		}
		o.Defis[d.Slug] = checks.DefiProfile{Ended: d.Ended, EndedAt: d.EndedAt, Team: d.Team}
	}
	return o
}

// HTTP configures `vigie serve` and bounds the time spent on the forges.
type HTTP struct {
	Listen string
	// PublicURL is the site's public address (https://vigie.example.org,
	// no trailing slash, no query): the badge snippet and links sent
	// elsewhere are built on it. "" when not configured: pages then give
	// paths relative to the site, never an address taken from a request.
	PublicURL string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed (the visitor's address for the check form's budget). Empty:
	// the connection's peer is the visitor.
	TrustedProxies []netip.Prefix
	// CrawlTimeout bounds a whole crawl (`vigie crawl`, a scheduled one):
	// a forge that never answers costs this much, not retries without end.
	CrawlTimeout time.Duration
	// CheckTimeout bounds a check (`vigie check`, /check, /api/check, the
	// badge).
	CheckTimeout time.Duration
}

// Default deadlines. A crawl of a programme takes minutes, and up to an
// hour when a GitHub token's quota must refill (its window is an hour):
// four hours leave room for that and end before the next crawl of the
// default schedule (every six hours). A check of a repository takes a few
// seconds; a visitor of the check form waits for it, so a minute is the
// most it may take (a rate limit resetting later fails it at once).
const (
	DefaultCrawlTimeout = 4 * time.Hour
	DefaultCheckTimeout = time.Minute
)

// Schedule holds the cron expressions of `vigie serve`.
type Schedule struct {
	Timezone string
	Location *time.Location
	Crawl    string
	Report   string
}

// Report configures the weekly report.
type Report struct {
	Language           string // fr | en
	Recipients         []string
	SendToDefiContacts bool
}

// SMTP configures the mail server the report is sent through.
type SMTP struct {
	Host        string
	Port        int
	Security    string // none | starttls | tls
	UsernameEnv string
	PasswordEnv string
	Username    string `json:"-"`
	Password    string `json:"-"`
	From        string
}
