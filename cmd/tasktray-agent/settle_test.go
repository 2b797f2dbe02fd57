package main

import (
	"runtime"
	"testing"
	"time"
)

// sink keeps allocations from being optimised away.
var sink []byte

// busyWork allocates n bytes of garbage.
func busyWork(n int) {
	for range n / 4096 {
		sink = make([]byte, 4096)
	}
}

// newTestSettler returns a settler that reports each settle on the channel
// instead of giving memory back, with its first settle far away. A settle
// nobody waits for is not reported: a settler that watches collections
// (watchGC) does so for the rest of the test binary's life, and with a
// blocking send its timer's goroutine would hang once the channel filled,
// after 16 busy collections in later tests, and fail goleak at the end.
func newTestSettler() (*settler, chan struct{}) {
	settled := make(chan struct{}, 16)
	s := &settler{quiet: time.Millisecond, busy: 1 << 20, giveBack: func() {
		select {
		case settled <- struct{}{}:
		default:
		}
	}}
	s.timer = time.AfterFunc(time.Hour, s.settle)
	return s, settled
}

// After busy work, the next collection puts a settle s.quiet later; a
// collection with little allocated since the last settle does not.
func TestSettlerAfterBusyWork(t *testing.T) {
	s, settled := newTestSettler()
	defer s.timer.Stop()
	s.settle()
	<-settled
	if s.afterGC() {
		t.Fatal("a collection right after a settle scheduled another")
	}
	busyWork(2 << 20)
	if !s.afterGC() {
		t.Fatal("a collection after 2 MB of busy work scheduled no settle")
	}
	select {
	case <-settled:
	case <-time.After(10 * time.Second): // failure guard only
		t.Fatal("no settle after busy work")
	}
	if s.afterGC() {
		t.Fatal("the settle did not reset the count of busy work")
	}
}

// The settler hears of collections without a timer of its own: the
// cleanup of a sentinel runs after each one.
func TestSettlerHearsCollections(t *testing.T) {
	s, settled := newTestSettler()
	defer s.timer.Stop()
	s.watchGC()
	busyWork(2 << 20)
	deadline := time.After(10 * time.Second) // failure guard only
	for {
		runtime.GC()
		select {
		case <-settled:
			return
		case <-deadline:
			t.Fatal("no settle after busy work and collections")
		case <-time.After(10 * time.Millisecond): // the cleanup runs after the collection: collect again
		}
	}
}
