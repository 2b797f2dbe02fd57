package desktoptest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
)

// The names of the freedesktop notification service
// (https://specifications.freedesktop.org/notification-spec/latest/).
const (
	notificationsName  = "org.freedesktop.Notifications"
	notificationsPath  = dbus.ObjectPath("/org/freedesktop/Notifications")
	notificationsIface = "org.freedesktop.Notifications"
)

// Reasons a notification closed, as NotificationClosed carries them.
const (
	ClosedExpired   uint32 = 1
	ClosedDismissed uint32 = 2
	ClosedByCall    uint32 = 3
)

// Notification is one Notify call exactly as the recorder received it.
type Notification struct {
	// Received is when the call arrived: godbus runs each incoming call in
	// a goroutine of its own, and the handler reads the clock first thing,
	// so it is the moment the call was read off the bus (for latency).
	Received time.Time
	// ID is the id the recorder answered with.
	ID uint32
	// Sender is the unique bus name of the caller.
	Sender        string
	AppName       string
	ReplacesID    uint32
	AppIcon       string
	Summary       string
	Body          string
	Actions       []string // key, label, key, label, ...
	Hints         map[string]dbus.Variant
	ExpireTimeout int32
}

// Urgency returns the urgency hint (0 low, 1 normal, 2 critical) and
// whether the call set one of the byte type the spec requires.
func (n Notification) Urgency() (byte, bool) {
	v, ok := n.Hints["urgency"]
	if !ok {
		return 0, false
	}
	u, ok := v.Value().(byte)
	return u, ok
}

// ActionKeys returns the keys of the notification's actions, without labels.
func (n Notification) ActionKeys() []string {
	var keys []string
	for i := 0; i+1 < len(n.Actions); i += 2 {
		keys = append(keys, n.Actions[i])
	}
	return keys
}

// NotificationRecorder owns org.freedesktop.Notifications on a bus and
// records every call to it, in place of the desktop's notification daemon.
// It answers like a daemon that shows nothing: ids count up from 1, a
// ReplacesID of a notification still open keeps its id, and
// CloseNotification emits NotificationClosed.
type NotificationRecorder struct {
	conn *dbus.Conn

	mu       sync.Mutex
	caps     []string
	capCalls int // GetCapabilities calls so far
	calls    []Notification
	open     map[uint32]bool
	lastID   uint32
	changed  chan struct{} // closed and replaced on every Notify, to wake WaitFor
}

// NewNotificationRecorder connects to the bus at addr and takes the name
// org.freedesktop.Notifications. Close releases it.
func NewNotificationRecorder(addr string) (*NotificationRecorder, error) {
	conn, err := dbus.Connect(addr)
	if err != nil {
		return nil, err
	}
	r := &NotificationRecorder{
		conn:    conn,
		caps:    []string{"actions", "body", "body-markup"},
		open:    make(map[uint32]bool),
		changed: make(chan struct{}),
	}
	srv := notificationServer{r}
	node := &introspect.Node{
		Name: string(notificationsPath),
		Interfaces: []introspect.Interface{
			introspect.IntrospectData,
			{Name: notificationsIface, Methods: introspect.Methods(srv)},
		},
	}
	if err := conn.Export(srv, notificationsPath, notificationsIface); err != nil {
		conn.Close()
		return nil, err
	}
	if err := conn.Export(introspect.NewIntrospectable(node), notificationsPath, "org.freedesktop.DBus.Introspectable"); err != nil {
		conn.Close()
		return nil, err
	}
	if err := own(conn, notificationsName); err != nil {
		conn.Close()
		return nil, err
	}
	return r, nil
}

