package deploy_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The modules deploy's tests read the manifests with are heavy; they must
// stay out of the vigie binary.
func TestBinaryLeavesDeployModulesOut(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not in PATH")
	}
	out, err := exec.Command(goBin, "list", "-deps", "github.com/eiglink/vigie/cmd/vigie").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	pkgs := strings.Fields(string(out))
	if len(pkgs) < 100 {
		t.Fatalf("go list -deps printed %d packages", len(pkgs))
	}
	for _, p := range pkgs {
		for _, heavy := range []string{"github.com/compose-spec/", "sigs.k8s.io/kustomize/", "k8s.io/api/", "k8s.io/apimachinery/", "github.com/prometheus-operator/"} {
			if strings.HasPrefix(p, heavy) {
				t.Errorf("vigie's binary imports %s", p)
			}
		}
	}
}
