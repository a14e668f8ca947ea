package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/eiglink/vigie/store"
)

// checkGate keeps the check form from becoming a way to spend vigie's forge
// budget: recent results are reused, each client IP gets a small rate of new
// checks, and only a few checks run at once.
type checkGate struct {
	ttl   time.Duration
	every rate.Limit
	burst int
	slots chan struct{}

	mu       sync.Mutex
	cache    map[string]cachedCheck
	limiters map[string]*clientLimiter
}

type cachedCheck struct {
	snap store.Snapshot
	at   time.Time
}

type clientLimiter struct {
	lim  *rate.Limiter
	seen time.Time
}

const (
	maxCached  = 512
	maxClients = 10000
	maxRunning = 4
)

func newCheckGate(ttl time.Duration, every rate.Limit, burst int) *checkGate {
	return &checkGate{
		ttl: ttl, every: every, burst: burst,
		slots:    make(chan struct{}, maxRunning),
		cache:    map[string]cachedCheck{},
		limiters: map[string]*clientLimiter{},
	}
}

func (g *checkGate) cached(key string, now time.Time) (store.Snapshot, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	c, ok := g.cache[key]
	if !ok || now.Sub(c.at) > g.ttl {
		return store.Snapshot{}, false
	}
	return c.snap, true
}

func (g *checkGate) remember(key string, s store.Snapshot, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.cache) >= maxCached {
		for k, c := range g.cache {
			if now.Sub(c.at) > g.ttl {
				delete(g.cache, k)
			}
		}
		if len(g.cache) >= maxCached { // all fresh: drop an arbitrary one
			for k := range g.cache {
				delete(g.cache, k)
				break
			}
		}
	}
	g.cache[key] = cachedCheck{snap: s, at: now}
}

// allow takes one token of the client's budget.
func (g *checkGate) allow(client string, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.limiters) >= maxClients {
		for k, l := range g.limiters {
			if now.Sub(l.seen) > 10*time.Minute {
				delete(g.limiters, k)
			}
		}
	}
	l, ok := g.limiters[client]
	if !ok {
		l = &clientLimiter{lim: rate.NewLimiter(g.every, g.burst)}
		g.limiters[client] = l
	}
	l.seen = now
	return l.lim.AllowN(now, 1)
}

// clientIP is the connection's peer address. vigie does not trust
// X-Forwarded-For: behind a proxy every visitor shares one budget, which is
// the safe side.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type checkData struct {
	URL    string
	Forges []string
	Error  string
	Repo   *repoData
}

// check serves the form, and with ?url= runs the check now.
func (s *Server) check(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	data := checkData{URL: r.URL.Query().Get("url")}
	for _, f := range s.cfg.Forges {
		data.Forges = append(data.Forges, f.URL)
	}
	raw := strings.TrimSpace(data.URL)
	if raw == "" {
		s.render(w, r, http.StatusOK, "check", page{Title: "Vérifier un dépôt", Nav: "check", Data: data})
		return
	}
	key, msg := s.checkURL(raw)
	if msg != "" {
		data.Error = msg
		s.render(w, r, http.StatusBadRequest, "check", page{Title: "Vérifier un dépôt", Nav: "check", Data: data})
		return
	}
	data.URL = key // never echo credentials a visitor pasted into the URL
	now := s.opts.Now()
	snap, hit := s.checks.cached(key, now)
	if !hit {
		if s.opts.Checker == nil {
			data.Error = "La vérification à la demande n'est pas disponible sur cette instance."
			s.render(w, r, http.StatusServiceUnavailable, "check", page{Title: "Vérifier un dépôt", Nav: "check", Data: data})
			return
		}
		if !s.checks.allow(clientIP(r), now) {
			w.Header().Set("Retry-After", "10")
			data.Error = "Trop de vérifications depuis votre adresse en peu de temps. Patientez quelques secondes puis réessayez."
			s.render(w, r, http.StatusTooManyRequests, "check", page{Title: "Vérifier un dépôt", Nav: "check", Data: data})
			return
		}
		var err error
		snap, err = s.runCheck(ctx, key)
		if err != nil {
			var usage usageError
			if errors.As(err, &usage) {
				data.Error = "Cette adresse ne peut pas être vérifiée : " + usage.Error()
				s.render(w, r, http.StatusBadRequest, "check", page{Title: "Vérifier un dépôt", Nav: "check", Data: data})
				return
			}
			s.log.ErrorContext(ctx, "web: check", "url", key, "err", err)
			data.Error = "La vérification n'a pas pu aboutir (délai dépassé ou service occupé). Réessayez dans un moment."
			s.render(w, r, http.StatusServiceUnavailable, "check", page{Title: "Vérifier un dépôt", Nav: "check", Data: data})
			return
		}
		s.checks.remember(key, snap, now)
	}
	v := repoView{ID: snap.Result.Repo, URL: snap.Result.URL, Forge: snap.Result.Forge, Facts: snap.Facts}
	if _, p, ok := strings.Cut(v.ID, "/"); ok {
		v.Path = p
	}
	if snap.Result.Error != "" {
		v.Error, v.ErrorAt = snap.Result.Error, snap.Result.CrawledAt
	} else {
		v.Result = &snap.Result
	}
	if d, ok := s.followed.Defi(v.ID); ok {
		v.Defi, v.DefiName = d, s.defiName(d)
	}
	rd := s.repoData(r, v)
	rd.FromCheck, rd.CheckedURL, rd.CheckedCache = true, key, hit
	data.Repo = &rd
	s.render(w, r, http.StatusOK, "check", page{Title: "Vérification de " + v.ID, Nav: "check", Data: data})
}

