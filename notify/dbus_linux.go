package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/godbus/dbus/v5"

	"tasktray/conn"
)

// The freedesktop notification service
// (https://specifications.freedesktop.org/notification-spec/latest/).
const (
	serviceName  = "org.freedesktop.Notifications"
	servicePath  = dbus.ObjectPath("/org/freedesktop/Notifications")
	serviceIface = "org.freedesktop.Notifications"
)

// Urgency levels of the "urgency" hint.
const (
	urgencyLow      byte = 0
	urgencyNormal   byte = 1
	urgencyCritical byte = 2
)

// maxTracked bounds how many popups DBus remembers for clicks and
// replacement. Daemons report most popups closed, but a daemon that keeps
// them in a history may never do so.
const maxTracked = 256

// D-Bus errors that say the daemon we called is no longer there: it left
// before its NameOwnerChanged reached us, or while it had our call.
var daemonGone = map[string]bool{
	"org.freedesktop.DBus.Error.ServiceUnknown": true,
	"org.freedesktop.DBus.Error.NameHasNoOwner": true,
	"org.freedesktop.DBus.Error.NoReply":        true,
}

// DBus shows popups through org.freedesktop.Notifications on a D-Bus
// session bus, and opens a popup's URL when the user clicks it.
//
// It calls the service directly with godbus rather than through a wrapper
// library: the protocol is three calls and two signals, and owning the code
// keeps the match rule narrow and lets Close stop everything it started.
//
// Notification ids are the daemon's own, counted from 1 by each daemon
// process, so DBus calls the daemon by its unique bus name and keys what it
// remembers by (unique name, id): after a restart the new daemon's id 1 is
// not the old one's.
type DBus struct {
	conn     *dbus.Conn
	ownsConn bool
	icon     string // app_icon: a file:// URI, or "" for none
	open     func(string) error
	log      *slog.Logger

	signals chan *dbus.Signal
	owners  chan struct{} // gets a value when the daemon changed; see ownerChanged
	stop    chan struct{} // closed by Close to end the signal loop
	done    chan struct{} // closed when the signal loop has ended
	closed  sync.Once

	mu     sync.Mutex
	daemon string          // unique bus name of the daemon; "" until asked, or after it left
	caps   map[string]bool // the daemon's capabilities; nil until asked
	shown  map[popupKey]shown
	seq    uint64 // counts remembered popups, to forget the oldest first
	// closedAt holds, for recently closed popups, where NotificationClosed
	// came on the connection. Show remembers a popup after its answer, on
	// another goroutine than the one handling signals, so the close of a
	// popup that closed at once can be handled first; see remember.
	closedAt map[popupKey]dbus.Sequence
}

// popupKey names one notification: ids are per daemon process.
type popupKey struct {
	daemon string // unique bus name
	id     uint32
}

type shown struct {
	popupID string
	url     string // "" unless a click may open it
	seq     uint64
}

// NewDesktop connects to the session bus and returns a notifier that owns
// the connection, behind a queue so that Show never waits for the daemon.
// The icon is written to the user's cache directory, since the notification
// spec passes icons by file. Its error wraps ErrNoSessionBus when there is
// no session bus to connect to.
func NewDesktop(o Options) (Notifier, error) {
	// Not dbus.ConnectSessionBus: without a session bus address it runs
	// dbus-launch where installed, which starts a bus no notification
	// daemon listens on and leaves it running after we exit.
	c, err := dbus.SessionBusPrivateNoAutoStartup()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoSessionBus, err)
	}
	if err := c.Auth(nil); err != nil {
		c.Close()
		return nil, fmt.Errorf("%w: %w", ErrNoSessionBus, err)
	}
	if err := c.Hello(); err != nil {
		c.Close()
		return nil, fmt.Errorf("%w: %w", ErrNoSessionBus, err)
	}
	n, err := NewDBus(c, o)
	if err != nil {
		c.Close()
		return nil, err
	}
	n.ownsConn = true
	return newQueue(n, n.ownerChanged(), o.withDefaults()), nil
}

