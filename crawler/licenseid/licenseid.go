// Package licenseid identifies a licence from its text with
// google/licensecheck, and adds the licences of the French administration
// that licensecheck does not know.
package licenseid

import "github.com/google/licensecheck"

// Identify returns the SPDX id of the licence text ("" when unidentified) and
// the share of the text (0..100) the match covers.
func Identify(text []byte) (spdx string, coverage float64) {
	cov := licensecheck.Scan(text)
	if len(cov.Match) == 0 {
		return "", cov.Percent
	}
	return cov.Match[0].ID, cov.Percent
}
