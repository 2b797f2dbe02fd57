// Command tasktray-agent is tasktray's always-on agent alone: the tray icon,
// the link to the task server and the popups, without the window role.
//
// It does not link Fyne, so the pages it touches while it waits are those of
// a WebSocket client, not of a GUI toolkit (docs/benchmarks.md). The
// packages install it beside the tasktray binary (or in ../lib/tasktray/
// for /usr/bin/tasktray); tasktray execs it for every role but the window
// one, and it starts "<tasktray> window VIEW" for each window, finding that
// binary through TASKTRAY_WINDOW_BIN (see tray.WindowBinaryEnv).
//
//	tasktray-agent [flags]   the same flags as tasktray (tasktray-agent -h)
package main

import (
	"os"

	"tasktray/internal/cli"
	"tasktray/internal/settle"
)

func main() {
	settle.Start()
	os.Exit(cli.Agent(os.Args[1:]))
}
