package scan

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/crawler/github"
	"github.com/eiglink/vigie/crawler/gitlab"
	"github.com/eiglink/vigie/crawler/httpx"
)

// DefaultHTTP is the client of a forge when no other is given: the shared
// transport (retries, pacing, tokens, only the forge's hosts) without
// metrics or ETag cache.
func DefaultHTTP(f config.Forge) *http.Client {
	return ForgeHTTP(nil, nil, nil)(f)
}

// ForgeHTTP builds each forge's HTTP client on the shared transport: obs
// counts requests and rate limits for /metrics, cache keeps ETags across
// crawls (the store implements it). Either may be nil.
func ForgeHTTP(obs httpx.Observer, cache httpx.Cache, log *slog.Logger) func(config.Forge) *http.Client {
	return forgeHTTP(obs, cache, log, 0)
}

// CheckHTTP builds each forge's client for a one-off check (`vigie check`):
// DefaultHTTP's, except that a rate limit resetting more than maxWait from
// now fails the repositories at once instead of holding the command until
// the reset (up to an hour on GitHub without a token).
func CheckHTTP(maxWait time.Duration, log *slog.Logger) func(config.Forge) *http.Client {
	return forgeHTTP(nil, nil, log, maxWait)
}

// forgeHTTP is ForgeHTTP with httpx's MaxWait (0: its default).
func forgeHTTP(obs httpx.Observer, cache httpx.Cache, log *slog.Logger, maxWait time.Duration) func(config.Forge) *http.Client {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return func(f config.Forge) *http.Client {
		kind := httpx.KindGitHub
		if f.Type == "gitlab" {
			kind = httpx.KindGitLab
		}
		o := httpx.Options{
			Forge: f.Name, Kind: kind, Tokens: f.Tokens, Concurrency: f.Concurrency,
			AllowedHosts: httpx.HostsFor(f.APIURL, f.GraphQLURL),
			Logger:       log,
			MaxWait:      maxWait,
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
		return github.New(github.Options{Name: f.Name, WebURL: f.URL, APIURL: f.APIURL, GraphQLURL: f.GraphQLURL, Tokens: f.Tokens, HTTPClient: client, Logger: log})
	default:
		return gitlab.New(gitlab.Options{Name: f.Name, WebURL: f.URL, APIURL: f.APIURL, Tokens: f.Tokens, HTTPClient: client, Logger: log, Concurrency: f.Concurrency})
	}
}
