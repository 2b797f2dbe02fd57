package tray

import (
	"context"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestSilentSessionBusHoldsUpNoStart: a session bus that takes the
// connection but never answers does not hold up StartInstance (the bus
// name is asked for on a goroutine of its own): the agent serves its
// socket meanwhile, and Close returns once the bus hangs up.
func TestSilentSessionBusHoldsUpNoStart(t *testing.T) {
	dir := shortDir(t)
	bus := newSilentBus(t)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+bus.path)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	type started struct {
		in  *Instance
		err error
	}
	result := make(chan started, 1)
	go func() {
		in, err := StartInstance(ctx, dir, quiet)
		result <- started{in, err}
	}()
	var r started
	select {
	case r = <-result:
	case <-time.After(wait):
		bus.hangUp()
		if r = <-result; r.err == nil {
			r.in.Close()
		}
		t.Fatal("StartInstance waited for a session bus that does not answer")
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	got := answerRequests(ctx, r.in.Requests(), nil)
	askCtx, done := context.WithTimeout(ctx, wait)
	defer done()
	if err := ask(askCtx, dir, CommandShow, noBus); err != nil {
		t.Fatalf("a second start could not reach the agent by its socket: %v", err)
	}
	if c := <-got; c != CommandShow {
		t.Fatalf("the loop got %v", c)
	}
	bus.hangUp()
	r.in.Close()
}

// silentBus is a unix socket that accepts connections and never writes.
type silentBus struct {
	path  string
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	done  chan struct{}
}

func newSilentBus(t *testing.T) *silentBus {
	t.Helper()
	b := &silentBus{path: filepath.Join(shortDir(t), "bus"), done: make(chan struct{})}
	var err error
	if b.ln, err = net.Listen("unix", b.path); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(b.done)
		for {
			c, err := b.ln.Accept()
			if err != nil {
				return
			}
			b.mu.Lock()
			b.conns = append(b.conns, c)
			b.mu.Unlock()
		}
	}()
	t.Cleanup(b.hangUp)
	return b
}

// hangUp closes the listener and every connection it took.
func (b *silentBus) hangUp() {
	b.ln.Close()
	<-b.done
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.conns {
		c.Close()
	}
	b.conns = nil
}
