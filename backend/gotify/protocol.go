// Package gotify is the Gotify server kind (gotify.net, tested against
// server v2.9.1): a client token made once from the user's password, a
// WebSocket at /stream that carries each new message, and GET /message to
// fetch what was published while the link was down, which the stream itself
// never replays.
//
// It owns the Gotify wire format and API calls; the link itself (dialling,
// keepalive, backoff, dedupe) is package conn's.
package gotify

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"tasktray/auth"
	"tasktray/backend/internal/httpapi"
	"tasktray/conn"
)

const (
	// DefaultPongWait declares a silent link dead after 75 s: the server
	// pings every 45 s, so a link is only dead when one ping is overdue by
	// half a period (the server itself drops a client after 60 s without a
	// pong).
	DefaultPongWait = 75 * time.Second
	// pageSize is the limit of one GET /message page (the server allows
	// 1..200).
	pageSize = 100
	// MaxBackfill caps how many missed messages one reconnect fetches:
	// the newest MaxBackfill are delivered, older ones stay readable in
	// Gotify's own web UI. It keeps a week offline from costing thousands
	// of popups and unbounded memory.
	MaxBackfill = 1000
)

// Protocol streams one Gotify user's messages. It is safe for concurrent
// use. Unlike most protocols it keeps one fact across the links of a run:
// the baseline, the newest message id when the first link of a first login
// came up. Gotify sends nothing on a new link that could give conn a resume
// point, so until the first task arrives the baseline stands in for one: a
// link that breaks before any task still backfills the gap.
type Protocol struct {
	api    *url.URL     // http(s) base URL, path prefix kept
	stream *url.URL     // ws(s)://host/prefix/stream
	http   *http.Client // for backfills; never follows redirects
	// PongWait is how long a silent link may last; pings go out at 9/10
	// of it. Tests shorten it together with the server's ping period.
	PongWait time.Duration

	mu           sync.Mutex
	baseline     int64
	haveBaseline bool
}

var _ conn.Protocol = (*Protocol)(nil)

// New returns the protocol for the account's Gotify server. Its backfill
// requests trust the account's CA file besides the system roots and use the
// proxy from the environment.
func New(a auth.Account) (*Protocol, error) {
	api, err := httpapi.BaseURL(a)
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
	stream := *api
	stream.Scheme = map[string]string{"http": "ws", "https": "wss"}[api.Scheme]
	stream.Path += "/stream"
	stream.RawPath = ""
	return &Protocol{api: api, stream: &stream, http: hc, PongWait: DefaultPongWait}, nil
}

// Name returns "gotify".
func (p *Protocol) Name() string { return "gotify" }

// Handshake returns the /stream URL with the client token in the
// X-Gotify-Key header. The stream cannot resume; Backfill fills the gap.
func (p *Protocol) Handshake(token, resume string) (string, http.Header, error) {
	h := http.Header{}
	h.Set("X-Gotify-Key", token)
	return p.stream.String(), h, nil
}

// Keepalive answers the server's pings (conn does that for every kind) and
// pings at 9/10 of PongWait, which keeps NAT mappings alive on a quiet link.
// Gotify expects no text heartbeat.
func (p *Protocol) Keepalive() conn.Keepalive {
	return conn.Keepalive{PongWait: p.PongWait, PingPeriod: p.PongWait * 9 / 10}
}

// NewSession starts the state of one connection.
func (p *Protocol) NewSession(token, resume string) conn.Session {
	high, _ := parseID(resume)
	return &session{p: p, token: token, high: high}
}

// session is one connection's state. Gotify ids grow with every message,
// but two messages published at the same moment may reach the stream out of
// order (the server stores, then pushes, from each publishing request), so
// tasks carry no Seq, which would drop the later-pushed lower id: conn
// dedupes them by ID. Resume is the highest id seen, so a reordered lower id
// never moves the resume point back.
type session struct {
	p     *Protocol
	token string
	high  int64
}

// Open sends nothing: the handshake says it all.
func (s *session) Open() ([][]byte, error) { return nil, nil }

