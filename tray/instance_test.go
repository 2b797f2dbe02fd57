package tray

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// instanceHelperEnv makes TestInstanceHelperProcess act as a start of
// tasktray with its lock in that directory.
const instanceHelperEnv = "TASKTRAY_INSTANCE_HELPER_DIR"

// TestInstanceHelperProcess is not a test: run by TestOneAgentPerUser in a
// process of its own, it starts as tasktray does. As the agent it says
// "running", then each command it is asked, and stops on quit or when its
// stdin closes; as a second start it asks the agent to show its window,
// says "showed", and exits 0.
func TestInstanceHelperProcess(t *testing.T) {
	dir := os.Getenv(instanceHelperEnv)
	if dir == "" {
		t.Skip("helper process only")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in, err := StartInstance(ctx, dir, quiet)
	if errors.Is(err, ErrAlreadyRunning) {
		askCtx, done := context.WithTimeout(ctx, wait)
		defer done()
		if err := Ask(askCtx, dir, CommandShow); err != nil {
			fmt.Println("ask:", err)
			os.Exit(3)
		}
		fmt.Println("showed")
		return
	}
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(2)
	}
	defer in.Close()
	fmt.Println("running")
	stdin := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(stdin) }()
	for {
		select {
		case r := <-in.Requests():
			fmt.Println(r.Command)
			r.Answer(nil)
			if r.Command == CommandQuit {
				in.Close()
				os.Exit(0) // its stdin reader would fail goleak
			}
		case <-stdin:
			return
		}
	}
}

// startProcess is a helper process, its stdout line by line.
type startProcess struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer // read once it exited
	lines  chan string
	exit   chan error
}

func startInstanceProcess(t *testing.T, dir string, env []string) *startProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestInstanceHelperProcess$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), instanceHelperEnv+"="+dir), env...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &startProcess{cmd: cmd, lines: make(chan string, 16), exit: make(chan error, 1)}
	cmd.Stderr = &p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.lines <- strings.TrimSpace(sc.Text())
		}
		close(p.lines)
		p.exit <- cmd.Wait()
	}()
	t.Cleanup(func() { stdin.Close(); cmd.Process.Kill(); <-p.exit })
	return p
}

// says waits for the process's next line and checks it.
func (p *startProcess) says(t *testing.T, want string) {
	t.Helper()
	select {
	case got := <-p.lines:
		if got != want {
			t.Fatalf("process %d said %q, want %q", p.cmd.Process.Pid, got, want)
		}
	case <-time.After(wait):
		t.Fatalf("process %d said nothing, want %q", p.cmd.Process.Pid, want)
	}
}

// exits waits for the process to end, and checks its exit was 0.
func (p *startProcess) exits(t *testing.T) {
	t.Helper()
	for range p.lines { // what is left
	}
	select {
	case err := <-p.exit:
		p.exit <- err // for the cleanup
		if err != nil {
			t.Fatalf("process exited with %v, want 0; its stderr:\n%s", err, &p.stderr)
		}
	case <-time.After(wait):
		t.Fatal("process did not exit")
	}
}

// crash kills the process as kill -9 does.
func (p *startProcess) crash(t *testing.T) {
	t.Helper()
	p.cmd.Process.Kill()
	for range p.lines {
	}
	p.exit <- <-p.exit
}

// oneAgentPerUser: a second start reaches the first and exits 0; a crashed
// first one (SIGKILL) leaves no lock, socket or bus name that blocks the
// next; a quit request stops the agent, and its lock is then free.
func oneAgentPerUser(t *testing.T, env []string, running func(dir string, p *startProcess)) {
	dir := shortDir(t)
	first := startInstanceProcess(t, dir, env)
	first.says(t, "running")
	running(dir, first)
	second := startInstanceProcess(t, dir, env)
	second.says(t, "showed")
	second.exits(t)
	first.says(t, "show")

	first.crash(t) // nothing released by the process itself
	third := startInstanceProcess(t, dir, env)
	third.says(t, "running")
	running(dir, third)
	fourth := startInstanceProcess(t, dir, env)
	fourth.says(t, "showed")
	fourth.exits(t)
	third.says(t, "show")

	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := Ask(ctx, dir, CommandQuit); err != nil {
		t.Fatalf("quit: %v", err)
	}
	third.says(t, "quit")
	if err := WaitGone(ctx, dir); err != nil {
		t.Fatalf("after quit: %v", err)
	}
	third.exits(t)
	if err := Ask(ctx, dir, CommandShow); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("after quit: %v, want ErrNotRunning", err)
	}
}

// TestOneAgentPerUserBySocket: where there is no session bus.
func TestOneAgentPerUserBySocket(t *testing.T) {
	withoutSessionBus(t) // the helpers inherit it
	oneAgentPerUser(t, nil, func(string, *startProcess) {})
}
