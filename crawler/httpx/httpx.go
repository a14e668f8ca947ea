// Package httpx is the HTTP layer every forge package shares: one
// http.RoundTripper per configured forge that sets the token, keeps the
// crawl within the forge's rate limits (pacing, waits, token rotation),
// retries what can be retried, answers unchanged resources from an ETag
// cache, refuses hosts other than the forge's, and counts what it does.
//
// The forge packages (crawler/github, crawler/gitlab) only see an
// *http.Client; the rules of the forges' quotas live here, in one place:
//
//   - Retries: network errors, 5xx (but 501), 429 and GitHub's secondary
//     limits are retried for idempotent methods and GraphQL POSTs (the body
//     is buffered and replayed), up to MaxRetries, after Retry-After when
//     the forge gives one, else after an exponential backoff with full
//     jitter.
//   - Primary limits (X-RateLimit-Remaining / RateLimit-Remaining 0): the
//     token's quota for that resource is empty until the reset the forge
//     gives (moved onto our clock through the Date header, plus a second);
//     another token is used if one has quota left, else the request waits,
//     within MaxWait and the context's deadline. One log line per wait.
//   - Pacing: below a fifth of its limit, a token's requests are spaced by
//     (time to reset) / (remaining), so a long crawl slows down instead of
//     running the quota dry (see bucket.interval); a quota under 100 (an
//     anonymous GitHub client's 60 an hour) is not paced.
//   - ETags: GET answers with an ETag are kept in the Cache per URL and
//     media type, with the index of the token the ETag was issued to (GitHub's
//     differ per token); the next GET of that URL goes with that token when
//     it can be used now and revalidates, and a 304 comes back as the cached
//     200 marked with CacheHeader. Errors are never cached.
//   - Hosts: only AllowedHosts are called, redirects included. A redirect
//     from https to http is refused (the error names both URLs), and a
//     redirect to another host, even an allowed one, goes without
//     credentials (see RoundTrip).
//   - Bodies: every answer is read up to a bound, never whole. An API answer
//     (JSON) beyond MaxBody fails with a BodyTooLargeError naming the URL and
//     the bound, and is not retried; a file text (a request whose context
//     went through WithText) is cut at MaxText and marked with
//     TruncatedHeader. The connection is closed at the bound, so a forge
//     streaming a gigabyte costs the bound, not the gigabyte.
//   - Tokens never appear in errors or logs (redacted even from URLs), nor
//     in the bodies handed to the forge packages: a forge or a proxy that
//     quotes the request's credentials in its answer has them redacted
//     before any client library reads them (see Redactor).
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Forge kinds: they decide the auth header and the rate-limit headers.
const (
	KindGitHub = "github"
	KindGitLab = "gitlab"
	// KindGitea is Gitea and Forgejo: "Authorization: token", no rate-limit
	// headers of its own (a reverse proxy in front may answer 429, with or
	// without Retry-After, which the retries handle), one quota if any.
	KindGitea = "gitea"
)

// CacheHeader is set to "hit" on a response the transport rebuilt from its
// ETag cache after the forge answered 304 Not Modified, so callers and the
// benchmark can tell (the forge packages see a plain 200).
const CacheHeader = "X-Vigie-Cache"

// Observer receives what the transport sees, for Prometheus. It is
// implemented by the metrics package.
type Observer interface {
	// Request is called once per HTTP answer (every retry counts); code is
	// 0 for a network error.
	Request(forge string, code int)
	// RateLimit is called with the remaining quota a forge reports.
	RateLimit(forge string, remaining int)
}

// Cache keeps ETags and the bodies they validate across crawls. store.Store
// implements it. A miss is an empty etag (an error is logged and treated as
// a miss: a broken cache costs requests, not the crawl).
type Cache interface {
	CacheGet(ctx context.Context, key string) (etag string, body []byte, err error)
	CachePut(ctx context.Context, key, etag string, body []byte) error
}

