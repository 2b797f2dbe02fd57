package desktoptest

import (
	"os/exec"
	"syscall"
)

// killWithParent makes the kernel kill cmd when the test binary dies, so a
// test that times out or panics leaves no daemon behind. The signal follows
// the OS thread that forked (golang/go#27505); the Go runtime keeps its
// threads unless a goroutine exits while locked to one.
func killWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
