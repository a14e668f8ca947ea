// Package scan wires a crawl: configured repositories (and the organisations
// to discover) go to their forge's crawler, the facts through the checks, and
// the results into the store. `vigie check`, `vigie crawl`, the scheduled
// crawls of `vigie serve` and its check form all go through it.
package scan

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/crawler/httpx"
	"github.com/eiglink/vigie/store"
)

// Options are a Scanner's collaborators.
type Options struct {
	Store  store.Store // nil: Check only
	Logger *slog.Logger
	// Now gives the crawl time; nil means time.Now.
	Now func() time.Time
	// Forges overrides the crawler built for a configured forge name (tests,
	// the demo).
	Forges map[string]crawler.Forge
	// HTTP builds the HTTP client of one configured forge; nil uses
	// DefaultHTTP. The metrics observer and the ETag cache come in here.
	HTTP func(f config.Forge) *http.Client
}

// Scanner runs checks and crawls for one configuration.
type Scanner struct {
	cfg    *config.Config
	opts   Options
	log    *slog.Logger
	forges map[string]crawler.Forge
	// red removes every configured secret from what the scanner stores and
	// logs: the forges' errors quote their answers, and a forge may have
	// quoted the credentials.
	red *httpx.Redactor
	// crawlMu keeps two crawls from running at once in one process.
	crawlMu sync.Mutex
}

// New builds a Scanner with one crawler per configured forge.
func New(cfg *config.Config, opts Options) (*Scanner, error) {
	s := &Scanner{cfg: cfg, opts: opts, log: opts.Logger, forges: map[string]crawler.Forge{}, red: Secrets(cfg)}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = slog.New(s.red.Handler(s.log.Handler()))
	if s.opts.Now == nil {
		s.opts.Now = time.Now
	}
	for _, f := range cfg.Forges {
		if fg, ok := opts.Forges[f.Name]; ok {
			s.forges[f.Name] = fg
			continue
		}
		client := DefaultHTTP(f)
		if opts.HTTP != nil {
			client = opts.HTTP(f)
		}
		fg, err := newForge(f, client, s.log)
		if err != nil {
			return nil, fmt.Errorf("forge %s: %w", f.Name, err)
		}
		s.forges[f.Name] = fg
	}
	return s, nil
}

// Config returns the configuration the scanner works for.
func (s *Scanner) Config() *config.Config { return s.cfg }

// Resolve validates a repository URL against the configured forges without
// contacting anything.
func (s *Scanner) Resolve(url string) (crawler.Ref, error) { return s.cfg.Resolve(url) }

// Secrets returns the redactor of every secret the configuration holds:
// the forges' tokens and the SMTP password (the user name is not secret,
// and often an address that must stay readable).
func Secrets(cfg *config.Config) *httpx.Redactor {
	var secrets []string
	for _, f := range cfg.Forges {
		secrets = append(secrets, f.Tokens...)
	}
	return httpx.NewRedactor(append(secrets, cfg.SMTP.Password)...)
}

// deadline is the cause of a context ended by http.crawl_timeout or
// http.check_timeout: results and errors name the setting.
type deadline struct {
	key string
	d   time.Duration
}

func (e *deadline) Error() string {
	return fmt.Sprintf("stopped after %s (%s)", e.d, e.key)
}

func (e *deadline) Unwrap() error { return context.DeadlineExceeded }

// withDeadline bounds ctx by the configured duration of key.
func withDeadline(ctx context.Context, key string, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeoutCause(ctx, d, &deadline{key: key, d: d})
}

