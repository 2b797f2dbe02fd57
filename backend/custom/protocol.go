package custom

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"tasktray/auth"
	"tasktray/conn"
)

// Protocol streams the tasks of a backend described by a Profile. It is
// safe for concurrent use; its only state is the last stamp of a task
// without an id (stamp).
type Protocol struct {
	*Profile
	tmplPath  string // the path of Connect.URL with placeholder for {token}
	tmplQuery string // its raw query, likewise
	// missed fetches missed tasks; nil without Resume.MissedURL.
	missed *missedFetcher
	// lastStamp is the last stamp given to a task without an id (stamp).
	lastStamp atomic.Int64
}

// stamp returns now in nanoseconds, but always more than the last stamp
// it returned: it makes the id of a task without the server's id unique.
// The clock need not move between two frames (on Windows it ticks every
// 0.5 to 16 ms), and the same message twice in one tick would otherwise
// get one id, which conn drops the second time as delivered before.
func (p *Protocol) stamp(now time.Time) int64 {
	for {
		last, n := p.lastStamp.Load(), now.UnixNano()
		if n <= last {
			n = last + 1
		}
		if p.lastStamp.CompareAndSwap(last, n) {
			return n
		}
	}
}

// Account options that carry a profile (auth.Account.Options).
const (
	// OptionProfile is the absolute path of the profile file.
	OptionProfile = "profile"
	// OptionProfileText is the profile's TOML itself, for a profile the
	// login window built from its Advanced fields.
	OptionProfileText = "profile_text"
)

// FromAccount loads the profile an account names: inline
// (OptionProfileText) or from its file (OptionProfile).
func FromAccount(a auth.Account) (*Profile, error) {
	if text := a.Options[OptionProfileText]; text != "" {
		return ParseProfile([]byte(text))
	}
	if path := a.Options[OptionProfile]; path != "" {
		return LoadProfile(path)
	}
	return nil, msgNoProfile.Err(ErrProfile)
}

// New returns the protocol for the account's profile, trusting its CA file
// for missed-task requests.
func New(a auth.Account) (*Protocol, error) {
	p, err := FromAccount(a)
	if err != nil {
		return nil, err
	}
	return NewProtocol(p, a)
}

// NewProtocol returns the protocol for p; a gives the CA file.
func NewProtocol(p *Profile, a auth.Account) (*Protocol, error) {
	u, err := url.Parse(strings.ReplaceAll(p.Connect.URL, tokenVar, placeholder))
	if err != nil {
		return nil, fieldErr("connect.url", msgCheck20)
	}
	proto := &Protocol{Profile: p, tmplPath: u.Path, tmplQuery: u.RawQuery}
	if p.Resume.MissedURL != "" {
		hc, err := conn.NewHTTPClient(a.CAFile)
		if err != nil {
			return nil, err
		}
		proto.missed = &missedFetcher{p: proto, client: hc}
	}
	return proto, nil
}

// Name returns "custom".
func (p *Protocol) Name() string { return KindName }

// KindName is the kind's name in auth.Account.Kind.
const KindName = "custom"

// Handshake fills the profile's URL template and headers with the token.
// With token_in = "query" or "path" the token is in the URL: the URL is a
// secret then (RedactURL, WrapDialer). resume is the last task's id, or
// where the history stood at login (either added as since_param; nothing
// for a backend that had no task then), or, without ids, the window of
// recent messages, which never goes to the server.
func (p *Protocol) Handshake(token, resume string) (string, http.Header, error) {
	if token == "" {
		return "", nil, fmt.Errorf("%w: no token", conn.ErrUnauthorized)
	}
	c := p.Connect
	raw := c.URL
	switch c.TokenIn {
	case TokenInQuery:
		raw = strings.ReplaceAll(raw, tokenVar, url.QueryEscape(token))
	case TokenInPath:
		raw = strings.ReplaceAll(raw, tokenVar, url.PathEscape(token))
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes the URL, token and all.
		return "", nil, errors.New("the profile's connect.url with this token is not a URL")
	}
	if since, _, ok := parseResume(resume); ok && since != "" && p.Resume.SinceParam != "" {
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += url.QueryEscape(p.Resume.SinceParam) + "=" + url.QueryEscape(since)
	}
	h := http.Header{}
	for k, v := range c.Headers {
		h.Set(k, v)
	}
	switch c.TokenIn {
	case TokenInHeader:
		h.Set(c.Header, c.Prefix+token)
	case TokenInCookie:
		h.Set("Cookie", token)
	case TokenInSubprotocol:
		subs := make([]string, len(c.Subprotocols))
		for i, s := range c.Subprotocols {
			subs[i] = strings.ReplaceAll(s, tokenVar, token)
		}
		h.Set("Sec-WebSocket-Protocol", strings.Join(subs, ", "))
	}
	if c.TokenIn != TokenInSubprotocol && len(c.Subprotocols) > 0 {
		h.Set("Sec-WebSocket-Protocol", strings.Join(c.Subprotocols, ", "))
	}
	return u.String(), h, nil
}

