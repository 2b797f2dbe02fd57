package tray

import (
	"context"
	"errors"
	"testing"
)

// TestLockedRunsOnceTheLockIsOurs: StartInstanceWith calls locked once,
// while this process holds the lock and before it serves the socket (the
// keyring may be asked for the token there: only the user's one agent
// does); a start that finds the agent running never calls it.
func TestLockedRunsOnceTheLockIsOurs(t *testing.T) {
	withoutSessionBus(t)
	dir := shortDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	in, err := StartInstanceWith(ctx, dir, quiet, func() {
		calls++
		if lockFree(dir) {
			t.Error("locked ran while the lock was free")
		}
		if err := askSocket(ctx, dir, CommandShow); !errors.Is(err, errNoEndpoint) {
			t.Errorf("a start reached the agent before locked ran: %v", err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if calls != 1 {
		t.Fatalf("locked ran %d times, want 1", calls)
	}
	_, err = StartInstanceWith(ctx, dir, quiet, func() { t.Error("a second start ran locked") })
	if !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("second start: %v, want ErrAlreadyRunning", err)
	}
}
