#!/usr/bin/env bash
# Runs the performance benchmark: the real tasktray agent side by side with the floor (a bare
# WebSocket client that calls Notify for each task), on one reference server and one bus.
#
#   scripts/bench.sh              full run (about 14 min): 2,000 tasks at 200/s, idle 10 min,
#                                 5 starts, burst of 1,000; rewrites the results in
#                                 docs/benchmarks.md and docs/benchmarks/latency.png
#   scripts/bench.sh -short       CI run (about 40 s); writes nothing
#   scripts/bench.sh -h           every flag of cmd/tasktray-bench
#
# Any argument goes to `go run ./cmd/tasktray-bench`. The bench itself starts the throwaway
# session (fresh HOME and XDG_RUNTIME_DIR, Xvfb, a private dbus-daemon, an unlocked
# gnome-keyring), builds and starts the agent in it, and stops every process it started by
# its PID, also on failure or Ctrl-C; TASKTRAY_KEEP_SESSION=1 keeps the run's folder and logs.
# This script checks the tools first and runs the bench from the repository root.
#
# Needs: Go, Xvfb (xvfb), dbus-daemon (dbus), gnome-keyring-daemon (gnome-keyring), and the
# agent's build headers (scripts/setup.sh installs them all).
# Exits 1 only when a task was lost or duplicated or a process crashed; a missed time or size
# target never fails a run.
set -euo pipefail

TASKTRAY_SCRIPT="bench"
SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$SCRIPTS/lib.sh"

main() {
	go_bin_on_path
	local tool
	for tool in go Xvfb dbus-daemon gnome-keyring-daemon; do
		command -v "$tool" >/dev/null || die "$tool is missing (run scripts/setup.sh)"
	done
	cd "$(repo_root)"
	export TASKTRAY_BENCH_COMMAND="scripts/bench.sh${*:+ $*}"
	exec go run ./cmd/tasktray-bench "$@"
}

main "$@"
