package tray

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
)

// On a Linux desktop the agent owns a well-known name on the session bus,
// the app ID of FyneApp.toml, so another start (or a script: `gdbus call
// --session --dest io.github.tasktray --object-path /io/github/tasktray
// --method io.github.tasktray.Agent.Show`) can reach it. The lock still
// decides which agent runs; the name is only how to reach it.
const (
	busName        = "io.github.tasktray"
	busPath        = dbus.ObjectPath("/io/github/tasktray")
	busInterface   = "io.github.tasktray.Agent"
	busErrorFailed = "io.github.tasktray.Error.Failed"
	// busErrorStopping is the answer of an agent that is quitting
	// (ErrStopping).
	busErrorStopping = "io.github.tasktray.Error.Stopping"
	// busErrorNoReply is the bus's own answer when the agent left the bus
	// without replying (ErrHungUp).
	busErrorNoReply = "org.freedesktop.DBus.Error.NoReply"
)

// busAgent is the object exported at busPath. godbus runs each call in a
// goroutine of its own; deliver bounds it, and calls counts them so that
// the connection is closed only once each has returned.
type busAgent struct {
	ctx      context.Context
	requests chan<- Request
	calls    *callGate
}

// Show opens the agent's window: log in, or recent tasks.
func (b busAgent) Show() *dbus.Error { return b.call(CommandShow) }

// Quit stops the agent.
func (b busAgent) Quit() *dbus.Error { return b.call(CommandQuit) }

func (b busAgent) call(cmd Command) *dbus.Error {
	if !b.calls.enter() {
		return busReply(ErrStopping)
	}
	defer b.calls.leave()
	return busReply(deliver(b.ctx, b.requests, cmd))
}

func busReply(err error) *dbus.Error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrStopping) {
		return dbus.NewError(busErrorStopping, []any{err.Error()})
	}
	return dbus.NewError(busErrorFailed, []any{err.Error()})
}

// callGate counts the calls under way and, once closed, lets no new one in.
type callGate struct {
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

func (g *callGate) enter() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.wg.Add(1)
	return true
}

func (g *callGate) leave() { g.wg.Done() }

// close waits for the calls under way, which end with their ctx.
func (g *callGate) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	g.wg.Wait()
}

var busIntrospection = &introspect.Node{
	Name: string(busPath),
	Interfaces: []introspect.Interface{
		introspect.IntrospectData,
		{Name: busInterface, Methods: []introspect.Method{{Name: "Show"}, {Name: "Quit"}}},
	},
}

// serveBus owns busName on the session bus and serves it until ctx ends.
// It returns an error, and serves nothing, when there is no session bus or
// the name has another owner: the socket then is the only way in.
// releaseNameWait bounds the ReleaseName call when the agent stops.
const releaseNameWait = time.Second

func serveBus(ctx context.Context, requests chan<- Request) (done <-chan struct{}, err error) {
	bus, err := privateBus(dbus.SessionBusPrivateNoAutoStartup)
	if err != nil {
		return nil, err
	}
	obj := busAgent{ctx: ctx, requests: requests, calls: &callGate{}}
	if err := bus.Export(obj, busPath, busInterface); err != nil {
		bus.Close()
		return nil, err
	}
	if err := bus.Export(introspect.NewIntrospectable(busIntrospection), busPath, "org.freedesktop.DBus.Introspectable"); err != nil {
		bus.Close()
		return nil, err
	}
	reply, err := bus.RequestName(busName, dbus.NameFlagDoNotQueue)
	if err == nil && reply != dbus.RequestNameReplyPrimaryOwner {
		err = fmt.Errorf("%w: %s", errBusNameTaken, busName)
	}
	if err != nil {
		bus.Close()
		return nil, err
	}
	stopped := make(chan struct{})
	context.AfterFunc(ctx, func() {
		obj.calls.close()
		// Give the name back and wait for the bus to say so: closing alone
		// drops it only once the daemon has noticed the hang-up, and the
		// next agent, which takes the lock right after us, asks for the
		// name at once. Bounded: a hung bus must not hold up the quit.
		rctx, cancel := context.WithTimeout(context.Background(), releaseNameWait)
		bus.BusObject().CallWithContext(rctx, "org.freedesktop.DBus.ReleaseName", 0, busName)
		cancel()
		bus.Close()
		close(stopped)
	})
	return stopped, nil
}

// askBus calls cmd on the agent that owns busName. errNoEndpoint means
// there is no session bus or nobody owns the name.
func askBus(ctx context.Context, cmd Command) error {
	bus, err := privateBus(dbus.SessionBusPrivateNoAutoStartup)
	if err != nil {
		return fmt.Errorf("%w: %v", errNoEndpoint, err)
	}
	defer bus.Close()
	method := busInterface + ".Show"
	if cmd == CommandQuit {
		method = busInterface + ".Quit"
	}
	err = bus.Object(busName, busPath).CallWithContext(ctx, method, dbus.FlagNoAutoStart).Err
	if err == nil {
		return nil
	}
	var derr dbus.Error
	if errors.As(err, &derr) {
		switch derr.Name {
		case "org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner":
			return fmt.Errorf("%w: %v", errNoEndpoint, err)
		case busErrorStopping:
			return ErrStopping
		case busErrorNoReply:
			if ctx.Err() == nil {
				return fmt.Errorf("%w: %v", ErrHungUp, err)
			}
		case busErrorFailed:
			why := derr.Error() // the first string of the body, or the name
			return &RefusedError{Why: why}
		}
	}
	return fmt.Errorf("%w: %v", ErrNoAnswer, err)
}
