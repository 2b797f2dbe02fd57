// Package servers starts real push servers (Gotify, Centrifugo, ntfy) for tests.
//
// It is a test helper: import it from _test.go files only, never from the app's own code
// (it imports package testing). The servers are real binaries: Gotify and Centrifugo built
// from the Go module proxy, ntfy from the source in ../shared/servers/ntfy/, all by
// scripts/servers.sh, which exports their paths as TASKTRAY_GOTIFY_BIN,
// TASKTRAY_CENTRIFUGO_BIN and TASKTRAY_NTFY_BIN; tests that use them carry the build tag
// realservers and find the binary with Bin, which skips on a developer's machine without it
// and fails under CI=true (a real-server test may not skip in CI):
//
//	//go:build realservers
//
//	func TestSomething(t *testing.T) {
//		g := servers.StartGotify(t, servers.Bin(t, servers.EnvGotifyBin))
//		...
//	}
//
// Each server runs in its own temporary folder on a free loopback port, writes its output to
// a log file there (printed when the test fails), and is killed when the test ends. Start
// functions fail the test at once; the other methods return errors, so they may be called
// from any goroutine.
package servers
