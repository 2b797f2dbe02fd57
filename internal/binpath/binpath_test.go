package binpath

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// install writes an executable file at dir/rel and returns its path.
func install(t *testing.T, dir, rel string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"), mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAgentBeside(t *testing.T) {
	dir := t.TempDir()
	window := install(t, dir, exeName("tasktray"), 0o755)
	if got, ok := Agent(window); ok {
		t.Fatalf("Agent found %q where there is none", got)
	}
	agent := install(t, dir, exeName("tasktray-agent"), 0o755)
	if got, ok := Agent(window); !ok || got != agent {
		t.Fatalf("Agent = %q, %v; want %q", got, ok, agent)
	}
}

func TestAgentInLib(t *testing.T) {
	root := t.TempDir() // stands for /usr
	window := install(t, root, "bin/tasktray", 0o755)
	agent := install(t, root, "lib/tasktray/tasktray-agent", 0o755)
	if got, ok := Agent(window); !ok || got != agent {
		t.Fatalf("Agent = %q, %v; want %q", got, ok, agent)
	}
	if got := Window(agent); got != window {
		t.Fatalf("Window(%q) = %q; want %q", agent, got, window)
	}
}

func TestAgentNotExecutable(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no execute bit")
	}
	dir := t.TempDir()
	window := install(t, dir, "tasktray", 0o755)
	install(t, dir, "tasktray-agent", 0o644)
	if got, ok := Agent(window); ok {
		t.Fatalf("Agent accepted a file without an execute bit: %q", got)
	}
}

// A copy of tasktray under the agent's name is tasktray itself: execing it
// would exec it again, forever.
func TestAgentNeverSelf(t *testing.T) {
	dir := t.TempDir()
	agent := install(t, dir, exeName("tasktray-agent"), 0o755)
	if got, ok := Agent(agent); ok {
		t.Fatalf("Agent(%q) = %q: the binary would exec itself", agent, got)
	}
}

func TestWindow(t *testing.T) {
	dir := t.TempDir()
	window := install(t, dir, exeName("tasktray"), 0o755)
	agent := install(t, dir, exeName("tasktray-agent"), 0o755)

	t.Setenv(WindowEnv, "")
	if got := Window(window); got != window {
		t.Errorf("Window of tasktray itself (agent in-process) = %q, want %q", got, window)
	}
	if got := Window(agent); got != window {
		t.Errorf("Window of the agent beside tasktray = %q, want %q", got, window)
	}
	lone := install(t, t.TempDir(), exeName("tasktray-agent"), 0o755)
	if got := Window(lone); got != lone {
		t.Errorf("Window of an agent with no tasktray = %q, want itself", got)
	}
	t.Setenv(WindowEnv, "/opt/x/tasktray")
	if got := Window(agent); got != "/opt/x/tasktray" {
		t.Errorf("Window with %s set = %q", WindowEnv, got)
	}
}

func TestSelf(t *testing.T) {
	self, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(self) {
		t.Fatalf("Self = %q, not absolute", self)
	}
	if _, err := os.Stat(self); err != nil {
		t.Fatal(err)
	}
}
