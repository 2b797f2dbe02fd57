package conn

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Protocol is what differs between server kinds (native, Gotify, ntfy,
// Centrifugo). It is stateless and safe for concurrent use; the state of one
// connection lives in the Session it creates.
type Protocol interface {
	// Name is the server kind, e.g. "native" or "gotify".
	Name() string
	// Handshake returns the WebSocket URL and request headers for one dial.
	// The token travels in a header wherever the server accepts one. A kind
	// whose server takes it only in the URL (custom, for browser-era
	// backends) returns such a URL: the Client never logs, wraps or returns
	// it, and that kind's dialer scrubs it from dial errors.
	// resume is the Task.Resume of the last delivered task, or "".
	Handshake(token, resume string) (url string, header http.Header, err error)
	// NewSession starts the protocol state for one connection.
	NewSession(token, resume string) Session
	// Keepalive says how this server wants the link kept alive.
	Keepalive() Keepalive
}

// Session is the protocol state of one connection. The Client calls its
// methods from one goroutine at a time.
type Session interface {
	// Open returns the frames to send right after the handshake, such as
	// Centrifugo's connect and subscribe commands. Most kinds return nil.
	Open() ([][]byte, error)
	// Decode handles one message from the server. It returns the tasks it
	// carried, in order, and any frames to send back (a Centrifugo pong).
	// An error wrapping ErrUnauthorized stops the Client until the user logs
	// in again; any other error costs a reconnect, never a crash.
	Decode(msg []byte) (Decoded, error)
	// Backfill fetches over HTTP what was published while the link was down,
	// oldest first, for kinds whose stream cannot resume by itself (Gotify),
	// or that lose a message published while they subscribe (ntfy). It runs
	// after the WebSocket is up, so nothing falls between the two; the Client
	// drops what the stream then repeats. Its Decoded.Resume, when set, is a
	// resume point to keep even though no task came (with an empty resume:
	// where the server's history stands now). Most kinds return a zero
	// Decoded.
	Backfill(ctx context.Context, resume string) (Decoded, error)
}

// HistoryLocator is implemented by a Protocol that can tell, without a
// link, where the server's history stands now (the custom kind, through its
// missed-tasks address; ntfy, by a since=latest poll; Centrifugo, by probing
// the channel's stream). When the Client has no resume point at all (the
// cursor file and its copy damaged after a restart, with no
// Config.StartFrom), it asks
// once before its first dial and resumes from the answer, so what the server
// re-sends from before then is not shown again. "" means it cannot tell.
type HistoryLocator interface {
	HistoryNow(ctx context.Context, token string) (string, error)
}

// DeliveryObserver is implemented by a Protocol that must know every task
// its Client delivered, from the stream and from a Refresh alike (ntfy,
// whose catch-up poll can span more links than the Client's window of
// delivered ids). The Client calls Delivered from its Run goroutine right
// after it handed the task on; it must return at once. A Protocol that
// implements it serves one Client.
type DeliveryObserver interface {
	Delivered(Task)
}

// Refresher is implemented by a Session whose token must be renewed by the
// client before it expires (Centrifugo). The Client calls Refresh, off the
// path that reads the socket, Decoded.RefreshIn after a Decode asked for it;
// the Decoded it returns is applied like a server message (its Token is the
// new token, its Reply the frames that hand it to the server).
// Refresh must return soon after ctx ends: the link waits for it.
type Refresher interface {
	Refresh(ctx context.Context, token string) (Decoded, error)
}

// Decoded is what one server message turned into.
type Decoded struct {
	Tasks []Task
	// Reply holds text frames to send back to the server, in order.
	Reply [][]byte
	// Resume, when not empty, moves the resume point without a task
	// (a Centrifugo subscribe reply carries the current epoch).
	Resume string
	// Keepalive, when not nil, replaces the Protocol's keepalive for the
	// rest of this link: the server said how it keeps the link alive (a
	// native server that pings needs no pings or heartbeats from us).
	Keepalive *Keepalive
	// Epoch, when not empty, names the server's task history. When it
	// differs from the one delivered ids were recorded under, the server's
	// ids started over (a restart without a database): the Client forgets
	// those ids, or it would drop new tasks as duplicates.
	Epoch string
	// Token, when not nil, is a new token for this account that the server
	// handed over (sliding renewal) or that Refresh fetched. The Client uses
	// it from now on, without reconnecting, and publishes it on
	// Client.Renewals for the owner to store in place of the old one.
	Token *Renewal
	// RefreshIn, when > 0, asks the Client to call the Session's Refresh
	// (it must implement Refresher) after this long on this link.
	RefreshIn time.Duration
	// Gap, when not nil, says the server could no longer supply every task
	// published while the link was down (its history is bounded). The Client
	// publishes it on Client.Gaps, so the user can be told.
	Gap *Gap
}

// Renewal is a renewed token and when it expires (zero: not said).
type Renewal struct {
	Token     string
	ExpiresAt time.Time
}

// Gap describes tasks that could not be fetched after the link was down.
type Gap struct {
	// Before: tasks published before about this time may be missing; zero
	// when the server does not say.
	Before time.Time
	// Reason says why, in plain words, without a token or a URL.
	Reason string
}

// Keepalive describes how a link is kept alive and how soon a silent link is
// declared dead.
type Keepalive struct {
	// PongWait is the read deadline: a link with no frame, ping or pong for
	// this long is dead, though TCP may still look open. Must be > 0.
	PongWait time.Duration
	// PingPeriod is how often the client sends a WebSocket ping; 0 sends
	// none. Invariant: PingPeriod < PongWait, so an answered ping always
	// lands before the deadline.
	PingPeriod time.Duration
	// TextHeartbeat is an application-level heartbeat some backends expect
	// (browsers cannot send ping frames), sent every HeartbeatEvery; "" sends
	// none. Its echoes are the Session's to ignore.
	TextHeartbeat  string
	HeartbeatEvery time.Duration
}

// check enforces the invariants documented on Keepalive's fields.
func (ka Keepalive) check() error {
	if ka.PongWait <= 0 || ka.PingPeriod < 0 || (ka.PingPeriod > 0 && ka.PingPeriod >= ka.PongWait) {
		return fmt.Errorf("keepalive needs 0 <= PingPeriod < PongWait (got %v, %v)", ka.PingPeriod, ka.PongWait)
	}
	return nil
}

// ErrUnauthorized means the server refused the token. Retrying cannot help:
// the Client moves to AuthRequired and waits for a new token.
var ErrUnauthorized = errors.New("server refused the token")