// Check fetches and scores the given repository URLs now, without storing,
// within http.check_timeout. It returns one snapshot per URL, in order. Its
// error is a usage error: a URL that is malformed or on no configured
// forge, before any network call.
func (s *Scanner) Check(ctx context.Context, urls []string) ([]store.Snapshot, error) {
	refs := make([]crawler.Ref, len(urls))
	for i, u := range urls {
		ref, err := s.cfg.Resolve(u)
		if err != nil {
			return nil, err
		}
		if r, ok := s.configured(ref); ok {
			ref = r // its défi, and the configuration's spelling of its path
		} else {
			ref.Defi = s.defiOf(ref)
		}
		refs[i] = ref
	}
	ctx, cancel := withDeadline(ctx, "http.check_timeout", s.cfg.HTTP.CheckTimeout)
	defer cancel()
	snaps := s.fetch(ctx, refs, nil, true)
	for i := range snaps {
		// The crawl leaves an organisation's forks out: so does the défi.
		if f := snaps[i].Facts; f != nil && f.Fork && snaps[i].Result.Defi != "" {
			if _, ok := s.configured(refs[i]); ok {
				continue
			}
			snaps[i].Result.Defi, f.Ref.Defi = "", ""
		}
	}
	return snaps, nil
}

// configured returns the configuration's entry for ref, if it lists it by
// name (the forges ignore the case of paths, so does this).
func (s *Scanner) configured(ref crawler.Ref) (crawler.Ref, bool) {
	for _, r := range s.cfg.Repos() {
		if strings.EqualFold(r.ID(), ref.ID()) {
			return r, true
		}
	}
	return crawler.Ref{}, false
}

// defiOf returns the défi of a repository the configuration does not list
// by name, as the crawl finds it: "" when no organisation holds it.
func (s *Scanner) defiOf(ref crawler.Ref) string {
	slug, _ := s.cfg.OrgDefi(ref.ID())
	return slug
}

// fetch crawls the refs (each distinct repository once), grouped by forge,
// and scores them; the snapshots come back in the refs' order.
//
// vigie publishes public repositories only. A repository its forge did
// not say is public gets crawler.NotPublic's facts: an error and nothing
// read from it, whatever its forge's crawler gathered. A crawl says so
// (its configuration names the repository); an ad hoc check (adhoc)
// answers it exactly as a repository that does not exist, so that a
// visitor learns nothing of a private repository, not even that it
// exists. A missing repository gets the same words from every forge
// (crawler.NotFoundFacts), in a crawl as in a check.
func (s *Scanner) fetch(ctx context.Context, refs []crawler.Ref, previous map[string]*crawler.Facts, adhoc bool) []store.Snapshot {
	now := s.opts.Now().UTC().Truncate(time.Second)
	ended := map[string]time.Time{}
	for _, d := range s.cfg.Defis {
		if d.Ended != "" {
			ended[d.Slug] = d.EndedAt
		}
	}
	byForge := map[string][]crawler.Job{}
	var order []string
	seen := map[string]bool{}
	for _, r := range refs {
		if seen[r.ID()] {
			continue
		}
		seen[r.ID()] = true
		if _, ok := byForge[r.Forge]; !ok {
			order = append(order, r.Forge)
		}
		// A défi that ended asks for the commits since its end.
		byForge[r.Forge] = append(byForge[r.Forge], crawler.Job{Ref: r, Previous: previous[r.ID()], Since: ended[r.Defi]})
	}
	facts := map[string]crawler.Facts{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, name := range order {
		jobs := byForge[name]
		fg := s.forges[name]
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := fg.Fetch(ctx, jobs, now)
			mu.Lock()
			defer mu.Unlock()
			for i, f := range out {
				if i < len(jobs) {
					f.Ref = jobs[i].Ref
					f.Origin = crawler.OriginCrawl
					if f.CrawledAt.IsZero() {
						f.CrawledAt = now
					}
					facts[f.Ref.ID()] = f
				}
			}
		}()
	}
	wg.Wait()
	snaps := make([]store.Snapshot, len(refs))
	opts := s.cfg.CheckOptions()
	for i, r := range refs {
		f, ok := facts[r.ID()]
		if !ok {
			f = crawler.Facts{Ref: r, CrawledAt: now, Error: "the forge returned no answer for this repository"}
			if err := ctx.Err(); err != nil {
				f.Error = "crawl interrupted: " + err.Error()
			}
		}
		var dl *deadline
		if f.Error != "" && errors.As(context.Cause(ctx), &dl) {
			// Say which setting stopped it, first, once.
			f.Error = fmt.Sprintf("%s: %s", dl, strings.ReplaceAll(f.Error, ": "+dl.Error(), ""))
		}
		// Errors quote the forges' answers: no secret is stored, printed
		// or logged.
		f.Error = s.red.String(f.Error)
		f.Ref = r
		if f.Error == "" && !f.Public() {
			f = crawler.NotPublic(r, f.CrawledAt, f.Visibility)
		}
		withheld := f.Withheld()
		if f.NotFound || adhoc && withheld {
			// One wording for every forge, so that a check tells
			// nothing a missing repository would not.
			f = crawler.NotFoundFacts(r, f.CrawledAt)
		}
		ff := f
		snaps[i] = store.Snapshot{Facts: &ff, Result: checks.Score(ff, opts)}
		// The result says it in words; the raw error is for the logs.
		switch {
		case withheld && !adhoc:
			s.log.Info("repository is not public on its forge: nothing of it is read or published", "repo", r.ID(), "visibility", f.Visibility)
		case f.Error != "":
			s.log.Info("repository could not be fetched", "repo", r.ID(), "failure", snaps[i].Result.Failure, "error", f.Error)
		}
	}
	return snaps
}

