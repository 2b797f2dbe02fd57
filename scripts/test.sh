#!/usr/bin/env bash
# Runs every test of tasktray. Installs what is missing first (see scripts/setup.sh).
#
#   ./scripts/test.sh              everything, in this order:
#       vet          go vet ./...
#       unit         go test -race -count=1 ./...        (the project's own packages)
#       cross        the non-UI packages compile for Windows and macOS
#       wine         the Windows builds of the packages that need no display, their tests run
#                    under Wine (scripts/wine-test.sh; installs wine64 and mingw-w64)
#       fuzz         each `func Fuzz...` for a few seconds
#       keyring      real gnome-keyring tests, through scripts/keyring-session.sh
#       realservers  tests against real Gotify, Centrifugo and ntfy servers (built and cached)
#       e2e          the end-to-end desktop test (Xvfb, D-Bus, keyring, tray, popups)
#       chaos        tasktray-chaos -short: every kind against misbehaving links and servers
#       bench        the benchmark's short mode: fails only on lost/duplicated tasks or a crash;
#                    and the reference server holding 1,000 links (-links -short)
#       package      .deb, .rpm and Fyne's tarball built; the .deb installed, run (version, demo
#                    smoke on a headless desktop), purged, and nothing of it left in /usr
#   ./scripts/test.sh windows      tasktray.exe (mingw-w64)
#   ./scripts/test.sh -short       quick: `go test -short`, no fuzzing
#   ./scripts/test.sh unit fuzz    only the steps named (setup always runs)
#
# Environment:
#   TASKTRAY_QUICK=1         same as -short
#   TASKTRAY_FUZZTIME=10s    how long each fuzz target runs
#   TASKTRAY_CACHE=DIR       where built servers are cached (default ~/.cache/tasktray-ci)
#   CI=true                  a step that would be skipped fails instead (a skip in CI proves
#                            nothing), and so does a realservers test without its server
#
# It goes on after a failing step, so one run shows every failure, prints one summary line
# per step, and exits non-zero if any step failed.
set -euo pipefail

TASKTRAY_SCRIPT="test"
SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$SCRIPTS/lib.sh"
# shellcheck source=scripts/servers.sh
source "$SCRIPTS/servers.sh"

# windows: tasktray.exe with cgo through mingw-w64 (about 6.5 min with a cold Go build cache
# on 2 busy cores, 12 s warm); the install issue asks CI to build it.
ALL_STEPS=(vet unit cross wine windows fuzz keyring realservers e2e chaos bench package)
QUICK="${TASKTRAY_QUICK:-0}"
FUZZTIME="${TASKTRAY_FUZZTIME:-10s}"

# Results, one entry per step run: "PASS|FAIL|SKIP <seconds> <name> <note>".
RESULTS=()
# A step that decides to skip sets SKIP_REASON and returns 0.
SKIP_REASON=""

usage() {
	# The comment at the top of this file, without its "# ".
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2
	exit 2
}

header() {
	printf '\n==> %s\n' "$*"
}

# run_step NAME runs the function step_NAME, times it and records how it went. A failing
# step does not stop the run.
run_step() {
	local name="$1"
	local started=$SECONDS status
	SKIP_REASON=""
	header "$name"
	# The step's output also goes to a file, so that the summary can repeat what failed: a CI
	# log is often read from its end only.
	local log="$STEP_LOGS/$name.log"
	if "step_$name" > >(tee "$log") 2>&1; then
		if [[ -n "$SKIP_REASON" ]] && under_ci; then
			status=FAIL
			SKIP_REASON="would be skipped, and CI=true: $SKIP_REASON"
			echo "FAIL $name: $SKIP_REASON"
		elif [[ -n "$SKIP_REASON" ]]; then
			status=SKIP
			echo "SKIP $name: $SKIP_REASON"
		else
			status=PASS
		fi
	else
		status=FAIL
	fi
	local took=$((SECONDS - started))
	echo "<== $name: $status (${took} s)"
	RESULTS+=("$status $took $name $SKIP_REASON")
}

# packages_with_tag TAG prints, one a line, the package folders (./x/y) whose test files
# carry the build tag TAG (not its negation !TAG).
packages_with_tag() {
	local tag="$1"
	grep -rlE --include='*_test.go' "^//go:build.*[ (&|]${tag}\b" . 2>/dev/null |
		xargs -r -n 1 dirname | sort -u
}

