// Package importer is `vigie import`: it stores a JSON array of result
// objects (as `vigie check` and `vigie crawl` print them) as snapshots dated
// by their crawled_at, so history from elsewhere (another instance, a
// repository's own CI, a backup) joins the store.
//
// A file is taken whole or not at all: if it is not such an array, or one
// of its results is malformed, names a repository outside the
// configuration, links elsewhere than that repository on its forge, names
// another forge or an unknown check, exceeds the bounds below, or is dated
// after the crawl that found its repository not public (it would pass for
// the repository's current state), nothing is stored and the error says
// which element and why.
package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/store"
)

// ErrInvalid is wrapped by every error about the file's content (as opposed
// to the store failing): a usage error for the command line.
var ErrInvalid = errors.New("invalid results file")

// ClockSkew is how far after now a crawled_at may be (another machine's
// clock); later ones are refused, as they would pass for the latest
// snapshot for good.
const ClockSkew = time.Hour

// Bounds on what a file may hold. A result comes from another vigie (or a
// hand), and is shown on every page that lists its repository: a reason of
// 100 MB would make each of those pages slow for everyone. vigie's own
// texts are a sentence or a few; its errors a line.
const (
	MaxFileBytes    = 256 << 20 // a whole programme's history for years
	MaxResults      = 500_000
	MaxResultBytes  = 1 << 20 // one result object, as JSON
	MaxTextBytes    = 4 << 10 // a check's reason or remediation
	MaxErrorBytes   = 8 << 10 // a result's error
	MaxDetailsBytes = 64 << 10
	MaxChecks       = 64
)

// Options tune Import.
type Options struct {
	// Now bounds crawled_at (the caller reads the clock).
	Now    time.Time
	Logger *slog.Logger
	// MaxBytes bounds the file (0: MaxFileBytes).
	MaxBytes int64
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
	limit := o.MaxBytes
	if limit <= 0 {
		limit = MaxFileBytes
	}
	results, err := decode(&limited{r: r, n: limit}, name, limit)
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
			if len(id) > 80 {
				id = clip(id)
			}
			problems = append(problems, fmt.Sprintf("element %d (%s): %s", i, id, p))
		}
	}
	if len(problems) == 0 {
		// Only results the configuration follows get here: one read of
		// each repository's newest snapshot.
		withheld := map[string]*time.Time{}
		for i := range results {
			x := &results[i]
			at, ok := withheld[x.Repo]
			if !ok {
				sn, err := st.Get(ctx, x.Repo)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return res, fmt.Errorf("%s: read the newest result of %s: %w", name, x.Repo, err)
				}
				if err == nil && sn.Withheld() {
					at = &sn.Result.CrawledAt
				}
				withheld[x.Repo] = at
			}
			if at != nil && x.CrawledAt.After(*at) {
				// It would pass for the repository's current state.
				problems = append(problems, fmt.Sprintf("element %d (%s): its forge said on %s that the repository is not public, and vigie publishes public repositories only: a later result is not imported",
					i, x.Repo, at.UTC().Format(time.RFC3339)))
			}
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
func decode(r io.Reader, name string, limit int64) ([]checks.Result, error) {
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
		if i >= MaxResults {
			return nil, fmt.Errorf("%s: %w: more than %d results; split the file", name, ErrInvalid, MaxResults)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			if errors.Is(err, errTooLarge) {
				return nil, fmt.Errorf("%s: %w: larger than %d bytes; split the file", name, ErrInvalid, limit)
			}
			return nil, fmt.Errorf("%s: %w: element %d: %v", name, ErrInvalid, i, err)
		}
		if len(raw) > MaxResultBytes {
			return nil, fmt.Errorf("%s: %w: element %d is %d bytes, more than a result may hold (%d)", name, ErrInvalid, i, len(raw), MaxResultBytes)
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
		if errors.Is(err, errTooLarge) {
			return nil, fmt.Errorf("%s: %w: larger than %d bytes; split the file", name, ErrInvalid, limit)
		}
		return nil, fmt.Errorf("%s: %w: %v", name, ErrInvalid, err)
	}
	if _, err := dec.Token(); errors.Is(err, errTooLarge) {
		return nil, fmt.Errorf("%s: %w: larger than %d bytes; split the file", name, ErrInvalid, limit)
	} else if !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w: data after the array", name, ErrInvalid)
	}
	return out, nil
}

var errTooLarge = errors.New("file too large")

// limited reads at most n bytes, then fails with errTooLarge (where
// io.LimitReader would end quietly and pass a truncated file for a
// malformed one).
type limited struct {
	r io.Reader
	n int64
}

