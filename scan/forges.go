package scan

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/crawler/github"
	"github.com/eiglink/vigie/crawler/gitlab"
)

// DefaultHTTP is the client of a forge when no other is given.
func DefaultHTTP(config.Forge) *http.Client {
	return &http.Client{Timeout: 60 * time.Second}
}

func newForge(f config.Forge, client *http.Client, log *slog.Logger) (crawler.Forge, error) {
	log = log.With("forge", f.Name)
	switch f.Type {
	case "github":
		return github.New(github.Options{Name: f.Name, WebURL: f.URL, APIURL: f.APIURL, GraphQLURL: f.GraphQLURL, Tokens: f.Tokens, HTTPClient: client, Logger: log})
	default:
		return gitlab.New(gitlab.Options{Name: f.Name, WebURL: f.URL, APIURL: f.APIURL, Tokens: f.Tokens, HTTPClient: client, Logger: log})
	}
}
