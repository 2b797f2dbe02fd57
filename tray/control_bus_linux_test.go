package tray

import (
	"context"
	"errors"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"

	"tasktray/internal/desktoptest"
)

// busOwnerPID is the PID of the process owning busName, 0 when none does.
func busOwnerPID(conn *dbus.Conn) uint32 {
	var pid uint32
	if conn.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, busName).Store(&pid) != nil {
		return 0
	}
	return pid
}

// TestOneAgentPerUserByBus: on a session bus, the agent owns
// io.github.tasktray, and a second start reaches it by that name alone
// (the socket is removed), also after a kill -9 of the first.
func TestOneAgentPerUserByBus(t *testing.T) {
	addr := desktoptest.StartSessionBus(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr) // the helpers' and this process's
	conn := desktoptest.Connect(t, addr)
	oneAgentPerUser(t, nil, func(dir string, p *startProcess) {
		waitFor(t, "the agent owning "+busName, func() bool { return busOwnerPID(conn) == uint32(p.cmd.Process.Pid) })
		if err := os.Remove(socketPath(dir)); err != nil {
			t.Fatal(err)
		}
	})
}

// TestBusName: a second owner is refused (DoNotQueue: it never waits in
// line), the object introspects with Show and Quit, a refusal comes back
// as the loop said it, and the name is dropped when ctx ends.
func TestBusName(t *testing.T) {
	addr := desktoptest.StartSessionBus(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	conn := desktoptest.Connect(t, addr)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reqs := make(chan Request)
	done, err := serveBus(ctx, reqs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := serveBus(ctx, reqs); !errors.Is(err, errBusNameTaken) {
		t.Fatalf("a second owner of the name: %v, want errBusNameTaken", err)
	}

	node, err := introspect.Call(conn.Object(busName, busPath))
	if err != nil {
		t.Fatal(err)
	}
	var methods []string
	for _, i := range node.Interfaces {
		if i.Name == busInterface {
			for _, m := range i.Methods {
				methods = append(methods, m.Name)
			}
		}
	}
	if !slices.Equal(methods, []string{"Show", "Quit"}) {
		t.Fatalf("%s has methods %v", busInterface, methods)
	}

	answered := answerRequests(ctx, reqs, errors.New("the window could not be opened"))
	askCtx, stop := context.WithTimeout(ctx, wait)
	defer stop()
	var refused *RefusedError
	if err := askBus(askCtx, CommandShow); !errors.As(err, &refused) || refused.Why != "the window could not be opened" {
		t.Fatalf("refusal: %v", err)
	}
	if c := <-answered; c != CommandShow {
		t.Fatalf("the loop got %v", c)
	}

	cancel()
	select {
	case <-done:
	case <-time.After(wait):
		t.Fatal("the bus server did not stop with its ctx")
	}
	waitFor(t, "the name released", func() bool { return busOwnerPID(conn) == 0 })
	if err := askBus(context.Background(), CommandShow); !errors.Is(err, errNoEndpoint) {
		t.Fatalf("after the agent left the bus: %v, want errNoEndpoint", err)
	}
}
