package custom

import (
	"bufio"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"tasktray/internal/legacyserver"
)

// lateConn is the server side of a hijacked WebSocket whose first write
// (the 101) goes out at once, and then holds the server until released: a
// backend that registers its socket only after the handshake (in its
// onOpen / afterConnectionEstablished, as browser-era backends do) and is
// slow to get there (a session look-up, a GC pause).
type lateConn struct {
	net.Conn
	once     sync.Once
	wrote101 chan struct{}
	release  chan struct{}
}

func (c *lateConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.once.Do(func() {
		close(c.wrote101)
		<-c.release
	})
	return n, err
}

type lateWriter struct {
	http.ResponseWriter
	conn *lateConn
}

func (w lateWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := w.ResponseWriter.(http.Hijacker).Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.conn.Conn = nc
	return w.conn, brw, nil
}

// README, custom kind: "with since_param or missed_url nothing missed
// across reconnects and restarts"; "Nothing missed, from the first
// second".
//
// The backend answers the handshake (101), then registers the socket a
// moment later. The client counts the link as up at the 101 and asks the
// missed-messages address at once; a task published after that answer and
// before the backend registers the socket is in neither.
func TestReviewTaskBetweenHandshakeAndBackendSubscribeIsDelivered(t *testing.T) {
	ls := legacyserver.New(legacyserver.Config{Mode: legacyserver.Query, Replay: -1, Username: user, Password: password})
	late := &lateConn{wrote101: make(chan struct{}), release: make(chan struct{})}
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(late.release) }) }
	backfilled := make(chan struct{}, 16)
	inner := ls.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/websocket" {
			w = lateWriter{ResponseWriter: w, conn: late}
		}
		inner.ServeHTTP(w, r)
		if strings.HasPrefix(r.URL.Path, "/api/messages/missed") && r.URL.Query().Get("since") == "1" {
			backfilled <- struct{}{}
		}
	}))
	defer hs.Close()
	defer ls.Close()
	defer release()
	b := &backend{Server: ls, http: hs}
	p := b.protocol(t, modeProfiles[legacyserver.Query]+nested+`
[resume]
since_param = "since"
missed_url = "http://{addr}/api/messages/missed?since={since}&token={token}"
missed_items = "data"
`)
	b.PushTask("before the login", "") // id 1: the login's resume point
	s := login(t, p)
	r := run(t, p, s, nil) // connected: the client has read the 101
	select {
	case <-backfilled: // the catch-up after the 101 is answered
	case <-time.After(waitLong):
		t.Fatal("the client never asked for missed tasks")
	}
	if st := b.Stats(); st.Open != 0 {
		t.Fatalf("the socket is registered already: %+v", st)
	}
	lost := b.PushTask("published after the catch-up, before the backend registered the socket", "")
	release()
	for deadline := time.Now().Add(waitLong); b.Stats().Open != 1; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the socket never registered: %+v", b.Stats())
		}
	}
	marker := b.PushTask("marker", "")
	r.WaitFor(waitLong, marker)
	if got := r.Delivered(); len(got) != 2 || got[0] != lost {
		t.Errorf("delivered %v, want [%s %s]: task %s is lost until the next reconnect", got, lost, marker, lost)
	}
}
