package chaos

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Proxy stands between a client and a real server and misbehaves on cue.
// Plain HTTP (logins, backfills) is passed through; a WebSocket is relayed
// message by message so that the proxy can drop the link (FIN or RST),
// freeze it (stop reading and answering pings: a half-open link), inject
// frames the server would never send, and repeat or reorder task frames.
// Every fault it injects is counted, so a test can tell that it happened.
type Proxy struct {
	target *url.URL
	ln     net.Listener
	hs     *http.Server
	rp     *httputil.ReverseProxy
	// IsTask tells a task frame from the others (hello, heartbeat echoes),
	// for Duplicate and Reorder.
	IsTask func([]byte) bool

	mu    sync.Mutex
	links map[*link]struct{}
	wg    sync.WaitGroup

	dupNext, reorderNext atomic.Int32

	// Counters of what happened, for the report and the tests.
	Accepted, DropsFIN, DropsRST, Freezes, Injected, Duplicated, Reordered atomic.Int64
}

type link struct {
	client, upstream *websocket.Conn
	raw              net.Conn // the client's TCP connection
	frozen           atomic.Bool
	wmu              sync.Mutex // serialises writes to client
	once             sync.Once
	done             chan struct{}
	held             []byte // a task frame held back for Reorder
}

// StartProxy listens on a free loopback port and relays to target
// (http://host:port).
func StartProxy(target string) (*Proxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{target: u, ln: ln, links: map[*link]struct{}{},
		IsTask: func(b []byte) bool { return strings.Contains(string(b), `"type":"task"`) }}
	p.rp = httputil.NewSingleHostReverseProxy(u)
	p.rp.ErrorLog = nil
	p.rp.Transport = &http.Transport{DisableKeepAlives: true}
	p.hs = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go p.hs.Serve(ln)
	return p, nil
}

// URL is the base URL clients use instead of the server's.
func (p *Proxy) URL() string { return "http://" + p.ln.Addr().String() }

// Addr is the proxy's host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Close ends every link and the listener, and waits for the relays.
func (p *Proxy) Close() {
	p.hs.Close()
	p.closeAll(func(*link) bool { return true })
	p.wg.Wait()
}

// hop-by-hop and WebSocket handshake headers the dialer sets itself.
var skipHeaders = map[string]bool{
	"Upgrade": true, "Connection": true, "Sec-Websocket-Key": true, "Sec-Websocket-Version": true,
	"Sec-Websocket-Extensions": true, "Sec-Websocket-Protocol": true, "Host": true,
}

