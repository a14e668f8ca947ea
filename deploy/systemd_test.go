package deploy_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eiglink/vigie/config"
	"github.com/eiglink/vigie/internal/testtool"
)

// TestSystemdUnit runs `systemd-analyze verify` on the unit (clean: any
// warning fails, as systemd ignores a directive it does not understand and
// says so only there) and `systemd-analyze security` on its hardening.
func TestSystemdUnit(t *testing.T) {
	analyze := testtool.Find(t, "VIGIE_SYSTEMD_ANALYZE", "systemd-analyze")
	unit, err := os.ReadFile("systemd/vigie.service")
	if err != nil {
		t.Fatal(err)
	}
	const exec_ = "/usr/local/bin/vigie"
	if !bytes.Contains(unit, []byte("ExecStart="+exec_+" serve --config ")) {
		t.Fatalf("the unit should start %s serve --config FILE", exec_)
	}
	for _, want := range []string{"DynamicUser=yes", "StateDirectory=vigie", "ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes", "CapabilityBoundingSet=\n"} {
		if !bytes.Contains(unit, []byte(want)) {
			t.Errorf("the unit lacks %q", strings.TrimSpace(want))
		}
	}
	// Each secret the example configuration names reaches vigie as
	// NAME_FILE, a credential systemd loads.
	creds := map[string]bool{}
	env := map[string]string{}
	for _, line := range strings.Split(string(unit), "\n") {
		if v, ok := strings.CutPrefix(line, "LoadCredential="); ok {
			id, _, _ := strings.Cut(v, ":")
			creds[id] = true
		}
		if v, ok := strings.CutPrefix(line, "Environment="); ok {
			k, val, _ := strings.Cut(v, "=")
			env[k] = val
		}
	}
	cfg, err := config.Load("../examples/vigie.yml", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	names := []string{cfg.SMTP.UsernameEnv, cfg.SMTP.PasswordEnv}
	for _, f := range cfg.Forges {
		names = append(names, f.TokenEnvs...)
	}
	for _, n := range names {
		id, ok := strings.CutPrefix(env[n+"_FILE"], "%d/")
		if !ok || !creds[id] {
			t.Errorf("%s (examples/vigie.yml) is not handed over as %s_FILE=%%d/ID with LoadCredential=ID:FILE", n, n)
		}
	}

	// verify checks that the command exists: point it at a vigie built
	// here, in a copy of the unit with nothing else changed.
	dir := t.TempDir()
	bin := filepath.Join(dir, "vigie")
	build := exec.Command("go", "build", "-o", bin, "github.com/eiglink/vigie/cmd/vigie")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	copyUnit := filepath.Join(dir, "vigie.service")
	if err := os.WriteFile(copyUnit, bytes.ReplaceAll(unit, []byte(exec_+" "), []byte(bin+" ")), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"verify", copyUnit},
		// Exposure 0–10 (×10 here): the unit scores 1.2; more is a lost hardening.
		{"security", "--offline=yes", "--threshold=20", copyUnit},
	} {
		cmd := exec.Command(analyze, args...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		if err != nil || (args[0] == "verify" && out.Len() > 0) {
			t.Errorf("systemd-analyze %s: %v\n%s", strings.Join(args, " "), err, out.String())
		}
		if args[0] == "security" {
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			t.Log(lines[len(lines)-1])
		}
	}
}
