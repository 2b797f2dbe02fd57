package conn

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// link is one WebSocket connection and what its two pumps share. The reader
// is the only goroutine that reads ws, the writer the only one that writes
// it (pongs included), and each owns its deadlines.
type link struct {
	ws  *websocket.Conn
	out chan []byte // text frames to send (protocol replies)
	// pongs carries the payloads of pings to answer, from the reader to the
	// writer. One pending pong is enough: a newer ping proves the same.
	pongs chan string
	// keepalive carries a Keepalive the server announced (Decoded.Keepalive)
	// to the writer; the reader takes the new PongWait from pongWait.
	keepalive chan Keepalive
	pongWait  atomic.Int64 // time.Duration
	// watchdog is the reader's (readPump), for setKeepalive to kick with
	// a new PongWait; nil until the reader runs.
	watchdog atomic.Pointer[readWatchdog]
	// failed holds the error that ended the writer; the writer closes ws
	// then, so the reader fails too.
	failed chan error
	// dead is closed when the writer has returned: nothing takes from out
	// any more, so every send to out also selects on dead.
	dead chan struct{}
}

func newLink(ws *websocket.Conn, ka Keepalive) *link {
	l := &link{
		ws:        ws,
		out:       make(chan []byte, 16),
		pongs:     make(chan string, 1),
		keepalive: make(chan Keepalive, 1),
		failed:    make(chan error, 1),
		dead:      make(chan struct{}),
	}
	l.pongWait.Store(int64(ka.PongWait))
	return l
}

// setKeepalive switches the running link to ka.
func (l *link) setKeepalive(ka Keepalive) {
	l.pongWait.Store(int64(ka.PongWait))
	// The frame that announced it (a hello) was kicked with the old
	// PongWait: the new one counts from it, not from the next frame.
	if wd := l.watchdog.Load(); wd != nil {
		(*wd).kick(ka.PongWait)
	}
	select { // keep only the newest
	case <-l.keepalive:
	default:
	}
	l.keepalive <- ka
}

// readPump reads until the link fails. Every message, ping and pong pushes
// the read watchdog PongWait further (the PongWait in force then: a server's
// new one counts from the next frame), so a link that goes silent (half-open
// TCP, a frozen server, a suspended laptop) fails the next read within
// PongWait, as a read deadline does (readWatchdog: on Linux, without moving
// a Go timer on every frame).
//
// Every frame is also a look at the clocks: when the wall clock ran more
// than suspendThreshold ahead of the monotonic one since the last frame, the
// machine slept in between, and the link ends with errSuspend (the loop
// dials again at once, as on the platform's resume signal). A frame read
// after a resume may have waited in the kernel since before the sleep, and
// a server that forgot the link meanwhile sends nothing more, so the link is
// not trusted; the message itself is dropped undelivered (the next link
// resumes from the cursor). This check costs no wake-up: it runs on the
// frames the server sends anyway (a pinging server's ping every 30 s).
func (c *Client) readPump(ctx context.Context, l *link, in chan<- inbound) {
	wd := newReadWatchdog(l.ws)
	l.watchdog.Store(&wd)
	defer wd.stop()
	extend := func() { wd.kick(time.Duration(l.pongWait.Load())) }
	last := markNow(c.cfg.Clock)
	// got is what every frame does: the watchdog, and the suspend check.
	got := func() error {
		extend()
		return checkSuspend(c.cfg.Clock, &last)
	}
	extend()
	l.ws.SetPongHandler(func(string) error { return got() })
	l.ws.SetPingHandler(func(data string) error {
		if err := got(); err != nil {
			return err // ReadMessage returns it
		}
		select {
		case l.pongs <- data:
		default: // a pong is already on its way
		}
		return nil
	})
	for {
		_, msg, err := l.ws.ReadMessage()
		if err == nil {
			err = got()
		}
		if err != nil {
			select {
			case in <- inbound{err: c.readError(err)}:
			case <-ctx.Done():
			}
			return
		}
		select {
		case in <- inbound{msg: msg}:
		case <-ctx.Done():
			return
		}
	}
}

