package web_test

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/crawler"
	"github.com/eiglink/vigie/internal/readertest"
	"github.com/eiglink/vigie/store"
)

// scored is the snapshot the checks give facts: the real rules, so the
// page shows what a crawl would store.
func scored(f crawler.Facts) store.Snapshot {
	return store.Snapshot{Facts: &f, Result: checks.Score(f, checks.Options{})}
}

// TestRepoPageLinks walks a repository page's links: each criterion to its
// section of the scoring guide (served by vigie), each missing file to the
// forge's page that creates it, the failing CI run, and the proposed CI
// file shown ready to copy with inline code as <code>.
func TestRepoPageLinks(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	cfg := readertest.Config()
	bare := cfg.Defis[0].Repos[0] // github.com/eig/alpha: no licence, README or CI
	bare.Type = "github"
	failing := cfg.Defis[0].Repos[1] // gitlab.com/eig/sub/beta: its CI fails
	failing.Type = "gitlab"
	at := now.Add(-time.Hour)
	bareFacts := crawler.Facts{Ref: bare, CrawledAt: at, Visibility: "public", DefaultBranch: "main", Language: "Go",
		Files: []crawler.File{{Path: "go.mod", Size: 30}}, Activity: crawler.ActivityFacts{LastCommitAt: at}}
	failFacts := crawler.Facts{Ref: failing, CrawledAt: at, Visibility: "public", DefaultBranch: "dev/v2", Language: "Python",
		License:  crawler.LicenseFacts{ForgeSPDX: "MIT", Files: []crawler.LicenseFile{{Path: "LICENSE", SPDX: "MIT", Coverage: 100, Bytes: 1000}}},
		Readme:   crawler.ReadmeFacts{Path: "README.md", Bytes: 40, Text: "# Beta\n"},
		CI:       crawler.CIFacts{Systems: []string{"gitlab-ci"}, Files: []string{".gitlab-ci.yml"}, Status: "failure", RunURL: "https://gitlab.com/eig/sub/beta/-/pipelines/42"},
		Activity: crawler.ActivityFacts{LastCommitAt: at}}
	if err := e.st.SaveCrawl(ctx, []store.Snapshot{scored(bareFacts), scored(failFacts)}); err != nil {
		t.Fatal(err)
	}

	code, _, guide := e.get(t, "/notation")
	if code != 200 || !strings.Contains(guide, "<h1 id=\"comment-vigie-note-un-dépôt\">") || !strings.Contains(guide, "<table>") {
		t.Fatalf("guide: %d\n%.400s", code, guide)
	}
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(`<h[1-6] id="([^"]+)"`).FindAllStringSubmatch(guide, -1) {
		ids[m[1]] = true
	}

	code, _, body := e.get(t, "/repos/github.com/eig/alpha")
	if code != 200 {
		t.Fatalf("page: %d", code)
	}
	hrefs := hrefsOf(body)
	// Every criterion links to a section the guide has.
	for _, name := range checks.Names() {
		var found bool
		for _, h := range hrefs {
			if frag, ok := strings.CutPrefix(h, "/notation#"); ok {
				f, _ := url.PathUnescape(frag)
				if ids[f] && strings.Contains(f, name) {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("no link from the criterion %s to its section of the guide (links: %v)", name, hrefs)
		}
	}
	ciFile := ".github/workflows/ci.yml"
	for _, want := range []string{
		"https://github.com/eig/alpha/new/main?filename=LICENSE",
		"https://github.com/eig/alpha/new/main?filename=README.md",
	} {
		if !contains(hrefs, want) {
			t.Errorf("no link %s in %v", want, hrefs)
		}
	}
	var ciLink string
	for _, h := range hrefs {
		if strings.HasPrefix(h, "https://github.com/eig/alpha/new/main?filename="+url.QueryEscape(ciFile)+"&value=") {
			ciLink = h
		}
	}
	u, err := url.Parse(ciLink)
	if err != nil || ciLink == "" || !strings.Contains(u.Query().Get("value"), "go test ./...") {
		t.Errorf("CI file link %q does not carry the proposed file", ciLink)
	}
	// The proposed file, escaped, ready to copy; and the same content as
	// the result's details.
	res := checks.Score(bareFacts, checks.Options{})
	cfgText := res.Check(checks.NameCI).Details["suggested_config"].(string)
	if !strings.Contains(body, "<pre tabindex=\"0\"><code>"+html.EscapeString(cfgText)+"</code></pre>") {
		t.Errorf("page does not show the proposed CI file:\n%s", cfgText)
	}
	if !strings.Contains(body, "<code>go vet ./... &amp;&amp; go test ./...</code>") || strings.Contains(body, "`go vet") {
		t.Errorf("inline code of the remediation is not rendered as code")
	}

	code, _, body = e.get(t, "/repos/gitlab.com/eig/sub/beta")
	if code != 200 {
		t.Fatalf("page: %d", code)
	}
	hrefs = hrefsOf(body)
	if !contains(hrefs, "https://gitlab.com/eig/sub/beta/-/pipelines/42") {
		t.Errorf("no link to the failing run: %v", hrefs)
	}
	for _, h := range hrefs {
		for _, f := range []string{"LICENSE", "README.md", ".gitlab-ci.yml"} {
			if strings.Contains(h, "/-/new/") && strings.Contains(h, "file_name="+url.QueryEscape(f)) {
				t.Errorf("a file that exists is offered for creation: %s", h)
			}
		}
	}
}

func hrefsOf(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// TestDashboardGlance: the dashboard says when the data was collected,
// spreads the scores over bands, writes check scores out of 10, and lists
// the whole programme worst first on request.
func TestDashboardGlance(t *testing.T) {
	e := newEnv(t, true)
	code, _, body := e.get(t, "/")
	if code != 200 {
		t.Fatalf("dashboard: %d", code)
	}
	// The newest crawl: an hour before now, in Paris time.
	for _, want := range []string{"Données collectées le 29 novembre 2026 à 10:00 (il y a 1 heure)", "Répartition des scores", `<span class="unit">/10</span>`, "Score moyen, semaine par semaine", "<polyline"} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	code, _, body = e.get(t, "/?vue=liste")
	if code != 200 {
		t.Fatalf("programme list: %d", code)
	}
	var order []string
	for _, m := range regexp.MustCompile(`<th scope="row"><a href="/repos/([^"]+)"`).FindAllStringSubmatch(body, -1) {
		order = append(order, m[1])
	}
	// beta 63, alpha 75, gamma's last good result 100.
	if got := strings.Join(order, " "); got != "gitlab.com/eig/sub/beta github.com/eig/alpha github.com/eig/gamma" {
		t.Errorf("programme list, worst first: %s", got)
	}
	if !strings.Contains(body, `<span class="desc">Alpha &lt;script&gt;`) {
		t.Error("the programme list does not name each repository's défi")
	}
}
