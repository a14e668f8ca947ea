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
	// PartSize is how many repositories of one forge a crawl fetches and
	// stores at a time (0: DefaultPartSize).
	PartSize int
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
	ended := s.ended()
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
		snaps[i] = s.snapshot(ctx, r, f, ok, now, adhoc, opts)
	}
	return snaps
}

// snapshot scores the facts a forge gave for r (ok false: it gave none),
// applying the rules every crawl and check share (see fetch).
func (s *Scanner) snapshot(ctx context.Context, r crawler.Ref, f crawler.Facts, ok bool, now time.Time, adhoc bool, opts checks.Options) store.Snapshot {
	if !ok {
		f = crawler.Facts{Ref: r, CrawledAt: now, Error: "the forge returned no answer for this repository"}
		if err := ctx.Err(); err != nil {
			f.Error = "crawl interrupted: " + err.Error()
		}
	} else {
		f.Origin = crawler.OriginCrawl
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
	if f.CrawledAt.IsZero() {
		f.CrawledAt = now
	}
	if f.Error == "" && !f.Public() {
		f = crawler.NotPublic(r, f.CrawledAt, f.Visibility)
	}
	withheld := f.Withheld()
	if f.NotFound || adhoc && withheld {
		// One wording for every forge, so that a check tells
		// nothing a missing repository would not.
		f = crawler.NotFoundFacts(r, f.CrawledAt)
	}
	snap := store.Snapshot{Facts: &f, Result: checks.Score(f, opts)}
	// The result says it in words; the raw error is for the logs.
	switch {
	case withheld && !adhoc:
		s.log.Info("repository is not public on its forge: nothing of it is read or published", "repo", r.ID(), "visibility", f.Visibility)
	case f.Error != "":
		s.log.Info("repository could not be fetched", "repo", r.ID(), "failure", snap.Result.Failure, "error", f.Error)
	}
	return snap
}

// DefaultPartSize is how many repositories of one forge a crawl fetches,
// scores and stores at a time (Options.PartSize).
const DefaultPartSize = 500

// Crawl crawls every configured repository (discovering organisations'
// repositories), stores the snapshots and returns them in configuration
// order. It holds every snapshot until the end: `vigie crawl` prints them;
// a large programme streams with Stream. Only one crawl runs at a time per
// Scanner.
func (s *Scanner) Crawl(ctx context.Context) ([]store.Snapshot, error) {
	var snaps []store.Snapshot
	_, err := s.Stream(ctx, func(i int, snap store.Snapshot) {
		for len(snaps) <= i {
			snaps = append(snaps, store.Snapshot{})
		}
		snaps[i] = snap
	})
	// An interrupted crawl leaves holes: the repositories never fetched.
	out := snaps[:0]
	for _, sn := range snaps {
		if sn.Result.Repo != "" {
			out = append(out, sn)
		}
	}
	return out, err
}

// Stats sums up a crawl.
type Stats struct {
	Repos       int // snapshots stored (gone repositories included)
	Unreachable int // of which with an error
	Parts       int // transactions
}

// Stream crawls every configured repository (discovering organisations'
// repositories) in parts: per forge, Options.PartSize repositories at a
// time are fetched (each job with its previous facts, read for that part
// alone; two parts at once), scored and stored in one transaction, then
// handed to each
// (which may be nil) with their index in configuration order, and let go.
// Memory thus grows with a part, not with the programme. Repositories an
// organisation no longer lists come last, as "gone" results.
//
// The crawl is one store crawl (store.Store.BeginCrawl): all its
// snapshots carry its time. Readers see each part once committed; an
// interrupted crawl (ctx cancelled, process killed) keeps its committed
// parts and the previous snapshots of the rest, and is not counted as a
// crawl done (LastCrawl). each is never called concurrently.
func (s *Scanner) Stream(ctx context.Context, each func(i int, snap store.Snapshot)) (Stats, error) {
	s.crawlMu.Lock()
	defer s.crawlMu.Unlock()
	start := time.Now()
	ctx, cancel := withDeadline(ctx, "http.crawl_timeout", s.cfg.HTTP.CrawlTimeout)
	defer cancel()
	now := s.opts.Now().UTC().Truncate(time.Second)
	// What the previous crawl knew, in brief: which repositories the
	// organisations held. The facts come part by part.
	var index []store.Entry
	if st := s.opts.Store; st != nil {
		var err error
		if index, err = st.Index(ctx); err != nil {
			return Stats{}, fmt.Errorf("read the previous crawl: %w", err)
		}
	}
	refs, gone, listErrs := s.plan(ctx, index, now)
	index = nil
	if ctx.Err() != nil {
		// Stopped while the organisations were listed.
		return Stats{}, interrupted(ctx, Stats{})
	}
	var crawlID int64
	if st := s.opts.Store; st != nil {
		var err error
		if crawlID, err = st.BeginCrawl(ctx, now); err != nil {
			return Stats{}, fmt.Errorf("store the crawl: %w", err)
		}
	}

	// Each distinct repository once, grouped by forge; the indexes of
	// every mention of it.
	at := map[string][]int{}
	byForge := map[string][]crawler.Ref{}
	var order []string
	for i, r := range refs {
		id := r.ID()
		if _, ok := at[id]; !ok {
			if _, ok := byForge[r.Forge]; !ok {
				order = append(order, r.Forge)
			}
			byForge[r.Forge] = append(byForge[r.Forge], r)
		}
		at[id] = append(at[id], i)
	}
	size := s.opts.PartSize
	if size <= 0 {
		size = DefaultPartSize
	}
	var (
		mu       sync.Mutex // guards stats, storeErr, each
		stats    Stats
		storeErr error
	)
	opts := s.cfg.CheckOptions()
	emit := func(snaps []store.Snapshot, index func(k int) []int) error {
		if len(snaps) == 0 {
			return nil
		}
		if st := s.opts.Store; st != nil {
			if err := st.SavePart(ctx, crawlID, snaps); err != nil {
				return err
			}
		}
		mu.Lock()
		defer mu.Unlock()
		stats.Parts++
		for k, sn := range snaps {
			stats.Repos++
			if sn.Result.Error != "" {
				stats.Unreachable++
			}
			if each != nil {
				for _, i := range index(k) {
					each(i, sn)
				}
			}
		}
		return nil
	}
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if storeErr == nil {
			storeErr = err
			cancel()
		}
	}
	var wg sync.WaitGroup
	for _, name := range order {
		fg := s.forges[name]
		// Two parts of a forge at a time: while one part's last
		// repositories finish (the slowest sets a part's pace), the next
		// part keeps the forge's connections busy.
		parts := make(chan []crawler.Ref)
		go func() {
			defer close(parts)
			for all := byForge[name]; len(all) > 0; {
				part := all[:min(size, len(all))]
				all = all[len(part):]
				select {
				case parts <- part:
				case <-ctx.Done():
					return
				}
			}
		}()
		for range partsInFlight {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for part := range parts {
					if ctx.Err() != nil {
						return
					}
					s.crawlPart(ctx, fg, part, now, opts, emit, at, fail)
				}
			}()
		}
	}
	wg.Wait()
	if storeErr != nil {
		return stats, storeErr
	}
	if ctx.Err() != nil {
		// The parts committed stay; the crawl is not ended, so it does
		// not count as done.
		return stats, interrupted(ctx, stats)
	}
	if err := emit(gone, func(k int) []int { return []int{len(refs) + k} }); err != nil {
		return stats, fmt.Errorf("store the crawl: %w", err)
	}
	if st := s.opts.Store; st != nil {
		if err := st.EndCrawl(ctx, crawlID); err != nil {
			return stats, fmt.Errorf("store the crawl: %w", err)
		}
	}
	s.log.Info("crawl done", "repos", stats.Repos, "parts", stats.Parts, "duration", time.Since(start).Round(time.Millisecond))
	if len(listErrs) > 0 {
		return stats, fmt.Errorf("%w: %w", ErrPartial, errors.Join(listErrs...))
	}
	return stats, nil
}

