package checks

import (
	"fmt"
	"strings"

	"github.com/eiglink/vigie/crawler"
)

// OpennessOf places the repository on the EIG guide's ladder of openness
// (« degrés d'ouverture », opensource.md of entrepreneur-interet-general/
// eig-link). Ten criteria, in the guide's order, each decided from the
// facts with the evidence used:
//
//	-1  published (readable without a token) and free licence (a licence
//	    of the decree's list identified) — both needed for degree 0
//	 1  maintenance known: who maintains it and whether actively (README),
//	    publiccode.yml's maintenance, MAINTAINERS or CODEOWNERS; an
//	    archived repository's maintenance is known (there is none)
//	 2  versioning: git on a forge (always met here)
//	 3  README
//	 4  bug tracker: the forge's issues open, or a tracker linked
//	 5  packaging: a release, a package manifest, a container file, or an
//	    installation section with commands
//	 6  contribution: CONTRIBUTING or a contributing section
//	 7  tests: a test suite in the tree
//	 8  documentation: a docs folder, a documentation site linked, or a
//	    README with usage beyond installation (a usage section of 150
//	    characters or more)
//
// The degree is cumulative: the highest N whose criteria, and all below,
// are met. Since versioning always holds on a forge, degree 1 cannot occur.
func OpennessOf(f crawler.Facts, pc Publiccode, o Options) Openness {
	rs := readTheReadme(f.Readme.Text)
	host := f.Ref.Host
	if host == "" {
		host = o.text("la forge", "the forge")
	}
	crit := func(name string, met bool, fr, en string) Criterion {
		return Criterion{Name: name, Met: met, Evidence: o.text(fr, en)}
	}
	var cs []Criterion

	// published
	if f.Withheld() {
		cs = append(cs, crit("published", false, "le dépôt n'est pas public sur "+host+" : il faut un compte pour le lire", "the repository is not public on "+host+": reading it needs an account"))
	} else {
		cs = append(cs, crit("published", true, "le dépôt se lit sans compte sur "+host, "the repository is readable without an account on "+host))
	}

	// license
	spdx, file := licenseVerdict(f.License)
	switch ok, id := authorisedLicense(spdx); {
	case ok:
		cs = append(cs, crit("license", true, fmt.Sprintf("licence %s identifiée (%s), sur la liste des licences autorisées", id, file), fmt.Sprintf("licence %s identified (%s), on the list of authorised licences", id, file)))
	case spdx == "":
		cs = append(cs, crit("license", false, "aucun fichier de licence", "no licence file"))
	case spdx == "NOASSERTION":
		cs = append(cs, crit("license", false, fmt.Sprintf("le fichier %s ne correspond à aucune licence connue", file), fmt.Sprintf("the file %s matches no known licence", file)))
	default:
		cs = append(cs, crit("license", false, fmt.Sprintf("la licence %s n'est pas sur la liste des licences autorisées (décret, art. D.323-2-1 du CRPA)", spdx), fmt.Sprintf("the licence %s is not on the list of authorised licences (decree, CRPA art. D.323-2-1)", spdx)))
	}

	// maintenance
	met, fr, en := maintenanceKnown(f, pc, rs)
	cs = append(cs, crit("maintenance", met, fr, en))

	// versioning
	cs = append(cs, crit("versioning", true, "code publié avec git sur "+host, "code published with git on "+host))

	// readme
	switch a := analyseReadme(f.Readme.Text); {
	case f.Readme.Path == "":
		cs = append(cs, crit("readme", false, "aucun README", "no README"))
	case a.template != "" || len(strings.TrimSpace(f.Readme.Text)) < 100 && f.Readme.Bytes < 100:
		cs = append(cs, crit("readme", false, f.Readme.Path+" est vide ou reste un modèle", f.Readme.Path+" is empty or still a template"))
	default:
		cs = append(cs, crit("readme", true, fmt.Sprintf("%s (%d octets)", f.Readme.Path, f.Readme.Bytes), fmt.Sprintf("%s (%d bytes)", f.Readme.Path, f.Readme.Bytes)))
	}

	// bug_tracker
	switch {
	case f.OpenIssues >= 0:
		cs = append(cs, crit("bug_tracker", true, fmt.Sprintf("tickets ouverts sur %s (%d ouverts)", host, f.OpenIssues), fmt.Sprintf("issues enabled on %s (%d open)", host, f.OpenIssues)))
	case rs.tracker != "":
		cs = append(cs, crit("bug_tracker", true, "le README renvoie vers un suivi des bugs : "+quote(rs.tracker), "the README links to a bug tracker: "+quote(rs.tracker)))
	case f.IsUnknown(crawler.FactOpenIssues):
		cs = append(cs, crit("bug_tracker", false, host+" n'a pas dit si ses tickets sont ouverts (il ne le dit pas à une lecture sans jeton) et le README ne renvoie vers aucun suivi des bugs",
			host+" did not say whether its issues are enabled (it does not tell a reader without a token) and the README links to no bug tracker"))
	default:
		cs = append(cs, crit("bug_tracker", false, "les tickets sont fermés sur "+host+" et le README ne renvoie vers aucun suivi des bugs", "issues are disabled on "+host+" and the README links to no bug tracker"))
	}

	// packaging
	manifest, container := packagingIn(f)
	switch {
	case f.Release != nil:
		cs = append(cs, crit("packaging", true, "version publiée : "+f.Release.Tag, "release published: "+f.Release.Tag))
	case manifest != "":
		cs = append(cs, crit("packaging", true, "manifeste de paquet : "+manifest, "package manifest: "+manifest))
	case container != "":
		cs = append(cs, crit("packaging", true, "fichier de conteneur : "+container, "container file: "+container))
	case rs.install != "":
		cs = append(cs, crit("packaging", true, "section d'installation avec des commandes dans le README : "+quote(rs.install), "installation section with commands in the README: "+quote(rs.install)))
	default:
		cs = append(cs, crit("packaging", false, "ni version publiée, ni manifeste de paquet, ni fichier de conteneur, ni commandes d'installation dans le README", "no release, package manifest, container file, or installation commands in the README"))
	}

	// contribution
	switch a := analyseReadme(f.Readme.Text); {
	case f.Community.Contributing != "":
		cs = append(cs, crit("contribution", true, "fichier "+f.Community.Contributing, "file "+f.Community.Contributing))
	case a.contributing:
		cs = append(cs, crit("contribution", true, "section sur les contributions dans "+f.Readme.Path, "contributing section in "+f.Readme.Path))
	default:
		cs = append(cs, crit("contribution", false, "ni fichier CONTRIBUTING ni section « Contribuer » dans le README", "no CONTRIBUTING file nor \"Contributing\" section in the README"))
	}

	// tests
	if t := testsIn(f); t != "" {
		cs = append(cs, crit("tests", true, "suite de tests : "+t, "test suite: "+t))
	} else {
		cs = append(cs, crit("tests", false, "aucun dossier ni fichier de tests dans l'arborescence lue", "no test folder or file in the tree read"))
	}

	// documentation
	switch d := docsIn(f); {
	case d != "":
		cs = append(cs, crit("documentation", true, "documentation : "+d, "documentation: "+d))
	case rs.docsLink != "":
		cs = append(cs, crit("documentation", true, "site de documentation lié : "+quote(rs.docsLink), "documentation site linked: "+quote(rs.docsLink)))
	case isDocsSite(f.Homepage):
		cs = append(cs, crit("documentation", true, "site de documentation : "+f.Homepage, "documentation site: "+f.Homepage))
	case rs.usage != "":
		cs = append(cs, crit("documentation", true, "le README documente l'usage : "+quote(rs.usage), "the README documents usage: "+quote(rs.usage)))
	default:
		cs = append(cs, crit("documentation", false, "ni dossier docs/, ni site de documentation lié, ni usage décrit dans le README au-delà de l'installation", "no docs/ folder, documentation site linked, or usage described in the README beyond installation"))
	}

	return Openness{Degree: degree(cs), Criteria: cs}
}

