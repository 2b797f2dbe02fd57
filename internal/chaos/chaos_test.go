package chaos

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The ledger is what turns a broken client into a failed run: it must see
// a loss, a repeat and a task nobody published.
func TestLedgerCountsLossRepeatAndStrangers(t *testing.T) {
	l := NewLedger()
	l.Delivered("b") // delivered before its Published was recorded
	for _, s := range []string{"a", "b", "c"} {
		l.Published(s)
	}
	l.Delivered("a")
	l.Delivered("a")
	l.Delivered("garbage")
	l.Maybe("sent as the server died")
	l.Maybe("sent as the server died, delivered")
	l.Delivered("sent as the server died, delivered")
	got := l.Tally()
	if got.Published != 4 || got.Delivered != 3 || got.Duplicated != 1 || got.Lost != 1 || got.Extra != 1 {
		t.Fatalf("tally %+v", got)
	}
	if verdict(Result{Tally: got}) == nil {
		t.Fatal("a loss passed the verdict")
	}
	if l.Missing() != 1 || l.Has("c") {
		t.Fatalf("missing %d", l.Missing())
	}
}

// echo is a WebSocket server that sends "hello" and then echoes.
func echo(t *testing.T) *httptest.Server {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		c.WriteMessage(websocket.TextMessage, []byte("hello"))
		for {
			typ, m, err := c.ReadMessage()
			if err != nil {
				return
			}
			c.WriteMessage(typ, m)
		}
	}))
	t.Cleanup(hs.Close)
	return hs
}

func dialProxy(t *testing.T, p *Proxy) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial("ws://"+p.Addr()+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetReadDeadline(time.Now().Add(10 * time.Second)) // a guard
	if _, m, err := c.ReadMessage(); err != nil || string(m) != "hello" {
		t.Fatalf("first frame %q, %v", m, err)
	}
	return c
}

// A drop with RST must reach the client as a reset, one with FIN as an
// orderly end: otherwise the two scenarios test the same thing.
func TestDropFINAndRST(t *testing.T) {
	hs := echo(t)
	p, err := StartProxy(hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, rst := range []bool{false, true} {
		c := dialProxy(t, p)
		if n := p.Drop(rst); n != 1 {
			t.Fatalf("dropped %d links", n)
		}
		_, _, err := c.ReadMessage()
		var ne *net.OpError
		reset := errors.As(err, &ne) && errors.Is(err, syscall.ECONNRESET)
		if reset != rst || err == nil {
			t.Errorf("rst %v: client read %v", rst, err)
		}
	}
	if p.DropsFIN.Load() != 1 || p.DropsRST.Load() != 1 {
		t.Errorf("counted %d FIN, %d RST", p.DropsFIN.Load(), p.DropsRST.Load())
	}
}

// A frozen link relays nothing in either direction and answers no ping;
// a marker sent on a new link after it arrives, so the frozen one was
// given its chance.
func TestFreezeRelaysNothing(t *testing.T) {
	hs := echo(t)
	p, err := StartProxy(hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c := dialProxy(t, p)
	pong := make(chan struct{}, 1)
	c.SetPongHandler(func(string) error { pong <- struct{}{}; return nil })
	got := make(chan string, 1)
	go func() {
		for {
			_, m, err := c.ReadMessage()
			if err != nil {
				close(got)
				return
			}
			got <- string(m)
		}
	}()
	if p.Freeze() != 1 {
		t.Fatal("nothing frozen")
	}
	c.WriteControl(websocket.PingMessage, nil, time.Now().Add(time.Second))
	c.WriteMessage(websocket.TextMessage, []byte("echo me"))
	// The marker: a second link through the same proxy closes the frozen
	// one (the client gave it up), which ends the reader.
	dialProxy(t, p)
	if m, ok := <-got; ok {
		t.Fatalf("a frozen link relayed %q", m)
	}
	select {
	case <-pong:
		t.Fatal("a frozen link answered a ping")
	default:
	}
}

// Repeat and reorder act on task frames only, and are counted.
func TestDuplicateAndReorder(t *testing.T) {
	hs := echo(t)
	p, err := StartProxy(hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c := dialProxy(t, p)
	send := func(s string) { c.WriteMessage(websocket.TextMessage, []byte(`{"type":"task","id":`+s+`}`)) }
	var ids []string
	read := func(n int) {
		for range n {
			_, m, err := c.ReadMessage()
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, strings.TrimSuffix(strings.TrimPrefix(string(m), `{"type":"task","id":`), "}"))
		}
	}
	p.DuplicateNext(1)
	send("1")
	read(2)
	p.ReorderNext(1)
	send("2")
	send("3")
	read(2)
	if strings.Join(ids, ",") != "1,1,3,2" || p.Duplicated.Load() != 1 || p.Reordered.Load() != 1 {
		t.Fatalf("got %v, %d repeated, %d reordered", ids, p.Duplicated.Load(), p.Reordered.Load())
	}
}
