package checks

import (
	"strings"
	"unicode"
)

// fold lower-cases a text and turns every run of characters that are not
// letters or digits into one space, so that words match whatever the
// punctuation and markup around them.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
			space = false
			continue
		}
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}
