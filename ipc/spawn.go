package ipc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"sync/atomic"
	"time"
)

// waitDelay bounds how long Child.Wait waits for the pipes to drain once the
// process has exited (or been killed), in case something it started still
// holds them.
const waitDelay = 2 * time.Second

// Child is a window process started by Spawn. Send queues messages for its
// stdin and never blocks; Receive reads its stdout.
//
// Read with Receive until it returns an error (io.EOF once the process has
// exited), then call Wait: Wait closes the pipes, so calling it earlier can
// lose the last messages, such as Closed.
type Child struct {
	in  *Conn // reads stdout; never writes
	out *writer
	cmd *exec.Cmd

	killed atomic.Bool // Kill was called: Wait says so
	waited atomic.Bool // Wait has returned: the process is gone
}

// Spawn starts exe with args, wired to a Conn over its stdin and stdout; its
// stderr is the agent's. The process is killed when ctx ends and, on Linux,
// gets SIGTERM if the agent dies first. Everywhere, a window process exits on
// EOF on its stdin, which it sees when the agent is gone. env holds
// "NAME=value" pairs the child gets on top of the agent's environment, such
// as its language (i18n.Env).
func Spawn(ctx context.Context, exe string, args []string, env ...string) (*Child, error) {
	cmd := exec.CommandContext(ctx, exe, args...)
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
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
	c := &Child{in: NewConn(stdout, nil), cmd: cmd}
	c.out = newWriter(stdin, func() { c.Kill() })
	go c.out.run(ctx)
	return c, nil
}

// Send queues m for the window and returns at once: the agent's loop calls it
// and must never wait on a window. A window that takes no write for
// StuckAfter, or lets QueueMessages messages or QueueBytes bytes pile up, is
// killed: Send returns an error wrapping ErrWindowStuck, Receive ends as the
// process exits, and every later Send fails. Send also fails once the window
// has exited or its stdin is closed. Safe for concurrent use.
func (c *Child) Send(m Message) error {
	line, err := encodeLine(m)
	if err != nil {
		return err
	}
	if err := c.out.send(line); err != nil {
		return fmt.Errorf("window process %d: %s: %w", c.Pid(), m.Type(), err)
	}
	return nil
}

// Receive reads the window's next message, as Conn.Receive does: io.EOF
// once the process has exited, lines that are not messages skipped.
func (c *Child) Receive() (Message, error) { return c.in.Receive() }

// SetLogger sets where Receive reports the lines it skips (slog.Default
// until then). Call it before the first Receive.
func (c *Child) SetLogger(l *slog.Logger) { c.in.SetLogger(l) }

// Pid is the process id of the child.
func (c *Child) Pid() int { return c.cmd.Process.Pid }

// Kill ends the child at once and drops what waits to be sent to it; every
// later Send fails. Killing a child that has already exited is not an error.
func (c *Child) Kill() error {
	c.killed.Store(true)
	c.out.fail(errKilled)
	c.out.halt()
	// After Wait, Unix says os.ErrProcessDone but Windows has released the
	// process handle and says EINVAL: either way the child is gone.
	if err := c.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) && !c.waited.Load() {
		return fmt.Errorf("ipc: kill window process %d: %w", c.Pid(), err)
	}
	return nil
}

// Wait waits for the child to exit and releases its pipes and resources. It
// returns nil when the process exited with status 0 and otherwise, as
// exec.Cmd.Wait does, an *exec.ExitError; for a child that Kill ended
// (stuck windows included), wrapped in an error that says the agent killed
// it: on Windows a killed process just exits with status 1, no signal tells.
// Call it exactly once, after Receive has returned an error. The goroutine
// that feeds the window's stdin has ended when it returns.
func (c *Child) Wait() error {
	c.out.halt()
	err := c.cmd.Wait() // closes stdin, which ends a write still under way
	c.waited.Store(true)
	c.out.end()
	if err != nil && c.killed.Load() {
		return fmt.Errorf("%w (%w)", errKilled, err)
	}
	return err
}
