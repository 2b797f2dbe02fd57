package main

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

// The freedesktop notification service the recorder stands in for.
const (
	notificationsName  = "org.freedesktop.Notifications"
	notificationsPath  = dbus.ObjectPath("/org/freedesktop/Notifications")
	notificationsIface = "org.freedesktop.Notifications"
)

// notifyCall is one Notify call, stamped when it arrived.
type notifyCall struct {
	at       time.Time
	sender   string // unique bus name of the caller
	id       uint32 // the id the recorder answered with
	replaces uint32
	summary  string
}

// recorder owns org.freedesktop.Notifications on the session bus in place
// of a notification daemon, answers like one that shows nothing (ids count
// up from 1; replacing an open notification keeps its id), and stamps every
// Notify call on arrival.
//
// internal/desktoptest.NotificationRecorder does all of this except the
// stamp, which latency needs: godbus runs each incoming call in its own
// goroutine, so time.Now() as the handler's first statement is the moment
// the call was read off the bus.
type recorder struct {
	conn *dbus.Conn

	mu      sync.Mutex
	calls   []notifyCall
	caps    []time.Time // arrivals of GetCapabilities calls
	open    map[uint32]bool
	lastID  uint32
	changed chan struct{} // closed and replaced on every Notify
}

// newRecorder connects to the bus at addr and takes the name.
func newRecorder(addr string) (*recorder, error) {
	conn, err := dbus.Connect(addr)
	if err != nil {
		return nil, err
	}
	r := &recorder{conn: conn, open: make(map[uint32]bool), changed: make(chan struct{})}
	if err := conn.Export(notifyServer{r}, notificationsPath, notificationsIface); err != nil {
		conn.Close()
		return nil, err
	}
	reply, err := conn.RequestName(notificationsName, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		conn.Close()
		return nil, fmt.Errorf("owning %s: reply %v, %v", notificationsName, reply, err)
	}
	return r, nil
}

// close releases the name.
func (r *recorder) close() error { return r.conn.Close() }

// mark returns a position in the list of calls, for since.
func (r *recorder) mark() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}

// capsMark returns a position in the list of GetCapabilities calls, for
// capsSince.
func (r *recorder) capsMark() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.caps)
}

// capsSince returns when the GetCapabilities calls after mark arrived.
func (r *recorder) capsSince(mark int) []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.caps[mark:])
}

// count returns how many calls came after mark, and a channel closed at
// the next call.
func (r *recorder) count(mark int) (int, <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls) - mark, r.changed
}

// since returns the calls after mark.
func (r *recorder) since(mark int) []notifyCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls[mark:])
}

// notifyServer holds the methods exported on the bus.
type notifyServer struct{ r *recorder }

// GetCapabilities answers what a daemon showing actions and bodies would,
// and notes when it was asked.
func (s notifyServer) GetCapabilities() ([]string, *dbus.Error) {
	at := time.Now()
	s.r.mu.Lock()
	s.r.caps = append(s.r.caps, at)
	s.r.mu.Unlock()
	return []string{"actions", "body", "body-markup"}, nil
}

// GetServerInformation names the recorder.
func (s notifyServer) GetServerInformation() (name, vendor, version, specVersion string, err *dbus.Error) {
	return "tasktray-bench", "tasktray", "1", "1.2", nil
}

// Notify records the call, stamped first thing, and answers with its id.
func (s notifyServer) Notify(sender dbus.Sender, appName string, replacesID uint32, appIcon, summary, body string,
	actions []string, hints map[string]dbus.Variant, expireTimeout int32) (uint32, *dbus.Error) {
	at := time.Now()
	r := s.r
	r.mu.Lock()
	defer r.mu.Unlock()
	id := replacesID
	if !r.open[id] {
		r.lastID++
		id = r.lastID
		r.open[id] = true
	}
	r.calls = append(r.calls, notifyCall{at: at, sender: string(sender), id: id, replaces: replacesID, summary: summary})
	close(r.changed)
	r.changed = make(chan struct{})
	return id, nil
}

// CloseNotification forgets the notification, so its id is not reused.
func (s notifyServer) CloseNotification(id uint32) *dbus.Error {
	s.r.mu.Lock()
	delete(s.r.open, id)
	s.r.mu.Unlock()
	return nil
}
