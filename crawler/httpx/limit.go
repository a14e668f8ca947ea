package httpx

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// resetMargin is added to a reset time read from headers: they have a
// one-second granularity, and waking a little late costs less than a
// request refused again.
const resetMargin = time.Second

// limitInfo is what one answer's headers say about the quota.
type limitInfo struct {
	known     bool
	limit     int
	remaining int
	reset     time.Time // on our clock
	resource  string    // GitHub's X-RateLimit-Resource ("core", "graphql"...)
}

func (i limitInfo) exhausted() bool { return i.known && i.remaining <= 0 }

// parseLimit reads the rate-limit headers: X-RateLimit-* on GitHub,
// RateLimit-* on GitLab (each falls back to the other's names). The reset is
// a Unix time on the forge's clock; it is moved onto ours through the Date
// header, so a skewed local clock neither wakes too early nor sleeps too long.
func parseLimit(kind string, h http.Header, now time.Time) limitInfo {
	prefixes := []string{"X-RateLimit-", "RateLimit-"}
	if kind == KindGitLab || kind == KindGitea {
		prefixes = []string{"RateLimit-", "X-RateLimit-"}
	}
	for _, p := range prefixes {
		rem, err := strconv.Atoi(h.Get(p + "Remaining"))
		if err != nil {
			continue
		}
		info := limitInfo{known: true, remaining: rem, resource: h.Get(p + "Resource")}
		info.limit, _ = strconv.Atoi(h.Get(p + "Limit"))
		if r, err := strconv.ParseInt(h.Get(p+"Reset"), 10, 64); err == nil {
			at := time.Unix(r, 0)
			if d, err := http.ParseTime(h.Get("Date")); err == nil {
				info.reset = now.Add(at.Sub(d))
			} else {
				info.reset = at
			}
		} else {
			// No reset said: GitLab's windows are a minute long.
			info.reset = now.Add(time.Minute)
		}
		return info
	}
	return limitInfo{}
}

// bucket is one token's quota for one resource.
type bucket struct {
	known     bool
	limit     int
	remaining int       // the forge's last word, minus the requests sent since
	reset     time.Time // when the quota refills
	// emptyUntil is set when the forge itself said 0: until then nothing
	// is sent with this token for this resource.
	emptyUntil time.Time
	next       time.Time // earliest start of the next request when pacing
}

// Pacing rule. A bucket whose remaining quota falls below a fifth of its
// limit (below 100 when the forge does not say the limit) is paced: its
// requests start at least (time to reset) / (remaining) apart. At that rhythm
// the quota left lasts exactly until it refills, so a long crawl slows down
// instead of running the quota dry and then stalling (and the other users of
// the token — a person, another tool — keep a share). Above the threshold
// requests go out as fast as Concurrency allows: most crawls never get there.
//
// A quota under minPacedLimit is not paced: GitHub's 60 anonymous requests
// an hour would leave 12 requests spaced five minutes apart, turning a
// `vigie check` of five repositories, which fits in the quota, into a
// forty-minute wait, and saving nothing (a crawl that needs more needs a
// token).
func (b *bucket) interval(now time.Time) time.Duration {
	if !b.known || b.remaining <= 0 || !now.Before(b.reset) || b.limit > 0 && b.limit < minPacedLimit {
		return 0
	}
	low := b.limit / 5
	if b.limit <= 0 {
		low = 100
	}
	if b.remaining >= low {
		return 0
	}
	return b.reset.Sub(now) / time.Duration(b.remaining)
}

// minPacedLimit is the smallest quota that is paced.
const minPacedLimit = 100

type bucketKey struct {
	tok int
	res string
}

// limiter tracks every token's buckets and hands out tokens in turn,
// preferring one that can be used now.
type limiter struct {
	mu      sync.Mutex
	slots   []int       // token indexes; [-1] when anonymous
	blocked []time.Time // per slot: rest asked by a secondary limit
	turn    int
	buckets map[bucketKey]*bucket
	logged  time.Time // the last wait logged, so a wait is logged once
}

