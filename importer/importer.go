// Package importer is `vigie import`: it stores a JSON array of result
// objects (as `vigie check` and `vigie crawl` print them) as snapshots dated
// by their crawled_at, so history from elsewhere (another instance, a
// repository's own CI, a backup) joins the store.
//
// A file is taken whole or not at all: if it is not such an array, or one
// of its results is malformed or names a repository outside the
// configuration, nothing is stored and the error says which element and why.
package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/store"
)

// ErrInvalid is wrapped by every error about the file's content (as opposed
// to the store failing): a usage error for the command line.
var ErrInvalid = errors.New("invalid results file")

// ClockSkew is how far after now a crawled_at may be (another machine's
// clock); later ones are refused, as they would pass for the latest
// snapshot for good.
const ClockSkew = time.Hour

// Options tune Import.
type Options struct {
	// Now bounds crawled_at (the caller reads the clock).
	Now    time.Time
	Logger *slog.Logger
}

// Result says what Import did.
type Result struct {
	Read    int // results in the file
	Stored  int // results stored now
	Skipped int // results already stored (same repo and crawled_at)
}

// Import reads r (named name in errors) and stores its results in one
// transaction. Each result's défi is the one the configuration gives its
// repository; results already stored (same repo and crawled_at) are skipped,
// so importing a file twice stores it once.
func Import(ctx context.Context, st store.Store, cfg *config.Config, r io.Reader, name string, o Options) (Result, error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var res Result
	results, err := decode(r, name)
	if err != nil {
		return res, err
	}
	res.Read = len(results)
	idx := newIndex(cfg)
	var problems []string
	for i := range results {
		if p := check(&results[i], idx, o.Now); p != "" {
			id := results[i].Repo
			if id == "" {
				id = "no repo"
			}
			problems = append(problems, fmt.Sprintf("element %d (%s): %s", i, id, p))
		}
	}
	if len(problems) > 0 {
		msg := problems[0]
		if len(problems) > 1 {
			msg += fmt.Sprintf(" (and %d more refused results)", len(problems)-1)
		}
		return res, fmt.Errorf("%s: %w: %s; nothing imported", name, ErrInvalid, msg)
	}

	seen := map[string]bool{}
	var snaps []store.Snapshot
	for _, x := range results {
		key := x.Repo + "@" + x.CrawledAt.UTC().Format(time.RFC3339Nano)
		if seen[key] {
			res.Skipped++
			continue
		}
		seen[key] = true
		have, err := st.History(ctx, x.Repo, x.CrawledAt, x.CrawledAt.Add(time.Microsecond))
		if err != nil {
			return res, fmt.Errorf("%s: read history of %s: %w", name, x.Repo, err)
		}
		if len(have) > 0 {
			res.Skipped++
			continue
		}
		x.CrawledAt = x.CrawledAt.UTC()
		snaps = append(snaps, store.Snapshot{Result: x})
	}
	if len(snaps) > 0 {
		if err := st.SaveCrawl(ctx, snaps); err != nil {
			return res, fmt.Errorf("%s: store %d results: %w", name, len(snaps), err)
		}
	}
	res.Stored = len(snaps)
	log.InfoContext(ctx, "results imported", "file", name, "read", res.Read, "stored", res.Stored, "skipped", res.Skipped)
	return res, nil
}

// decode reads exactly one JSON array of objects.
func decode(r io.Reader, name string) ([]checks.Result, error) {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: %w: empty file, want a JSON array of result objects", name, ErrInvalid)
		}
		return nil, fmt.Errorf("%s: %w: not JSON: %v", name, ErrInvalid, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, fmt.Errorf("%s: %w: want a JSON array of result objects (as `vigie check --format json` prints), got %s", name, ErrInvalid, kindOf(tok))
	}
	var out []checks.Result
	for i := 0; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("%s: %w: element %d: %v", name, ErrInvalid, i, err)
		}
		if !strings.HasPrefix(strings.TrimSpace(string(raw)), "{") {
			return nil, fmt.Errorf("%s: %w: element %d is not a result object", name, ErrInvalid, i)
		}
		var x checks.Result
		if err := json.Unmarshal(raw, &x); err != nil {
			return nil, fmt.Errorf("%s: %w: element %d: %v", name, ErrInvalid, i, err)
		}
		out = append(out, x)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", name, ErrInvalid, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w: data after the array", name, ErrInvalid)
	}
	return out, nil
}

func kindOf(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return "an object"
		}
		return string(t)
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}

// index answers "which défi follows this repository?" from the
// configuration: listed repositories, then organisations (minus excludes).
type index struct {
	cfg   *config.Config
	repos map[string]string // repo id -> défi slug
	file  string
}

func newIndex(cfg *config.Config) *index {
	ix := &index{cfg: cfg, repos: map[string]string{}, file: cfg.File}
	if ix.file == "" {
		ix.file = "the configuration"
	}
	for _, d := range cfg.Defis {
		for _, r := range d.Repos {
			if _, dup := ix.repos[r.ID()]; !dup { // the first défi listing it wins
				ix.repos[r.ID()] = d.Slug
			}
		}
	}
	return ix
}

func (ix *index) defiOf(repo string) (string, bool) {
	if d, ok := ix.repos[repo]; ok {
		return d, true
	}
	return ix.cfg.OrgDefi(repo)
}

// check validates one result and sets its défi from the configuration. It
// returns the problem ("" none).
func check(x *checks.Result, ix *index, now time.Time) string {
	if x.Repo == "" {
		return "no repo"
	}
	if host, p, ok := strings.Cut(x.Repo, "/"); ok {
		x.Repo = strings.ToLower(host) + "/" + strings.TrimSuffix(p, ".git")
	}
	defi, ok := ix.defiOf(x.Repo)
	if !ok {
		return "not a repository of " + ix.file
	}
	x.Defi = defi
	if x.CrawledAt.IsZero() {
		return "no crawled_at"
	}
	if !now.IsZero() && x.CrawledAt.After(now.Add(ClockSkew)) {
		return fmt.Sprintf("crawled_at %s is in the future", x.CrawledAt.Format(time.RFC3339))
	}
	if x.Error == "" && x.Score == nil {
		return "score is null but error is empty"
	}
	if x.Error != "" && x.Score != nil {
		return "score is set but so is error"
	}
	if x.Score != nil && (*x.Score < 0 || *x.Score > 100) {
		return fmt.Sprintf("score %d is outside 0..100", *x.Score)
	}
	for _, c := range x.Checks {
		if c.Name == "" {
			return "a check has no name"
		}
		if c.Score < 0 || c.Score > 10 {
			return fmt.Sprintf("check %s: score %d is outside 0..10", c.Name, c.Score)
		}
	}
	return ""
}
