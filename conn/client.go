package conn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Defaults for Config fields left zero.
const (
	// DefaultReadLimit caps one server message. A bigger one costs a
	// reconnect (the resume point is unchanged, so nothing is lost).
	DefaultReadLimit = 1 << 20
	// DefaultWriteWait bounds every write, so a stalled peer cannot block
	// the writer forever.
	DefaultWriteWait = 10 * time.Second
	// DefaultStableAfter is how long a link must stay up before the
	// backoff starts again from its first, short wait.
	DefaultStableAfter = 10 * time.Second
	// suspendThreshold is how far the wall clock may run ahead of the
	// monotonic clock before we assume the machine slept and the link (or
	// the remaining backoff) is stale.
	suspendThreshold = 5 * time.Second
	// suspendPoll is how often a backoff wait checks for a suspend. It runs
	// only while offline, so it costs nothing while connected.
	suspendPoll = 2 * time.Second
)

// Dialer opens WebSocket connections; *websocket.Dialer satisfies it.
// Tests inject their own to reach fake servers or fail on purpose.
type Dialer interface {
	DialContext(ctx context.Context, url string, h http.Header) (*websocket.Conn, *http.Response, error)
}

// Config configures a Client. Protocol is required; zero values elsewhere
// take the defaults above.
type Config struct {
	Protocol Protocol
	// Token is the token to start with; "" waits for SetToken.
	Token string
	// StartFrom is the resume point to use when the stored cursor has none
	// (auth.Session.Resume: where the server's history stood at login), so
	// that a task published before the first one arrives is not lost.
	StartFrom string
	Cursor    CursorStore // nil keeps the cursor in memory only
	Dialer    Dialer      // nil uses NewDialer("")
	Clock     Clock       // nil uses the real clock
	// Backoff between failed dials; zero uses DefaultBackoff.
	Backoff     Backoff
	StableAfter time.Duration
	ReadLimit   int64
	WriteWait   time.Duration
	Logger      *slog.Logger
}

// Client keeps one link to one server alive and delivers its tasks in order,
// each exactly once, on Tasks. It is driven by Run; its other methods are
// safe to call from any goroutine.
type Client struct {
	cfg   Config
	proto Protocol
	log   *slog.Logger

	tasks    chan Task
	states   chan State
	renewals chan Renewal
	gaps     chan Gap
	kick     chan struct{} // Reconnect requests, coalesced
	tokenC   chan struct{} // SetToken happened, coalesced

	mu    sync.Mutex
	token string

	running atomic.Bool

	// Owned by the Run goroutine.
	state  State
	gen    uint64
	cursor Cursor
	dirty  bool // cursor changed since it was last handed to the saver

	// The saver goroutine writes cursors handed to it on toSave, off the
	// path that reads the socket (a file write can stall for milliseconds),
	// and signals saved after each write.
	toSave chan Cursor
	saved  chan struct{}
}

