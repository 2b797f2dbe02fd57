package tray

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tasktray/internal/desktoptest"
)

// On a real session bus the report names the tray host's and the daemon's
// programs, the daemon's own name and its capabilities; with neither
// running it says "none" and "no answer" instead of hanging or failing.
func TestProbeDesktopNamesTheParts(t *testing.T) {
	addr := desktoptest.StartSessionBus(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)

	empty := probeDesktop(context.Background())
	if empty.trayHost != "none" || !strings.Contains(empty.notify, "no answer") || !strings.Contains(empty.keyring, "none") {
		t.Errorf("with nothing on the bus: %+v", empty)
	}

	rec := desktoptest.StartNotificationRecorder(t, addr)
	rec.SetCapabilities("body", "actions", "persistence")
	w, err := desktoptest.NewWatcher(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })

	d := probeDesktop(context.Background())
	self, _ := os.Readlink("/proc/self/exe")
	comm := filepath.Base(self)[:min(15, len(filepath.Base(self)))] // /proc/PID/comm keeps 15 bytes
	if !strings.Contains(d.trayHost, comm) || !strings.Contains(d.trayHost, "pid ") {
		t.Errorf("tray host = %q, want this test's program %q and its pid", d.trayHost, comm)
	}
	if !strings.Contains(d.notify, "spec ") || !strings.Contains(d.notify, comm) {
		t.Errorf("notification daemon = %q", d.notify)
	}
	if d.caps != "actions, body, persistence" {
		t.Errorf("capabilities = %q", d.caps)
	}
}
