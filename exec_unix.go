//go:build unix

package main

import (
	"fmt"
	"os"
	"syscall"

	"tasktray/internal/binpath"
)

// execInstalledAgent replaces this process with the agent binary installed
// with it, if there is one, with the same arguments and environment plus
// where the window binary is (binpath.WindowEnv). The process keeps its
// id, so whoever started tasktray (a shell, the desktop, an autostart
// entry, a test) waits for and signals the agent itself. It returns when
// there is no agent binary, or when the exec failed, saying so: the caller
// then runs the agent in this process.
func execInstalledAgent() {
	self, err := binpath.Self()
	if err != nil {
		return
	}
	agent, ok := binpath.Agent(self)
	if !ok {
		return
	}
	env := append(os.Environ(), binpath.WindowEnv+"="+self)
	argv := append([]string{agent}, os.Args[1:]...)
	err = syscall.Exec(agent, argv, env)
	fmt.Fprintf(os.Stderr, "tasktray: running the agent in this process, since %s did not start: %v\n", agent, err)
}
