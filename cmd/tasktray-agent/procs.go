package main

import (
	"os"
	"runtime"
)

// oneProc runs the agent's goroutines on one OS thread at a time unless
// GOMAXPROCS says otherwise. The agent handles one event at a time (a
// frame, a ping, a menu click); with more Ps, every wake-up also wakes a
// second thread that spins looking for work, which doubles the agent's
// wake-ups while it waits (docs/benchmarks.md). The Go runtime still
// runs blocking system calls and cgo on threads of their own.
func oneProc() {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
}
