package main

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/checks"
	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakeforge/fakegithub/fakegithubtest"
	"github.com/eiglink/vigie/internal/fakeforge/fakegitlab"
	"github.com/eiglink/vigie/report/mail/mailpittest"
)

// reportFixture is a programme whose repositories, crawled now against
// last week's imported results, show every change kind.
type reportFixture struct {
	dir, cfg string
	now      time.Time
	urls     []string
}

func newReportFixture(t *testing.T, smtpPort int) *reportFixture {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	commits := func(days ...float64) []fakeforge.Commit {
		var cs []fakeforge.Commit
		for _, d := range days {
			cs = append(cs, fakeforge.Commit{AuthorName: "a", AuthorEmail: "a@example.org", Date: now.Add(-day(d))})
		}
		return cs
	}
	readme := "# Outil\n\nUn outil pour les coachs.\n\n## Installation\n\n```\nmake\n```\n\n## Utilisation\n\nLancez `make run`.\n\n## Contribuer\n\nOuvrez une issue.\n"
	full := func(path string) fakeforge.Repo {
		return fakeforge.Repo{
			Path: path, DefaultBranch: "main", CreatedAt: now.Add(-day(400)), License: "MIT",
			Files: map[string]string{
				"LICENSE": mitText, "README.md": readme, ".github/workflows/ci.yml": "on: push\n",
			},
			Commits: commits(1, 2, 3),
			CI:      &fakeforge.CIRun{State: "success", Kind: "checks", At: now.Add(-day(1))},
		}
	}
	improved := full("eig/improved")
	regressed := full("eig/regressed") // lost its licence and its README
	regressed.License = ""
	delete(regressed.Files, "LICENSE")
	delete(regressed.Files, "README.md")
	licAdded := full("eig/lic-added")
	ciBroke := full("eig/ci-broke")
	ciBroke.CI.State = "failure"
	ciFixed := full("eig/ci-fixed")
	dormant := full("eig/went-dormant")
	dormant.Commits = commits(95, 120)
	back := full("eig/came-back")
	archived := full("eig/archived")
	archived.Archived = true
	fresh := full("eig/fresh")
	steady := full("grp/sub/steady")
	steady.Files = map[string]string{"LICENSE": mitText, "README.md": readme, ".gitlab-ci.yml": "t:\n  script: [make]\n"}
	steady.CI = &fakeforge.CIRun{State: "success", Kind: "pipeline", At: now.Add(-day(1))}
	gh := []fakeforge.Repo{improved, regressed, licAdded, ciBroke, ciFixed, dormant, back, archived, fresh}
	ghSrv := httptest.NewServer(fakegithubtest.New(t, gh))
	glSrv := httptest.NewServer(fakegitlab.NewGitLab([]fakeforge.Repo{steady}))
	t.Cleanup(ghSrv.Close)
	t.Cleanup(glSrv.Close)
	f := &reportFixture{dir: t.TempDir(), now: now}
	for _, r := range gh {
		f.urls = append(f.urls, "https://github.com/"+r.Path)
	}
	f.urls = append(f.urls, "https://github.com/eig/gone", "https://gitlab.com/grp/sub/steady")
	var b strings.Builder
	fmt.Fprintf(&b, `forges:
  - {name: github, type: github, url: https://github.com, api_url: %q, token_env: TEST_GH_TOKEN}
  - {name: gitlab, type: gitlab, url: https://gitlab.com, api_url: %q, token_env: TEST_GL_TOKEN}
defis:
  - slug: alpha
    name: Défi alpha
    contacts: [alpha@example.org, coach@example.org]
    repos:
`, ghSrv.URL, glSrv.URL)
	for _, u := range f.urls[:6] {
		fmt.Fprintf(&b, "      - %s\n", u)
	}
	b.WriteString("  - slug: beta\n    name: Défi beta\n    contacts: [beta@example.org]\n    repos:\n")
	for _, u := range f.urls[6:] {
		fmt.Fprintf(&b, "      - %s\n", u)
	}
	fmt.Fprintf(&b, "storage: {driver: sqlite, dsn: %q}\n", filepath.Join(f.dir, "vigie.db"))
	fmt.Fprintf(&b, "report: {recipients: [coach@example.org, Lead@Example.org], send_to_defi_contacts: true}\n")
	fmt.Fprintf(&b, "smtp: {host: 127.0.0.1, port: %d, security: none, from: vigie@example.org}\n", smtpPort)
	f.cfg = filepath.Join(f.dir, "vigie.yml")
	if err := os.WriteFile(f.cfg, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

func setDetail(t *testing.T, r *checks.Result, check, key string, v any) {
	t.Helper()
	c := r.Check(check)
	if c == nil {
		t.Fatalf("%s: no %s check", r.Repo, check)
	}
	c.Details[key] = v
}

func setCheckScore(t *testing.T, r *checks.Result, check string, v int) {
	t.Helper()
	c := r.Check(check)
	if c == nil {
		t.Fatalf("%s: no %s check", r.Repo, check)
	}
	c.Score, c.NotApplicable = v, false
}

type reportJSON struct {
	Week    string `json:"week"`
	Repos   []reportRepo
	Changes []reportChange
}

type reportRepo struct {
	Repo          string         `json:"repo"`
	Defi          string         `json:"defi"`
	Score         *int           `json:"score"`
	PreviousScore *int           `json:"previous_score"`
	Delta         *int           `json:"delta"`
	Checks        map[string]any `json:"checks"`
}

type reportChange struct {
	Repo  string `json:"repo"`
	Kind  string `json:"kind"`
	Check string `json:"check"`
	From  *int   `json:"from"`
	To    *int   `json:"to"`
}

func (c reportChange) String() string {
	f := func(p *int) string {
		if p == nil {
			return "null"
		}
		return strconv.Itoa(*p)
	}
	return fmt.Sprintf("%s %s %s %s→%s", c.Repo, c.Kind, c.Check, f(c.From), f(c.To))
}

func TestAcceptReport(t *testing.T) {
	mp := mailpittest.Start(t)
	f := newReportFixture(t, mp.SMTPPort)
	env := map[string]string{"TEST_GH_TOKEN": "ghp_x", "TEST_GL_TOKEN": "glpat_x"}

	// What the forges say now, as last week's base.
	out := runVigie(t, env, append([]string{"check", "--config", f.cfg, "--format", "json"}, f.urls...)...)
	if out.code != 3 {
		t.Fatalf("check exit %d, want 3 (eig/gone):\n%s", out.code, out.stderr)
	}
	now := decode(t, out.stdout)
	byRepo := map[string]checks.Result{}
	for _, r := range now {
		byRepo[r.Repo] = r
	}
	lastWeek := f.now.AddDate(0, 0, -7)
	var past []checks.Result
	prev := map[string]int{}
	add := func(repo string, edit func(r *checks.Result)) {
		r, ok := byRepo[repo]
		if !ok {
			t.Fatalf("no result for %s", repo)
		}
		b, _ := json.Marshal(r)
		var cp checks.Result
		json.Unmarshal(b, &cp)
		cp.CrawledAt = lastWeek
		if edit != nil {
			edit(&cp)
		}
		prev[repo] = *cp.Score
		past = append(past, cp)
	}
	score := func(repo string) int {
		s := byRepo[repo].Score
		if s == nil {
			t.Fatalf("%s has no score now: %s", repo, byRepo[repo].Error)
		}
		return *s
	}
	add("github.com/eig/improved", func(r *checks.Result) { *r.Score = score(r.Repo) - 20 })
	add("github.com/eig/regressed", func(r *checks.Result) {
		*r.Score = 100
		setDetail(t, r, "license", "spdx_id", "MIT")
		setCheckScore(t, r, "license", 10)
	})
	add("github.com/eig/lic-added", func(r *checks.Result) {
		setDetail(t, r, "license", "spdx_id", "")
		setCheckScore(t, r, "license", 0)
		*r.Score = score(r.Repo) - 3
	})
	add("github.com/eig/ci-broke", func(r *checks.Result) {
		setDetail(t, r, "ci", "status", "success")
		setCheckScore(t, r, "ci", 10)
	})
	add("github.com/eig/ci-fixed", func(r *checks.Result) {
		setDetail(t, r, "ci", "status", "failure")
		setCheckScore(t, r, "ci", 3)
	})
	add("github.com/eig/went-dormant", nil) // newest commit 88 days before last week's crawl
	add("github.com/eig/came-back", func(r *checks.Result) {
		setDetail(t, r, "activity", "last_commit_at", f.now.Add(-day(200)).Format(time.RFC3339))
		setCheckScore(t, r, "activity", 2)
	})
	add("github.com/eig/archived", func(r *checks.Result) {
		setDetail(t, r, "activity", "archived", false)
		setCheckScore(t, r, "activity", 10)
	})
	add("gitlab.com/grp/sub/steady", nil)
	// eig/gone was fine last week; it is unreachable now.
	gone := byRepo["github.com/eig/healthy"]
	b, _ := json.Marshal(byRepo["github.com/eig/ci-fixed"])
	json.Unmarshal(b, &gone)
	gone.Repo, gone.URL, gone.CrawledAt = "github.com/eig/gone", "https://github.com/eig/gone", lastWeek
	past = append(past, gone)
	prev[gone.Repo] = *gone.Score

	imp := filepath.Join(f.dir, "last-week.json")
	b, _ = json.Marshal(past)
	if err := os.WriteFile(imp, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if out := runVigie(t, env, "import", "--config", f.cfg, imp); out.code != 0 {
		t.Fatalf("import exit %d:\n%s", out.code, out.stderr)
	}
	out = runVigie(t, env, "crawl", "--config", f.cfg, "--format", "json")
	if out.code != 3 {
		t.Fatalf("crawl exit %d, want 3:\n%s", out.code, out.stderr)
	}
	crawled := decode(t, out.stdout)

	y, w := f.now.In(mustParis(t)).ISOWeek()
	week := fmt.Sprintf("%d-W%02d", y, w)
	outDir := filepath.Join(f.dir, "out")
	if out := runVigie(t, env, "report", "--config", f.cfg, "--week", week, "--out", outDir); out.code != 0 {
		t.Fatalf("report exit %d:\n%s", out.code, out.stderr)
	}
	data, err := os.ReadFile(filepath.Join(outDir, week+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep reportJSON
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Week != week {
		t.Errorf("week = %q, want %q", rep.Week, week)
	}
	html, err := os.ReadFile(filepath.Join(outDir, week+".html"))
	if err != nil {
		t.Fatal(err)
	}

	// Repos: this week's scores, last week's, deltas.
	repos := map[string]reportRepo{}
	for _, r := range rep.Repos {
		repos[r.Repo] = r
	}
	if len(rep.Repos) != len(crawled) {
		t.Errorf("report has %d repos, crawl %d", len(rep.Repos), len(crawled))
	}
	for _, c := range crawled {
		r, ok := repos[c.Repo]
		if !ok {
			t.Errorf("%s missing from the report", c.Repo)
			continue
		}
		if r.Defi != c.Defi {
			t.Errorf("%s: defi %q, want %q", c.Repo, r.Defi, c.Defi)
		}
		if fmt.Sprint(rpDeref(r.Score)) != fmt.Sprint(rpDeref(c.Score)) {
			t.Errorf("%s: score %v, want %v", c.Repo, rpDeref(r.Score), rpDeref(c.Score))
		}
		p, had := prev[c.Repo]
		switch {
		case !had:
			if r.PreviousScore != nil || r.Delta != nil {
				t.Errorf("%s: previous %v delta %v, want null", c.Repo, rpDeref(r.PreviousScore), rpDeref(r.Delta))
			}
		case c.Score == nil:
			if r.PreviousScore == nil || *r.PreviousScore != p || r.Delta != nil {
				t.Errorf("%s: previous %v delta %v, want %d and null", c.Repo, rpDeref(r.PreviousScore), rpDeref(r.Delta), p)
			}
		default:
			if r.PreviousScore == nil || *r.PreviousScore != p || r.Delta == nil || *r.Delta != *c.Score-p {
				t.Errorf("%s: previous %v delta %v, want %d and %d", c.Repo, rpDeref(r.PreviousScore), rpDeref(r.Delta), p, *c.Score-p)
			}
		}
		if c.Score != nil {
			for _, ck := range c.Checks[:4] {
				if !ck.Applies() {
					// An archived repository's ci and activity: null.
					if r.Checks[ck.Name] != nil {
						t.Errorf("%s: checks.%s = %v, want null", c.Repo, ck.Name, r.Checks[ck.Name])
					}
					continue
				}
				if v, ok := r.Checks[ck.Name].(float64); !ok || int(v) != ck.Score {
					t.Errorf("%s: checks.%s = %v, want %d", c.Repo, ck.Name, r.Checks[ck.Name], ck.Score)
				}
			}
			if !strings.Contains(string(html), strconv.Itoa(*c.Score)) {
				t.Errorf("HTML does not show %s's score %d", c.Repo, *c.Score)
			}
		}
		if !strings.Contains(string(html), c.Repo) && !strings.Contains(string(html), strings.SplitN(c.Repo, "/", 2)[1]) {
			t.Errorf("HTML does not name %s", c.Repo)
		}
	}

	// Changes, exactly.
	cur := func(repo, check string) *int {
		r := byRepo[repo]
		if check == "" {
			return r.Score
		}
		return r.Mark(check)
	}
	was := func(repo, check string) *int {
		for _, p := range past {
			if p.Repo == repo {
				if check == "" {
					return p.Score
				}
				return p.Mark(check)
			}
		}
		return nil
	}
	ch := func(repo, kind, check string, from, to *int) reportChange {
		return reportChange{Repo: repo, Kind: kind, Check: check, From: from, To: to}
	}
	const (
		imp1 = "github.com/eig/improved"
		reg  = "github.com/eig/regressed"
		lic  = "github.com/eig/lic-added"
		cib  = "github.com/eig/ci-broke"
		cif  = "github.com/eig/ci-fixed"
		dor  = "github.com/eig/went-dormant"
		bak  = "github.com/eig/came-back"
		arc  = "github.com/eig/archived"
		frs  = "github.com/eig/fresh"
		gon  = "github.com/eig/gone"
	)
	want := []reportChange{
		ch(imp1, "improvement", "", was(imp1, ""), cur(imp1, "")),
		ch(reg, "regression", "", was(reg, ""), cur(reg, "")),
		ch(reg, "license_removed", "license", was(reg, "license"), cur(reg, "license")),
		ch(lic, "license_added", "license", was(lic, "license"), cur(lic, "license")),
		ch(cib, "ci_broke", "ci", was(cib, "ci"), cur(cib, "ci")),
		ch(cif, "ci_fixed", "ci", was(cif, "ci"), cur(cif, "ci")),
		ch(dor, "went_dormant", "activity", was(dor, "activity"), cur(dor, "activity")),
		ch(bak, "came_back", "activity", was(bak, "activity"), cur(bak, "activity")),
		ch(arc, "archived", "activity", was(arc, "activity"), cur(arc, "activity")),
		ch(frs, "new", "", nil, cur(frs, "")),
		ch(gon, "unreachable", "", was(gon, ""), nil),
	}
	// Score-driven kinds the edits above bring along.
	for _, repo := range []string{cib, cif, dor, bak, arc} {
		d := *cur(repo, "") - *was(repo, "")
		if d >= 5 {
			want = append(want, ch(repo, "improvement", "", was(repo, ""), cur(repo, "")))
		} else if d <= -5 {
			want = append(want, ch(repo, "regression", "", was(repo, ""), cur(repo, "")))
		}
	}
	key := func(cs []reportChange) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.String())
		}
		sort.Strings(out)
		return out
	}
	if g, w := strings.Join(key(rep.Changes), "\n"), strings.Join(key(want), "\n"); g != w {
		t.Errorf("changes:\n%s\nwant:\n%s", g, w)
	}

	// The archive at /reports/ serves what was written.
	base, stop := startServe(t, f.cfg, env)
	if a := svGet(t, base+"/reports/"); a.code != 200 || !strings.Contains(a.body, week) {
		t.Errorf("/reports/ = %d, does not list %s", a.code, week)
	}
	if a := svGet(t, base+"/reports/"+week+".html"); a.code != 200 || !strings.HasPrefix(a.ctype, "text/html") || a.body != string(html) {
		t.Errorf("/reports/%s.html = %d %s, not the file written", week, a.code, a.ctype)
	}
	if a := svGet(t, base+"/reports/"+week+".json"); a.code != 200 || !strings.HasPrefix(a.ctype, "application/json") || a.body != string(data) {
		t.Errorf("/reports/%s.json = %d %s, not the file written", week, a.code, a.ctype)
	}
	stop()

	// --send, twice: one mail per recipient.
	for i := 0; i < 2; i++ {
		if out := runVigie(t, env, "report", "--config", f.cfg, "--week", week, "--out", outDir, "--send"); out.code != 0 {
			t.Fatalf("report --send #%d exit %d:\n%s", i+1, out.code, out.stderr)
		}
	}
	msgs := mp.Messages()
	got := map[string]int{}
	for _, m := range msgs {
		for _, to := range m.To {
			got[strings.ToLower(to.Address)+" "+m.Subject]++
		}
	}
	perAddr := map[string]int{}
	for k, n := range got {
		if n != 1 {
			t.Errorf("%s: %d mails", k, n)
		}
		perAddr[strings.SplitN(k, " ", 2)[0]]++
	}
	// coach@ and lead@ get the programme (coach@, also alpha's contact,
	// once); alpha@ and beta@ their défi's part.
	wantAddr := map[string]int{"coach@example.org": 1, "lead@example.org": 1, "alpha@example.org": 1, "beta@example.org": 1}
	if fmt.Sprint(perAddr) != fmt.Sprint(wantAddr) {
		t.Errorf("mails per address = %v, want %v", perAddr, wantAddr)
	}
	for _, m := range msgs {
		if !strings.Contains(m.HTML, week) && !strings.Contains(m.Subject, week) && !strings.Contains(m.Text, week) {
			t.Errorf("mail to %v does not name the week", m.To)
		}
	}

	// Malformed and future weeks: exit 2, one line.
	fy, fw := f.now.AddDate(0, 0, 14).In(mustParis(t)).ISOWeek()
	for _, wk := range []string{"2026-48", "2026-W00", "2026-W54", "2025-W53", "nope", fmt.Sprintf("%d-W%02d", fy, fw), "2099-W01"} {
		out := runVigie(t, env, "report", "--config", f.cfg, "--week", wk, "--out", outDir)
		if out.code != 2 {
			t.Errorf("--week %s: exit %d, want 2", wk, out.code)
			continue
		}
		if lines := strings.Split(strings.TrimSpace(out.stderr), "\n"); len(lines) != 1 || !strings.Contains(lines[0], wk) {
			t.Errorf("--week %s: stderr %q, want one line naming it", wk, out.stderr)
		}
	}
}

func rpDeref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}
