// Package readertest holds the fixtures the readers of the store (metrics,
// web, serve) share: a two-forge configuration and scored snapshots. (The
// in-memory store is store/memstore.)
package readertest

import (
	"strings"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/store"
)

// Ref builds a normalised reference from host/path.
func Ref(forge, id, defi string) crawler.Ref {
	host, p, _ := strings.Cut(id, "/")
	return crawler.Ref{Forge: forge, Host: host, Path: p, URL: "https://" + id, Defi: defi}
}

// Config is a two-forge, two-défi configuration: défi "alpha" (whose name
// holds markup) follows github.com/eig/alpha and gitlab.com/eig/sub/beta;
// défi "gamma" follows github.com/eig/gamma.
func Config() *config.Config {
	return &config.Config{
		Forges: []config.Forge{
			{Name: "github", Type: "github", URL: "https://github.com", Host: "github.com", APIURL: "https://api.github.com"},
			{Name: "gitlab", Type: "gitlab", URL: "https://gitlab.com", Host: "gitlab.com", APIURL: "https://gitlab.com"},
		},
		Defis: []config.Defi{
			{Slug: "alpha", Name: `Alpha <script>alert("défi")</script>`, Repos: []crawler.Ref{
				Ref("github", "github.com/eig/alpha", "alpha"),
				Ref("gitlab", "gitlab.com/eig/sub/beta", "alpha"),
			}},
			{Slug: "gamma", Name: "Gamma", Repos: []crawler.Ref{
				Ref("github", "github.com/eig/gamma", "gamma"),
			}},
		},
		Scoring:  config.Scoring{Weights: checks.DefaultWeights(), DormantDays: checks.DefaultDormantDays},
		Schedule: config.Schedule{Timezone: "Europe/Paris", Location: mustLoc("Europe/Paris"), Crawl: "0 */6 * * *", Report: "0 8 * * 1"},
	}
}

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return l
}

// Snap builds a scored snapshot: scores are the first four checks' scores
// in the checks' order (0..10); a check declared after them is left out, as
// in a result stored before it existed. The overall score is their mean
// scaled to 100.
func Snap(ref crawler.Ref, at time.Time, scores [4]int, lastCommit time.Time) store.Snapshot {
	lc := ""
	if !lastCommit.IsZero() {
		lc = lastCommit.UTC().Format(time.RFC3339)
	}
	details := map[string]map[string]any{
		checks.NameLicense:  {checks.DetailSPDX: "MIT", "file": "LICENSE"},
		checks.NameReadme:   {"file": "README.md", "bytes": 1200},
		checks.NameCI:       {"systems": []string{"github-actions"}, checks.DetailCIStatus: "success"},
		checks.NameActivity: {checks.DetailArchived: false, checks.DetailLastCommitAt: lc, "commits_90d": 12},
	}
	sum := 0
	var cks []checks.Check
	for i, n := range checks.Names()[:len(scores)] {
		score := scores[i]
		sum += score
		rem := ""
		if score < 10 {
			rem = "Ajoutez un fichier " + strings.ToUpper(n) + " <b>maintenant</b>."
		}
		d := details[n]
		if d == nil {
			d = map[string]any{}
		}
		cks = append(cks, checks.Check{Name: n, Score: score, Reason: "Raison " + n + " <i>markup</i>.", Remediation: rem, Details: d})
	}
	score := sum * 100 / (10 * len(cks))
	return store.Snapshot{
		Facts: &crawler.Facts{
			Ref: ref, CrawledAt: at,
			Description:   `Une description <script>alert("desc")</script> & <b>gras</b>`,
			DefaultBranch: "main", Language: "Go", Stars: 3,
			Readme:   crawler.ReadmeFacts{Path: "README.md", Bytes: 1200, Text: "# Titre <script>alert('readme')</script>"},
			Activity: crawler.ActivityFacts{LastCommitAt: lastCommit, Commits90d: 12},
		},
		Result: checks.Result{Repo: ref.ID(), URL: ref.URL, Forge: ref.Forge, Defi: ref.Defi, CrawledAt: at.UTC(), Score: &score, Checks: cks},
	}
}

// Failed builds a snapshot whose fetch failed.
func Failed(ref crawler.Ref, at time.Time, msg string) store.Snapshot {
	return store.Snapshot{
		Facts:  &crawler.Facts{Ref: ref, CrawledAt: at, Error: msg},
		Result: checks.Result{Repo: ref.ID(), URL: ref.URL, Forge: ref.Forge, Defi: ref.Defi, CrawledAt: at.UTC(), Error: msg},
	}
}
