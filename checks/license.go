package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/crawler/licenseid"
)

// License scores the repository's licence.
//
//	10  a licence on the French administration's list (for data:
//	    etalab-2.0 or ODbL-1.0 in a repository without code)
//	 8  a data licence of the list on code, or an earlier version of a
//	    listed licence (CeCILL 2.0, EUPL 1.1, GPL-2.0, Licence Ouverte 1.0...)
//	 7  another OSI-approved licence (ISC, Unlicense, BSL-1.0...)
//	 5  an identified licence that is neither (CC0-1.0, CC-BY-4.0...)
//	 2  a licence that restricts use (non-commercial, no derivatives...)
//	 3  a licence file that neither the forge nor vigie can identify
//	 0  no licence at all
//
// With several licences (" OR "), the best one counts: users may pick it.
func License(f crawler.Facts, o Options) Check {
	spdx, file := licenseVerdict(f.License)
	c := Check{Name: NameLicense, Details: map[string]any{
		DetailSPDX:   spdx,
		"file":       file,
		"forge_spdx": f.License.ForgeSPDX,
		"files":      licenseFiles(f.License.Files),
	}}
	code, data := FrenchLicenses()
	list := strings.Join(code, ", ")
	switch spdx {
	case "":
		c.Score = 0
		c.Reason = o.text("Le dépôt n'a aucun fichier de licence : personne n'a le droit de réutiliser ce code.",
			"The repository has no licence file: nobody may legally reuse this code.")
		c.Remediation = o.text(
			fmt.Sprintf("Ajoutez à la racine un fichier LICENSE contenant le texte officiel, non modifié, d'une licence de la liste de l'administration française : %s (pour des données : %s).", list, strings.Join(data, ", ")),
			fmt.Sprintf("Add a LICENSE file at the root holding the official, unmodified text of a licence on the French administration's list: %s (for data: %s).", list, strings.Join(data, ", ")))
		c.Details["approved_for_french_administration"] = false
		return c
	case "NOASSERTION":
		c.Score = 3
		name := orName(file, o.text("le fichier de licence", "the licence file"))
		c.Reason = o.text(fmt.Sprintf("Le dépôt a un fichier de licence (%s) mais son texte ne correspond à aucune licence connue.", name),
			fmt.Sprintf("The repository has a licence file (%s) but its text matches no known licence.", name))
		c.Remediation = o.text(
			fmt.Sprintf("Remplacez le contenu de %s par le texte officiel complet et non modifié d'une licence de la liste (%s) ; mettez le nom des auteurs et l'année dans un fichier à part ou dans le README plutôt que de réécrire la licence.", name, list),
			fmt.Sprintf("Replace the content of %s with the full, unmodified official text of a licence on the list (%s); put the authors and year in a separate file or the README rather than rewriting the licence.", name, list))
		c.Details["approved_for_french_administration"] = false
		return c
	}

	best, bestID := classNotFree, ""
	for _, id := range strings.Split(spdx, " OR ") {
		if cl := classify(id); bestID == "" || cl > best {
			best, bestID = cl, id
		}
	}
	c.Details["approved_for_french_administration"] = best >= classDataList
	hasCode := f.Language != ""
	switch best {
	case classCodeList:
		c.Score = 10
		c.Reason = o.text(fmt.Sprintf("Le dépôt est sous licence %s, de la liste des licences de l'administration française.", spdx),
			fmt.Sprintf("The repository is licensed %s, on the French administration's licence list.", spdx))
	case classDataList:
		if !hasCode {
			c.Score = 10
			c.Reason = o.text(fmt.Sprintf("Le dépôt est sous licence %s, de la liste des licences de l'administration française pour les données.", spdx),
				fmt.Sprintf("The repository is licensed %s, on the French administration's list for data.", spdx))
			break
		}
		c.Score = 8
		c.Reason = o.text(fmt.Sprintf("Le dépôt contient du code (%s) sous %s, une licence prévue pour les données et les documents, pas pour le logiciel.", f.Language, spdx),
			fmt.Sprintf("The repository holds code (%s) under %s, a licence meant for data and documents, not software.", f.Language, spdx))
		c.Remediation = o.text(
			fmt.Sprintf("Placez le code sous une licence logicielle de la liste (%s) dans LICENSE, et gardez %s pour les données (par exemple dans un fichier LICENSE-DATA).", list, spdx),
			fmt.Sprintf("Put the code under a software licence of the list (%s) in LICENSE, and keep %s for the data (for instance in a LICENSE-DATA file).", list, spdx))
	case classOlder:
		to := olderFrench[licenseid.Normalize(bestID)]
		c.Score = 8
		c.Reason = o.text(fmt.Sprintf("Le dépôt est sous %s, une version antérieure d'une licence de la liste de l'administration française.", spdx),
			fmt.Sprintf("The repository is licensed %s, an earlier version of a licence on the French administration's list.", spdx))
		c.Remediation = o.text(
			fmt.Sprintf("Passez à la version de la liste, %s, si les auteurs l'acceptent : remplacez le texte de %s par le sien.", to, orName(file, "LICENSE")),
			fmt.Sprintf("Move to the listed version, %s, if the authors agree: replace the text of %s with its text.", to, orName(file, "LICENSE")))
	case classOSI:
		c.Score = 7
		c.Reason = o.text(fmt.Sprintf("Le dépôt est sous %s, une licence libre reconnue par l'OSI mais absente de la liste de l'administration française.", spdx),
			fmt.Sprintf("The repository is licensed %s, an OSI-approved licence that is not on the French administration's list.", spdx))
		c.Remediation = o.text(
			fmt.Sprintf("Une administration doit choisir une licence de la liste : %s ; si les auteurs l'acceptent, remplacez le texte de %s.", list, orName(file, "LICENSE")),
			fmt.Sprintf("An administration must pick a licence from the list: %s; if the authors agree, replace the text of %s.", list, orName(file, "LICENSE")))
	case classOther:
		c.Score = 5
		c.Reason = o.text(fmt.Sprintf("Le dépôt est sous %s, une licence identifiée mais qui n'est pas une licence de logiciel libre reconnue par l'OSI.", spdx),
			fmt.Sprintf("The repository is licensed %s, an identified licence that is not an OSI-approved software licence.", spdx))
		c.Remediation = o.text(
			fmt.Sprintf("Placez le code sous une licence logicielle de la liste de l'administration française (%s) dans %s.", list, orName(file, "LICENSE")),
			fmt.Sprintf("Put the code under a software licence of the French administration's list (%s) in %s.", list, orName(file, "LICENSE")))
	default:
		c.Score = 2
		c.Reason = o.text(fmt.Sprintf("Le dépôt est sous %s, une licence qui restreint l'usage (usage commercial, modification...) et n'est donc pas libre.", spdx),
			fmt.Sprintf("The repository is licensed %s, a licence that restricts use (commercial use, changes...) and so is not open source.", spdx))
		c.Remediation = o.text(
			fmt.Sprintf("Le code public de l'administration doit être libre : remplacez %s par une licence de la liste (%s).", orName(file, "LICENSE"), list),
			fmt.Sprintf("The administration's public code must be open source: replace %s with a licence on the list (%s).", orName(file, "LICENSE"), list))
	}
	return c
}

