package gitea

import (
	"strconv"
	"strings"
)

// Version is an instance's version as GET /version says it. Gitea writes
// "1.23.1" (or "1.24.0+dev-12-gabcdef" for a build between releases);
// Forgejo writes its own number and the Gitea version it is compatible
// with: "11.0.3+gitea-1.22.0" (older: "1.21.11-1", "7.0.5+gitea-1.21.11").
type Version struct {
	Raw     string
	Forgejo string // Forgejo's own version, "" on Gitea
	Gitea   [3]int // the Gitea (compatible) version; zero when unknown
}

// Known reports whether the Gitea-compatible version was read.
func (v Version) Known() bool { return v.Gitea != [3]int{} }

// AtLeast reports whether the Gitea-compatible version is major.minor or
// later.
func (v Version) AtLeast(major, minor int) bool {
	return v.Gitea[0] > major || v.Gitea[0] == major && v.Gitea[1] >= minor
}

// ParseVersion reads a version string without ever failing: what it
// cannot read stays zero (the SDK refuses the whole client instead).
func ParseVersion(s string) Version {
	v := Version{Raw: s}
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	main, meta, _ := strings.Cut(s, "+")
	if g, ok := strings.CutPrefix(meta, "gitea-"); ok {
		// Forgejo: its own number, then the Gitea one.
		v.Forgejo = main
		v.Gitea = numbers(g)
		return v
	}
	n := numbers(main)
	if n[0] >= 2 {
		// A Forgejo number without the Gitea one (some packagings strip
		// the build metadata): Forgejo 7.0 and later forked from Gitea
		// 1.21 or 1.22; say 1.21, what every one of them answers.
		v.Forgejo = main
		v.Gitea = [3]int{1, 21, 0}
		return v
	}
	v.Gitea = n
	return v
}

// numbers reads "1.22.0", "1.21.11-1" or "1.24.0-rc1" as three numbers.
func numbers(s string) [3]int {
	var out [3]int
	s, _, _ = strings.Cut(s, "-")
	for i, p := range strings.SplitN(s, ".", 3) {
		n, err := strconv.Atoi(p)
		if err != nil {
			break
		}
		out[i] = n
	}
	return out
}
