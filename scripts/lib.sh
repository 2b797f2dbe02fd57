# shellcheck shell=bash
# Small helpers shared by the scripts in this folder. Source it; do not run it.

# say prints a progress line, prefixed with the calling script's name.
say() {
	printf '[%s] %s\n' "${TASKTRAY_SCRIPT:-tasktray}" "$*" >&2
}

# die prints an error and exits non-zero.
die() {
	printf '[%s] ERROR: %s\n' "${TASKTRAY_SCRIPT:-tasktray}" "$*" >&2
	exit 1
}

# repo_root prints the absolute path of the repository (the parent of scripts/).
repo_root() {
	local here
	here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
	dirname "$here"
}

# cache_dir prints the folder where scripts keep what they build between runs.
# Nothing depends on it being there: a missing cache means a rebuild.
cache_dir() {
	printf '%s\n' "${TASKTRAY_CACHE:-$HOME/.cache/tasktray-ci}"
}

# go_bin_on_path makes sure `go`, and the tools `go install` puts in GOPATH/bin, are on PATH.
go_bin_on_path() {
	if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
		PATH="/usr/local/go/bin:$PATH"
	fi
	if command -v go >/dev/null 2>&1; then
		local gopath_bin
		gopath_bin="$(go env GOPATH)/bin"
		case ":$PATH:" in
		*":$gopath_bin:"*) ;;
		*) PATH="$PATH:$gopath_bin" ;;
		esac
	fi
	export PATH
}

# under_ci succeeds when the scripts run in CI (CI=true or CI=1, as CI services set it). There a
# step or test that would skip fails instead: a skip in CI proves nothing (issue 11).
under_ci() {
	case "${CI:-}" in
	true | TRUE | True | 1) return 0 ;;
	*) return 1 ;;
	esac
}
