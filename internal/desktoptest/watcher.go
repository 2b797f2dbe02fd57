package desktoptest

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
	"github.com/godbus/dbus/v5/prop"
)

// The names of the StatusNotifierItem protocol
// (https://www.freedesktop.org/wiki/Specifications/StatusNotifierItem/).
const (
	watcherName  = "org.kde.StatusNotifierWatcher"
	watcherPath  = dbus.ObjectPath("/StatusNotifierWatcher")
	watcherIface = "org.kde.StatusNotifierWatcher"
	itemIface    = "org.kde.StatusNotifierItem"
	itemPath     = dbus.ObjectPath("/StatusNotifierItem")
)

// Item is a tray icon registered with the Watcher: the bus name of its
// owner and the object path of its org.kde.StatusNotifierItem.
type Item struct {
	Service string
	Path    dbus.ObjectPath
}

// String returns the item as the Watcher lists it in
// RegisteredStatusNotifierItems: the service followed by the path.
func (it Item) String() string { return it.Service + string(it.Path) }

// Watcher owns org.kde.StatusNotifierWatcher on a bus and says a tray host
// is present, in place of a desktop panel. Apps register their tray icons
// with it; the Watcher records them, drops them when their owner leaves the
// bus, and reads and clicks them the way a panel does.
type Watcher struct {
	conn    *dbus.Conn
	props   *prop.Properties
	signals chan *dbus.Signal
	done    chan struct{} // closed when the NameOwnerChanged loop has ended

	mu      sync.Mutex
	items   []Item
	changed chan struct{} // closed and replaced whenever items change
	// closed is set by Close before the connection closes: from then on
	// nothing is published, since the property's signal cannot be sent.
	closed bool
}

// NewWatcher connects to the bus at addr and takes the name
// org.kde.StatusNotifierWatcher. Close releases it.
func NewWatcher(addr string) (*Watcher, error) {
	conn, err := dbus.Connect(addr)
	if err != nil {
		return nil, err
	}
	w := &Watcher{conn: conn, signals: make(chan *dbus.Signal, 16), done: make(chan struct{}), changed: make(chan struct{})}
	if err := w.export(); err != nil {
		conn.Close()
		return nil, err
	}
	// Watch owners leave before taking the name, so that no item can
	// register and vanish unseen in between.
	if err := conn.AddMatchSignal(
		dbus.WithMatchSender("org.freedesktop.DBus"),
		dbus.WithMatchInterface("org.freedesktop.DBus"),
		dbus.WithMatchMember("NameOwnerChanged"),
	); err != nil {
		conn.Close()
		return nil, err
	}
	conn.Signal(w.signals)
	go w.dropVanished()
	if err := own(conn, watcherName); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// StartWatcher is NewWatcher for a test: it fails the test on error and
// closes the Watcher when the test ends.
func StartWatcher(t testing.TB, addr string) *Watcher {
	t.Helper()
	w, err := NewWatcher(addr)
	if err != nil {
		t.Fatalf("status notifier watcher: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func (w *Watcher) export() error {
	srv := watcherServer{w}
	props, err := prop.Export(w.conn, watcherPath, prop.Map{watcherIface: {
		"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitTrue},
		"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitTrue},
		"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitTrue},
	}})
	if err != nil {
		return err
	}
	w.props = props
	if err := w.conn.Export(srv, watcherPath, watcherIface); err != nil {
		return err
	}
	node := &introspect.Node{
		Name: string(watcherPath),
		Interfaces: []introspect.Interface{
			introspect.IntrospectData,
			prop.IntrospectData,
			{
				Name:       watcherIface,
				Methods:    introspect.Methods(srv),
				Properties: props.Introspection(watcherIface),
				Signals: []introspect.Signal{
					{Name: "StatusNotifierItemRegistered", Args: []introspect.Arg{{Type: "s"}}},
					{Name: "StatusNotifierItemUnregistered", Args: []introspect.Arg{{Type: "s"}}},
					{Name: "StatusNotifierHostRegistered"},
				},
			},
		},
	}
	return w.conn.Export(introspect.NewIntrospectable(node), watcherPath, "org.freedesktop.DBus.Introspectable")
}

// Items returns the items registered now, oldest first.
func (w *Watcher) Items() []Item {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.items)
}

// WaitItem waits until an item is registered and returns the oldest one.
func (w *Watcher) WaitItem(timeout time.Duration) (Item, error) {
	var it Item
	err := w.wait(timeout, func(items []Item) bool {
		if len(items) == 0 {
			return false
		}
		it = items[0]
		return true
	})
	if err != nil {
		return Item{}, fmt.Errorf("no tray item registered within %v", timeout)
	}
	return it, nil
}

// WaitGone waits until item is no longer registered, as when its app quits.
func (w *Watcher) WaitGone(item Item, timeout time.Duration) error {
	err := w.wait(timeout, func(items []Item) bool { return !slices.Contains(items, item) })
	if err != nil {
		return fmt.Errorf("tray item %s still registered after %v", item, timeout)
	}
	return nil
}

func (w *Watcher) wait(timeout time.Duration, done func([]Item) bool) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		w.mu.Lock()
		items, changed := slices.Clone(w.items), w.changed
		w.mu.Unlock()
		if done(items) {
			return nil
		}
		select {
		case <-changed:
		case <-deadline.C:
			return fmt.Errorf("timeout")
		}
	}
}

