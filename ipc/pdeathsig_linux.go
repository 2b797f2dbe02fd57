package ipc

import (
	"os/exec"
	"syscall"
)

// setParentDeathSignal makes the kernel send the child SIGTERM when the agent
// dies, so a window never outlives it even if it stopped reading its stdin.
// Linux ties this to the thread that forked rather than the process
// (golang/go#27505); the Go runtime only retires a thread when a goroutine
// that locked it exits, which the agent never does while spawning.
func setParentDeathSignal(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
