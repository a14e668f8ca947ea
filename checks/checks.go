package checks

import (
	"math"
	"strings"

	"github.com/eiglink/vigie/crawler"
)

// Options tune the checks; the zero value gives the defaults.
type Options struct {
	// Weights gives each check's weight in the overall score by check name.
	// A nil or empty map weighs every check 1; a check the map does not name
	// weighs 1; a weight of 0 (or less) leaves the check out of the mean.
	Weights map[string]float64
	// DormantDays is the number of days without a commit after which a
	// repository counts as dormant; 0 means 90.
	DormantDays int
	// Language of reasons and remediations: "fr" (default) or "en".
	Language string
}

// DefaultDormantDays is CONTRACT.md's default for scoring.dormant_days.
const DefaultDormantDays = 90

func (o Options) dormantDays() int {
	if o.DormantDays <= 0 {
		return DefaultDormantDays
	}
	return o.DormantDays
}

// weight returns the weight of the named check.
func (o Options) weight(name string) float64 {
	w, ok := o.Weights[name]
	if !ok {
		return 1
	}
	return max(w, 0)
}

// english tells whether the wording is English ("en", "en-GB", "EN"...);
// anything else is French, the users' language.
func (o Options) english() bool {
	l := strings.ToLower(o.Language)
	return l == "en" || strings.HasPrefix(l, "en-") || strings.HasPrefix(l, "en_")
}

// text picks the French or the English wording.
func (o Options) text(fr, en string) string {
	if o.english() {
		return en
	}
	return fr
}

// checkFunc is one check: a pure function of the facts.
type checkFunc func(crawler.Facts, Options) Check

// list says which checks run, in order. CONTRACT.md fixes the first four and
// their order; a new check is appended here.
var list = []struct {
	name string
	fn   checkFunc
}{
	{"license", License},
	{"readme", Readme},
	{"ci", CI},
	{"activity", Activity},
}

// Names returns the names of the checks that run, in order.
func Names() []string {
	names := make([]string, len(list))
	for i, c := range list {
		names[i] = c.name
	}
	return names
}

// Score runs every check on the facts and computes the overall score: the
// weighted mean of the check scores, scaled to 0..100 and rounded
// (round(10 × Σ wᵢ·sᵢ / Σ wᵢ)).
//
// Facts with an Error give a result with a nil Score, the error, and an empty
// (not nil) Checks slice, so the JSON says "checks": [] rather than null:
// readers iterate over it without a special case.
func Score(f crawler.Facts, opts Options) Result {
	r := Result{
		Repo:      f.Ref.ID(),
		URL:       f.Ref.URL,
		Forge:     f.Ref.Forge,
		Defi:      f.Ref.Defi,
		CrawledAt: f.CrawledAt.UTC(),
		Error:     f.Error,
		Checks:    []Check{},
	}
	if f.Error != "" {
		return r
	}
	for _, c := range list {
		r.Checks = append(r.Checks, c.fn(f, opts))
	}
	s := Overall(r.Checks, opts)
	r.Score = &s
	return r
}

// Overall is the weighted mean of the checks' scores on a 0..100 scale. When
// every weight is 0 the checks weigh the same: a configuration that mutes
// everything still gets a meaningful number rather than a division by zero.
func Overall(cs []Check, opts Options) int {
	var sum, total float64
	for _, c := range cs {
		w := opts.weight(c.Name)
		sum += w * float64(c.Score)
		total += w
	}
	if total == 0 {
		for _, c := range cs {
			sum += float64(c.Score)
		}
		total = float64(len(cs))
	}
	if total == 0 {
		return 0
	}
	return int(math.Round(10 * sum / total))
}
