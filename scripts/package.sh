#!/usr/bin/env bash
# Builds tasktray's packages into dist/ (or $TASKTRAY_DIST), and checks an installed .deb.
#
#   scripts/package.sh [all]   linux, fyne and windows below
#   scripts/package.sh linux   dist/tasktray_<v>_amd64.deb and dist/tasktray-<v>-1.x86_64.rpm (nfpm):
#                              /usr/bin/tasktray (windows; execs the agent) and
#                              /usr/lib/tasktray/tasktray-agent (the agent, without Fyne)
#   scripts/package.sh fyne    dist/tasktray.tar.xz, the tarball of `fyne package -os linux`
#   scripts/package.sh windows dist/tasktray.exe: cgo through mingw-w64, with its icon and manifest
#   scripts/package.sh check   (root) installs dist/tasktray_*.deb with apt-get, runs it (version,
#                              the demo smoke on a headless desktop), purges it and checks that
#                              nothing of it is left in /usr
#
# The version is FyneApp.toml's; the commit and build date go into the binary with -ldflags
# (internal/version). nfpm, go-winres and the icon generator are pinned in packaging/go.mod,
# a module of its own, so the app's go.mod does not carry them.
#
# Needs: Go, the build packages of scripts/setup.sh build, desktop-file-utils and appstream
# (linux); gcc-mingw-w64-x86-64 (windows); xvfb, dbus, dunst (check).
#
# Environment:
#   TASKTRAY_DIST=DIR        where the packages go (default: dist/ in the repository)
#   TASKTRAY_CACHE=DIR       cache of Windows builds keyed by a hash of the sources
#                            (default ~/.cache/tasktray-ci); a miss just means a build
#   TASKTRAY_MAINTAINER=...  the packages' Maintainer field
#   TASKTRAY_SMOKE_TIMEOUT=60  seconds the demo smoke waits for its first popup
set -euo pipefail

TASKTRAY_SCRIPT="package"
SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$SCRIPTS/lib.sh"

APP_ID="io.github.tasktray"
FYNE_TOOL="fyne.io/tools/cmd/fyne@v1.7.4"
WIN_CC="x86_64-w64-mingw32-gcc"
SMOKE_TIMEOUT="${TASKTRAY_SMOKE_TIMEOUT:-60}"

usage() {
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2
	exit 2
}

# timed NAME CMD... runs CMD, says how long it took and returns CMD's status.
timed() {
	local name="$1" started=$SECONDS status=0
	shift
	"$@" || status=$?
	say "$name: $((SECONDS - started)) s"
	return "$status"
}

# app_version prints FyneApp.toml's Version.
app_version() {
	sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml | head -n 1
}

# app_commit prints the short commit, with -dirty when tracked files differ from it.
app_commit() {
	local c
	c="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
	if ! git diff --quiet HEAD -- 2>/dev/null; then
		c="$c-dirty"
	fi
	printf '%s\n' "$c"
}

# ldflags prints the -X flags of internal/version for this build.
ldflags() {
	local pkg="tasktray/internal/version"
	printf -- '-s -w -X %s.version=%s -X %s.commit=%s -X %s.date=%s' \
		"$pkg" "$VERSION" "$pkg" "$COMMIT" "$pkg" "$BUILD_DATE"
}

# ---- linux: .deb and .rpm -------------------------------------------------------------------

