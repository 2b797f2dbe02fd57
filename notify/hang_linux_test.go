package notify

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"tasktray/internal/desktoptest"
)

// stallingDaemon owns org.freedesktop.Notifications and answers nothing,
// like a daemon whose main loop is stuck: each call waits until the test
// ends and then fails. After Answer, new calls are answered as by a daemon
// that shows every popup, with ids from 1.
type stallingDaemon struct {
	conn    *dbus.Conn
	release chan struct{} // closed when the test ends

	mu        sync.Mutex
	answering bool
	stuck     int      // calls left without an answer
	shown     []string // titles of the popups answered, in order
	changed   chan struct{}
}

func startStallingDaemon(t *testing.T, addr string) *stallingDaemon {
	t.Helper()
	c := desktoptest.Connect(t, addr)
	d := &stallingDaemon{conn: c, release: make(chan struct{}), changed: make(chan struct{})}
	t.Cleanup(func() { close(d.release) }) // before the connection closes: cleanups run last first
	if err := c.Export(stallingServer{d}, servicePath, serviceIface); err != nil {
		t.Fatal(err)
	}
	reply, err := c.RequestName(serviceName, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own %s: %v, reply %d", serviceName, err, reply)
	}
	return d
}

// stall waits for the test to end if the daemon does not answer, and
// reports whether it did not.
func (d *stallingDaemon) stall() bool {
	d.mu.Lock()
	if d.answering {
		d.mu.Unlock()
		return false
	}
	d.stuck++
	d.notify()
	d.mu.Unlock()
	<-d.release
	return true
}

// notify wakes waitFor; d.mu is held.
func (d *stallingDaemon) notify() {
	close(d.changed)
	d.changed = make(chan struct{})
}

// Answer makes the daemon answer the calls that come from now on.
func (d *stallingDaemon) Answer() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.answering = true
}

// waitFor waits until cond holds for the daemon's state, or fails the
// test after a guard timeout.
func (d *stallingDaemon) waitFor(t *testing.T, what string, cond func(stuck int, shown []string) bool) {
	t.Helper()
	guard := time.After(30 * time.Second)
	for {
		d.mu.Lock()
		ok, changed := cond(d.stuck, d.shown), d.changed
		state := fmt.Sprintf("%d stuck calls, shown %q", d.stuck, d.shown)
		d.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-changed:
		case <-guard:
			t.Fatalf("waiting for %s: %s", what, state)
		}
	}
}

// stallingServer holds the methods exported on the bus.
type stallingServer struct{ d *stallingDaemon }

func (s stallingServer) GetCapabilities() ([]string, *dbus.Error) {
	if s.d.stall() {
		return nil, dbus.MakeFailedError(fmt.Errorf("stuck"))
	}
	return []string{"actions", "body"}, nil
}

func (s stallingServer) Notify(appName string, replacesID uint32, appIcon, summary, body string,
	actions []string, hints map[string]dbus.Variant, expireTimeout int32) (uint32, *dbus.Error) {
	if s.d.stall() {
		return 0, dbus.MakeFailedError(fmt.Errorf("stuck"))
	}
	d := s.d
	d.mu.Lock()
	defer d.mu.Unlock()
	d.shown = append(d.shown, summary)
	d.notify()
	return uint32(len(d.shown)), nil
}

// syncBuffer is a log destination the notifier's goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// tasksIn counts the tasks popups stand for: "37 new tasks" is 37.
func tasksIn(titles []string) int {
	n := 0
	for _, title := range titles {
		var k int
		if _, err := fmt.Sscanf(title, "%d new tasks", &k); err == nil {
			n += k
		} else {
			n++
		}
	}
	return n
}

// TestHungDaemonDoesNotBlockShow is defect 2 of issue 10 on the notify
// side: a notification daemon that never answers must not block Show (the
// agent's loop calls it), what waits for it stays bounded however many
// tasks come, nothing is dropped silently, and once the daemon answers
// again every task reaches it, on its own or counted in a summary. It runs
// with NewDesktop's own settings (a 5 s deadline).
func TestHungDaemonDoesNotBlockShow(t *testing.T) {
	addr := desktoptest.StartSessionBus(t)
	d := startStallingDaemon(t, addr)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	var logs syncBuffer
	n, err := NewDesktop(Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })

	const total = 100
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		for i := range total {
			if err := n.Show(context.Background(), Popup{ID: fmt.Sprint("t", i), Title: fmt.Sprint("task ", i)}); err != nil {
				t.Errorf("Show: %v", err)
			}
		}
	}()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("Show blocked on a notification daemon that does not answer")
	}
	d.waitFor(t, "a call to the daemon", func(stuck int, _ []string) bool { return stuck > 0 })

	q := n.(*queue)
	if pending, folded := q.waiting(); pending > DefaultQueueLen || pending+folded < total-1 {
		t.Errorf("%d popups wait and %d tasks are folded; want at most %d waiting and all %d tasks kept", pending, folded, DefaultQueueLen, total)
	}
	if !strings.Contains(logs.String(), "folding popups into a summary") {
		t.Errorf("folding was not logged: %s", logs.String())
	}

	d.Answer()
	d.waitFor(t, "every task shown or counted", func(_ int, shown []string) bool { return tasksIn(shown) >= total })
	d.mu.Lock()
	shown := d.shown
	d.mu.Unlock()
	if tasksIn(shown) != total || shown[len(shown)-1] != fmt.Sprint("task ", total-1) || len(shown) > DefaultQueueLen+2 {
		t.Errorf("shown %q; want %d tasks in at most %d popups, the newest last", shown, total, DefaultQueueLen+2)
	}
	if pending, folded := q.waiting(); pending != 0 || folded != 0 {
		t.Errorf("after the daemon answered, %d popups wait and %d tasks are folded", pending, folded)
	}
}

// TestNewDaemonAfterAHungOne: when another daemon takes the name from a
// hung one, waiting popups go to it at once, without waiting out a retry.
func TestNewDaemonAfterAHungOne(t *testing.T) {
	addr := desktoptest.StartSessionBus(t)
	hung := startStallingDaemon(t, addr)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	// A retry an hour away: only the new daemon's arrival can wake the queue.
	n, err := NewDesktop(Options{deadline: time.Second, retryMin: time.Hour, retryMax: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })

	returned := make(chan error, 1)
	go func() { returned <- n.Show(context.Background(), Popup{ID: "a", Title: "task a"}) }()
	select {
	case err := <-returned:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Show blocked on a notification daemon that does not answer")
	}
	hung.waitFor(t, "a call to the hung daemon", func(stuck int, _ []string) bool { return stuck > 0 })
	mustShow(t, n, Popup{ID: "b", Title: "task b"})
	if _, err := hung.conn.ReleaseName(serviceName); err != nil {
		t.Fatal(err)
	}
	rec := desktoptest.StartNotificationRecorder(t, addr)
	calls, err := rec.WaitFor(2, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, c := range calls {
		titles = append(titles, c.Summary)
	}
	if tasksIn(titles) != 2 || titles[len(titles)-1] != "task b" {
		t.Errorf("the new daemon showed %q; want both tasks, b last", titles)
	}
}
