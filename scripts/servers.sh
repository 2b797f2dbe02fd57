#!/usr/bin/env bash
# Builds the real push servers that the `realservers` tests run against, and caches them.
#
#   scripts/servers.sh          build what is missing, then print the binaries' paths
#   source scripts/servers.sh   the same, and also export TASKTRAY_GOTIFY_BIN,
#                               TASKTRAY_CENTRIFUGO_BIN and TASKTRAY_NTFY_BIN into the calling shell
#
# Gotify and Centrifugo come from the Go module proxy; ntfy (whose module host the proxy
# refuses) from the source kept in ../shared/servers/ntfy/, next to this checkout, by its own
# build.sh (which needs libsqlite3-dev: scripts/setup.sh test installs it). All are built with
# cgo; whatever is missing is built in parallel. Cold, each takes a few minutes on a quiet
# 2-core machine (ntfy took about 18 minutes on a busy one); warm, seconds. The binaries are
# kept, keyed by version, in
#   ${TASKTRAY_CACHE:-$HOME/.cache/tasktray-ci}/bin/
# and nothing depends on that cache being there: a missing binary is simply rebuilt.

GOTIFY_VERSION="2.9.1"
CENTRIFUGO_VERSION="6.9.1"
NTFY_VERSION="2.13.0"

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

gotify_bin_path() {
	printf '%s/bin/gotify-server-%s\n' "$(cache_dir)" "$GOTIFY_VERSION"
}

centrifugo_bin_path() {
	printf '%s/bin/centrifugo-%s\n' "$(cache_dir)" "$CENTRIFUGO_VERSION"
}

ntfy_bin_path() {
	printf '%s/bin/ntfy-%s\n' "$(cache_dir)" "$NTFY_VERSION"
}

# ntfy_build_script prints the path of ntfy's build script, which CI finds next to a fresh
# clone of the repository: ../shared/servers/ntfy/build.sh.
# A checkout elsewhere (a CI clone in a temporary folder) finds it through TASKTRAY_SHARED or
# /work/shared, where the developer machines keep it.
ntfy_build_script() {
	local dir
	for dir in "${TASKTRAY_SHARED:-}" "$(repo_root)/../shared" /work/shared; do
		if [[ -n "$dir" && -f "$dir/servers/ntfy/build.sh" ]]; then
			printf '%s/servers/ntfy/build.sh\n' "$dir"
			return 0
		fi
	done
	printf '%s/../shared/servers/ntfy/build.sh\n' "$(repo_root)"
}

# build_ntfy builds ntfy v2.13.0 (v2.13.0-2-g81a486ad) into $1 from the source tarball beside
# its build script.
build_ntfy() {
	local out="$1" script
	script="$(ntfy_build_script)"
	if [[ ! -f "$script" ]]; then
		echo "ntfy's source is not there: $script is missing (it comes with ../shared next to this checkout)" >&2
		return 1
	fi
	GOTOOLCHAIN=local bash "$script" "$out"
}

# build_gotify builds Gotify server into $1.
# `go install github.com/gotify/server/v2@v2.9.1` is refused by the proxy and the module zip
# lacks ui/build (which the server embeds), so build from a writable copy of the module with
# stub UI files.
build_gotify() {
	local out="$1"
	local work src
	work="$(mktemp -d)"
	# The module is downloaded from outside any module, so no go.mod is touched.
	src="$(cd "$work" && GOFLAGS='' go mod download -json "github.com/gotify/server/v2@v$GOTIFY_VERSION" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')" || src=""
	if [[ -z "$src" || ! -d "$src" ]]; then
		echo "could not download github.com/gotify/server/v2@v$GOTIFY_VERSION" >&2
		rm -rf "$work"
		return 1
	fi
	cp -R "$src" "$work/server"
	chmod -R u+w "$work/server"

	mkdir -p "$work/server/ui/build/static"
	printf '%%CONFIG%%\n' >"$work/server/ui/build/index.html"
	printf '{}\n' >"$work/server/ui/build/manifest.json"
	: >"$work/server/ui/build/static/stub.css"

	local rc=0
	if ! (
		cd "$work/server" &&
			CGO_ENABLED=1 GOTOOLCHAIN=local go build -o "$out" \
				-ldflags "-s -w -X main.Version=$GOTIFY_VERSION -X main.Mode=prod" .
	); then
		rc=1
	fi
	rm -rf "$work"
	return "$rc"
}

