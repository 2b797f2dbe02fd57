// Package version says which tasktray this is: its version, the commit it was
// built from and when, for `tasktray -version` and bug reports.
//
// A release build (scripts/package.sh) sets the three values with
//
//	-ldflags "-X tasktray/internal/version.version=0.1.0
//	          -X tasktray/internal/version.commit=abc1234
//	          -X tasktray/internal/version.date=2026-12-02T16:00:00Z"
//
// Anything left empty is taken from the build information the Go toolchain
// records in every binary (module version, vcs.revision, vcs.time,
// vcs.modified), so a plain `go build` in a git checkout still names its
// commit. What neither source knows reads "devel" or "unknown".
package version

import (
	"fmt"
	"runtime/debug"
)

// Set by -ldflags -X at link time; see the package comment.
var (
	version string
	commit  string
	date    string
)

// Info is one build's identity.
type Info struct {
	Version  string // "0.1.0", a module version, or "devel"
	Commit   string // short git commit, or "unknown"
	Date     string // build (or commit) time, RFC 3339, or "unknown"
	Modified bool   // built from a checkout with uncommitted changes
}

// String is the line `tasktray -version` prints.
func (i Info) String() string {
	mod := ""
	if i.Modified {
		mod = " (modified)"
	}
	return fmt.Sprintf("tasktray %s, commit %s%s, built %s", i.Version, i.Commit, mod, i.Date)
}

// Get returns this binary's Info.
func Get() Info {
	bi, ok := debug.ReadBuildInfo()
	return resolve(ldflags{version: version, commit: commit, date: date}, bi, ok)
}

// ldflags holds the values set at link time.
type ldflags struct{ version, commit, date string }

// shortCommit is how many hex digits of a commit are shown: enough to be
// unique in this repository for years, short enough to read out.
const shortCommit = 12

// resolve prefers the link-time values and fills the rest from build info.
func resolve(l ldflags, bi *debug.BuildInfo, ok bool) Info {
	info := Info{Version: l.version, Commit: l.commit, Date: l.date}
	if ok && bi != nil {
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if info.Commit == "" {
					info.Commit = s.Value
					if len(info.Commit) > shortCommit {
						info.Commit = info.Commit[:shortCommit]
					}
				}
			case "vcs.time":
				if info.Date == "" {
					info.Date = s.Value
				}
			case "vcs.modified":
				// Only meaningful for the commit build info named; an ldflags commit
				// comes from package.sh, which passes its own "-dirty" mark.
				info.Modified = l.commit == "" && s.Value == "true"
			}
		}
	}
	if info.Version == "" {
		info.Version = "devel"
	}
	if info.Commit == "" {
		info.Commit = "unknown"
	}
	if info.Date == "" {
		info.Date = "unknown"
	}
	return info
}
