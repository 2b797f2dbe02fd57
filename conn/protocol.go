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
	// The token travels in a header, never in the URL (URLs end up in logs).
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
	// oldest first, for kinds whose stream cannot resume by itself (Gotify).
	// It runs after the WebSocket is up, so nothing falls between the two;
	// the Client drops what the stream then repeats. Most kinds return nil.
	Backfill(ctx context.Context, resume string) ([]Task, error)
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
