// Package ntfy is the ntfy server kind (ntfy.sh or a self-hosted ntfy v2):
// an access token made once from the user's password, and a WebSocket at
// /<topic>[,<topic>...]/ws that replays from the last message id itself
// (since=), plus a catch-up poll after each (re)connect for the message a
// real ntfy can lose while a link subscribes.
//
// Its end-to-end tests run against a real ntfy v2.13.0 (real_test.go, build
// tag realservers, built by scripts/servers.sh); the fault-injection tests
// run against a fake that reproduces, byte for byte, what the real server
// sent, and can misbehave on cue.
package ntfy

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"tasktray/auth"
	"tasktray/backend/internal/httpapi"
	"tasktray/conn"
	"tasktray/i18n"
)

// DefaultPongWait declares a silent link dead after 75 s: the server pings
// every 45 s (and drops a client after 60 s without a pong), so a link is
// only dead when one ping is overdue by half a period.
const DefaultPongWait = 75 * time.Second

// DefaultCatchUpAfter is when, after a link opens, its catch-up poll runs:
// long enough for a message that was being published while the link
// subscribed to be in the server's cache (ntfy writes it there right after
// sending it to the subscribers it had).
const DefaultCatchUpAfter = 1500 * time.Millisecond

// OptionTopics is the auth.Account option that lists the topics to
// subscribe to, comma-separated.
const OptionTopics = "topics"

// ErrBadTopics means the account names no topic or a topic ntfy would
// refuse.
var ErrBadTopics = i18n.NewError("ntfy.err.bad_topics", "ntfy topics are not valid", "ntfy 主题无效")

// topicRe is ntfy's own rule for topic names, compiled on first use (a
// profile's check), not at every start of the agent.
var topicRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[-_A-Za-z0-9]{1,64}$`) })

// Protocol streams the messages of an ntfy user's topics. It serves one
// conn.Client (it remembers what that Client delivered; shared, it would
// only cost repeats that conn drops).
type Protocol struct {
	url  *url.URL     // ws(s)://host/prefix/<topics>/ws
	poll *url.URL     // http(s)://host/prefix/<topics>/json
	http *http.Client // for the catch-up poll
	// PongWait is how long a silent link may last; pings go out at 9/10
	// of it.
	PongWait time.Duration
	// CatchUpAfter is how long after a link opens its catch-up poll runs
	// (see session.Refresh).
	CatchUpAfter time.Duration
	// delivered remembers what its Client delivered, so that catch-up
	// polls hand it only what it did not.
	delivered *recentIDs
}

var (
	_ conn.Protocol         = (*Protocol)(nil)
	_ conn.DeliveryObserver = (*Protocol)(nil)
)

// Delivered records that the Client delivered t (conn.DeliveryObserver):
// from the stream or from a catch-up poll, so that a later poll, which may
// reach further back than conn's window of ids, does not hand it on again.
func (p *Protocol) Delivered(t conn.Task) { p.delivered.add(t.ID) }

// New returns the protocol for the account's server and topics (the
// OptionTopics option). Its catch-up polls trust the account's CA file
// besides the system roots and use the proxy from the environment.
func New(a auth.Account) (*Protocol, error) {
	topics, err := Topics(a)
	if err != nil {
		return nil, err
	}
	base, err := httpapi.BaseURL(a)
	if err != nil {
		return nil, err
	}
	hc, err := conn.NewHTTPClient(a.CAFile)
	if err != nil {
		return nil, err
	}
	hc, err = httpapi.Client(hc, a)
	if err != nil {
		return nil, err
	}
	hc = withOverlapRetry(hc, false)
	path := strings.Join(topics, ",")
	u := base.JoinPath(path, "ws")
	u.Scheme = map[string]string{"http": "ws", "https": "wss"}[u.Scheme]
	return &Protocol{url: u, poll: base.JoinPath(path, "json"), http: hc, PongWait: DefaultPongWait, CatchUpAfter: DefaultCatchUpAfter, delivered: &recentIDs{}}, nil
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
		if !topicRe().MatchString(t) {
			return nil, msgBadTopic.Err(ErrBadTopics, t)
		}
		topics = append(topics, t)
	}
	if len(topics) == 0 {
		return nil, msgNoTopic.Err(ErrBadTopics)
	}
	return topics, nil
}

// Name returns "ntfy".
func (p *Protocol) Name() string { return "ntfy" }

// Handshake returns the topics' /ws URL, with since= the resume point to
// replay what was missed, and the token as a bearer header.
func (p *Protocol) Handshake(token, resume string) (string, http.Header, error) {
	u := *p.url
	if since, _ := parseResume(resume); since != "" {
		u.RawQuery = url.Values{"since": {since}}.Encode()
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

// NewSession starts the state of one connection from the resume point its
// handshake used.
func (p *Protocol) NewSession(token, resume string) conn.Session {
	s := &session{p: p}
	s.since, s.catchup = parseResume(resume)
	_, err := strconv.ParseInt(s.since, 10, 64)
	s.inherited = s.catchup != s.since && err == nil
	return s
}
