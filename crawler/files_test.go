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

func TestListsSource(t *testing.T) {
	dir := func(p string) File { return File{Path: p, Dir: true} }
	file := func(p string) File { return File{Path: p, Size: 10} }
	for _, tc := range []struct {
		name  string
		files []File
		want  bool
	}{
		{"maven", []File{file("pom.xml"), dir("src"), file("README.md")}, true},
		{"gradle kotlin", []File{file("build.gradle.kts"), dir("src")}, true},
		{"gradle settings only", []File{file("settings.gradle"), dir("src")}, true},
		{"sbt", []File{file("build.sbt"), dir("src")}, true},
		{"maven without src", []File{file("pom.xml"), dir("app")}, false},
		{"python src layout", []File{file("pyproject.toml"), dir("src")}, false},
		{"go module", []File{file("go.mod"), dir("src"), file("main.go")}, false},
		{"build file below the root", []File{dir("docs"), file("docs/pom.xml"), dir("src")}, false},
		{"src is a file", []File{file("pom.xml"), file("src")}, false},
		{"pom.xml is a folder", []File{dir("pom.xml"), dir("src")}, false},
		{"empty", nil, false},
	} {
		if got := ListsSource(tc.files); got != tc.want {
			t.Errorf("%s: ListsSource = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestListedBeforeSource(t *testing.T) {
	dir := func(p string) File { return File{Path: p, Dir: true} }
	file := func(p string) File { return File{Path: p, Size: 10} }
	for _, tc := range []struct {
		name  string
		files []File
		want  bool
	}{
		{"maven listed before src/ was", []File{file("pom.xml"), dir("src")}, true},
		{"maven with src/ listed", []File{file("pom.xml"), dir("src"), dir("src/test")}, false},
		{"no JVM build", []File{file("package.json"), dir("src")}, false},
		{"none", nil, false},
	} {
		if got := ListedBeforeSource(tc.files); got != tc.want {
			t.Errorf("%s: ListedBeforeSource = %v, want %v", tc.name, got, tc.want)
		}
	}
}