# stage_linux fills $STAGE with every file the packages hold, and checks the desktop file
# and the metainfo as they will be installed.
stage_linux() {
	rm -rf "$STAGE"
	mkdir -p "$STAGE/usr/bin" "$STAGE/usr/lib/tasktray" "$STAGE/usr/share/applications" \
		"$STAGE/usr/share/metainfo" "$STAGE/usr/share/doc/tasktray"

	say "go build -o $STAGE/usr/bin/tasktray . (version $VERSION, commit $COMMIT)"
	timed "build linux binary" go build -ldflags "$(ldflags)" -o "$STAGE/usr/bin/tasktray" .
	# The always-on agent without Fyne: /usr/bin/tasktray execs it for every role but the
	# window one (internal/binpath), so what stays up all day costs what a WebSocket client
	# costs (docs/benchmarks.md).
	say "go build -o $STAGE/usr/lib/tasktray/tasktray-agent ./cmd/tasktray-agent"
	timed "build linux agent" go build -ldflags "$(ldflags)" -o "$STAGE/usr/lib/tasktray/tasktray-agent" \
		./cmd/tasktray-agent

	install -m 0644 "packaging/$APP_ID.desktop" "$STAGE/usr/share/applications/"
	desktop-file-validate "$STAGE/usr/share/applications/$APP_ID.desktop"
	say "desktop-file-validate: ok"

	sed -e "s/@VERSION@/$VERSION/" -e "s/@DATE@/${BUILD_DATE%%T*}/" \
		"packaging/$APP_ID.metainfo.xml" >"$STAGE/usr/share/metainfo/$APP_ID.metainfo.xml"
	appstreamcli validate --no-net --pedantic "$STAGE/usr/share/metainfo/$APP_ID.metainfo.xml"

	timed "icons" go -C packaging run ./cmd/icons -src ../assets/icon.png -name "$APP_ID" \
		-out "$STAGE/usr/share/icons/hicolor"

	cp README.md "$STAGE/usr/share/doc/tasktray/README.md"
	if [[ -f LICENSE ]]; then
		cp LICENSE "$STAGE/usr/share/doc/tasktray/copyright"
	else
		say "WARNING: the repository has no LICENSE file: the packages ship without one"
	fi
}

build_linux() {
	STAGE="$DIST/stage"
	stage_linux
	local format
	for format in deb rpm; do
		say "nfpm package -p $format"
		STAGE="$STAGE" VERSION="$VERSION" \
			MAINTAINER="${TASKTRAY_MAINTAINER:-tasktray developers}" \
			LICENSE_NAME="$(license_name)" \
			timed "nfpm $format" go -C packaging tool nfpm package -f nfpm.yaml -p "$format" -t "$DIST/"
	done
	rm -rf "$STAGE"
}

# license_name prints the license's SPDX name from LICENSE's first line, or "unknown".
license_name() {
	local first=""
	[[ -f LICENSE ]] && first="$(head -n 1 LICENSE)"
	case "$first" in
	*"MIT License"*) echo MIT ;;
	*"Apache License"*) echo Apache-2.0 ;;
	*"BSD 3-Clause"*) echo BSD-3-Clause ;;
	*"GNU GENERAL PUBLIC LICENSE"*) echo GPL-3.0-or-later ;;
	*) echo unknown ;;
	esac
}

# ---- fyne's own tarball ---------------------------------------------------------------------

build_fyne() {
	local work
	work="$(mktemp -d "${TMPDIR:-/tmp}/tasktray-fyne.XXXXXX")"
	# fyne package writes a generated fyne_metadata_init.go into the source folder while it
	# builds, and the binary and tarball into the folder it runs in. So it runs on a copy of
	# the committed sources (git archive HEAD): the checkout is never touched, and since its
	# release build uses -trimpath the copy's path costs no extra compiling.
	mkdir -p "$work/src"
	git archive HEAD | tar -x -C "$work/src"
	say "go run $FYNE_TOOL package -os linux --release (on git archive HEAD in $work)"
	(cd "$work" && timed "fyne package -os linux" go run "$FYNE_TOOL" package -os linux --release \
		--src "$work/src" --icon "$work/src/assets/icon.png")
	mv "$work/tasktray.tar.xz" "$DIST/tasktray.tar.xz"
	rm -rf "$work"
}

# ---- windows --------------------------------------------------------------------------------

# source_hash prints a hash of everything the Windows build reads: tracked and untracked Go
# sources, go.mod/go.sum, assets, packaging/go.mod, the Go and mingw versions, and the version.
source_hash() {
	{
		git ls-files -co --exclude-standard -z -- '*.go' go.mod go.sum FyneApp.toml 'assets/*' \
			packaging/go.mod packaging/go.sum | sort -z | xargs -0 sha256sum
		go version
		"$WIN_CC" --version | head -n 1
		echo "$VERSION"
	} | sha256sum | cut -c1-16
}

