// Package ntfy is the ntfy server kind (ntfy.sh or a self-hosted ntfy v2):
// an access token made once from the user's password, and a WebSocket at
// /<topic>[,<topic>...]/ws that replays from the last message id itself
// (since=).
//
// ntfy cannot be built on the machine this was written on (the module proxy
// refuses its module host), so its tests run against a fake that
// reproduces, byte for byte, what a real ntfy v2.13.0 sent there.
package ntfy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"tasktray/auth"
	"tasktray/backend/internal/httpapi"
	"tasktray/conn"
)

// DefaultPongWait declares a silent link dead after 75 s: the server pings
// every 45 s (and drops a client after 60 s without a pong), so a link is
// only dead when one ping is overdue by half a period.
const DefaultPongWait = 75 * time.Second

// OptionTopics is the auth.Account option that lists the topics to
// subscribe to, comma-separated.
const OptionTopics = "topics"

// ErrBadTopics means the account names no topic or a topic ntfy would
// refuse.
var ErrBadTopics = errors.New("ntfy topics are not valid")

var (
	// topicRe is ntfy's own rule for topic names.
	topicRe = regexp.MustCompile(`^[-_A-Za-z0-9]{1,64}$`)
	// sinceRe accepts what this package stores as a resume point: a
	// message id or a unix time. Anything else would make ntfy refuse the
	// handshake with 400 on every redial.
	sinceRe = regexp.MustCompile(`^[A-Za-z0-9]{1,64}$`)
)

// Protocol streams the messages of an ntfy user's topics.
type Protocol struct {
	url *url.URL // ws(s)://host/prefix/<topics>/ws
	// PongWait is how long a silent link may last; pings go out at 9/10
	// of it.
	PongWait time.Duration
}

var _ conn.Protocol = (*Protocol)(nil)

// New returns the protocol for the account's server and topics (the
// OptionTopics option).
func New(a auth.Account) (*Protocol, error) {
	topics, err := Topics(a)
	if err != nil {
		return nil, err
	}
	base, err := httpapi.BaseURL(a)
	if err != nil {
		return nil, err
	}
	u := base.JoinPath(strings.Join(topics, ","), "ws")
	u.Scheme = map[string]string{"http": "ws", "https": "wss"}[u.Scheme]
	return &Protocol{url: u, PongWait: DefaultPongWait}, nil
}

// Topics returns the account's topics, checked against ntfy's rule for
// topic names. Errors wrap ErrBadTopics.
func Topics(a auth.Account) ([]string, error) {
	var topics []string
	for t := range strings.SplitSeq(a.Options[OptionTopics], ",") {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if !topicRe.MatchString(t) {
			return nil, fmt.Errorf("%w: %q may hold only letters, digits, - and _ (at most 64)", ErrBadTopics, t)
		}
		topics = append(topics, t)
	}
	if len(topics) == 0 {
		return nil, fmt.Errorf("%w: enter at least one topic", ErrBadTopics)
	}
	return topics, nil
}

// Name returns "ntfy".
func (p *Protocol) Name() string { return "ntfy" }

// Handshake returns the topics' /ws URL, with since=<resume> to replay what
// was missed, and the token as a bearer header.
func (p *Protocol) Handshake(token, resume string) (string, http.Header, error) {
	u := *p.url
	if sinceRe.MatchString(resume) {
		u.RawQuery = url.Values{"since": {resume}}.Encode()
	}
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	return u.String(), h, nil
}

// Keepalive answers the server's pings (conn does) and pings at 9/10 of
// PongWait. ntfy expects no text heartbeat on /ws.
func (p *Protocol) Keepalive() conn.Keepalive {
	return conn.Keepalive{PongWait: p.PongWait, PingPeriod: p.PongWait * 9 / 10}
}

// NewSession starts the state of one connection.
func (p *Protocol) NewSession(token, resume string) conn.Session {
	return &session{resume: resume}
}

// session is one connection's state: whether there is a resume point yet.
type session struct {
	resume string
}

// Open sends nothing: the handshake says it all.
func (s *session) Open() ([][]byte, error) { return nil, nil }

// Backfill is not needed: the server replays from since= itself.
func (s *session) Backfill(context.Context, string) (conn.Decoded, error) { return conn.Decoded{}, nil }
