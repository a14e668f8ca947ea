package report_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/eiglink/vigie/internal/testtool"
	"github.com/eiglink/vigie/report"
)

func render(t *testing.T, d *report.Data, scope string) (string, string) {
	t.Helper()
	h, err := report.RenderHTML(d, scope)
	if err != nil {
		t.Fatal(err)
	}
	txt, err := report.RenderText(d, scope)
	if err != nil {
		t.Fatal(err)
	}
	return string(h), string(txt)
}

// externalRE finds what would make a mail client fetch something: links
// (<a href>) are for the reader to follow, and are checked apart.
var externalRE = regexp.MustCompile(`(?i)\ssrc=|<link|<script|url\(|@import`)

// wbr is a repository name as the report writes it: each slash-ended part
// on one line, breakable after its slashes.
func wbr(repo string) string {
	var parts []string
	for _, p := range strings.SplitAfter(repo, "/") {
		parts = append(parts, `<span style="white-space:nowrap;">`+p+"</span>")
	}
	return strings.Join(parts, "<wbr>")
}

func TestRenderHTMLFrench(t *testing.T) {
	d := build(t)
	h, txt := render(t, d, "")
	for _, want := range []string{
		`lang="fr"`,
		"Semaine 48 de 2026, du 23 novembre 2026 au 29 novembre 2026",
		"Généré le 30 novembre 2026 à 08:00 (Europe/Paris)",
		"61,7", "62,1", "−0,4", // average, previous, and the difference
		"S45&nbsp;50,5", "S42&nbsp;—",
		"Défi &lt;Bêta&gt; &amp; co",
		"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; the forge answered 503",
		"CI en échec", "De nouveau actif", "Licence retirée", "Nouveau", "Injoignable",
		remediationHTML("readme"),
		"10/11 (91\u202f%)", // licence coverage
		"1</strong> injoignable ", "13</strong> dépôts suivis",
		"1</strong> terminé ou archivé, hors moyenne", ">Archivés</h2>",
		"<svg", "<polyline",
	} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if m := externalRE.FindString(h); m != "" {
		t.Errorf("HTML refers to something outside itself: %q", m)
	}
	if strings.Contains(h, "<script>") {
		t.Error("repository text not escaped")
	}
	// Every repository appears in its défi's section.
	for _, r := range d.Repos {
		if !strings.Contains(h, ">"+wbr(r.Repo)) {
			t.Errorf("HTML lacks %s", r.Repo)
		}
	}
	for _, want := range []string{
		"Score moyen\u00a0: 61,7/100 (−0,4) — semaine précédente\u00a0: 62,1",
		"=== Archivés ===\n- github.com/a/archived\u00a0: 50",
		"- gitlab.com/b/cibroke\u00a0: CI en échec, CI 10 → 3",
		"- github.com/a/newbie\u00a0: Nouveau, — → 30",
		"== Défi\u00a0: Défi <Bêta> & co — Score moyen 65 (+2) ==",
		"- gitlab.com/b/down\u00a0: — (—) Injoignable · Licence — README — CI — Activité —",
		"- github.com/a/improver\u00a0: 70 (+20) · Licence 10 README 10 CI 0 Activité 10",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("text:\n%s", txt)
	}
}

func remediationHTML(check string) string {
	return strings.ReplaceAll(remediations[check], "'", "&#39;")
}

func TestRenderEnglishAndDefiPart(t *testing.T) {
	o := report.OptionsFrom(testCfg)
	o.Language = "en"
	d, err := report.Build(context.Background(), newStore(t), report.ISOWeek{Year: 2026, Week: 48}, now, o)
	if err != nil {
		t.Fatal(err)
	}
	h, txt := render(t, d, "beta")
	for _, want := range []string{
		`lang="en"`, "Week 48 of 2026, 23 November 2026 to 29 November 2026",
		"Your défi: Défi &lt;Bêta&gt; &amp; co", "CI broke", "Went dormant",
	} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Contains(h, "github.com/a/") || strings.Contains(txt, "github.com/a/") {
		t.Error("beta's part shows alpha's repositories")
	}
	if !strings.Contains(txt, "Average score: 65/100") {
		t.Errorf("text:\n%s", txt)
	}
	s, err := report.Subject(d, "beta")
	if err != nil || s != "Vigie — Défi <Bêta> & co — week 48 of 2026: average score 65/100" {
		t.Errorf("subject %q %v", s, err)
	}
	if _, err := report.RenderHTML(d, "nope"); err == nil {
		t.Error("rendered an unknown défi's part")
	}
}

// TestRenderChromium renders the report (with its links, as mailed) in
// headless Chromium on a phone (390 px) and a desktop (1,280 px): nothing
// wider than the screen, repository names broken only at their slashes.
// Screenshots are kept as test artefacts (VIGIE_ARTIFACTS, else a temporary
// dir).
func TestRenderChromium(t *testing.T) {
	bin := testtool.Find(t, "VIGIE_CHROMIUM", "chromium")
	o := report.OptionsFrom(testCfg)
	o.PublicURL = "https://vigie.example.org"
	d, err := report.Build(context.Background(), newStore(t), report.ISOWeek{Year: 2026, Week: 48}, now, o)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := render(t, d, "")
	dir := t.TempDir()
	page := filepath.Join(dir, "2026-W48.html")
	if err := os.WriteFile(page, []byte(h), 0o644); err != nil {
		t.Fatal(err)
	}
	out := testtool.Artifacts(t)
	for _, width := range []int{390, 1280} {
		t.Run(fmt.Sprint(width), func(t *testing.T) {
			ctx, cancel := testtool.Chromium(t, bin, width, 900)
			defer cancel()
			ctx, cancel = chromedp.NewContext(ctx)
			defer cancel()
			ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
			defer cancel()
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), 900), chromedp.Navigate("file://"+page)); err != nil {
				t.Fatalf("chromium: navigate: %v", err)
			}
			title, err := chromedp.Run(ctx, chromedp.Title())
			if err != nil {
				t.Fatalf("chromium: title: %v", err)
			}
			svgs, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg polyline").length`))
			if err != nil {
				t.Fatalf("chromium: evaluate: %v", err)
			}
			if title != "Vigie — rapport hebdomadaire — 2026-W48" || svgs == 0 {
				t.Errorf("title %q, %d polylines", title, svgs)
			}
			if w, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > width {
				t.Errorf("the report is %dpx wide on a %dpx screen", w, width)
			}
			if broken, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](testtool.BrokenNamesJS)); len(broken) > 0 {
				t.Errorf("repository names broken inside a part: %q", broken)
			}
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("chromium: screenshot: %v", err)
			}
			shot := filepath.Join(out, fmt.Sprintf("report-2026-W48-%d.png", width))
			if err := os.WriteFile(shot, png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s (%d bytes)", shot, len(png))
		})
	}
}
