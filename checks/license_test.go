package checks

import (
	"strings"
	"testing"

	"github.com/eiglink/vigie/crawler"
)

func lf(path, spdx string) crawler.LicenseFile {
	return crawler.LicenseFile{Path: path, SPDX: spdx, Bytes: 1000}
}

func TestLicenseVerdict(t *testing.T) {
	tests := []struct {
		name     string
		l        crawler.LicenseFacts
		spdx     string
		file     string
		score    int
		approved bool
	}{
		{"nothing", crawler.LicenseFacts{}, "", "", 0, false},
		{"forge and file agree",
			crawler.LicenseFacts{ForgeSPDX: "MIT", ForgePath: "LICENSE", Files: []crawler.LicenseFile{lf("LICENSE", "MIT")}},
			"MIT", "LICENSE", 10, true},
		{"forge identifies, no file matched: forge's odd path",
			crawler.LicenseFacts{ForgeSPDX: "Apache-2.0", ForgePath: "docs/LICENSE.txt"},
			"Apache-2.0", "docs/LICENSE.txt", 10, true},
		{"forge identifies, no forge path, file of the same licence",
			crawler.LicenseFacts{ForgeSPDX: "GPL-3.0", Files: []crawler.LicenseFile{lf("AUTHORS.LICENSE", ""), lf("COPYING", "GPL-3.0")}},
			"GPL-3.0", "COPYING", 10, true},
		{"forge identifies, file says or-later: one licence",
			crawler.LicenseFacts{ForgeSPDX: "AGPL-3.0", ForgePath: "LICENSE", Files: []crawler.LicenseFile{lf("LICENSE", "AGPL-3.0-or-later")}},
			"AGPL-3.0", "LICENSE", 10, true},
		{"forge says MIT, files MIT and Apache: dual licence",
			crawler.LicenseFacts{ForgeSPDX: "MIT", ForgePath: "LICENSE-MIT", Files: []crawler.LicenseFile{lf("LICENSE-APACHE", "Apache-2.0"), lf("LICENSE-MIT", "MIT")}},
			"Apache-2.0 OR MIT", "LICENSE-MIT", 10, true},
		{"forge disagrees with a single file: the forge's verdict stands",
			crawler.LicenseFacts{ForgeSPDX: "LGPL-3.0", ForgePath: "COPYING.LESSER", Files: []crawler.LicenseFile{lf("COPYING", "GPL-3.0"), lf("COPYING.LESSER", "")}},
			"LGPL-3.0", "COPYING.LESSER", 10, true},
		// The LGPL-3.0 is the GPL-3.0 plus extra permissions: a project
		// under it ships both texts, and is under the LGPL-3.0 alone.
		{"COPYING (GPL-3.0) and COPYING.LESSER (LGPL-3.0), forge LGPL-3.0",
			crawler.LicenseFacts{ForgeSPDX: "LGPL-3.0", ForgePath: "COPYING.LESSER", Files: []crawler.LicenseFile{lf("COPYING", "GPL-3.0"), lf("COPYING.LESSER", "LGPL-3.0")}},
			"LGPL-3.0", "COPYING.LESSER", 10, true},
		{"COPYING and COPYING.LESSER, forge GPL-3.0",
			crawler.LicenseFacts{ForgeSPDX: "GPL-3.0", ForgePath: "COPYING", Files: []crawler.LicenseFile{lf("COPYING", "GPL-3.0-or-later"), lf("COPYING.LESSER", "LGPL-3.0-or-later")}},
			"LGPL-3.0", "COPYING.LESSER", 10, true},
		{"COPYING and COPYING.LESSER, forge none",
			crawler.LicenseFacts{Files: []crawler.LicenseFile{lf("COPYING", "GPL-3.0"), lf("COPYING.LESSER", "LGPL-3.0")}},
			"LGPL-3.0", "COPYING.LESSER", 10, true},
		{"GPL-2.0 beside LGPL-2.1 is a real choice",
			crawler.LicenseFacts{Files: []crawler.LicenseFile{lf("COPYING", "GPL-2.0"), lf("COPYING.LIB", "LGPL-2.1")}},
			"GPL-2.0 OR LGPL-2.1", "COPYING", 8, false},
		{"LGPL-3.0 and MIT: still two",
			crawler.LicenseFacts{Files: []crawler.LicenseFile{lf("COPYING", "GPL-3.0"), lf("COPYING.LESSER", "LGPL-3.0"), lf("LICENSE-MIT", "MIT")}},
			"LGPL-3.0 OR MIT", "COPYING", 10, true},
		{"forge NOASSERTION, one file identified",
			crawler.LicenseFacts{ForgeSPDX: "NOASSERTION", ForgePath: "LICENSE", Files: []crawler.LicenseFile{lf("LICENSE", "CECILL-2.1")}},
			"CECILL-2.1", "LICENSE", 10, true},
		{"forge 'other' is NOASSERTION",
			crawler.LicenseFacts{ForgeSPDX: "other", Files: []crawler.LicenseFile{lf("LICENSE.md", "etalab-2.0")}},
			"etalab-2.0", "LICENSE.md", 10, true},
		{"forge none, two files identified",
			crawler.LicenseFacts{Files: []crawler.LicenseFile{lf("LICENSE", "MIT"), lf("LICENSE.fr", "CECILL-B"), lf("LICENSE.txt", "MIT")}},
			"CECILL-B OR MIT", "LICENSE", 10, true},
		{"forge NOASSERTION, its file among the identified",
			crawler.LicenseFacts{ForgeSPDX: "NOASSERTION", ForgePath: "LICENSE.txt", Files: []crawler.LicenseFile{lf("LICENSE", "MIT"), lf("LICENSE.txt", "ISC")}},
			"ISC OR MIT", "LICENSE.txt", 10, true},
		{"file not identified",
			crawler.LicenseFacts{ForgeSPDX: "NOASSERTION", ForgePath: "LICENSE", Files: []crawler.LicenseFile{lf("LICENSE", "")}},
			"NOASSERTION", "LICENSE", 3, false},
		{"forge none, file not identified",
			crawler.LicenseFacts{Files: []crawler.LicenseFile{lf("LICENCE.md", ""), lf("LICENSE", "")}},
			"NOASSERTION", "LICENCE.md", 3, false},
		{"forge NOASSERTION on a file vigie did not list",
			crawler.LicenseFacts{ForgeSPDX: "NOASSERTION", ForgePath: "docs/LICENCE"},
			"NOASSERTION", "docs/LICENCE", 3, false},
		{"earlier version of a listed licence",
			crawler.LicenseFacts{ForgeSPDX: "GPL-2.0", ForgePath: "LICENSE"},
			"GPL-2.0", "LICENSE", 8, false},
		{"OSI licence off the list",
			crawler.LicenseFacts{ForgeSPDX: "ISC", ForgePath: "LICENSE"},
			"ISC", "LICENSE", 7, false},
		{"not a software licence",
			crawler.LicenseFacts{ForgeSPDX: "CC0-1.0", ForgePath: "LICENSE"},
			"CC0-1.0", "LICENSE", 5, false},
		{"non-commercial",
			crawler.LicenseFacts{ForgeSPDX: "CC-BY-NC-SA-4.0", ForgePath: "LICENSE"},
			"CC-BY-NC-SA-4.0", "LICENSE", 2, false},
		{"GitLab's lower-case key",
			crawler.LicenseFacts{ForgeSPDX: "mit", ForgePath: "LICENSE"},
			"MIT", "LICENSE", 10, true},
		{"Licence Ouverte 1.0",
			crawler.LicenseFacts{Files: []crawler.LicenseFile{lf("LICENSE", "LicenseRef-etalab-1.0")}},
			"LicenseRef-etalab-1.0", "LICENSE", 8, false},
		{"a file naming two licences, and another file",
			crawler.LicenseFacts{Files: []crawler.LicenseFile{lf("LICENSE", "MIT OR Apache-2.0"), lf("LICENSE-ISC", "ISC")}},
			"Apache-2.0 OR ISC OR MIT", "LICENSE", 10, true},
		{"dual with one listed: the best counts",
			crawler.LicenseFacts{Files: []crawler.LicenseFile{lf("LICENSE-APACHE", "Apache-2.0"), lf("LICENSE-ISC", "ISC")}},
			"Apache-2.0 OR ISC", "LICENSE-APACHE", 10, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := License(crawler.Facts{License: tt.l}, Options{})
			if got := c.Details["spdx_id"]; got != tt.spdx {
				t.Errorf("spdx_id = %q, want %q", got, tt.spdx)
			}
			if got := c.Details["file"]; got != tt.file {
				t.Errorf("file = %q, want %q", got, tt.file)
			}
			if c.Score != tt.score {
				t.Errorf("score = %d, want %d (%s)", c.Score, tt.score, c.Reason)
			}
			if got := c.Details["approved_for_french_administration"]; got != tt.approved {
				t.Errorf("approved = %v, want %v", got, tt.approved)
			}
			checkWording(t, c)
		})
	}
}

