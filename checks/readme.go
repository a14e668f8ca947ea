package checks

import (
	"fmt"
	"strings"

	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/crawler/licenseid"
)

// Readme scores the README the forge shows on the repository's page, by
// what a newcomer needs from it. Points add up to 10:
//
//	1  a README exists
//	2  its size: 1 from 500 bytes, 2 from 1,500 bytes
//	2  a description: a paragraph of prose (not only a title and badges)
//	2  how to install or use it: a section named Installation, Usage,
//	   Utilisation, Démarrage, Lancer, Getting started, Déploiement...
//	1  a code block (commands to copy)
//	1  how to contribute: a Contribuer / Contributing section, or a
//	   CONTRIBUTING file
//	1  a Licence / License section
//
// A README that is empty, only a title, or the forge's or a generator's
// template left as it was scores at most 2: it says nothing about the
// project.
func Readme(f crawler.Facts, o Options) Check {
	r := f.Readme
	c := Check{Name: NameReadme, Details: map[string]any{
		"file":  r.Path,
		"bytes": int(r.Bytes),
	}}
	if r.Path == "" {
		c.Details["sections"] = []string{}
		c.Details["code_blocks"] = false
		c.Details["placeholder"] = false
		c.Reason = o.text("Le dépôt n'a pas de README : sa page d'accueil sur la forge n'explique rien.",
			"The repository has no README: its page on the forge explains nothing.")
		c.Remediation = o.text("Ajoutez un README.md à la racine avec : un titre et une phrase qui dit ce que fait le projet et pour qui, une section « Installation », une section « Utilisation » avec les commandes à lancer dans un bloc de code, une section « Contribuer » et une section « Licence ».",
			"Add a README.md at the root with: a title and a sentence saying what the project does and for whom, an \"Installation\" section, a \"Usage\" section with the commands to run in a code block, a \"Contributing\" section and a \"Licence\" section.")
		return c
	}

	a := analyseReadme(r.Text)
	contributing := a.contributing || f.Community.Contributing != ""
	var sections []string
	for _, s := range []struct {
		ok   bool
		name string
	}{{a.description, "description"}, {a.installation, "installation"}, {a.usage, "usage"}, {contributing, "contributing"}, {a.license, "license"}} {
		if s.ok {
			sections = append(sections, s.name)
		}
	}
	if sections == nil {
		sections = []string{}
	}
	placeholder := a.template != "" || len(strings.TrimSpace(r.Text)) < 100 && r.Bytes < 100
	c.Details["sections"] = sections
	c.Details["code_blocks"] = a.codeBlock
	c.Details["placeholder"] = placeholder

	score := 1
	switch {
	case r.Bytes >= 1500:
		score += 2
	case r.Bytes >= 500:
		score++
	}
	var missing []string
	add := func(ok bool, pts int, fr, en string) {
		if ok {
			score += pts
		} else {
			missing = append(missing, o.text(fr, en))
		}
	}
	add(a.description, 2, "une phrase qui dit ce que fait le projet et pour qui, sous le titre", "a sentence under the title saying what the project does and for whom")
	add(a.installation || a.usage, 2, "une section « Installation » et une section « Utilisation »", "an \"Installation\" and a \"Usage\" section")
	add(a.codeBlock, 1, "les commandes à lancer dans un bloc de code (```)", "the commands to run in a code block (```)")
	add(contributing, 1, "une section « Contribuer » (ou un fichier CONTRIBUTING.md)", "a \"Contributing\" section (or a CONTRIBUTING.md file)")
	add(a.license, 1, "une section « Licence » qui nomme la licence", "a \"Licence\" section naming the licence")

	if placeholder {
		score = min(score, 2)
		what := o.text("presque vide", "nearly empty")
		if a.template != "" {
			what = o.text("le modèle "+a.template+" laissé tel quel", "the "+a.template+" template left as is")
		}
		c.Score = score
		c.Reason = o.text(fmt.Sprintf("Le fichier %s est %s : il ne présente pas le projet.", r.Path, what),
			fmt.Sprintf("The README %s is %s: it does not present the project.", r.Path, what))
		c.Remediation = o.text(fmt.Sprintf("Réécrivez %s avec : %s.", r.Path, strings.Join(missing, " ; ")),
			fmt.Sprintf("Rewrite %s with: %s.", r.Path, strings.Join(missing, "; ")))
		if len(missing) == 0 {
			c.Remediation = o.text(fmt.Sprintf("Remplacez le contenu générique de %s par la présentation de votre projet.", r.Path),
				fmt.Sprintf("Replace the generic content of %s with a presentation of your project.", r.Path))
		}
		return c
	}
	c.Score = min(score, 10)
	if c.Score == 10 {
		c.Reason = o.text(fmt.Sprintf("Le fichier %s présente le projet, explique comment l'installer et l'utiliser, comment contribuer, et nomme sa licence.", r.Path),
			fmt.Sprintf("The README %s presents the project, explains how to install and use it and how to contribute, and names its licence.", r.Path))
		return c
	}
	if len(missing) == 0 {
		// Every part is there but the README is short.
		c.Reason = o.text(fmt.Sprintf("Le fichier %s a toutes les parties attendues mais reste court (%d octets).", r.Path, r.Bytes),
			fmt.Sprintf("The README %s has every expected part but is short (%d bytes).", r.Path, r.Bytes))
		c.Remediation = o.text("Détaillez l'installation et l'utilisation : prérequis, configuration, exemples de commandes et de résultats.",
			"Expand installation and usage: prerequisites, configuration, example commands and output.")
		return c
	}
	c.Reason = o.text(fmt.Sprintf("Il manque au fichier %s (%d octets) %s.", r.Path, r.Bytes, missing[0]),
		fmt.Sprintf("The README %s (%d bytes) lacks %s.", r.Path, r.Bytes, missing[0]))
	if len(missing) > 1 {
		c.Reason = o.text(fmt.Sprintf("Il manque %d éléments attendus au fichier %s (%d octets), dont %s.", len(missing), r.Path, r.Bytes, missing[0]),
			fmt.Sprintf("The README %s (%d bytes) lacks %d of the expected parts, among them %s.", r.Path, r.Bytes, len(missing), missing[0]))
	}
	c.Remediation = o.text(fmt.Sprintf("Ajoutez à %s : %s.", r.Path, strings.Join(missing, " ; ")),
		fmt.Sprintf("Add to %s: %s.", r.Path, strings.Join(missing, "; ")))
	return c
}

