package report_test

import (
	"context"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/eiglink/vigie/report"
)

var hrefRE = regexp.MustCompile(`<a href="([^"]*)"`)

func hrefs(h string) map[string]bool {
	out := map[string]bool{}
	for _, m := range hrefRE.FindAllStringSubmatch(h, -1) {
		out[html.UnescapeString(m[1])] = true
	}
	return out
}

// TestReportLinks: with http.public_url the report (HTML and text, as
// mailed) links every repository to its vigie page, and always to its
// forge page and its failing CI run; the HTML links the report's JSON.
// Without it, the forge links stay and nothing points at a vigie site.
func TestReportLinks(t *testing.T) {
	for _, tc := range []struct {
		name, public string
	}{
		{"with public_url", "https://vigie.example.org/eig"},
		{"without public_url", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := report.OptionsFrom(testCfg)
			o.PublicURL = tc.public
			d, err := report.Build(context.Background(), newStore(t), report.ISOWeek{Year: 2026, Week: 48}, now, o)
			if err != nil {
				t.Fatal(err)
			}
			h, txt := render(t, d, "")
			links := hrefs(h)
			for _, r := range d.Repos {
				if !links["https://"+r.Repo] {
					t.Errorf("no link to %s on its forge", r.Repo)
				}
				page := tc.public + "/repos/" + r.Repo
				if got := links[page]; got != (tc.public != "") {
					t.Errorf("link to %s's vigie page: %v", r.Repo, got)
				}
				if tc.public != "" && !strings.Contains(txt, page) {
					t.Errorf("text lacks %s", page)
				}
			}
			if !links["https://gitlab.com/b/cibroke/-/pipelines/7"] {
				t.Error("no link to the failing CI run")
			}
			json := tc.public + "/reports/2026-W48.json"
			if got := links[json]; got != (tc.public != "") {
				t.Errorf("link to the report's JSON: %v", got)
			}
			// Every address in the HTML is a link to follow, never a
			// resource a mail client would fetch.
			rest := hrefRE.ReplaceAllString(h, "")
			if m := regexp.MustCompile(`https?://\S*`).FindString(rest); m != "" {
				t.Errorf("address outside a link: %s", m)
			}
			// The défi's part mailed to its contacts links the same way.
			part, _ := render(t, d, "beta")
			if tc.public != "" && !hrefs(part)[tc.public+"/repos/gitlab.com/b/cibroke"] {
				t.Error("the défi's part does not link its repositories")
			}
		})
	}
}

// TestRemediationCode: a remediation's `code` is shown as code in the
// HTML report, escaped, without its backquotes.
func TestRemediationCode(t *testing.T) {
	d := build(t)
	if len(d.Attention) == 0 {
		t.Fatal("no repository needs attention in the fixture")
	}
	d.Attention[0].Remediation = "Ajoutez un fichier `.github/workflows/ci.yml` qui lance `npm ci && npm test` <b>vite</b>."
	h, _ := render(t, d, "")
	for _, want := range []string{">.github/workflows/ci.yml</code>", ">npm ci &amp;&amp; npm test</code>", "&lt;b&gt;vite"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Contains(h, "`") {
		t.Error("HTML shows raw backquotes")
	}
}
