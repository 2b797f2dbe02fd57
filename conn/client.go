package conn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"tasktray/internal/neterr"
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
	// Server names Protocol's address for the user (State.Server), e.g.
	// the account's URL. It must hold no credentials.
	Server string
	// Alternates are more addresses of the same service (the nodes of a
	// cluster behind no load balancer, or a standby), tried in order after
	// Protocol. They share the token and the cursor, so the link resumes on
	// whichever answers. See Run for the order of dials and waits.
	Alternates []Address
	// Token is the token to start with; "" waits for SetToken.
	Token string
	// StartFrom is the resume point to use when the stored cursor has none
	// (auth.Session.Resume: where the server's history stood at login), so
	// that a task published before the first one arrives is not lost.
	StartFrom string
	Cursor    CursorStore // nil keeps the cursor in memory only
	// Dialer nil uses NewDialer(""). Only a NewDialer dialer gives up in
	// the middle of a handshake when Reconnect or SetToken cut a dial short.
	Dialer Dialer
	Clock  Clock // nil uses the real clock
	// Backoff between failed dials; zero uses DefaultBackoff.
	Backoff     Backoff
	StableAfter time.Duration
	ReadLimit   int64
	WriteWait   time.Duration
	Logger      *slog.Logger
}

// Address is one address of a service: what to dial there and the name
// the user reads for it.
type Address struct {
	// Server names the address in State.Server; no credentials.
	Server   string
	Protocol Protocol
}

