#!/usr/bin/env bash
# Runs the Windows builds of tasktray's tests that need no display under Wine, a few packages
# at a time, and prints one line per package.
#
#   scripts/wine-test.sh [PACKAGE...]     default: conn, auth, backend/..., ipc, server, i18n,
#                                         autostart, internal/neterr, and tray's Windows
#                                         resume watcher (WINE_ONLY below)
#
# Each package's tests are built with `GOOS=windows go test -c` (no cgo) and run with
# `wine <pkg>.test.exe -test.v`. Two things of Wine 8.0 (Debian 12's wine64) stand in the way
# (see /work/shared/WINDOWS.md); this script deals with both, in the open:
#
# 1. Go >= 1.22 needs ProcessPrng from bcryptprimitives.dll, which Wine 8.0 lacks: every Go
#    program dies at start. The script builds a stand-in DLL from the C source below with
#    mingw-w64 and puts it in the prefix's system32 (Go loads it from there only).
#
# 2. Deleting a file fails with "unlinkat ...: Invalid function": Go 1.26's os.Remove asks
#    NtSetInformationFile for FileDispositionInformationEx (POSIX delete), which Wine 8.0 does
#    not implement; its answer is not among those after which Go falls back to the older
#    delete (internal/syscall/windows/at_windows.go: deleteatFallback, the one Go uses on
#    Windows before 10 1607 and on FAT32). Every test whose t.TempDir() holds a file at the
#    end would fail in t.TempDir's cleanup, after its own checks passed. So each test binary
#    built here gets one more file, through `go test -overlay` (nothing in the checkout): it
#    sets Go's own switch internal/syscall/windows.TestDeleteatFallback with go:linkname
#    (hence -ldflags=-checklinkname=0), so os.Remove takes that older path under Wine. The
#    tests themselves stay as they are, strict on real Windows and Linux, and run here too.
#
# A test that cannot run under Wine for another reason is named in WINE_SKIP below, with its
# reason; a test named there that no longer exists is reported, so the list cannot rot.
#
# Environment:
#   TASKTRAY_CACHE=DIR   the Wine prefix (with the DLL) lives in DIR/wine, reused between
#                        runs; nothing depends on it: a missing prefix is created (25-30 s)
#   TASKTRAY_WINE_TIMEOUT=10m   -test.timeout of each package
#   TASKTRAY_WINE_JOBS=4        how many packages run under Wine at once
#
# Needs: wine64 (Debian: wine64), x86_64-w64-mingw32-gcc (Debian: gcc-mingw-w64-x86-64).
set -euo pipefail

TASKTRAY_SCRIPT="wine-test"
SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$SCRIPTS/lib.sh"

DEFAULT_PACKAGES=(./conn/... ./auth/... ./backend/... ./ipc/... ./server/... ./i18n/... ./autostart/... ./internal/neterr/... ./tray/)
WINE_TIMEOUT="${TASKTRAY_WINE_TIMEOUT:-10m}"
WINE_JOBS="${TASKTRAY_WINE_JOBS:-4}"
MINGW_CC="x86_64-w64-mingw32-gcc"

# WINE_SKIP: "import/path TestName|reason", one per test that cannot run under Wine 8.0
# because of Wine itself. A test that fails under Wine for any other reason is NOT listed: it
# fails this script, because it would fail on real Windows too.
WINE_SKIP=(
)

# WINE_ONLY: "import/path|regex|reason" (no "|" in regex): of that package, only the tests
# matching regex run under Wine, for the reason given. A package listed here whose regex matches no test fails.
WINE_ONLY=(
	"tasktray/tray|^TestPower|the rest of tray's tests reach the agent over a unix socket, which Wine 8.0 does not implement (WSAEAFNOSUPPORT); these two are the Windows resume watcher's"
)

# DELETE_FALLBACK is the file added to each test binary (point 2 above); @PACKAGE@ becomes
# the package's name.
DELETE_FALLBACK='// Code added by scripts/wine-test.sh to the Wine test build only; DO NOT EDIT.

package @PACKAGE@

import _ "unsafe" // for go:linkname

// Wine 8.0 does not implement FileDispositionInformationEx: make os.Remove use the delete
// Go falls back to on older Windows, so that t.TempDir can clean up under Wine.
//
//go:linkname wineDeleteatFallback internal/syscall/windows.TestDeleteatFallback
var wineDeleteatFallback bool

func init() { wineDeleteatFallback = true }'

# The stand-in for Windows 10's bcryptprimitives.dll: ProcessPrng over BCryptGenRandom,
# which Wine has. Go checks only that ProcessPrng fills the buffer and returns TRUE.
SHIM_C='#include <windows.h>
#include <bcrypt.h>
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
	return BCryptGenRandom(NULL, data, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0;
}'

usage() {
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2
	exit 2
}

