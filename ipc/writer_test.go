package ipc

import (
	"errors"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
)

// sendAll sends msgs to c from another goroutine, up to the first that
// fails, and returns each Send's error, failing the test if the sends do not all return within d: Send must
// never wait on the window (issue 10, defect 2). On failure it kills the
// child, which ends a Send blocked on its pipe.
func sendAll(t *testing.T, c *Child, d time.Duration, msgs ...Message) []error {
	t.Helper()
	done := make(chan []error, 1)
	go func() {
		var errs []error
		for _, m := range msgs {
			errs = append(errs, c.Send(m))
			if errs[len(errs)-1] != nil {
				break
			}
		}
		done <- errs
	}()
	select {
	case errs := <-done:
		return errs
	case <-time.After(d):
		c.Kill()
		<-done
		t.Fatalf("%d sends to a window that does not read took over %v", len(msgs), d)
		return nil
	}
}

// bigTask is a message of about n bytes.
func bigTask(n int) Message {
	return Tasks{Tasks: []Task{{ID: "1", Seq: 1, Title: strings.Repeat("x", n)}}, Total: 1}
}

// TestSendToStuckWindowFillsQueue: a window that never reads its stdin must
// not block the agent. Send returns at once however much is sent; once more
// than QueueBytes wait, the window is killed, Send says ErrWindowStuck, and
// the reader sees the process exit.
func TestSendToStuckWindowFillsQueue(t *testing.T) {
	child, err := spawnHelper(t.Context(), "hang")
	if err != nil {
		t.Fatal(err)
	}
	msgs := make([]Message, 2*QueueBytes/(512<<10))
	for i := range msgs {
		msgs[i] = bigTask(512 << 10)
	}
	errs := sendAll(t, child, 30*time.Second, msgs...)
	if errs[0] != nil {
		t.Errorf("first Send = %v, want nil (queued)", errs[0])
	}
	if last := errs[len(errs)-1]; !errors.Is(last, ErrWindowStuck) {
		t.Errorf("Send past the queue's bound = %v, want ErrWindowStuck", last)
	}
	expectKilled(t, child)
}

// TestSendToStuckWindowTimesOut: one message the window does not take within
// StuckAfter is enough: the window is killed without another Send.
func TestSendToStuckWindowTimesOut(t *testing.T) {
	defer func(d, g time.Duration) { StuckAfter, StartupGrace = d, g }(StuckAfter, StartupGrace)
	StuckAfter, StartupGrace = 200*time.Millisecond, 0
	child, err := spawnHelper(t.Context(), "hang")
	if err != nil {
		t.Fatal(err)
	}
	// More than any pipe buffer (64 KiB on Linux), so the write blocks.
	if errs := sendAll(t, child, 30*time.Second, bigTask(1<<19)); errs[0] != nil {
		t.Fatalf("Send = %v, want nil (queued)", errs[0])
	}
	expectKilled(t, child)
	if errs := sendAll(t, child, 30*time.Second, Quit{}); !errors.Is(errs[0], ErrWindowStuck) {
		t.Errorf("Send after the window was found stuck = %v, want ErrWindowStuck", errs[0])
	}
}

// lateStart is how long the "late-echo" helper takes to start reading.
const lateStart = 2 * time.Second

// TestSlowStartingWindowIsNotStuck: a window that starts reading only some
// seconds after its start (a Fyne window on a slow or busy machine), while a
// message bigger than its pipe waits for it, is not taken for a stuck one:
// within StartupGrace of its start a write may wait longer than StuckAfter.
func TestSlowStartingWindowIsNotStuck(t *testing.T) {
	defer func(d time.Duration) { StuckAfter = d }(StuckAfter)
	StuckAfter = 200 * time.Millisecond // far below lateStart
	child, err := spawnHelper(t.Context(), "late-echo")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { child.Kill(); child.Wait() }()
	big := bigTask(1 << 19) // more than any pipe buffer: the write blocks until it reads
	if err := child.Send(big); err != nil {
		t.Fatal(err)
	}
	m, err := receiveWithin(t, child, guard)
	if err != nil {
		t.Fatalf("the slow window was killed before it read: %v", err)
	}
	if !reflect.DeepEqual(m, big) {
		t.Errorf("echo differs from what was sent")
	}
}

// expectKilled waits for the child's stdout to close and checks that it was
// killed.
func expectKilled(t *testing.T, child *Child) {
	t.Helper()
	if _, err := receiveWithin(t, child, 30*time.Second); err != io.EOF {
		t.Fatalf("Receive = %v, want io.EOF once the stuck window is killed", err)
	}
	// Windows ends a killed process with exit status 1, not a signal (-1):
	// Wait's errKilled is what says the agent killed it, on every OS.
	var exit interface{ ExitCode() int }
	err := child.Wait()
	if !errors.Is(err, errKilled) || !errors.As(err, &exit) || (runtime.GOOS != "windows" && exit.ExitCode() != -1) {
		t.Errorf("Wait = %v, want the window killed", err)
	}
}

// TestSendKeepsOrderToLiveWindow: a window that reads is never taken for a
// stuck one, and gets every message in order, even as many at once as the
// queue holds.
func TestSendKeepsOrderToLiveWindow(t *testing.T) {
	child, err := spawnHelper(t.Context(), "echo")
	if err != nil {
		t.Fatal(err)
	}
	// The window reads from here on: one round trip first. A helper still
	// starting (seconds under Wine on a busy machine, whose pipes hold a few KiB)
	// does not read yet, and a write blocked for StuckAfter then would be
	// the stuck window of the tests above, not a live one.
	if err := child.Send(More{Before: -1}); err != nil {
		t.Fatal(err)
	}
	if m, err := receiveWithin(t, child, guard); err != nil || m != (More{Before: -1}) {
		t.Fatalf("first echo %v, %v", m, err)
	}
	const n = QueueMessages
	got := make(chan error, 1)
	go func() { // read as the agent does, while sending
		for i := range int64(n) {
			m, err := child.Receive()
			if err != nil || m != (More{Before: i}) {
				got <- errors.New("echo out of order or lost")
				return
			}
		}
		got <- nil
	}()
	for i := range int64(n) {
		if err := child.Send(More{Before: i}); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case err := <-got:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(30 * time.Second):
		t.Error("echoes did not come back")
	}
	child.Send(Close{})
	for {
		if _, err := receiveWithin(t, child, 30*time.Second); err != nil {
			break
		}
	}
	if err := child.Wait(); err != nil {
		t.Errorf("Wait = %v, want nil", err)
	}
}
