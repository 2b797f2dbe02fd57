//go:build !linux

package desktoptest

import "os/exec"

// killWithParent does nothing where the kernel offers no parent-death
// signal; Cleanup still stops the process when the test ends normally.
func killWithParent(*exec.Cmd) {}
