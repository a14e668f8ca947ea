// Package docs embeds the user documentation vigie serves itself: the
// scoring guide, shown at /notation so that every criterion on a page can
// link to its explanation, in the version of the running binary.
package docs

import _ "embed"

// Scoring is docs/scoring.md, the scoring guide (in French).
//
//go:embed scoring.md
var Scoring []byte
