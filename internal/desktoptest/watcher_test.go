package desktoptest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// TestWatcherCloseWhileItemsVanish closes the Watcher while the owners of
// its items leave the bus, so that NameOwnerChanged signals are still queued
// (or being handled) when the connection closes. Close must not panic, and
// must return once the Watcher's goroutine has ended. Run it with -race
// -count=20: the window is a few microseconds wide.
func TestWatcherCloseWhileItemsVanish(t *testing.T) {
	addr := StartSessionBus(t)
	w, err := NewWatcher(addr)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			w.Close()
		}
	})

	const n = 40
	owners := make([]*dbus.Conn, n)
	for i := range owners {
		c, err := dbus.Connect(addr)
		if err != nil {
			t.Fatal(err)
		}
		owners[i] = c
		t.Cleanup(func() { c.Close() })
		err = c.Object(watcherName, watcherPath).Call(watcherIface+".RegisterStatusNotifierItem", 0,
			fmt.Sprintf("/StatusNotifierItem%d", i)).Err
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := len(w.Items()); got != n {
		t.Fatalf("%d items registered, want %d", got, n)
	}

	// Every owner leaves at once; close the Watcher as soon as the first
	// departure has been handled, while the rest are in flight.
	var wg sync.WaitGroup
	for _, c := range owners {
		wg.Go(func() { c.Close() })
	}
	if err := w.wait(guard, func(items []Item) bool { return len(items) < n }); err != nil {
		t.Fatal("no item was dropped after its owner left")
	}
	done := make(chan error, 1)
	go func() { done <- w.Close() }()
	select {
	case <-done:
		closed = true
	case <-time.After(guard):
		t.Fatal("Close did not return")
	}
	wg.Wait()

	// A closed Watcher answers, without panicking, with what it had.
	_ = w.Items()
}

// TestSetReadOnlyOnBrokenConnection: when the bus connection breaks under a
// Watcher (not by Close), publishing returns the error instead of panicking,
// and the property keeps the new value.
func TestSetReadOnlyOnBrokenConnection(t *testing.T) {
	addr := StartSessionBus(t)
	w, err := NewWatcher(addr)
	if err != nil {
		t.Fatal(err)
	}
	w.conn.Close() // as when the bus goes away; w.closed stays false
	w.Close()
	err = setReadOnly(w.props, watcherIface, "RegisteredStatusNotifierItems", []string{":1.7/StatusNotifierItem"})
	if !errors.Is(err, dbus.ErrClosed) {
		t.Errorf("setReadOnly on a closed connection = %v, want dbus.ErrClosed", err)
	}
	got := w.props.GetMust(watcherIface, "RegisteredStatusNotifierItems")
	if !slices.Equal(got.([]string), []string{":1.7/StatusNotifierItem"}) {
		t.Errorf("property %v after the failed signal, want the new value", got)
	}
}
