package scan

import (
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/crawler/gitea"
	"github.com/eiglink/vigie/crawler/github"
	"github.com/eiglink/vigie/crawler/gitlab"
	"github.com/eiglink/vigie/crawler/httpx"
)

// DefaultHTTP is the client of a forge when no other is given: the shared
// transport (retries, pacing, tokens, only the forge's hosts) without
// metrics or ETag cache.
func DefaultHTTP(f config.Forge) *http.Client {
	return forgeHTTP(nil, nil, nil, 0, 0)(f)
}

// ForgeHTTP builds each forge's HTTP client on the shared transport: obs
// counts requests and rate limits for /metrics, cache keeps ETags across
// crawls (the store implements it). Either may be nil. These are the
// clients of `vigie serve`, where visitors' checks (marked with
// httpx.AdHoc) share the tokens with the scheduled crawls: checks may never
// spend the last CrawlShare of a quota.
func ForgeHTTP(obs httpx.Observer, cache httpx.Cache, log *slog.Logger) func(config.Forge) *http.Client {
	return forgeHTTP(obs, cache, log, 0, CrawlShare)
}

// CrawlShare is the share of each forge quota that on-demand checks leave
// to the scheduled crawls. A whole programme's crawl costs a small part of
// a token's hourly quota, so half is a wide margin for it while leaving
// visitors hundreds of checks an hour.
const CrawlShare = 0.5

// CheckHTTP builds each forge's client for a one-off check (`vigie check`):
// DefaultHTTP's, except that a rate limit resetting more than maxWait from
// now fails the repositories at once instead of holding the command until
// the reset (up to an hour on GitHub without a token).
func CheckHTTP(maxWait time.Duration, log *slog.Logger) func(config.Forge) *http.Client {
	return forgeHTTP(nil, nil, log, maxWait, 0)
}

// forgeHTTP is ForgeHTTP with httpx's MaxWait (0: its default) and
// AdHocKeep.
func forgeHTTP(obs httpx.Observer, cache httpx.Cache, log *slog.Logger, maxWait time.Duration, keep float64) func(config.Forge) *http.Client {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return func(f config.Forge) *http.Client {
		kind := httpx.KindGitHub
		switch f.Type {
		case "gitlab":
			kind = httpx.KindGitLab
		case "gitea":
			kind = httpx.KindGitea
		}
		o := httpx.Options{
			Forge: f.Name, Kind: kind, Tokens: f.Tokens, Concurrency: f.Concurrency,
			AllowedHosts: httpx.HostsFor(f.APIURL, f.GraphQLURL),
			Logger:       log,
			MaxWait:      maxWait,
			AdHocKeep:    keep,
			// The ETag cache is kept in the store: nothing a token reads
			// of a private repository goes there, nor a repository's
			// answer that does not say it is public. Without a token a
			// forge answers about public repositories only (GitLab then
			// leaves the visibility out).
			Cacheable: crawler.PublicAnswerFor(!slices.ContainsFunc(f.Tokens, func(t string) bool { return t != "" })),
		}
		// A nil interface value, not a typed nil, when there is none.
		if obs != nil {
			o.Observer = obs
		}
		if cache != nil {
			o.Cache = cache
		}
		return httpx.NewClient(o)
	}
}

func newForge(f config.Forge, client *http.Client, log *slog.Logger) (crawler.Forge, error) {
	switch f.Type {
	case "github":
		return github.New(github.Options{Name: f.Name, WebURL: f.URL, APIURL: f.APIURL, GraphQLURL: f.GraphQLURL, Authenticated: len(f.Tokens) > 0, HTTPClient: client, Logger: log})
	case "gitea":
		return gitea.New(gitea.Options{Name: f.Name, WebURL: f.URL, APIURL: f.APIURL, HTTPClient: client, Logger: log, Concurrency: f.Concurrency})
	default:
		return gitlab.New(gitlab.Options{Name: f.Name, WebURL: f.URL, APIURL: f.APIURL, Authenticated: len(f.Tokens) > 0, HTTPClient: client, Logger: log, Concurrency: f.Concurrency})
	}
}
