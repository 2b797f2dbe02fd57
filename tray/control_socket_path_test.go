//go:build unix

package tray

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// longDir is an instance dir whose socket path does not fit in a socket
// address.
func longDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(shortDir(t), strings.Repeat("d", 50), strings.Repeat("e", 50))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestLongDirSocketIsPerDirAndPrivate: the short socket path is the same
// for every caller of one dir, differs between dirs, and lives in a folder
// only this user can enter; a folder another user could enter (made first
// in a shared /tmp) is refused, by the agent and by a caller.
func TestLongDirSocketIsPerDirAndPrivate(t *testing.T) {
	withoutSessionBus(t)
	shortSocketRoot = t.TempDir()
	t.Cleanup(func() { shortSocketRoot = "" })
	a, b := longDir(t), longDir(t)
	if socketPath(a) != socketPath(a) || socketPath(a) == socketPath(b) {
		t.Fatalf("socket paths: %s, %s, %s", socketPath(a), socketPath(a), socketPath(b))
	}
	if p := socketPath(a); len(p) > maxSocketPath || !strings.HasPrefix(p, shortSocketRoot) {
		t.Fatalf("socket path %s (%d bytes)", p, len(p))
	}
	ln, err := listenSocket(a)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Dir(socketPath(a)))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("socket folder: %v, %v", fi.Mode(), err)
	}
	ln.Close()

	if err := os.Chmod(filepath.Dir(socketPath(a)), 0o755); err != nil {
		t.Fatal(err)
	}
	if ln, err := listenSocket(a); !errors.Is(err, errUnsafeSocketDir) {
		if ln != nil {
			ln.Close()
		}
		t.Fatalf("listen in a folder others may enter: %v", err)
	}
	if err := askSocket(context.Background(), a, CommandShow); !errors.Is(err, errNoEndpoint) {
		t.Fatalf("ask in a folder others may enter: %v", err)
	}
}