// New returns a Client; call Run to start it.
func New(cfg Config) (*Client, error) {
	if cfg.Protocol == nil {
		return nil, errors.New("conn: Config.Protocol is required")
	}
	if err := cfg.Protocol.Keepalive().check(); err != nil {
		return nil, fmt.Errorf("conn: %s %w", cfg.Protocol.Name(), err)
	}
	if cfg.Cursor == nil {
		cfg.Cursor = &MemoryCursor{}
	}
	if cfg.Dialer == nil {
		d, err := NewDialer("")
		if err != nil {
			return nil, err
		}
		cfg.Dialer = d
	}
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	if cfg.Backoff.Base <= 0 || cfg.Backoff.Max <= 0 {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.StableAfter <= 0 {
		cfg.StableAfter = DefaultStableAfter
	}
	if cfg.ReadLimit <= 0 {
		cfg.ReadLimit = DefaultReadLimit
	}
	if cfg.WriteWait <= 0 {
		cfg.WriteWait = DefaultWriteWait
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Client{
		cfg:      cfg,
		proto:    cfg.Protocol,
		log:      cfg.Logger.With("server_kind", cfg.Protocol.Name()),
		tasks:    make(chan Task),
		states:   make(chan State, 1),
		renewals: make(chan Renewal, 1),
		gaps:     make(chan Gap, 1),
		kick:     make(chan struct{}, 1),
		tokenC:   make(chan struct{}, 1),
		token:    cfg.Token,
	}, nil
}

// Tasks delivers tasks in order, each once. A task counts as delivered (and
// the cursor moves past it) when it is received from this channel.
func (c *Client) Tasks() <-chan Task { return c.tasks }

// States publishes each new State. It holds only the newest one, so a slow
// reader sees the latest state and never blocks the link.
func (c *Client) States() <-chan State { return c.states }

// Renewals publishes each token the server renewed (Decoded.Token), newest
// only: the owner stores it in place of the old one. The Client already
// uses it.
func (c *Client) Renewals() <-chan Renewal { return c.renewals }

// Gaps publishes what the server could no longer supply after the link was
// down (Decoded.Gap), newest only, so the user can be told.
func (c *Client) Gaps() <-chan Gap { return c.gaps }

// Reconnect drops the current link (or cuts a backoff wait short) and dials
// at once. Call it when the user asks or the network is known to be back.
func (c *Client) Reconnect() { signal(c.kick) }

// SetToken replaces the token, e.g. after a login, and reconnects with it.
// An empty token disconnects (log-out).
func (c *Client) SetToken(token string) {
	c.mu.Lock()
	c.token = token
	c.mu.Unlock()
	signal(c.tokenC)
}

func (c *Client) currentToken() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// errKicked and errNewToken end a connection on purpose; the loop dials
// again at once.
var (
	errKicked   = errors.New("reconnect requested")
	errNewToken = errors.New("token changed")
	errSuspend  = errors.New("machine resumed from suspend")
)

// Run keeps the link alive until ctx ends, then returns nil. It returns an
// error only if it is already running or the cursor cannot be loaded.
func (c *Client) Run(ctx context.Context) error {
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("conn: Run called twice")
	}
	cur, err := c.cfg.Cursor.Load()
	if err != nil {
		return err
	}
	if cur.Resume == "" && c.cfg.StartFrom != "" {
		cur.Resume = c.cfg.StartFrom
		c.dirty = true
	}
	c.cursor = cur
	c.toSave, c.saved = make(chan Cursor, 1), make(chan struct{}, 1)
	saverDone := make(chan struct{})
	go c.saver(saverDone)
	defer c.moveTo(State{Phase: Stopped})
	defer func() {
		c.saveCursor(true)
		close(c.toSave)
		<-saverDone // the last cursor is on disk when Run returns
	}()

	attempt := 0
	for ctx.Err() == nil {
		token := c.currentToken()
		if token == "" {
			c.moveTo(State{Phase: Disconnected, Reason: "not logged in"})
			c.waitForToken(ctx)
			attempt = 0
			continue
		}
		c.gen++
		if attempt == 0 {
			c.moveTo(State{Phase: Connecting, Generation: c.gen})
		}
		up, err := c.runOnce(ctx, token)
		if ctx.Err() != nil {
			return nil
		}
		switch {
		case errors.Is(err, ErrUnauthorized):
			c.log.Warn("server refused the token; waiting for a new login", "err", err)
			c.moveTo(State{Phase: AuthRequired, Reason: "log in required: " + err.Error(), Generation: c.gen})
			c.waitForToken(ctx)
			attempt = 0
			continue
		case errors.Is(err, errKicked), errors.Is(err, errNewToken), errors.Is(err, errSuspend):
			c.log.Info("reconnecting at once", "why", err)
			attempt = 0
			continue
		}
		if up >= c.cfg.StableAfter {
			attempt = 0
		}
		delay := c.cfg.Backoff.Delay(attempt)
		attempt++
		next := c.cfg.Clock.Now().Add(delay)
		c.log.Info("link down", "err", err, "attempt", attempt, "retry_in", delay.Round(time.Millisecond))
		c.moveTo(State{Phase: Reconnecting, Attempt: attempt, NextTry: next, Reason: err.Error(), Generation: c.gen})
		if c.wait(ctx, delay) {
			attempt = 0
		}
	}
	return nil
}

// moveTo publishes s unless nothing changed.
func (c *Client) moveTo(s State) {
	if s == c.state {
		return
	}
	c.state = s
	select { // keep only the newest state; Run is the only sender
	case <-c.states:
	default:
	}
	c.states <- s
}

// waitForToken blocks until SetToken gives a non-empty token or ctx ends.
func (c *Client) waitForToken(ctx context.Context) {
	for c.currentToken() == "" || c.state.Phase == AuthRequired {
		select {
		case <-ctx.Done():
			return
		case <-c.tokenC:
			if c.currentToken() != "" {
				return
			}
			c.moveTo(State{Phase: Disconnected, Reason: "not logged in"})
		case <-c.kick:
			if c.state.Phase == AuthRequired {
				continue // a new token is needed; redialling would only be refused again
			}
		}
	}
}

// wait sleeps out a backoff. It returns true when cut short on purpose
// (Reconnect, a new token, or a resume from suspend), so the caller can
// start the backoff over.
func (c *Client) wait(ctx context.Context, d time.Duration) bool {
	timer, stop := c.cfg.Clock.NewTimer(d)
	defer stop()
	start := time.Now()
	for {
		poll, stopPoll := c.cfg.Clock.NewTimer(suspendPoll)
		select {
		case <-ctx.Done():
			stopPoll()
			return false
		case <-timer:
			stopPoll()
			return false
		case <-c.kick:
			stopPoll()
			return true
		case <-c.tokenC:
			stopPoll()
			return true
		case <-poll:
			if wallJump(start, time.Now()) > suspendThreshold {
				c.log.Info("resumed from suspend; retrying now")
				return true
			}
		}
	}
}

// inbound is one message read from the socket, or the error that ended reading.
type inbound struct {
	msg []byte
	err error
}

// runOnce dials, runs one link until it fails or ctx ends, and returns how
// long the link was up and why it ended.
func (c *Client) runOnce(ctx context.Context, token string) (time.Duration, error) {
	ws, sess, err := c.dial(ctx, token)
	if err != nil {
		return 0, err
	}
	connected := c.cfg.Clock.Now()
	gen := c.gen
	linkCtx, cancel := context.WithCancel(ctx)
	ka := c.proto.Keepalive()
	l := newLink(ws, ka)
	in := make(chan inbound, 64)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); c.readPump(linkCtx, l, in) }()
	go func() { defer wg.Done(); c.writePump(linkCtx, l, ka) }()
	defer func() {
		cancel()
		ws.Close() // unblocks the reader; the writer follows linkCtx
		wg.Wait()
		c.saveCursor(true)
	}()

	c.moveTo(State{Phase: Connected, Generation: gen})
	c.log.Info("connected", "generation", gen)
	uptime := func() time.Duration { return c.cfg.Clock.Now().Sub(connected) }

	var refresh refresher
	defer refresh.stop()
	// apply acts on one Decoded: a server message, a backfill or a refresh.
	apply := func(dec Decoded) error {
		if dec.Keepalive != nil {
			if err := dec.Keepalive.check(); err != nil {
				return fmt.Errorf("server announced %w", err)
			}
			l.setKeepalive(*dec.Keepalive)
		}
		for _, r := range dec.Reply {
			select {
			case l.out <- r:
			case <-linkCtx.Done():
				return ctx.Err()
			}
		}
		if dec.Token != nil && dec.Token.Token != "" {
			c.renewToken(*dec.Token)
		}
		if dec.RefreshIn > 0 {
			if r, ok := sess.(Refresher); ok {
				refresh.schedule(dec.RefreshIn, r)
			}
		}
		if dec.Gap != nil {
			c.log.Warn("the server could not supply every missed task", "before", dec.Gap.Before, "why", dec.Gap.Reason)
			publishNewest(c.gaps, *dec.Gap)
		}
		if c.cursor.enterEpoch(dec.Epoch) {
			c.log.Warn("the server's task history started over; its ids are new again")
		}
		if dec.Epoch != "" {
			c.dirty = true
		}
		if dec.Resume != "" && dec.Resume != c.cursor.Resume {
			c.cursor.Resume = dec.Resume
			c.dirty = true
		}
		if err := c.deliver(linkCtx, dec.Tasks); err != nil {
			return err
		}
		c.saveCursor(false)
		return nil
	}

	missed, err := sess.Backfill(linkCtx, c.cursor.Resume)
	if err != nil {
		return uptime(), fmt.Errorf("fetching missed tasks: %w", err)
	}
	if err := apply(missed); err != nil {
		return uptime(), err
	}
	for {
		select {
		case <-ctx.Done():
			return uptime(), ctx.Err()
		case <-c.kick:
			return uptime(), errKicked
		case <-c.tokenC:
			return uptime(), errNewToken
		case <-refresh.due():
			refresh.start(linkCtx, c.currentToken())
		case r := <-refresh.done():
			if r.err != nil {
				if errors.Is(r.err, ErrUnauthorized) {
					return uptime(), r.err
				}
				c.log.Warn("renewing the token failed; trying again soon", "err", r.err)
				refresh.retry()
				continue
			}
			if err := apply(r.dec); err != nil {
				return uptime(), err
			}
		case m := <-in:
			if m.err != nil {
				// The writer closes the socket when it fails (or sees a
				// suspend); then its reason is the one worth telling.
				if errors.Is(m.err, net.ErrClosed) {
					select {
					case err := <-l.failed:
						return uptime(), err
					default:
					}
				}
				return uptime(), m.err
			}
			dec, err := sess.Decode(m.msg)
			if err != nil {
				if !errors.Is(err, ErrUnauthorized) {
					c.log.Warn("bad frame from server; reconnecting", "err", err, "bytes", len(m.msg))
				}
				return uptime(), err
			}
			if err := apply(dec); err != nil {
				return uptime(), err
			}
		case <-c.saved:
			c.saveCursor(false) // what changed while the last write ran
		}
	}
}

