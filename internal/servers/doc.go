// Package servers starts real push servers (Gotify, Centrifugo) for tests.
//
// It is a test helper: import it from _test.go files only, never from the app's own code
// (it imports package testing). The servers are real binaries built from the Go module proxy
// by scripts/servers.sh, which exports their paths as TASKTRAY_GOTIFY_BIN and
// TASKTRAY_CENTRIFUGO_BIN; tests that use them carry the build tag realservers:
//
//	//go:build realservers
//
//	func TestSomething(t *testing.T) {
//		g := servers.StartGotify(t, servers.BinFromEnv(t, servers.EnvGotifyBin))
//		...
//	}
//
// Each server runs in its own temporary folder on a free loopback port, writes its output to
// a log file there (printed when the test fails), and is killed when the test ends. Start
// functions fail the test at once; the other methods return errors, so they may be called
// from any goroutine.
package servers