// Options configure the transport of one forge.
type Options struct {
	Forge string // forge name, for metrics and logs
	Kind  string // KindGitHub, KindGitLab or KindGitea
	// Tokens are used in turn; the transport sets the auth header itself
	// (GitHub "Authorization: Bearer", GitLab "PRIVATE-TOKEN", Gitea
	// "Authorization: token") when there is
	// at least one, overriding any header the caller set. None: anonymous.
	Tokens []string
	// AllowedHosts are the only hosts (host or host:port, as in a URL) the
	// transport will call, redirects included: a crawl of a user-given URL
	// can never make vigie call elsewhere. Empty means the public forge's API
	// host (api.github.com, gitlab.com). HostsFor derives them from URLs.
	AllowedHosts []string
	Base         http.RoundTripper // default http.DefaultTransport
	// Timeout bounds one attempt, reading the body included (default 30s).
	Timeout time.Duration
	// MaxRetries is how many times a failed attempt is repeated (default 4;
	// negative: never).
	MaxRetries int
	// Concurrency bounds the requests in flight to the forge (default 8).
	Concurrency int
	// BackoffBase and BackoffMax shape the exponential backoff: attempt n
	// sleeps a random time in [0, min(BackoffMax, BackoffBase·2ⁿ)) ("full
	// jitter", so that many clients failing together do not retry together).
	// Defaults 500ms and 30s.
	BackoffBase time.Duration
	BackoffMax  time.Duration
	// MaxWait is the longest the transport waits for a rate limit to reset
	// before giving up with a RateLimitError (default 65 minutes: GitHub's
	// window is an hour). The request's context bounds it too.
	MaxWait time.Duration
	// AdHocKeep is the share (0..1) of each quota that requests marked
	// with AdHoc may not spend: scheduled crawls always find it. A marked
	// request that would dip into it fails at once with a RateLimitError
	// whose Kept is true. 0 keeps nothing.
	AdHocKeep float64
	// DownFor is how long requests fail at once, without calling, after
	// one found the forge's host unreachable (default DefaultDownFor).
	DownFor time.Duration
	// MaxBody bounds an API answer (JSON: REST or GraphQL) read from the
	// forge (default DefaultMaxBody); beyond it the request fails.
	MaxBody int64
	// MaxText bounds a file text (README, licence) read from the forge
	// through a context marked by WithText (default DefaultMaxText); beyond
	// it the text is cut.
	MaxText  int64
	Observer Observer     // optional
	Logger   *slog.Logger // default slog.Default()
	Cache    Cache        // optional ETag cache
	// Cacheable says whether a successful answer may go into the Cache
	// (nil: every one). The Cache outlives the crawl: what a forge tells a
	// token about a private repository must not be kept
	// (crawler.PublicAnswerFor).
	Cacheable func(body []byte) bool
}

// Stats count what a transport did since it was built.
type Stats struct {
	Requests      int64         `json:"requests"`       // attempts sent to the forge
	Retries       int64         `json:"retries"`        // attempts that repeated a failed one
	NotModified   int64         `json:"not_modified"`   // 304s answered from the cache
	NetworkErrors int64         `json:"network_errors"` // attempts without an HTTP answer
	RateLimited   int64         `json:"rate_limited"`   // answers saying a rate limit was hit
	Waits         int64         `json:"waits"`          // waits for a rate limit to reset
	Paced         int64         `json:"paced"`          // requests delayed by pacing
	WaitTime      time.Duration `json:"wait_time_ns"`   // total time spent in waits and pacing
}

// RateLimitError is returned when every token is exhausted for longer than
// MaxWait (or than the request's context allows), or, for a request marked
// AdHoc, when what is left is the share kept for scheduled crawls (Kept).
type RateLimitError struct {
	Forge string
	Reset time.Time
	Kept  bool
}