// Client keeps one link to one server alive and delivers its tasks in order,
// each exactly once, on Tasks. It is driven by Run; its other methods are
// safe to call from any goroutine.
type Client struct {
	cfg   Config
	addrs []Address // Config.Protocol first, then Config.Alternates
	// proto and server are the address being dialled or linked to; Run
	// sets them between links, so the pumps of a link read them safely.
	proto  Protocol
	server string
	log    *slog.Logger

	tasks    chan Task
	states   chan State
	renewals chan Renewal
	gaps     chan Gap
	kick     chan struct{} // Reconnect requests, coalesced
	tokenC   chan struct{} // SetToken happened, coalesced
	wake     chan struct{} // Resumed requests, coalesced

	mu    sync.Mutex
	token string

	running atomic.Bool

	// Owned by the Run goroutine.
	state State
	gen   uint64
	pos   position
	dirty bool // pos changed since it was last handed to the saver
	// located: HistoryNow answered already in this Run (once is enough;
	// a failed question is asked again before the next dial, and
	// locateFailed says one failed). damagedAtStart: the stored cursor
	// and its copy could not be read, and a Gap said so.
	located, locateFailed, damagedAtStart bool
	// askBriefly bounds the next HistoryNow by historyRetryTimeout.
	askBriefly bool

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
	addrs := append([]Address{{Server: cfg.Server, Protocol: cfg.Protocol}}, cfg.Alternates...)
	for _, a := range addrs {
		if a.Protocol == nil {
			return nil, errors.New("conn: an alternate address has no Protocol")
		}
		if a.Protocol.Name() != cfg.Protocol.Name() {
			return nil, fmt.Errorf("conn: alternate address of kind %s for a %s service", a.Protocol.Name(), cfg.Protocol.Name())
		}
		if err := a.Protocol.Keepalive().check(); err != nil {
			return nil, fmt.Errorf("conn: %s %w", a.Protocol.Name(), err)
		}
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
		addrs:    addrs,
		proto:    cfg.Protocol,
		server:   cfg.Server,
		log:      cfg.Logger.With("server_kind", cfg.Protocol.Name()),
		tasks:    make(chan Task),
		states:   make(chan State, 1),
		renewals: make(chan Renewal, 1),
		gaps:     make(chan Gap, 1),
		kick:     make(chan struct{}, 1),
		tokenC:   make(chan struct{}, 1),
		wake:     make(chan struct{}, 1),
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

// Reconnect drops the current link (or cuts a backoff wait or a dial
// short) and dials at once. Call it when the user asks or the network is
// known to be back. While the server refuses the token (AuthRequired) it
// tries the current token once more: a server that closed the link as
// unauthorized may take the token again.
func (c *Client) Reconnect() { signal(c.kick) }

// Resumed tells the Client that the machine woke from sleep: a link that
// looks up may be dead, and a backoff wait is stale. It drops the link (or
// cuts a dial or a wait short) and dials at once, like Reconnect, but does
// nothing while there is no token or the server refused it. The owner calls
// it on the platform's resume signal (logind PrepareForSleep(false),
// WM_POWERBROADCAST); where there is none, the Client notices a wall clock
// jump on its keepalive timers and on the next frame it reads. A link the
// server forgot during the sleep sends no frame: without the signal it ends
// at its read deadline (PongWait after the last frame before the sleep, at
// most 65 s against a server that pings every 30 s).
func (c *Client) Resumed() { signal(c.wake) }

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

// errKicked, errNewToken and errSuspend end a connection on purpose; the
// loop dials again at once.
var (
	errKicked   = errors.New("reconnect requested")
	errNewToken = errors.New("token changed")
	errSuspend  = errors.New("machine resumed from suspend")
)

// historyTimeout bounds a HistoryNow call; historyRetryTimeout the one
// asked again right after a reconnect, a resume or a new token cut the
// last one short.
const (
	historyTimeout      = 15 * time.Second
	historyRetryTimeout = 3 * time.Second
)

// locateHistory asks a HistoryLocator where the server's history stands and
// resumes from there. A failure leaves the resume point empty and is asked
// again before the next dial.
// A request to reconnect, a new token or a resume from suspend ends the
// question at once and is returned: a hung server must not hold them up.
func (c *Client) locateHistory(ctx context.Context, token string) error {
	hl, ok := c.proto.(HistoryLocator)
	if !ok {
		return nil
	}
	ictx, endAsk := c.interruptible(ctx)
	bound := historyTimeout
	if c.askBriefly {
		bound, c.askBriefly = historyRetryTimeout, false
	}
	hctx, cancel := context.WithTimeout(ictx, bound)
	resume, err := hl.HistoryNow(hctx, token)
	cancel()
	if why := endAsk(); why != nil {
		return why
	}
	if err != nil {
		// Asked again before the next dial: a link that starts from
		// nothing sees only what comes after it, and the server may well
		// answer once it can be reached at all.
		c.located = false
		c.locateFailed = true
		c.log.Warn("could not learn where the server's history stands; asking again before the next dial", "err", err)
		return nil
	}
	if c.locateFailed && c.damagedAtStart {
		// The history is located only now: what was published between
		// the start and now is not fetched. The Gap told at the start
		// said "before the start"; it now says "before now".
		publishNewest(c.gaps, Gap{Before: c.cfg.Clock.Now(), Reason: msgCursorDamaged.String()})
	}
	if resume != "" && c.pos.resume == "" {
		c.pos.resume = resume
		c.dirty = true
		c.saveCursor(true) // as for StartFrom: a kill before the link is up keeps it
	}
	return nil
}

// Run keeps the link alive until ctx ends, then returns nil. It returns an
// error only if it is already running.
//
// With several addresses (Config.Alternates) a round dials them in order,
// from the first: a dial that fails moves on to the next address at once,
// and only when every address failed does Run wait out one backoff step
// before the next round. A link that was up and went down waits one
// backoff step (jittered, so the clients of a dead node do not all land on
// the next one at once) and starts a round from the first address. Every
// address resumes from the same cursor: they serve the same history. A stored cursor that cannot be read
// (nor its copy, ErrCursorRestored) costs the resume point, not the link:
// Run starts from Config.StartFrom and publishes a Gap so the user is told.
func (c *Client) Run(ctx context.Context) error {
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("conn: Run called twice")
	}
	cur, err := c.cfg.Cursor.Load()
	restored := errors.Is(err, ErrCursorRestored)
	switch {
	case restored: // nothing lost: no Gap; saved again below, so the damaged file is replaced
		c.log.Warn("the saved resume point could not be read; resuming from its copy", "err", err)
	case err != nil:
		c.log.Warn("the saved resume point could not be read; starting afresh", "err", err)
		cur = Cursor{}
		c.damagedAtStart = true
		publishNewest(c.gaps, Gap{Before: c.cfg.Clock.Now(), Reason: msgCursorDamaged.String()})
	}
	c.pos = newPosition(cur)
	c.dirty = restored
	if c.pos.resume == "" && c.cfg.StartFrom != "" {
		c.pos.resume = c.cfg.StartFrom
		c.dirty = true
	}
	c.toSave, c.saved = make(chan Cursor, 1), make(chan struct{}, 1)
	saverDone := make(chan struct{})
	go c.saver(saverDone)
	// The login's resume point is in memory only (the keyring keeps the
	// token, not the session): saved now, a kill before the first link is
	// up still leaves it on disk for the next start.
	c.saveCursor(true)
	defer c.moveTo(State{Phase: Stopped})
	defer func() {
		c.saveCursor(true)
		close(c.toSave)
		<-saverDone // the last cursor is on disk when Run returns
	}()

	attempt := 0 // failed rounds since the link was last up
	at := 0      // index in c.addrs of the address to dial next
	for ctx.Err() == nil {
		token := c.currentToken()
		if token == "" {
			c.moveTo(State{Phase: Disconnected, Reason: msgNotLoggedIn.String()})
			c.waitForToken(ctx)
			attempt, at = 0, 0
			continue
		}
		c.gen++
		c.proto, c.server = c.addrs[at].Protocol, c.addrs[at].Server
		if c.pos.resume == "" && !c.located {
			c.located = true
			if why := c.locateHistory(ctx, token); why != nil {
				// Asked again before the dial, with the new token, or after
				// a reconnect or a resume (a link with no resume point
				// would be sent what came before it): briefly, since a
				// person asked for a link now.
				c.located, c.askBriefly = false, true
				continue
			}
		}
		if attempt == 0 && at == 0 {
			c.moveTo(State{Phase: Connecting, Generation: c.gen, Server: c.server})
		}
		up, linked, err := c.runOnce(ctx, token)
		if ctx.Err() != nil {
			return nil
		}
		switch {
		case errors.Is(err, ErrUnauthorized):
			c.log.Warn("server refused the token; waiting for a new login", "err", err, "server", c.server)
			c.moveTo(State{Phase: AuthRequired, Reason: msgLogInRequired.F(err), Generation: c.gen, Server: c.server})
			c.waitForToken(ctx)
			attempt, at = 0, 0
			continue
		case errors.Is(err, errKicked), errors.Is(err, errNewToken), errors.Is(err, errSuspend):
			c.log.Info("reconnecting at once", "why", err)
			attempt, at = 0, 0
			continue
		}
		if !linked && at+1 < len(c.addrs) {
			// This address failed: the next one, at once.
			failed := c.server
			at++
			c.log.Info("server unreachable; trying the next address", "err", err, "server", failed, "next", c.addrs[at].Server)
			phase := Reconnecting
			if c.state.Phase == Connecting {
				phase = Connecting
			}
			c.moveTo(State{Phase: phase, Attempt: attempt, NextTry: c.cfg.Clock.Now(), Reason: err.Error(), Generation: c.gen, Server: c.addrs[at].Server})
			continue
		}
		at = 0
		if up >= c.cfg.StableAfter {
			attempt = 0
		}
		delay := c.cfg.Backoff.Delay(attempt)
		attempt++
		next := c.cfg.Clock.Now().Add(delay)
		c.log.Info("link down", "err", err, "attempt", attempt, "retry_in", delay.Round(time.Millisecond), "server", c.server)
		c.moveTo(State{Phase: Reconnecting, Attempt: attempt, NextTry: next, Reason: err.Error(), Generation: c.gen, Server: c.addrs[0].Server})
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

// waitForToken blocks while there is nothing to dial with: no token
// (Disconnected), or a token the server refused (AuthRequired). It returns
// when SetToken gives a token, when Reconnect asks to try the current token
// once more, or when ctx ends. A resume from sleep does not dial: the
// server would only refuse again. Nor does one left pending when it
// returns (signalled together with the SetToken or Reconnect it returns
// on): the dial that follows is fresh, and the pending wake would only cut
// it short as a suspend (errSuspend) and dial once more.
func (c *Client) waitForToken(ctx context.Context) {
	defer func() {
		select {
		case <-c.wake:
		default:
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.tokenC:
			if c.currentToken() != "" {
				return
			}
			c.moveTo(State{Phase: Disconnected, Reason: msgNotLoggedIn.String()})
		case <-c.kick:
			if c.currentToken() != "" {
				c.log.Info("trying the token once more, as asked")
				return
			}
		case <-c.wake:
		}
	}
}

// wait sleeps out a backoff. It returns true when cut short on purpose
// (Reconnect, a new token, or a resume from suspend), so the caller can
// start the backoff over.
func (c *Client) wait(ctx context.Context, d time.Duration) bool {
	timer, stop := c.cfg.Clock.NewTimer(d)
	defer stop()
	start := markNow(c.cfg.Clock)
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
		case <-c.wake:
			stopPoll()
			c.log.Info("resumed from suspend (as the system said); retrying now")
			return true
		case <-poll:
			if start.jump(c.cfg.Clock) > suspendThreshold {
				c.log.Info("resumed from suspend; retrying now")
				return true
			}
		}
	}
}

// interruptible returns a context that Reconnect, SetToken and Resumed
// cancel, for the steps of a link that do not select on those themselves
// (the dial, the backfill), and end, which stops watching and returns the
// request that cancelled the context, or nil. The watching goroutine is
// gone when end returns.
func (c *Client) interruptible(ctx context.Context) (_ context.Context, end func() error) {
	ctx, cancel := context.WithCancel(ctx)
	stop := make(chan struct{})
	why := make(chan error, 1)
	go func() {
		var err error
		select {
		case <-c.kick:
			err = errKicked
		case <-c.tokenC:
			err = errNewToken
		case <-c.wake:
			err = errSuspend
		case <-stop:
		case <-ctx.Done():
		}
		cancel()
		why <- err
	}()
	return ctx, func() error {
		close(stop)
		return <-why
	}
}

// inbound is one message read from the socket, or the error that ended reading.
type inbound struct {
	msg []byte
	err error
}

// runOnce dials, runs one link until it fails or ctx ends, and returns how
// long the link was up, whether it came up at all, and why it ended.
func (c *Client) runOnce(ctx context.Context, token string) (time.Duration, bool, error) {
	dialCtx, endDial := c.interruptible(ctx)
	ws, sess, err := c.dial(dialCtx, token)
	if why := endDial(); why != nil {
		if err == nil {
			ws.Close()
		}
		return 0, false, why
	}
	if err != nil {
		return 0, false, err
	}
	up, err := c.linkUp(ctx, token, ws, sess)
	return up, true, err
}

// linkUp runs one link that dial opened until it fails or ctx ends, and
// returns how long it was up and why it ended.
func (c *Client) linkUp(ctx context.Context, token string, ws *websocket.Conn, sess Session) (time.Duration, error) {
	connected := c.cfg.Clock.Now()
	gen := c.gen
	linkCtx, cancel := context.WithCancel(ctx)
	ka := c.proto.Keepalive()
	l := newLink(ws, ka)
	in := make(chan inbound, 64)
	refresh := newRefresher(c.cfg.Clock)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); c.readPump(linkCtx, l, in) }()
	go func() { defer wg.Done(); c.writePump(linkCtx, l, ka) }()
	defer func() {
		cancel()
		ws.Close() // unblocks the reader; the writer follows linkCtx
		wg.Wait()
		refresh.stop() // waits for a running refresh: none outlives the link
		c.saveCursor(true)
	}()

	c.moveTo(State{Phase: Connected, Generation: gen, Server: c.server})
	c.log.Info("connected", "generation", gen, "server", c.server)
	uptime := func() time.Duration { return c.cfg.Clock.Now().Sub(connected) }

	// linkToken is the token this link runs on; a renewal replaces it.
	linkToken := token
	// apply acts on one Decoded: a server message, a backfill or a refresh.
	apply := func(dec Decoded) error {
		if dec.Keepalive != nil {
			if err := dec.Keepalive.check(); err != nil {
				return msgBadKeepalive.Err(err)
			}
			l.setKeepalive(*dec.Keepalive)
		}
		for _, r := range dec.Reply {
			select {
			case l.out <- r:
			case <-l.dead: // the writer failed; its error says why
				select {
				case err := <-l.failed:
					return err
				default:
					return msgClosedReplying.Err()
				}
			case <-linkCtx.Done():
				return linkCtx.Err()
			}
		}
		if dec.Token != nil && dec.Token.Token != "" {
			c.renewToken(&linkToken, *dec.Token)
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
		changed, restarted := c.pos.enterEpoch(dec.Epoch)
		if restarted {
			c.log.Warn("the server's task history started over; its ids are new again")
		}
		c.dirty = c.dirty || changed
		if err := c.deliver(linkCtx, dec.Tasks); err != nil {
			return err
		}
		// A resume point without a task is taken only once every task of
		// the same message is delivered: it may lie past them.
		if dec.Resume != "" && dec.Resume != c.pos.resume {
			c.pos.resume = dec.Resume
			c.dirty = true
		}
		c.saveCursor(false)
		return nil
	}

	fillCtx, endFill := c.interruptible(linkCtx)
	missed, err := sess.Backfill(fillCtx, c.pos.resume)
	if why := endFill(); why != nil {
		return uptime(), why
	}
	if err != nil {
		return uptime(), msgBackfillFailed.Err(err)
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
		case <-c.wake:
			return uptime(), errSuspend
		case <-refresh.due():
			refresh.start(linkCtx, linkToken)
		case r := <-refresh.done():
			refresh.finished()
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
// and tells the owner. A renewal for a token that SetToken has replaced
// meanwhile (a new login) is dropped: it belongs to the old session, and the
// link is about to be dialled again with the new token.
func (c *Client) renewToken(linkToken *string, r Renewal) {
	c.mu.Lock()
	if c.token != *linkToken {
		c.mu.Unlock()
		c.log.Info("dropping a token renewal: the token was replaced meanwhile")
		return
	}
	c.token = r.Token
	c.mu.Unlock()
	*linkToken = r.Token
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

// dial performs the handshake and the protocol's opening frames. It gives
// up as soon as ctx ends, even in the middle of the handshake.
func (c *Client) dial(ctx context.Context, token string) (*websocket.Conn, Session, error) {
	url, header, err := c.proto.Handshake(token, c.pos.resume)
	if err != nil {
		return nil, nil, err
	}
	hctx, guard := guardHandshake(ctx)
	ws, resp, err := c.cfg.Dialer.DialContext(hctx, url, header)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if guard.release() && err == nil {
		ws.Close()
		err = ctx.Err()
	}
	if err != nil {
		if resp != nil && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
			return nil, nil, fmt.Errorf("%w (HTTP %d at the handshake)", ErrUnauthorized, resp.StatusCode)
		}
		if resp != nil {
			return nil, nil, msgHandshakeRefused.Err(resp.StatusCode)
		}
		if neterr.Refused(err) {
			return nil, nil, &refusedError{host: hostOf(url), err: err}
		}
		return nil, nil, err
	}
	ws.SetReadLimit(c.cfg.ReadLimit)
	sess := c.proto.NewSession(token, c.pos.resume)
	frames, err := sess.Open()
	if err != nil {
		ws.Close()
		return nil, nil, err
	}
	stop := context.AfterFunc(ctx, func() { ws.Close() })
	defer stop()
	for _, f := range frames {
		ws.SetWriteDeadline(time.Now().Add(c.cfg.WriteWait))
		if err := ws.WriteMessage(websocket.TextMessage, f); err != nil {
			ws.Close()
			return nil, nil, err
		}
	}
	ws.SetWriteDeadline(time.Time{})
	return ws, sess, nil
}

// deliver hands tasks to the consumer in order, skipping those already
// delivered.
func (c *Client) deliver(ctx context.Context, tasks []Task) error {
	for _, t := range tasks {
		if c.pos.seen.has(t) {
			c.log.Debug("dropping a task delivered before", "id", t.ID, "seq", t.Seq)
			continue
		}
		select {
		case c.tasks <- t:
		case <-ctx.Done():
			return ctx.Err()
		}
		c.pos.delivered(t)
		c.dirty = true
		if o, ok := c.proto.(DeliveryObserver); ok {
			o.Delivered(t)
		}
	}
	return nil
}

// saveCursor hands the cursor to the saver if it changed, replacing one
// still queued: it never waits for the disk. Unless force, it does nothing
// while a write is queued: the saved signal brings it back, so under load
// the newest cursor is written as fast as the disk allows, and never on the
// path that reads the socket.
func (c *Client) saveCursor(force bool) {
	if !c.dirty || (!force && len(c.toSave) > 0) {
		return
	}
	select { // a newer cursor supersedes one not yet written; Run is the only sender
	case <-c.toSave:
	default:
	}
	c.toSave <- c.pos.cursor()
	c.dirty = false
}

// saver writes the cursors handed to it until toSave is closed. A write
// that fails (a full disk) is logged once until one succeeds again; the
// next change brings a newer cursor, and a cursor whose write failed is
// tried once more before the saver ends, so Run's last cursor is not lost
// to a passing failure.
func (c *Client) saver(done chan<- struct{}) {
	defer close(done)
	var unsaved *Cursor
	failing := false
	save := func(cur Cursor) {
		err := c.cfg.Cursor.Save(cur)
		switch {
		case err != nil && !failing:
			c.log.Error("saving the resume point failed; will retry on the next change (a restart may repeat tasks)", "err", err)
		case err != nil:
			c.log.Debug("saving the resume point failed again", "err", err)
		case failing:
			c.log.Info("saving the resume point works again")
		}
		failing = err != nil
		unsaved = nil
		if err != nil {
			unsaved = &cur
		}
	}
	for cur := range c.toSave {
		save(cur)
		select {
		case c.saved <- struct{}{}:
		default:
		}
	}
	if unsaved != nil {
		save(*unsaved)
	}
}