func (l *limited) Read(p []byte) (int, error) {
	if l.n <= 0 {
		// At the bound: a file that ends exactly here is whole.
		var one [1]byte
		if n, err := l.r.Read(one[:]); n == 0 && err == io.EOF {
			return 0, io.EOF
		}
		return 0, errTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
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
	cfg    *config.Config
	repos  map[string]listed // canonical id -> the configuration's entry
	checks map[string]bool
	file   string
}

type listed struct {
	ref  crawler.Ref
	defi string
}

func newIndex(cfg *config.Config) *index {
	ix := &index{cfg: cfg, repos: map[string]listed{}, checks: map[string]bool{}, file: cfg.File}
	if ix.file == "" {
		ix.file = "the configuration"
	}
	for _, d := range cfg.Defis {
		for _, r := range d.Repos {
			k := config.CanonicalID(r)
			if _, dup := ix.repos[k]; !dup { // the first défi listing it wins
				ix.repos[k] = listed{ref: r, defi: d.Slug}
			}
		}
	}
	for _, n := range checks.Names() {
		ix.checks[n] = true
	}
	return ix
}

// resolve finds the configuration's repository for a result's repo (an id,
// host/path, normalised as the configuration's URLs are): one it lists, in
// its spelling, or one of its organisations'.
func (ix *index) resolve(repo string) (crawler.Ref, string, error) {
	ref, err := ix.cfg.Resolve(repo)
	if err != nil {
		return crawler.Ref{}, "", err
	}
	// An id names the repository itself: the URL normalisation may drop
	// a scheme, "www.", ".git" or a trailing slash, not a path's segments
	// (github.com/org/name/more is no GitHub repository).
	given := strings.TrimPrefix(strings.TrimPrefix(repo, "https://"), "http://")
	given = strings.TrimSuffix(strings.TrimSuffix(given, "/"), ".git")
	if !strings.EqualFold(strings.TrimPrefix(strings.ToLower(given), "www."), strings.ToLower(ref.ID())) {
		return crawler.Ref{}, "", fmt.Errorf("not a repository of %s (%s is not a repository id)", ix.file, clip(repo))
	}
	if l, ok := ix.repos[config.CanonicalID(ref)]; ok {
		return l.ref, l.defi, nil
	}
	if d, ok := ix.cfg.OrgDefi(ref.ID()); ok {
		return ref, d, nil
	}
	return crawler.Ref{}, "", fmt.Errorf("not a repository of %s", ix.file)
}

// check validates one result and sets its repo, url and défi from the
// configuration. It returns the problem ("" none).
func check(x *checks.Result, ix *index, now time.Time) string {
	if x.Repo == "" {
		return "no repo"
	}
	if len(x.Repo) > 2048 {
		return fmt.Sprintf("repo is %d bytes long: no repository has such a name", len(x.Repo))
	}
	ref, defi, err := ix.resolve(x.Repo)
	if err != nil {
		return err.Error()
	}
	x.Repo, x.Defi = ref.ID(), defi
	// The page's "see on the forge" link: this repository on its forge,
	// whatever the file says (it may only spell it differently).
	if x.URL != "" {
		u, err := ix.cfg.Resolve(x.URL)
		if err != nil || config.CanonicalID(u) != config.CanonicalID(ref) || !strings.HasPrefix(strings.ToLower(x.URL), strings.ToLower(ix.cfg.ForgeByName(ref.Forge).URL+"/")) {
			return fmt.Sprintf("url %s is not the address of %s on its forge (%s)", clip(x.URL), ref.ID(), ref.URL)
		}
	}
	x.URL = ref.URL
	switch x.Forge {
	case ref.Forge:
	case "":
		x.Forge = ref.Forge
	default:
		return fmt.Sprintf("forge %s is not the configured forge of %s (%q)", clip(x.Forge), ref.ID(), ref.Forge)
	}
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
	if len(x.Error) > MaxErrorBytes {
		return fmt.Sprintf("error is %d bytes, more than %d", len(x.Error), MaxErrorBytes)
	}
	if x.Score != nil && (*x.Score < 0 || *x.Score > 100) {
		return fmt.Sprintf("score %d is outside 0..100", *x.Score)
	}
	// The programme's profile is optional (results from before it stay
	// valid); when present it must make sense.
	if o := x.Openness; o != nil && (o.Degree < -1 || o.Degree > 8) {
		return fmt.Sprintf("openness.degree %d is outside -1..8", o.Degree)
	}
	if len(x.Checklist) > MaxChecks {
		return fmt.Sprintf("%d checklist items, more than %d", len(x.Checklist), MaxChecks)
	}
	for _, it := range x.Checklist {
		if it.ID == "" {
			return "a checklist item has no id"
		}
		if it.Met && !it.Applicable {
			return fmt.Sprintf("checklist item %s is met but not applicable", clip(it.ID))
		}
	}
	if c := x.Continuity; c != nil {
		if _, err := time.Parse(time.DateOnly, c.DefiEnded); err != nil {
			return fmt.Sprintf("continuity.defi_ended %q is not a date (YYYY-MM-DD)", clip(c.DefiEnded))
		}
		if s := c.TopAuthorShare90d; s != nil && (*s < 0 || *s > 1) {
			return fmt.Sprintf("continuity.top_author_share_90d %v is outside 0..1", *s)
		}
	}
	if len(x.Checks) > MaxChecks {
		return fmt.Sprintf("%d checks, more than %d", len(x.Checks), MaxChecks)
	}
	seen := map[string]bool{}
	for _, c := range x.Checks {
		switch {
		case c.Name == "":
			return "a check has no name"
		case !ix.checks[c.Name]:
			return fmt.Sprintf("check %s is not one of vigie's checks (%s)", clip(c.Name), strings.Join(checks.Names(), ", "))
		case seen[c.Name]:
			return fmt.Sprintf("check %s appears twice", c.Name)
		}
		seen[c.Name] = true
		if c.Score < 0 || c.Score > 10 {
			return fmt.Sprintf("check %s: score %d is outside 0..10", c.Name, c.Score)
		}
		if len(c.Reason) > MaxTextBytes {
			return fmt.Sprintf("check %s: reason is %d bytes, more than %d", c.Name, len(c.Reason), MaxTextBytes)
		}
		if len(c.Remediation) > MaxTextBytes {
			return fmt.Sprintf("check %s: remediation is %d bytes, more than %d", c.Name, len(c.Remediation), MaxTextBytes)
		}
		if b, err := json.Marshal(c.Details); err != nil || len(b) > MaxDetailsBytes {
			return fmt.Sprintf("check %s: details are %d bytes, more than %d", c.Name, len(b), MaxDetailsBytes)
		}
	}
	return ""
}

// clip quotes s for an error, cut to a readable length.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return strconv.Quote(s)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + fmt.Sprintf("… (%d bytes)", len(s))
}
