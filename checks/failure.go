package checks

import (
	"fmt"
	"strings"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/locale"
)

// FailureText says in one or two sentences what a forge failure
// (crawler.Fail*) means for the repository and what to do. host is the
// forge's host ("" unknown). An unknown kind gives "".
func FailureText(kind, host string, l locale.Lang) string {
	forge := host
	if forge == "" {
		forge = l.Pick("de la forge", "the forge")
	}
	switch kind {
	case crawler.FailNotFound:
		return l.Pick("Dépôt introuvable : il a été supprimé ou il est privé. Vérifiez son adresse ; s'il est privé, rendez-le public ou retirez-le de la liste suivie.",
			"Repository not found: it was deleted or it is private. Check its address; if it is private, make it public or remove it from the list followed.")
	case crawler.FailAccessRefused:
		return l.Pick(fmt.Sprintf("La forge %s a refusé l'accès : le jeton est invalide, expiré ou n'a pas le droit de lecture. Renouvelez le jeton (la variable nommée par token_env dans la configuration).", forge),
			fmt.Sprintf("The forge %s refused access: the token is invalid, expired or lacks read access. Renew the token (the variable token_env names in the configuration).", forge))
	case crawler.FailRenamed:
		return l.Pick("Le dépôt a été renommé ou déplacé vers une adresse que vigie ne peut pas suivre : mettez à jour son adresse dans la configuration.",
			"The repository was renamed or moved to an address vigie cannot follow: update its address in the configuration.")
	case crawler.FailRateLimited:
		return l.Pick(fmt.Sprintf("Le quota d'appels de la forge %s est épuisé pour l'instant, ou réservé aux analyses programmées : le dépôt sera lu à la prochaine analyse, réessayez plus tard. Un jeton (token_env), ou plusieurs (token_envs), donne un quota plus large.", forge),
			fmt.Sprintf("The API quota of the forge %s is spent for now, or kept for scheduled crawls: the repository will be read on the next run; try again later. A token (token_env), or several (token_envs), gives a larger quota.", forge))
	case crawler.FailUnreachable:
		return l.Pick(fmt.Sprintf("La forge %s est injoignable (nom inconnu ou connexion refusée) : vérifiez la connexion au réseau et l'adresse de la forge dans la configuration, puis relancez l'analyse.", forge),
			fmt.Sprintf("The forge %s cannot be reached (unknown host or connection refused): check the network connection and the forge's address in the configuration, then run again.", forge))
	case crawler.FailTimeout:
		return l.Pick(fmt.Sprintf("La forge %s n'a pas répondu à temps : réessayez plus tard.", forge),
			fmt.Sprintf("The forge %s did not answer in time: try again later.", forge))
	case crawler.FailForgeError:
		return l.Pick(fmt.Sprintf("La forge %s a répondu par une erreur : réessayez plus tard ; si l'erreur persiste, elle vient de la forge, pas du dépôt.", forge),
			fmt.Sprintf("The forge %s answered with an error: try again later; if it persists, the problem is the forge's, not the repository's.", forge))
	}
	return ""
}

// failureOf classifies the facts' error: the forge's kind, or from what
// the facts say when the forge gave none.
func failureOf(f crawler.Facts) string {
	switch {
	case f.Error == "":
		return ""
	case f.Failure != "":
		return f.Failure
	case f.NotFound || f.Withheld():
		// Not public is, for vigie, not there: it reads public
		// repositories only.
		return crawler.FailNotFound
	}
	return crawler.FailForgeError
}

// ErrorText returns a result's error as a person reads it, in l: the
// sentence for its failure kind, or its error as stored (results from
// before failures were classified, or from elsewhere).
func (r *Result) ErrorText(l locale.Lang) string {
	if r == nil || r.Error == "" {
		return ""
	}
	host, _, _ := strings.Cut(r.Repo, "/")
	if s := FailureText(r.Failure, host, l); s != "" {
		return s
	}
	return r.Error
}
