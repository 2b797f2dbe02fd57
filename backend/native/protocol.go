// Package native is tasktray's own server kind (docs/protocol.md): a login
// that returns a token and where the user's history stands, and a WebSocket
// at /ws that resumes from the last delivered task id, says what it could no
// longer replay, and renews the token while connected. It is strict: frames
// of other formats are ignored, never shown; backends that push
// {"msg": ...} or plain text are the custom kind's (docs/custom.md).
package native

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"tasktray/conn"
)

// Defaults of the native keepalive.
const (
	// DefaultPongWait declares a silent link dead after 60 s: the reference
	// server pings every 30 s, so two pings in a row must go missing.
	DefaultPongWait = 60 * time.Second
	// DefaultHeartbeat is the text heartbeat the protocol echoes, sent
	// only to a server whose hello does not say it pings (docs/protocol.md).
	DefaultHeartbeat      = "HeartBeat"
	DefaultHeartbeatEvery = 30 * time.Second
)

// Protocol speaks the native protocol to one server.
type Protocol struct {
	base *url.URL // ws:// or wss:// URL of the server root
	// Heartbeat is the text heartbeat ("" sends none); HeartbeatEvery its period.
	Heartbeat      string
	HeartbeatEvery time.Duration
	// PongWait is how long a silent link may last; pings go out at 9/10 of it.
	PongWait time.Duration
	// Log receives the warnings about frames that are not native frames;
	// nil means slog.Default().
	Log *slog.Logger
}

// New returns the protocol for the server at base (http, https, ws or wss).
func New(base string) (*Protocol, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("server URL: %w", err)
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return nil, fmt.Errorf("server URL: scheme %q is not http, https, ws or wss", u.Scheme)
	}
	if u.Host == "" || u.User != nil {
		return nil, errors.New("server URL: needs a host and no user info")
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawQuery, u.Fragment = "", ""
	return &Protocol{
		base:           u,
		Heartbeat:      DefaultHeartbeat,
		HeartbeatEvery: DefaultHeartbeatEvery,
		PongWait:       DefaultPongWait,
	}, nil
}

// Name returns "native".
func (p *Protocol) Name() string { return "native" }

// Handshake returns ws(s)://host/ws[?since=N[&epoch=E]] with the token as a
// bearer header; the token is never put in the URL. resume is "N" or "N@E":
// the last delivered id, and the epoch of the history it came from.
func (p *Protocol) Handshake(token, resume string) (string, http.Header, error) {
	u := *p.base
	u.Path += "/ws"
	if resume != "" {
		since, epoch, _ := strings.Cut(resume, "@")
		q := url.Values{"since": {since}}
		if epoch != "" {
			q.Set("epoch", epoch)
		}
		u.RawQuery = q.Encode()
	}
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	return u.String(), h, nil
}

// Keepalive pings at 9/10 of PongWait and sends the text heartbeat.
func (p *Protocol) Keepalive() conn.Keepalive {
	return conn.Keepalive{
		PongWait:       p.PongWait,
		PingPeriod:     p.PongWait * 9 / 10,
		TextHeartbeat:  p.Heartbeat,
		HeartbeatEvery: p.HeartbeatEvery,
	}
}

// NewSession starts decoding one connection that resumes from resume.
func (p *Protocol) NewSession(token, resume string) conn.Session {
	return &session{heartbeat: p.Heartbeat, resume: resume, log: logger(p.Log)}
}

type session struct {
	heartbeat string
	// resume is where the link resumes from; "" when the client has no
	// resume point yet, and only then does the hello give one.
	resume string
	epoch  string // from the server's hello; "" until then
	log    *slog.Logger
}

// Open sends nothing: the handshake says it all.
func (s *session) Open() ([][]byte, error) { return nil, nil }

// Backfill is not needed: the server replays from since= itself.
func (s *session) Backfill(context.Context, string) (conn.Decoded, error) {
	return conn.Decoded{}, nil
}