# build_centrifugo builds Centrifugo into $1 with `go install` into a temp GOBIN.
build_centrifugo() {
	local out="$1"
	local gobin
	gobin="$(mktemp -d)"
	local rc=0
	if ! (
		cd "$gobin" &&
			GOBIN="$gobin" GOFLAGS="${GOFLAGS:-} -mod=mod" CGO_ENABLED=1 GOTOOLCHAIN=local go install \
				-ldflags "-s -w -X github.com/centrifugal/centrifugo/v6/internal/build.Version=$CENTRIFUGO_VERSION" \
				"github.com/centrifugal/centrifugo/v6@v$CENTRIFUGO_VERSION" &&
			mv "$gobin/centrifugo" "$out"
	); then
		rc=1
	fi
	rm -rf "$gobin"
	return "$rc"
}

# start_build NAME BUILD_FUNCTION TARGET starts one build in the background, writing to a
# temporary name first so that an interrupted build never leaves a broken cached binary.
# It sets BUILD_PID and BUILD_LOG.
start_build() {
	local name="$1" build_fn="$2" target="$3"
	BUILD_LOG="$(mktemp "${TMPDIR:-/tmp}/tasktray-build-$name.XXXXXX.log")"
	say "building $name (not cached yet; minutes when cold) -> $target"
	say "  log: $BUILD_LOG"
	(
		set -e
		started=$SECONDS
		"$build_fn" "$target.partial"
		mv "$target.partial" "$target"
		echo "built $name in $((SECONDS - started)) s"
	) >"$BUILD_LOG" 2>&1 &
	BUILD_PID=$!
}

# finish_build NAME PID LOG waits for one background build and reports how it went.
finish_build() {
	local name="$1" pid="$2" log="$3"
	if wait "$pid"; then
		say "$(tail -n 1 "$log")"
		rm -f "$log"
		return 0
	fi
	say "building $name FAILED; last lines of $log:"
	tail -n 30 "$log" >&2
	return 1
}

# servers_build_all builds whatever is missing (in parallel), then exports the paths.
servers_build_all() {
	local gotify centrifugo ntfy
	gotify="$(gotify_bin_path)"
	centrifugo="$(centrifugo_bin_path)"
	ntfy="$(ntfy_bin_path)"
	mkdir -p "$(dirname "$gotify")"

	local names=() pids=() logs=()
	if [[ -x "$gotify" ]]; then
		say "Gotify server v$GOTIFY_VERSION: cached"
	else
		start_build "gotify-server-$GOTIFY_VERSION" build_gotify "$gotify"
		names+=("gotify-server-$GOTIFY_VERSION") pids+=("$BUILD_PID") logs+=("$BUILD_LOG")
	fi
	if [[ -x "$centrifugo" ]]; then
		say "Centrifugo v$CENTRIFUGO_VERSION: cached"
	else
		start_build "centrifugo-$CENTRIFUGO_VERSION" build_centrifugo "$centrifugo"
		names+=("centrifugo-$CENTRIFUGO_VERSION") pids+=("$BUILD_PID") logs+=("$BUILD_LOG")
	fi
	if [[ -x "$ntfy" ]]; then
		say "ntfy v$NTFY_VERSION: cached"
	else
		start_build "ntfy-$NTFY_VERSION" build_ntfy "$ntfy"
		names+=("ntfy-$NTFY_VERSION") pids+=("$BUILD_PID") logs+=("$BUILD_LOG")
	fi

	local failed=0 i
	for i in "${!pids[@]}"; do
		finish_build "${names[$i]}" "${pids[$i]}" "${logs[$i]}" || failed=1
	done
	if ((failed)); then
		return 1
	fi

	export TASKTRAY_GOTIFY_BIN="$gotify"
	export TASKTRAY_CENTRIFUGO_BIN="$centrifugo"
	export TASKTRAY_NTFY_BIN="$ntfy"
	say "TASKTRAY_GOTIFY_BIN=$TASKTRAY_GOTIFY_BIN"
	say "TASKTRAY_CENTRIFUGO_BIN=$TASKTRAY_CENTRIFUGO_BIN"
	say "TASKTRAY_NTFY_BIN=$TASKTRAY_NTFY_BIN"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
	set -euo pipefail
	TASKTRAY_SCRIPT="servers"
	go_bin_on_path
	command -v go >/dev/null 2>&1 || die "Go is not on PATH; run scripts/setup.sh build first"
	servers_build_all
	# The paths on stdout, as lines a shell can eval.
	printf 'TASKTRAY_GOTIFY_BIN=%s\n' "$TASKTRAY_GOTIFY_BIN"
	printf 'TASKTRAY_CENTRIFUGO_BIN=%s\n' "$TASKTRAY_CENTRIFUGO_BIN"
	printf 'TASKTRAY_NTFY_BIN=%s\n' "$TASKTRAY_NTFY_BIN"
fi
