package checks

import (
	"fmt"
	"strings"

	"github.com/eiglink/vigie/crawler"
)

// readOnly adapts a check's verdict to an archived repository: the forge
// keeps it read-only and its project is finished, which is no failure.
//
//   - ci and activity do not apply (null score, details kept): nothing runs
//     or moves in a finished repository, and the overall score is over
//     licence and README, which decide whether its code can be reused;
//   - no remediation asks to change the read-only repository, but for a
//     missing licence: without one nobody may reuse the code, which is worth
//     unarchiving it for a moment.
//
// Score calls it for every check, so that the rule has one place.
func readOnly(c Check, f crawler.Facts, o Options) Check {
	switch c.Name {
	case NameCI, NameActivity:
		c.NotApplicable = true
		c.Score = 0
		c.Remediation = ""
		if c.Name == NameCI {
			c.Reason = o.text("Le dépôt est archivé : le projet est terminé, son intégration continue ne compte plus.",
				"The repository is archived: the project is finished, its continuous integration no longer counts.")
		} else {
			c.Reason = o.text("Le dépôt est archivé : le projet est terminé, son activité ne compte plus.",
				"The repository is archived: the project is finished, its activity no longer counts.")
		}
		return c
	case NameLicense:
		if c.Score >= 10 {
			return c
		}
		if spdx, _ := c.Details[DetailSPDX].(string); spdx == "" {
			c.Remediation = o.text(
				"Le dépôt est archivé (en lecture seule) : désarchivez-le le temps d'ajouter à la racine un fichier LICENSE avec le texte officiel d'une licence de la liste de l'administration française ("+strings.Join(frenchCode(), ", ")+"), puis archivez-le de nouveau ; sans licence, personne ne peut réutiliser ce code.",
				"The repository is archived (read-only): unarchive it just long enough to add a LICENSE file at the root with the official text of a licence on the French administration's list ("+strings.Join(frenchCode(), ", ")+"), then archive it again; without a licence nobody may reuse this code.")
			return c
		}
		c.Remediation = o.text(
			fmt.Sprintf("Le dépôt est archivé (en lecture seule) : rien à y changer. Si le projet reprend dans un nouveau dépôt, placez-le sous une licence de la liste (%s).", strings.Join(frenchCode(), ", ")),
			fmt.Sprintf("The repository is archived (read-only): nothing to change in it. If the project goes on in a new repository, put that one under a licence of the list (%s).", strings.Join(frenchCode(), ", ")))
		return c
	default:
		if c.Score >= 10 || c.Remediation == "" {
			return c
		}
		c.Remediation = o.text(
			"Le dépôt est archivé (en lecture seule) : rien à y changer. Si le projet reprend dans un nouveau dépôt, c'est là que cette remarque sera à suivre.",
			"The repository is archived (read-only): nothing to change in it. If the project goes on in a new repository, that is where this advice applies.")
		return c
	}
}

// readOnlyChecklist adapts the publication rules' remediations to an
// archived repository as readOnly does the checks': nothing to change in
// it, but a missing licence file, worth unarchiving it for.
func readOnlyChecklist(items []ChecklistItem, o Options) []ChecklistItem {
	for i := range items {
		if items[i].Remediation == "" {
			continue
		}
		if items[i].ID == "license_file" {
			items[i].Remediation = o.text(
				"Le dépôt est archivé (en lecture seule) : désarchivez-le le temps d'ajouter à la racine un fichier LICENSE avec le texte officiel d'une licence de la liste de l'administration française ("+strings.Join(frenchCode(), ", ")+"), puis archivez-le de nouveau.",
				"The repository is archived (read-only): unarchive it just long enough to add a LICENSE file at the root with the official text of a licence on the French administration's list ("+strings.Join(frenchCode(), ", ")+"), then archive it again.")
			continue
		}
		items[i].Remediation = o.text(
			"Le dépôt est archivé (en lecture seule) : rien à y changer. Si le projet reprend dans un nouveau dépôt, c'est là que cette règle sera à suivre.",
			"The repository is archived (read-only): nothing to change in it. If the project goes on in a new repository, that is where this rule applies.")
	}
	return items
}

func frenchCode() []string {
	code, _ := FrenchLicenses()
	return code
}