// Crawl crawls every configured repository (discovering organisations'
// repositories), stores the snapshots in one transaction and returns them in
// configuration order. Only one crawl runs at a time per Scanner.
func (s *Scanner) Crawl(ctx context.Context) ([]store.Snapshot, error) {
	s.crawlMu.Lock()
	defer s.crawlMu.Unlock()
	start := time.Now()
	ctx, cancel := withDeadline(ctx, "http.crawl_timeout", s.cfg.HTTP.CrawlTimeout)
	defer cancel()
	// One read of the previous crawl serves both the discovery (what the
	// orgs held) and the forges (the facts they may reuse).
	latest, err := s.latest(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the previous crawl: %w", err)
	}
	refs, gone, listErrs := s.plan(ctx, latest)
	// Only facts this instance's crawl wrote may stand for today's (the
	// forges reuse them when the repository did not change): seeded or
	// imported history describes another time or another instance.
	previous := map[string]*crawler.Facts{}
	for _, snap := range latest {
		if snap.Facts != nil && snap.Facts.Error == "" && snap.Facts.Origin == crawler.OriginCrawl {
			previous[snap.Result.Repo] = snap.Facts
		}
	}
	snaps := s.fetch(ctx, refs, previous, false)
	snaps = append(snaps, gone...)
	if err := ctx.Err(); err != nil {
		// An interrupted crawl stores nothing: the previous data stays whole.
		var dl *deadline
		if errors.As(context.Cause(ctx), &dl) {
			return snaps, fmt.Errorf("crawl %w: nothing stored, the previous crawl stays", dl)
		}
		return snaps, fmt.Errorf("crawl interrupted: %w", err)
	}
	if s.opts.Store != nil {
		if err := s.opts.Store.SaveCrawl(ctx, snaps); err != nil {
			return snaps, fmt.Errorf("store the crawl: %w", err)
		}
	}
	s.log.Info("crawl done", "repos", len(snaps), "duration", time.Since(start).Round(time.Millisecond))
	if len(listErrs) > 0 {
		return snaps, fmt.Errorf("%w: %w", ErrPartial, errors.Join(listErrs...))
	}
	return snaps, nil
}

// ErrPartial marks a crawl that was stored but could not list every
// organisation: their repositories known from earlier crawls were crawled,
// new ones may be missing.
var ErrPartial = errors.New("crawl incomplete")