// licenseVerdict decides the licence's SPDX id and file from the facts.
//
//   - The forge identifies the licence (an id, not NOASSERTION): its verdict
//     stands, unless vigie identified two or more distinct licences in the
//     licence files (LICENSE-MIT and LICENSE-APACHE: the forge saw one of
//     them); then spdx_id lists every identified id, the forge's included,
//     sorted and joined with " OR ". The file is the forge's (it may have
//     found the licence under a name vigie does not list), else the first
//     file identified as the same licence, else the first licence file.
//   - The forge finds no licence or says NOASSERTION: the ids vigie
//     identified in the licence files decide: one id, that id; several
//     distinct ids, sorted and joined with " OR ". The file is the forge's
//     if it is one of the identified files, else the first identified one.
//   - Licence files exist but none is identified, or the forge says
//     NOASSERTION with no file vigie saw: NOASSERTION, the forge's file or
//     the first licence file.
//   - No licence file and no forge verdict: "" and "".
//
// Ids are compared through licenseid.Normalize, so GPL-3.0 (the forge) and
// GPL-3.0-or-later (a file's notice) are one licence.
func licenseVerdict(l crawler.LicenseFacts) (spdx, file string) {
	// The forge's spelling is normalised ("other" is NOASSERTION, a
	// lower-case key its SPDX id); GitHub's ids come through unchanged.
	forge := licenseid.Normalize(l.ForgeSPDX)
	var ids []string        // distinct identified ids, as identified
	var identified []string // paths of the identified files, sorted
	seen := map[string]bool{}
	for _, lf := range sortedFiles(l.Files) {
		if lf.SPDX == "" || lf.SPDX == "NOASSERTION" {
			continue
		}
		identified = append(identified, lf.Path)
		// A file may itself name several licences (an SPDX expression).
		for _, n := range strings.Split(licenseid.Normalize(lf.SPDX), " OR ") {
			if !seen[n] {
				seen[n] = true
				ids = append(ids, n)
			}
		}
	}
	firstFile := ""
	if fs := sortedFiles(l.Files); len(fs) > 0 {
		firstFile = fs[0].Path
	}

	if forge != "" && forge != "NOASSERTION" {
		if len(ids) >= 2 {
			if !seen[forge] {
				ids = append(ids, forge)
			}
			if ids = lesserGPL(ids); len(ids) == 1 {
				return ids[0], fileOf(ids[0], l)
			}
			return joinIDs(ids), pick(l.ForgePath, identified)
		}
		if l.ForgePath != "" {
			return forge, l.ForgePath
		}
		for _, lf := range sortedFiles(l.Files) {
			if licenseid.Normalize(lf.SPDX) == forge {
				return forge, lf.Path
			}
		}
		return forge, firstFile
	}
	switch {
	case len(ids) > 0:
		if ids = lesserGPL(ids); len(ids) == 1 {
			return ids[0], fileOf(ids[0], l)
		}
		return joinIDs(ids), pick(l.ForgePath, identified)
	case len(l.Files) > 0:
		return "NOASSERTION", orName(l.ForgePath, firstFile)
	case forge == "NOASSERTION":
		return "NOASSERTION", l.ForgePath
	}
	return "", ""
}

