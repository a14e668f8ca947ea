package checks

import (
	"strings"

	"github.com/eiglink/vigie/crawler/licenseid"
)

// The licences the French administration may use (the list published under
// the 2016 law for a digital republic, on data.gouv.fr and
// code.gouv.fr): for source code, and for data and documents. Ids are
// compared after licenseid.Normalize, so GPL-3.0-or-later and the forges'
// GPL-3.0 are one entry.
var (
	frenchCodeLicenses = []string{
		"Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "CECILL-2.1", "CECILL-B", "CECILL-C",
		"EPL-2.0", "EUPL-1.2", "MIT", "MPL-2.0",
		"GPL-3.0-or-later", "LGPL-3.0-or-later", "AGPL-3.0-or-later",
	}
	frenchDataLicenses = []string{"etalab-2.0", "ODbL-1.0"}
)

// olderFrench maps an earlier version of a listed licence to the listed one,
// so the remediation names the version to move to.
var olderFrench = map[string]string{
	"CECILL-1.0": "CECILL-2.1", "CECILL-1.1": "CECILL-2.1", "CECILL-2.0": "CECILL-2.1",
	"EUPL-1.0": "EUPL-1.2", "EUPL-1.1": "EUPL-1.2",
	"EPL-1.0": "EPL-2.0", "MPL-1.0": "MPL-2.0", "MPL-1.1": "MPL-2.0",
	"GPL-2.0": "GPL-3.0-or-later", "LGPL-2.1": "LGPL-3.0-or-later", "LGPL-2.0": "LGPL-3.0-or-later",
	"AGPL-1.0":          "AGPL-3.0-or-later",
	licenseid.EtalabOne: "etalab-2.0",
}

// osiApproved lists the OSI-approved licences vigie may meet outside the
// French administration's list (older versions of listed licences are in
// olderFrench and scored there).
var osiApproved = map[string]bool{
	"0BSD": true, "AAL": true, "AFL-3.0": true, "APL-1.0": true, "APSL-2.0": true,
	"Apache-1.1": true, "Artistic-1.0": true, "Artistic-2.0": true, "BSD-1-Clause": true,
	"BSD-2-Clause-Patent": true, "BSD-3-Clause-LBNL": true, "BSL-1.0": true,
	"CAL-1.0": true, "CATOSL-1.1": true, "CDDL-1.0": true, "CPAL-1.0": true, "CPL-1.0": true,
	"CUA-OPL-1.0": true, "ECL-1.0": true, "ECL-2.0": true, "EFL-2.0": true, "Entessa": true,
	"EUDatagrid": true, "Fair": true, "Frameworx-1.0": true, "ISC": true, "IPA": true,
	"IPL-1.0": true, "LPL-1.02": true, "LPPL-1.3c": true, "LiLiQ-P-1.1": true,
	"LiLiQ-R-1.1": true, "LiLiQ-Rplus-1.1": true, "MIT-0": true, "MS-PL": true,
	"MS-RL": true, "MirOS": true, "Motosoto": true, "MulanPSL-2.0": true, "NCSA": true,
	"NGPL": true, "NPOSL-3.0": true, "NTP": true, "Naumen": true, "Nokia": true,
	"OCLC-2.0": true, "OFL-1.1": true, "OGTSL": true, "OLDAP-2.8": true,
	"OSET-PL-2.1": true, "OSL-1.0": true, "OSL-2.0": true, "OSL-2.1": true, "OSL-3.0": true,
	"PHP-3.0": true, "PHP-3.01": true, "PostgreSQL": true, "Python-2.0": true,
	"QPL-1.0": true, "RPL-1.1": true, "RPL-1.5": true, "RPSL-1.0": true, "RSCPL": true,
	"SimPL-2.0": true, "SISSL": true, "Sleepycat": true, "SPL-1.0": true, "UPL-1.0": true,
	"Unlicense": true, "VSL-1.0": true, "W3C": true, "Watcom-1.0": true, "Xnet": true,
	"ZPL-2.0": true, "ZPL-2.1": true, "Zlib": true,
}

// notFree marks licences that restrict use (non-commercial, no derivatives,
// field-of-use clauses): they are not free or open source licences at all.
func notFree(id string) bool {
	u := strings.ToUpper(id)
	for _, s := range []string{"-NC", "-ND", "ANTI996", "COMMONSCLAUSE", "PROSPERITY", "POLYFORM", "BUSL", "SSPL", "ELASTIC", "HIPPOCRATIC", "JSON"} {
		if strings.Contains(u, s) {
			return true
		}
	}
	return false
}

// licenseClass is how vigie judges one identified licence.
type licenseClass int

const (
	classNotFree  licenseClass = iota // restricts use
	classOther                        // free content or public domain dedication, not OSI (CC0, CC-BY...)
	classOSI                          // OSI-approved, not on the French list
	classOlder                        // an earlier version of a listed licence
	classDataList                     // on the French list for data (etalab-2.0, ODbL-1.0)
	classCodeList                     // on the French list for source code
)

func inList(id string, list []string) bool {
	n := licenseid.Normalize(id)
	for _, l := range list {
		if licenseid.Normalize(l) == n {
			return true
		}
	}
	return false
}

func classify(id string) licenseClass {
	n := licenseid.Normalize(id)
	switch {
	case inList(n, frenchCodeLicenses):
		return classCodeList
	case inList(n, frenchDataLicenses):
		return classDataList
	case olderFrench[n] != "":
		return classOlder
	case osiApproved[n]:
		return classOSI
	case notFree(n):
		return classNotFree
	}
	return classOther
}

// FrenchLicenses returns the licences the French administration may use, as
// SPDX ids: for source code, then for data and documents.
func FrenchLicenses() (code, data []string) {
	return append([]string(nil), frenchCodeLicenses...), append([]string(nil), frenchDataLicenses...)
}
