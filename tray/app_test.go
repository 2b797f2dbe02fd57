package tray

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
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
	if cfg.PopupsOff != msgNoSessionBus || cfg.NoTrayHost != nil || cfg.KeyringChanged != nil {
		t.Fatalf("PopupsOff %q, NoTrayHost %v, KeyringChanged %v", cfg.PopupsOff, cfg.NoTrayHost, cfg.KeyringChanged)
	}
	cfg.Menu, cfg.Windows = f.menu, f.cfg.Windows
	f.cfg = cfg
	f.start(t)
	v := f.menu.waitView(t, "connected", func(v View) bool { return v.Icon == assets.Connected })
	if !strings.Contains(v.Status, "no popups") {
		t.Fatalf("status %q does not say there are no popups", v.Status)
	}
}

// TestSystemProfile: the system-wide profile is found in $XDG_CONFIG_DIRS;
// a bad one is not used, and what the login window shows names the file
// and the field.
func TestSystemProfile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_DIRS", dir)
	log := slog.New(slog.DiscardHandler)
	if path, problem := systemProfile(log); path != "" || problem != nil {
		t.Fatalf("no profile: %q %v", path, problem)
	}
	file := filepath.Join(dir, "tasktray", "profile.toml")
	os.MkdirAll(filepath.Dir(file), 0o755)
	os.WriteFile(file, []byte("[connect]\nurl = \"wss://app.example.com/websocket?token={token}\"\ntoken_in = \"query\"\n"), 0o644)
	if path, problem := systemProfile(log); path != file || problem != nil {
		t.Fatalf("good profile: %q %v", path, problem)
	}
	os.WriteFile(file, []byte("[connect]\nurl = \"wss://app.example.com/websocket?token={token}\"\ntoken_in = \"querry\"\n"), 0o644)
	path, err := systemProfile(log)
	problem := (&Agent{cfg: Config{ProfileError: err}}).profileError()
	if path != "" || !strings.Contains(problem, file) || !strings.Contains(problem, "token_in") {
		t.Fatalf("bad profile: used %q, told %q", path, problem)
	}
}
