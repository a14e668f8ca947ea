package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = "dev"

func versionString() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		info = nil
	}
	return versionFrom(version, info) + fmt.Sprintf(" %s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// versionFrom says which vigie this is: the version set at link time, else
// the module's version (`go install …@v1.2.3`), and the VCS revision the
// build recorded. A build without VCS information (GOFLAGS=-buildvcs=false,
// a source archive) says so rather than print nothing.
func versionFrom(linked string, info *debug.BuildInfo) string {
	v, rev, dirty := linked, "", false
	if info != nil {
		if v == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
				if len(rev) > 12 {
					rev = rev[:12]
				}
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	switch {
	case rev == "":
		return fmt.Sprintf("vigie %s (revision unknown: built without VCS information)", v)
	case dirty:
		return fmt.Sprintf("vigie %s (revision %s, with local changes)", v, rev)
	}
	return fmt.Sprintf("vigie %s (revision %s)", v, rev)
}