func newLimiter(tokens int) *limiter {
	l := &limiter{buckets: map[bucketKey]*bucket{}}
	if tokens == 0 {
		l.slots = []int{-1}
	}
	for i := 0; i < tokens; i++ {
		l.slots = append(l.slots, i)
	}
	l.blocked = make([]time.Time, len(l.slots))
	return l
}

func (l *limiter) bucket(tok int, res string) *bucket {
	k := bucketKey{tok, res}
	b := l.buckets[k]
	if b == nil {
		b = &bucket{}
		l.buckets[k] = b
	}
	return b
}

func (l *limiter) slot(tok int) int {
	for i, t := range l.slots {
		if t == tok {
			return i
		}
	}
	return 0
}

// reservation is the limiter's answer: use tok after wait, or (rest) every
// token is resting until wait has passed: ask again then, or (kept) every
// token's quota is down to the share kept from ad-hoc requests until until.
type reservation struct {
	tok      int
	wait     time.Duration
	rest     bool
	kept     bool
	until    time.Time
	firstLog bool
}

// belowKept reports whether an ad-hoc request must leave this bucket alone:
// its window is known and running, and what remains is no more than the
// share kept (keep of the limit; 0 keeps nothing). A bucket the forge has
// not described yet is not held back: its level is unknown.
func (b *bucket) belowKept(now time.Time, keep float64) bool {
	if keep <= 0 || !b.known || !now.Before(b.reset) || b.limit <= 0 {
		return false
	}
	return float64(b.remaining) <= keep*float64(b.limit)
}

// reserve picks a token for a request to res: prefer when it can be used
// now (the token a cached ETag was issued to), else the next one in turn that
// can, else the one ready soonest.
//
// keep > 0 marks an ad-hoc request: tokens whose quota is down to that
// share of their limit are skipped, and when all are, the answer is kept
// (until the earliest of their resets).
func (l *limiter) reserve(now time.Time, res string, prefer int, keep float64) reservation {
	l.mu.Lock()
	defer l.mu.Unlock()
	best := -1
	var bestReady, keptUntil time.Time
	for k := range l.slots {
		i := (l.turn + k) % len(l.slots)
		b := l.bucket(l.slots[i], res)
		if b.belowKept(now, keep) {
			if keptUntil.IsZero() || b.reset.Before(keptUntil) {
				keptUntil = b.reset
			}
			continue
		}
		ready := now
		if now.Before(l.blocked[i]) {
			ready = l.blocked[i]
		}
		if now.Before(b.emptyUntil) && b.emptyUntil.After(ready) {
			ready = b.emptyUntil
		}
		// Our own count reached 0 within the window: the forge would
		// refuse, so do not ask before the reset.
		if b.known && b.remaining <= 0 && now.Before(b.reset) {
			if r := b.reset.Add(resetMargin); r.After(ready) {
				ready = r
			}
		}
		if best < 0 || ready.Before(bestReady) || l.slots[i] == prefer && !ready.After(now) {
			best, bestReady = i, ready
		}
	}
	if best < 0 {
		return reservation{kept: true, until: keptUntil}
	}
	tok := l.slots[best]
	if bestReady.After(now) {
		// Concurrent answers move the end of one wait by a few
		// milliseconds: only a later window is a new wait to log.
		first := bestReady.After(l.logged.Add(resetMargin))
		if first {
			l.logged = bestReady
		}
		return reservation{tok: tok, wait: bestReady.Sub(now), rest: true, until: bestReady, firstLog: first}
	}
	l.turn = (best + 1) % len(l.slots)
	b := l.bucket(tok, res)
	var wait time.Duration
	if iv := b.interval(now); iv > 0 {
		start := now
		if b.next.After(start) {
			start = b.next
		}
		b.next = start.Add(iv)
		wait = start.Sub(now)
	}
	if b.known && b.remaining > 0 {
		b.remaining--
	}
	return reservation{tok: tok, wait: wait}
}

