package httpx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/eiglink/vigie/crawler"
)

// DefaultDownFor is how long a forge whose host cannot be resolved or
// reached is left alone (Options.DownFor): long enough for the rest of a
// crawl to be answered at once, short enough for the next crawl to try again.
const DefaultDownFor = 2 * time.Minute

// UnreachableError says the forge's host cannot be resolved or reached.
// The transport returns it for the request that found out and, without
// calling, for every request in the following DownFor: a crawl says it once
// rather than timing out repository by repository.
type UnreachableError struct {
	Forge string
	Host  string
	Err   error // the network error that found out
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("%s: forge host %s unreachable: %v", e.Forge, e.Host, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// unreachable tells a network error that says the host cannot be resolved
// or reached (no such host, connection refused, no route), which retrying
// within seconds does not mend.
func unreachable(err error) bool {
	if err == nil {
		return false
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return !dns.IsTimeout
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial" && !op.Timeout()
}

// down tells whether host was found unreachable less than DownFor ago.
func (t *Transport) down(host string) bool {
	t.downMu.Lock()
	defer t.downMu.Unlock()
	return t.now().Before(t.downUntil[host])
}

// markDown records that host cannot be reached; it logs once per outage.
func (t *Transport) markDown(ctx context.Context, host string, err error) {
	t.downMu.Lock()
	was := t.now().Before(t.downUntil[host])
	if t.downUntil == nil {
		t.downUntil = map[string]time.Time{}
	}
	t.downUntil[host] = t.now().Add(t.o.DownFor)
	t.downMu.Unlock()
	if !was {
		t.log.InfoContext(ctx, "forge unreachable: its other requests fail at once for a while", "host", host, "for", t.o.DownFor, "err", t.redact(err.Error()))
	}
}

// Classify says which crawler.Fail* kind an error met while fetching a
// repository is; status is the HTTP status of the answer when there is one
// (0 otherwise).
func Classify(err error, status int) string {
	var ue *UnreachableError
	var rl *RateLimitError
	switch {
	case errors.As(err, &ue) || unreachable(err):
		return crawler.FailUnreachable
	case errors.As(err, &rl):
		return crawler.FailRateLimited
	}
	switch {
	case status == http.StatusNotFound || status == http.StatusGone || status == http.StatusUnavailableForLegalReasons:
		return crawler.FailNotFound
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return crawler.FailAccessRefused
	case status == http.StatusMovedPermanently || status == http.StatusPermanentRedirect || status == http.StatusFound:
		return crawler.FailRenamed
	case status == http.StatusTooManyRequests:
		return crawler.FailRateLimited
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return crawler.FailTimeout
	}
	return crawler.FailForgeError
}
