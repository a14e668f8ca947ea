package checks

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/eiglink/vigie/crawler"
)

// ChecklistIDs are the publication checklist's items, in order.
var ChecklistIDs = []string{
	"description", "topics", "license_file", "contributing", "code_of_conduct",
	"security_contact", "changelog", "issue_templates", "organisation_account",
	"maintenance_stated", "readme_copyright", "readme_test", "readme_contact",
	"readme_contributions", "readme_license", "readme_programme_mention", "publiccode",
}

var eigYearRe = regexp.MustCompile(`^eig-?(20\d\d|[1-9])$`)

// Checklist decides each publication rule of the programme from the facts:
// the EIG guide's essential repository information and README contents,
// the State's contribution policy, code.gouv.fr's catalogue and the
// publiccode.yml standard. An item the forge cannot tell is not
// applicable, never failed. A met item has no remediation.
func Checklist(f crawler.Facts, pc Publiccode, o Options) []ChecklistItem {
	rs := readTheReadme(f.Readme.Text)
	readme := f.Readme.Path
	var out []ChecklistItem
	add := func(id, source string, met bool, evFR, evEN, remFR, remEN string) {
		it := ChecklistItem{ID: id, Met: met, Applicable: true, Evidence: o.text(evFR, evEN), Source: source}
		if !met {
			it.Remediation = o.text(remFR, remEN)
		}
		out = append(out, it)
	}
	na := func(id, source, evFR, evEN string) {
		out = append(out, ChecklistItem{ID: id, Applicable: false, Evidence: o.text(evFR, evEN), Source: source})
	}
	// fileItem is met when the repository has the file at path ("" when it
	// has none), which the evidence names.
	fileItem := func(id, source, path, noneFR, noneEN, remFR, remEN string) {
		if path != "" {
			add(id, source, true, "fichier "+path, "file "+path, "", "")
			return
		}
		add(id, source, false, noneFR, noneEN, remFR, remEN)
	}

	// description
	if d := strings.TrimSpace(f.Description); d != "" {
		add("description", SourceEIGGuide, true, "description : « "+quote(d)+" »", "description: \""+quote(d)+"\"", "", "")
	} else {
		add("description", SourceEIGGuide, false, "le dépôt n'a pas de description", "the repository has no description",
			"Renseignez la description du dépôt sur la forge : une phrase claire, en français ou en anglais, qui dit ce que fait le logiciel.",
			"Fill in the repository's description on the forge: one clear sentence, in French or English, saying what the software does.")
	}

	// topics
	hasEIG, year := false, ""
	for _, t := range f.Topics {
		lt := strings.ToLower(t)
		if lt == "entrepreneur-interet-general" {
			hasEIG = true
		}
		if eigYearRe.MatchString(lt) && year == "" {
			year = lt
		}
	}
	switch {
	case hasEIG && year != "":
		add("topics", SourceEIGGuide, true, "sujets entrepreneur-interet-general et "+year, "topics entrepreneur-interet-general and "+year, "", "")
	default:
		var miss []string
		if !hasEIG {
			miss = append(miss, "entrepreneur-interet-general")
		}
		if year == "" {
			miss = append(miss, "eig-<année>")
		}
		have := strings.Join(f.Topics, ", ")
		if have == "" {
			have = o.text("aucun", "none")
		}
		add("topics", SourceEIGGuide, false, "sujets : "+have, "topics: "+have,
			"Ajoutez au dépôt les sujets (topics) "+strings.Join(miss, " et ")+" (par exemple eig-2019), et celui du défi.",
			"Add the topics "+strings.ReplaceAll(strings.Join(miss, " and "), "année", "year")+" to the repository (for instance eig-2019), and the défi's.")
	}

	// license_file
	rootLicense := ""
	for _, lf := range f.License.Files {
		if !strings.Contains(lf.Path, "/") {
			rootLicense = lf.Path
			break
		}
	}
	if rootLicense != "" {
		add("license_file", SourceEIGGuide, true, "fichier "+rootLicense+" à la racine", "file "+rootLicense+" at the root", "", "")
	} else {
		add("license_file", SourceEIGGuide, false, "aucun fichier LICENSE à la racine", "no LICENSE file at the root",
			"Ajoutez à la racine un fichier LICENSE contenant le texte complet de la licence (une licence de la liste du décret : EUPL-1.2, MIT, Apache-2.0, AGPL-3.0...).",
			"Add a LICENSE file at the root with the licence's full text (a licence of the decree's list: EUPL-1.2, MIT, Apache-2.0, AGPL-3.0...).")
	}

	// contributing
	fileItem("contributing", SourceStatePolicy, f.Community.Contributing, "aucun fichier CONTRIBUTING", "no CONTRIBUTING file",
		"Ajoutez un fichier CONTRIBUTING.md (en anglais, dit le guide EIG) : comment signaler un bug, proposer une modification, lancer les tests, signer ses commits (DCO).",
		"Add a CONTRIBUTING.md file (in English, says the EIG guide): how to report a bug, propose a change, run the tests, sign off commits (DCO).")

	// code_of_conduct
	fileItem("code_of_conduct", SourceEIGGuide, f.Community.CodeOfConduct, "aucun code de conduite", "no code of conduct",
		"Ajoutez un fichier CODE_OF_CONDUCT.md, par exemple le Contributor Covenant (https://www.contributor-covenant.org/fr/), en y indiquant un contact.",
		"Add a CODE_OF_CONDUCT.md file, for instance the Contributor Covenant (https://www.contributor-covenant.org/), with a contact.")

	// security_contact
	switch {
	case f.Community.Security != "":
		add("security_contact", SourceStatePolicy, true, "fichier "+f.Community.Security, "file "+f.Community.Security, "", "")
	case rs.security != "":
		add("security_contact", SourceStatePolicy, true, "le README donne un contact sécurité : "+quote(rs.security), "the README gives a security contact: "+quote(rs.security), "", "")
	default:
		add("security_contact", SourceStatePolicy, false, "ni fichier SECURITY ni contact sécurité dans le README", "no SECURITY file nor security contact in the README",
			"Ajoutez un fichier SECURITY.md qui dit à qui signaler une faille (une adresse e-mail) et comment.",
			"Add a SECURITY.md file saying whom to report a vulnerability to (an e-mail address) and how.")
	}

	// changelog
	fileItem("changelog", SourceCodeGouv, changelogIn(f), "aucun CHANGELOG à la racine", "no CHANGELOG at the root",
		"Ajoutez un CHANGELOG.md qui liste les changements de chaque version (voir keepachangelog.com/fr) et étiquetez chaque version (versionnage sémantique).",
		"Add a CHANGELOG.md listing each version's changes (see keepachangelog.com) and tag every release (semantic versioning).")

	// issue_templates
	if t := issueTemplatesIn(f); t != "" {
		add("issue_templates", SourceEIGGuide, true, "modèles : "+t, "templates: "+t, "", "")
	} else if listedTemplateDir(f) {
		add("issue_templates", SourceEIGGuide, false, "aucun modèle de ticket ni de demande de fusion", "no issue or pull request template",
			templateRemedy(f, true), templateRemedy(f, false))
	} else {
		na("issue_templates", SourceEIGGuide, "le dossier de modèles de cette forge n'a pas été lu", "this forge's template folder was not read")
	}

	// organisation_account
	switch f.OwnerKind {
	case crawler.OwnerOrganization:
		add("organisation_account", SourceStatePolicy, true, "publié sous l'organisation "+owner(f), "published under the organisation "+owner(f), "", "")
	case crawler.OwnerUser:
		add("organisation_account", SourceStatePolicy, false, "publié sous le compte personnel "+owner(f), "published under the personal account "+owner(f),
			"Transférez le dépôt vers le compte d'organisation de l'administration (à défaut, vers l'organisation entrepreneur-interet-general), avec au moins deux propriétaires.",
			"Transfer the repository to the administration's organisation account (failing that, to the entrepreneur-interet-general organisation), with at least two owners.")
	default:
		na("organisation_account", SourceStatePolicy, "la forge n'a pas dit si le propriétaire est une organisation", "the forge did not say whether the owner is an organisation")
	}

	// maintenance_stated
	met, fr, en := maintenanceKnown(f, pc, rs)
	add("maintenance_stated", SourceEIGGuide, met, fr, en,
		"Dites dans le README qui maintient le code (un nom et une adresse e-mail) et si la maintenance est active ou passive (réponses aux questions seulement), ou ajoutez un fichier MAINTAINERS.",
		"Say in the README who maintains the code (a name and an e-mail address) and whether maintenance is active or passive (answering questions only), or add a MAINTAINERS file.")

	// README items
	readmeItem := func(id, found, evFR, evEN, remFR, remEN string) {
		switch {
		case readme == "":
			add(id, SourceEIGGuide, false, "aucun README", "no README", "Ajoutez un README.md, puis "+lowerFirst(remFR), "Add a README.md, then "+lowerFirst(remEN))
		case found != "":
			add(id, SourceEIGGuide, true, evFR+" : « "+quote(found)+" »", evEN+": \""+quote(found)+"\"", "", "")
		default:
			add(id, SourceEIGGuide, false, fmt.Sprintf("rien de tel dans %s", readme), fmt.Sprintf("nothing of the kind in %s", readme), remFR, remEN)
		}
	}
	readmeItem("readme_copyright", rs.copyright, "mention d'auteur", "authorship notice",
		"Ajoutez au README la mention d'auteur « © [administration], [personne] ».",
		"Add the authorship notice \"© [administration], [person]\" to the README.")
	readmeItem("readme_test", rs.test, "façon de tester", "way to test",
		"Dites dans le README comment tester le logiciel : la commande qui lance les tests, ou l'adresse d'une démonstration.",
		"Say in the README how to test the software: the command that runs the tests, or the address of a demo.")
	readmeItem("readme_contact", rs.contact, "contact", "contact",
		"Donnez dans le README un point de contact avec le mainteneur (une adresse e-mail).",
		"Give a contact point with the maintainer in the README (an e-mail address).")
	readmeItem("readme_contributions", rs.contributions, "contributions", "contributions",
		"Dites dans le README quelles contributions sont acceptées (une section « Contribuer » qui renvoie à CONTRIBUTING.md).",
		"Say in the README which contributions are accepted (a \"Contributing\" section pointing to CONTRIBUTING.md).")
	readmeItem("readme_license", rs.license, "licence nommée", "licence named",
		"Nommez la licence libre dans le README (une section « Licence » : « Ce logiciel est publié sous licence EUPL-1.2 »...).",
		"Name the free licence in the README (a \"Licence\" section: \"This software is released under the EUPL-1.2\"...).")
	programme := rs.programme
	switch {
	case programme != "" && rs.programmeLink == "" && readme != "":
		add("readme_programme_mention", SourceEIGGuide, false, "mention du programme sans lien vers son site : « "+quote(programme)+" »", "programme mention without a link to its site: \""+quote(programme)+"\"",
			"Ajoutez à la mention du programme un lien vers son site : https://eig.etalab.gouv.fr",
			"Add a link to the programme's site to its mention: https://eig.etalab.gouv.fr")
	default:
		readmeItem("readme_programme_mention", programme, "mention du programme", "programme mention",
			"Terminez le README par la mention « Ce projet a été développé dans le cadre du programme [Entrepreneur d'intérêt général](https://eig.etalab.gouv.fr). »",
			"End the README with the mention \"This project was developed within the [Entrepreneur d'intérêt général](https://eig.etalab.gouv.fr) programme.\"")
	}

	// publiccode
	switch {
	case pc.File == "":
		add("publiccode", SourcePubliccode, false, "aucun publiccode.yml à la racine", "no publiccode.yml at the root",
			"Ajoutez à la racine un publiccode.yml : le catalogue code.gouv.fr le lit (+1000 points) ; vigie en propose un pré-rempli sur la page du dépôt.",
			"Add a publiccode.yml at the root: the code.gouv.fr catalogue reads it (+1000 points); vigie offers a pre-filled one on the repository page.")
	case !pc.Valid:
		e := pc.Errors[0]
		add("publiccode", SourcePubliccode, false, fmt.Sprintf("%s : %d problème(s), dont ligne %d %s : %s", pc.File, len(pc.Errors), e.Line, e.Key, e.Message),
			fmt.Sprintf("%s: %d problem(s), among them line %d %s: %s", pc.File, len(pc.Errors), e.Line, e.Key, e.Message),
			"Corrigez "+pc.File+" : chaque problème est donné avec sa ligne sur la page du dépôt.",
			"Fix "+pc.File+": each problem is given with its line on the repository page.")
	default:
		add("publiccode", SourcePubliccode, true, pc.File+" valide (version "+pc.Version+")", pc.File+" valid (version "+pc.Version+")", "", "")
	}
	return out
}

