package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/eiglink/vigie/internal/fakeforge"
)

// Licence texts the synthetic repositories carry. The French CeCILL and
// Licence Ouverte titles are what the forges' detector does not know (it
// says NOASSERTION) and vigie's own identification must recognise.
const (
	cecill21Text = "CONTRAT DE LICENCE DE LOGICIEL LIBRE CeCILL\n\nVersion 2.1 du 2013-06-21\n\n" +
		"Avertissement\n\nCe contrat est une licence de logiciel libre issue d'une concertation entre ses auteurs\n" +
		"afin que le respect de deux grands principes préside à sa rédaction.\n"
	cecillBText = "CONTRAT DE LICENCE DE LOGICIEL LIBRE CeCILL-B\n\nAvertissement\n\n" +
		"Ce contrat est une licence de logiciel libre dont l'objectif est de conférer aux utilisateurs une très large liberté\n" +
		"de modification et de redistribution du logiciel régi par cette licence.\n"
	cecillCText     = "CONTRAT DE LICENCE DE LOGICIEL LIBRE CeCILL-C\n\n    Avertissement\n\nCe contrat est une licence de logiciel libre.\n"
	licenceOuverte  = "LICENCE OUVERTE / OPEN LICENCE\n\nVersion 2.0 - Avril 2017\n\nLe « Concédant » concède au « Réutilisateur » un droit non exclusif et gratuit de libre « Réutilisation » de l'« Information ».\n"
	unknownLicence  = "Tous droits réservés. Usage interne uniquement, sauf accord écrit de la direction.\n"
	gplNoticeHeader = "                    GNU GENERAL PUBLIC LICENSE\n                       Version 3, 29 June 2007\n\n Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>\n Everyone is permitted to copy and distribute verbatim copies\n of this license document, but changing it is not allowed.\n"
)

var mitText = fakeforge.MITLicense("2019 Ministère de l'Intérieur")

// licence is one licence setup: the files and the forge's verdict.
type licence struct {
	files map[string]string
	forge string
}

var licences = []licence{
	{map[string]string{"LICENSE": mitText}, "MIT"},
	{map[string]string{"LICENSE": cecill21Text}, "NOASSERTION"},
	{map[string]string{"LICENSE.md": licenceOuverte}, "NOASSERTION"},
	{nil, ""},
	{map[string]string{"LICENCE.txt": cecillBText}, "NOASSERTION"},
	{map[string]string{"COPYING": gplNoticeHeader}, "GPL-3.0"},
	{map[string]string{"LICENSE": mitText, "LICENSE-CECILL-C": cecillCText}, "NOASSERTION"},
	{map[string]string{"LICENSE": unknownLicence}, "NOASSERTION"},
}

// synthRepos builds n repositories for one forge, varied the way the
// programme's are: licences (CeCILL and Licence Ouverte included), READMEs
// of every size and place, CI of several systems and states, histories from
// none to long, archived, empty, private, renamed and missing ones. Every
// fifth repository copies one of the real défi repositories when they are
// given (their trees and histories are the realistic part). It returns the
// forge's repositories and the paths to crawl (missing ones included, and a
// renamed repository's old path). The same arguments give the same result.
func synthRepos(forge string, n int, now time.Time, real []fakeforge.Repo) (repos []fakeforge.Repo, paths []string) {
	paths = synthPaths(forge, n, len(real) > 0)
	for i := range n {
		path := repoPath(forge, i)
		switch {
		case missing(i):
			continue
		case fromReal(i, len(real) > 0):
			r := real[(i/5)%len(real)]
			r.Path = path
			r.OldPaths = nil
			r.Commits = append([]fakeforge.Commit(nil), r.Commits...)
			for k := range r.Commits {
				r.Commits[k].SHA = ""
			}
			if r.DefaultBranch != "" && len(r.Commits) > 0 {
				r.CI = ciRun(i, forge, now)
			}
			repos = append(repos, r)
			continue
		}
		r := synthRepo(forge, i, path, now)
		if renamed(i, len(real) > 0) {
			r.OldPaths = []string{paths[i]}
		}
		repos = append(repos, r)
	}
	return repos, paths
}

// synthPaths returns the paths synthRepos crawls, without building the
// repositories (the benchmark's crawling process needs no more).
func synthPaths(forge string, n int, withReal bool) []string {
	paths := make([]string, n)
	for i := range paths {
		paths[i] = repoPath(forge, i)
		if renamed(i, withReal) {
			// The configuration still names the old path.
			paths[i] += "-ancien"
		}
	}
	return paths
}

func repoPath(forge string, i int) string {
	if forge == "gitlab" {
		return fmt.Sprintf("eig-%02d/defi-%d/outil-%04d", i%10, i%3, i)
	}
	return fmt.Sprintf("eig-%02d/outil-%04d", i%20, i)
}

// missing: crawled, but the forge never heard of it.
func missing(i int) bool { return i%29 == 28 }

// fromReal: a copy of a real défi repository.
func fromReal(i int, withReal bool) bool { return !missing(i) && withReal && i%5 == 0 }

// renamed: moved on the forge, which redirects from the old path.
func renamed(i int, withReal bool) bool { return !missing(i) && !fromReal(i, withReal) && i%37 == 3 }

