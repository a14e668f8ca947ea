package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/crawler"
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
	// global bounds the checks started by everyone together: spreading
	// checks over many addresses does not multiply what they may cost.
	global *rate.Limiter

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

func newCheckGate(ttl time.Duration, every rate.Limit, burst int, globalEvery rate.Limit, globalBurst int) *checkGate {
	return &checkGate{
		ttl: ttl, every: every, burst: burst,
		global:   rate.NewLimiter(globalEvery, globalBurst),
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

// refusal says why a check may not start now (allowed: it may).
type refusal int

const (
	allowed refusal = iota
	clientBusy
	instanceBusy
)

// allow takes one token of the client's budget and one of the instance's;
// a refused check takes neither.
func (g *checkGate) allow(client string, now time.Time) refusal {
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
	res := l.lim.ReserveN(now, 1)
	if !res.OK() || res.DelayFrom(now) > 0 {
		res.CancelAt(now)
		return clientBusy
	}
	if !g.global.AllowN(now, 1) {
		res.CancelAt(now)
		return instanceBusy
	}
	return allowed
}

// clientKey names the visitor whose budget a check draws from: the
// connection's peer, or, when that peer is one of http.trusted_proxies, the
// address the proxies say they forwarded for (the rightmost one in
// X-Forwarded-For that is not itself a trusted proxy: the entries to its
// left are whatever the visitor sent). X-Forwarded-For from anyone else is
// ignored: believing it would let each request pick a fresh budget. An IPv6
// visitor is keyed by its /64, the block one subscriber gets, so rotating
// addresses within it buys no extra checks.
func clientKey(r *http.Request, trusted []netip.Prefix) string {
	addr, ok := parseAddr(r.RemoteAddr)
	if !ok {
		return r.RemoteAddr
	}
	if isTrusted(addr, trusted) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, ok := parseAddr(strings.TrimSpace(hops[i]))
			if !ok {
				break
			}
			addr = a
			if !isTrusted(a, trusted) {
				break
			}
		}
	}
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

func parseAddr(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	return netip.Addr{}, false
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

type checkData struct {
	URL    string
	Forges []string
	Error  string
	Repo   *repoData
}

// checkOutcome is what a check request comes to: a snapshot (run now or
// from the cache), or why not, with the status to answer.
type checkOutcome struct {
	status     int    // 200 when snap holds the result
	fr, en     string // why not, for the page and for the API
	retryAfter string
	checked    string // the normalised URL checked ("" when not resolved)
	snap       store.Snapshot
	hit        bool
}

// checkRequest runs the check of raw for r, under the same rules for the
// page and the API: only configured forges, the cache, the client's and the
// instance's budgets, the time bound.
func (s *Server) checkRequest(r *http.Request, raw string) checkOutcome {
	ctx := r.Context()
	if len(raw) > maxCheckURL {
		return checkOutcome{status: http.StatusBadRequest,
			fr: fmt.Sprintf("cette adresse fait %d caractères : aucun dépôt n'a une adresse aussi longue (%d au plus).", len(raw), maxCheckURL),
			en: fmt.Sprintf("this address is %d characters long: no repository address is that long (%d at most)", len(raw), maxCheckURL)}
	}
	ref, msg := s.checkURL(raw)
	if msg != "" {
		return checkOutcome{status: http.StatusBadRequest, fr: msg, en: "not a repository of a configured forge: " + msg}
	}
	// The cache knows a repository however its URL was typed (case, .git,
	// a page inside it); the checker gets the normalised URL, and the page
	// never echoes credentials a visitor pasted into it.
	key, checked := config.CanonicalID(ref), ref.URL
	out := checkOutcome{status: http.StatusOK, checked: checked}
	now := s.opts.Now()
	if snap, hit := s.checks.cached(key, now); hit {
		out.snap, out.hit = snap, true
		return out
	}
	if s.opts.Checker == nil {
		out.status, out.fr, out.en = http.StatusServiceUnavailable, "La vérification à la demande n'est pas disponible sur cette instance.", "on-demand checks are not available on this instance"
		return out
	}
	switch s.checks.allow(clientKey(r, s.opts.TrustedProxies), now) {
	case clientBusy:
		out.status, out.retryAfter = http.StatusTooManyRequests, "10"
		out.fr, out.en = "Trop de vérifications depuis votre adresse en peu de temps. Patientez quelques secondes puis réessayez.", "too many checks from your address in a short time: wait a few seconds and try again"
		return out
	case instanceBusy:
		out.status, out.retryAfter = http.StatusTooManyRequests, "60"
		out.fr = "Cette instance de vigie a atteint son nombre de vérifications à la demande pour le moment : le quota des forges est d'abord réservé au suivi du programme. Réessayez dans quelques minutes."
		out.en = "this vigie instance has reached its number of on-demand checks for now (the forges' quota goes to following the programme first): try again in a few minutes"
		return out
	}
	snap, err := s.runCheck(ctx, checked)
	if err != nil {
		var usage usageError
		if errors.As(err, &usage) {
			out.status, out.fr, out.en = http.StatusBadRequest, "Cette adresse ne peut pas être vérifiée : "+usage.Error(), "this address cannot be checked: "+usage.Error()
			return out
		}
		s.log.ErrorContext(ctx, "web: check", "url", checked, "err", err)
		out.status = http.StatusServiceUnavailable
		out.fr, out.en = "La vérification n'a pas pu aboutir (délai dépassé ou service occupé). Réessayez dans un moment.", "the check could not finish (timeout or busy service): try again in a moment"
		return out
	}
	s.checks.remember(key, snap, now)
	out.snap = snap
	return out
}

// check serves the form, and with ?url= runs the check now.
func (s *Server) check(w http.ResponseWriter, r *http.Request) {
	data := checkData{URL: r.URL.Query().Get("url")}
	for _, f := range s.cfg.Forges {
		data.Forges = append(data.Forges, f.URL)
	}
	raw := strings.TrimSpace(data.URL)
	if raw == "" {
		s.render(w, r, http.StatusOK, "check", page{Title: "Vérifier un dépôt", Nav: "check", Data: data})
		return
	}
	out := s.checkRequest(r, raw)
	if out.status != http.StatusOK {
		switch {
		case len(raw) > maxCheckURL:
			data.URL = "" // not echoed: a page is no place to repeat a megabyte
		case out.checked != "":
			data.URL = out.checked
		default:
			if u, err := url.Parse(raw); err != nil || u.User != nil {
				data.URL = "" // the form is refilled, never with credentials
			}
		}
		if out.retryAfter != "" {
			w.Header().Set("Retry-After", out.retryAfter)
		}
		data.Error = out.fr
		s.render(w, r, out.status, "check", page{Title: "Vérifier un dépôt", Nav: "check", Data: data})
		return
	}
	snap, checked := out.snap, out.checked
	data.URL = checked
	v := snapshotView(snap)
	if d, ok := s.followed.Defi(v.ID); ok {
		v.Defi, v.DefiName = d, s.defiName(d)
	}
	rd := s.repoData(r, v)
	rd.FromCheck, rd.CheckedURL, rd.CheckedCache = true, checked, out.hit
	data.Repo = &rd
	s.render(w, r, http.StatusOK, "check", page{Title: "Vérification de " + v.ID, Nav: "check", Data: data})
}

// apiCheck serves /api/check?url=URL: the check /check runs, under the
// same rules, answered as one result object.
func (s *Server) apiCheck(w http.ResponseWriter, r *http.Request) {
	raw := strings.TrimSpace(r.URL.Query().Get("url"))
	if raw == "" {
		writeJSON(w, http.StatusBadRequest, apiError{"give the repository to check: /api/check?url=https://github.com/owner/name"})
		return
	}
	out := s.checkRequest(r, raw)
	if out.status != http.StatusOK {
		if out.retryAfter != "" {
			w.Header().Set("Retry-After", out.retryAfter)
		}
		writeJSON(w, out.status, apiError{out.en})
		return
	}
	writeJSON(w, http.StatusOK, out.snap.Result)
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

// maxCheckURL bounds the URL a visitor may submit: the longest path a
// forge allows (GitLab: 22 segments of 255 characters, 5.6 KB) fits.
const maxCheckURL = 8192

// checkURL validates a visitor's URL before anything is contacted: an http
// or https URL on a configured forge, naming a repository, normalised as
// the configuration's URLs are. It returns the repository or a French
// explanation.
func (s *Server) checkURL(raw string) (crawler.Ref, string) {
	if rest, ok := strings.CutPrefix(raw, "git@"); ok && !strings.Contains(raw, "://") {
		// The SSH form a clone button gives: git@host:owner/name.git.
		host, p, _ := strings.Cut(rest, ":")
		raw = "https://" + host + "/" + p
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return crawler.Ref{}, "cette adresse n'est pas une URL web valide. Saisissez l'adresse de la page du dépôt, par exemple https://github.com/propriétaire/nom."
	}
	host := strings.ToLower(u.Host)
	if s.followed.Forge(host) == "" && s.followed.Forge(strings.TrimPrefix(host, "www.")) == "" {
		return crawler.Ref{}, "l'hôte « " + host + " » n'est pas une forge connue de cette instance de vigie, qui ne contacte que les forges de sa configuration : " + strings.Join(s.forgeHosts(), ", ") + "."
	}
	u.User = nil // credentials pasted in the URL go no further
	ref, err := s.cfg.Resolve(u.String())
	if errors.Is(err, config.ErrPathTooLong) {
		return crawler.Ref{}, "cette adresse est plus longue que ce que la forge permet pour un dépôt (GitHub : 39 caractères pour le propriétaire, 100 pour le nom ; GitLab : 255 par segment, 21 niveaux de groupes ; Gitea et Forgejo : 40 pour le propriétaire, 100 pour le nom)."
	}
	if err != nil {
		return crawler.Ref{}, "cette adresse ne désigne pas un dépôt : elle doit avoir la forme https://" + host + "/propriétaire/nom."
	}
	if _, ok := parseRepo(ref.ID()); !ok {
		return crawler.Ref{}, "cette adresse ne désigne pas un dépôt : elle doit avoir la forme https://" + host + "/propriétaire/nom."
	}
	return ref, ""
}

func (s *Server) forgeHosts() []string {
	var hs []string
	for _, f := range s.cfg.Forges {
		hs = append(hs, f.Host)
	}
	return hs
}
