// Package locale holds the words vigie writes in its users' languages:
// which language a setting names, a wording in each, and the French month
// names. The pages speak French; the checks and the weekly report speak the
// configured report.language; the command line's own text is English.
package locale

import (
	"strings"
	"time"
)

// Lang is a language vigie writes in.
type Lang string

const (
	// French is the users' language and the default.
	French Lang = "fr"
	// English is the other language on offer.
	English Lang = "en"
)

// Of reads a language setting: English for "en" and its regional variants
// ("en-GB", "EN", "en_US"), French for anything else, the users' language.
func Of(s string) Lang {
	l := strings.ToLower(s)
	if l == "en" || strings.HasPrefix(l, "en-") || strings.HasPrefix(l, "en_") {
		return English
	}
	return French
}

// Pick returns the French or the English wording.
func (l Lang) Pick(fr, en string) string {
	if l == English {
		return en
	}
	return fr
}

// Text is one wording in both languages.
type Text struct {
	FR, EN string
}

// In returns the wording in l.
func (t Text) In(l Lang) string { return l.Pick(t.FR, t.EN) }

var monthsFR = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// Month names a month: "novembre" (French names are lower-case), "November".
func (l Lang) Month(m time.Month) string {
	if l == English {
		return m.String()
	}
	return monthsFR[m-1]
}
