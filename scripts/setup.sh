#!/usr/bin/env bash
# Installs what tasktray needs on a Debian or Ubuntu machine, and only what is missing.
#
#   scripts/setup.sh build   what building the app needs (cgo headers for Fyne's X11/OpenGL driver)
#   scripts/setup.sh test    the above, plus a headless desktop for the tests
#                            (X server, D-Bus, gnome-keyring, a notification daemon, tools)
#                            libsqlite3-dev for building the real ntfy server, redis-server,
#                            and desktop-file-utils/appstream/xz-utils to build the packages
#   scripts/setup.sh windows mingw-w64 and wine64: tasktray.exe and the Windows tests under Wine
#
# Safe to run again and again: it asks dpkg which packages are already there, and runs
# `apt-get update` and `apt-get install` only when something is missing. Needs root or sudo
# only in that case. It also checks that Go 1.26 or newer is on PATH.
set -euo pipefail

TASKTRAY_SCRIPT="setup"
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

GO_MIN_MAJOR=1
GO_MIN_MINOR=26

# Building: gcc and pkg-config for cgo, and the X11 and OpenGL headers that Fyne's driver
# (go-gl and GLFW) compiles against.
BUILD_PACKAGES=(
	gcc pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev
	libxinerama-dev libxi-dev libxxf86vm-dev
)

# Testing on a real but headless desktop: Xvfb (X server), dbus (session bus), gnome-keyring
# and libsecret-tools (the Secret Service and secret-tool), dunst (shows popups),
# imagemagick (screenshots), xdotool (drives windows), x11-utils (xdpyinfo, to see X is up),
# libsqlite3-dev (the real ntfy server that scripts/servers.sh builds links Debian's sqlite),
# redis-server (the two-node Centrifugo cluster test starts its own, on a loopback port),
# fonts-noto-cjk (Chinese, Japanese and Korean task text renders in windows and popups),
# xfce4-panel and xfwm4 (a real tray host and window manager for the zh-CN screenshots),
# xclip (the zh-CN run reads the diagnostics report off the clipboard).
# Never dbus-x11: with it, godbus runs dbus-launch whenever no session bus is set and leaves
# an orphan dbus-daemon behind.
TEST_PACKAGES=(
	locales
	xvfb dbus gnome-keyring libsecret-tools dunst imagemagick xdotool x11-utils
	libsqlite3-dev redis-server
	fonts-noto-cjk xfce4-panel xfwm4 xclip
)

# Building and checking the packages (scripts/package.sh, the test step "package"):
# desktop-file-validate, appstreamcli, xz for Fyne's tarball. The Windows build and the Wine
# tests (scripts/package.sh windows, scripts/wine-test.sh) need mingw-w64 and wine64; they are
# installed only for those (setup.sh windows).
PACKAGE_PACKAGES=(desktop-file-utils appstream xz-utils)
WINDOWS_PACKAGES=(gcc-mingw-w64-x86-64 wine64)

usage() {
	echo "usage: scripts/setup.sh build|test" >&2
	exit 2
}

# missing_packages prints, one a line, the packages given that dpkg does not have installed.
missing_packages() {
	local pkg status
	for pkg in "$@"; do
		status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
		if [[ "$status" != "installed" ]]; then
			printf '%s\n' "$pkg"
		fi
	done
}

# root_command sets ROOT_COMMAND to what runs a command as root: nothing when we are root,
# else sudo. It stops with a clear message when neither is possible.
root_command() {
	if [[ "$(id -u)" -eq 0 ]]; then
		ROOT_COMMAND=()
	elif command -v sudo >/dev/null 2>&1; then
		ROOT_COMMAND=(sudo)
		say "  installing them with sudo (you may be asked for your password)"
	else
		die "installing packages needs root, and sudo is not installed. Run this script as root, or install these yourself: apt-get install $*"
	fi
}

