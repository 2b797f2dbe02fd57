//go:build !linux

package tray

// hasQuickRead: go-keyring asks the Secret Service only on Linux (and BSD,
// left to its own Get); elsewhere the keyring's Get is the only read.
const hasQuickRead = false

func readSecret(service, user string) (secret string, ok bool, end func()) {
	return "", false, func() {}
}
