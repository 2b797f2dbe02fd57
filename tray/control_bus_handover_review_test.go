//go:build linux

package tray

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"tasktray/internal/desktoptest"
)

// TestReviewBusNameHandedOverToTheNextAgent: an agent quits (Close drops
// its lock last, "so that the next agent finds no server of this one") and
// the next start takes the lock at once. The next agent must own the bus
// name: it is how `gdbus call ... io.github.tasktray.Agent.Show` and other
// starts reach it on Linux.
func TestReviewBusNameHandedOverToTheNextAgent(t *testing.T) {
	addr := desktoptest.StartSessionBus(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	dir := shortDir(t)
	for i := range 30 {
		old, err := StartInstance(context.Background(), dir, quiet)
		if err != nil {
			t.Fatal(err)
		}
		old.Close()
		var logged bytes.Buffer // written only inside StartInstance
		next, err := StartInstance(context.Background(), dir, slog.New(slog.NewTextHandler(&logged, nil)))
		if err != nil {
			t.Fatalf("round %d: the next agent: %v", i, err)
		}
		next.Close()
		if strings.Contains(logged.String(), "level=WARN") {
			t.Fatalf("round %d: the next agent, started after the old one's Close returned, did not get the bus name:\n%s", i, logged.String())
		}
	}
}
