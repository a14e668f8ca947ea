package crawler

import "testing"

func TestIsLicenseFile(t *testing.T) {
	yes := []string{
		"LICENSE", "LICENCE", "license.md", "LICENSE.txt", "COPYING", "COPYING.LESSER", "UNLICENSE",
		"LICENSE-MIT", "LICENSE-APACHE", "LICENCE_FR.md", "LICENSE-2.0.txt", "COPYING-GPL",
		"MIT-LICENSE", "MIT-LICENSE.txt", "gpl_licence.md", "Apache_License",
	}
	no := []string{
		"COPYRIGHT", "COPYRIGHT.txt", // a notice, most often
		"README.md", "licenses.go.bak", "add-license.sh", "check-license.go", "NOTICE", "AUTHORS",
		"my-licensing-notes.json", "-LICENSE", "publiccode.yml", "CONTRIBUTING.md",
	}
	for _, n := range yes {
		if !IsLicenseFile(n) {
			t.Errorf("IsLicenseFile(%q) = false, want true", n)
		}
	}
	for _, n := range no {
		if IsLicenseFile(n) {
			t.Errorf("IsLicenseFile(%q) = true, want false", n)
		}
	}
}
