package config

import (
	"bytes"
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"

	"github.com/eiglink/vigie/checks"
)

// The raw* types mirror the YAML exactly; decoding is strict so that a
// misspelt key is an error rather than a silently ignored setting.
type rawConfig struct {
	Forges   []rawForge   `yaml:"forges"`
	Defis    []rawDefi    `yaml:"defis"`
	Storage  *rawStorage  `yaml:"storage"`
	Scoring  *rawScoring  `yaml:"scoring"`
	HTTP     *rawHTTP     `yaml:"http"`
	Schedule *rawSchedule `yaml:"schedule"`
	Report   *rawReport   `yaml:"report"`
	SMTP     *rawSMTP     `yaml:"smtp"`
}

type rawForge struct {
	Name      string   `yaml:"name"`
	Type      string   `yaml:"type"`
	URL       string   `yaml:"url"`
	APIURL    string   `yaml:"api_url"`
	TokenEnv  string   `yaml:"token_env"`
	TokenEnvs []string `yaml:"token_envs"`
	// Concurrency bounds the requests in flight to the forge; lower it for
	// a small self-hosted instance.
	Concurrency int `yaml:"concurrency"`
}

type rawDefi struct {
	Slug     string   `yaml:"slug"`
	Name     string   `yaml:"name"`
	Contacts []string `yaml:"contacts"`
	Repos    []string `yaml:"repos"`
	Orgs     []string `yaml:"orgs"`
	Exclude  []string `yaml:"exclude"`
	Ended    string   `yaml:"ended"`
	Team     []string `yaml:"team"`
}

type rawStorage struct {
	Driver string `yaml:"driver"`
	DSN    string `yaml:"dsn"`
}

type rawScoring struct {
	Weights     map[string]float64 `yaml:"weights"`
	DormantDays *int               `yaml:"dormant_days"`
}

type rawHTTP struct {
	Listen         string   `yaml:"listen"`
	PublicURL      string   `yaml:"public_url"`
	TrustedProxies []string `yaml:"trusted_proxies"`
	CrawlTimeout   string   `yaml:"crawl_timeout"`
	CheckTimeout   string   `yaml:"check_timeout"`
}

type rawSchedule struct {
	Timezone string `yaml:"timezone"`
	Crawl    string `yaml:"crawl"`
	Report   string `yaml:"report"`
}

type rawReport struct {
	Language           string   `yaml:"language"`
	Recipients         []string `yaml:"recipients"`
	SendToDefiContacts bool     `yaml:"send_to_defi_contacts"`
}

type rawSMTP struct {
	Host        string `yaml:"host"`
	Port        int    `yaml:"port"`
	Security    string `yaml:"security"`
	UsernameEnv string `yaml:"username_env"`
	PasswordEnv string `yaml:"password_env"`
	From        string `yaml:"from"`
}

// Error is a configuration problem: it names the file, the key and what is
// wrong, in one line.
type Error struct {
	File string
	Line int    // 0 when unknown
	Key  string // e.g. "defis[2].repos[0]"; "" when the whole file is at fault
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Env looks up an environment variable; tests pass their own.
type Env func(string) string

// Load reads and validates the configuration file at path, reading tokens
// and SMTP credentials through env (os.Getenv when nil).
func Load(file string, env Env) (*Config, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, &Error{File: file, Msg: fmt.Sprintf("cannot read the configuration: %v", errors.Unwrap(err))}
	}
	cfg, err := Parse(file, data, env)
	if err != nil {
		return nil, err
	}
	cfg.Storage.DSN = sqlitePathFrom(cfg.Storage, file)
	return cfg, nil
}

// sqlitePathFrom makes a relative SQLite path relative to the
// configuration file's folder rather than to the working directory, so that
// `vigie crawl` and `vigie serve` started from different folders use one
// database. A "file:" URI keeps its query; ":memory:" and absolute paths
// stay as they are.
func sqlitePathFrom(s Storage, file string) string {
	if s.Driver != "sqlite" || s.DSN == "" || strings.HasPrefix(s.DSN, ":memory:") {
		return s.DSN
	}
	dir := filepath.Dir(file)
	if rest, ok := strings.CutPrefix(s.DSN, "file:"); ok {
		p, query, _ := strings.Cut(rest, "?")
		if p == "" || p == ":memory:" || filepath.IsAbs(p) || strings.HasPrefix(p, "/") {
			return s.DSN
		}
		out := "file:" + filepath.Join(dir, p)
		if query != "" {
			out += "?" + query
		}
		return out
	}
	if filepath.IsAbs(s.DSN) {
		return s.DSN
	}
	return filepath.Join(dir, s.DSN)
}