// plan lists the repositories of this crawl: the configured ones, then per
// défi those its orgs list (forks left out unless listed by name, exclude
// patterns applied). Repositories an org listed at the previous crawl but no
// longer does come back as "gone" results, so they are reported once rather
// than silently dropped.
func (s *Scanner) plan(ctx context.Context, latest []store.Snapshot) ([]crawler.Ref, []store.Snapshot, []error) {
	var refs []crawler.Ref
	listed := map[string]bool{}
	for _, r := range s.cfg.Repos() {
		listed[strings.ToLower(r.ID())] = true
	}
	now := s.opts.Now().UTC().Truncate(time.Second)
	var gone []store.Snapshot
	var listErrs []error
	prevByDefi := s.previousDiscovered(latest)
	for _, d := range s.cfg.Defis {
		refs = append(refs, d.Repos...)
		var found []crawler.Ref
		failed := false
		for _, org := range d.Orgs {
			fg := s.forges[org.Forge]
			f := s.cfg.ForgeByName(org.Forge)
			repos, err := fg.ListOrg(ctx, org.Path)
			if err != nil {
				failed = true
				err = s.red.Error(err)
				if errors.Is(err, crawler.ErrListingCut) {
					// What was listed is crawled, with what earlier crawls knew.
					listErrs = append(listErrs, fmt.Errorf("organisation %s: its listing was cut after %d repositories, new ones may be missing: %w", org.URL, len(repos), err))
					s.log.Error("organisation listing cut: crawling what was listed and the repositories known from earlier crawls", "org", org.URL, "listed", len(repos), "error", err)
				} else {
					listErrs = append(listErrs, fmt.Errorf("organisation %s could not be listed: %w", org.URL, err))
					s.log.Error("cannot list organisation: crawling the repositories known from earlier crawls", "org", org.URL, "error", err)
				}
				// One unreachable listing must not drop the repositories
				// it held: crawl those the store knows under it.
				for _, p := range prevByDefi[d.Slug] {
					if strings.HasPrefix(strings.ToLower(p.URL), strings.ToLower(org.URL)+"/") {
						repos = append(repos, crawler.OrgRepo{Path: strings.TrimPrefix(p.URL, f.URL+"/")})
					}
				}
			}
			for _, or := range repos {
				ref := f.Ref(or.Path)
				ref.Defi = d.Slug
				key := strings.ToLower(ref.ID())
				if listed[key] || or.Fork || config.Excluded(d.Exclude, or.Path) {
					continue
				}
				listed[key] = true
				found = append(found, ref)
			}
		}
		sort.Slice(found, func(i, j int) bool { return found[i].ID() < found[j].ID() })
		refs = append(refs, found...)
		if len(d.Orgs) > 0 && !failed {
			for _, p := range prevByDefi[d.Slug] {
				if !listed[strings.ToLower(p.Repo)] {
					// Missing to the readers, who then hide its earlier
					// results: it may have been made private.
					const msg = "gone: no longer listed in the défi's organisations (deleted, moved, made private or excluded)"
					ref := crawler.Ref{Forge: p.Forge, URL: p.URL}
					if f := s.cfg.ForgeByName(p.Forge); f != nil {
						ref = f.Ref(strings.TrimPrefix(p.URL, f.URL+"/"))
					}
					ref.Defi = d.Slug
					gone = append(gone, store.Snapshot{
						Facts: &crawler.Facts{Ref: ref, CrawledAt: now, Error: msg, NotFound: true},
						Result: checks.Result{
							Repo: p.Repo, URL: p.URL, Forge: p.Forge, Defi: d.Slug, CrawledAt: now,
							Error: msg, Checks: []checks.Check{},
						}})
				}
			}
		}
	}
	return refs, gone, listErrs
}

// latest reads the newest snapshot of every stored repository (none
// without a store).
func (s *Scanner) latest(ctx context.Context) ([]store.Snapshot, error) {
	if s.opts.Store == nil {
		return nil, nil
	}
	return s.opts.Store.Latest(ctx)
}

// previousDiscovered returns, per défi, the stored results of repositories
// that are not listed by name in the configuration: those its orgs listed
// before, still considered followed unless already reported gone.
func (s *Scanner) previousDiscovered(latest []store.Snapshot) map[string][]checks.Result {
	out := map[string][]checks.Result{}
	named := map[string]bool{}
	for _, r := range s.cfg.Repos() {
		named[r.ID()] = true
	}
	for _, snap := range latest {
		r := snap.Result
		if named[r.Repo] || strings.HasPrefix(r.Error, "gone:") {
			continue
		}
		out[r.Defi] = append(out[r.Defi], r)
	}
	return out
}
