package version

import (
	"runtime/debug"
	"strings"
	"testing"
)

// buildInfo is what `go build` records in a binary built from a git checkout.
func buildInfo(mainVersion string, settings ...string) *debug.BuildInfo {
	bi := &debug.BuildInfo{Main: debug.Module{Path: "tasktray", Version: mainVersion}}
	for i := 0; i+1 < len(settings); i += 2 {
		bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
	}
	return bi
}

func TestLdflagsWinOverBuildInfo(t *testing.T) {
	got := resolve(ldflags{version: "0.2.0", commit: "abc1234", date: "2026-12-02T16:00:00Z"},
		buildInfo("(devel)", "vcs.revision", "ffffffffffffffffffffffffffffffffffffffff", "vcs.time", "2020-01-01T00:00:00Z"), true)
	want := Info{Version: "0.2.0", Commit: "abc1234", Date: "2026-12-02T16:00:00Z"}
	if got != want {
		t.Fatalf("resolve = %+v, want %+v", got, want)
	}
}

func TestBuildInfoFillsWhatLdflagsLeaveEmpty(t *testing.T) {
	got := resolve(ldflags{},
		buildInfo("v1.4.0", "vcs.revision", "0123456789abcdef0123456789abcdef01234567", "vcs.time", "2026-11-30T10:00:00Z", "vcs.modified", "true"), true)
	want := Info{Version: "v1.4.0", Commit: "0123456789ab", Date: "2026-11-30T10:00:00Z", Modified: true}
	if got != want {
		t.Fatalf("resolve = %+v, want %+v", got, want)
	}
}

func TestNothingKnown(t *testing.T) {
	// `go run .` of a module without VCS stamps: Main.Version is "(devel)", no vcs settings.
	got := resolve(ldflags{}, buildInfo("(devel)"), true)
	if got != (Info{Version: "devel", Commit: "unknown", Date: "unknown"}) {
		t.Fatalf("resolve = %+v", got)
	}
	if got := resolve(ldflags{}, nil, false); got != (Info{Version: "devel", Commit: "unknown", Date: "unknown"}) {
		t.Fatalf("resolve without build info = %+v", got)
	}
}

func TestStringNamesEverything(t *testing.T) {
	s := Info{Version: "0.1.0", Commit: "abc1234", Date: "2026-12-02T16:00:00Z", Modified: true}.String()
	for _, part := range []string{"tasktray 0.1.0", "commit abc1234", "(modified)", "built 2026-12-02T16:00:00Z"} {
		if !strings.Contains(s, part) {
			t.Errorf("String() = %q, missing %q", s, part)
		}
	}
	if s := (Info{Version: "0.1.0", Commit: "abc1234", Date: "d"}).String(); strings.Contains(s, "modified") {
		t.Errorf("String() of a clean build = %q, says modified", s)
	}
}

func TestGetIsStable(t *testing.T) {
	// The test binary carries real build info; Get must agree with itself and never be empty.
	a, b := Get(), Get()
	if a != b || a.Version == "" || a.Commit == "" || a.Date == "" {
		t.Fatalf("Get() = %+v then %+v", a, b)
	}
}