# find_wine sets WINE and WINESERVER: /usr/bin/wine when the "wine" package is there, else
# Debian's wine64 binaries themselves (wine64 alone, --no-install-recommends, has no wrapper).
find_wine() {
	WINE="$(command -v wine || command -v wine64 || true)"
	WINESERVER="$(command -v wineserver || true)"
	[[ -n "$WINE" ]] || { [[ -x /usr/lib/wine/wine64 ]] && WINE=/usr/lib/wine/wine64; }
	[[ -n "$WINESERVER" ]] || { [[ -x /usr/lib/wine/wineserver64 ]] && WINESERVER=/usr/lib/wine/wineserver64; }
	[[ -n "$WINE" && -n "$WINESERVER" ]] || die "wine is missing (Debian package: wine64)"
}

# wine_prefix makes sure $WINEPREFIX exists and holds the stand-in DLL.
wine_prefix() {
	export WINEPREFIX WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
	WINEPREFIX="$(cache_dir)/wine/prefix"
	local dll="$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
	# .tasktray-ready is written once wineboot has finished: a prefix without it (a run cut
	# short while making it) is made again rather than trusted.
	if [[ ! -f "$WINEPREFIX/.tasktray-ready" ]]; then
		say "creating the Wine prefix $WINEPREFIX"
		rm -rf "$WINEPREFIX"
		mkdir -p "$WINEPREFIX"
		"$WINE" wineboot --init >/dev/null 2>&1 || die "wineboot --init failed"
		"$WINESERVER" -w
		touch "$WINEPREFIX/.tasktray-ready"
	fi
	if [[ ! -f "$dll" ]]; then
		say "building bcryptprimitives.dll (ProcessPrng stand-in) with $MINGW_CC"
		local src
		src="$(mktemp -d)"
		printf '%s\n' "$SHIM_C" >"$src/shim.c"
		"$MINGW_CC" -shared -O2 -o "$src/bcryptprimitives.dll" "$src/shim.c" -lbcrypt
		cp "$src/bcryptprimitives.dll" "$dll"
		rm -rf "$src"
	fi
}

