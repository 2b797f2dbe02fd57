package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// stopGrace is how long a process may take to exit after SIGTERM before it
// is killed.
const stopGrace = 5 * time.Second

// process is a child the bench started: a daemon of the session, the agent
// or the floor client. It is stopped by its PID, never by name.
type process struct {
	name    string
	cmd     *exec.Cmd
	log     string        // file holding its stdout and stderr, "" when the caller reads them
	started time.Time     // taken just before the fork
	exited  chan struct{} // closed once it has exited
	waitErr error         // how it exited; written before exited is closed
	// stopping is set by stop: an exit after that is expected, one
	// before it is a crash.
	stopping atomic.Bool
}

// startProcess starts cmd and watches for its exit. It runs in a process
// group of its own, so a Ctrl-C in the terminal reaches only the bench,
// which then stops it; and the kernel kills it if the bench dies first
// (Pdeathsig follows the forking OS thread, which the Go runtime keeps:
// golang/go#27505). When logPath is not "" and cmd has no Stdout or Stderr
// of its own, they go to that file.
func startProcess(name string, cmd *exec.Cmd, logPath string) (*process, error) {
	p := &process{name: name, cmd: cmd, log: logPath, exited: make(chan struct{})}
	if logPath != "" {
		f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, err
		}
		defer f.Close() // the child has its own copy once started
		if cmd.Stdout == nil {
			cmd.Stdout = f
		}
		if cmd.Stderr == nil {
			cmd.Stderr = f
		}
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// pid returns the process id.
func (p *process) pid() int { return p.cmd.Process.Pid }

// crashed returns an error if the process exited without being asked to.
func (p *process) crashed() error {
	select {
	case <-p.exited:
		if !p.stopping.Load() {
			return fmt.Errorf("%s (PID %d) exited on its own: %v%s", p.name, p.pid(), p.waitErr, p.logTail())
		}
	default:
	}
	return nil
}

// stop sends SIGTERM, kills the process after stopGrace, and waits for it.
// It returns an error if the process had crashed before, or did not end
// on SIGTERM.
func (p *process) stop() error {
	crash := p.crashed()
	p.stopping.Store(true)
	if crash != nil {
		return crash
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(stopGrace)
	defer t.Stop()
	select {
	case <-p.exited:
		return nil
	case <-t.C:
		p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("%s (PID %d) ignored SIGTERM for %v and was killed", p.name, p.pid(), stopGrace)
	}
}

// logTail returns the end of the process's log, to explain a crash.
func (p *process) logTail() string {
	if p.log == "" {
		return ""
	}
	b, err := os.ReadFile(p.log)
	if err != nil || len(b) == 0 {
		return ""
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	lines = lines[max(0, len(lines)-20):]
	return fmt.Sprintf("\n--- last lines of %s ---\n%s", filepath.Base(p.log), strings.Join(lines, "\n"))
}

// stopAll stops procs in order and joins their errors.
func stopAll(procs ...*process) error {
	var errs []error
	for _, p := range procs {
		if p != nil {
			errs = append(errs, p.stop())
		}
	}
	return errors.Join(errs...)
}
