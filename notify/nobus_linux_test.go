package notify

import (
	"errors"
	"testing"
)

// TestNewDesktopWithoutSessionBus: with no session bus to connect to,
// NewDesktop's error says so (ErrNoSessionBus), so that the agent tells
// "no session bus" from "no notification service" without a connection
// of its own to find out.
func TestNewDesktopWithoutSessionBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/tasktray-test-bus")
	n, err := NewDesktop(Options{})
	if err == nil {
		n.Close()
		t.Fatal("NewDesktop without a session bus: no error")
	}
	if !errors.Is(err, ErrNoSessionBus) {
		t.Fatalf("NewDesktop without a session bus: %v, want ErrNoSessionBus", err)
	}
}
