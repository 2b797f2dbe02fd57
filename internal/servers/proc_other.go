//go:build !linux

package servers

import "os/exec"

// setDeathSignal does nothing here: only Linux can tie a child's life to its parent's.
// Servers are still killed by the test's cleanup.
func setDeathSignal(cmd *exec.Cmd) {}