// Close disconnects, which releases the name, and waits for the Watcher's
// goroutine to end. Items and the Wait methods still answer afterwards,
// with the items as they were.
func (w *Watcher) Close() error {
	w.mu.Lock()
	w.closed = true // before the connection goes: a queued NameOwnerChanged must not publish on it
	w.mu.Unlock()
	err := w.conn.Close() // closes w.signals, which ends dropVanished
	<-w.done
	return err
}

// dropVanished unregisters the items of bus names that leave the bus. Once
// the Watcher is closing it only drains the signals left in the channel.
func (w *Watcher) dropVanished() {
	defer close(w.done)
	for sig := range w.signals {
		if sig.Name != "org.freedesktop.DBus.NameOwnerChanged" || len(sig.Body) != 3 {
			continue
		}
		name, _ := sig.Body[0].(string)
		newOwner, _ := sig.Body[2].(string)
		if newOwner != "" {
			continue
		}
		w.mu.Lock()
		if w.closed {
			w.mu.Unlock()
			continue
		}
		var gone []Item
		w.items = slices.DeleteFunc(w.items, func(it Item) bool {
			if it.Service == name {
				gone = append(gone, it)
				return true
			}
			return false
		})
		if len(gone) > 0 {
			// An error means the bus connection broke: nobody is left to
			// tell, and the items are dropped all the same.
			_ = w.publishLocked()
		}
		w.mu.Unlock()
		for _, it := range gone {
			// Fails only once the connection is gone, when no one can hear it.
			w.conn.Emit(watcherPath, watcherIface+".StatusNotifierItemUnregistered", it.String())
		}
	}
}

// publishLocked wakes waiters and updates the property, unless the Watcher
// is closed; w.mu is held. It returns the error of sending the property's
// PropertiesChanged signal.
func (w *Watcher) publishLocked() error {
	close(w.changed)
	w.changed = make(chan struct{})
	if w.closed {
		return nil
	}
	names := make([]string, len(w.items))
	for i, it := range w.items {
		names[i] = it.String()
	}
	return setReadOnly(w.props, watcherIface, "RegisteredStatusNotifierItems", names)
}

