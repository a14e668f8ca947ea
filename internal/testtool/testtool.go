// Package testtool finds what some tests need from outside the module: the
// programs they drive (promtool, Prometheus, Chromium, mailpit), GitHub's
// GraphQL schema and the real repositories' fixtures; it starts Chromium
// for them and says where their artefacts go.
package testtool

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// Find returns the path of the program name: the environment variable env
// (VIGIE_PROMTOOL, VIGIE_CHROMIUM...), else PATH. Absent, the test is
// skipped, unless CI=true where it fails.
func Find(t testing.TB, env, name string) string {
	t.Helper()
	if p := os.Getenv(env); p != "" {
		return p
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found (set %s)", name, env)
	}
	t.Skipf("%s not found (set %s)", name, env)
	return ""
}

// Chromium returns a chromedp allocator context that starts the Chromium
// at bin headless, in a width×height window, with a fresh profile and its
// background traffic (updates, sync) off.
func Chromium(t testing.TB, bin string, width, height int) (context.Context, context.CancelFunc) {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(filepath.Join(t.TempDir(), "profile")),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.WindowSize(width, height),
	}
	return chromedp.NewExecAllocator(context.Background(), opts...)
}

// Artifacts returns the directory a test keeps its artefacts in
// (screenshots): VIGIE_ARTIFACTS, created if need be, else a temporary
// directory.
func Artifacts(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("VIGIE_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// BrokenNamesJS is a script for a page under test: it returns the parts of
// repository names (the nodes around each <wbr>, which vigie puts after
// every slash of a name) that the browser broke across two lines. A name
// may wrap at its slashes, never inside a part.
const BrokenNamesJS = `(() => {
  const out = [];
  const seen = new Set();
  for (const w of document.querySelectorAll("wbr")) {
    for (const n of [w.previousSibling, w.nextSibling]) {
      if (!n || seen.has(n) || n.textContent.trim() === "") continue;
      seen.add(n);
      const r = document.createRange();
      r.selectNodeContents(n);
      const lines = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top)));
      if (lines.size > 1) out.push(n.textContent);
    }
  }
  return out;
})()`
