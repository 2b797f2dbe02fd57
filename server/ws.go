package server

import (
	"crypto/sha256"
	"errors"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

const (
	// writeWait bounds every write to a socket, so a peer that stopped
	// reading cannot hold a writer goroutine for ever.
	writeWait = 10 * time.Second
	// closeGrace is how long the server waits for the peer to answer its
	// close frame before it closes the TCP connection anyway.
	closeGrace = time.Second
	// sendQueue is how many frames may wait for a socket. A client that
	// falls further behind is dropped; it resumes with since=.
	sendQueue = 256
	// maxClientFrame bounds what a client may send: heartbeats are a few
	// bytes and nothing else is read.
	maxClientFrame = 4 << 10
)

// wsConn is one client WebSocket. The handler goroutine reads; one writer
// goroutine owns every data write.
type wsConn struct {
	// ws is nil until the upgrade is done: the socket is subscribed before
	// it, so that nothing published during the handshake is lost. s.mu
	// guards the change from nil.
	ws   *websocket.Conn
	cut  bool // abort came before the upgrade; guarded by s.mu
	user string
	// token is the hash of the token the link uses now; a renewal over the
	// link (renew.go) changes it. family is the login's, for logout. Both
	// are guarded by s.mu.
	token  [sha256.Size]byte
	family [sha256.Size]byte

	send       chan message  // frames to write; never closed
	kick       chan closeMsg // asks the writer to close; holds the first request
	done       chan struct{} // closed when the read loop has returned
	writerDone chan struct{} // closed when the writer has returned

	reason atomic.Pointer[string] // why the link ended, first cause wins
}

// closeMsg is a close frame to send.
type closeMsg struct {
	code int
	text string
}

// setReason records why the link ends, unless a cause is already known.
func (c *wsConn) setReason(why string) {
	c.reason.CompareAndSwap(nil, &why)
}

// close asks the writer to send a close frame and end the link. It never
// blocks, so it may be called with s.mu held; the first request wins.
func (c *wsConn) close(code int, text, why string) {
	c.setReason(why)
	select {
	case c.kick <- closeMsg{code, text}:
	default:
	}
}

// abort cuts the link at once without a close frame, as a network failure
// would. Closing the socket fails the pending read and write, which ends
// both goroutines.
// s.mu must be held.
func (c *wsConn) abort(why string) {
	c.setReason(why)
	if c.ws == nil {
		c.cut = true // the upgrade closes it as soon as it is done
		return
	}
	c.ws.Close()
}

// deliver queues m without blocking, since publishers hold s.mu. A client
// too slow to drain its queue is dropped and resumes later with since=.
func (c *wsConn) deliver(m message) {
	select {
	case c.send <- m:
	default:
		c.abort("send queue full")
	}
}

func (s *Server) handleWS(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	token := bearerToken(r)
	if token == "" {
		// Browsers cannot set headers on a WebSocket handshake.
		token = q.Get("token")
	}
	key, sess, ok := s.authenticate(token)
	if !ok {
		writeError(w, http.StatusUnauthorized, "unauthorized", "missing, invalid, expired or revoked token")
		return
	}
	since, resume, err := parseSince(q.Get("since"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	if epoch := q.Get("epoch"); resume && epoch != "" && epoch != s.cfg.Epoch {
		since = 0 // its ids belong to a history that is gone: send all we keep
	}

	c := &wsConn{
		user:       sess.user,
		token:      key,
		family:     sess.family,
		send:       make(chan message, sendQueue),
		kick:       make(chan closeMsg, 1),
		done:       make(chan struct{}),
		writerDone: make(chan struct{}),
	}
	// Subscribe before the upgrade: once the client reads the 101 it counts
	// the link as up, so a task published from then on must reach it.
	replay, status := s.subscribe(c, since, resume)
	switch status {
	case http.StatusServiceUnavailable:
		writeError(w, status, "shutting_down", "server is shutting down")
		return
	case http.StatusUnauthorized:
		writeError(w, status, "unauthorized", "missing, invalid, expired or revoked token")
		return
	}
	// Close waits for this handler, and also for its request's log line.
	if sw, ok := w.(*statusWriter); ok {
		sw.after = s.wg.Done
	} else {
		defer s.wg.Done()
	}
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.unsubscribe(c)
		return // the upgrader has answered already
	}
	s.mu.Lock()
	c.ws = ws
	if c.cut {
		ws.Close() // dropped while upgrading: the writer and reader fail at once
	}
	s.mu.Unlock()
	if s.afterUpgrade != nil {
		s.afterUpgrade()
	}

	start := time.Now()
	attrs := []any{"user", c.user, "remote", r.RemoteAddr}
	if resume {
		attrs = append(attrs, "since", since, "replayed", len(replay)-1)
	}
	s.log.Info("websocket open", attrs...)

	go c.writeLoop(s, replay, sess)
	err = c.readLoop(s.cfg.PongWait, s.cfg.Heartbeat)
	s.unsubscribe(c)
	close(c.done)
	<-c.writerDone
	c.setReason(err.Error())
	s.log.Info("websocket closed", "user", c.user, "remote", r.RemoteAddr, "reason", *c.reason.Load(),
		"duration", time.Since(start).Round(time.Millisecond))
}

// subscribe adds c to its user's live delivery and returns the frames to
// send first: the hello, then, when resuming, the kept tasks after since.
// Both happen under the lock that publishers hold to number and queue a
// task, so each task lands either in the replay or in c's queue: none falls
// between the two, none is in both; and the hello's last_id is exactly
// where the live tasks start. It counts the handler for Close (s.wg), unless
// it answers 503 (Close has begun) or 401 (the token was revoked since it
// was checked); then c is not subscribed.
func (s *Server) subscribe(c *wsConn, since int64, resume bool) ([]message, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, http.StatusServiceUnavailable
	}
	if _, ok := s.validLocked(c.token); !ok {
		return nil, http.StatusUnauthorized
	}
	s.wg.Add(1)
	a := s.users[c.user]
	a.conns[c] = struct{}{}
	var replay []message
	if resume {
		replay = a.history.after(since)
	}
	return append([]message{{data: s.helloLocked(a, since, resume)}}, replay...), 0
}

func (s *Server) unsubscribe(c *wsConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.users[c.user].conns, c)
}