# ensure_packages WHY PKG... installs the missing ones among PKG, saying why they are needed.
ensure_packages() {
	local why="$1"
	shift
	if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
		say "WARNING: this is not a Debian/Ubuntu system (no dpkg/apt-get); cannot check packages."
		say "  Install the equivalents of these yourself ($why): $*"
		return 0
	fi

	local missing=()
	mapfile -t missing < <(missing_packages "$@")
	if ((${#missing[@]} == 0)); then
		say "packages $why: all ${#} present"
		return 0
	fi

	say "packages $why: missing ${missing[*]}"
	root_command "${missing[@]}"
	local log
	log="$(mktemp "${TMPDIR:-/tmp}/tasktray-apt.XXXXXX.log")"
	say "  running apt-get update and apt-get install (output in $log)"
	if ! "${ROOT_COMMAND[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update >"$log" 2>&1 ||
		! "${ROOT_COMMAND[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
		tail -n 30 "$log" >&2
		die "could not install ${missing[*]} (full output in $log)"
	fi
	rm -f "$log"
	say "  installed ${#missing[@]} package(s)"
}

# warn_about_dbus_x11 explains the trouble dbus-x11 causes, without removing anything.
warn_about_dbus_x11() {
	if command -v dpkg-query >/dev/null 2>&1 &&
		[[ "$(dpkg-query -W -f='${db:Status-Status}' dbus-x11 2>/dev/null || true)" == "installed" ]]; then
		say "WARNING: dbus-x11 is installed. With it, a D-Bus client started without a session bus"
		say "  runs dbus-launch and leaves an orphan dbus-daemon behind. The tests set up their"
		say "  own bus, so they still work; remove it (apt-get remove dbus-x11) if you see strays."
	fi
}

# ensure_locale generates en_US.UTF-8 when it is missing: under C.UTF-8 Fyne logs
# "Error parsing user locale C" in every window process.
ensure_locale() {
	if locale -a 2>/dev/null | grep -qiE '^en_US\.utf-?8$'; then
		return 0
	fi
	if [[ ! -f /etc/locale.gen ]] || ! command -v locale-gen >/dev/null 2>&1; then
		say "locale en_US.UTF-8 is missing and cannot be generated here; the tests use C.UTF-8"
		return 0
	fi
	say "locale en_US.UTF-8 is missing: generating it (for the test desktop's windows)"
	root_command locales
	"${ROOT_COMMAND[@]}" sed -i 's/^# *\(en_US.UTF-8 UTF-8\)/\1/' /etc/locale.gen
	if ! grep -q '^en_US.UTF-8 UTF-8' /etc/locale.gen; then
		echo 'en_US.UTF-8 UTF-8' | "${ROOT_COMMAND[@]}" tee -a /etc/locale.gen >/dev/null
	fi
	"${ROOT_COMMAND[@]}" locale-gen >/dev/null || say "WARNING: locale-gen failed; the tests use C.UTF-8"
}

# check_go makes sure Go 1.26 or newer is on PATH.
check_go() {
	go_bin_on_path
	if ! command -v go >/dev/null 2>&1; then
		die "Go is not installed (or not on PATH). tasktray needs Go $GO_MIN_MAJOR.$GO_MIN_MINOR or newer: install the official Go release under /usr/local/go and add /usr/local/go/bin to PATH. (Debian's golang package is too old.)"
	fi
	local version major minor
	version="$(go env GOVERSION)" # for example go1.26.8
	version="${version#go}"
	major="${version%%.*}"
	minor="${version#*.}"
	minor="${minor%%.*}"
	minor="${minor%%[!0-9]*}"
	if ! [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]]; then
		say "WARNING: could not read Go's version from '$(go env GOVERSION)'; carrying on"
		return 0
	fi
	if ((major < GO_MIN_MAJOR || (major == GO_MIN_MAJOR && minor < GO_MIN_MINOR))); then
		die "Go $version is too old (at $(command -v go)); tasktray needs Go $GO_MIN_MAJOR.$GO_MIN_MINOR or newer."
	fi
	say "Go $version at $(command -v go): ok"
}

main() {
	local what="${1:-}"
	case "$what" in
	build)
		check_go
		ensure_packages "to build (cgo, X11/OpenGL headers)" "${BUILD_PACKAGES[@]}"
		;;
	test)
		check_go
		ensure_packages "to build (cgo, X11/OpenGL headers)" "${BUILD_PACKAGES[@]}"
		ensure_packages "to test on a headless desktop (Xvfb, D-Bus, keyring, popups)" "${TEST_PACKAGES[@]}"
		ensure_packages "to build and check the .deb/.rpm (desktop file, metainfo)" "${PACKAGE_PACKAGES[@]}"
		ensure_locale
		warn_about_dbus_x11
		;;
	windows)
		check_go
		ensure_packages "to cross-build tasktray.exe and run Windows tests under Wine" "${WINDOWS_PACKAGES[@]}"
		;;
	*)
		usage
		;;
	esac
}

main "$@"