// setReadOnly sets a property that the bus cannot write and emits its
// PropertiesChanged signal, returning the error of sending that signal, as
// when the connection has closed.
//
// prop.Properties.Set cannot do it: it is the bus's Set method and refuses
// a property that is not Writable (prop.ErrReadOnly). SetMust stores the
// value first and then panics with the error of the signal; it unlocks the
// Properties in a deferred call, so recovering here leaves them usable.
func setReadOnly(props *prop.Properties, iface, name string, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = fmt.Errorf("set %s.%s: %w", iface, name, e)
				return
			}
			panic(r)
		}
	}()
	props.SetMust(iface, name, v)
	return nil
}

// watcherServer holds the methods exported on the bus, apart from the
// Watcher's own.
type watcherServer struct{ w *Watcher }

// RegisterStatusNotifierItem takes either a bus name (the item is at
// /StatusNotifierItem) or, as libappindicator and fyne.io/systray send, an
// object path on the caller's own connection.
func (s watcherServer) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	it := Item{Service: service, Path: itemPath}
	if strings.HasPrefix(service, "/") {
		it = Item{Service: string(sender), Path: dbus.ObjectPath(service)}
	}
	if !it.Path.IsValid() {
		return dbus.MakeFailedError(fmt.Errorf("invalid item path %q", it.Path))
	}
	w := s.w
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return dbus.MakeFailedError(fmt.Errorf("status notifier watcher is closing"))
	}
	added := !slices.Contains(w.items, it)
	var err error
	if added {
		w.items = append(w.items, it)
		err = w.publishLocked()
	}
	w.mu.Unlock()
	if err != nil {
		return dbus.MakeFailedError(err)
	}
	if added {
		if err := w.conn.Emit(watcherPath, watcherIface+".StatusNotifierItemRegistered", it.String()); err != nil {
			return dbus.MakeFailedError(err)
		}
	}
	return nil
}

func (s watcherServer) RegisterStatusNotifierHost(service string) *dbus.Error {
	return nil
}

// Property reads one property of the item's org.kde.StatusNotifierItem.
func (w *Watcher) Property(item Item, name string) (dbus.Variant, error) {
	return w.conn.Object(item.Service, item.Path).GetProperty(itemIface + "." + name)
}

// Title returns the item's Title property.
func (w *Watcher) Title(item Item) (string, error) {
	v, err := w.Property(item, "Title")
	if err != nil {
		return "", err
	}
	var title string
	return title, v.Store(&title)
}

// IconPixmap returns the largest image of the item's IconPixmap property:
// width, height and pixels as ARGB32 in network byte order, 4 bytes a
// pixel, rows top to bottom. An item with no image gives 0, 0 and no pixels.
func (w *Watcher) IconPixmap(item Item) (width, height int, argb []byte, err error) {
	v, err := w.Property(item, "IconPixmap")
	if err != nil {
		return 0, 0, nil, err
	}
	var pixmaps []struct {
		W, H int32
		Pix  []byte
	}
	if err := v.Store(&pixmaps); err != nil {
		return 0, 0, nil, fmt.Errorf("IconPixmap: %w", err)
	}
	for _, p := range pixmaps {
		if int(p.W)*int(p.H)*4 != len(p.Pix) {
			return 0, 0, nil, fmt.Errorf("IconPixmap: %dx%d image with %d bytes", p.W, p.H, len(p.Pix))
		}
		if int(p.W)*int(p.H) > width*height {
			width, height, argb = int(p.W), int(p.H), p.Pix
		}
	}
	return width, height, argb, nil
}

// WaitIconChange waits until the item's IconPixmap differs from prev and
// returns the new one. It polls instead of waiting for NewIcon: the signal
// may fire before the caller subscribes, and the property is what a panel
// draws.
func (w *Watcher) WaitIconChange(item Item, prev []byte, timeout time.Duration) (width, height int, argb []byte, err error) {
	deadline := time.Now().Add(timeout)
	for {
		width, height, argb, err = w.IconPixmap(item)
		if err == nil && !bytes.Equal(argb, prev) {
			return width, height, argb, nil
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("icon of %s unchanged after %v", item, timeout)
			}
			return 0, 0, nil, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}