// NewDBus returns a notifier that uses c, which the caller keeps and must
// close after Close. A daemon need not run yet: each Show asks whoever owns
// the name at that time. Its Show waits for the daemon's answer, for as long
// as ctx lets it; NewDesktop puts a queue in front.
func NewDBus(c *dbus.Conn, o Options) (*DBus, error) {
	o = o.withDefaults()
	n := &DBus{
		conn:     c,
		open:     o.Open,
		log:      o.Logger,
		signals:  make(chan *dbus.Signal, 16),
		owners:   make(chan struct{}, 1),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
		shown:    make(map[popupKey]shown),
		closedAt: make(map[popupKey]dbus.Sequence),
	}
	if path, err := writeIcon(o.Icon); err != nil {
		n.log.Warn("notify: popups go without an icon", "err", err)
	} else {
		n.icon = (&url.URL{Scheme: "file", Path: path}).String()
	}
	if err := c.AddMatchSignal(matchRule()...); err != nil {
		return nil, fmt.Errorf("notify: listen for clicks: %w", err)
	}
	if err := c.AddMatchSignal(ownerRule()...); err != nil {
		c.RemoveMatchSignal(matchRule()...)
		return nil, fmt.Errorf("notify: watch the notification daemon: %w", err)
	}
	c.Signal(n.signals)
	go n.loop()
	return n, nil
}

// matchRule selects the service's signals: ActionInvoked and
// NotificationClosed, and any it adds later.
func matchRule() []dbus.MatchOption {
	return []dbus.MatchOption{
		dbus.WithMatchSender(serviceName),
		dbus.WithMatchObjectPath(servicePath),
		dbus.WithMatchInterface(serviceIface),
	}
}

// ownerRule selects the bus's NameOwnerChanged for the service: the daemon
// started, left or was replaced (dunst restarted, another desktop shell).
func ownerRule() []dbus.MatchOption {
	return []dbus.MatchOption{
		dbus.WithMatchSender("org.freedesktop.DBus"),
		dbus.WithMatchInterface("org.freedesktop.DBus"),
		dbus.WithMatchMember("NameOwnerChanged"),
		dbus.WithMatchArg(0, serviceName),
	}
}

// ownerChanged gets a value when a daemon took or left the name: a queue
// waiting to retry can try at once.
func (n *DBus) ownerChanged() <-chan struct{} { return n.owners }

