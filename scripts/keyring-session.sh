#!/usr/bin/env bash
# Runs a command inside a throwaway desktop session with a real, unlocked gnome-keyring:
#
#   scripts/keyring-session.sh [--no-keyring] COMMAND [ARG...]
#   e.g. scripts/keyring-session.sh go test -tags realkeyring -run RealKeyring -v ./auth/
#
# The session has a fresh HOME and XDG_RUNTIME_DIR (so the keyring starts empty and nothing
# touches the real ones), its own D-Bus session bus (dbus-run-session) and, unless
# --no-keyring, gnome-keyring-daemon serving org.freedesktop.secrets with a login keyring
# unlocked with the password "pass". The command sees TASKTRAY_KEYRING=gnome-keyring, or
# TASKTRAY_KEYRING=none with --no-keyring, and TASKTRAY_SESSION_HOME (its HOME).
#
# The bus starts no service by itself (no service activation): with --no-keyring nothing
# answers for org.freedesktop.secrets, and nothing is left running afterwards. Everything
# the script starts is stopped by its PID, and the temporary folders are removed, unless
# TASKTRAY_KEEP_SESSION=1, which keeps them and prints where.
#
# Needs: dbus-run-session and dbus-send (Debian: dbus), gnome-keyring-daemon (gnome-keyring).
# Exits with the command's status.
set -euo pipefail

TASKTRAY_SCRIPT="keyring-session"
SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$SCRIPTS/lib.sh"

# How long to wait for gnome-keyring to own org.freedesktop.secrets (it takes ~0.1 s).
READY_TRIES=50 # of 0.1 s

usage() {
	sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# secrets_owned reports whether some process owns org.freedesktop.secrets on the session bus.
secrets_owned() {
	local reply
	reply="$(dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null)" || return 1
	[[ "$reply" == *"boolean true"* ]]
}

# KEYRING_PID is the gnome-keyring-daemon inner started. Global, because the EXIT trap runs
# after inner's locals are gone.
KEYRING_PID=""

# stop_keyring stops the gnome-keyring-daemon that inner started, if it runs.
stop_keyring() {
	if [[ -n "$KEYRING_PID" ]]; then
		kill "$KEYRING_PID" 2>/dev/null || true
		wait "$KEYRING_PID" 2>/dev/null || true
		KEYRING_PID=""
	fi
}

# inner runs inside dbus-run-session: starts the keyring if asked, then the command.
inner() {
	trap stop_keyring EXIT

	if [[ "$TASKTRAY_KEYRING" == "gnome-keyring" ]]; then
		# --foreground keeps the daemon our child, so $! is its PID and we can stop it.
		# --unlock reads the login keyring's password on stdin and creates the keyring.
		printf pass | gnome-keyring-daemon --foreground --unlock --components=secrets \
			>"$SESSION_DIR/gnome-keyring.log" 2>&1 &
		KEYRING_PID=$!
		local try
		for ((try = 0; try < READY_TRIES; try++)); do
			if secrets_owned; then
				break
			fi
			if ! kill -0 "$KEYRING_PID" 2>/dev/null; then
				cat "$SESSION_DIR/gnome-keyring.log" >&2
				die "gnome-keyring-daemon exited before it owned org.freedesktop.secrets"
			fi
			sleep 0.1
		done
		if ((try == READY_TRIES)); then
			cat "$SESSION_DIR/gnome-keyring.log" >&2
			die "gnome-keyring-daemon did not own org.freedesktop.secrets within $((READY_TRIES / 10)) s"
		fi
		say "gnome-keyring (PID $KEYRING_PID) owns org.freedesktop.secrets after $((try * 100)) ms"
	elif secrets_owned; then
		die "something owns org.freedesktop.secrets on a bus that should have no keyring"
	fi

	local status=0
	"$@" || status=$?
	stop_keyring
	return "$status"
}

main() {
	local mode="gnome-keyring"
	if [[ "${1:-}" == "--no-keyring" ]]; then
		mode="none"
		shift
	fi
	case "${1:-}" in
	"" | -h | --help) usage ;;
	esac

	local tool
	for tool in dbus-run-session dbus-send; do
		command -v "$tool" >/dev/null || die "$tool is missing (Debian package: dbus)"
	done
	if [[ "$mode" == "gnome-keyring" ]]; then
		command -v gnome-keyring-daemon >/dev/null || die "gnome-keyring-daemon is missing (Debian package: gnome-keyring)"
	fi

	# Keep Go's caches where they are: a fresh HOME would otherwise mean a cold build.
	go_bin_on_path
	if command -v go >/dev/null; then
		GOCACHE="$(go env GOCACHE)" GOMODCACHE="$(go env GOMODCACHE)" GOPATH="$(go env GOPATH)"
		export GOCACHE GOMODCACHE GOPATH
	fi

	SESSION_DIR="$(mktemp -d "${TMPDIR:-/tmp}/tasktray-keyring.XXXXXX")"
	cleanup() {
		if [[ "${TASKTRAY_KEEP_SESSION:-0}" == "1" ]]; then
			say "kept the session's folders in $SESSION_DIR"
		else
			rm -rf "$SESSION_DIR"
		fi
	}
	trap cleanup EXIT
	mkdir -m 700 "$SESSION_DIR/home" "$SESSION_DIR/run"

	# A session bus like Debian's session.conf, minus the service directories: no service
	# is ever activated, so only what this script starts answers on it.
	cat >"$SESSION_DIR/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:dir=$SESSION_DIR/run</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOF

	export HOME="$SESSION_DIR/home" XDG_RUNTIME_DIR="$SESSION_DIR/run"
	export TASKTRAY_KEYRING="$mode" TASKTRAY_SESSION_HOME="$SESSION_DIR/home" SESSION_DIR
	unset DBUS_SESSION_BUS_ADDRESS XDG_CONFIG_HOME XDG_DATA_HOME XDG_CACHE_HOME XDG_STATE_HOME \
		GNOME_KEYRING_CONTROL SSH_AUTH_SOCK
	say "session: HOME=$HOME, keyring: $mode"

	local status=0
	dbus-run-session --config-file="$SESSION_DIR/bus.conf" -- bash "${BASH_SOURCE[0]}" --inner "$@" || status=$?
	return "$status"
}

if [[ "${1:-}" == "--inner" ]]; then
	shift
	inner "$@"
else
	main "$@"
fi
