package tray

import (
	"context"
	"log/slog"

	"github.com/godbus/dbus/v5"
)

// SessionBusError says why there is no usable D-Bus session bus, nil when
// there is one. Without it there are no popups and no tray (the tray is a
// StatusNotifierItem on that bus): the agent then runs without them and
// shows its status window.
func SessionBusError() error {
	bus, err := privateBus(dbus.SessionBusPrivateNoAutoStartup)
	if err != nil {
		return err
	}
	return bus.Close()
}

// privateBus opens and authenticates a private connection, so that closing
// it ends its goroutines (the shared one lives for the process).
func privateBus(open func(...dbus.ConnOption) (*dbus.Conn, error)) (*dbus.Conn, error) {
	bus, err := open()
	if err != nil {
		return nil, err
	}
	if err := bus.Auth(nil); err != nil {
		bus.Close()
		return nil, err
	}
	if err := bus.Hello(); err != nil {
		bus.Close()
		return nil, err
	}
	return bus, nil
}

// WatchResume delivers logind's "the machine woke up"
// (org.freedesktop.login1.Manager.PrepareForSleep(false)) from the system
// bus until ctx ends. Without a system bus or logind it returns nil: the
// link then notices a suspend by its clocks only.
func WatchResume(ctx context.Context, log *slog.Logger) <-chan struct{} {
	bus, err := privateBus(dbus.SystemBusPrivate)
	if err != nil {
		log.Debug("no system bus; resume from sleep is noticed by the clock only", "err", err)
		return nil
	}
	// A match on a bus without logind succeeds but never fires: say there
	// is no signal, and the link notices a suspend by its clocks only.
	var running bool
	if err := bus.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.freedesktop.login1").Store(&running); err != nil || !running {
		log.Debug("no logind on the system bus; resume from sleep is noticed by the clock only", "err", err)
		bus.Close()
		return nil
	}
	return watchSignals(ctx, bus, [][]dbus.MatchOption{{
		dbus.WithMatchInterface("org.freedesktop.login1.Manager"),
		dbus.WithMatchMember("PrepareForSleep"),
	}}, func(sig *dbus.Signal) bool {
		sleeping, ok := sig.Body[0].(bool)
		return len(sig.Body) == 1 && ok && !sleeping
	})
}

// WatchKeyring delivers a hint each time the Secret Service may have become
// usable: it started (NameOwnerChanged of org.freedesktop.secrets), or a
// collection changed (unlocked: CollectionChanged, or a PropertiesChanged of
// its Locked property). Without a session bus it returns nil; the agent
// then retries on its own schedule only.
func WatchKeyring(ctx context.Context, log *slog.Logger) <-chan struct{} {
	bus, err := privateBus(dbus.SessionBusPrivateNoAutoStartup)
	if err != nil {
		return nil
	}
	return watchSignals(ctx, bus, [][]dbus.MatchOption{
		{
			dbus.WithMatchInterface("org.freedesktop.DBus"),
			dbus.WithMatchMember("NameOwnerChanged"),
			dbus.WithMatchArg(0, "org.freedesktop.secrets"),
		},
		{
			dbus.WithMatchInterface("org.freedesktop.Secret.Service"),
			dbus.WithMatchMember("CollectionChanged"),
		},
		{
			dbus.WithMatchInterface("org.freedesktop.DBus.Properties"),
			dbus.WithMatchMember("PropertiesChanged"),
			dbus.WithMatchArg(0, "org.freedesktop.Secret.Collection"),
		},
	}, func(*dbus.Signal) bool { return true })
}

// watchSignals subscribes bus to matches and delivers a coalesced tick for
// each signal that want accepts, until ctx ends; it owns and closes bus.
func watchSignals(ctx context.Context, bus *dbus.Conn, matches [][]dbus.MatchOption, want func(*dbus.Signal) bool) <-chan struct{} {
	for _, m := range matches {
		if err := bus.AddMatchSignal(m...); err != nil {
			bus.Close()
			return nil
		}
	}
	signals := make(chan *dbus.Signal, 8)
	bus.Signal(signals)
	out := make(chan struct{}, 1)
	go func() {
		defer bus.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case sig, ok := <-signals:
				if !ok {
					return
				}
				if len(sig.Body) > 0 && want(sig) {
					signal(out)
				}
			}
		}
	}()
	return out
}