// listedTemplateDir tells whether the crawl read the folder where the
// forge keeps its templates: .github/ (GitHub) or .gitlab/ (GitLab) shows
// in the listing as a folder or its files; for Gitea the .gitea folder.
// Without it, the absence of templates proves nothing.
func listedTemplateDir(f crawler.Facts) bool {
	dirs := []string{".github"}
	switch f.Ref.Type {
	case "gitlab":
		dirs = []string{".gitlab"}
	case "gitea":
		dirs = []string{".gitea", ".forgejo", ".github"}
	}
	if f.Ref.Type == "" && isGitLab(f) {
		dirs = []string{".gitlab"}
	}
	for _, fl := range f.Files {
		for _, d := range dirs {
			if strings.HasPrefix(fl.Path, d+"/") {
				return true
			}
		}
	}
	// The root listing was read (every forge reads it): without the
	// folder at all, there is no template.
	for _, fl := range f.Files {
		for _, d := range dirs {
			if fl.Path == d {
				return false // the folder exists but its content was not read
			}
		}
	}
	return len(f.Files) > 0
}

func templateRemedy(f crawler.Facts, fr bool) string {
	if isGitLab(f) {
		if fr {
			return "Ajoutez des modèles de tickets dans .gitlab/issue_templates/ (bug.md, fonctionnalité.md) et de demandes de fusion dans .gitlab/merge_request_templates/."
		}
		return "Add issue templates in .gitlab/issue_templates/ (bug.md, feature.md) and merge request templates in .gitlab/merge_request_templates/."
	}
	if fr {
		return "Ajoutez des modèles de tickets dans .github/ISSUE_TEMPLATE/ (bug, fonctionnalité) et un .github/PULL_REQUEST_TEMPLATE.md."
	}
	return "Add issue templates in .github/ISSUE_TEMPLATE/ (bug, feature) and a .github/PULL_REQUEST_TEMPLATE.md."
}

func owner(f crawler.Facts) string {
	p := f.Ref.Path
	if f.CanonicalPath != "" {
		p = f.CanonicalPath
	}
	if i := strings.LastIndex(p, "/"); i > 0 {
		return p[:i]
	}
	return p
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToLower(string(r[0])) + string(r[1:])
}
