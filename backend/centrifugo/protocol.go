// Package centrifugo is the Centrifugo server kind (centrifugal.dev, tested
// against v6.9.1): its bidirectional JSON protocol on /connection/websocket,
// one channel per user, resumed by the channel's epoch and offset, with
// history filling the gap when the server cannot recover the stream.
//
// Centrifugo has no users: the site's own backend mints connection tokens
// (JWTs). Login therefore asks the site's token endpoint (Account.Options
// "token_url") or takes a token the user pasted; see docs/servers.md for the
// contract.
package centrifugo

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tasktray/auth"
	"tasktray/backend/internal/httpapi"
	"tasktray/conn"
)

// Account options this kind reads.
const (
	// OptionChannel is the channel to subscribe to; it defaults to
	// "tasks:<username>".
	OptionChannel = "channel"
	// OptionTokenURL is the site's endpoint that trades a username and
	// password for a connection token; empty means the password field holds
	// a pasted token.
	OptionTokenURL = "token_url"
)

// DefaultPongWait declares a silent link dead after 35 s: the server sends
// its {} ping every 25 s (the first one 12-16 s after connecting).
const DefaultPongWait = 35 * time.Second

// Protocol streams one Centrifugo channel.
type Protocol struct {
	url     *url.URL // ws(s)://host/prefix/connection/websocket
	channel string
	// tokenURL, when not nil, is the account's token endpoint, which
	// renews the token before it expires; tokens makes those requests.
	tokenURL *url.URL
	tokens   *http.Client
	// PongWait is how long a silent link may last. No WebSocket pings are
	// sent: the server's {} pings, answered with {}, keep the link alive.
	PongWait time.Duration
	// Dialer opens the short link on which HistoryNow looks at the stream;
	// nil means conn.NewDialer with the account's CA file. Set it to the
	// Client's Dialer when that one is special.
	Dialer conn.Dialer
	caFile string // the account's, for HistoryNow's default dialer
}

var (
	_ conn.Protocol        = (*Protocol)(nil)
	_ conn.CloseClassifier = (*Protocol)(nil)
)

// New returns the protocol for the account's server and channel.
func New(a auth.Account) (*Protocol, error) {
	base, err := httpapi.BaseURL(a)
	if err != nil {
		return nil, err
	}
	if a.Options[OptionChannel] == "" && a.Username == "" {
		return nil, msgNoChannel.Err()
	}
	channel := Channel(a)
	if strings.ContainsAny(channel, " \t\r\n") {
		return nil, msgChannelSpace.Err(channel)
	}
	u := base.JoinPath("connection", "websocket")
	u.Scheme = map[string]string{"http": "ws", "https": "wss"}[u.Scheme]
	p := &Protocol{url: u, channel: channel, PongWait: DefaultPongWait, caFile: a.CAFile}
	if tokenURL := a.Options[OptionTokenURL]; tokenURL != "" {
		acc := a
		acc.Server = tokenURL
		if p.tokenURL, err = httpapi.BaseURL(acc); err != nil {
			return nil, msgTokenURL.Err(err)
		}
		// Trusts the account's CA file, uses the proxy from the
		// environment, never follows a redirect (it would carry the token).
		if p.tokens, err = httpapi.Client(nil, acc); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Channel returns the account's channel: the OptionChannel option, or
// "tasks:<username>".
func Channel(a auth.Account) string {
	if c := a.Options[OptionChannel]; c != "" {
		return c
	}
	return "tasks:" + a.Username
}

// Name returns "centrifugo".
func (p *Protocol) Name() string { return "centrifugo" }

// Handshake returns the WebSocket URL and no header: the token travels in
// the connect command that Open sends, never in the URL.
func (p *Protocol) Handshake(token, resume string) (string, http.Header, error) {
	return p.url.String(), http.Header{}, nil
}

// Keepalive relies on the server's pings, which Decode answers.
func (p *Protocol) Keepalive() conn.Keepalive {
	return conn.Keepalive{PongWait: p.PongWait}
}

// UnauthorizedClose reports the close codes after which a redial with the
// same token cannot help: 3500 invalid token, 3501 bad request (no token),
// 3005 connection expired (the token's exp passed unrefreshed: a pasted
// token, or the token endpoint was out of reach), 3507 permission denied.
func (p *Protocol) UnauthorizedClose(code int, text string) bool {
	switch code {
	case 3500, 3501, 3005, 3507:
		return true
	}
	return false
}

// NewSession starts the state of one connection, recovering from resume
// ("epoch:offset") when there is one.
func (p *Protocol) NewSession(token, resume string) conn.Session {
	from, _ := parsePosition(resume)
	return &session{p: p, token: token, channel: p.channel, from: from}
}

// position is a place in a channel's stream.
type position struct {
	epoch  string
	offset uint64
}

func (p position) String() string { return p.epoch + ":" + strconv.FormatUint(p.offset, 10) }

// parsePosition reads "epoch:offset"; anything else is no position.
func parsePosition(s string) (position, bool) {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 {
		return position{}, false
	}
	off, err := strconv.ParseUint(s[i+1:], 10, 64)
	if err != nil {
		return position{}, false
	}
	return position{epoch: s[:i], offset: off}, true
}

// Backfill is not needed: the subscribe command recovers, and history
// fills what it cannot.
func (s *session) Backfill(context.Context, string) (conn.Decoded, error) { return conn.Decoded{}, nil }
