// Command tasktray tells you, the moment it happens, that a task of yours
// needs you: a tray icon that shows the link to your task server, and a
// native popup for every task.
//
//	tasktray              the always-on agent (tray icon, link, popups)
//	tasktray -profile company.toml  log in to an existing backend (docs/custom.md)
//	tasktray -demo        the same, against an embedded demo server
//	tasktray -version     version, commit and build date
//	tasktray window VIEW  a window process; the agent starts these itself
//
// This binary links Fyne for the windows. When the agent binary
// (cmd/tasktray-agent, which does not) is installed with it, every role but
// the window one execs that instead, so the process that stays up all day
// does not carry Fyne's pages (internal/binpath, docs/benchmarks.md).
// Without one (go run ., fyne package) the agent runs in this process.
package main

import (
	"fmt"
	"os"

	"tasktray/internal/cli"
	"tasktray/window/app"
)

func main() {
	if len(os.Args) > 2 && os.Args[1] == "window" {
		if err := app.Run(os.Args[2], os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "tasktray window:", err)
			os.Exit(1)
		}
		return
	}
	execInstalledAgent() // returns when there is none, or it failed to start
	os.Exit(cli.Agent(os.Args[1:]))
}