// A data licence fits a data repository; on code it is the wrong tool.
func TestLicenseDataOnCode(t *testing.T) {
	l := crawler.LicenseFacts{ForgeSPDX: "NOASSERTION", Files: []crawler.LicenseFile{lf("LICENSE", "etalab-2.0")}}
	data := License(crawler.Facts{License: l}, Options{})
	code := License(crawler.Facts{License: l, Language: "Python"}, Options{})
	if data.Score != 10 || code.Score != 8 {
		t.Errorf("data repo %d, code repo %d; want 10 and 8", data.Score, code.Score)
	}
	if !strings.Contains(code.Remediation, "LICENSE-DATA") {
		t.Errorf("remediation should say where the data licence goes: %q", code.Remediation)
	}
}

// The remediation for a missing licence names every licence of the list.
func TestLicenseRemediationNamesTheList(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		c := License(crawler.Facts{}, Options{Language: lang})
		code, data := FrenchLicenses()
		for _, id := range append(code, data...) {
			if !strings.Contains(c.Remediation, id) {
				t.Errorf("%s remediation lacks %s: %q", lang, id, c.Remediation)
			}
		}
	}
}

// checkWording asserts docs/reference.md's shape of a check: a score 0..10, a
// one-sentence reason, and a remediation exactly when the score is below 10.
func checkWording(t *testing.T, c Check) {
	t.Helper()
	if c.Score < 0 || c.Score > 10 {
		t.Errorf("score %d out of 0..10", c.Score)
	}
	if c.Reason == "" || !strings.HasSuffix(c.Reason, ".") {
		t.Errorf("reason %q is not a sentence", c.Reason)
	}
	if c.NotApplicable {
		if c.Remediation != "" {
			t.Errorf("a check that does not apply has remediation %q", c.Remediation)
		}
		return
	}
	if (c.Score < 10) != (c.Remediation != "") {
		t.Errorf("score %d with remediation %q", c.Score, c.Remediation)
	}
}
