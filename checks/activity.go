package checks

import (
	"fmt"
	"time"

	"github.com/eiglink/vigie/crawler"
)

// Activity scores the life of the default branch at crawl time, with
// D = dormant_days (90 by default) and n = commits in the last 90 days:
//
//	10  last commit within D days and n ≥ 5 (or, for a repository created
//	    less than 90 days ago, n ≥ 3: it has not had 90 days to fill)
//	 8  last commit within D days, n from 2 to 4 (young repository: n ≥ 1)
//	 7  last commit within D days, one commit in 90 days
//	 6  last commit within D days but none in 90 days (D above 90)
//	 3  dormant: last commit between D and 2·D days ago
//	 2  dormant: between 2·D and 4·D days
//	 1  dormant for more than 4·D days
//	 0  no commit at all
//
// An archived repository's activity does not apply (see readOnly): Score
// leaves it out. A forge that did not say whether the repository is
// archived (GitLab, read without a token, for a user's project) leaves it
// scored on its commits, with detail archived_unknown and the reason saying
// so.
func Activity(f crawler.Facts, o Options) Check {
	c := activity(f, o)
	if f.IsUnknown(crawler.FactArchived) {
		c.Details[DetailArchivedUnknown] = true
		c.Reason += o.text(" La forge n'a pas dit si le dépôt est archivé (elle ne le dit pas à une lecture sans jeton).",
			" The forge did not say whether the repository is archived (it does not tell a reader without a token).")
	}
	return c
}

func activity(f crawler.Facts, o Options) Check {
	a := f.Activity
	d := o.Dormancy()
	c := Check{Name: NameActivity, Details: map[string]any{
		DetailArchived:     f.Archived,
		DetailLastCommitAt: rfc3339(a.LastCommitAt),
		"commits_90d":      a.Commits90d,
		"contributors_90d": a.Contributors90d,
		"dormant_days":     d,
	}}
	if f.Empty || a.LastCommitAt.IsZero() {
		c.Score = 0
		c.Details[DetailLastCommitAt] = ""
		c.Reason = o.text("Le dépôt ne contient aucun commit.", "The repository holds no commit.")
		c.Remediation = o.text("Poussez le code du projet sur la branche par défaut, avec au moins un README et une licence.",
			"Push the project's code to the default branch, with at least a README and a licence.")
		return c
	}
	// A commit dated after the crawl (a committer's clock ahead) is today's.
	days := max(0, int(f.CrawledAt.Sub(a.LastCommitAt)/(24*time.Hour)))
	c.Details["days_since_last_commit"] = days
	young := !f.CreatedAt.IsZero() && f.CrawledAt.Sub(f.CreatedAt) < crawler.Window
	c.Details["young"] = young
	branch := orName(f.DefaultBranch, o.text("la branche par défaut", "the default branch"))
	n := a.Commits90d

	if days > d {
		switch {
		case days > 4*d:
			c.Score = 1
		case days > 2*d:
			c.Score = 2
		default:
			c.Score = 3
		}
		c.Reason = o.text(fmt.Sprintf("Le dernier commit sur %s date de %d jours (plus de %d jours) : le dépôt est en sommeil.", branch, days, d),
			fmt.Sprintf("The last commit on %s is %d days old (more than %d days): the repository is dormant.", branch, days, d))
		c.Remediation = o.text(fmt.Sprintf("Si le projet vit, poussez vos changements sur %s (les branches de travail ne comptent pas) ; s'il est terminé, dites-le en tête du README et archivez le dépôt.", branch),
			fmt.Sprintf("If the project is alive, push your changes to %s (work branches do not count); if it is finished, say so at the top of the README and archive the repository.", branch))
		return c
	}
	switch {
	case n >= 5 || young && n >= 3:
		c.Score = 10
	case n >= 2 || young && n >= 1:
		c.Score = 8
	case n == 1:
		c.Score = 7
	default:
		c.Score = 6
	}
	if c.Score == 10 {
		c.Reason = o.text(fmt.Sprintf("Le dépôt est actif : %s sur %s ces 90 derniers jours, le dernier %s.", plural(o, n, "commit", "commits"), branch, ago(o, days)),
			fmt.Sprintf("The repository is active: %s on %s in the last 90 days, the last one %s.", plural(o, n, "commit", "commits"), branch, ago(o, days)))
		return c
	}
	c.Reason = o.text(fmt.Sprintf("Le dépôt vit peu : %s sur %s ces 90 derniers jours, le dernier %s.", plural(o, n, "commit", "commits"), branch, ago(o, days)),
		fmt.Sprintf("The repository shows little activity: %s on %s in the last 90 days, the last one %s.", plural(o, n, "commit", "commits"), branch, ago(o, days)))
	c.Remediation = o.text(fmt.Sprintf("Fusionnez régulièrement le travail en cours dans %s, par petits commits, plutôt qu'en un bloc rare.", branch),
		fmt.Sprintf("Merge ongoing work into %s regularly, in small commits, rather than in rare large batches.", branch))
	return c
}

// plural writes a count with its noun: singular for 0 and 1 in French
// ("0 commit"), for 1 only in English ("0 commits").
func plural(o Options, n int, one, many string) string {
	if n == 1 || n == 0 && !o.english() {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// ago says how long ago a commit was, in days.
func ago(o Options, days int) string {
	switch {
	case days == 0:
		return o.text("aujourd'hui", "today")
	case o.english():
		return plural(o, days, "day", "days") + " ago"
	}
	return "il y a " + plural(o, days, "jour", "jours")
}
