package web_test

import (
	"context"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/internal/readertest"
	"github.com/eiglink/vigie/store"
)

// TestRepoPageProfile: the repository page shows the programme's profile
// of a crawl: the ladder with the next step and what reaches it, the
// checklist grouped by source, publiccode.yml's problems with their lines
// or the pre-filled file with the forge's page creating it, code.gouv.fr's
// score and what raises it, and an ended défi's continuity.
func TestRepoPageProfile(t *testing.T) {
	e := newEnv(t, false)
	cfg := readertest.Config()
	ref := cfg.Defis[0].Repos[0] // github.com/eig/alpha
	ref.Type = "github"
	at := now.Add(-time.Hour)
	f := crawler.Facts{Ref: ref, CrawledAt: at, Visibility: "public", DefaultBranch: "main", Language: "Go",
		Description: "Un outil <b>gras</b>",
		License:     crawler.LicenseFacts{ForgeSPDX: "MIT", Files: []crawler.LicenseFile{{Path: "LICENSE", SPDX: "MIT", Coverage: 100, Bytes: 1000}}},
		Readme:      crawler.ReadmeFacts{Path: "README.md", Bytes: 60, Text: "# Alpha\n\nUn outil pour les coachs, maintenu par l'équipe.\n"},
		Files:       []crawler.File{{Path: "go.mod", Size: 30}, {Path: "main_test.go", Size: 300}},
		OpenIssues:  2,
		Activity:    crawler.ActivityFacts{LastCommitAt: at}}
	sn := scored(f)
	share := 0.8
	sn.Result.Continuity = &checks.Continuity{DefiEnded: "2019-11-30", CommitsSinceEnd: 42, AuthorsSinceEnd: 3, AuthorsOutsideTeam90d: 1, TopAuthorShare90d: &share}
	if sn.Result.Openness == nil || sn.Result.Publiccode == nil {
		t.Fatal("the checks gave no profile")
	}
	if err := e.st.SaveCrawl(context.Background(), []store.Snapshot{sn}); err != nil {
		t.Fatal(err)
	}
	code, _, body := e.get(t, "/repos/github.com/eig/alpha")
	if code != 200 {
		t.Fatalf("page: %d", code)
	}
	noRawMarkup(t, body)
	o := sn.Result.Openness
	next := o.Next()
	if next == nil {
		t.Fatal("the fixture should not be at degree 8")
	}
	for _, want := range []string{
		"Degré d'ouverture : <span class=\"deg",
		">" + itoa(o.Degree) + `<span class="unit">/8</span>`,
		"Prochaine marche",
		"Liste de publication : ",
		svEscape(checks.SourceEIGGuide), svEscape(checks.SourceStatePolicy),
		"Le dépôt n'a pas de <code>publiccode.yml</code>",
		"https://github.com/eig/alpha/new/main?filename=publiccode.yml&amp;value=",
		"Score code.gouv.fr : " + itoa(*sn.Result.CodegouvScore),
		"un publiccode.yml (&#43;1000)",
		"Après le défi", "passé à d&#39;autres mains", "30 novembre 2019", "80\u202f%",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Every criterion is a rung, met ones marked so, in the guide's order.
	ladder := body[strings.Index(body, `<ol class="ladder"`):]
	ladder = ladder[:strings.Index(ladder, "</ol>")]
	rungs := regexp.MustCompile(`<li class="(done|next|todo)">`).FindAllStringSubmatch(ladder, -1)
	if len(rungs) != len(o.Criteria) {
		t.Fatalf("%d rungs, want %d", len(rungs), len(o.Criteria))
	}
	for i, c := range o.Criteria {
		want := "todo"
		switch {
		case c.Met:
			want = "done"
		case c.Name == next.Name:
			want = "next"
		}
		if rungs[i][1] != want {
			t.Errorf("rung %d (%s) is %s, want %s", i, c.Name, rungs[i][1], want)
		}
	}
	// Every applicable missing item says what to do, under its source.
	for _, it := range sn.Result.Checklist {
		if it.Applicable && !it.Met && !strings.Contains(body, svEscape(it.Remediation)) {
			t.Errorf("checklist item %s: remediation missing", it.ID)
		}
	}

	// The dashboard: the degree beside the score, the degrees' chart, and
	// the items most often missing.
	_, _, dash := e.get(t, "/")
	row := dash[strings.Index(dash, `href="/repos/github.com/eig/alpha"`):]
	row = row[:strings.Index(row, "</tr>")]
	if !strings.Contains(row, `<span class="deg deg-`) || !strings.Contains(row, ">"+itoa(o.Degree)+`<span class="unit">/8</span>`) {
		t.Errorf("the dashboard's row lacks the degree: %s", row)
	}
	if !strings.Contains(dash, "Degré "+itoa(o.Degree)+" : 1 dépôt(s)") || !strings.Contains(dash, "Règles les plus souvent manquées") || !strings.Contains(dash, "Sujets (topics) du programme <span class=\"muted\">1/1 dépôts</span>") {
		t.Error("the dashboard lacks the degrees' chart or the items most often missing")
	}

	// An invalid publiccode.yml: its problems with their lines, and no
	// file to create.
	sn.Result.Publiccode = &checks.Publiccode{File: "publiccode.yml", Version: "0.4", Errors: []checks.PubliccodeError{{Line: 12, Key: "maintenance.contacts", Message: "clé obligatoire absente"}}, Suggestion: "publiccodeYmlVersion: \"0.4\"\n"}
	sn.Result.CrawledAt = now.Add(-time.Minute)
	if err := e.st.SaveCrawl(context.Background(), []store.Snapshot{sn}); err != nil {
		t.Fatal(err)
	}
	_, _, body = e.get(t, "/repos/github.com/eig/alpha")
	for _, want := range []string{"a 1 problème :", `<span class="line">ligne 12</span> <code>maintenance.contacts</code> : clé obligatoire absente`, "Version corrigée proposée"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "filename=publiccode.yml") {
		t.Error("a repository with a publiccode.yml is offered to create one")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func svEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// TestArchivedLadderAdvice: an archived repository's ladder gives the
// advice its criteria give (unarchive it for a missing licence, else
// nothing to change in it), never "add a file" to a read-only repository.
func TestArchivedLadderAdvice(t *testing.T) {
	for _, tc := range []struct {
		name    string
		license crawler.LicenseFacts
		want    string
	}{
		{"no licence", crawler.LicenseFacts{}, "désarchivez-le le temps d'ajouter"},
		{"unknown licence text", crawler.LicenseFacts{ForgeSPDX: "NOASSERTION", Files: []crawler.LicenseFile{{Path: "LICENSE.txt", Bytes: 300}}}, "rien à y changer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, false)
			ref := readertest.Config().Defis[0].Repos[0]
			ref.Type = "github"
			at := now.Add(-time.Hour)
			sn := scored(crawler.Facts{Ref: ref, CrawledAt: at, Visibility: "public", Archived: true, DefaultBranch: "main",
				License: tc.license, Activity: crawler.ActivityFacts{LastCommitAt: at.AddDate(-2, 0, 0)}})
			if sn.Result.Openness == nil || sn.Result.Openness.Next() == nil || sn.Result.Openness.Next().Name != "license" {
				t.Fatalf("the fixture's next step is not the licence: %+v", sn.Result.Openness)
			}
			if err := e.st.SaveCrawl(context.Background(), []store.Snapshot{sn}); err != nil {
				t.Fatal(err)
			}
			_, _, body := e.get(t, "/repos/github.com/eig/alpha")
			i := strings.Index(body, "Prochaine marche")
			if i < 0 {
				t.Fatal("no next step on the page")
			}
			next := body[i:]
			next = html.UnescapeString(next[:strings.Index(next, "</div>")])
			if !strings.Contains(next, tc.want) || strings.Contains(next, "Ajoutez à la racine") {
				t.Errorf("the next step of an archived repository does not say %q:\n%s", tc.want, next)
			}
			if strings.Contains(body, "Ajoutez un `") || strings.Contains(body, "Ajoutez un <code>") {
				t.Error("a rung asks to add a file to a read-only repository")
			}
		})
	}
}
