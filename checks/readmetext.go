package checks

import (
	"regexp"
	"strings"

	"github.com/eiglink/vigie/crawler/licenseid"
)

// readmeSays is what a README's text tells the programme's rules, read in
// French or English without demanding a wording. Each field holds the line
// that told ("" when none did), so the evidence can quote it.
type readmeSays struct {
	copyright     string // © [administration], [person]
	test          string // a way to test: a Tests section, a test command, a demo
	contact       string // a way to reach the maintainer: an e-mail, a contact line with a link
	contributions string // which contributions are accepted
	license       string // the licence named
	programme     string // the « Entrepreneur d'intérêt général » mention
	programmeLink string // a link to the programme's site
	maintenance   string // whether maintenance is active or passive
	tracker       string // a link to a bug tracker
	usage         string // usage beyond installation (a Usage section)
	install       string // an installation section with commands
	docsLink      string // a documentation site linked
	security      string // a security contact
}

var (
	emailRe = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)
	urlRe   = regexp.MustCompile(`https?://[^\s)\]>"']+`)
	// A copyright line: ©, (c) or "copyright" followed by a name.
	// "(c)" counts followed by a year or a capital ("(C) 2019 DINUM",
	// "(c) Ministère"), not as the third item of a list ("(a) ..., (b) ...,
	// (c) les données").
	copyrightRe = regexp.MustCompile(`(?i:©|copyright\b)\s*[^\s]|\([cC]\)\s*[0-9\p{Lu}]`)
	testCmdRe   = regexp.MustCompile(`(?i)\b(npm (run )?test|yarn (run )?test|pnpm (run )?test|pytest|python -m (pytest|unittest)|make (test|check)|go test|mvn( -\w+)* (test|verify)|gradlew? (test|check)|rspec|rake test|phpunit|composer test|tox\b|cargo test|dotnet test|bin/rails test|manage\.py test|npx (jest|vitest|cypress|playwright)|(yarn|pnpm|bun|npx) (jest|vitest|mocha)|php artisan test|rails test|rake (test|spec)|mix test|sbt test|lein test|flutter test|deno test|bun test|nosetests|devtools::test|R CMD check)`)
	// A line that gives credentials (a demo account): its e-mail address
	// is a login, not a contact.
	credentialRe = regexp.MustCompile(`(?i)\b(login|identifiant|username|password|mot de passe|pwd|passwd)\b`)
	// Licence names as a README writes them (after Fold).
	licenseNames = []string{"mit", "apache", "gpl", "agpl", "lgpl", "gnu", "eupl", "cecill", "mpl", "mozilla public", "bsd", "licence ouverte", "open licence", "open license", "etalab", "odbl", "isc", "unlicense", "creative commons", "cc by", "cc0", "wtfpl"}
	// Heading words of a test section.
	testWords = []string{"test", "tests", "tester", "testing", "essai", "essais", "demo", "démo", "démonstration", "demonstration", "try", "essayer"}
	// Words of a maintenance status (after Fold).
	maintenanceStatus = []string{"maintenance active", "maintenance passive", "activement maintenu", "maintenu activement", "activement développé", "activement developpe",
		"actively maintained", "actively developed", "passively maintained", "maintenance mode", "no longer maintained", "not maintained", "not actively maintained",
		"unmaintained", "plus maintenu", "n est pas maintenu", "pas maintenu", "maintenance arrêtée", "maintenance arretee", "en sommeil",
		"maintenance est active", "maintenance est passive", "maintenance assurée", "maintenance assuree", "is maintained by", "est maintenu par", "maintenu par", "maintained by",
		// No maintenance, said otherwise.
		"plus mis à jour", "plus mis a jour", "ne maintenons plus", "no longer updated", "no longer under active development", "not under active development",
		"no longer actively", "ce projet est archivé", "ce dépôt est archivé", "ce projet est maintenant archivé", "ce dépôt est maintenant archivé",
		"this project is archived", "this repository is archived", "this project is no longer", "this repository is no longer"}
)

