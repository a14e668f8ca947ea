package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eiglink/vigie/internal/fakeforge"
)

// licenceText reads a licence's full published text from licensecheck's
// test data (a header, a blank line, the text).
func licenceText(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/google/licensecheck").Output()
	if err != nil {
		t.Skipf("licensecheck's test data not at hand: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "testdata", name))
	if err != nil {
		t.Skipf("licensecheck's test data: %v", err)
	}
	_, text, ok := bytes.Cut(b, []byte("\n\n"))
	if !ok {
		t.Fatalf("%s: no header", name)
	}
	return string(text)
}

// A repository shipping COPYING (the GPL-3.0) and COPYING.LESSER (the
// LGPL-3.0) is under the LGPL-3.0, on GitHub (whose detector says so) as on
// GitLab (which detects nothing): the LGPL is the GPL plus extra
// permissions and ships both texts.
func TestLGPLShipsTheGPL(t *testing.T) {
	gpl, lgpl := licenceText(t, "GPL-3.0.t1"), licenceText(t, "LGPL-3.0.t1")
	now := time.Now().UTC()
	repo := func(forgeSPDX string) fakeforge.Repo {
		return fakeforge.Repo{Path: "eig/lesser", DefaultBranch: "main", CreatedAt: now.AddDate(-2, 0, 0), License: forgeSPDX,
			Files:   map[string]string{"COPYING": gpl, "COPYING.LESSER": lgpl, "README.md": "# Lesser\n"},
			Commits: []fakeforge.Commit{{AuthorName: "a", AuthorEmail: "a@example.org", Date: now.AddDate(0, 0, -3)}}}
	}
	f := startForges(t, []fakeforge.Repo{repo("LGPL-3.0")}, []fakeforge.Repo{repo("")})
	cfg := f.config(t, "https://github.com/eig/lesser", "https://gitlab.com/eig/lesser")
	out := runVigie(t, map[string]string{"TEST_GH_TOKEN": "x", "TEST_GL_TOKEN": "y"}, "check", "--config", cfg, "--format", "json",
		"https://github.com/eig/lesser", "https://gitlab.com/eig/lesser")
	if out.code != 0 {
		t.Fatalf("exit %d:\n%s", out.code, out.stderr)
	}
	for _, r := range decode(t, out.stdout) {
		lic := r.Check("license")
		if lic == nil {
			t.Fatalf("%s: no licence check", r.Repo)
		}
		if id, file := lic.Details["spdx_id"], lic.Details["file"]; id != "LGPL-3.0" || file != "COPYING.LESSER" {
			t.Errorf("%s: spdx_id %v in %v, want LGPL-3.0 in COPYING.LESSER", r.Repo, id, file)
		}
	}
}
