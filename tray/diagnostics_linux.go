package tray

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/godbus/dbus/v5"
)

// The bus names the report asks about; watcherName is hostwatch_linux.go's.
const (
	notificationsName = "org.freedesktop.Notifications"
	secretsName       = "org.freedesktop.secrets"
)

// probeDesktop asks the session bus who hosts the tray, which daemon shows
// popups and what it can do, and which program serves the keyring. Every
// call takes ctx: a hung peer costs the report probeTimeout, never the
// agent's loop, which does not wait for it.
func probeDesktop(ctx context.Context) desktopFacts {
	bus, err := dbus.SessionBusPrivate()
	if err != nil {
		msg := msgDiagNoAnswer.F(err)
		return desktopFacts{trayHost: msg, notify: msg, caps: msg, keyring: msg}
	}
	defer bus.Close()
	stop := context.AfterFunc(ctx, func() { bus.Close() }) // a hung handshake ends with ctx
	defer stop()
	if err = bus.Auth(nil); err == nil {
		err = bus.Hello()
	}
	if err != nil {
		msg := msgDiagNoAnswer.F(err)
		return desktopFacts{trayHost: msg, notify: msg, caps: msg, keyring: msg}
	}
	var d desktopFacts
	d.trayHost = ownerName(ctx, bus, watcherName)
	d.keyring = "Secret Service: " + ownerName(ctx, bus, secretsName)

	obj := bus.Object(notificationsName, "/org/freedesktop/Notifications")
	var name, vendor, ver, spec string
	if err := obj.CallWithContext(ctx, notificationsName+".GetServerInformation", 0).Store(&name, &vendor, &ver, &spec); err != nil {
		d.notify = msgDiagNoAnswer.F(dbusErrName(err))
	} else {
		d.notify = fmt.Sprintf("%s %s (%s), spec %s; %s", name, ver, vendor, spec, ownerName(ctx, bus, notificationsName))
	}
	var caps []string
	if err := obj.CallWithContext(ctx, notificationsName+".GetCapabilities", 0).Store(&caps); err != nil {
		d.caps = msgDiagNoAnswer.F(dbusErrName(err))
	} else {
		slices.Sort(caps)
		d.caps = strings.Join(caps, ", ")
	}
	return d
}

// ownerName names the program owning a bus name: its process's command
// name (/proc/PID/comm), else its unique bus name; "none" when unowned.
func ownerName(ctx context.Context, bus *dbus.Conn, name string) string {
	var owner string
	if err := bus.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.GetNameOwner", 0, name).Store(&owner); err != nil {
		if e, ok := err.(dbus.Error); ok && e.Name == "org.freedesktop.DBus.Error.NameHasNoOwner" {
			return msgDiagNone.String()
		}
		return msgDiagNoAnswer.F(dbusErrName(err))
	}
	var pid uint32
	if err := bus.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.GetConnectionUnixProcessID", 0, owner).Store(&pid); err != nil {
		return owner
	}
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		return fmt.Sprintf("%s, pid %d", owner, pid)
	}
	return fmt.Sprintf("%s (pid %d)", strings.TrimSpace(string(comm)), pid)
}

// dbusErrName is a D-Bus error's name, or the error: D-Bus error bodies
// are the peer's words, of no use in a report and of unknown content.
func dbusErrName(err error) string {
	if e, ok := err.(dbus.Error); ok {
		return e.Name
	}
	return err.Error()
}
