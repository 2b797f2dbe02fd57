//go:build !linux

package ipc

import "os/exec"

// setParentDeathSignal does nothing where the OS has no parent-death signal;
// the window process still exits on EOF on its stdin when the agent is gone.
func setParentDeathSignal(*exec.Cmd) {}
