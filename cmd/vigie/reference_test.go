package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/eiglink/vigie/internal/reftest"
)

// TestReferenceNamesEveryFlag: every command of the usage and every flag
// its --help prints are in docs/reference.md; --help exits 0.
func TestReferenceNamesEveryFlag(t *testing.T) {
	var cmds []string
	for _, l := range strings.Split(usageText, "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "vigie" {
			cmds = append(cmds, "vigie "+f[1])
		}
	}
	reftest.Want(t, "command", cmds)

	flagLine := regexp.MustCompile(`(?m)^  -([a-z][a-z0-9-]*)`)
	for _, c := range cmds {
		name := strings.TrimPrefix(c, "vigie ")
		if name == "version" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(t.Context(), []string{name, "--help"}, &out, &errOut, func(string) string { return "" })
			if code != exitOK {
				t.Fatalf("vigie %s --help: exit %d, want 0; stderr: %s", name, code, errOut.String())
			}
			var flags []string
			for _, m := range flagLine.FindAllStringSubmatch(out.String(), -1) {
				flags = append(flags, "--"+m[1])
			}
			if !strings.Contains(out.String(), "vigie "+name) {
				t.Errorf("vigie %s --help does not show the command's usage:\n%s", name, out.String())
			}
			reftest.Want(t, "flag of vigie "+name, flags)
		})
	}
}