func synthRepo(forge string, i int, path string, now time.Time) fakeforge.Repo {
	day := 24 * time.Hour
	r := fakeforge.Repo{
		Path:          path,
		DefaultBranch: "main",
		Description:   fmt.Sprintf("Outil numéro %d du programme", i),
		Language:      []string{"Python", "JavaScript", "Go", "Java", "PHP", "R"}[i%6],
		Topics:        []string{"eig", "etalab"}[:i%3%2+1],
		CreatedAt:     now.Add(-time.Duration(100+i%900) * day),
		Stars:         i % 47,
		Archived:      i%13 == 7,
		Fork:          i%41 == 9,
		Private:       i%31 == 30,
		Files:         map[string]string{},
		Sizes:         map[string]int64{"src/main.py": 2048 + int64(i), "requirements.txt": 120, "Makefile": 300},
		OpenIssues:    i % 9,
		// Pull requests only where the forge would have some.
		OpenPullRequests: i % 4,
	}
	if i%23 == 11 {
		// Empty: created, never pushed to.
		r.DefaultBranch = ""
		r.Sizes = nil
		return r
	}
	if r.Language == "Java" {
		// A Maven project as Maven lays it out: the crawl lists its src/
		// to see src/test (one more listing, for these only).
		r.Sizes = map[string]int64{"pom.xml": 1500 + int64(i), "src/main/java/fr/gouv/Outil.java": 2048 + int64(i), "src/test/java/fr/gouv/OutilTest.java": 900}
	}
	l := licences[i%len(licences)]
	for p, t := range l.files {
		r.Files[p] = t
	}
	r.License = l.forge

	switch i % 6 {
	case 0:
		r.Files["README.md"] = readme(i, 40)
	case 1:
		r.Files["README.md"] = readme(i, 2)
	case 2:
		r.Files["README.rst"] = "Outil\n=====\n\n" + readme(i, 5)
	case 3:
		// No README at all.
	case 4:
		r.Files["docs/README.md"] = readme(i, 8)
	case 5:
		r.Files["readme.md"] = readme(i, 400) // beyond the text kept in facts
		r.Files["README.en.md"] = readme(i, 3)
	}
	if i%8 == 2 {
		r.Files["CONTRIBUTING.md"] = "Contributions bienvenues.\n"
		r.Files["publiccode.yml"] = "publiccodeYmlVersion: \"0.2\"\n"
	}

	switch i % 5 {
	case 0:
		r.Files[".github/workflows/ci.yml"] = "on: push\njobs: {}\n"
	case 1:
		r.Files[".gitlab-ci.yml"] = "test:\n  script: [make test]\n"
	case 2:
		r.Files[".travis.yml"] = "language: python\n"
	case 3:
		// No CI.
	case 4:
		r.Files[".circleci/config.yml"] = "version: 2.1\n"
		r.Files["Jenkinsfile"] = "pipeline {}\n"
	}

	// Histories: from a single commit to a few hundred; a third dormant.
	count := 1 + (i*7)%250
	newest := now.Add(-time.Duration(i%5) * day)
	if i%3 == 0 {
		newest = now.Add(-time.Duration(120+i%400) * day)
	}
	step := time.Duration(1+i%10) * 6 * time.Hour
	authors := []string{"alice", "bruno", "chloe", "djamel", "emma"}[:1+i%5]
	for k := range count {
		a := authors[k%len(authors)]
		r.Commits = append(r.Commits, fakeforge.Commit{
			AuthorName: a, AuthorEmail: a + "@exemple.gouv.fr", Login: a,
			Date: newest.Add(-time.Duration(k) * step).UTC().Truncate(time.Second), Message: fmt.Sprintf("Commit %d", k),
		})
	}
	if r.Files[".github/workflows/ci.yml"] != "" || r.Files[".gitlab-ci.yml"] != "" || r.Files[".travis.yml"] != "" || i%5 == 4 {
		r.CI = ciRun(i, forge, now)
	}
	if i%6 == 1 {
		r.Releases = []fakeforge.Release{{Tag: fmt.Sprintf("v1.%d.0", i%10), Name: "Version stable", PublishedAt: newest.Add(-48 * time.Hour)}}
	}
	return r
}

// ciRun is the latest run of a repository's default branch, when it has
// one: mostly green, some red, some running, some with no run at all.
func ciRun(i int, forge string, now time.Time) *fakeforge.CIRun {
	kind := "checks"
	switch {
	case forge == "gitlab":
		kind = "pipeline"
	case i%2 == 1:
		kind = "status"
	}
	switch i % 7 {
	case 0, 1, 2, 3:
		return &fakeforge.CIRun{State: "success", Kind: kind, At: now.Add(-time.Duration(i%48) * time.Hour)}
	case 4, 5:
		return &fakeforge.CIRun{State: "failure", Kind: kind, At: now.Add(-time.Duration(i%48) * time.Hour)}
	default:
		if i%2 == 0 {
			return &fakeforge.CIRun{State: "running", Kind: kind, At: now.Add(-time.Minute)}
		}
		return nil
	}
}

// readme makes a README of about n paragraphs, with the sections the checks
// look for in some of them.
func readme(i, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Outil %d\n\n", i)
	if i%2 == 0 {
		b.WriteString("## Installation\n\n```\nmake install\n```\n\n## Utilisation\n\nLancer `outil`.\n\n")
	}
	for k := range n {
		fmt.Fprintf(&b, "Paragraphe %d : cet outil aide l'administration à mieux servir les usagers, "+
			"en ouvrant ses données et son code source.\n\n", k)
	}
	if i%4 == 0 {
		b.WriteString("## Licence\n\nVoir le fichier LICENSE.\n")
	}
	return b.String()
}