// renewToken switches to a token the server renewed, without reconnecting,
// and tells the owner.
func (c *Client) renewToken(r Renewal) {
	c.mu.Lock()
	c.token = r.Token
	c.mu.Unlock()
	publishNewest(c.renewals, r)
}

// publishNewest puts v on ch (capacity 1), replacing what the reader has not
// taken yet. Only the Run goroutine sends, so it never blocks.
func publishNewest[T any](ch chan T, v T) {
	select {
	case <-ch:
	default:
	}
	ch <- v
}

// dial performs the handshake and the protocol's opening frames.
func (c *Client) dial(ctx context.Context, token string) (*websocket.Conn, Session, error) {
	url, header, err := c.proto.Handshake(token, c.cursor.Resume)
	if err != nil {
		return nil, nil, err
	}
	ws, resp, err := c.cfg.Dialer.DialContext(ctx, url, header)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		if resp != nil && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
			return nil, nil, fmt.Errorf("%w (HTTP %d at the handshake)", ErrUnauthorized, resp.StatusCode)
		}
		if resp != nil {
			return nil, nil, fmt.Errorf("handshake refused: HTTP %d", resp.StatusCode)
		}
		return nil, nil, err
	}
	ws.SetReadLimit(c.cfg.ReadLimit)
	sess := c.proto.NewSession(token, c.cursor.Resume)
	frames, err := sess.Open()
	if err != nil {
		ws.Close()
		return nil, nil, err
	}
	for _, f := range frames {
		ws.SetWriteDeadline(time.Now().Add(c.cfg.WriteWait))
		if err := ws.WriteMessage(websocket.TextMessage, f); err != nil {
			ws.Close()
			return nil, nil, err
		}
	}
	return ws, sess, nil
}