# skip_regex PKG prints the -test.skip pattern of PKG's tests in WINE_SKIP (empty: none).
skip_regex() {
	local pkg="$1" entry names=()
	for entry in "${WINE_SKIP[@]}"; do
		local key="${entry%%|*}"
		if [[ "${key% *}" == "$pkg" ]]; then names+=("${key#* }"); fi
	done
	if ((${#names[@]} > 0)); then
		local IFS='|'
		printf '^(%s)$' "${names[*]}"
	fi
}

# only_regex PKG prints the -test.run pattern of PKG in WINE_ONLY (empty: every test runs).
only_regex() {
	local pkg="$1" entry rest
	for entry in "${WINE_ONLY[@]}"; do
		rest="${entry#*|}"
		if [[ "${entry%%|*}" == "$pkg" ]]; then printf '%s' "${rest%%|*}"; fi
	done
}

# report_only PKG says which tests of PKG ran under Wine, and why only those.
report_only() {
	local pkg="$1" entry rest
	for entry in "${WINE_ONLY[@]}"; do
		[[ "${entry%%|*}" == "$pkg" ]] || continue
		rest="${entry#*|}"
		echo "    only ${rest%%|*} under Wine: ${rest#*|}"
	done
}

# report_skips PKG BIN names each skipped test and says so if one no longer exists.
report_skips() {
	local pkg="$1" bin="$2" entry listed
	[[ -n "$(skip_regex "$pkg")" ]] || return 0 # nothing skipped: no need to list the tests
	listed="$("$WINE" "$bin" -test.list '.*' 2>/dev/null | tr -d '\r')"
	for entry in "${WINE_SKIP[@]}"; do
		local key="${entry%%|*}" why="${entry#*|}"
		[[ "${key% *}" == "$pkg" ]] || continue
		if grep -qx "${key#* }" <<<"$listed"; then
			echo "    skipped under Wine: ${key#* } ($why)"
		else
			echo "    WARNING: ${key#* } is in WINE_SKIP but no longer exists in $pkg; remove it"
		fi
	done
}

# run_one PKG DIR BIN runs one test binary under Wine, in the package's own folder as go test
# does (testdata/), and leaves its output in BIN.log, "status seconds" in BIN.rc and the
# command in BIN.cmd.
run_one() {
	local pkg="$1" dir="$2" bin="$3" skip only t0=$SECONDS status=0
	local flags=(-test.v -test.count=1 -test.timeout "$WINE_TIMEOUT")
	skip="$(skip_regex "$pkg")"
	[[ -n "$skip" ]] && flags+=(-test.skip "$skip")
	only="$(only_regex "$pkg")"
	[[ -n "$only" ]] && flags+=(-test.run "$only")
	echo "wine $(basename "$bin") ${flags[*]}" >"$bin.cmd"
	(cd "$dir" && "$WINE" "$bin" "${flags[@]}") >"$bin.log" 2>&1 || status=$?
	echo "$status $((SECONDS - t0))" >"$bin.rc"
}

main() {
	local args=("$@")
	case "${1:-}" in -h | --help) usage ;; esac
	cd "$(repo_root)"
	go_bin_on_path
	find_wine
	command -v "$MINGW_CC" >/dev/null || die "$MINGW_CC is missing (Debian package: gcc-mingw-w64-x86-64)"
	((${#args[@]} > 0)) || args=("${DEFAULT_PACKAGES[@]}")

	local started=$SECONDS
	wine_prefix
	say "Wine prefix ready in $((SECONDS - started)) s ($("$WINE" --version))"

	local out
	out="$(mktemp -d "${TMPDIR:-/tmp}/tasktray-wine.XXXXXX")"
	local packages=() line
	mapfile -t packages < <(GOOS=windows go list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}} {{.Name}} {{.Dir}}{{end}}' "${args[@]}" | sed '/^$/d')

	# One overlay and one `go test -c` for every package: go builds them in parallel.
	local pkg name dir overlay="$out/overlay.json" sep="" paths=()
	printf '{"Replace":{' >"$overlay"
	for line in "${packages[@]}"; do
		read -r pkg name dir <<<"$line"
		paths+=("$pkg")
		printf '%s\n' "${DELETE_FALLBACK//@PACKAGE@/$name}" >"$out/$(tr '/' '_' <<<"$pkg").fallback.go"
		printf '%s"%s/zz_wine_delete_windows_test.go":"%s"' "$sep" "$dir" "$out/$(tr '/' '_' <<<"$pkg").fallback.go" >>"$overlay"
		sep=","
	done
	printf '}}\n' >>"$overlay"
	local t0=$SECONDS
	mkdir -p "$out/bin"
	echo "==> GOOS=windows go test -c -o $out/bin/ (${#paths[@]} packages, with the delete fallback overlay)"
	if ! GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go test -c -overlay "$overlay" \
		-ldflags=-checklinkname=0 -o "$out/bin/" "${paths[@]}"; then
		echo "Wine results: the Windows test binaries do not build" >&2
		return 1
	fi
	local built=$((SECONDS - t0))

	# The packages run side by side, JOBS at a time: under Wine they mostly wait (on loopback
	# links, child processes, timers), so this costs little CPU and saves most of the time.
	local bin status took failed=0 results=()
	say "running ${#packages[@]} test binaries under Wine, $WINE_JOBS at a time"
	t0=$SECONDS
	for line in "${packages[@]}"; do
		read -r pkg name dir <<<"$line"
		while (($(jobs -rp | wc -l) >= WINE_JOBS)); do wait -n || true; done
		run_one "$pkg" "$dir" "$out/bin/${pkg##*/}.test.exe" &
	done
	wait
	local ran_for=$((SECONDS - t0))

	for line in "${packages[@]}"; do
		read -r pkg name dir <<<"$line"
		bin="$out/bin/${pkg##*/}.test.exe"
		echo "==> $pkg: $(cat "$bin.cmd")"
		# The result lines, and the test's own lines (file_test.go:N: ...) of each failing or
		# skipped test.
		tr -d '\r' <"$bin.log" | awk '
			/^=== (RUN|CONT|NAME)/ { buf = ""; next }
			/^ *--- (FAIL|SKIP)/ { printf "%s", buf; print; buf = ""; next }
			/^(FAIL|ok|PASS|panic)|unlinkat/ { print; next }
			/_test\.go:[0-9]+:/ { buf = buf $0 "\n" }' | sed 's/^/    /' || true
		report_skips "$pkg" "$bin"
		report_only "$pkg"
		read -r status took <"$bin.rc"
		local passed ran
		passed="$(tr -d '\r' <"$bin.log" | grep -c '^--- PASS' || true)"
		ran="$(tr -d '\r' <"$bin.log" | grep -cE '^--- (PASS|FAIL)' || true)"
		if ((status == 0 && ran == 0)); then
			results+=("FAIL  $pkg  no test ran; log $bin.log")
			failed=1
		elif ((status == 0)); then
			results+=("ok    $pkg  $passed/$ran top-level tests passed (${took} s)")
		else
			results+=("FAIL  $pkg  exit $status; log $bin.log")
			failed=1
		fi
	done
	"$WINESERVER" -k 2>/dev/null || true

	echo
	echo "Wine results ($("$WINE" --version), $((SECONDS - started)) s in all: building ${built} s, running ${ran_for} s):"
	printf '  %s\n' "${results[@]}"
	if ((failed == 0)); then rm -rf "$out"; fi
	return "$failed"
}

main "$@"