func (e *RateLimitError) Error() string {
	if e.Kept {
		return fmt.Sprintf("%s: the rest of the API quota is kept for scheduled crawls until %s; on-demand checks resume then", e.Forge, e.Reset.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("%s: rate limit exhausted until %s", e.Forge, e.Reset.UTC().Format(time.RFC3339))
}

type adHocKey struct{}

// AdHoc marks the requests made under ctx as ad hoc (a visitor's check
// rather than a scheduled crawl): they may not spend the share of each
// quota that Options.AdHocKeep keeps.
func AdHoc(ctx context.Context) context.Context {
	return context.WithValue(ctx, adHocKey{}, true)
}

func adHoc(ctx context.Context) bool {
	v, _ := ctx.Value(adHocKey{}).(bool)
	return v
}

// Default body bounds. A GraphQL batch of 25 GitHub repositories or 50
// GitLab projects with their README and licence texts weighs 0.2–2 MiB;
// 16 MiB leaves a wide margin for large batches while keeping the worst case
// (Concurrency answers in memory at once) well under a gigabyte. A README
// beyond 1 MiB is not a README a newcomer reads: vigie scores its first
// 64 KiB (crawler.MaxReadmeText), and a licence text is far shorter.
const (
	DefaultMaxBody int64 = 16 << 20
	DefaultMaxText int64 = 1 << 20
)

// TruncatedHeader is set to "true" on a file text the transport cut at
// MaxText.
const TruncatedHeader = "X-Vigie-Truncated"

// BodyTooLargeError is returned when an API answer exceeds MaxBody.
type BodyTooLargeError struct {
	Forge string
	URL   string // redacted
	Limit int64
}

func (e *BodyTooLargeError) Error() string {
	return fmt.Sprintf("%s: the answer of %s exceeds %s: refused (a forge never sends that much for one request)", e.Forge, e.URL, sizeString(e.Limit))
}

// sizeString writes n bytes in the largest binary unit that divides it.
func sizeString(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

type textKey struct{}

// WithText marks the requests made with ctx as reading a file's text: its
// answer is cut at MaxText (and marked with TruncatedHeader) instead of
// failing beyond MaxBody. The forge packages use it for the raw file
// endpoints (GitLab's /repository/files/:path/raw, GitHub's contents API
// with the raw media type). Neither forge documents Range requests on
// them, so the transport reads the first MaxText bytes and closes the
// connection: the forge stops sending, vigie keeps the bound.
func WithText(ctx context.Context) context.Context {
	return context.WithValue(ctx, textKey{}, true)
}

func isText(ctx context.Context) bool {
	v, _ := ctx.Value(textKey{}).(bool)
	return v
}

// Transport is the forge's http.RoundTripper. Build it with NewTransport.
type Transport struct {
	o       Options
	red     *Redactor
	base    http.RoundTripper
	log     *slog.Logger
	sem     chan struct{}
	allowed map[string]bool
	lim     *limiter

	requests, retries, notModified, netErrors, limited, waits, paced, waitNanos atomic.Int64
	// downUntil is, per host found unreachable, when it is called again.
	downMu    sync.Mutex
	downUntil map[string]time.Time

	// Seams for tests: the clock, sleeping and the backoff's randomness.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
	jit   func(n int64) int64
}

// NewClient returns an *http.Client over NewTransport(o) that refuses
// redirects to hosts the transport would not call.
func NewClient(o Options) *http.Client {
	return NewTransport(o).Client()
}

// Client wraps the transport in an *http.Client. There is no client-wide
// timeout: Options.Timeout bounds each attempt, and rate-limit waits are
// bounded by MaxWait and the request's context instead.
func (t *Transport) Client() *http.Client {
	return &http.Client{
		Transport: t,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 10 {
				return fmt.Errorf("%s: stopped after 10 redirects", t.o.Forge)
			}
			if err := t.checkDowngrade(req.URL, via); err != nil {
				return err
			}
			return t.checkHost(req.URL)
		},
	}
}

// NewTransport builds the transport of one forge, applying defaults.
func NewTransport(o Options) *Transport {
	if o.Base == nil {
		o.Base = http.DefaultTransport
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = 4
	} else if o.MaxRetries < 0 {
		o.MaxRetries = 0
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.BackoffBase <= 0 {
		o.BackoffBase = 500 * time.Millisecond
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = 30 * time.Second
	}
	if o.MaxWait <= 0 {
		o.MaxWait = 65 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.DownFor <= 0 {
		o.DownFor = DefaultDownFor
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.MaxText <= 0 {
		o.MaxText = DefaultMaxText
	}
	red := NewRedactor(o.Tokens...)
	hosts := o.AllowedHosts
	if len(hosts) == 0 {
		switch o.Kind {
		case KindGitLab:
			hosts = []string{"gitlab.com"}
		case KindGitea:
			// No public instance stands for all: the caller names it.
		default:
			hosts = []string{"api.github.com"}
		}
	}
	allowed := map[string]bool{}
	for _, h := range hosts {
		allowed[strings.ToLower(h)] = true
	}
	t := &Transport{
		o:       o,
		red:     red,
		base:    o.Base,
		log:     slog.New(red.Handler(o.Logger.Handler())).With("forge", o.Forge),
		sem:     make(chan struct{}, o.Concurrency),
		allowed: allowed,
		now:     time.Now,
		sleep:   sleepCtx,
		jit:     rand.Int64N,
	}
	t.lim = newLimiter(len(o.Tokens))
	return t
}

// HostsFor returns the hosts (host[:port], lower-case) of the given URLs,
// skipping empty or unparsable ones: AllowedHosts from a forge's api_url and
// GraphQL endpoint.
func HostsFor(urls ...string) []string {
	var hosts []string
	for _, s := range urls {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			continue
		}
		hosts = append(hosts, strings.ToLower(u.Host))
	}
	return hosts
}

// Stats returns the counters so far.
func (t *Transport) Stats() Stats {
	return Stats{
		Requests:      t.requests.Load(),
		Retries:       t.retries.Load(),
		NotModified:   t.notModified.Load(),
		NetworkErrors: t.netErrors.Load(),
		RateLimited:   t.limited.Load(),
		Waits:         t.waits.Load(),
		Paced:         t.paced.Load(),
		WaitTime:      time.Duration(t.waitNanos.Load()),
	}
}

// checkDowngrade refuses a redirect from https to http: whatever it
// carries (the token, the query) would cross the network in clear.
func (t *Transport) checkDowngrade(u *url.URL, via []*http.Request) error {
	if u.Scheme != "http" {
		return nil
	}
	for _, prev := range via {
		if prev.URL.Scheme == "https" {
			return fmt.Errorf("%s: refusing the redirect from %s to %s: it leaves https for http", t.o.Forge, t.redactURL(prev.URL), t.redactURL(u))
		}
	}
	return nil
}

// redirectChain returns the requests that led to req through redirects,
// first one first (empty when req is not a redirect): http.Client sets
// req.Response to the redirect answer, whose Request is the previous hop.
func redirectChain(req *http.Request) []*http.Request {
	var chain []*http.Request
	for r := req; r.Response != nil && r.Response.Request != nil && len(chain) < 20; {
		r = r.Response.Request
		chain = append([]*http.Request{r}, chain...)
	}
	return chain
}

func (t *Transport) checkHost(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%s: refusing %s URL %s", t.o.Forge, u.Scheme, t.redactURL(u))
	}
	h := strings.ToLower(u.Host)
	if t.allowed[h] {
		return nil
	}
	// "api.github.com" also allows "api.github.com:443" (and :80 for http).
	if p := u.Port(); (u.Scheme == "https" && p == "443") || (u.Scheme == "http" && p == "80") {
		if t.allowed[strings.ToLower(u.Hostname())] {
			return nil
		}
	}
	return fmt.Errorf("%s: refusing to call %s: host %q is not the forge's", t.o.Forge, t.redactURL(u), u.Host)
}

// resource names the rate-limit bucket a request draws from: GitHub keeps
// separate quotas for REST ("core"), GraphQL points and search; GitLab one.
func (t *Transport) resource(u *url.URL) string {
	if t.o.Kind == KindGitLab || t.o.Kind == KindGitea {
		return ""
	}
	p := u.Path
	switch {
	case strings.HasSuffix(p, "/graphql"):
		return "graphql"
	case strings.HasPrefix(p, "/search/") || strings.Contains(p, "/api/v3/search/"):
		return "search"
	}
	return "core"
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete, http.MethodTrace:
		return true
	}
	return false
}

// RoundTrip sends req, retrying and waiting as the forge's rules ask. The
// body of the returned response is fully read and buffered (so the attempt's
// timeout covers it, a truncated body is retried, and the cache can keep it).
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := t.checkHost(req.URL); err != nil {
		closeBody(req)
		return nil, err
	}
	if t.down(req.URL.Host) {
		closeBody(req)
		return nil, t.wrap(req, &UnreachableError{Forge: t.o.Forge, Host: req.URL.Host, Err: errors.New("found unreachable moments ago, not called again")})
	}
	// A redirect: refused when it leaves https (for clients built without
	// Client's CheckRedirect), anonymous when it leaves the first host.
	// Credentials are for the host the caller asked; Go's client drops
	// Authorization on such a redirect but not GitLab's PRIVATE-TOKEN, and
	// the transport would set the token again anyway.
	anonymous := false
	if chain := redirectChain(req); len(chain) > 0 {
		if err := t.checkDowngrade(req.URL, chain); err != nil {
			closeBody(req)
			return nil, err
		}
		anonymous = !strings.EqualFold(chain[0].URL.Host, req.URL.Host)
	}
	body, err := readBody(req)
	if err != nil {
		return nil, t.wrap(req, fmt.Errorf("reading request body: %w", err))
	}
	res := t.resource(req.URL)
	// A GraphQL POST (GitHub's or GitLab's) is a query: repeating it is safe.
	maxRetries := t.o.MaxRetries
	if !idempotent(req.Method) && !strings.HasSuffix(req.URL.Path, "/graphql") {
		maxRetries = 0
	}
	ce := t.cacheLookup(ctx, req)
	prefer := noToken
	if ce != nil && ce.found {
		// The ETag is only good with the token it was issued to: ask
		// with that one when it can be used now.
		prefer = ce.tok
	}
	for attempt := 0; ; attempt++ {
		tok, err := t.acquire(ctx, res, prefer)
		if err != nil {
			return nil, t.wrap(req, err)
		}
		resp, rbody, info, err := t.send(ctx, req, body, tok, anonymous, res, ce)
		if unreachable(err) && ctx.Err() == nil {
			// Retrying a host that does not resolve or refuses connections
			// only makes the crawl wait: say it, and stop calling it.
			t.markDown(ctx, req.URL.Host, err)
			return nil, t.wrap(req, &UnreachableError{Forge: t.o.Forge, Host: req.URL.Host, Err: err})
		}
		verdict := t.judge(resp, rbody, info, err, tok, attempt)
		if verdict.done {
			return resp, t.wrapIf(req, err)
		}
		if attempt >= maxRetries || ctx.Err() != nil {
			if resp != nil {
				return resp, nil
			}
			return nil, t.wrap(req, err)
		}
		t.retries.Add(1)
		if info.resource != "" {
			// The forge says which quota the request drew from: wait on
			// that one.
			res = info.resource
		}
		if verdict.sleep > 0 {
			t.log.DebugContext(ctx, "retrying", "method", req.Method, "url", t.redactURL(req.URL),
				"status", statusOf(resp), "after", verdict.sleep, "attempt", attempt+1)
			if err := t.sleep(ctx, verdict.sleep); err != nil {
				if resp != nil {
					return resp, nil
				}
				return nil, t.wrap(req, err)
			}
		}
	}
}

// verdict says what to do with one attempt's outcome: hand it back (done),
// or retry after sleep (0: at once — the limiter does any waiting).
type verdict struct {
	done  bool
	sleep time.Duration
}

func (t *Transport) judge(resp *http.Response, body []byte, info limitInfo, err error, tok int, attempt int) verdict {
	if tooLarge := (*BodyTooLargeError)(nil); errors.As(err, &tooLarge) {
		// Asking again would read as much again.
		return verdict{done: true}
	}
	if err != nil {
		return verdict{sleep: t.backoff(attempt)}
	}
	code := resp.StatusCode
	retryAfter, hasRetryAfter := parseRetryAfter(resp.Header.Get("Retry-After"), t.now())
	switch {
	case code == http.StatusTooManyRequests,
		code == http.StatusForbidden && (info.exhausted() || hasRetryAfter || secondaryBody(body)),
		code == http.StatusOK && info.resource == "graphql" && info.exhausted() && graphQLRateLimited(body):
		t.limited.Add(1)
		switch {
		case info.exhausted():
			// Primary limit: the limiter now knows this token is empty
			// until its reset; the next acquire switches token or waits.
			return verdict{}
		case hasRetryAfter:
			// Secondary limit: the token rests for Retry-After.
			t.lim.block(tok, t.now().Add(retryAfter))
			return verdict{}
		default:
			return verdict{sleep: t.backoff(attempt + 1)}
		}
	case code >= 500 && code != http.StatusNotImplemented:
		if hasRetryAfter {
			return verdict{sleep: min(retryAfter, t.o.BackoffMax)}
		}
		return verdict{sleep: t.backoff(attempt)}
	}
	return verdict{done: true}
}

// backoff picks a full-jitter delay for the n-th retry of a request: the
// ceiling doubles each time, so a flapping forge is left alone longer.
func (t *Transport) backoff(n int) time.Duration {
	ceil := t.o.BackoffBase << min(n, 20)
	if ceil <= 0 || ceil > t.o.BackoffMax {
		ceil = t.o.BackoffMax
	}
	return time.Duration(t.jit(int64(ceil)))
}

// send makes one attempt with token tok (-1: anonymous; anonymous true: a
// redirect to another host, sent without any credentials) and returns the
// response with its body read, the body's bytes and what its headers say of
// the quota (resource defaulting to res).
func (t *Transport) send(ctx context.Context, req *http.Request, body []byte, tok int, anonymous bool, res string, ce *cacheEntry) (*http.Response, []byte, limitInfo, error) {
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, limitInfo{}, ctx.Err()
	}
	defer func() { <-t.sem }()

	actx, cancel := context.WithTimeout(ctx, t.o.Timeout)
	defer cancel()
	r := req.Clone(actx)
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		r.ContentLength = int64(len(body))
	}
	if anonymous {
		r.Header.Del("Authorization")
		r.Header.Del("PRIVATE-TOKEN")
		r.Header.Del("Cookie")
	} else if tok >= 0 {
		switch t.o.Kind {
		case KindGitLab:
			r.Header.Set("PRIVATE-TOKEN", t.o.Tokens[tok])
		case KindGitea:
			// Every Gitea and Forgejo version takes "token"; "Bearer" is
			// newer.
			r.Header.Set("Authorization", "token "+t.o.Tokens[tok])
		default:
			r.Header.Set("Authorization", "Bearer "+t.o.Tokens[tok])
		}
	}
	revalidating := ce != nil && ce.found && ce.tok == tok
	if revalidating {
		r.Header.Set("If-None-Match", ce.etag)
	}

	t.requests.Add(1)
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		t.netErrors.Add(1)
		t.observe(0)
		return nil, nil, limitInfo{}, err
	}
	buf, truncated, err := t.readBounded(ctx, req, resp)
	resp.Body.Close()
	if err != nil {
		if tooLarge := (*BodyTooLargeError)(nil); !errors.As(err, &tooLarge) {
			t.netErrors.Add(1)
			t.observe(0)
			return nil, nil, limitInfo{}, fmt.Errorf("reading body: %w", err)
		}
		t.observe(resp.StatusCode)
		return nil, nil, limitInfo{}, err
	}
	// A forge (or a proxy before it) quoting the credentials in its answer
	// must not hand them to the client libraries, which quote answers in
	// their errors.
	buf = t.red.Bytes(buf)
	if truncated {
		resp.Header.Set(TruncatedHeader, "true")
	}
	t.observe(resp.StatusCode)
	info := parseLimit(t.o.Kind, resp.Header, t.now())
	if info.resource == "" {
		info.resource = res
	}
	newlyExhausted := t.lim.update(tok, info, t.now())
	if info.known && t.o.Observer != nil {
		t.o.Observer.RateLimit(t.o.Forge, t.lim.remaining(t.now(), info.remaining))
	}
	if newlyExhausted && len(t.o.Tokens) > 1 {
		// With one token the wait that follows is logged; with several,
		// say which one ran dry (its index, never its value).
		t.log.InfoContext(ctx, "token quota exhausted", "token_index", tok, "resource", info.resource,
			"reset", info.reset.UTC().Format(time.RFC3339))
	}
	resp.Request = req

	switch {
	case resp.StatusCode == http.StatusNotModified && revalidating:
		cached := ce.body
		t.notModified.Add(1)
		resp.StatusCode = http.StatusOK
		resp.Status = "200 OK"
		resp.Header.Set(CacheHeader, "hit")
		if resp.Header.Get("Content-Type") == "" && json.Valid(cached) {
			resp.Header.Set("Content-Type", "application/json; charset=utf-8")
		}
		resp.Header.Del("Content-Length")
		buf = cached
	case resp.StatusCode == http.StatusOK && ce != nil:
		// Only successful answers are cached: an error must be asked again.
		if t.o.Cacheable != nil && !t.o.Cacheable(buf) {
			// Neither this answer nor an older one of the same URL stays:
			// the older ETag must not bring a stale body back.
			if ce.found {
				if err := t.o.Cache.CachePut(ctx, ce.key, "", nil); err != nil {
					t.log.DebugContext(ctx, "cache write failed", "url", t.redactURL(req.URL), "err", t.redact(err.Error()))
				}
			}
		} else if et := resp.Header.Get("ETag"); et != "" {
			if err := t.o.Cache.CachePut(ctx, ce.key, storedETag(tok, et), buf); err != nil {
				t.log.DebugContext(ctx, "cache write failed", "url", t.redactURL(req.URL), "err", t.redact(err.Error()))
			}
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(buf))
	resp.ContentLength = int64(len(buf))
	return resp, buf, info, nil
}