// readError turns a read failure into a reason a person can read, and a
// close that means "unauthorized" into ErrUnauthorized.
func (c *Client) readError(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		if unauthorizedClose(c.proto, ce.Code, ce.Text) {
			return fmt.Errorf("%w (close %d %q)", ErrUnauthorized, ce.Code, ce.Text)
		}
		return msgServerClosed.Err(ce.Code, ce.Text)
	}
	if errors.Is(err, websocket.ErrReadLimit) {
		return msgOverLimit.Err(c.cfg.ReadLimit)
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		return msgNoAnswer.Err()
	}
	return err
}

// CloseClassifier is implemented by a Protocol whose server signals a refused
// token with close codes other than the defaults.
type CloseClassifier interface {
	UnauthorizedClose(code int, text string) bool
}

// Close codes that mean "your token is no good" unless a Protocol says
// otherwise (the HTTP statuses 401 and 403 in the 4000 private range).
const (
	CloseUnauthorized = 4401
	CloseForbidden    = 4403
)

func unauthorizedClose(p Protocol, code int, text string) bool {
	if cc, ok := p.(CloseClassifier); ok {
		return cc.UnauthorizedClose(code, text)
	}
	return code == CloseUnauthorized || code == CloseForbidden
}

// ticker is a time.Ticker that may be off (period 0).
type ticker struct{ t *time.Ticker }

func (t *ticker) reset(period time.Duration) {
	if t.t != nil {
		t.t.Stop()
		t.t = nil
	}
	if period > 0 {
		t.t = time.NewTicker(period)
	}
}

func (t *ticker) C() <-chan time.Time {
	if t.t == nil {
		return nil
	}
	return t.t.C
}

// writePump writes replies, pongs, WebSocket pings and the text heartbeat.
// Every write is bounded by WriteWait, and the deadline is cleared after it,
// so that it does not fire while the link is idle (the runtime may still
// wake the process once at the old deadline to drop its timer). On a write
// error it closes the socket, so the reader fails too. It also notices a
// resume from suspend, when its keepalive timers fired late.
//
// A link whose server does the pinging has no keepalive timer in the
// client at all: the writer then sleeps until there is something to write,
// and the reader's check on every frame (readPump) notices a suspend.
func (c *Client) writePump(ctx context.Context, l *link, ka Keepalive) {
	defer close(l.dead)
	var ping, beat ticker
	defer ping.reset(0)
	defer beat.reset(0)
	var heartbeat []byte
	apply := func(ka Keepalive) {
		ping.reset(ka.PingPeriod)
		heartbeat = []byte(ka.TextHeartbeat)
		beat.reset(0)
		if ka.TextHeartbeat != "" {
			beat.reset(ka.HeartbeatEvery)
		}
	}
	apply(ka)
	raw := l.ws.UnderlyingConn()
	write := func(kind int, data []byte) error {
		deadline := time.Now().Add(c.cfg.WriteWait)
		var err error
		if kind == websocket.PingMessage || kind == websocket.PongMessage {
			err = l.ws.WriteControl(kind, data, deadline)
		} else {
			l.ws.SetWriteDeadline(deadline)
			err = l.ws.WriteMessage(kind, data)
		}
		raw.SetWriteDeadline(time.Time{})
		if err != nil {
			return msgWriteFailed.Err(err)
		}
		return nil
	}
	last := markNow(c.cfg.Clock)
	for {
		var err error
		select {
		case <-ctx.Done():
			l.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
			return
		case next := <-l.keepalive:
			apply(next)
		case msg := <-l.out:
			err = write(websocket.TextMessage, msg)
		case data := <-l.pongs:
			err = write(websocket.PongMessage, []byte(data))
		case <-ping.C():
			err = checkSuspend(c.cfg.Clock, &last)
			if err == nil {
				err = write(websocket.PingMessage, nil)
			}
		case <-beat.C():
			err = checkSuspend(c.cfg.Clock, &last)
			if err == nil {
				err = write(websocket.TextMessage, heartbeat)
			}
		}
		if err != nil {
			l.failed <- err // buffered: the writer never blocks on its way out
			l.ws.Close()
			return
		}
	}
}

// checkSuspend returns errSuspend when the wall clock ran ahead of the
// monotonic clock since *last, and takes a new mark: the machine slept, and
// a link that looks open is most likely dead. It runs on what wakes the
// link anyway (the writer's keepalive timers, every frame the reader gets),
// so it costs no wake-up of its own.
func checkSuspend(clock Clock, last *wallMark) error {
	j := last.jump(clock)
	*last = markNow(clock)
	if j > suspendThreshold {
		return errSuspend
	}
	return nil
}