func readTheReadme(text string) readmeSays {
	var s readmeSays
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	section := "" // the folded text of the heading the line sits under
	inFence := false
	for i, line := range lines {
		trim := strings.TrimSpace(line)
		if strings.HasPrefix(trim, "```") || strings.HasPrefix(trim, "~~~") {
			inFence = !inFence
			if inFence && s.install == "" && hasStem(" "+section+" ", installStems) {
				s.install = section
			}
			continue
		}
		if inFence {
			if s.test == "" && testCmdRe.MatchString(trim) {
				s.test = trim
			}
			continue
		}
		if h, ok := heading(lines, i); ok {
			section = licenseid.Fold(h)
			w := " " + section + " "
			if s.test == "" && hasWord(section, testWords) {
				s.test = strings.TrimSpace(h)
			}
			if s.contributions == "" && hasStem(w, contribStems) {
				s.contributions = strings.TrimSpace(h)
			}
			// Usage documented: a usage section that says something
			// (150 characters or more), not a bare heading.
			if s.usage == "" && hasStem(w, []string{"usage", "utilisation", "utiliser", "using", "how to use", "comment utiliser", "exemple", "example", "fonctionnalit", "features", "guide", "tutori", "api", "fonctionnement", "mode d emploi", "how it works", "documentation"}) &&
				len(strings.TrimSpace(sectionText(lines, i))) >= 150 {
				s.usage = strings.TrimSpace(h)
			}
			if s.license == "" && hasStem(w, licenseStems) {
				s.license = strings.TrimSpace(h)
			}
			if s.contact == "" && hasStem(w, []string{"contact", "nous contacter", "contacts", "support", "équipe", "equipe", "team", "auteur", "author", "maintainer", "mainteneu"}) {
				body := sectionText(lines, i)
				if m := emailRe.FindString(body); m != "" {
					s.contact = m
				} else if u := urlRe.FindString(body); u != "" {
					s.contact = strings.TrimSpace(h) + " : " + u
				}
			}
			continue
		}
		if trim == "" {
			continue
		}
		folded := " " + licenseid.Fold(trim) + " "
		if s.copyright == "" && copyrightRe.MatchString(trim) && !strings.Contains(folded, " copyright holders ") && !strings.Contains(trim, "(b)") {
			s.copyright = trim
		}
		if s.test == "" && testCmdRe.MatchString(trim) && (strings.HasPrefix(trim, "$") || strings.Contains(trim, "`") || strings.HasPrefix(line, "    ")) {
			s.test = trim
		}
		if s.test == "" && hasStem(folded, []string{"demo", "démo", "essayer", "try it", "try the", "sandbox", "bac à sable", "bac a sable", "tester en ligne", "test it"}) && urlRe.MatchString(trim) {
			s.test = trim
		}
		if s.contact == "" && !credentialRe.MatchString(trim) {
			for _, m := range emailRe.FindAllString(trim, -1) {
				if !strings.HasPrefix(strings.ToLower(m), "git@") && !strings.Contains(strings.ToLower(m), "noreply") {
					s.contact = m
					break
				}
			}
		}
		if s.contact == "" && strings.Contains(strings.ToLower(trim), "mailto:") {
			s.contact = trim
		}
		if s.contributions == "" && (hasStem(folded, []string{"contribution", "contributions", "contribuer", "contributing", "pull request", "merge request", "contributeur", "contributor"}) ||
			hasWord(folded, []string{"pr", "prs", "mr", "mrs"})) {
			s.contributions = trim
		}
		if s.license == "" && hasStem(folded, licenseStems) && hasStem(folded, licenseNames) {
			s.license = trim
		}
		if s.license == "" && hasStem(folded, []string{"licence ouverte", "open licence", "sous licence", "under the", "licensed under", "distribué sous", "distribue sous", "publié sous", "publie sous"}) && hasStem(folded, licenseNames) {
			s.license = trim
		}
		// "Le code est sous AGPL-3.0", "released under MIT": a licence
		// named right after "sous" or "under".
		if s.license == "" {
			for _, n := range licenseNames {
				if strings.Contains(folded, " sous "+n) || strings.Contains(folded, " under "+n) {
					s.license = trim
					break
				}
			}
		}
		// The mention, in words (a URL naming the programme's GitHub
		// organisation is no mention), spelt however the author spelt it.
		words := " " + licenseid.Fold(urlRe.ReplaceAllString(trim, " ")) + " "
		if s.programme == "" && (strings.Contains(words, " entrep") && (strings.Contains(words, " interet general ") || strings.Contains(words, " intérêt général ")) ||
			strings.Contains(words, " programme eig ") || strings.Contains(words, " eig program")) {
			s.programme = trim
		}
		// A line that links to the programme's site and speaks of the
		// défi or of EIG ("Le défi [Brigade Numérique](https://entrepreneur-
		// interet-general.etalab.gouv.fr/defis/...)", "promotion 3 d'EIG
		// (lien)") is the mention too.
		if s.programme == "" && (hasWord(words, []string{"eig", "défi", "defi", "défis", "defis"}) || strings.Contains(words, " challenge")) {
			for _, u := range urlRe.FindAllString(trim, -1) {
				if isProgrammeSite(strings.ToLower(u)) {
					s.programme = trim
					break
				}
			}
		}
		for _, u := range urlRe.FindAllString(trim, -1) {
			lu := strings.ToLower(u)
			if s.programmeLink == "" && isProgrammeSite(lu) {
				s.programmeLink = u
			}
			if s.tracker == "" && (strings.Contains(lu, "/issues") || strings.Contains(lu, "/-/issues") || strings.Contains(lu, "jira") || strings.Contains(lu, "bugzilla") || strings.Contains(lu, "redmine") || strings.Contains(lu, "trello.com")) {
				s.tracker = u
			}
			if s.docsLink == "" && (strings.Contains(lu, "readthedocs") || strings.Contains(lu, ".github.io") || strings.Contains(lu, ".gitlab.io") || strings.Contains(lu, "gitbook") ||
				strings.Contains(lu, "://docs.") || strings.Contains(lu, "://doc.") || strings.Contains(lu, "/docs/") || strings.Contains(lu, "/documentation") || strings.Contains(lu, "/wiki")) {
				s.docsLink = u
			}
		}
		if s.maintenance == "" && hasStem(folded, maintenanceStatus) {
			s.maintenance = trim
		}
		// "Deprecated" and "obsolète" say the project's state only when
		// they speak of the project: "the v1 API is deprecated" does not.
		if s.maintenance == "" && hasStem(folded, []string{"deprecated", "obsolète", "obsolete"}) &&
			hasStem(folded, []string{"this project", "this repository", "this package", "this library", "this tool", "ce projet", "ce dépôt", "ce depot", "cet outil", "ce logiciel", "ce paquet", "cette bibliothèque", "cette bibliotheque"}) {
			s.maintenance = trim
		}
		// Under a Maintenance or Status heading, a word of state says it.
		if s.maintenance == "" && hasStem(" "+section+" ", []string{"maint", "status", "statut", "état du projet", "etat du projet"}) &&
			hasStem(folded, []string{"activ", "passiv", "actif", "passif", "no longer", "unmaintained", "arrêt", "arret", "abandon", "archiv", "sommeil", "terminé", "termine", "stable", "deprecated"}) {
			s.maintenance = trim
		}
		if s.security == "" && hasStem(folded, []string{"security", "sécurité", "securite", "vulnérabilit", "vulnerabilit"}) && (emailRe.MatchString(trim) || urlRe.MatchString(trim)) {
			s.security = trim
		}
	}
	// The programme's link may sit on the mention's line as a Markdown
	// link whose URL the line holds: found above. A mention without a URL
	// elsewhere leaves programmeLink empty.
	return s
}

