package tray

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// lockHelperEnv makes TestLockHelperProcess act as an agent taking the lock.
const lockHelperEnv = "TASKTRAY_LOCK_HELPER_DIR"

// TestLockHelperProcess is not a test: run by TestOneAgentPerUser in a
// process of its own, it takes the lock in $TASKTRAY_LOCK_HELPER_DIR, says
// what happened on stdout, and holds the lock until its stdin closes.
func TestLockHelperProcess(t *testing.T) {
	dir := os.Getenv(lockHelperEnv)
	if dir == "" {
		t.Skip("helper process only")
	}
	release, err := Lock(dir)
	if errors.Is(err, ErrAlreadyRunning) {
		fmt.Println(err)
		return
	}
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	defer release()
	fmt.Println("locked")
	io.Copy(io.Discard, os.Stdin)
}

// agentProcess is a helper process holding or failing to take the lock.
type agentProcess struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	said  string
}

func startAgentProcess(t *testing.T, dir string) *agentProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), lockHelperEnv+"="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("helper said nothing: %v", err)
	}
	go io.Copy(io.Discard, stdout)
	return &agentProcess{cmd: cmd, stdin: stdin, said: strings.TrimSpace(line)}
}

// TestOneAgentPerUser: with two processes, the second is told that tasktray
// is already running and exits 0; a crashed first one (SIGKILL) leaves no
// lock behind.
func TestOneAgentPerUser(t *testing.T) {
	dir := t.TempDir()
	first := startAgentProcess(t, dir)
	if first.said != "locked" {
		t.Fatalf("first agent: %q", first.said)
	}
	second := startAgentProcess(t, dir)
	if second.said != MsgAlreadyRunning {
		t.Fatalf("second agent said %q, want %q", second.said, MsgAlreadyRunning)
	}
	if err := second.cmd.Wait(); err != nil {
		t.Fatalf("second agent exited with %v, want 0", err)
	}

	first.cmd.Process.Kill() // a crash: no release
	first.cmd.Wait()
	if third := startAgentProcess(t, dir); third.said != "locked" {
		t.Fatalf("after a crash of the first: %q", third.said)
	}
}