step_vet() {
	echo "go vet ./... (and with the build tags of the real-part tests)"
	go vet ./... || return 1
	go vet -tags realservers ./backend/... ./internal/... || return 1
	go vet -tags realkeyring ./auth/ || return 1
	go vet -tags e2e ./e2e/ || return 1
	echo "go mod tidy -diff   (go.mod and go.sum say exactly what the code imports)"
	go mod tidy -diff || return 1
	echo "gofmt -l"
	local unformatted
	unformatted="$(gofmt -l .)"
	if [[ -n "$unformatted" ]]; then
		echo "not gofmt-formatted:"
		echo "$unformatted"
		return 1
	fi
	echo "goleak in every package that has tests but e2e (the README says each fails on a leaked goroutine)"
	local dir missing=""
	while read -r dir; do
		if ! grep -qs 'goleak\.' "$dir"/*_test.go; then
			missing+=" $dir"
		fi
	done < <(find . -name '*_test.go' -not -path './packaging/*' -not -path './e2e/*' -printf '%h\n' | sort -u)
	if [[ -n "$missing" ]]; then
		echo "no goleak check in:$missing"
		return 1
	fi
}

step_unit() {
	# -timeout 20m: on 2 busy cores one pass of ./tray under -race took 3-4 minutes; the
	# default 10 minutes per package is too close for a package that did not fail.
	local flags=(-race -count=1 -timeout 20m)
	if [[ "$QUICK" == "1" ]]; then
		flags+=(-short)
	fi
	echo "go test ${flags[*]} ./..."
	go test "${flags[@]}" ./...
}

step_fuzz() {
	if [[ "$QUICK" == "1" ]]; then
		SKIP_REASON="quick mode (-short / TASKTRAY_QUICK=1)"
		return 0
	fi
	# Every `func FuzzXxx(` in a test file, as "file:FuzzXxx".
	local targets=()
	mapfile -t targets < <(grep -rEo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' . 2>/dev/null |
		sed 's/:func /:/' | sort)
	if ((${#targets[@]} == 0)); then
		SKIP_REASON="no fuzz targets (func FuzzXxx) in the repository yet"
		return 0
	fi
	echo "${#targets[@]} fuzz target(s), ${FUZZTIME} each. A failing input is saved under the package's testdata/fuzz/."
	local target file fn pkg tags out failed=0
	out="$(mktemp "${TMPDIR:-/tmp}/tasktray-fuzz.XXXXXX.log")"
	for target in "${targets[@]}"; do
		file="${target%%:*}"
		fn="${target#*:}"
		pkg="$(dirname "$file")"
		# A target in a file with a build tag is fuzzed with that tag, never left out.
		tags="$(build_tags_of "$file")"
		echo "  go test -tags '$tags' -run '^\$' -fuzz '^${fn}\$' -fuzztime $FUZZTIME $pkg"
		# pipefail (set above) makes the pipeline fail when go test does.
		if ! fuzz_one "$tags" "$fn" "$pkg" "$out"; then
			echo "  FAIL: $fn ($pkg)"
			failed=1
		elif grep -q 'no fuzz tests to fuzz' "$out"; then
			# go test passes when the file's constraint left the target out.
			echo "  FAIL: $fn ($pkg) did not run: its file's build constraint excludes it here"
			failed=1
		fi
	done
	rm -f "$out"
	return "$failed"
}

# fuzz_one TAGS FN PKG LOG fuzzes one target for FUZZTIME. Go 1.26's fuzz coordinator can
# report a bare "context deadline exceeded" at the end of -fuzztime on a loaded machine, with
# no failing input (golang/go#75804, fixed in Go 1.27): only that exact failure, with no new
# input saved under testdata/fuzz/FN, is retried, once, and the retry must pass.
fuzz_one() {
	local tags="$1" fn="$2" pkg="$3" out="$4" before after
	before="$(ls "$pkg/testdata/fuzz/$fn" 2>/dev/null | wc -l)"
	if go test -tags "$tags" -run '^$' -fuzz "^${fn}\$" -fuzztime "$FUZZTIME" "$pkg" 2>&1 | tee "$out"; then
		return 0
	fi
	after="$(ls "$pkg/testdata/fuzz/$fn" 2>/dev/null | wc -l)"
	if [[ "$after" == "$before" ]] && grep -q '^    context deadline exceeded$' "$out" &&
		! grep -q -e 'Failing input written' -e '^panic:' "$out"; then
		echo "  $fn: Go's fuzz coordinator ended with 'context deadline exceeded' and no failing input (golang/go#75804); once more"
		go test -tags "$tags" -run '^$' -fuzz "^${fn}\$" -fuzztime "$FUZZTIME" "$pkg" 2>&1 | tee "$out"
		return
	fi
	return 1
}

# build_tags_of FILE prints, comma-separated, the tags that the //go:build line of FILE asks
# for (its identifiers not under a !), or nothing when it has none.
build_tags_of() {
	{ head -n 5 "$1" | sed -n 's#^//go:build ##p' | grep -oE '!?[A-Za-z0-9_.]+' | grep -v '^!' || true; } |
		paste -sd, -
}

step_keyring() {
	if [[ ! -f "$SCRIPTS/keyring-session.sh" ]]; then
		SKIP_REASON="scripts/keyring-session.sh does not exist yet"
		return 0
	fi
	if [[ -z "$(packages_with_tag realkeyring)" ]]; then
		SKIP_REASON="no tests with the build tag realkeyring yet"
		return 0
	fi
	echo "scripts/keyring-session.sh go test -tags realkeyring -count=1 ./auth/"
	local flags=(-tags realkeyring -count=1)
	if [[ "$QUICK" == "1" ]]; then
		flags+=(-short)
	fi
	bash "$SCRIPTS/keyring-session.sh" go test "${flags[@]}" ./auth/ || return 1
	echo "scripts/keyring-session.sh --no-keyring go test -tags realkeyring -count=1 ./auth/   (no Secret Service: session-only path)"
	bash "$SCRIPTS/keyring-session.sh" --no-keyring go test "${flags[@]}" ./auth/
}

# step_cross compiles for macOS and Windows what compiles there without their SDKs
# (Fyne's windows need cgo and each OS's toolchain, which this machine lacks).
step_cross() {
	local ok=0
	echo "GOOS=windows CGO_ENABLED=0 go build ./conn/... ./auth/... ./notify/... ./tray/... ./backend/... ./ipc/... ./server/..."
	GOOS=windows CGO_ENABLED=0 go build ./conn/... ./auth/... ./notify/... ./tray/... ./backend/... ./ipc/... ./server/... || ok=1
	# Fyne's windows compile for Windows without cgo with its software test driver (-tags ci);
	# for macOS they need cgo and the macOS SDK, as does fyne.io/systray (tray/).
	echo "GOOS=windows CGO_ENABLED=0 go build -tags ci ./window/..."
	GOOS=windows CGO_ENABLED=0 go build -tags ci ./window/... || ok=1
	echo "GOOS=darwin CGO_ENABLED=0 go build ./conn/... ./auth/... ./notify/... ./backend/... ./ipc/... ./server/..."
	GOOS=darwin CGO_ENABLED=0 go build ./conn/... ./auth/... ./notify/... ./backend/... ./ipc/... ./server/... || ok=1
	return "$ok"
}

step_realservers() {
	local packages=()
	mapfile -t packages < <(packages_with_tag realservers)
	if ((${#packages[@]} == 0)); then
		SKIP_REASON="no tests with the build tag realservers yet"
		return 0
	fi
	echo "Gotify v$GOTIFY_VERSION, Centrifugo v$CENTRIFUGO_VERSION and ntfy v$NTFY_VERSION (built once, cached in $(cache_dir)/bin)"
	servers_build_all || return 1
	local flags=(-tags realservers -race -count=1)
	if [[ "$QUICK" == "1" ]]; then
		flags+=(-short)
	fi
	echo "go test ${flags[*]} ${packages[*]}"
	go test "${flags[@]}" "${packages[@]}"
}

step_e2e() {
	if [[ ! -d e2e ]]; then
		SKIP_REASON="no e2e/ folder yet"
		return 0
	fi
	# No -race here: fyne.io/systray and godbus have data races of their own (see
	# docs) that make a real tray exit 66 under -race.
	echo "go test -tags e2e -count=1 ./e2e/..."
	go test -tags e2e -count=1 ./e2e/... || return 1
	# The window process's own tests need an X display; the unit step runs without one.
	echo "xvfb-run -a go test -race -count=1 ./window/app/"
	xvfb-run -a go test -race -count=1 ./window/app/
}

# step_bench runs the benchmark's short mode: it fails only on a lost or duplicated
# task or a crash, never on a time (CI machines are noisy), and writes no results.
step_bench() {
	echo "scripts/bench.sh -short"
	bash "$SCRIPTS/bench.sh" -short || return 1
	echo "scripts/bench.sh -links -short   (the reference server holding 1,000 links)"
	bash "$SCRIPTS/bench.sh" -links -short
}

# step_package builds the .deb, the .rpm and Fyne's tarball, then installs the .deb, runs it
# (version, demo smoke on a headless desktop), purges it and checks /usr. Needs root (or sudo).
step_package() {
	local dist rc=0
	dist="$(mktemp -d "${TMPDIR:-/tmp}/tasktray-dist.XXXXXX")"
	echo "TASKTRAY_DIST=$dist scripts/package.sh linux fyne"
	TASKTRAY_DIST="$dist" bash "$SCRIPTS/package.sh" linux || rc=1
	((rc == 0)) && { TASKTRAY_DIST="$dist" bash "$SCRIPTS/package.sh" fyne || rc=1; }
	if ((rc == 0)); then
		echo "scripts/package.sh check   (apt-get install ./tasktray_*.deb, run, smoke, purge, /usr check)"
		TASKTRAY_DIST="$dist" bash "$SCRIPTS/package.sh" check || rc=1
	fi
	ls -l "$dist" 2>/dev/null || true
	rm -rf "$dist"
	return "$rc"
}

# step_windows cross-builds tasktray.exe with cgo through mingw-w64, with its icon and manifest.
step_windows() {
	"$SCRIPTS/setup.sh" windows || return 1
	local dist rc=0
	dist="$(mktemp -d "${TMPDIR:-/tmp}/tasktray-dist.XXXXXX")"
	echo "TASKTRAY_DIST=$dist scripts/package.sh windows"
	TASKTRAY_DIST="$dist" bash "$SCRIPTS/package.sh" windows || rc=1
	ls -l "$dist" 2>/dev/null || true
	rm -rf "$dist"
	return "$rc"
}

# step_wine runs the Windows builds of the tests of the packages that need no display under
# Wine 8.0, 4 packages at a time (about 2 min on 2 cores; the Wine prefix is kept in
# $(cache_dir)/wine and made again, in about 25 s, when it is missing). Without wine64 and
# mingw-w64, and no way to install them, it skips, which fails under CI=true.
step_wine() {
	if ! "$SCRIPTS/setup.sh" windows; then
		SKIP_REASON="wine64 and gcc-mingw-w64-x86-64 are missing and could not be installed (scripts/setup.sh windows)"
		return 0
	fi
	echo "scripts/wine-test.sh   (conn, auth, backend/..., ipc, server, i18n, autostart, internal/neterr, tray: resume watcher)"
	bash "$SCRIPTS/wine-test.sh"
}

# step_chaos runs the chaos suite's short mode: the real client code of every kind (the
# real Gotify, Centrifugo and ntfy included) against links that drop, freeze and corrupt,
# servers that restart, and an agent whose peers hang. Any loss, duplicate, crash, freeze
# or leaked goroutine fails it; times are printed, never checked.
step_chaos() {
	servers_build_all || return 1
	echo "CI=true go run ./cmd/tasktray-chaos -short"
	CI=true go run ./cmd/tasktray-chaos -short
}

# print_failures NAME repeats the lines of a failed step's log that say what failed.
print_failures() {
	local log="$STEP_LOGS/$1.log"
	[[ -f "$log" ]] || return 0
	echo "  what failed in $1 (from $log):"
	grep -E -e '--- FAIL|^FAIL|^panic:|_test\.go:[0-9]+:|FAIL:|race detected|timed out' "$log" | head -n 60 | sed 's/^/    /'
}

print_summary() {
	local total=$((SECONDS - RUN_STARTED))
	local line status took name note failed=0
	header "summary"
	for line in "${RESULTS[@]}"; do
		read -r status took name note <<<"$line"
		printf '  %-4s  %-12s %5s s  %s\n' "$status" "$name" "$took" "$note"
		if [[ "$status" == "FAIL" ]]; then
			failed=$((failed + 1))
		fi
	done
	for line in "${RESULTS[@]}"; do
		read -r status took name note <<<"$line"
		if [[ "$status" == "FAIL" ]]; then
			print_failures "$name"
		fi
	done
	if ((failed > 0)); then
		echo "test.sh: FAILED ($failed step(s) failed, ${total} s in all)"
		return 1
	fi
	echo "test.sh: OK (no step failed, ${total} s in all)"
}

choose_locale() {
	# Fyne logs "Error parsing user locale C" under C.UTF-8; prefer en_US.UTF-8 when there is one.
	if locale -a 2>/dev/null | grep -qiE '^en_US\.utf-?8$'; then
		export LANG=en_US.UTF-8
	else
		export LANG=C.UTF-8
	fi
	unset LC_ALL
}

main() {
	local steps=()
	local arg
	for arg in "$@"; do
		case "$arg" in
		-short | --short) QUICK=1 ;;
		-h | --help) usage ;;
		vet | unit | cross | fuzz | keyring | realservers | e2e | chaos | bench | package | windows | wine) steps+=("$arg") ;;
		*)
			echo "unknown argument: $arg" >&2
			usage
			;;
		esac
	done
	if ((${#steps[@]} == 0)); then
		steps=("${ALL_STEPS[@]}")
	fi

	RUN_STARTED=$SECONDS
	STEP_LOGS="$(mktemp -d "${TMPDIR:-/tmp}/tasktray-steps.XXXXXX")"
	cd "$(repo_root)"
	go_bin_on_path

	header "setup"
	"$SCRIPTS/setup.sh" test || die "setup failed; nothing was tested"
	choose_locale
	local mode="full"
	if [[ "$QUICK" == "1" ]]; then
		mode="quick (-short, no fuzzing)"
	fi
	echo "LANG=$LANG, $(go version), $(nproc) cores"
	echo "steps: ${steps[*]}; mode: $mode"

	local step
	for step in "${steps[@]}"; do
		run_step "$step"
	done
	print_summary
}

main "$@"