// ended returns the end of every défi that ended, by slug.
func (s *Scanner) ended() map[string]time.Time {
	ended := map[string]time.Time{}
	for _, d := range s.cfg.Defis {
		if d.Ended != "" {
			ended[d.Slug] = d.EndedAt
		}
	}
	return ended
}

// interrupted is the error of a crawl stopped (ctx done) after it stored
// what stats say.
func interrupted(ctx context.Context, stats Stats) error {
	kept := "nothing stored, the previous crawl stays"
	if stats.Parts > 0 {
		kept = fmt.Sprintf("%d repositories stored in %d parts, the others keep the previous crawl's", stats.Repos, stats.Parts)
	}
	var dl *deadline
	if errors.As(context.Cause(ctx), &dl) {
		return fmt.Errorf("crawl %w: %s", dl, kept)
	}
	return fmt.Errorf("crawl interrupted (%s): %w", kept, ctx.Err())
}

// partsInFlight is how many parts of one forge a crawl fetches at once.
const partsInFlight = 2

// crawlPart fetches, scores and stores one part (emit), or stops the
// crawl (fail) when the store cannot be read or written.
func (s *Scanner) crawlPart(ctx context.Context, fg crawler.Forge, part []crawler.Ref, now time.Time, opts checks.Options,
	emit func([]store.Snapshot, func(int) []int) error, at map[string][]int, fail func(error)) {
	snaps, err := s.part(ctx, fg, part, now, opts)
	if err != nil {
		if ctx.Err() == nil {
			fail(err)
		}
		return
	}
	if ctx.Err() != nil {
		// Facts fetched while the crawl was being stopped are not
		// trusted: the part is not stored.
		return
	}
	if err := emit(snaps, func(k int) []int { return at[part[k].ID()] }); err != nil && ctx.Err() == nil {
		// (Stopped while the part was being stored: rolled back, as
		// the crawl being interrupted says.)
		fail(fmt.Errorf("store the crawl: %w", err))
	}
}

