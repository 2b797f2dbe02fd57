package tray

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"tasktray/internal/desktoptest"
)

// TestWatchLaterStartsTheWatchersWhenAsked: the tray-host and keyring
// watchers start once after is closed (the keyring answered the prefetch),
// then relay what they see: no tray host at first, and a hint when the
// Secret Service starts. They end with ctx (goleak).
func TestWatchLaterStartsTheWatchersWhenAsked(t *testing.T) {
	addr := desktoptest.StartSessionBus(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	after := make(chan struct{})
	noHost, changed := watchLater(ctx, slog.New(slog.DiscardHandler), after)
	close(after)
	select {
	case none := <-noHost:
		if !none {
			t.Fatal("a tray host reported on a bus without one")
		}
	case <-time.After(wait):
		t.Fatal("no word about the tray host")
	}

	// The Secret Service starts: the keyring watcher relays a hint. It is
	// subscribed by now: watchLater relays nothing before both watchers
	// are set up.
	secrets := desktoptest.Connect(t, addr)
	if _, err := secrets.RequestName("org.freedesktop.secrets", dbus.NameFlagDoNotQueue); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	case <-time.After(wait):
		t.Fatal("no hint when the Secret Service started")
	}
}
