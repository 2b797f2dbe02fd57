//go:build linux

package tray

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// noRuntimeDirHelperEnv makes TestReviewNoRuntimeDirHelper start as
// tasktray does: StartInstance in InstanceDir().
const noRuntimeDirHelperEnv = "TASKTRAY_REVIEW_NO_RUNTIME_DIR_HELPER"

// TestReviewNoRuntimeDirHelper is not a test: run by
// TestReviewStartsWithoutARuntimeDir as an unprivileged user, it says
// "running <dir>" once it is the agent, or why not.
func TestReviewNoRuntimeDirHelper(t *testing.T) {
	if os.Getenv(noRuntimeDirHelperEnv) == "" {
		t.Skip("helper process only")
	}
	in, err := StartInstance(context.Background(), InstanceDir(), quiet)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	fmt.Println("running", InstanceDir())
	in.Close()
	os.Exit(0)
}

// TestReviewStartsWithoutARuntimeDir: a login without pam_systemd/elogind
// (startx on a distribution without logind, ssh -X, su - user) has no
// XDG_RUNTIME_DIR and no /run/user/<uid>. InstanceDir promises "the
// runtime directory (per login, on a tmpfs), else the state directory";
// the agent must start there, not fail for a directory it cannot make.
func TestReviewStartsWithoutARuntimeDir(t *testing.T) {
	const uid = 65534 // nobody
	if os.Getuid() != 0 {
		t.Skip("needs root to run the agent as another user")
	}
	if _, err := os.Stat(fmt.Sprintf("/run/user/%d", uid)); err == nil {
		t.Skipf("/run/user/%d exists here", uid)
	}
	// The test binary where that user can run it, and a home of its own.
	root, err := os.MkdirTemp("", "ttrv")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	os.Chmod(root, 0o755)
	exe := filepath.Join(root, "tray.test")
	copyFile(t, os.Args[0], exe)
	home := filepath.Join(root, "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(home, uid, uid); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(exe, "-test.run=^TestReviewNoRuntimeDirHelper$")
	cmd.Dir = home
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + home, "DBUS_SESSION_BUS_ADDRESS=", noRuntimeDirHelperEnv + "=1"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid, Groups: []uint32{}}}
	out, err := cmd.CombinedOutput()
	if !strings.HasPrefix(string(out), "running ") {
		t.Fatalf("a start without XDG_RUNTIME_DIR (user %d, HOME %s) did not become the agent: %v\n%s", uid, home, err, out)
	}
	if dir := strings.TrimSpace(strings.TrimPrefix(strings.SplitN(string(out), "\n", 2)[0], "running ")); !strings.HasPrefix(dir, home) {
		t.Errorf("the agent's lock is in %s, outside the user's own directories", dir)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
