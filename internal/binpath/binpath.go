// Package binpath knows where tasktray's two binaries sit relative to each
// other, so each can find the other.
//
// tasktray is the Fyne-linked binary: it runs the windows and is what a user
// or `fyne package` starts. tasktray-agent is the always-on agent alone,
// which links no GUI toolkit and so costs a fraction of the memory while it
// waits (docs/benchmarks.md). An install puts them either side by side in
// one folder, or tasktray in a bin folder and the agent in ../lib/tasktray/
// (the .deb and .rpm: /usr/bin/tasktray, /usr/lib/tasktray/tasktray-agent).
// A build without the agent binary (go run ., fyne's tarball, the Windows
// exe) runs the agent inside tasktray instead.
package binpath

import (
	"os"
	"path/filepath"
	"runtime"
)

// WindowEnv names the environment variable by which tasktray tells the agent
// binary it execs which binary runs "window VIEW": the agent cannot tell
// from its own path when it was started through a link or a copy.
const WindowEnv = "TASKTRAY_WINDOW_BIN"

// Base names of the two binaries, without the ".exe" of Windows.
const (
	windowName = "tasktray"
	agentName  = "tasktray-agent"
)

// exeName adds the platform's suffix for programs to name.
func exeName(name string) string {
	if runtime.GOOS == "windows" {
		return name + ".exe"
	}
	return name
}

// Self returns the running program's path with symbolic links resolved, so
// that /usr/bin/tasktray reached through a link in ~/bin still finds
// /usr/lib/tasktray.
func Self() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	return filepath.Abs(exe)
}

// Agent returns the agent binary installed with the tasktray binary at
// window, and false when there is none: beside it, or in ../lib/tasktray/.
// A candidate that is window itself (a copy of tasktray under the agent's
// name) does not count, so tasktray never execs itself in a loop.
func Agent(window string) (string, bool) {
	dir := filepath.Dir(window)
	return firstExecutable(window,
		filepath.Join(dir, exeName(agentName)),
		filepath.Join(dir, "..", "lib", "tasktray", exeName(agentName)))
}

// Window returns the binary that runs window processes for the agent
// running as self: $TASKTRAY_WINDOW_BIN when tasktray set it; else, when
// self is the agent binary started on its own (an autostart entry naming
// it, a shell), the tasktray installed with it (beside it, or
// ../../bin/tasktray for /usr/lib/tasktray/); else self, which is then
// tasktray running the agent in-process.
func Window(self string) string {
	if env := os.Getenv(WindowEnv); env != "" {
		return env
	}
	if base := filepath.Base(self); base != exeName(agentName) {
		return self
	}
	dir := filepath.Dir(self)
	if w, ok := firstExecutable(self,
		filepath.Join(dir, exeName(windowName)),
		filepath.Join(dir, "..", "..", "bin", exeName(windowName))); ok {
		return w
	}
	return self
}

// firstExecutable returns the first candidate that is a regular file with
// an execute bit (any file on Windows) and not the same file as self.
func firstExecutable(self string, candidates ...string) (string, bool) {
	selfInfo, selfErr := os.Stat(self)
	for _, c := range candidates {
		info, err := os.Stat(c)
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		if runtime.GOOS != "windows" && info.Mode().Perm()&0o111 == 0 {
			continue
		}
		if selfErr == nil && os.SameFile(selfInfo, info) {
			continue
		}
		return filepath.Clean(c), true
	}
	return "", false
}