// sectionText returns the lines under the heading at i, up to the next
// heading.
func sectionText(lines []string, i int) string {
	var b strings.Builder
	for j := i + 1; j < len(lines); j++ {
		if _, ok := heading(lines, j); ok {
			break
		}
		b.WriteString(lines[j])
		b.WriteByte('\n')
	}
	return b.String()
}

// quote shortens a line of a repository's text for evidence.
func quote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 100 {
		return string(r[:99]) + "…"
	}
	return s
}

// isProgrammeSite tells a link to the programme's site (eig.etalab.gouv.fr,
// entrepreneur-interet-general.etalab.gouv.fr, a page of etalab.gouv.fr or
// numerique.gouv.fr about it), not its GitHub organisation.
func isProgrammeSite(lu string) bool {
	_, rest, _ := strings.Cut(lu, "://")
	host, p, _ := strings.Cut(rest, "/")
	if !strings.HasSuffix(host, ".gouv.fr") {
		return false
	}
	return strings.Contains(host, "eig") || strings.Contains(host, "entrepreneur") || strings.Contains(p, "eig") || strings.Contains(p, "entrepreneur")
}

// hasWord tells whether the folded text has one of the words, whole.
func hasWord(folded string, words []string) bool {
	for _, w := range strings.Fields(folded) {
		for _, x := range words {
			if w == x {
				return true
			}
		}
	}
	return false
}