// StartNotificationRecorder is NewNotificationRecorder for a test: it fails
// the test on error and closes the recorder when the test ends.
func StartNotificationRecorder(t testing.TB, addr string) *NotificationRecorder {
	t.Helper()
	r, err := NewNotificationRecorder(addr)
	if err != nil {
		t.Fatalf("notification recorder: %v", err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// SetCapabilities sets what GetCapabilities answers from now on; the
// default is actions, body and body-markup.
func (r *NotificationRecorder) SetCapabilities(caps ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.caps = slices.Clone(caps)
}

// CapabilityCalls returns how many GetCapabilities calls arrived so far.
// A client that asks before every Notify costs the desktop a round trip a
// popup; one that asks once per daemon, a handful.
func (r *NotificationRecorder) CapabilityCalls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.capCalls
}

// Calls returns a copy of the Notify calls so far, oldest first.
func (r *NotificationRecorder) Calls() []Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// WaitFor waits until at least n Notify calls arrived and returns them all;
// after timeout it returns those it has and an error.
func (r *NotificationRecorder) WaitFor(n int, timeout time.Duration) ([]Notification, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		calls, changed := slices.Clone(r.calls), r.changed
		r.mu.Unlock()
		if len(calls) >= n {
			return calls, nil
		}
		select {
		case <-changed:
		case <-deadline.C:
			return calls, fmt.Errorf("got %d notifications within %v, want %d", len(calls), timeout, n)
		}
	}
}

// EmitAction emits ActionInvoked for notification id, as a daemon does when
// the user clicks the action with that key ("default" for the popup itself).
func (r *NotificationRecorder) EmitAction(id uint32, key string) error {
	return r.conn.Emit(notificationsPath, notificationsIface+".ActionInvoked", id, key)
}

// EmitClosed forgets notification id and emits NotificationClosed with the
// reason, as a daemon does when a popup expires or the user dismisses it.
func (r *NotificationRecorder) EmitClosed(id, reason uint32) error {
	r.mu.Lock()
	delete(r.open, id)
	r.mu.Unlock()
	return r.conn.Emit(notificationsPath, notificationsIface+".NotificationClosed", id, reason)
}

// Close releases the name and disconnects.
func (r *NotificationRecorder) Close() error {
	return r.conn.Close()
}

// notificationServer holds the methods exported on the bus, apart from the
// recorder's own, which godbus would otherwise export too.
type notificationServer struct{ r *NotificationRecorder }

func (s notificationServer) GetCapabilities() ([]string, *dbus.Error) {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.capCalls++
	return slices.Clone(s.r.caps), nil
}

func (s notificationServer) GetServerInformation() (name, vendor, version, specVersion string, err *dbus.Error) {
	return "desktoptest", "tasktray", "1", "1.2", nil
}

func (s notificationServer) Notify(sender dbus.Sender, appName string, replacesID uint32, appIcon, summary, body string,
	actions []string, hints map[string]dbus.Variant, expireTimeout int32) (uint32, *dbus.Error) {
	received := time.Now() // first, before waiting for the lock
	r := s.r
	r.mu.Lock()
	defer r.mu.Unlock()
	id := replacesID
	if !r.open[id] {
		r.lastID++
		id = r.lastID
		r.open[id] = true
	}
	r.calls = append(r.calls, Notification{
		Received: received, ID: id, Sender: string(sender), AppName: appName, ReplacesID: replacesID, AppIcon: appIcon,
		Summary: summary, Body: body, Actions: actions, Hints: hints, ExpireTimeout: expireTimeout,
	})
	close(r.changed)
	r.changed = make(chan struct{})
	return id, nil
}

func (s notificationServer) CloseNotification(id uint32) *dbus.Error {
	r := s.r
	r.mu.Lock()
	wasOpen := r.open[id]
	delete(r.open, id)
	r.mu.Unlock()
	if wasOpen {
		if err := r.conn.Emit(notificationsPath, notificationsIface+".NotificationClosed", id, ClosedByCall); err != nil {
			return dbus.MakeFailedError(err)
		}
	}
	return nil
}

// own takes a well-known name, failing if someone else has it.
func own(conn *dbus.Conn, name string) error {
	reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
	if err != nil {
		return fmt.Errorf("request %s: %w", name, err)
	}
	if reply != dbus.RequestNameReplyPrimaryOwner {
		return fmt.Errorf("request %s: already owned", name)
	}
	return nil
}
