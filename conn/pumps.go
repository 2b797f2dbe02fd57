package conn

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gorilla/websocket"
)

// readPump is the only reader of ws. Every message, ping and pong pushes the
// read deadline PongWait further, so a link that goes silent (half-open TCP,
// a frozen server, a suspended laptop) fails the next read within PongWait.
func (c *Client) readPump(ctx context.Context, ws *websocket.Conn, ka Keepalive, in chan<- inbound) {
	extend := func() { ws.SetReadDeadline(time.Now().Add(ka.PongWait)) }
	extend()
	ws.SetPongHandler(func(string) error { extend(); return nil })
	ws.SetPingHandler(func(data string) error {
		extend()
		err := ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(c.cfg.WriteWait))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		return err
	})
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			select {
			case in <- inbound{err: c.readError(err)}:
			case <-ctx.Done():
			}
			return
		}
		extend()
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
		return fmt.Errorf("server closed the link: %d %s", ce.Code, ce.Text)
	}
	if errors.Is(err, websocket.ErrReadLimit) {
		return fmt.Errorf("server sent a message over the %d-byte limit", c.cfg.ReadLimit)
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		return errors.New("no answer from the server (link presumed dead)")
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

// writePump is the only writer of data frames. It sends replies, WebSocket
// pings and the text heartbeat, each write bounded by WriteWait; on any write
// error it closes the socket so the reader fails too. It also notices a
// resume from suspend, when every timer fired late.
func (c *Client) writePump(ctx context.Context, ws *websocket.Conn, ka Keepalive, out <-chan []byte, failed chan<- error) {
	var pingC, beatC <-chan time.Time
	if ka.PingPeriod > 0 {
		t := time.NewTicker(ka.PingPeriod)
		defer t.Stop()
		pingC = t.C
	}
	if ka.TextHeartbeat != "" && ka.HeartbeatEvery > 0 {
		t := time.NewTicker(ka.HeartbeatEvery)
		defer t.Stop()
		beatC = t.C
	}
	last := time.Now()
	write := func(kind int, data []byte) error {
		if err := ws.SetWriteDeadline(time.Now().Add(c.cfg.WriteWait)); err != nil {
			return err
		}
		if err := ws.WriteMessage(kind, data); err != nil {
			return fmt.Errorf("write failed: %w", err)
		}
		return nil
	}
	for {
		var err error
		select {
		case <-ctx.Done():
			ws.SetWriteDeadline(time.Now().Add(time.Second))
			ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
			return
		case msg := <-out:
			err = write(websocket.TextMessage, msg)
		case <-pingC:
			err = c.checkSuspend(&last)
			if err == nil {
				err = write(websocket.PingMessage, nil)
			}
		case <-beatC:
			err = c.checkSuspend(&last)
			if err == nil {
				err = write(websocket.TextMessage, []byte(ka.TextHeartbeat))
			}
		}
		if err != nil {
			failed <- err // buffered: the writer never blocks on its way out
			ws.Close()
			return
		}
	}
}

// checkSuspend returns errSuspend when the wall clock ran ahead of the
// monotonic clock since *last: the machine slept, and a link that looks
// open is most likely dead.
func (c *Client) checkSuspend(last *time.Time) error {
	now := time.Now()
	j := wallJump(*last, now)
	*last = now
	if j > suspendThreshold {
		return errSuspend
	}
	return nil
}