// Keepalive sends the profile's text heartbeat every interval and, unless
// ping = false, a WebSocket ping as often, so a server that answers pings
// lets a half-open link be found within dead_after.
func (p *Protocol) Keepalive() conn.Keepalive {
	h := p.Heartbeat
	ka := conn.Keepalive{
		PongWait:       h.DeadAfter.Duration,
		TextHeartbeat:  *h.Text,
		HeartbeatEvery: h.Interval.Duration,
	}
	if *h.Ping {
		ka.PingPeriod = min(h.Interval.Duration, h.DeadAfter.Duration*9/10)
	}
	return ka
}

// NewSession starts decoding one connection; resume holds what the last
// one delivered (the window of recent messages, without ids).
func (p *Protocol) NewSession(token, resume string) conn.Session {
	s := &session{p: p, token: token, window: parseWindow(resume, p.Resume.Window, p.Resume.Replay), now: time.Now}
	if id, located, ok := parseResume(resume); ok && located {
		s.floor, s.ordered = orderedID(id)
	}
	return s
}

// session is the state of one connection.
type session struct {
	p      *Protocol
	token  string
	window *window
	now    func() time.Time
	// floor is the login's resume point when it is an ordered (decimal
	// integer) id and nothing was delivered since: a frame of the
	// backend's re-send with an id at or below it predates the login
	// (see predates). resending is over at the first frame that is not.
	floor      uint64
	ordered    bool
	resendOver bool

	catchup catchup // the second catch-up (catchup.go)
}

// Open sends nothing: the handshake says it all.
func (s *session) Open() ([][]byte, error) { return nil, nil }

// Backfill fetches, with a missed_url, what was published after resume.
// With no resume point it fetches nothing: "where the history stands
// now" would skip the tasks the stream has brought but not yet delivered
// if the link dropped now; the login's resume point (Login sets
// auth.Session.Resume) covers a first start instead. It also plans the
// second catch-up (catchup.go).
func (s *session) Backfill(ctx context.Context, resume string) (conn.Decoded, error) {
	since, _, ok := parseResume(resume)
	if s.p.missed == nil || !ok {
		return conn.Decoded{}, nil
	}
	dec, err := s.p.missed.fetch(ctx, s, since, false)
	if err == nil {
		dec.RefreshIn = s.catchup.plan(since)
	}
	return dec, err
}

// HistoryNow returns, with a missed_url, where the backend's history
// stands now as a resume point: the newest id, or "from the start" when
// the backend has no task yet. "" means it cannot tell (no missed_url, or
// an answer that is no list).
func (p *Protocol) HistoryNow(ctx context.Context, token string) (string, error) {
	if p.missed == nil {
		return "", nil
	}
	dec, err := p.missed.fetch(ctx, &session{p: p, token: token, now: time.Now}, "", true)
	return dec.Resume, err
}

// parseResume reads a resume point: the id of the last delivered task
// ("i:<id>"), or where the history stood when it was located at login
// with nothing delivered since ("l:<id>", or "l:" for a backend that had
// no task yet: everything it has is new). ok is false for "" and for a
// window of recent messages (without ids).
func parseResume(resume string) (id string, located, ok bool) {
	if id, ok := strings.CutPrefix(resume, locatedPrefix); ok {
		return id, true, true
	}
	id, ok = strings.CutPrefix(resume, idPrefix)
	return id, false, ok && id != ""
}

// Prefixes of resume points (parseResume).
const (
	// idPrefix starts a resume point that is the id of the last task.
	idPrefix = "i:"
	// locatedPrefix starts one that is where the history stood at login.
	locatedPrefix = "l:"
)
