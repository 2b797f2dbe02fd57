package tray

import (
	"context"
	"log/slog"

	"github.com/godbus/dbus/v5"
)

// watcherName is the bus name of the StatusNotifierItem host registry; a
// tray host (KDE, GNOME's AppIndicator extension, waybar...) owns it.
const watcherName = "org.kde.StatusNotifierWatcher"

// WatchTrayHost reports on the returned channel whether a tray host is
// missing: true at start if none runs, then every change. Without a session
// bus it returns nil (no news, ever). It stops when ctx ends.
func WatchTrayHost(ctx context.Context, log *slog.Logger) <-chan bool {
	bus, err := dbus.SessionBusPrivate()
	if err != nil {
		// The agent says so once, having no popups either (desktopConfig).
		log.Debug("no D-Bus session bus; cannot tell whether a tray host runs", "err", err)
		return nil
	}
	if err := bus.Auth(nil); err != nil {
		bus.Close()
		return nil
	}
	if err := bus.Hello(); err != nil {
		bus.Close()
		return nil
	}
	// Subscribe before asking, so an owner change in between is not missed.
	if err := bus.AddMatchSignal(
		dbus.WithMatchInterface("org.freedesktop.DBus"),
		dbus.WithMatchMember("NameOwnerChanged"),
		dbus.WithMatchArg(0, watcherName),
	); err != nil {
		bus.Close()
		return nil
	}
	signals := make(chan *dbus.Signal, 8)
	bus.Signal(signals)
	var has bool
	if err := bus.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, watcherName).Store(&has); err != nil {
		bus.Close()
		return nil
	}
	out := make(chan bool, 1)
	out <- !has
	go func() {
		defer bus.Close()
		missing := !has
		for {
			select {
			case <-ctx.Done():
				return
			case sig, ok := <-signals:
				if !ok {
					return
				}
				if len(sig.Body) != 3 {
					continue
				}
				newOwner, _ := sig.Body[2].(string)
				if now := newOwner == ""; now != missing {
					missing = now
					select {
					case out <- missing:
					case <-ctx.Done():
						return
					}
				}
			}
		}
	}()
	return out
}