// readBounded reads resp's body up to the bound of req's kind: MaxText for
// a file text (cut, truncated true), MaxBody for anything else (beyond:
// BodyTooLargeError). It never reads more than the bound plus one byte.
func (t *Transport) readBounded(ctx context.Context, req *http.Request, resp *http.Response) ([]byte, bool, error) {
	text := isText(ctx)
	limit := t.o.MaxBody
	if text {
		limit = t.o.MaxText
	}
	tooLarge := func() error {
		return &BodyTooLargeError{Forge: t.o.Forge, URL: t.redactURL(req.URL), Limit: limit}
	}
	if !text && resp.ContentLength > limit {
		return nil, false, tooLarge()
	}
	buf, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, false, err
	}
	if int64(len(buf)) <= limit {
		return buf, false, nil
	}
	if !text {
		return nil, false, tooLarge()
	}
	return buf[:limit], true, nil
}

func (t *Transport) observe(code int) {
	if t.o.Observer != nil {
		t.o.Observer.Request(t.o.Forge, code)
	}
}

// noToken is no token index at all (-1 is anonymous).
const noToken = -2

// cacheEntry is the cache's answer for one GET.
type cacheEntry struct {
	key   string
	found bool
	tok   int // the token the ETag was issued to
	etag  string
	body  []byte
}

