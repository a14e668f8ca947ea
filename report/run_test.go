package report_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/report"
	"github.com/eiglink/vigie/report/mail"
	"github.com/eiglink/vigie/report/mail/mailpittest"
	"github.com/eiglink/vigie/store"
	"github.com/eiglink/vigie/store/sqlite/sqlitetest"
)

func cfgWith(f func(*config.Config)) *config.Config {
	c := *testCfg
	f(&c)
	return &c
}

func TestRunWritesAndArchives(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	out := filepath.Join(t.TempDir(), "reports")
	// No --week: the last complete week at now is 2026-W48.
	res, err := report.Run(ctx, st, testCfg, report.RunOptions{Out: out, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if res.HTMLPath != filepath.Join(out, "2026-W48.html") || res.JSONPath != filepath.Join(out, "2026-W48.json") {
		t.Errorf("paths %+v", res)
	}
	page, err := os.ReadFile(res.HTMLPath)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(res.JSONPath)
	if err != nil {
		t.Fatal(err)
	}
	// The JSON is the contract's shape, with the numbers built from history.
	var got struct {
		Week        string `json:"week"`
		GeneratedAt string `json:"generated_at"`
		Language    string `json:"language"`
		Repos       []struct {
			Repo          string         `json:"repo"`
			Defi          string         `json:"defi"`
			Score         *int           `json:"score"`
			PreviousScore *int           `json:"previous_score"`
			Delta         *int           `json:"delta"`
			Checks        map[string]any `json:"checks"`
		} `json:"repos"`
		Changes []map[string]any `json:"changes"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if got.Week != "2026-W48" || got.GeneratedAt != "2026-11-30T07:00:00Z" || got.Language != "fr" || len(got.Repos) != 13 || len(got.Changes) != 13 {
		t.Fatalf("JSON header: %s", data[:200])
	}
	r := got.Repos[2] // github.com/a/improver
	if r.Repo != "github.com/a/improver" || *r.Score != 70 || *r.PreviousScore != 50 || *r.Delta != 20 || r.Checks["ci"] != 0.0 || len(r.Checks) != 4 {
		t.Errorf("improver: %+v", r)
	}
	// Archived for /reports/.
	a, err := st.Report(ctx, "2026-W48")
	if err != nil {
		t.Fatal(err)
	}
	if string(a.HTML) != string(page) || string(a.JSON) != string(data) || !a.GeneratedAt.Equal(now) {
		t.Error("archived report differs from the files")
	}
	// The HTML shows the JSON's data: every repository with its score and
	// delta, every change's kind.
	d, err := report.Build(ctx, st, report.ISOWeek{Year: 2026, Week: 48}, now, report.OptionsFrom(testCfg))
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.MarshalIndent(d, "", "  ")
	if string(js)+"\n" != string(data) {
		t.Error("written JSON is not Build's data")
	}
	for _, rp := range d.Repos {
		i := strings.LastIndex(string(page), ">"+wbr(rp.Repo)+"<") // the défi section
		if i < 0 {
			t.Errorf("HTML lacks %s", rp.Repo)
			continue
		}
		row := string(page)[i:]
		row = row[:strings.Index(row, "</tr>")]
		if rp.Score != nil && !strings.Contains(row, ">"+itoa(*rp.Score)+"<") {
			t.Errorf("%s row lacks its score %d: %s", rp.Repo, *rp.Score, row)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestRunSendsOnce(t *testing.T) {
	ctx := context.Background()
	mp := mailpittest.Start(t)
	db := filepath.Join(t.TempDir(), "vigie.db")
	first := sqlitetest.SQLite(t, db)
	st := fill(t, first)
	cfg := cfgWith(func(c *config.Config) {
		c.Report.SendToDefiContacts = true
		c.Report.Recipients = []string{"coachs@example.org", "Coachs@example.org"}
		c.SMTP = config.SMTP{Host: "127.0.0.1", Port: mp.SMTPPort, Security: "none", From: "vigie@example.org"}
	})
	o := report.RunOptions{Week: "2026-W48", Out: t.TempDir(), Send: true, Now: now}
	res, err := report.Run(ctx, st, cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Mail.Sent) != 4 {
		t.Errorf("sent %v", res.Mail.Sent)
	}
	// Again, after a restart: a second --send delivers nothing more.
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	st = sqlitetest.SQLite(t, db)
	res, err = report.Run(ctx, st, cfg, o)
	if err != nil || len(res.Mail.Sent) != 0 || len(res.Mail.Skipped) != 4 {
		t.Errorf("second run: %+v %v", res.Mail, err)
	}
	msgs := mp.Messages()
	byTo := map[string]mailpittest.Message{}
	var tos []string
	for _, m := range msgs {
		if len(m.To) != 1 {
			t.Fatalf("message to %+v", m.To)
		}
		tos = append(tos, m.To[0].Address)
		byTo[m.To[0].Address] = m
	}
	sort.Strings(tos)
	if strings.Join(tos, " ") != "alpha@example.org beta1@example.org beta2@example.org coachs@example.org" {
		t.Fatalf("recipients %v", tos)
	}
	all := byTo["coachs@example.org"]
	if all.Subject != "Vigie — semaine 48 de 2026\u00a0: score moyen 61,7/100" {
		t.Errorf("subject %q", all.Subject)
	}
	if !strings.Contains(all.Text, "- gitlab.com/b/cibroke\u00a0: CI en échec, CI 10 → 3") || !strings.Contains(all.HTML, "Semaine 48 de 2026") {
		t.Errorf("programme parts:\n%s", all.Text)
	}
	beta := byTo["beta1@example.org"]
	if beta.Subject != "Vigie — Défi <Bêta> & co — semaine 48 de 2026\u00a0: score moyen 65/100" {
		t.Errorf("beta subject %q", beta.Subject)
	}
	if strings.Contains(beta.HTML, "github.com/a/") || strings.Contains(beta.Text, "github.com/a/") || !strings.Contains(beta.HTML, "gitlab.com/b/sleepy") {
		t.Error("beta's part is not beta's")
	}
	for _, m := range msgs {
		if externalRE.MatchString(m.HTML) {
			t.Errorf("mail to %s refers outside itself: %q", m.To[0].Address, externalRE.FindString(m.HTML))
		}
		if strings.Contains(m.HTML, "<script>") {
			t.Errorf("mail to %s: repository text not escaped", m.To[0].Address)
		}
	}
	for _, rcpt := range []struct{ scope, to string }{{"", "coachs@example.org"}, {"alpha", "alpha@example.org"}, {"beta", "beta2@example.org"}} {
		if ok, _ := st.Sent(ctx, "2026-W48", rcpt.scope, rcpt.to); !ok {
			t.Errorf("%s/%s not recorded", rcpt.scope, rcpt.to)
		}
	}
}

func TestRunDryRun(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	out := t.TempDir()
	cfg := cfgWith(func(c *config.Config) {
		c.Report.SendToDefiContacts = true
		c.SMTP = config.SMTP{Host: "127.0.0.1", Port: 1, Security: "none", From: "vigie@example.org"}
	})
	res, err := report.Run(ctx, st, cfg, report.RunOptions{Week: "2026-W48", Out: out, Send: true, DryRun: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range res.EMLPaths {
		names = append(names, filepath.Base(p))
		b, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(b), "multipart/alternative") {
			t.Errorf("%s: %v", p, err)
		}
	}
	want := "2026-W48.programme.coachs@example.org.eml 2026-W48.alpha.alpha@example.org.eml 2026-W48.beta.beta1@example.org.eml 2026-W48.beta.beta2@example.org.eml"
	if strings.Join(names, " ") != want {
		t.Errorf("eml files %v", names)
	}
	if ok, _ := st.Sent(ctx, "2026-W48", "", "coachs@example.org"); ok {
		t.Error("dry run recorded a mail as sent")
	}
}

func TestRunErrors(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	for _, c := range []struct {
		week string
		is   error
	}{
		{"2026-48", report.ErrBadWeek},
		{"2026-W50", report.ErrBadWeek},
		{"2026-W40", report.ErrNoData},
	} {
		out := t.TempDir()
		_, err := report.Run(ctx, st, testCfg, report.RunOptions{Week: c.week, Out: out, Now: now})
		if !errors.Is(err, c.is) {
			t.Errorf("--week %s: %v, want %v", c.week, err, c.is)
		}
		if entries, _ := os.ReadDir(out); len(entries) != 0 {
			t.Errorf("--week %s wrote %d files", c.week, len(entries))
		}
	}
	if _, err := st.Report(ctx, "2026-W40"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an empty week was archived: %v", err)
	}

	// An unreachable server: one error naming it, nothing recorded, the
	// report itself still written.
	port := mailpittest.FreePort(t)
	cfg := cfgWith(func(c *config.Config) {
		c.SMTP = config.SMTP{Host: "127.0.0.1", Port: port, Security: "none", From: "vigie@example.org"}
	})
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	quick, err := mail.NewSender(cfg.SMTP, mail.Options{Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = report.Run(ctx, st, cfg, report.RunOptions{Week: "2026-W48", Out: out, Send: true, Now: now, Mailer: quick})
	if err == nil || !strings.Contains(err.Error(), "coachs@example.org") || !strings.Contains(err.Error(), "127.0.0.1:"+itoa(port)) {
		t.Errorf("unreachable server: %v", err)
	}
	if ok, _ := st.Sent(ctx, "2026-W48", "", "coachs@example.org"); ok {
		t.Error("recorded as sent")
	}
	if _, err := os.Stat(filepath.Join(out, "2026-W48.html")); err != nil {
		t.Error(err)
	}

	// Nobody to send to.
	cfg = cfgWith(func(c *config.Config) { c.Report.Recipients = nil; c.File = "vigie.yml" })
	_, err = report.Run(ctx, st, cfg, report.RunOptions{Week: "2026-W48", Out: t.TempDir(), Send: true, Now: now})
	if !errors.Is(err, report.ErrNoRecipient) || !strings.Contains(err.Error(), "vigie.yml: report.recipients") {
		t.Errorf("no recipient: %v", err)
	}
}

// TestJobsOneMailPerAddress: an address gets one mail a week whatever the
// configuration lists it as: a recipient who is also a défi's contact gets
// the programme, and so does the contact of several défis.
func TestJobsOneMailPerAddress(t *testing.T) {
	st := newStore(t)
	week, _ := report.ParseWeek("2026-W48")
	d, err := report.Build(context.Background(), st, week, now, report.OptionsFrom(testCfg))
	if err != nil {
		t.Fatal(err)
	}
	cfg := cfgWith(func(c *config.Config) {
		c.Report.SendToDefiContacts = true
		c.Report.Recipients = []string{"coach@example.org"}
		c.Defis = []config.Defi{
			{Slug: "alpha", Name: "Défi Alpha", Contacts: []string{"Coach@example.org", "both@example.org", "alpha@example.org"}},
			{Slug: "beta", Name: "Défi Bêta", Contacts: []string{"both@example.org", "beta@example.org"}},
		}
	})
	jobs, err := report.Jobs(d, cfg, now)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, j := range jobs {
		scope := j.Scope
		if scope == "" {
			scope = "programme"
		}
		got = append(got, scope+":"+j.Message.To)
	}
	want := "programme:coach@example.org programme:both@example.org alpha:alpha@example.org beta:beta@example.org"
	if strings.Join(got, " ") != want {
		t.Errorf("jobs %v, want %s", got, want)
	}
}

// TestRunMailLinks: with http.public_url set, the mail as a coach's client
// receives it (through mailpit) links every repository to its vigie page
// and its forge page in both parts, with absolute addresses only, and its
// look does not hang on the <style> block many clients drop.
func TestRunMailLinks(t *testing.T) {
	ctx := context.Background()
	mp := mailpittest.Start(t)
	st := fill(t, sqlitetest.SQLite(t, filepath.Join(t.TempDir(), "vigie.db")))
	const public = "https://vigie.example.org/eig"
	cfg := cfgWith(func(c *config.Config) {
		c.HTTP.PublicURL = public
		c.Report.Recipients = []string{"coachs@example.org"}
		c.SMTP = config.SMTP{Host: "127.0.0.1", Port: mp.SMTPPort, Security: "none", From: "vigie@example.org"}
	})
	if _, err := report.Run(ctx, st, cfg, report.RunOptions{Week: "2026-W48", Out: t.TempDir(), Send: true, Now: now}); err != nil {
		t.Fatal(err)
	}
	msgs := mp.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	m := msgs[0]
	d, err := report.Build(ctx, st, report.ISOWeek{Year: 2026, Week: 48}, now, report.OptionsFrom(cfg))
	if err != nil || len(d.Repos) == 0 {
		t.Fatalf("build: %v (%d repositories)", err, len(d.Repos))
	}
	links := hrefs(m.HTML)
	for _, r := range d.Repos {
		for _, want := range []string{public + "/repos/" + r.Repo, "https://" + r.Repo} {
			if !links[want] {
				t.Errorf("the HTML part does not link %s", want)
			}
			if !strings.Contains(m.Text, want) {
				t.Errorf("the text part does not carry %s", want)
			}
		}
	}
	if !links[public+"/reports/2026-W48.json"] || !strings.Contains(m.Text, public+"/reports/2026-W48.json") {
		t.Error("a part does not link the report's JSON")
	}
	for h := range links {
		if !strings.HasPrefix(h, "https://") && !strings.HasPrefix(h, "mailto:") {
			t.Errorf("relative link in a mail: %q", h)
		}
	}
	// Without its <style> block (Gmail's clipping, Outlook's rules), the
	// mail keeps its look: the block only adapts the layout to a phone,
	// so every class it names is used by it alone, and the body's type
	// and colours are inline.
	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(m.HTML)
	if style == nil || !strings.Contains(style[1], "@media") {
		t.Fatalf("no phone adaptation in a <style> block")
	}
	if strings.TrimSpace(regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(style[1][:strings.Index(style[1], "@media")], "")) != "" {
		t.Errorf("the <style> block styles more than the phone layout:\n%s", style[1])
	}
	if !regexp.MustCompile(`<body style="[^"]*font-family:[^"]*color:|<body style="[^"]*color:[^"]*font-family:`).MatchString(m.HTML) {
		t.Error("the body's font and colour are not inline")
	}
	for _, tag := range regexp.MustCompile(`<(td|th|h1|h2|h3|a|table)\b[^>]*>`).FindAllString(m.HTML, -1) {
		if strings.HasPrefix(tag, "<a ") || strings.HasPrefix(tag, "<td") || strings.HasPrefix(tag, "<th") || strings.HasPrefix(tag, "<h") {
			if !strings.Contains(tag, "style=") && !strings.Contains(tag, "role=\"presentation\"") {
				t.Errorf("an element styled only by the <style> block: %s", tag)
			}
		}
	}
}
