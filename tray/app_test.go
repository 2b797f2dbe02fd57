package tray

import (
	"context"
	"strings"
	"testing"

	"tasktray/assets"
	"tasktray/auth"
)

// TestNoSessionBusRunsWithoutPopups: without a D-Bus session bus the agent
// does not exit: it runs without popups, says so in its status, and shows
// the status window in place of the tray.
func TestNoSessionBusRunsWithoutPopups(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/tasktray-test-bus")
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/tasktray-test-bus")
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	demo := &Login{Account: auth.Account{Kind: "native", Server: f.url, Username: "alice"}, Password: "wonderland"}
	cfg, closePopups, err := desktopConfig(ctx, Options{Demo: demo, Logger: f.cfg.Logger}, f.cfg.Logger)
	if err != nil {
		t.Fatalf("no session bus: %v, want the agent to run without popups", err)
	}
	defer closePopups()
	if cfg.PopupsOff == "" || cfg.NoTrayHost != nil {
		t.Fatalf("PopupsOff %q, NoTrayHost %v", cfg.PopupsOff, cfg.NoTrayHost)
	}
	cfg.Menu, cfg.Windows = f.menu, f.cfg.Windows
	f.cfg = cfg
	f.start(t)
	v := f.menu.waitView(t, "connected", func(v View) bool { return v.Icon == assets.Connected })
	if !strings.Contains(v.Status, "no popups") {
		t.Fatalf("status %q does not say there are no popups", v.Status)
	}
}