// cacheLookup reads the entry of req; nil when the cache does not apply
// (no cache, not a GET, or the caller revalidates by itself).
func (t *Transport) cacheLookup(ctx context.Context, req *http.Request) *cacheEntry {
	if t.o.Cache == nil || req.Method != http.MethodGet || req.Header.Get("If-None-Match") != "" {
		return nil
	}
	ce := &cacheEntry{key: cacheKey(req)}
	stored, body, err := t.o.Cache.CacheGet(ctx, ce.key)
	if err != nil {
		t.log.DebugContext(ctx, "cache read failed", "url", t.redactURL(req.URL), "err", t.redact(err.Error()))
		return ce
	}
	ce.tok, ce.etag, ce.found = parseStoredETag(stored)
	anonymous := ce.tok == -1 && len(t.o.Tokens) == 0
	if !anonymous && (ce.tok < 0 || ce.tok >= len(t.o.Tokens)) {
		// Issued to a token this transport does not have.
		ce.found = false
	}
	ce.body = body
	return ce
}

// cacheKey names a cached answer: the same URL answers differently per
// media type.
func cacheKey(req *http.Request) string {
	return fmt.Sprintf("%s %s accept=%s", req.Method, req.URL.String(), req.Header.Get("Accept"))
}

// storedETag keeps, with the ETag, the index of the token it was issued to:
// GitHub's ETags differ per token, so a revalidation must use the same one.
func storedETag(tok int, etag string) string { return "t" + strconv.Itoa(tok) + ":" + etag }