type usageError struct{ error }

// runCheck runs one check within the concurrency and time bounds.
func (s *Server) runCheck(ctx context.Context, u string) (store.Snapshot, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.CheckTimeout)
	defer cancel()
	select {
	case s.checks.slots <- struct{}{}:
		defer func() { <-s.checks.slots }()
	case <-ctx.Done():
		return store.Snapshot{}, ctx.Err()
	}
	snaps, err := s.opts.Checker.Check(ctx, []string{u})
	if err != nil {
		if ctx.Err() != nil {
			return store.Snapshot{}, ctx.Err()
		}
		return store.Snapshot{}, usageError{err}
	}
	if len(snaps) != 1 {
		return store.Snapshot{}, errors.New("check returned no result")
	}
	return snaps[0], nil
}

// checkURL validates a visitor's URL before anything is contacted: an http
// or https URL on a configured forge, naming a repository. It returns the
// normalised URL (the cache key) or a French explanation.
func (s *Server) checkURL(raw string) (string, string) {
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", "cette adresse n'est pas une URL web valide. Saisissez l'adresse de la page du dépôt, par exemple https://github.com/propriétaire/nom."
	}
	host := strings.ToLower(u.Host)
	if s.followed.Forge(host) == "" {
		return "", "l'hôte « " + host + " » n'est pas une forge connue de cette instance de vigie, qui ne contacte que les forges de sa configuration : " + strings.Join(s.forgeHosts(), ", ") + "."
	}
	p := strings.Trim(strings.TrimSuffix(strings.Trim(u.Path, "/"), ".git"), "/")
	if i := strings.Index(p, "/-/"); i >= 0 { // GitLab's sub-pages: /group/name/-/tree/main
		p = p[:i]
	}
	if s.forgeType(host) == "github" { // github.com/owner/name/tree/main names owner/name
		if parts := strings.Split(p, "/"); len(parts) > 2 {
			p = strings.Join(parts[:2], "/")
		}
	}
	if _, ok := parseRepo(host + "/" + p); !ok {
		return "", "cette adresse ne désigne pas un dépôt : elle doit avoir la forme https://" + host + "/propriétaire/nom."
	}
	return "https://" + host + "/" + p, ""
}

func (s *Server) forgeType(host string) string {
	for _, f := range s.cfg.Forges {
		if strings.EqualFold(f.Host, host) {
			return f.Type
		}
	}
	return ""
}

func (s *Server) forgeHosts() []string {
	var hs []string
	for _, f := range s.cfg.Forges {
		hs = append(hs, f.Host)
	}
	return hs
}
