package report_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/report"
)

// Links planted in --out under the names the report writes (its files, the
// temporary names an older vigie used, the dry run's .eml files) are
// replaced, never written through: the files they point at are untouched.
func TestRunDoesNotFollowLinks(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	out, elsewhere := t.TempDir(), t.TempDir()
	cfg := cfgWith(func(c *config.Config) {
		c.Report.SendToDefiContacts = true
		c.SMTP = config.SMTP{Host: "127.0.0.1", Port: 1, Security: "none", From: "vigie@example.org"}
	})
	names := []string{
		"2026-W48.html", "2026-W48.json", "2026-W48.html.tmp", "2026-W48.json.tmp",
		"2026-W48.programme.coachs@example.org.eml", "2026-W48.alpha.alpha@example.org.eml",
	}
	victims := map[string]string{}
	for i, n := range names {
		v := filepath.Join(elsewhere, "victim-"+strings.Repeat("x", i+1))
		if err := os.WriteFile(v, []byte("precious "+n), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(v, filepath.Join(out, n)); err != nil {
			t.Fatal(err)
		}
		victims[v] = "precious " + n
	}
	// A dangling link too: following it would create a file elsewhere.
	dangling := filepath.Join(elsewhere, "created-through-a-link")
	if err := os.Symlink(dangling, filepath.Join(out, "2026-W48.beta.beta1@example.org.eml")); err != nil {
		t.Fatal(err)
	}
	res, err := report.Run(ctx, st, cfg, report.RunOptions{Week: "2026-W48", Out: out, Send: true, DryRun: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	for v, want := range victims {
		if b, err := os.ReadFile(v); err != nil || string(b) != want {
			t.Errorf("%s was written through a link: %q %v", v, b, err)
		}
	}
	if _, err := os.Lstat(dangling); !os.IsNotExist(err) {
		t.Errorf("a file was created through a dangling link: %v", err)
	}
	for _, p := range append([]string{res.HTMLPath, res.JSONPath}, res.EMLPaths...) {
		fi, err := os.Lstat(p)
		if err != nil || !fi.Mode().IsRegular() {
			t.Errorf("%s is not a regular file: %v %v", p, fi.Mode(), err)
		}
	}
	if len(res.EMLPaths) != 4 {
		t.Errorf("%d .eml files", len(res.EMLPaths))
	}
	// No temporary file is left behind.
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}