// readmeAnalysis is what a README's text shows.
type readmeAnalysis struct {
	description, installation, usage, contributing, license, codeBlock bool
	// template names the template the README still is ("" none).
	template string
}

// Heading words (after licenseid.Fold) that mark each kind of section,
// French and English. A heading matches when one of its words starts with a
// stem.
var (
	installStems = []string{"install", "prérequis", "prerequis", "prerequisite", "requirement", "dépendance", "dependenc", "setup", "mise en place", "configuration", "build", "compil", "déploi", "deploi", "deploy", "getting started", "get started", "quick start", "quickstart", "démarrage", "demarrage", "démarrer", "demarrer", "pour commencer", "mise en route"}
	usageStems   = []string{"usage", "utilisation", "utiliser", "use", "using", "how to", "comment", "lancer", "lancement", "exécut", "execut", "run", "développ", "develop", "example", "exemple", "api", "commande", "command", "documentation", "tests", "test"}
	contribStems = []string{"contribu", "participer", "collaborer"}
	licenseStems = []string{"licence", "license", "licensing"}
)

// Generated READMEs that describe the template, not the project.
var readmeTemplates = []struct{ name, marker string }{
	{"GitLab", "to make it easy for you to get started with gitlab"},
	{"Create React App", "this project was bootstrapped with create react app"},
	{"Vue CLI", "customize configuration see configuration reference"},
	{"Angular CLI", "this project was generated with angular cli"},
	{"Next.js", "this is a next js project bootstrapped with"},
	{"Vite", "this template provides a minimal setup to get react working in vite"},
}