var yamlLine = regexp.MustCompile(`line (\d+): (.*)`)
var unknownField = regexp.MustCompile(`field (\S+) not found in type config\.raw(\w+)`)

// Parse validates a configuration held in memory; file names it in errors.
func Parse(file string, data []byte, env Env) (*Config, error) {
	if env == nil {
		env = os.Getenv
	}
	var raw rawConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		return nil, yamlError(file, err)
	}
	var doc yaml.Node
	_ = yaml.Unmarshal(data, &doc) // already decoded once: cannot fail
	v := validator{file: file, env: env, doc: &doc}
	cfg := v.config(&raw)
	if v.err != nil {
		return nil, v.err
	}
	cfg.File = file
	return cfg, nil
}

// yamlError turns the YAML library's message into one line naming the file,
// the line and the key.
func yamlError(file string, err error) error {
	if errors.Is(err, errEOF) || err.Error() == "EOF" {
		return &Error{File: file, Msg: "the file is empty; it needs at least `forges` and `defis`"}
	}
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	e := &Error{File: file, Msg: msg}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		fmt.Sscan(m[1], &e.Line)
		e.Msg = m[2]
	}
	if m := unknownField.FindStringSubmatch(e.Msg); m != nil {
		section := map[string]string{"Config": "top level", "Forge": "a forge", "Defi": "a défi",
			"Storage": "storage", "Scoring": "scoring", "HTTP": "http", "Schedule": "schedule",
			"Report": "report", "SMTP": "smtp"}[m[2]]
		e.Key = m[1]
		e.Msg = fmt.Sprintf("unknown key in %s (misspelt? docs/reference.md lists every key, examples/vigie.yml shows them)", section)
	}
	return e
}

var errEOF = errors.New("EOF")

// publicURL validates http.public_url: an absolute http(s) URL with a host,
// no credentials, query or fragment; the trailing slash is dropped.
func publicURL(s string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Opaque != "" {
		return "", fmt.Errorf("%q is not an absolute http(s) URL (e.g. https://vigie.example.org)", s)
	}
	if u.User != nil {
		return "", fmt.Errorf("%q holds credentials: give the public address only", redactUser(u))
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", fmt.Errorf("%q has a query or fragment: give the site's root address only", s)
	}
	u.Host = strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String(), nil
}

// proxyPrefix reads one http.trusted_proxies entry: a CIDR block, or a
// single address (a /32 or /128).
func proxyPrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	return netip.Prefix{}, fmt.Errorf("%q is neither a CIDR block (10.0.0.0/8, fd00::/8) nor an address", s)
}

type validator struct {
	file string
	env  Env
	doc  *yaml.Node
	err  error
}

// fail records the first problem only: one clear line beats a list.
func (v *validator) fail(key, format string, args ...any) {
	if v.err != nil {
		return
	}
	v.err = &Error{File: v.file, Line: v.line(key), Key: key, Msg: fmt.Sprintf(format, args...)}
}

// line finds the line of a key path such as "defis[2].repos[0]" in the
// document, so errors point at the place to fix.
func (v *validator) line(key string) int {
	n := v.doc
	if n == nil || len(n.Content) == 0 {
		return 0
	}
	n = n.Content[0]
	line := 0
	for _, part := range strings.Split(key, ".") {
		name, idx := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 {
			name = part[:i]
			fmt.Sscanf(part[i:], "[%d]", &idx)
		}
		if n.Kind != yaml.MappingNode {
			return line
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == name {
				line = n.Content[i].Line
				next = n.Content[i+1]
				break
			}
		}
		if next == nil {
			return line
		}
		n = next
		if idx >= 0 {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return line
			}
			n = n.Content[idx]
			line = n.Line
		}
	}
	return line
}