// target returns the unique bus name of the daemon and its capabilities,
// asked once per daemon: a round trip before every popup would double the
// cost of a popup. With no daemon running, the bus may start one by D-Bus
// activation, as a call to the service's name would.
func (n *DBus) target(ctx context.Context) (string, map[string]bool, error) {
	n.mu.Lock()
	daemon, caps := n.daemon, n.caps
	n.mu.Unlock()
	if daemon != "" && caps != nil {
		return daemon, caps, nil
	}
	if daemon == "" {
		bus := n.conn.BusObject()
		err := bus.CallWithContext(ctx, "org.freedesktop.DBus.GetNameOwner", 0, serviceName).Store(&daemon)
		if dbusErrorName(err) == "org.freedesktop.DBus.Error.NameHasNoOwner" {
			var started uint32
			if err = bus.CallWithContext(ctx, "org.freedesktop.DBus.StartServiceByName", 0, serviceName, uint32(0)).Store(&started); err == nil {
				err = bus.CallWithContext(ctx, "org.freedesktop.DBus.GetNameOwner", 0, serviceName).Store(&daemon)
			}
		}
		if err != nil {
			return "", nil, err
		}
	}
	var list []string
	if err := n.conn.Object(daemon, servicePath).CallWithContext(ctx, serviceIface+".GetCapabilities", 0).Store(&list); err != nil {
		return daemon, nil, err
	}
	caps = make(map[string]bool, len(list))
	for _, c := range list {
		caps[c] = true
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.daemon == "" || n.daemon == daemon { // else a newer one took over meanwhile: caps of the old are moot
		n.daemon, n.caps = daemon, caps
	}
	return daemon, caps, nil
}

// Show sends p to the notification daemon and waits for its answer.
func (n *DBus) Show(ctx context.Context, p Popup) error {
	p = clipPopup(p)
	daemon, err := n.show(ctx, p)
	if daemonGone[dbusErrorName(err)] && daemon != "" {
		// The daemon we knew left before we heard; whoever has the name
		// now gets the popup.
		n.forgetDaemon(daemon, "")
		_, err = n.show(ctx, p)
	}
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// show sends p to the daemon it returns.
func (n *DBus) show(ctx context.Context, p Popup) (daemon string, err error) {
	daemon, caps, err := n.target(ctx)
	if err != nil {
		return daemon, err
	}

	// The body is escaped even when the daemon does not claim body-markup:
	// dunst 1.9 (Debian 12) parses markup without claiming it, where a
	// task's "<b>" would turn bold, a broken "&" would garble the popup, and
	// an <a href> would make a link that skips our URL check.
	body := escapeMarkup(p.Body)
	var actions []string
	var link string
	if caps["actions"] && webURL(p.URL) {
		// "default" is a click on the popup itself; "open" a button for
		// desktops that show actions as buttons.
		open := textOpen.String()
		actions = []string{"default", open, "open", open}
		link = p.URL
	}
	urgency := urgencyOf(p.Priority)
	timeout := int32(-1) // the daemon's default
	if urgency == urgencyCritical {
		timeout = 0 // an urgent task stays until the user has seen it
	}
	hints := map[string]dbus.Variant{"urgency": dbus.MakeVariant(urgency)}
	if caps["sound"] { // a daemon without it may ignore the hints, or play a sound for an unknown one
		if p.Sound {
			hints["sound-name"] = dbus.MakeVariant("message-new-instant")
		} else {
			hints["suppress-sound"] = dbus.MakeVariant(true)
		}
	}

	replaces := n.replaces(daemon, p.ID)
	var id uint32
	call := n.conn.Object(daemon, servicePath).CallWithContext(ctx, serviceIface+".Notify", 0,
		appName, replaces, n.icon, p.Title, body, actions, hints, timeout)
	if err := call.Store(&id); err != nil {
		return daemon, err
	}
	// A click needs a person to see the popup first, so it cannot beat
	// this; a signal for an id not remembered would be ignored.
	n.remember(popupKey{daemon, id}, replaces, shown{popupID: p.ID, url: link}, call.ResponseSequence)
	return daemon, nil
}

// dbusErrorName returns the D-Bus name of err, or "".
func dbusErrorName(err error) string {
	var e dbus.Error
	if errors.As(err, &e) {
		return e.Name
	}
	var pe *dbus.Error
	if errors.As(err, &pe) {
		return pe.Name
	}
	return ""
}

// Close stops listening for clicks and waits for the signal loop to end.
// It closes the connection only if NewDesktop opened it.
func (n *DBus) Close() error {
	var err error
	n.closed.Do(func() {
		if !n.ownsConn {
			err = errors.Join(n.conn.RemoveMatchSignal(matchRule()...), n.conn.RemoveMatchSignal(ownerRule()...))
		}
		n.conn.RemoveSignal(n.signals)
		close(n.stop)
		<-n.done
		if n.ownsConn {
			err = n.conn.Close()
		}
	})
	return err
}

func (n *DBus) loop() {
	defer close(n.done)
	for {
		select {
		case <-n.stop:
			return
		case sig, ok := <-n.signals:
			if !ok {
				return // the connection closed
			}
			n.handle(sig)
		}
	}
}

// handle acts on one signal. The match rule takes signals from the daemon
// only; a peer that sends us one directly could at most open the URL of a
// popup we showed, and anything on the session bus runs as this user.
func (n *DBus) handle(sig *dbus.Signal) {
	if sig.Name == "org.freedesktop.DBus.NameOwnerChanged" {
		var name, old, owner string
		if dbus.Store(sig.Body, &name, &old, &owner) != nil || name != serviceName {
			return
		}
		n.forgetDaemon(old, owner)
		select {
		case n.owners <- struct{}{}:
		default: // one wake-up pending is enough
		}
		return
	}
	if sig.Path != servicePath {
		return
	}
	switch sig.Name {
	case serviceIface + ".ActionInvoked":
		var id uint32
		var key string
		if dbus.Store(sig.Body, &id, &key) != nil || (key != "default" && key != "open") {
			return
		}
		n.mu.Lock()
		link := n.shown[popupKey{sig.Sender, id}].url
		n.mu.Unlock()
		if !webURL(link) {
			return
		}
		if err := n.open(link); err != nil {
			// The URL stays out of the log: it may carry a secret.
			n.log.Warn("notify: open the task's link", "err", err)
		}
	case serviceIface + ".NotificationClosed":
		var id, reason uint32
		if dbus.Store(sig.Body, &id, &reason) != nil {
			return
		}
		k := popupKey{sig.Sender, id}
		n.mu.Lock()
		delete(n.shown, k)
		if len(n.closedAt) >= maxTracked {
			clear(n.closedAt) // old closes: their popups were remembered long ago
		}
		n.closedAt[k] = sig.Sequence
		n.mu.Unlock()
	}
}

// forgetDaemon drops what DBus knows of the daemon old, which left, and
// takes owner ("" for none or not known) as the daemon from now on.
func (n *DBus) forgetDaemon(old, owner string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for k := range n.shown {
		if k.daemon == old {
			delete(n.shown, k)
		}
	}
	if n.daemon == old || owner != "" {
		n.daemon, n.caps = owner, nil
	}
}

// replaces returns the id the daemon shows the popup with this ID under,
// or 0.
func (n *DBus) replaces(daemon, popupID string) uint32 {
	if popupID == "" {
		return 0
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	for k, s := range n.shown {
		if k.daemon == daemon && s.popupID == popupID {
			return k.id
		}
	}
	return 0
}

// remember keeps s as the popup k, which the daemon's answer at sequence
// answered put on screen, unless the daemon left or closed it since.
func (n *DBus) remember(k popupKey, replaced uint32, s shown, answered dbus.Sequence) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.daemon != k.daemon {
		return // it left while we called it
	}
	if at, ok := n.closedAt[k]; ok {
		delete(n.closedAt, k)
		if at > answered {
			return // closed already
		}
	}
	delete(n.shown, popupKey{k.daemon, replaced}) // a daemon that lost it answers with a new id
	n.seq++
	s.seq = n.seq
	n.shown[k] = s
	if len(n.shown) > maxTracked {
		oldest := k
		for k, s := range n.shown {
			if s.seq < n.shown[oldest].seq {
				oldest = k
			}
		}
		delete(n.shown, oldest)
	}
}

// urgencyOf maps a task priority onto the three urgency levels.
func urgencyOf(priority int) byte {
	switch p := conn.ClampPriority(priority); {
	case p <= 2:
		return urgencyLow
	case p >= conn.PriorityMax:
		return urgencyCritical
	}
	return urgencyNormal
}

var markupEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escapeMarkup makes text show verbatim in a body the daemon reads as markup.
func escapeMarkup(text string) string { return markupEscaper.Replace(text) }

// writeIcon puts the icon PNG in the user's cache directory and returns its
// path, leaving an identical file alone.
func writeIcon(png []byte) (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir = filepath.Join(dir, appName)
	path := filepath.Join(dir, "icon.png")
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, png) {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	// Write then rename, so a daemon never reads half an icon.
	tmp, err := os.CreateTemp(dir, "icon-*.png")
	if err != nil {
		return "", err
	}
	_, err = tmp.Write(png)
	err = errors.Join(err, tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return path, nil
}
