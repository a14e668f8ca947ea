package licenseid

import (
	"strings"
	"unicode"
)

// The rules below recognise licence texts licensecheck does not know by the
// phrases that name them: their title and their version line, which every
// copy keeps even when it is reformatted (Markdown headings, typographic
// quotes, rewrapped lines). The phrases were taken from the published texts
// (cecill.info, etalab.gouv.fr, the EUPL's French text) and are compared
// after Fold(), so they are written here in plain words.

// phraseRule identifies a licence when every phrase of all is in the text.
type phraseRule struct {
	id  string
	all []string
}

// phraseRules are tried in order; the first whose phrases are all present
// wins. Titles that extend another title come first (CeCILL-B before CeCILL).
var phraseRules = []phraseRule{
	// CeCILL, French texts ("CONTRAT DE LICENCE DE LOGICIEL LIBRE CeCILL-B").
	{"CECILL-B", []string{"contrat de licence de logiciel libre cecill b"}},
	{"CECILL-C", []string{"contrat de licence de logiciel libre cecill c"}},
	{"CECILL-2.1", []string{"contrat de licence de logiciel libre cecill", "version 2 1 du 2013 06 21"}},
	{"CECILL-2.0", []string{"contrat de licence de logiciel libre cecill", "version 2 0 du 2006 09 05"}},
	{"CECILL-1.1", []string{"contrat de licence de logiciel libre cecill", "version 1 1 du"}},
	{"CECILL-1.0", []string{"contrat de licence de logiciel libre cecill", "version 1 du 21 06 2004"}},
	// CeCILL, English texts reformatted beyond licensecheck's patterns.
	{"CECILL-B", []string{"cecill b free software license agreement"}},
	{"CECILL-C", []string{"cecill c free software license agreement"}},
	{"CECILL-2.1", []string{"cecill free software license agreement", "version 2 1 dated 2013 06 21"}},
	{"CECILL-2.0", []string{"cecill free software license agreement", "version 2 0 dated 2006 09 05"}},
	// Licence Ouverte / Open Licence 2.0 (April 2017): French and English.
	// Version 2.0 says so in its closing lines ("Cette licence est une
	// version 2.0 de la Licence Ouverte"), is dated April 2017, and cites
	// the CRPA, which version 1.0 (2011) predates.
	{"etalab-2.0", []string{"licence ouverte", "réutilisateur", "version 2 0 de la licence ouverte"}},
	{"etalab-2.0", []string{"licence ouverte", "réutilisateur", "avril 2017"}},
	{"etalab-2.0", []string{"licence ouverte", "réutilisateur", "crpa"}},
	{"etalab-2.0", []string{"open licence", "reuser", "version 2 0 of the open licence"}},
	{"etalab-2.0", []string{"open licence", "reuser", "april 2017"}},
	{"etalab-2.0", []string{"open licence", "reuser", "crpa"}},
	// Licence Ouverte 1.0 (October 2011) has no SPDX id.
	{EtalabOne, []string{"licence ouverte", "réutilisateur", "2011"}},
	{EtalabOne, []string{"open licence", "reuser", "2011"}},
	// EUPL, French text ("Licence publique de l'Union européenne v. 1.2").
	{"EUPL-1.2", []string{"licence publique de l union européenne", "v 1 2"}},
	{"EUPL-1.1", []string{"licence publique de l union européenne", "v 1 1"}},
}

// EtalabOne is the id given to the Licence Ouverte 1.0, which the SPDX list
// does not have (SPDX's LicenseRef- prefix marks a licence outside it).
const EtalabOne = "LicenseRef-etalab-1.0"

// byPhrases returns the id of the first rule whose phrases are all in text.
func byPhrases(text []byte) string {
	t := " " + Fold(string(text)) + " "
	for _, r := range phraseRules {
		ok := true
		for _, p := range r.all {
			if !strings.Contains(t, " "+Fold(p)+" ") {
				ok = false
				break
			}
		}
		if ok {
			return r.id
		}
	}
	return ""
}

// Fold lower-cases a text and turns every run of characters that are not
// letters or digits (spaces, punctuation, quotes, Markdown marks) into one
// space, so that phrases match whatever the layout. checks matches README
// headings and words with it too.
func Fold(s string) string {
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
