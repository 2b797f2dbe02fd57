package ipc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"
)

// waitDelay bounds how long Child.Wait waits for the pipes to drain once the
// process has exited (or been killed), in case something it started still
// holds them.
const waitDelay = 2 * time.Second

// Child is a window process started by Spawn. Its embedded Conn writes to the
// process's stdin and reads from its stdout.
//
// Read with Receive until it returns an error (io.EOF once the process has
// exited), then call Wait: Wait closes the pipes, so calling it earlier can
// lose the last messages, such as Closed.
type Child struct {
	*Conn
	cmd *exec.Cmd
}

// Spawn starts exe with args, wired to a Conn over its stdin and stdout; its
// stderr is the agent's. The process is killed when ctx ends and, on Linux,
// gets SIGTERM if the agent dies first. Everywhere, a window process exits on
// EOF on its stdin, which it sees when the agent is gone.
func Spawn(ctx context.Context, exe string, args []string) (*Child, error) {
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Stderr = os.Stderr
	cmd.WaitDelay = waitDelay
	setParentDeathSignal(cmd)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("ipc: spawn %s: %w", exe, err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		stdin.Close()
		return nil, fmt.Errorf("ipc: spawn %s: %w", exe, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("ipc: spawn %s: %w", exe, err) // Start closed the pipes
	}
	return &Child{Conn: NewConn(stdout, stdin), cmd: cmd}, nil
}

// Pid is the process id of the child.
func (c *Child) Pid() int { return c.cmd.Process.Pid }

// Kill ends the child at once. Killing a child that has already exited is not
// an error.
func (c *Child) Kill() error {
	if err := c.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("ipc: kill window process %d: %w", c.Pid(), err)
	}
	return nil
}

// Wait waits for the child to exit and releases its pipes and resources. It
// returns nil when the process exited with status 0 and otherwise, as
// exec.Cmd.Wait does, an *exec.ExitError (a killed child's says "signal:
// killed"). Call it exactly once, after Receive has returned an error.
func (c *Child) Wait() error {
	return c.cmd.Wait()
}