// update records an answer's quota headers for token tok. It reports
// whether the answer newly exhausted the bucket (to log it once).
func (l *limiter) update(tok int, info limitInfo, now time.Time) bool {
	if !info.known {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucket(tok, info.resource)
	if info.remaining <= 0 {
		newly := !now.Before(b.emptyUntil)
		if until := info.reset.Add(resetMargin); until.After(b.emptyUntil) {
			b.emptyUntil = until
		}
		b.known, b.limit, b.remaining, b.reset = true, info.limit, 0, info.reset
		return newly
	}
	switch {
	case now.Before(b.emptyUntil):
		// An answer sent before the forge said 0: stale.
	case !b.known || !now.Before(b.reset) || info.reset.After(b.reset.Add(time.Second)):
		// A new window.
		b.known, b.limit, b.remaining, b.reset = true, info.limit, info.remaining, info.reset
	default:
		// Same window: answers arrive out of order, and our count already
		// includes requests the forge has not answered yet; keep the lower.
		b.remaining = min(b.remaining, info.remaining)
		if info.limit > 0 {
			b.limit = info.limit
		}
	}
	return false
}

// remaining is what the rate-limit gauge shows for the forge: per resource
// (GitHub's REST and GraphQL quotas differ), the quota left summed over the
// tokens; then the resource closest to running dry. A GitHub crawl that
// only asks GraphQL shows its points, one that mixes both shows the lower.
// Buckets whose window has passed are full again, at an unknown level, and
// are left out; fallback is returned when nothing is left.
func (l *limiter) remaining(now time.Time, fallback int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	sums := map[string]int{}
	for k, b := range l.buckets {
		if b.known && now.Before(b.reset) {
			sums[k.res] += max(b.remaining, 0)
		}
	}
	if len(sums) == 0 {
		return fallback
	}
	low := -1
	for _, n := range sums {
		if low < 0 || n < low {
			low = n
		}
	}
	return low
}

// block rests token tok until until (a secondary limit's Retry-After).
func (l *limiter) block(tok int, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := l.slot(tok)
	if until.After(l.blocked[i]) {
		l.blocked[i] = until
	}
}

// acquire returns the token to use for the next request to resource res,
// waiting for pacing or for a rate limit to reset. It fails at once when the
// wait would outlast MaxWait or the context's deadline.
func (t *Transport) acquire(ctx context.Context, res string, prefer int) (int, error) {
	keep := 0.0
	if adHoc(ctx) {
		keep = t.o.AdHocKeep
	}
	for {
		now := t.now()
		r := t.lim.reserve(now, res, prefer, keep)
		if r.kept {
			// Not waited for: a visitor's check is refused now rather
			// than held until the quota refills.
			return 0, &RateLimitError{Forge: t.o.Forge, Reset: r.until, Kept: true}
		}
		if !r.rest {
			if dl, ok := ctx.Deadline(); ok && r.wait > 0 && dl.Before(now.Add(r.wait)) {
				// Paced beyond the deadline: say so now rather than
				// time out later.
				return 0, &RateLimitError{Forge: t.o.Forge, Reset: now.Add(r.wait)}
			}
			if r.wait > 0 {
				t.paced.Add(1)
				t.waitNanos.Add(int64(r.wait))
				if err := t.sleep(ctx, r.wait); err != nil {
					return 0, err
				}
			}
			return r.tok, nil
		}
		if r.wait > t.o.MaxWait {
			return 0, &RateLimitError{Forge: t.o.Forge, Reset: r.until}
		}
		if dl, ok := ctx.Deadline(); ok && dl.Before(r.until) {
			return 0, &RateLimitError{Forge: t.o.Forge, Reset: r.until}
		}
		t.waits.Add(1)
		t.waitNanos.Add(int64(r.wait))
		if r.firstLog {
			t.log.WarnContext(ctx, "rate limited, waiting", "resource", res, "wait", r.wait.Round(time.Second),
				"until", r.until.UTC().Format(time.RFC3339), "tokens", len(t.o.Tokens))
		}
		if err := t.sleep(ctx, r.wait); err != nil {
			return 0, err
		}
	}
}
