package checks

import (
	"math"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/locale"
)

// Options tune the checks; the zero value gives the defaults.
type Options struct {
	// Weights gives each check's weight in the overall score by check name.
	// A nil or empty map weighs every check 1; a check the map does not name
	// weighs 1; a weight of 0 (or less) leaves the check out of the mean.
	Weights map[string]float64
	// DormantDays is the number of days without a commit after which a
	// repository counts as dormant; 0 means DefaultDormantDays.
	DormantDays int
	// Language of reasons and remediations: "fr" (default) or "en" (see
	// locale.Of).
	Language string
	// Defis gives each défi's end and team by slug, for continuity.
	Defis map[string]DefiProfile
}

// DefaultDormantDays is scoring.dormant_days' default.
const DefaultDormantDays = 90

// Dormancy returns the number of days without a commit after which a
// repository counts as dormant: DormantDays, or its default.
func (o Options) Dormancy() int {
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

func (o Options) lang() locale.Lang { return locale.Of(o.Language) }

// english tells whether the wording is English.
func (o Options) english() bool { return o.lang() == locale.English }

// text picks the French or the English wording.
func (o Options) text(fr, en string) string { return o.lang().Pick(fr, en) }

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
		// The error says what happened and what to do, in words; the
		// raw error stays in the facts and the logs.
		r.Failure = failureOf(f)
		// In English, as the command line speaks: pages and the report
		// say it in their language from r.Failure (Result.ErrorText).
		r.Error = FailureText(r.Failure, f.Ref.Host, locale.English)
		return r
	}
	for _, d := range list {
		c := d.run(f, opts)
		if f.Archived {
			c = readOnly(c, f, opts)
		}
		r.Checks = append(r.Checks, c)
	}
	s := Overall(r.Checks, opts)
	r.Score = &s
	profile(&r, f, opts)
	return r
}

// Overall is the weighted mean of the scores of the checks that apply, on a
// 0..100 scale. When every weight is 0 the checks weigh the same: a
// configuration that mutes everything still gets a meaningful number rather
// than a division by zero.
func Overall(cs []Check, opts Options) int {
	var sum, total float64
	n := 0
	for _, c := range cs {
		if c.NotApplicable {
			continue
		}
		w := opts.weight(c.Name)
		sum += w * float64(c.Score)
		total += w
		n++
	}
	if total == 0 {
		for _, c := range cs {
			if !c.NotApplicable {
				sum += float64(c.Score)
			}
		}
		total = float64(n)
	}
	if total == 0 {
		return 0
	}
	return int(math.Round(10 * sum / total))
}
