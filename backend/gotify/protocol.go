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
	// pageSize is the limit of one GET /message page, the most the server
	// allows (1..200).
	pageSize = 200
)

// Protocol streams one Gotify user's messages. It is stateless and safe for
// concurrent use: the resume point lives in conn's cursor, set at login
// (auth.Session.Resume) and moved by each task.
type Protocol struct {
	api    *url.URL     // http(s) base URL, path prefix kept
	stream *url.URL     // ws(s)://host/prefix/stream
	http   *http.Client // for backfills; never follows redirects
	// PongWait is how long a silent link may last; pings go out at 9/10
	// of it. Tests shorten it together with the server's ping period.
	PongWait time.Duration
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
	s := &session{p: p, token: token}
	if id, ok := parseID(resume); ok {
		s.resume.reset(id)
	}
	return s
}

// session is one connection's state. Gotify ids grow with every message,
// but two messages published at the same moment may reach the stream out of
// order (the server stores, then pushes, from each publishing request), so
// tasks carry no Seq, which would drop the later-pushed lower id: conn
// dedupes them by ID. A task's Resume is resumePoint's, which never passes
// an id that may still come.
type session struct {
	p      *Protocol
	token  string
	resume resumePoint
}

// Open sends nothing: the handshake says it all.
func (s *session) Open() ([][]byte, error) { return nil, nil }

// Backfill fetches every message with an id above resume, oldest first,
// paging back through GET /message until it reaches resume: however long
// the link was down, nothing the server still holds is skipped. Without a
// resume point (a damaged cursor; a login sets one) nothing tells what was
// missed: it returns where the history stands now as Decoded.Resume, and a
// Gap saying that earlier tasks could not be determined.
func (s *session) Backfill(ctx context.Context, resume string) (conn.Decoded, error) {
	// A new link often follows a network change that left pooled
	// keep-alive connections dead without a word; a request on one would
	// hang until the timeout. Start afresh, as the WebSocket did.
	s.p.http.CloseIdleConnections()
	after, ok := parseID(resume)
	if !ok {
		newest, err := s.newest(ctx)
		if err != nil {
			return conn.Decoded{}, err
		}
		s.resume.reset(newest)
		d := conn.Decoded{Resume: strconv.FormatInt(newest, 10)}
		if newest > 0 {
			d.Gap = &conn.Gap{Before: time.Now(), Reason: textNoResumePoint}
		}
		return d, nil
	}
	missed, err := s.since(ctx, after)
	if err != nil {
		return conn.Decoded{}, err
	}
	tasks := make([]conn.Task, 0, len(missed))
	for _, m := range missed {
		t, err := s.task(m)
		if err != nil {
			return conn.Decoded{}, err
		}
		// The listing holds every message of this user up to m: the ids
		// it skips are other users' or deleted ones.
		t.Resume = strconv.FormatInt(s.resume.complete(m.ID), 10)
		tasks = append(tasks, t)
	}
	return conn.Decoded{Tasks: tasks}, nil
}

// since returns every message with an id above after, oldest first.
func (s *session) since(ctx context.Context, after int64) ([]message, error) {
	var missed []message
	before := int64(0) // 0: start from the newest
	for {
		page, err := fetchPage(ctx, s.p.http, s.p.api, before, pageSize, s.authorize)
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
		if page.Paging.Since <= 0 || (before != 0 && page.Paging.Since >= before) {
			return nil, fmt.Errorf("%w: GET /message paging does not move back (since %d after %d)", ErrMalformed, page.Paging.Since, before)
		}
		before = page.Paging.Since
	}
	slices.SortFunc(missed, func(a, b message) int { return cmp.Compare(a.ID, b.ID) })
	return slices.CompactFunc(missed, func(a, b message) bool { return a.ID == b.ID }), nil
}

// newest returns the id of the newest message, 0 when there is none.
func (s *session) newest(ctx context.Context) (int64, error) {
	page, err := fetchPage(ctx, s.p.http, s.p.api, 0, 1, s.authorize)
	if err != nil || len(page.Messages) == 0 {
		return 0, err
	}
	return page.Messages[0].ID, nil
}

// authorize adds the client token to a request.
func (s *session) authorize(req *http.Request) { req.Header.Set("X-Gotify-Key", s.token) }

// messagePage is one answer of GET /message. Paging.Next and Paging.Since
// (the lowest id listed) are set only when older messages are left.
type messagePage struct {
	Paging struct {
		Next  string `json:"next"`
		Since int64  `json:"since"`
	} `json:"paging"`
	Messages []message `json:"messages"`
}

// fetchPage fetches the newest limit messages with an id below before (all
// when before is 0); authorize adds the credentials. Refused credentials
// wrap conn.ErrUnauthorized.
func fetchPage(ctx context.Context, client *http.Client, api *url.URL, before int64, limit int, authorize func(*http.Request)) (messagePage, error) {
	u := api.JoinPath("message")
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if before > 0 {
		q.Set("since", strconv.FormatInt(before, 10))
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return messagePage{}, err
	}
	authorize(req)
	req.Header.Set("Accept", "application/json")
	resp, err := httpapi.Do(client, req)
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

// parseID reads a resume point written by this kind: an id, or 0 for
// "before the first message".
func parseID(resume string) (int64, bool) {
	id, err := strconv.ParseInt(resume, 10, 64)
	return id, err == nil && id >= 0
}