// lesserGPL reads a GPL-3.0 text beside an LGPL-3.0 text as the LGPL-3.0
// alone: the LGPL version 3 is the GPL plus extra permissions, and a
// project under it ships both texts (COPYING and COPYING.LESSER), as its
// own instructions ask. GitHub's detector says LGPL-3.0 likewise. (The
// LGPL 2.1 stands on its own: beside a GPL-2.0 it is a real choice.)
func lesserGPL(ids []string) []string {
	if !slices.Contains(ids, "LGPL-3.0") || !slices.Contains(ids, "GPL-3.0") {
		return ids
	}
	return slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == "GPL-3.0" })
}

// fileOf returns the licence file of id: the forge's when it is that
// licence, else the first file identified as it.
func fileOf(id string, l crawler.LicenseFacts) string {
	for _, lf := range sortedFiles(l.Files) {
		if lf.Path == l.ForgePath && licenseid.Normalize(lf.SPDX) == id {
			return lf.Path
		}
	}
	for _, lf := range sortedFiles(l.Files) {
		if licenseid.Normalize(lf.SPDX) == id {
			return lf.Path
		}
	}
	return l.ForgePath
}

// pick returns preferred when it is among paths, else the first of paths.
func pick(preferred string, paths []string) string {
	if preferred != "" && slices.Contains(paths, preferred) {
		return preferred
	}
	if len(paths) > 0 {
		return paths[0]
	}
	return preferred
}

// joinIDs sorts ids and joins them with " OR ", as docs/reference.md spells a
// repository under several licences.
func joinIDs(ids []string) string {
	s := slices.Clone(ids)
	slices.Sort(s)
	return strings.Join(s, " OR ")
}

func sortedFiles(fs []crawler.LicenseFile) []crawler.LicenseFile {
	s := slices.Clone(fs)
	slices.SortFunc(s, func(a, b crawler.LicenseFile) int { return strings.Compare(a.Path, b.Path) })
	return s
}

// licenseFiles lists the licence files and what each was identified as, for
// the details (never null).
func licenseFiles(fs []crawler.LicenseFile) []map[string]any {
	out := []map[string]any{}
	for _, lf := range sortedFiles(fs) {
		out = append(out, map[string]any{"path": lf.Path, "spdx_id": lf.SPDX, "bytes": int(lf.Bytes)})
	}
	return out
}

func orName(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