build_windows() {
	command -v "$WIN_CC" >/dev/null || die "$WIN_CC is missing (Debian package: gcc-mingw-w64-x86-64)"
	local key cached
	key="$(source_hash)"
	cached="$(cache_dir)/windows/tasktray-$key.exe"
	if [[ -f "$cached" ]]; then
		say "tasktray.exe: cache hit ($cached, sources $key)"
		cp "$cached" "$DIST/tasktray.exe"
		return 0
	fi
	# go-winres writes the icon (every size, from assets/icon.png) and a GUI manifest (common
	# controls v6, per-monitor DPI awareness, supported OS list) into a .syso. The _windows_amd64
	# suffix keeps it out of every other build, and it exists only while this build runs.
	local syso="rsrc_windows_amd64.syso" status=0
	rm -f "$DIST/tasktray.exe" # never cache or ship an exe of an earlier build
	go -C packaging tool go-winres simply --arch amd64 --out "../rsrc" --manifest gui \
		--icon ../assets/icon.png --product-name tasktray --file-description tasktray \
		--original-filename tasktray.exe --product-version "$VERSION" --file-version "$VERSION"
	say "CGO_ENABLED=1 GOOS=windows CC=$WIN_CC go build -o $DIST/tasktray.exe . (cold: minutes)"
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC="$WIN_CC" \
		timed "build windows exe" go build -ldflags "$(ldflags) -H=windowsgui" -o "$DIST/tasktray.exe" . ||
		status=$?
	rm -f "$syso"
	((status == 0)) || return "$status"
	mkdir -p "$(dirname "$cached")"
	cp "$DIST/tasktray.exe" "$cached.partial" && mv "$cached.partial" "$cached"
}

# ---- check an installed .deb ----------------------------------------------------------------

# smoke_inner runs inside dbus-run-session: a notification daemon, a monitor of the Notify
# calls, then the installed tasktray in demo mode; it succeeds when the first popup of a
# demo task is seen on the bus.
smoke_inner() {
	local dir="$1" pids=() status=1
	stop_all() {
		local p
		for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
		for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	}
	trap stop_all RETURN
	dbus-monitor --session "type='method_call',interface='org.freedesktop.Notifications',member='Notify'" \
		>"$dir/monitor.log" 2>&1 &
	pids+=($!)
	dunst >"$dir/dunst.log" 2>&1 &
	pids+=($!)
	tasktray -demo -demo-every 1s >"$dir/tasktray.log" 2>&1 &
	local app=$!
	pids+=("$app")
	local tries
	for ((tries = 0; tries < SMOKE_TIMEOUT * 10; tries++)); do
		if grep -q 'member=Notify' "$dir/monitor.log"; then
			status=0
			break
		fi
		if ! kill -0 "$app" 2>/dev/null; then
			say "tasktray exited before any popup"
			break
		fi
		sleep 0.1
	done
	if ((status == 0)); then
		say "smoke: first popup after $((tries / 10)).$((tries % 10)) s:"
		# /usr/bin/tasktray execs the agent binary: the process it started is that binary now.
		local exe
		exe="$(readlink "/proc/$app/exe" 2>/dev/null || true)"
		if [[ "$exe" == /usr/lib/tasktray/tasktray-agent ]]; then
			say "smoke: the agent runs as $exe (pid $app)"
		else
			say "smoke: the agent runs as '$exe', not /usr/lib/tasktray/tasktray-agent"
			status=1
		fi
		# app_name, replaces_id, icon, summary, body of the first Notify call.
		grep -m 1 -A 5 'member=Notify' "$dir/monitor.log" | sed -n '2p;5,6p' >&2
	else
		say "smoke: no popup within $SMOKE_TIMEOUT s; tasktray's log:"
		cat "$dir/tasktray.log" >&2
	fi
	return "$status"
}

