package main

import (
	"context"
	"go.uber.org/goleak"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"tasktray/internal/binpath"
)

// beMain makes this test binary run main() instead of the tests, so a copy
// of it can stand for an installed tasktray.
const beMain = "TASKTRAY_TEST_BE_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(beMain) == "1" {
		main()
		return
	}
	// IgnoreCurrent: Fyne's package init starts a goroutine of its own
	// (an unbounded channel's pump) before any test runs.
	goleak.VerifyTestMain(m, goleak.IgnoreCurrent())
}

// installTasktray copies this test binary to root/bin/tasktray and returns
// that path.
func installTasktray(t *testing.T, root string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(root, "bin", "tasktray")
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

// With the agent binary installed in ../lib/tasktray/, tasktray execs it:
// same process id, same arguments, and the window binary in the
// environment.
func TestExecsInstalledAgent(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows runs the agent in-process (exec_other.go)")
	}
	root := t.TempDir() // stands for /usr
	window := installTasktray(t, root)
	agent := filepath.Join(root, "lib", "tasktray", "tasktray-agent")
	if err := os.MkdirAll(filepath.Dir(agent), 0o755); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\necho \"pid=$$\"\necho \"args=$*\"\necho \"window=$" + binpath.WindowEnv + "\"\n"
	if err := os.WriteFile(agent, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}

	// The timeout only guards a tasktray that runs the agent instead.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, window, "-demo", "-v")
	cmd.Env = append(os.Environ(), beMain+"=1")
	var out, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &stderr // Fyne's init may log a locale error to stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("tasktray: %v\n%s%s", err, out.String(), stderr.String())
	}
	want := []string{"pid=" + strconv.Itoa(cmd.Process.Pid), "args=-demo -v", "window=" + window}
	got := strings.Split(strings.TrimSpace(out.String()), "\n")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the installed agent saw:\n%s\nwant:\n%s", out.String(), strings.Join(want, "\n"))
	}
}

// Without an agent binary (go run ., fyne package), tasktray runs the
// agent itself.
func TestRunsAgentInProcessWithoutOne(t *testing.T) {
	window := installTasktray(t, t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, window, "-version")
	cmd.Env = append(os.Environ(), beMain+"=1")
	out, err := cmd.Output() // Fyne's init may log a locale error to stderr
	if err != nil {
		t.Fatalf("tasktray -version: %v\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), "tasktray ") {
		t.Fatalf("tasktray -version printed %q", out)
	}
}
