package cli

import (
	"bytes"
	"context"
	"testing"

	"tasktray/tray"
)

// TestLockedOnlyInTheStartThatBecomesTheAgent: becomeAgent runs locked
// (where the agent asks the keyring for the token) once it holds the
// lock, and never in a start that shows the running agent and exits.
func TestLockedOnlyInTheStartThatBecomesTheAgent(t *testing.T) {
	dir := testDir(t)
	var out, errb bytes.Buffer
	calls := 0
	in, code := becomeAgent(context.Background(), dir, quiet, &out, &errb, func() { calls++ })
	if in == nil {
		t.Fatalf("no agent (exit %d): %s", code, errb.String())
	}
	if calls != 1 {
		in.Close()
		t.Fatalf("locked ran %d times in the start that became the agent, want 1", calls)
	}
	in.Close()

	got := fakeAgent(t, dir, nil)
	in, code = becomeAgent(context.Background(), dir, quiet, &out, &errb, func() { t.Error("a second start ran locked") })
	if in != nil {
		in.Close()
		t.Fatal("a second start became an agent")
	}
	if code != 0 {
		t.Fatalf("second start: exit %d: %s", code, errb.String())
	}
	if c := <-got; c != tray.CommandShow {
		t.Fatalf("the running agent got %v", c)
	}
}
