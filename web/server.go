// Package web serves vigie's pages (in French), its JSON API, score badges,
// the "check a repository" form, the weekly reports archive and the health
// probes. Every page is rendered from the store with html/template and
// embedded assets: nothing is fetched from elsewhere, and the Content
// Security Policy says so.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/docs"
	"github.com/eiglink/vigie/internal/statuswriter"
	"github.com/eiglink/vigie/store"
	"golang.org/x/time/rate"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Checker runs a check of repository URLs now; *scan.Scanner is one. Its
// error is a usage error (a malformed URL, a host that is no configured
// forge), raised before any network call.
type Checker interface {
	Check(ctx context.Context, urls []string) ([]store.Snapshot, error)
}

// Options are a Server's collaborators and tunings. Zero tunings take the
// defaults noted.
type Options struct {
	Config  *config.Config
	Store   store.Store
	Checker Checker      // nil: the check form answers 503
	Metrics http.Handler // served at /metrics; nil: 404
	Logger  *slog.Logger
	// Now gives the current time; nil means time.Now.
	Now func() time.Time
	// BaseURL is the public root used in the badge's Markdown snippet
	// ("https://vigie.example.org"); "" takes http.public_url, and without
	// it the snippet holds paths on this site. It is never derived from a
	// request: its Host header is whatever the visitor sent.
	BaseURL string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the visitor; nil takes http.trusted_proxies.
	TrustedProxies []netip.Prefix
	// CheckCacheTTL is how long a check result is reused (default 5 min):
	// reloading the page must not cost the forge another round of requests.
	CheckCacheTTL time.Duration
	// CheckRate and CheckBurst bound the checks one client IP may start
	// (default one every 10 s, bursts of 10: someone checking the handful
	// of repositories of a défi in a row is not refused; ten checks cost a
	// forge at most a few hundred requests).
	CheckRate  rate.Limit
	CheckBurst int
	// CheckGlobalRate and CheckGlobalBurst bound the checks all clients
	// together may start (default one every 30 s, bursts of 20: at most
	// 140 checks in the first hour, about 120 an hour after). A check costs
	// a forge about a dozen requests, so this keeps ad-hoc checks to a
	// small part of a token's hourly quota however many addresses ask;
	// the forges' transports also keep a share of each quota that checks
	// may never spend, for the scheduled crawls.
	CheckGlobalRate  rate.Limit
	CheckGlobalBurst int
	// CheckTimeout bounds one check (default 60 s).
	CheckTimeout time.Duration
}

// Server is the web front. Build it with New.
type Server struct {
	opts     Options
	cfg      *config.Config
	st       store.Store
	log      *slog.Logger
	followed *config.Followed
	loc      *time.Location
	pages    map[string]*template.Template
	checks   *checkGate
	guide    *guide
	ready    atomic.Bool
	mux      *http.ServeMux
}

// New builds the server and parses its templates.
func New(opts Options) (*Server, error) {
	if opts.Config == nil || opts.Store == nil {
		return nil, errors.New("web: Config and Store are required")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CheckCacheTTL == 0 {
		opts.CheckCacheTTL = 5 * time.Minute
	}
	if opts.CheckRate == 0 {
		opts.CheckRate = rate.Every(10 * time.Second)
	}
	if opts.CheckBurst == 0 {
		opts.CheckBurst = 10
	}
	if opts.CheckGlobalRate == 0 {
		opts.CheckGlobalRate = rate.Every(30 * time.Second)
	}
	if opts.CheckGlobalBurst == 0 {
		opts.CheckGlobalBurst = 20
	}
	if opts.CheckTimeout == 0 {
		opts.CheckTimeout = 60 * time.Second
	}
	if opts.BaseURL == "" {
		opts.BaseURL = opts.Config.HTTP.PublicURL
	}
	opts.BaseURL = strings.TrimSuffix(opts.BaseURL, "/")
	if opts.TrustedProxies == nil {
		opts.TrustedProxies = opts.Config.HTTP.TrustedProxies
	}
	loc := opts.Config.Schedule.Location
	if loc == nil {
		loc = time.UTC
	}
	s := &Server{
		opts:     opts,
		cfg:      opts.Config,
		st:       opts.Store,
		log:      opts.Logger,
		followed: config.NewFollowed(opts.Config),
		loc:      loc,
		checks:   newCheckGate(opts.CheckCacheTTL, opts.CheckRate, opts.CheckBurst, opts.CheckGlobalRate, opts.CheckGlobalBurst),
	}
	g, err := newGuide(docs.Scoring)
	if err != nil {
		return nil, err
	}
	s.guide = g
	pages, err := parsePages(s.funcs())
	if err != nil {
		return nil, err
	}
	s.pages = pages
	s.routes()
	return s, nil
}

// parsePages parses each page with the shared layout: one template set per
// page, since each page defines the layout's "content" block.
func parsePages(funcs template.FuncMap) (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: listing templates: %w", err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := n[len("templates/") : len(n)-len(".html")]
		if base == "layout" || base[0] == '_' {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/_*.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: parsing %s: %w", n, err)
		}
		pages[base] = t
	}
	return pages, nil
}

