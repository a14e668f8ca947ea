// Package licenseid identifies a licence from its text with
// google/licensecheck, and adds the licences of the French administration
// that licensecheck does not know.
//
// licensecheck v0.3.1 knows every licence of the French administration's
// list in its reference (English) text, the Licence Ouverte 2.0 in its French
// text and CeCILL 1.0 in French. It does not know the French texts of CeCILL
// 2.0, 2.1, B and C, nor the English text of the Licence Ouverte, nor the
// variants of the Licence Ouverte that circulate reformatted in Markdown.
// No packaged copy of those texts could be obtained to add them as
// licensecheck patterns, so they are recognised by the distinctive phrases of
// their titles and version lines (see phrases.go), after licensecheck has had
// its say.
package licenseid

import (
	"bufio"
	"bytes"
	"strings"

	"github.com/google/licensecheck"
)

// PhraseCoverage is the coverage Identify reports for a licence recognised by
// its distinctive phrases rather than by a full-text match: the phrases say
// which licence the text is, not how much of the text it covers.
const PhraseCoverage = 0

// Identify returns the SPDX id of the licence text ("" when unidentified) and
// the share of the text (0..100) the match covers.
//
// The id is spelled the way GitHub and GitLab report it, so the forge's
// verdict and vigie's own identification of the same text compare equal:
// the GNU licences drop "-only" / "-or-later" (GPL-3.0, LGPL-3.0, AGPL-3.0,
// GPL-2.0, LGPL-2.1). When several licences match, the first in the text
// wins: an LGPL text refers to the GPL after its own terms, and licensecheck
// lists the LGPL match first.
//
// An `SPDX-License-Identifier:` line is used only when the text is nothing
// but that line (licensecheck ignores such lines, and in a longer text the
// text itself is the better witness).
func Identify(text []byte) (spdx string, coverage float64) {
	cov := licensecheck.Scan(text)
	var url *licensecheck.Match
	for i, m := range cov.Match {
		if m.IsURL {
			if url == nil {
				url = &cov.Match[i]
			}
			continue
		}
		return githubSpelling(m.ID), cov.Percent
	}
	if id := byPhrases(text); id != "" {
		return id, PhraseCoverage
	}
	// A licence file holding only the licence's URL still names it.
	if url != nil {
		return githubSpelling(url.ID), cov.Percent
	}
	if id := onlySPDXLine(text); id != "" {
		return id, 100
	}
	return "", cov.Percent
}

// githubSpelling maps licensecheck's ids of the GNU licences to the spelling
// GitHub's API (and GitLab, through the same detector) reports: the family
// without "-only" or "-or-later".
func githubSpelling(id string) string {
	for _, suffix := range []string{"-only", "-or-later"} {
		if base, ok := strings.CutSuffix(id, suffix); ok && gnuFamily[base] {
			return base
		}
	}
	return id
}

// gnuFamily lists the GNU licences whose "-only" and "-or-later" variants the
// forges report under one id.
var gnuFamily = map[string]bool{
	"GPL-1.0": true, "GPL-2.0": true, "GPL-3.0": true,
	"LGPL-2.0": true, "LGPL-2.1": true, "LGPL-3.0": true,
	"AGPL-1.0": true, "AGPL-3.0": true,
	"GFDL-1.1": true, "GFDL-1.2": true, "GFDL-1.3": true,
}

// onlySPDXLine returns the licence expression of a text that holds nothing
// but an `SPDX-License-Identifier:` line (and blank lines or comment marks).
func onlySPDXLine(text []byte) string {
	var id string
	sc := bufio.NewScanner(bytes.NewReader(text))
	for sc.Scan() {
		line := strings.Trim(sc.Text(), " \t\r/#*-;<>!")
		if line == "" {
			continue
		}
		v, ok := cutPrefixFold(line, "SPDX-License-Identifier:")
		if !ok || id != "" {
			return ""
		}
		id = strings.TrimSpace(v)
	}
	if id == "" {
		return ""
	}
	return githubSpelling(canonical(id))
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