// deliver hands tasks to the consumer in order, skipping duplicates.
func (c *Client) deliver(ctx context.Context, tasks []Task) error {
	for _, t := range tasks {
		if c.cursor.seen(t) {
			continue
		}
		select {
		case c.tasks <- t:
		case <-ctx.Done():
			return ctx.Err()
		}
		c.cursor.advance(t)
		c.dirty = true
	}
	return nil
}

// saveCursor hands the cursor to the saver if it changed. Unless wait, it
// does nothing while a write is already queued: the saved signal brings it
// back, so under load the newest cursor is written as fast as the disk
// allows, and never on the path that reads the socket.
func (c *Client) saveCursor(wait bool) {
	if !c.dirty || (!wait && len(c.toSave) > 0) {
		return
	}
	snap := c.cursor
	snap.Seen = slices.Clone(c.cursor.Seen)
	c.toSave <- snap // only Run sends, so this blocks at most for one write
	c.dirty = false
}

// saver writes the cursors handed to it until toSave is closed.
func (c *Client) saver(done chan<- struct{}) {
	defer close(done)
	for cur := range c.toSave {
		if err := c.cfg.Cursor.Save(cur); err != nil {
			c.log.Error("saving the resume cursor failed; a restart may repeat tasks", "err", err)
		}
		select {
		case c.saved <- struct{}{}:
		default:
		}
	}
}
