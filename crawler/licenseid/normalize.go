package licenseid

import (
	"slices"
	"strings"
	"sync"

	"github.com/google/licensecheck"
)

// Normalize maps the spellings of one licence to a single id, so that two
// verdicts can be compared: the forge's and vigie's, GitHub's and GitLab's,
// this crawl's and the last one's. It is for comparing, not for display.
//
//   - GNU licences lose "-only", "-or-later" and "+": GPL-3.0-or-later,
//     GPL-3.0-only, GPL-3.0+ and gpl-3.0 all give GPL-3.0 (GitHub's spelling);
//   - GitLab's lower-case licensee keys (mit, apache-2.0, lgpl-3.0) and any
//     case variant of an SPDX id give the SPDX id;
//   - names in words give the id: "Licence Ouverte 2.0", "Open Licence 2.0",
//     "Etalab 2.0", "LO 2.0" give etalab-2.0, "CeCILL 2.1" gives CECILL-2.1;
//   - "other" (licensee's word for a licence it cannot identify) gives
//     NOASSERTION;
//   - an expression "A OR B" has its parts normalised, sorted and
//     deduplicated.
//
// An id it does not know comes back trimmed, otherwise unchanged.
func Normalize(id string) string {
	id = strings.TrimSpace(id)
	if id == "" {
		return ""
	}
	if parts := splitOr(id); len(parts) > 1 {
		var out []string
		for _, p := range parts {
			if n := Normalize(p); n != "" && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
		slices.Sort(out)
		return strings.Join(out, " OR ")
	}
	return githubSpelling(canonical(id))
}

// splitOr splits a licence expression on " OR " (any case). Parentheses are
// dropped: vigie's expressions are flat.
func splitOr(expr string) []string {
	expr = strings.Trim(expr, "() ")
	var parts []string
	for {
		i := strings.Index(strings.ToUpper(expr), " OR ")
		if i < 0 {
			return append(parts, strings.Trim(expr, "() "))
		}
		parts = append(parts, strings.Trim(expr[:i], "() "))
		expr = expr[i+4:]
	}
}

// canonical returns the SPDX spelling of one id or name.
func canonical(id string) string {
	id = strings.TrimSpace(id)
	if base, ok := strings.CutSuffix(id, "+"); ok {
		id = base + "-or-later"
	}
	if v, ok := knownIDs()[strings.ToLower(id)]; ok {
		return v
	}
	if v, ok := aliases[Fold(id)]; ok {
		return v
	}
	return id
}

// aliases maps names in words (after Fold) to SPDX ids.
var aliases = map[string]string{
	"other":                            "NOASSERTION",
	"licence ouverte":                  "etalab-2.0",
	"licence ouverte 2 0":              "etalab-2.0",
	"licence ouverte v2 0":             "etalab-2.0",
	"licence ouverte open licence":     "etalab-2.0",
	"licence ouverte open licence 2 0": "etalab-2.0",
	"open licence":                     "etalab-2.0",
	"open licence 2 0":                 "etalab-2.0",
	"open license 2 0":                 "etalab-2.0",
	"etalab":                           "etalab-2.0",
	"etalab 2 0":                       "etalab-2.0",
	"etalab open licence 2 0":          "etalab-2.0",
	"etalab open license 2 0":          "etalab-2.0",
	"lo 2 0":                           "etalab-2.0",
	"lov2":                             "etalab-2.0",
	"licence ouverte 1 0":              EtalabOne,
	"etalab 1 0":                       EtalabOne,
	"lo 1 0":                           EtalabOne,
	"cecill 2 1":                       "CECILL-2.1",
	"cecill v2 1":                      "CECILL-2.1",
	"cecill 2 0":                       "CECILL-2.0",
	"cecill v2":                        "CECILL-2.0",
	"cecill b":                         "CECILL-B",
	"cecill c":                         "CECILL-C",
	"eupl 1 2":                         "EUPL-1.2",
	"eupl v1 2":                        "EUPL-1.2",
	"odbl":                             "ODbL-1.0",
	"odbl 1 0":                         "ODbL-1.0",
	"open database license":            "ODbL-1.0",
}

// knownIDs maps the lower-case spelling of every id licensecheck knows (and
// the ones this package adds) to its SPDX spelling.
var knownIDs = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, l := range licensecheck.BuiltinLicenses() {
		m[strings.ToLower(l.ID)] = l.ID
	}
	for _, id := range []string{"NOASSERTION", "etalab-2.0", EtalabOne,
		"GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later",
		"LGPL-2.1-only", "LGPL-2.1-or-later", "LGPL-3.0-only", "LGPL-3.0-or-later",
		"AGPL-3.0-only", "AGPL-3.0-or-later"} {
		m[strings.ToLower(id)] = id
	}
	return m
})