func parseStoredETag(v string) (tok int, etag string, ok bool) {
	idx, etag, ok := strings.Cut(v, ":")
	if !ok || !strings.HasPrefix(idx, "t") || etag == "" {
		return 0, "", false
	}
	tok, err := strconv.Atoi(idx[1:])
	if err != nil {
		return 0, "", false
	}
	return tok, etag, true
}

func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	return io.ReadAll(req.Body)
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

// secondaryBody tells GitHub's secondary ("abuse") limit from a plain 403.
func secondaryBody(body []byte) bool {
	b := bytes.ToLower(body)
	return bytes.Contains(b, []byte("secondary rate limit")) || bytes.Contains(b, []byte("abuse detection"))
}

// graphQLRateLimited recognises GitHub's GraphQL answer when the points are
// spent: a 200 whose errors say RATE_LIMITED.
func graphQLRateLimited(body []byte) bool {
	return bytes.Contains(body, []byte(`"RATE_LIMITED"`))
}

// wrap names the forge in err, tokens redacted.
func (t *Transport) wrap(req *http.Request, err error) error {
	// http.Client adds the method and URL itself (url.Error): the forge name
	// is what it lacks, unless the error names it already.
	msg := fmt.Sprintf("%s: %v", t.o.Forge, err)
	if rl := (*RateLimitError)(nil); errors.As(err, &rl) {
		msg = err.Error()
	}
	return &requestError{msg: t.redact(msg), err: err}
}

func (t *Transport) wrapIf(req *http.Request, err error) error {
	if err == nil {
		return nil
	}
	return t.wrap(req, err)
}

// requestError keeps the cause for errors.Is (context deadlines,
// RateLimitError) while its text is redacted.
type requestError struct {
	msg string
	err error
}

func (e *requestError) Error() string { return e.msg }
func (e *requestError) Unwrap() error { return e.err }

// redact removes every token from s: tokens belong in headers, but a caller
// could have put one in a URL, and an error from below could quote it.
func (t *Transport) redact(s string) string { return t.red.String(s) }

// Redactor returns the redactor of this transport's tokens.
func (t *Transport) Redactor() *Redactor { return t.red }

// redactURL drops credentials and token-like query parameters from u.
func (t *Transport) redactURL(u *url.URL) string {
	c := *u
	c.User = nil
	q := c.Query()
	changed := false
	for k := range q {
		switch strings.ToLower(k) {
		case "access_token", "private_token", "token", "client_secret":
			q.Set(k, "REDACTED")
			changed = true
		}
	}
	if changed {
		c.RawQuery = q.Encode()
	}
	return t.redact(c.String())
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(at.Sub(now), 0), true
	}
	return 0, false
}