// CheckTimeout is the bound on one check from the form: the HTTP server's
// write timeout must outlast it.
func (s *Server) CheckTimeout() time.Duration { return s.opts.CheckTimeout }

// Handler returns the server's root handler.
func (s *Server) Handler() http.Handler {
	return s.accessLog(s.recoverer(securityHeaders(s.noBody(s.mux))))
}

// noBody refuses a request that carries a body: no route of vigie reads
// one, and a body nobody reads is only a way to hold a connection open
// (a client trickling it byte by byte). The answer closes the connection.
func (s *Server) noBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 || len(r.TransferEncoding) > 0 {
			w.Header().Set("Connection", "close")
			s.errorPage(w, r, http.StatusRequestEntityTooLarge, "Requête refusée", "Les pages de vigie ne reçoivent pas de données : envoyez la requête sans corps.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// accessLog logs each request at debug level: the path only, never the
// query, where /check carries a visitor's URL (which may hold a token).
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statuswriter.Writer{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		s.log.DebugContext(r.Context(), "web: request", "method", r.Method, "path", r.URL.Path,
			"status", sw.Status, "duration", time.Since(start).Round(time.Microsecond))
	})
}

// route is one pattern the server mounts.
type route struct {
	pattern string
	h       http.Handler
}

// routeTable is every route the server serves (docs/reference.md lists
// them all; a test holds it to that). A nil handler is not mounted.
func (s *Server) routeTable() []route {
	static, _ := fs.Sub(staticFS, "static")
	return []route{
		{"GET /static/", http.StripPrefix("/static/", cacheFor(24*time.Hour, http.FileServerFS(static)))},
		{"GET /{$}", http.HandlerFunc(s.dashboard)},
		{"GET /repos/{repo...}", http.HandlerFunc(s.repoPage)},
		{"GET /badge/{repo...}", http.HandlerFunc(s.badge)},
		{"GET /api/repos", http.HandlerFunc(s.apiRepos)},
		{"GET /api/repos/{repo...}", http.HandlerFunc(s.apiRepo)},
		{"GET /check", http.HandlerFunc(s.check)},
		{"GET " + GuidePath, http.HandlerFunc(s.guidePage)},
		{"GET /api/check", http.HandlerFunc(s.apiCheck)},
		{"GET /reports/{$}", http.HandlerFunc(s.reports)},
		{"GET /reports/{file}", http.HandlerFunc(s.report)},
		{"GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprintln(w, "ok")
		})},
		{"GET /readyz", http.HandlerFunc(s.readyz)},
		{"GET /metrics", s.opts.Metrics}, // nil: metrics not served
		{"/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.errorPage(w, r, http.StatusNotFound, "Page introuvable", "Cette adresse ne correspond à aucune page de vigie.")
		})},
	}
}

func (s *Server) routes() {
	m := http.NewServeMux()
	for _, r := range s.routeTable() {
		if r.h != nil {
			m.Handle(r.pattern, r.h)
		}
	}
	s.mux = m
}

// securityHeaders sets the headers every answer carries. The policy allows
// only vigie's own scripts, styles and images (plus data: images for the
// badge preview); reports, generated for mail, get their own in report().
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		// Pages show the latest crawl and a check's result: no cache keeps
		// them unless the handler says otherwise (static files, badges,
		// archived reports).
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

func cacheFor(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(d.Seconds())))
		next.ServeHTTP(w, r)
	})
}

// recoverer turns a panic into a plain 500 page and a log line: a visitor
// never sees a stack trace.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "web: panic serving request", "path", r.URL.Path, "panic", fmt.Sprint(v))
				s.errorPage(w, r, http.StatusInternalServerError, "Erreur interne", "vigie n'a pas pu afficher cette page. L'erreur est consignée dans son journal.")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// readyz answers 200 once every configured repository has a stored result
// (and, when défis follow organisations, once a crawl has been stored: their
// repositories are only known then).
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if s.ready.Load() {
		fmt.Fprintln(w, "ready")
		return
	}
	missing, err := s.missing(r.Context())
	if err != nil {
		s.log.ErrorContext(r.Context(), "web: readiness", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "store unavailable")
		return
	}
	if missing > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "%d repositories without a stored result\n", missing)
		return
	}
	// The configuration is fixed for the process and the store only grows:
	// once ready, always ready.
	s.ready.Store(true)
	fmt.Fprintln(w, "ready")
}

func (s *Server) missing(ctx context.Context) (int, error) {
	latest, err := s.st.Latest(ctx)
	if err != nil {
		return 0, fmt.Errorf("reading latest snapshots: %w", err)
	}
	have := map[string]bool{}
	for _, sn := range latest {
		have[sn.Result.Repo] = true
	}
	n := 0
	for _, id := range s.followed.Explicit() {
		if !have[id] {
			n++
		}
	}
	if s.followed.HasOrgs() {
		last, err := s.st.LastCrawl(ctx)
		if err != nil {
			return 0, fmt.Errorf("reading last crawl: %w", err)
		}
		if last.IsZero() {
			n++
		}
	}
	return n, nil
}