// ServeHTTP relays a request: plain HTTP through the reverse proxy, a
// WebSocket handshake by dialling the server first, so that a refusal
// (401) reaches the client as the server gave it.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !websocket.IsWebSocketUpgrade(r) {
		p.rp.ServeHTTP(w, r)
		return
	}
	h := http.Header{}
	for k, v := range r.Header {
		if !skipHeaders[http.CanonicalHeaderKey(k)] {
			h[k] = v
		}
	}
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, Subprotocols: websocket.Subprotocols(r)}
	up, resp, err := d.Dial("ws://"+p.target.Host+r.URL.RequestURI(), h)
	if err != nil {
		if resp != nil {
			for k, v := range resp.Header {
				w.Header()[k] = v
			}
			w.WriteHeader(resp.StatusCode)
			if resp.Body != nil {
				io.Copy(w, resp.Body)
			}
			return
		}
		http.Error(w, "upstream down", http.StatusBadGateway)
		return
	}
	var rh http.Header
	if sp := up.Subprotocol(); sp != "" {
		rh = http.Header{"Sec-Websocket-Protocol": {sp}}
	}
	u := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	c, err := u.Upgrade(w, r, rh)
	if err != nil {
		up.Close()
		return
	}
	c.SetReadLimit(-1)
	up.SetReadLimit(-1)
	l := &link{client: c, upstream: up, raw: c.NetConn(), done: make(chan struct{})}
	// A new link means the client gave up the frozen ones: close them, as
	// the kernel eventually would.
	p.closeAll(func(o *link) bool { return o.frozen.Load() })
	p.mu.Lock()
	p.links[l] = struct{}{}
	p.mu.Unlock()
	p.Accepted.Add(1)
	up.SetPingHandler(func(data string) error {
		if !l.frozen.Load() {
			l.write(websocket.PingMessage, []byte(data))
		}
		return up.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	c.SetPongHandler(func(data string) error {
		return up.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	c.SetPingHandler(func(data string) error {
		if l.frozen.Load() {
			return nil
		}
		return l.write(websocket.PongMessage, []byte(data))
	})
	p.wg.Add(2)
	go p.down(l)
	go p.up(l)
}

func (l *link) write(typ int, data []byte) error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	l.client.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if typ == websocket.PingMessage || typ == websocket.PongMessage {
		return l.client.WriteControl(typ, data, time.Now().Add(time.Second))
	}
	return l.client.WriteMessage(typ, data)
}

func (p *Proxy) end(l *link, rst bool) {
	l.once.Do(func() {
		if rst {
			if tc, ok := l.raw.(*net.TCPConn); ok {
				tc.SetLinger(0)
			}
		}
		l.raw.Close()
		l.upstream.Close()
		close(l.done)
		p.mu.Lock()
		delete(p.links, l)
		p.mu.Unlock()
	})
}

// down relays server to client. A frozen link swallows what the server
// says; Duplicate and Reorder act on task frames.
func (p *Proxy) down(l *link) {
	defer p.wg.Done()
	defer p.end(l, false)
	for {
		typ, msg, err := l.upstream.ReadMessage()
		if err != nil {
			if l.held != nil && !l.frozen.Load() {
				l.write(websocket.TextMessage, l.held)
			}
			var ce *websocket.CloseError
			if errors.As(err, &ce) && !l.frozen.Load() {
				l.wmu.Lock()
				l.client.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(ce.Code, ce.Text), time.Now().Add(time.Second))
				l.wmu.Unlock()
			}
			return
		}
		if l.frozen.Load() {
			continue
		}
		out := [][]byte{msg}
		if typ == websocket.TextMessage && p.IsTask(msg) {
			switch {
			case l.held != nil:
				out = [][]byte{msg, l.held}
				l.held = nil
				p.Reordered.Add(1)
			case p.reorderNext.Load() > 0 && p.reorderNext.Add(-1) >= 0:
				l.held = msg
				out = nil
			case p.dupNext.Load() > 0 && p.dupNext.Add(-1) >= 0:
				out = [][]byte{msg, msg}
				p.Duplicated.Add(1)
			}
		}
		for _, m := range out {
			if err := l.write(typ, m); err != nil {
				return
			}
		}
	}
}

// up relays client to server. A frozen link stops reading: the client's
// pings go unanswered, as with a server that hangs.
func (p *Proxy) up(l *link) {
	defer p.wg.Done()
	defer p.end(l, false)
	for {
		if l.frozen.Load() {
			<-l.done
			return
		}
		typ, msg, err := l.client.ReadMessage()
		if err != nil {
			if l.frozen.Load() { // Freeze woke us: stay half-open
				<-l.done
			}
			return
		}
		if l.frozen.Load() {
			continue
		}
		if err := l.upstream.WriteMessage(typ, msg); err != nil {
			return
		}
	}
}

func (p *Proxy) snapshot() []*link {
	p.mu.Lock()
	defer p.mu.Unlock()
	var ls []*link
	for l := range p.links {
		ls = append(ls, l)
	}
	return ls
}

func (p *Proxy) closeAll(which func(*link) bool) {
	for _, l := range p.snapshot() {
		if which(l) {
			p.end(l, false)
		}
	}
}

// Live counts the links that are relaying (not frozen).
func (p *Proxy) Live() int {
	n := 0
	for _, l := range p.snapshot() {
		if !l.frozen.Load() {
			n++
		}
	}
	return n
}

// Drop ends every live link, with a FIN, or with an RST when rst, and
// returns how many it ended.
func (p *Proxy) Drop(rst bool) int {
	n := 0
	for _, l := range p.snapshot() {
		if l.frozen.Load() {
			continue
		}
		p.end(l, rst)
		n++
	}
	if rst {
		p.DropsRST.Add(int64(n))
	} else {
		p.DropsFIN.Add(int64(n))
	}
	return n
}

// Freeze turns every live link half-open: nothing is read from the client
// or relayed to it, pings go unanswered, nothing is closed.
func (p *Proxy) Freeze() int {
	n := 0
	for _, l := range p.snapshot() {
		if l.frozen.CompareAndSwap(false, true) {
			l.client.SetReadDeadline(time.Now()) // wake up() so it stops reading
			n++
		}
	}
	p.Freezes.Add(int64(n))
	return n
}

// Inject sends frame to the client on every live link, as if the server
// had sent it, and returns on how many links it went.
func (p *Proxy) Inject(typ int, frame []byte) int {
	n := 0
	for _, l := range p.snapshot() {
		if l.frozen.Load() {
			continue
		}
		if l.write(typ, frame) == nil {
			n++
		}
	}
	p.Injected.Add(int64(n))
	return n
}

// DuplicateNext sends each of the next n task frames twice.
func (p *Proxy) DuplicateNext(n int) { p.dupNext.Store(int32(n)) }

// ReorderNext holds back each of the next n task frames and sends it after
// the task frame that follows it.
func (p *Proxy) ReorderNext(n int) { p.reorderNext.Store(int32(n)) }
