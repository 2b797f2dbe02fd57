#!/usr/bin/env bash
# Builds tasktray and runs it in demo mode: it starts its own reference server inside the
# app and shows tasks arriving in the tray, with popups, and needs no account anywhere.
#
#   ./scripts/demo.sh [more flags for tasktray]
#
# Installs what building needs first (see scripts/setup.sh). The app lives in the system
# tray, so it needs a desktop session (X11 or Wayland) with a tray: GNOME needs the
# "AppIndicator and KStatusNotifierItem Support" extension; KDE, XFCE, Cinnamon and most
# others show it as is.
set -euo pipefail

TASKTRAY_SCRIPT="demo"
SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$SCRIPTS/lib.sh"

explain_no_display() {
	say "There is no desktop session here (neither DISPLAY nor WAYLAND_DISPLAY is set)."
	say "  tasktray is a tray app: it shows an icon in the desktop's system tray and popups,"
	say "  so it needs a graphical session with a tray. Run this script from a terminal"
	say "  inside your desktop (not over plain ssh). The app was built: bin/tasktray."
	say "  To check everything headless instead, run ./scripts/test.sh (it starts its own"
	say "  virtual X server, D-Bus and keyring)."
}

main() {
	cd "$(repo_root)"
	"$SCRIPTS/setup.sh" build

	say "building bin/tasktray (the first build compiles Fyne and takes a few minutes)"
	local started=$SECONDS
	go build -o bin/tasktray .
	say "built bin/tasktray in $((SECONDS - started)) s"

	if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
		explain_no_display
		exit 1
	fi
	say "running bin/tasktray -demo${*:+ $*} (look for its icon in the tray; Ctrl-C to stop)"
	exec bin/tasktray -demo "$@"
}

main "$@"