# demo_smoke starts a headless desktop (Xvfb, its own session bus, fresh HOME) and runs
# smoke_inner in it.
demo_smoke() {
	local dir display=:97 xvfb status=0
	dir="$(mktemp -d "${TMPDIR:-/tmp}/tasktray-smoke.XXXXXX")"
	mkdir -p "$dir/home" "$dir/run"
	chmod 700 "$dir/run"
	while [[ -e "/tmp/.X11-unix/X${display#:}" ]]; do display=":$((${display#:} + 1))"; done
	Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$dir/xvfb.log" 2>&1 &
	xvfb=$!
	local tries
	for ((tries = 0; tries < 100; tries++)); do
		[[ -e "/tmp/.X11-unix/X${display#:}" ]] && break
		sleep 0.1
	done
	export -f smoke_inner say
	HOME="$dir/home" XDG_RUNTIME_DIR="$dir/run" DISPLAY="$display" LANG="${LANG:-C.UTF-8}" \
		SMOKE_TIMEOUT="$SMOKE_TIMEOUT" TASKTRAY_SCRIPT="$TASKTRAY_SCRIPT" \
		dbus-run-session -- bash -c 'smoke_inner "$1"' _ "$dir" || status=$?
	kill "$xvfb" 2>/dev/null || true
	wait "$xvfb" 2>/dev/null || true
	if ((status == 0)); then rm -rf "$dir"; else say "kept the smoke's logs in $dir"; fi
	return "$status"
}

check_deb() {
	[[ "$(id -u)" -eq 0 ]] || die "check installs a package: run it as root"
	local debs=("$DIST"/tasktray_*_amd64.deb)
	[[ -f "${debs[0]}" ]] || die "no $DIST/tasktray_*_amd64.deb: run scripts/package.sh linux first"
	((${#debs[@]} == 1)) || die "more than one .deb in $DIST: ${debs[*]}"
	if dpkg-query -W tasktray >/dev/null 2>&1; then
		die "tasktray is already installed here; the check needs a machine without it"
	fi

	timed "apt-get install" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends "$(realpath "${debs[0]}")" >/dev/null
	local listed
	listed="$(mktemp)"
	dpkg -L tasktray >"$listed"
	say "installed: $(wc -l <"$listed") paths; $(command -v tasktray)"

	local failed=0
	if tasktray -h 2>&1 | grep -q -- '-version'; then
		tasktray -version || failed=1
	else
		say "tasktray has no -version flag yet; running -h"
		tasktray -h >/dev/null 2>&1 || failed=1
	fi
	desktop-file-validate "/usr/share/applications/$APP_ID.desktop" || failed=1
	appstreamcli validate --no-net "/usr/share/metainfo/$APP_ID.metainfo.xml" >/dev/null || failed=1
	timed "demo smoke" demo_smoke || failed=1

	timed "apt-get purge" env DEBIAN_FRONTEND=noninteractive apt-get purge -y tasktray >/dev/null
	local path left=()
	while IFS= read -r path; do
		# Folders such as /usr/share/icons/hicolor belong to other packages too; files do not.
		if [[ -e "$path" && ! -d "$path" ]]; then left+=("$path"); fi
	done <"$listed"
	while IFS= read -r path; do left+=("$path"); done < <(find /usr -xdev \( -iname '*tasktray*' \) 2>/dev/null)
	rm -f "$listed"
	if ((${#left[@]} > 0)); then
		say "left in /usr after purge: ${left[*]}"
		failed=1
	else
		say "purge: nothing of tasktray left in /usr"
	fi
	return "$failed"
}

# ---- main -----------------------------------------------------------------------------------

sizes() {
	local f
	for f in "$DIST"/*.deb "$DIST"/*.rpm "$DIST"/tasktray.tar.xz "$DIST"/tasktray.exe; do
		[[ -f "$f" ]] && say "$(du -h --apparent-size "$f" | cut -f1)  $(stat -c %s "$f") bytes  $f"
	done
	return 0
}

main() {
	local what="${1:-all}"
	cd "$(repo_root)"
	go_bin_on_path
	DIST="${TASKTRAY_DIST:-$(pwd)/dist}"
	mkdir -p "$DIST"
	DIST="$(cd "$DIST" && pwd)"
	VERSION="$(app_version)"
	[[ -n "$VERSION" ]] || die "no Version in FyneApp.toml"
	COMMIT="$(app_commit)"
	BUILD_DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	case "$what" in
	all)
		timed "linux packages" build_linux
		timed "fyne tarball" build_fyne
		timed "windows exe" build_windows
		sizes
		;;
	linux) timed "linux packages" build_linux && sizes ;;
	fyne) timed "fyne tarball" build_fyne && sizes ;;
	windows) timed "windows exe" build_windows && sizes ;;
	check) check_deb ;;
	-h | --help) usage ;;
	*) usage ;;
	esac
}

main "$@"