// part fetches one part of one forge's repositories with their previous
// facts, and scores them.
func (s *Scanner) part(ctx context.Context, fg crawler.Forge, refs []crawler.Ref, now time.Time, opts checks.Options) ([]store.Snapshot, error) {
	previous := map[string]*crawler.Facts{}
	if st := s.opts.Store; st != nil {
		ids := make([]string, len(refs))
		for i, r := range refs {
			ids[i] = r.ID()
		}
		prev, err := st.LatestOf(ctx, ids)
		if err != nil {
			return nil, fmt.Errorf("read the previous crawl: %w", err)
		}
		// Only facts this instance's crawl wrote may stand for today's
		// (the forges reuse them when the repository did not change):
		// seeded or imported history describes another time or another
		// instance.
		for _, sn := range prev {
			if sn.Facts != nil && sn.Facts.Error == "" && sn.Facts.Origin == crawler.OriginCrawl {
				previous[sn.Result.Repo] = sn.Facts
			}
		}
	}
	jobs := make([]crawler.Job, len(refs))
	ended := s.ended()
	for i, r := range refs {
		// A défi that ended asks for the commits since its end.
		jobs[i] = crawler.Job{Ref: r, Previous: previous[r.ID()], Since: ended[r.Defi]}
	}
	out := fg.Fetch(ctx, jobs, now)
	snaps := make([]store.Snapshot, len(refs))
	for i, r := range refs {
		var f crawler.Facts
		ok := i < len(out)
		if ok {
			f = out[i]
		}
		snaps[i] = s.snapshot(ctx, r, f, ok, now, false, opts)
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
func (s *Scanner) plan(ctx context.Context, latest []store.Entry, now time.Time) ([]crawler.Ref, []store.Snapshot, []error) {
	var refs []crawler.Ref
	listed := map[string]bool{}
	for _, r := range s.cfg.Repos() {
		listed[config.CanonicalID(r)] = true
	}
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
				key := config.CanonicalID(ref)
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

// previousDiscovered returns, per défi, the stored newest snapshots of
// repositories that are not listed by name in the configuration: those
// its orgs listed before, still considered followed unless already
// reported gone.
func (s *Scanner) previousDiscovered(latest []store.Entry) map[string][]store.Entry {
	out := map[string][]store.Entry{}
	named := map[string]bool{}
	for _, r := range s.cfg.Repos() {
		named[r.ID()] = true
	}
	for _, e := range latest {
		if named[e.Repo] || strings.HasPrefix(e.Error, "gone:") {
			continue
		}
		out[e.Defi] = append(out[e.Defi], e)
	}
	return out
}
