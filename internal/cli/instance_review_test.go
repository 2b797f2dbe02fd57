package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tasktray/tray"
)

// unixConns counts the sockets /proc/net/unix lists at path: the listener,
// plus one for each caller connected to it (queued or accepted).
func unixConns(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile("/proc/net/unix")
	if err != nil {
		t.Skipf("no /proc/net/unix to see the caller connect: %v", err)
	}
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[len(f)-1] == path {
			n++
		}
	}
	return n
}

// TestReviewStartWhileTheAgentQuits: the user quits tasktray from its menu
// and starts it again at once (or autostart starts it while a quit is on
// its way). The quitting agent's loop has ended, but it still holds the
// lock and serves its socket until its Instance is closed. becomeAgent
// promises: "an agent that quits just as this one asks is gone on the
// second look, and this one starts".
func TestReviewStartWhileTheAgentQuits(t *testing.T) {
	dir := testDir(t)
	old, err := tray.StartInstance(context.Background(), dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			old.Close()
		}
	}()
	// old's loop has ended (Quit was clicked): nothing reads its Requests.

	type result struct {
		in   *tray.Instance
		code int
	}
	var out, errb bytes.Buffer
	done := make(chan result, 1)
	go func() {
		in, code := becomeAgent(context.Background(), dir, quiet, &out, &errb, nil)
		done <- result{in, code}
	}()

	// The new start has connected to the old agent's socket and asked.
	sock := filepath.Join(dir, "tasktray.sock")
	guard := time.Now().Add(wait)
	for unixConns(t, sock) < 2 {
		if time.Now().After(guard) {
			t.Fatal("the new start never connected to the old agent")
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, not a check that nothing came
	}
	// The old agent finishes quitting: socket closed, lock dropped.
	old.Close()
	closed = true

	var r result
	select {
	case r = <-done:
	case <-time.After(2 * wait):
		t.Fatal("becomeAgent never returned")
	}
	if r.in != nil {
		r.in.Close()
		return
	}
	t.Fatalf("a start just as the running agent quit did not become the agent: exit %d, stdout %q, stderr %q; no agent runs now",
		r.code, out.String(), errb.String())
}
