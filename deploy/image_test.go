package deploy_test

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// podman runs podman the way CI can on a Debian machine without systemd
// as PID 1 and without overlay mounts: runc, cgroupfs, vfs storage, a file
// for events and logs, no default ulimits, all its state in a temporary
// directory.
type podman struct {
	bin    string
	global []string
	env    []string
}

func newPodman(t *testing.T) *podman {
	t.Helper()
	bin := os.Getenv("VIGIE_PODMAN")
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("VIGIE_PODMAN is not set: CI builds and runs the container image")
		}
		t.Skip("set VIGIE_PODMAN to build and run the container image (several minutes)")
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "containers.conf")
	err := os.WriteFile(conf, []byte(`[containers]
default_ulimits = []
log_driver = "k8s-file"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
`), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	return &podman{
		bin: bin,
		global: []string{"--root", filepath.Join(dir, "storage"), "--runroot", filepath.Join(dir, "run"),
			"--storage-driver=vfs", "--cgroup-manager=cgroupfs", "--runtime=runc", "--events-backend=file"},
		env: append(os.Environ(), "CONTAINERS_CONF="+conf),
	}
}

func (p *podman) cmd(ctx context.Context, args ...string) *exec.Cmd {
	c := exec.CommandContext(ctx, p.bin, append(append([]string{}, p.global...), args...)...)
	c.Env = p.env
	return c
}

// run runs podman and returns its standard output.
func (p *podman) run(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	c := p.cmd(ctx, args...)
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("podman %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// TestImage builds the image as a deployer would (deploy/build-image.sh)
// and runs it: `vigie version` prints the build's version, `vigie serve
// --demo` answers /readyz with the root file system read-only, as an
// unprivileged user, and the image holds nothing writable but the data
// directory.
func TestImage(t *testing.T) {
	p := newPodman(t)
	const version = "v0.0.0-imagetest"
	const image = "localhost/vigie:imagetest"

	start := time.Now()
	build := exec.Command("bash", "build-image.sh")
	build.Env = append(p.env, "VERSION="+version, "IMAGE="+image, "DIST="+t.TempDir(),
		"CONTAINER="+p.bin+" "+strings.Join(p.global, " "))
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build-image.sh: %v\n%s", err, out)
	}
	t.Logf("build-image.sh (binary and image): %s", time.Since(start).Round(time.Second))

	if user := strings.TrimSpace(p.run(t, "image", "inspect", "--format", "{{.Config.User}}", image)); user != "65532:65532" {
		t.Errorf("the image runs as %q, want 65532:65532", user)
	}

	start = time.Now()
	out := p.run(t, "run", "--rm", "--read-only", "--network=none", image, "version")
	if !strings.HasPrefix(out, "vigie "+version+" ") {
		t.Errorf("vigie version printed %q, want the build's version %s", out, version)
	}
	t.Logf("podman run vigie version: %s", time.Since(start).Round(time.Millisecond))

	t.Run("filesystem", func(t *testing.T) { checkImageFiles(t, p, image) })

	// The demonstration, published on a free loopback port.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	start = time.Now()
	id := strings.TrimSpace(p.run(t, "run", "-d", "--read-only", "-p", fmt.Sprintf("127.0.0.1:%d:8080", port), image, "serve", "--demo"))
	t.Cleanup(func() {
		c := p.cmd(context.Background(), "rm", "-f", "-v", "-t", "5", id)
		if out, err := c.CombinedOutput(); err != nil {
			t.Logf("podman rm: %v\n%s", err, out)
		}
	})
	logs := func() string {
		c := p.cmd(context.Background(), "logs", id)
		out, _ := c.CombinedOutput()
		return string(out)
	}
	readyz := fmt.Sprintf("http://127.0.0.1:%d/readyz", port)
	client := &http.Client{Timeout: 2 * time.Second}
	var last error
	deadline := time.Now().Add(90 * time.Second)
	for ; time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		resp, err := client.Get(readyz)
		if err != nil {
			last = err
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			last = nil
			break
		}
		last = errors.New(resp.Status)
	}
	if last != nil {
		t.Fatalf("%s did not answer 200 within 90 s (last: %v); logs:\n%s", readyz, last, logs())
	}
	t.Logf("podman run vigie serve --demo until /readyz answers 200: %s", time.Since(start).Round(time.Millisecond))

	// Europe/Paris resolved from the time zones embedded in the binary:
	// the image has no /usr/share/zoneinfo.
	if l := logs(); !strings.Contains(l, "timezone=Europe/Paris") {
		t.Errorf("the demonstration's schedule is not in Europe/Paris:\n%s", l)
	}
	// The server runs as the image's user, not root (rootful podman maps
	// no user namespace: the host sees the same uid).
	pid := strings.TrimSpace(p.run(t, "inspect", "--format", "{{.State.Pid}}", id))
	status, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) == 5 && f[0] == "Uid:" && f[1] != "65532" {
			t.Errorf("vigie runs as uid %s, want 65532", f[1])
		}
	}
}

// checkImageFiles reads the image's file system (podman export of a
// container never started) and checks what is there and who may write it.
func checkImageFiles(t *testing.T, p *podman, image string) {
	id := strings.TrimSpace(p.run(t, "create", image))
	defer p.run(t, "rm", "-v", id)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := p.cmd(ctx, "export", id)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	files := map[string]*tar.Header{}
	tr := tar.NewReader(out)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("podman export: %v", err)
		}
		files[strings.TrimSuffix(strings.TrimPrefix(h.Name, "./"), "/")] = h
	}
	if err := c.Wait(); err != nil {
		t.Fatalf("podman export: %v\n%s", err, stderr.String())
	}
	for name, min := range map[string]int64{
		"usr/local/bin/vigie":               1 << 20,
		"etc/ssl/certs/ca-certificates.crt": 10 << 10,
		"etc/passwd":                        1,
		"etc/group":                         1,
	} {
		if h, ok := files[name]; !ok || h.Size < min {
			t.Errorf("the image lacks %s (or it is empty)", name)
		}
	}
	if h, ok := files["var/lib/vigie"]; !ok || h.Typeflag != tar.TypeDir || h.Uid != 65532 {
		t.Errorf("the data directory /var/lib/vigie is not a directory of vigie's user: %+v", h)
	}
	for _, absent := range []string{"bin/sh", "usr/share/zoneinfo"} {
		if _, ok := files[absent]; ok {
			t.Errorf("the image holds %s: it should be the binary and its data only", absent)
		}
	}
	for name, h := range files {
		if name == "var/lib/vigie" {
			continue
		}
		// Mount points podman adds for a run (/etc/hosts, /run/.containerenv...)
		// are empty and replaced at start; none may be writable by vigie.
		if h.Uid != 0 || h.FileInfo().Mode().Perm()&0o022 != 0 {
			t.Errorf("%s (uid %d, mode %v) may be written by another user than root", name, h.Uid, h.FileInfo().Mode())
		}
	}
	t.Logf("image files: %d entries", len(files))
}