// parseSince reads the since query parameter: absent or empty means live
// tasks only.
func parseSince(v string) (since int64, resume bool, err error) {
	if v == "" {
		return 0, false, nil
	}
	since, err = strconv.ParseInt(v, 10, 64)
	if err != nil || since < 0 {
		return 0, false, errors.New("since must be a task id, an integer >= 0")
	}
	return since, true, nil
}

// readLoop reads until the link fails. Any frame, ping or pong proves the
// peer alive and moves the read deadline; the heartbeat text is echoed and
// everything else is ignored.
func (c *wsConn) readLoop(pongWait time.Duration, heartbeat string) error {
	c.ws.SetReadLimit(maxClientFrame)
	alive := func() error { return c.ws.SetReadDeadline(time.Now().Add(pongWait)) }
	alive()
	c.ws.SetPongHandler(func(string) error { return alive() })
	pong := c.ws.PingHandler() // gorilla's, which answers with a pong
	c.ws.SetPingHandler(func(data string) error {
		alive()
		return pong(data)
	})
	for {
		kind, data, err := c.ws.ReadMessage()
		if err != nil {
			return err
		}
		alive()
		if kind == websocket.TextMessage && string(data) == heartbeat {
			c.deliver(message{data: data})
		}
	}
}

// writeLoop writes the replay, then queued frames and pings, until the
// link ends. It hands the link a new token at half the old one's life
// (renew.go), and sends the close frame when asked to or when the token
// expires.
func (c *wsConn) writeLoop(s *Server, replay []message, sess session) {
	defer close(c.writerDone)
	// Closing the socket also ends the read loop, whatever stopped us.
	defer c.ws.Close()

	var last int64 // id of the newest task written
	for _, m := range replay {
		if err := c.write(m.data); err != nil {
			c.setReason("write: " + err.Error())
			return
		}
		last = m.id
	}
	ping := time.NewTicker(s.cfg.PingPeriod)
	defer ping.Stop()
	expiry := time.NewTimer(time.Until(sess.expires))
	defer expiry.Stop()
	renew := time.NewTimer(time.Until(sess.renewAt()))
	defer renew.Stop()
	for {
		var err error
		select {
		case <-c.done:
			return
		case k := <-c.kick:
			c.goodbye(k)
			return
		case <-expiry.C:
			c.setReason("token expired")
			c.goodbye(closeMsg{codeUnauthorized, "unauthorized"})
			return
		case <-renew.C:
			frame, next, ok := s.renew(c)
			if !ok {
				continue // revoked: its close is queued; expired: expiry fires
			}
			s.log.Info("token renewed over the link", "user", c.user)
			expiry.Reset(time.Until(next.expires))
			renew.Reset(time.Until(next.renewAt()))
			err = c.write(frame)
		case m := <-c.send:
			// subscribe already rules out a task both replayed and queued;
			// this keeps ids strictly increasing on the wire regardless.
			if m.id != 0 && m.id <= last {
				continue
			}
			last = max(last, m.id)
			err = c.write(m.data)
		case <-ping.C:
			err = c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait))
		}
		if err != nil {
			c.setReason("write: " + err.Error())
			return
		}
	}
}

func (c *wsConn) write(data []byte) error {
	c.ws.SetWriteDeadline(time.Now().Add(writeWait))
	return c.ws.WriteMessage(websocket.TextMessage, data)
}

// goodbye sends a close frame, then waits a moment for the peer to answer
// before the socket is closed: closing with the peer's frames still unread
// would turn the FIN into a RST, which can destroy the close frame in
// flight.
func (c *wsConn) goodbye(k closeMsg) {
	msg := websocket.FormatCloseMessage(k.code, k.text)
	if c.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(writeWait)) != nil {
		return
	}
	t := time.NewTimer(closeGrace)
	defer t.Stop()
	select {
	case <-c.done:
	case <-t.C:
	}
}