var (
	forgeName = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
	slugRe    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	envName   = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// loginRe matches a forge login (GitHub, GitLab, Gitea), with or
	// without a leading @.
	loginRe = regexp.MustCompile(`^@?[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// config validates raw section by section, in the order of the file.
func (v *validator) config(raw *rawConfig) *Config {
	cfg := &Config{}
	if !v.forges(cfg, raw) {
		return cfg
	}
	v.defis(cfg, raw)
	v.storage(cfg, raw)
	v.scoring(cfg, raw)
	v.http(cfg, raw)
	v.schedule(cfg, raw)
	endedAt(cfg)
	v.report(cfg, raw)
	v.smtp(cfg, raw)
	return cfg
}

// endedAt sets each ended défi's EndedAt: the whole end day belongs to the
// défi, what follows starts at the next midnight in the schedule's time
// zone.
func endedAt(cfg *Config) {
	loc := cfg.Schedule.Location
	if loc == nil {
		return
	}
	for i := range cfg.Defis {
		if day, err := time.ParseInLocation(time.DateOnly, cfg.Defis[i].Ended, loc); err == nil {
			cfg.Defis[i].EndedAt = day.AddDate(0, 0, 1)
		}
	}
}

// forges validates every forge; false when one is too broken for the
// défis' URLs to be resolved against the list.
func (v *validator) forges(cfg *Config, raw *rawConfig) bool {
	if len(raw.Forges) == 0 {
		v.fail("forges", "at least one forge is required (e.g. name: github, type: github, url: https://github.com)")
	}
	hosts := map[string]string{}
	names := map[string]bool{}
	for i, rf := range raw.Forges {
		key := fmt.Sprintf("forges[%d]", i)
		f := v.forge(key, rf)
		if v.err != nil {
			return false
		}
		if names[f.Name] {
			v.fail(key+".name", "forge name %q is used twice", f.Name)
		}
		names[f.Name] = true
		if other, ok := hosts[f.URL]; ok {
			v.fail(key+".url", "%s is already the url of forge %q", f.URL, other)
		}
		hosts[f.URL] = f.Name
		cfg.Forges = append(cfg.Forges, f)
	}
	return true
}

// defis validates every défi and resolves its repositories and
// organisations against the forges.
func (v *validator) defis(cfg *Config, raw *rawConfig) {
	if len(raw.Defis) == 0 {
		v.fail("defis", "at least one défi is required (slug, name and repos or orgs)")
	}
	slugs := map[string]bool{}
	seen := map[string]string{} // repo id -> key where first listed
	for i, rd := range raw.Defis {
		key := fmt.Sprintf("defis[%d]", i)
		d := Defi{Slug: rd.Slug, Name: strings.TrimSpace(rd.Name), Contacts: rd.Contacts, Exclude: rd.Exclude}
		switch {
		case rd.Slug == "":
			v.fail(key+".slug", "missing: every défi needs a slug (lower-case letters, digits and dashes)")
		case !slugRe.MatchString(rd.Slug):
			v.fail(key+".slug", "%q is not a slug: use lower-case letters, digits and dashes", rd.Slug)
		case slugs[rd.Slug]:
			v.fail(key+".slug", "slug %q is used by two défis", rd.Slug)
		}
		slugs[rd.Slug] = true
		if d.Name == "" {
			v.fail(key+".name", "missing: every défi needs a name")
		}
		if len(rd.Repos) == 0 && len(rd.Orgs) == 0 {
			v.fail(key, "défi %q lists no repos and no orgs: give at least one", rd.Slug)
		}
		for j, c := range rd.Contacts {
			if _, err := mail.ParseAddress(c); err != nil {
				v.fail(fmt.Sprintf("%s.contacts[%d]", key, j), "%q is not an e-mail address", c)
			}
		}
		if rd.Ended != "" {
			if _, err := time.Parse(time.DateOnly, rd.Ended); err != nil {
				v.fail(key+".ended", "%q is not a date: write the day the défi ended as YYYY-MM-DD (e.g. 2019-11-30)", rd.Ended)
			} else {
				d.Ended = rd.Ended
			}
		}
		for j, m := range rd.Team {
			m = strings.TrimSpace(m)
			switch {
			case strings.Contains(m, "@") && !strings.HasPrefix(m, "@"):
				if _, err := mail.ParseAddress(m); err != nil {
					v.fail(fmt.Sprintf("%s.team[%d]", key, j), "%q is not an e-mail address", m)
					continue
				}
			case !loginRe.MatchString(m):
				v.fail(fmt.Sprintf("%s.team[%d]", key, j), "%q is neither a forge login nor a commit e-mail", m)
				continue
			}
			d.Team = append(d.Team, m)
		}
		for j, p := range rd.Exclude {
			if _, err := path.Match(p, "x/y"); err != nil {
				v.fail(fmt.Sprintf("%s.exclude[%d]", key, j), "%q is not a valid glob pattern", p)
			}
		}
		for j, u := range rd.Repos {
			rkey := fmt.Sprintf("%s.repos[%d]", key, j)
			ref, err := cfg.Resolve(u)
			if err != nil {
				v.fail(rkey, "%v", err)
				continue
			}
			ref.Defi = rd.Slug
			if prev, ok := seen[ref.ID()]; ok {
				v.fail(rkey, "%s is listed twice (already at %s, line %d); a repository belongs to one défi", ref.URL, prev, v.line(prev))
				continue
			}
			seen[ref.ID()] = rkey
			d.Repos = append(d.Repos, ref)
		}
		for j, u := range rd.Orgs {
			okey := fmt.Sprintf("%s.orgs[%d]", key, j)
			org, err := cfg.ResolveOrg(u)
			if err != nil {
				v.fail(okey, "%v", err)
				continue
			}
			d.Orgs = append(d.Orgs, org)
		}
		cfg.Defis = append(cfg.Defis, d)
	}
}

func (v *validator) forge(key string, rf rawForge) Forge {
	f := Forge{Name: rf.Name, Type: rf.Type, TokenEnv: rf.TokenEnv, Concurrency: rf.Concurrency}
	switch {
	case rf.Concurrency < 0 || rf.Concurrency > 64:
		v.fail(key+".concurrency", "%d: give 1 to 64 requests in flight (0 or absent: the default)", rf.Concurrency)
	case rf.Concurrency == 0:
		f.Concurrency = DefaultConcurrency(rf.Type)
	}
	switch {
	case rf.Name == "":
		v.fail(key+".name", "missing: every forge needs a name (used in results and metrics)")
	case !forgeName.MatchString(rf.Name):
		v.fail(key+".name", "%q: use lower-case letters, digits, dots, dashes", rf.Name)
	}
	if rf.Type != "github" && rf.Type != "gitlab" && rf.Type != "gitea" {
		v.fail(key+".type", "%q is not a forge type: use github, gitlab or gitea (Gitea and Forgejo)", rf.Type)
		return f
	}
	web, err := baseURL(rf.URL)
	if err != nil {
		v.fail(key+".url", "%v", err)
		return f
	}
	f.URL, f.Host = web.String(), strings.ToLower(web.Host)
	if rf.APIURL != "" {
		api, err := baseURL(rf.APIURL)
		if err != nil {
			v.fail(key+".api_url", "%v", err)
			return f
		}
		f.APIURL = api.String()
	}
	switch f.Type {
	case "github":
		if f.APIURL == "" {
			if f.Host == "github.com" {
				f.APIURL = "https://api.github.com"
			} else {
				f.APIURL = f.URL + "/api/v3" // GitHub Enterprise Server
			}
		}
		if strings.HasSuffix(f.APIURL, "/api/v3") {
			f.GraphQLURL = strings.TrimSuffix(f.APIURL, "/v3") + "/graphql"
		} else {
			f.GraphQLURL = f.APIURL + "/graphql"
		}
	case "gitlab":
		if f.APIURL == "" {
			f.APIURL = f.URL
		}
		f.APIURL = strings.TrimSuffix(f.APIURL, "/api/v4")
	case "gitea":
		// The instance root, as for GitLab: the client adds /api/v1.
		if f.APIURL == "" {
			f.APIURL = f.URL
		}
		f.APIURL = strings.TrimSuffix(f.APIURL, "/api/v1")
	}
	envs := rf.TokenEnvs
	if rf.TokenEnv != "" {
		envs = append([]string{rf.TokenEnv}, envs...)
	}
	seenEnv := map[string]bool{}
	for i, e := range envs {
		k := key + ".token_env"
		if rf.TokenEnv == "" || i > 0 {
			k = fmt.Sprintf("%s.token_envs[%d]", key, i-btoi(rf.TokenEnv != ""))
		}
		if !v.envKey(k, e) {
			continue
		}
		if seenEnv[e] {
			continue
		}
		seenEnv[e] = true
		f.TokenEnvs = append(f.TokenEnvs, e)
		if t := strings.TrimSpace(v.secret(key+".token_env", e)); t != "" {
			f.Tokens = append(f.Tokens, t)
		}
	}
	if f.TokenEnv == "" && len(f.TokenEnvs) > 0 {
		f.TokenEnv = f.TokenEnvs[0]
	}
	return f
}

// DefaultConcurrency is the requests in flight to a forge of that type
// when the configuration does not say. GitLab is crawled by REST calls per
// project, so more in flight hides the latency (the transport still paces on
// the instance's rate-limit headers); GitHub is crawled by a few large
// GraphQL queries, and its secondary limits punish bursts.
// A Gitea or Forgejo instance is often small and shared (Codeberg asks
// crawlers to go easy): 4.
func DefaultConcurrency(forgeType string) int {
	switch forgeType {
	case "gitlab":
		return 16
	case "gitea":
		return 4
	}
	return 8
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (v *validator) storage(cfg *Config, raw *rawConfig) {
	cfg.Storage = Storage{Driver: "sqlite", DSN: "vigie.db"}
	if s := raw.Storage; s != nil {
		if s.Driver != "" {
			cfg.Storage.Driver = s.Driver
		}
		if s.DSN != "" {
			cfg.Storage.DSN = s.DSN
		} else if cfg.Storage.Driver == "postgres" {
			v.fail("storage.dsn", "missing: the postgres driver needs a dsn (postgres://user:password@host/db)")
		}
	}
	if d := cfg.Storage.Driver; d != "sqlite" && d != "postgres" {
		v.fail("storage.driver", "%q is not a driver: use sqlite or postgres", d)
	}
}

func (v *validator) scoring(cfg *Config, raw *rawConfig) {
	cfg.Scoring = Scoring{Weights: checks.DefaultWeights(), DormantDays: checks.DefaultDormantDays}
	if s := raw.Scoring; s != nil {
		total := 0.0
		for name, w := range s.Weights {
			if _, ok := checks.Lookup(name); !ok {
				v.fail("scoring.weights."+name, "unknown check: the checks are %s", strings.Join(checks.Names(), ", "))
			}
			if w < 0 {
				v.fail("scoring.weights."+name, "weight %v is negative", w)
			}
			cfg.Scoring.Weights[name] = w
		}
		for _, w := range cfg.Scoring.Weights {
			total += w
		}
		if total <= 0 {
			v.fail("scoring.weights", "all weights are zero: at least one check must count")
		}
		if s.DormantDays != nil {
			if *s.DormantDays < 1 {
				v.fail("scoring.dormant_days", "%d: must be a positive number of days", *s.DormantDays)
			}
			cfg.Scoring.DormantDays = *s.DormantDays
		}
	}
}

func (v *validator) http(cfg *Config, raw *rawConfig) {
	cfg.HTTP = HTTP{Listen: ":8080", CrawlTimeout: DefaultCrawlTimeout, CheckTimeout: DefaultCheckTimeout}
	if h := raw.HTTP; h != nil {
		if h.Listen != "" {
			cfg.HTTP.Listen = h.Listen
		}
		if h.PublicURL != "" {
			u, err := publicURL(h.PublicURL)
			if err != nil {
				v.fail("http.public_url", "%v", err)
			}
			cfg.HTTP.PublicURL = u
		}
		for i, c := range h.TrustedProxies {
			p, err := proxyPrefix(c)
			if err != nil {
				v.fail(fmt.Sprintf("http.trusted_proxies[%d]", i), "%v", err)
				continue
			}
			cfg.HTTP.TrustedProxies = append(cfg.HTTP.TrustedProxies, p)
		}
		cfg.HTTP.CrawlTimeout = v.duration("http.crawl_timeout", h.CrawlTimeout, cfg.HTTP.CrawlTimeout)
		cfg.HTTP.CheckTimeout = v.duration("http.check_timeout", h.CheckTimeout, cfg.HTTP.CheckTimeout)
	}
}

func (v *validator) schedule(cfg *Config, raw *rawConfig) {
	cfg.Schedule = Schedule{Timezone: "Europe/Paris", Crawl: "0 */6 * * *", Report: "0 8 * * 1"}
	if s := raw.Schedule; s != nil {
		if s.Timezone != "" {
			cfg.Schedule.Timezone = s.Timezone
		}
		if s.Crawl != "" {
			cfg.Schedule.Crawl = s.Crawl
		}
		if s.Report != "" {
			cfg.Schedule.Report = s.Report
		}
	}
	loc, err := time.LoadLocation(cfg.Schedule.Timezone)
	if err != nil {
		v.fail("schedule.timezone", "%q is not a time zone (e.g. Europe/Paris)", cfg.Schedule.Timezone)
	}
	cfg.Schedule.Location = loc
	if _, err := ParseCron(cfg.Schedule.Crawl); err != nil {
		v.fail("schedule.crawl", "%q is not a cron expression: %v", cfg.Schedule.Crawl, err)
	}
	if _, err := ParseCron(cfg.Schedule.Report); err != nil {
		v.fail("schedule.report", "%q is not a cron expression: %v", cfg.Schedule.Report, err)
	}
}

// cronParser reads the schedule's expressions as gocron does with seconds
// enabled: five fields, or six with seconds first.
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseCron reads a schedule expression (schedule.crawl, schedule.report)
// as the configuration accepts it and gocron runs it.
func ParseCron(expr string) (cron.Schedule, error) { return cronParser.Parse(expr) }

func (v *validator) report(cfg *Config, raw *rawConfig) {
	cfg.Report = Report{Language: "fr"}
	if r := raw.Report; r != nil {
		if r.Language != "" {
			cfg.Report.Language = r.Language
		}
		cfg.Report.Recipients = r.Recipients
		cfg.Report.SendToDefiContacts = r.SendToDefiContacts
		for i, a := range r.Recipients {
			if _, err := mail.ParseAddress(a); err != nil {
				v.fail(fmt.Sprintf("report.recipients[%d]", i), "%q is not an e-mail address", a)
			}
		}
	}
	if l := cfg.Report.Language; l != "fr" && l != "en" {
		v.fail("report.language", "%q: use fr or en", l)
	}
}

func (v *validator) smtp(cfg *Config, raw *rawConfig) {
	cfg.SMTP = SMTP{Host: "localhost", Port: 587, Security: "starttls", UsernameEnv: "SMTP_USERNAME", PasswordEnv: "SMTP_PASSWORD", From: "vigie@example.org"}
	if s := raw.SMTP; s != nil {
		if s.Host != "" {
			cfg.SMTP.Host = s.Host
		}
		if s.Port != 0 {
			cfg.SMTP.Port = s.Port
		}
		if s.Port < 0 || s.Port > 65535 {
			v.fail("smtp.port", "%d is not a port", s.Port)
		}
		if s.Security != "" {
			cfg.SMTP.Security = s.Security
		}
		if s.UsernameEnv != "" {
			cfg.SMTP.UsernameEnv = s.UsernameEnv
		}
		if s.PasswordEnv != "" {
			cfg.SMTP.PasswordEnv = s.PasswordEnv
		}
		if s.From != "" {
			cfg.SMTP.From = s.From
		}
	}
	if s := raw.SMTP; s != nil {
		if s.UsernameEnv != "" {
			v.envKey("smtp.username_env", s.UsernameEnv)
		}
		if s.PasswordEnv != "" {
			v.envKey("smtp.password_env", s.PasswordEnv)
		}
	}
	if sec := cfg.SMTP.Security; sec != "none" && sec != "starttls" && sec != "tls" {
		v.fail("smtp.security", "%q: use none, starttls or tls", sec)
	}
	if _, err := mail.ParseAddress(cfg.SMTP.From); err != nil {
		v.fail("smtp.from", "%q is not an e-mail address", cfg.SMTP.From)
	}
	cfg.SMTP.Username = strings.TrimRight(v.secret("smtp.username_env", cfg.SMTP.UsernameEnv), "\r\n")
	cfg.SMTP.Password = strings.TrimRight(v.secret("smtp.password_env", cfg.SMTP.PasswordEnv), "\r\n")
}

// secret returns the value of the environment variable name or, when it is
// unset or empty, the content of the file named by name_FILE: container
// orchestrators (compose and Kubernetes secrets) and systemd credentials hand
// secrets over as files, and the convention is the one of the official
// database images. The content never appears in an error.
func (v *validator) secret(key, name string) string {
	if name == "" {
		return ""
	}
	if val := v.env(name); val != "" {
		return val
	}
	file := v.env(name + "_FILE")
	if file == "" {
		return ""
	}
	b, err := os.ReadFile(file)
	if err != nil {
		v.fail(key, "%s_FILE=%s: cannot read the file holding %s: %v", name, file, name, errors.Unwrap(err))
		return ""
	}
	return string(b)
}

// duration reads a positive Go duration ("90s", "30m", "2h"); "" keeps def.
func (v *validator) duration(key, s string, def time.Duration) time.Duration {
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		v.fail(key, "%q is not a positive duration (e.g. 90s, 30m, 2h)", s)
		return def
	}
	return d
}
