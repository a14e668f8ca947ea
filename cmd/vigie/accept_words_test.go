package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/internal/fakeforge"
	"github.com/eiglink/vigie/internal/fakesmtp"
)

// Every command answers --help with its usage and every flag, on stdout,
// exit 0.
func TestCommandHelp(t *testing.T) {
	for _, tt := range []struct {
		cmd   string
		flags []string
	}{
		{"check", []string{"-config", "-format", "-min-score"}},
		{"crawl", []string{"-config", "-format"}},
		{"serve", []string{"-config", "-listen", "-demo"}},
		{"report", []string{"-config", "-week", "-out", "-send", "-dry-run"}},
		{"import", []string{"-config"}},
		{"export", []string{"-config", "-since"}},
	} {
		for _, h := range []string{"--help", "-h"} {
			out := runVigie(t, nil, tt.cmd, h)
			if out.code != 0 || !strings.Contains(out.stdout, "vigie "+tt.cmd) || out.stderr != "" {
				t.Errorf("%s %s: exit %d, stdout %q, stderr %q", tt.cmd, h, out.code, out.stdout, out.stderr)
			}
			for _, f := range tt.flags {
				if !strings.Contains(out.stdout, f) {
					t.Errorf("%s %s does not list %s:\n%s", tt.cmd, h, f, out.stdout)
				}
			}
		}
	}
}

// A bad argument is one line on stderr that says what is wrong and what to
// do, before anything is called.
func TestCheckArguments(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"check", "not-a-url"}, []string{`"not-a-url" is not a URL`, "https://github.com/owner/name"}},
		{[]string{"check", "https://codeberg.org/owner/name"}, []string{"codeberg.org is not a configured forge", "--config FILE", "forge entry", "url: https://codeberg.org"}},
	} {
		out := runVigie(t, nil, tt.args...)
		if out.code != 2 || out.stdout != "" || strings.Count(strings.TrimSpace(out.stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q: want exit 2 and one line", tt.args, out.code, out.stdout, out.stderr)
		}
		for _, w := range tt.want {
			if !strings.Contains(out.stderr, w) {
				t.Errorf("%v: stderr %q lacks %q", tt.args, out.stderr, w)
			}
		}
	}
}

// --min-score names the repositories below the bar with their scores.
func TestMinScoreNamesTheRepositories(t *testing.T) {
	now := time.Now().UTC()
	bare := func(p string) fakeforge.Repo {
		return fakeforge.Repo{Path: p, DefaultBranch: "main", CreatedAt: now.AddDate(-1, 0, 0),
			Files: map[string]string{"main.go": "package main\n"}, Commits: []fakeforge.Commit{{AuthorName: "a", AuthorEmail: "a@example.org", Date: now.AddDate(0, 0, -1)}}}
	}
	good := bare("eig/good")
	good.License, good.Files["LICENSE"] = "MIT", mitText
	f := startForges(t, []fakeforge.Repo{bare("eig/weak"), good}, nil)
	cfg := f.config(t, "https://github.com/eig/weak", "https://github.com/eig/good")
	out := runVigie(t, map[string]string{"TEST_GH_TOKEN": "x"}, "check", "--config", cfg, "--format", "json", "--min-score", "30", "https://github.com/eig/weak", "https://github.com/eig/good")
	rs := decode(t, out.stdout)
	if out.code != 1 || len(rs) != 2 {
		t.Fatalf("exit %d, %d results:\n%s", out.code, len(rs), out.stderr)
	}
	want := fmt.Sprintf("below --min-score 30: github.com/eig/weak (%d)", *rs[0].Score)
	if !strings.Contains(out.stderr, want) || strings.Contains(out.stderr, "eig/good") {
		t.Errorf("stderr %q, want %q and not eig/good (%d)", out.stderr, want, *rs[1].Score)
	}
}

// A forge failure is one English sentence on the command line, once per
// repository, with no Go error chain; a forge that cannot be reached is
// said once for all its repositories, and asked once.
func TestForgeFailuresInWords(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	f := startForges(t, nil, nil)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "vigie.yml")
	var b strings.Builder
	fmt.Fprintf(&b, "forges:\n  - {name: github, type: github, url: https://github.com, api_url: %q, token_env: TEST_GH_TOKEN}\n", "http://"+closed)
	fmt.Fprintf(&b, "  - {name: gitlab, type: gitlab, url: https://gitlab.com, api_url: %q, token_env: TEST_GL_TOKEN}\n", f.gitlab.URL)
	b.WriteString("defis:\n  - slug: t\n    name: T\n    repos:\n")
	urls := []string{"https://github.com/eig/a", "https://github.com/eig/b", "https://github.com/eig/c", "https://gitlab.com/eig/missing"}
	for _, u := range urls {
		fmt.Fprintf(&b, "      - %s\n", u)
	}
	fmt.Fprintf(&b, "storage: {dsn: vigie.db}\n")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TEST_GH_TOKEN": "x", "TEST_GL_TOKEN": "y"}
	for _, cmd := range [][]string{append([]string{"check", "--config", cfg}, urls...), {"crawl", "--config", cfg}} {
		out := runVigie(t, env, cmd...)
		if out.code != 3 {
			t.Fatalf("%s: exit %d, want 3:\n%s", cmd[0], out.code, out.stderr)
		}
		all := out.stdout + out.stderr
		if n := strings.Count(all, "cannot be reached"); n != 1 {
			t.Errorf("%s: the unreachable forge is said %d times, want once:\n%s", cmd[0], n, all)
		}
		if !strings.Contains(out.stdout, "3 repositories not fetched: github.com/eig/a, github.com/eig/b, github.com/eig/c") {
			t.Errorf("%s: the repositories of the unreachable forge are not named:\n%s", cmd[0], out.stdout)
		}
		if n := strings.Count(all, "Repository not found"); n != 1 {
			t.Errorf("%s: the missing repository is said %d times, want once:\n%s", cmd[0], n, all)
		}
		for _, raw := range []string{"dial tcp", "connect: connection refused", "Get \"", ": 404"} {
			if strings.Contains(all, raw) {
				t.Errorf("%s: the output shows the raw error %q:\n%s", cmd[0], raw, all)
			}
		}
	}
	// The relative dsn is the configuration's folder's, not the working
	// directory's.
	if _, err := os.Stat(filepath.Join(dir, "vigie.db")); err != nil {
		t.Errorf("the crawl did not store beside its configuration: %v", err)
	}
	if _, err := os.Stat("vigie.db"); err == nil {
		os.Remove("vigie.db")
		t.Error("the crawl stored in the working directory")
	}
}

// A report whose mail cannot be sent exits 3, with a line saying so.
func TestReportMailFailureExits3(t *testing.T) {
	// The server refuses every message for good (554): no retry.
	srv := fakesmtp.Start(t, fakesmtp.Behaviour{DataCode: 554})
	f := newReportFixture(t, srv.Port)
	env := map[string]string{"TEST_GH_TOKEN": "ghp_x", "TEST_GL_TOKEN": "glpat_x"}
	runVigie(t, env, "crawl", "--config", f.cfg)
	y, w := time.Now().In(mustParis(t)).ISOWeek()
	out := runVigie(t, env, "report", "--config", f.cfg, "--week", fmt.Sprintf("%d-W%02d", y, w), "--out", t.TempDir(), "--send")
	if out.code != 3 {
		t.Fatalf("report --send to a closed SMTP port: exit %d, want 3:\n%s", out.code, out.stderr)
	}
	if !strings.Contains(out.stderr, "vigie: ") {
		t.Errorf("no error line on stderr:\n%s", out.stderr)
	}
}