func analyseReadme(text string) readmeAnalysis {
	var a readmeAnalysis
	folded := " " + licenseid.Fold(text) + " "
	for _, t := range readmeTemplates {
		if strings.Contains(folded, " "+t.marker+" ") {
			a.template = t.name
			break
		}
	}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	inFence := false
	for i, line := range lines {
		trim := strings.TrimSpace(line)
		if strings.HasPrefix(trim, "```") || strings.HasPrefix(trim, "~~~") {
			a.codeBlock = true
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		if isCodeLine(line, trim) {
			a.codeBlock = true
		}
		if h, ok := heading(lines, i); ok {
			w := " " + licenseid.Fold(h) + " "
			a.installation = a.installation || hasStem(w, installStems)
			a.usage = a.usage || hasStem(w, usageStems)
			a.contributing = a.contributing || hasStem(w, contribStems)
			a.license = a.license || hasStem(w, licenseStems)
			continue
		}
		if isProse(trim) {
			a.description = true
		}
	}
	return a
}

// isCodeLine tells the code outside fences: an indented block in Markdown
// (four spaces after a blank line is too fine to track; a shell prompt or a
// reStructuredText/AsciiDoc code directive is enough).
func isCodeLine(line, trim string) bool {
	return strings.HasPrefix(trim, "$ ") || strings.HasPrefix(trim, ".. code") ||
		strings.HasPrefix(trim, "[source") || strings.HasPrefix(trim, "<pre") ||
		strings.HasSuffix(trim, "::") && !strings.HasPrefix(trim, "..") ||
		strings.HasPrefix(line, "    ") && (strings.HasPrefix(trim, "npm ") || strings.HasPrefix(trim, "pip ") ||
			strings.HasPrefix(trim, "make") || strings.HasPrefix(trim, "docker") || strings.HasPrefix(trim, "git ") ||
			strings.HasPrefix(trim, "python") || strings.HasPrefix(trim, "yarn ") || strings.HasPrefix(trim, "go "))
}

// heading returns the text of line i when it is a heading: Markdown "#",
// AsciiDoc "=", a line underlined with =, -, ~ or ^ (Setext, reST), or a
// line that is wholly bold.
func heading(lines []string, i int) (string, bool) {
	t := strings.TrimSpace(lines[i])
	if t == "" {
		return "", false
	}
	if strings.HasPrefix(t, "#") {
		return strings.TrimLeft(t, "# "), true
	}
	if strings.HasPrefix(t, "= ") || strings.HasPrefix(t, "== ") {
		return strings.TrimLeft(t, "= "), true
	}
	if i+1 < len(lines) {
		u := strings.TrimSpace(lines[i+1])
		if len(u) >= 3 && strings.Trim(u, "=-~^") == "" && strings.Trim(t, "=-~^") != "" {
			return t, true
		}
	}
	if len(t) > 4 && len(t) < 80 && (strings.HasPrefix(t, "**") && strings.HasSuffix(t, "**") || strings.HasPrefix(t, "<h")) {
		return strings.Trim(t, "*"), true
	}
	return "", false
}

// isProse tells a line of description: enough words, not a badge, image,
// link list, table or HTML line.
func isProse(t string) bool {
	if strings.HasPrefix(t, "[![") || strings.HasPrefix(t, "![") || strings.HasPrefix(t, "<") ||
		strings.HasPrefix(t, "|") || strings.HasPrefix(t, "[") && strings.HasSuffix(t, ")") {
		return false
	}
	return len(strings.Fields(licenseid.Fold(t))) >= 8
}

func hasStem(folded string, stems []string) bool {
	for _, s := range stems {
		if strings.Contains(folded, " "+s) {
			return true
		}
	}
	return false
}