// criterionDegree is the degree each criterion (in docs/reference.md's order) opens.
var criterionDegree = []int{0, 0, 1, 2, 3, 4, 5, 6, 7, 8}

// degree is the highest degree whose criteria, and all below, are met.
func degree(cs []Criterion) int {
	d := -1
	for i, c := range cs {
		if !c.Met {
			if criterionDegree[i] == 0 {
				return -1
			}
			return criterionDegree[i] - 1
		}
		d = criterionDegree[i]
	}
	return d
}

// authorisedLicense reports whether the identified licence (several: " OR ")
// includes one of the decree's list, and which.
func authorisedLicense(spdx string) (bool, string) {
	if spdx == "" || spdx == "NOASSERTION" {
		return false, ""
	}
	for _, id := range strings.Split(spdx, " OR ") {
		if cl := classify(id); cl == classCodeList || cl == classDataList {
			return true, id
		}
	}
	return false, ""
}

// maintenanceKnown decides whether it is known who maintains the code and
// how: archived (no maintenance), publiccode.yml's maintenance, a
// MAINTAINERS or CODEOWNERS file, or a README that says both the status
// and a contact.
func maintenanceKnown(f crawler.Facts, pc Publiccode, rs readmeSays) (bool, string, string) {
	switch {
	case f.Archived:
		return true, "dépôt archivé : il n'est plus maintenu", "archived repository: it is no longer maintained"
	case pc.maintenanceType != "":
		return true, "publiccode.yml : maintenance.type " + pc.maintenanceType, "publiccode.yml: maintenance.type " + pc.maintenanceType
	}
	if m := maintainersIn(f); m != "" {
		return true, "fichier " + m, "file " + m
	}
	switch {
	case rs.maintenance != "" && rs.contact != "":
		return true, "le README dit la maintenance (« " + quote(rs.maintenance) + " ») et un contact (" + quote(rs.contact) + ")",
			"the README states the maintenance (\"" + quote(rs.maintenance) + "\") and a contact (" + quote(rs.contact) + ")"
	case rs.maintenance != "":
		return false, "le README dit la maintenance (« " + quote(rs.maintenance) + " ») mais ne donne aucun contact",
			"the README states the maintenance (\"" + quote(rs.maintenance) + "\") but gives no contact"
	case rs.contact != "":
		return false, "le README donne un contact (" + quote(rs.contact) + ") mais ne dit pas si la maintenance est active ou passive",
			"the README gives a contact (" + quote(rs.contact) + ") but does not say whether maintenance is active or passive"
	}
	return false, "ni MAINTAINERS, ni CODEOWNERS, ni maintenance dans publiccode.yml, ni mainteneur et état de la maintenance dans le README",
		"no MAINTAINERS, CODEOWNERS, publiccode.yml maintenance, or maintainer and maintenance status in the README"
}

// isDocsSite tells a documentation site by its address.
func isDocsSite(u string) bool {
	lu := strings.ToLower(u)
	return lu != "" && (strings.Contains(lu, "readthedocs") || strings.Contains(lu, "://docs.") || strings.Contains(lu, "://doc.") || strings.Contains(lu, "gitbook") || strings.Contains(lu, "/docs"))
}