// Backfill fetches the messages with an id above resume, oldest first, at
// most MaxBackfill of them. With no resume point (a first login, or one
// that is not a Gotify id) it fetches what came after the baseline, or, on
// the first link, sets the baseline and fetches nothing: messages from
// before the first login are not news.
func (s *session) Backfill(ctx context.Context, resume string) (conn.Decoded, error) {
	tasks, err := s.backfill(ctx, resume)
	return conn.Decoded{Tasks: tasks}, err
}

func (s *session) backfill(ctx context.Context, resume string) ([]conn.Task, error) {
	// A new link often follows a network change that left pooled
	// keep-alive connections dead without a word; a request on one would
	// hang until the timeout. Start afresh, as the WebSocket did.
	s.p.http.CloseIdleConnections()
	after, ok := parseID(resume)
	if !ok {
		var err error
		if after, ok, err = s.baseline(ctx); err != nil || !ok {
			return nil, err
		}
	}
	var missed []message
	since := int64(0) // 0: start from the newest
	for len(missed) < MaxBackfill {
		page, err := s.page(ctx, since, pageSize)
		if err != nil {
			return nil, err
		}
		done := page.Paging.Next == "" || len(page.Messages) == 0
		for _, m := range page.Messages {
			if m.ID <= after {
				done = true
				break
			}
			missed = append(missed, m)
		}
		if done {
			break
		}
		if page.Paging.Since <= 0 || (since != 0 && page.Paging.Since >= since) {
			return nil, fmt.Errorf("%w: GET /message paging does not move back (since %d after %d)", ErrMalformed, page.Paging.Since, since)
		}
		since = page.Paging.Since
	}
	if len(missed) > MaxBackfill {
		missed = missed[:MaxBackfill]
	}
	slices.SortFunc(missed, func(a, b message) int { return cmp.Compare(a.ID, b.ID) })
	tasks := make([]conn.Task, 0, len(missed))
	for _, m := range missed {
		t, err := s.task(m)
		if err != nil {
			return nil, err
		}
		tasks = append(tasks, t)
	}
	return tasks, nil
}

// baseline returns the run's baseline; ok is false when this call set it.
func (s *session) baseline(ctx context.Context) (id int64, ok bool, err error) {
	s.p.mu.Lock()
	id, ok = s.p.baseline, s.p.haveBaseline
	s.p.mu.Unlock()
	if ok {
		s.high = max(s.high, id)
		return id, true, nil
	}
	page, err := s.page(ctx, 0, 1)
	if err != nil {
		return 0, false, err
	}
	if len(page.Messages) > 0 {
		id = page.Messages[0].ID
	}
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	if !s.p.haveBaseline {
		s.p.baseline, s.p.haveBaseline = id, true
	}
	s.high = max(s.high, s.p.baseline)
	return 0, false, nil
}

// messagePage is one answer of GET /message.
type messagePage struct {
	Paging struct {
		Next  string `json:"next"`
		Since int64  `json:"since"`
	} `json:"paging"`
	Messages []message `json:"messages"`
}

// page fetches the newest limit messages with an id below since (all when
// since is 0).
func (s *session) page(ctx context.Context, since int64, limit int) (messagePage, error) {
	u := s.p.api.JoinPath("message")
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if since > 0 {
		q.Set("since", strconv.FormatInt(since, 10))
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return messagePage{}, err
	}
	req.Header.Set("X-Gotify-Key", s.token)
	req.Header.Set("Accept", "application/json")
	resp, err := httpapi.Do(s.p.http, req)
	if err != nil {
		return messagePage{}, err
	}
	defer httpapi.CloseBody(resp)
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized, http.StatusForbidden:
		return messagePage{}, fmt.Errorf("%w (HTTP %d from GET /message)", conn.ErrUnauthorized, resp.StatusCode)
	default:
		return messagePage{}, httpapi.StatusErr(resp)
	}
	var page messagePage
	if err := httpapi.DecodeJSON(resp, maxResponse, &page); err != nil {
		return messagePage{}, err
	}
	return page, nil
}

// parseID reads a resume point written by this kind: a positive id.
func parseID(resume string) (int64, bool) {
	id, err := strconv.ParseInt(resume, 10, 64)
	return id, err == nil && id > 0
}
