package centrifugo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"tasktray/conn"
)

// ErrMalformed marks a frame that could not be understood. The Client
// reconnects and recovers; nothing is lost.
var ErrMalformed = errors.New("malformed Centrifugo frame")

// Command ids of one connection. Replies are matched by id; at most one
// history and one refresh command are under way at a time.
const (
	idConnect     = 1
	idSubscribe   = 2
	idHistory     = 3
	idResubscribe = 4 // subscribe again without recovery after error 112
	idRefresh     = 5
)

const (
	// historyLimit is how many publications one history page asks for
	// (the server allows 300 by default); a gap fill pages until it has
	// everything. 100 keeps a page of big publications under conn's read
	// limit.
	historyLimit = 100
	// maxHeld bounds the publications pushed while a gap fill is under
	// way; the server answers history in milliseconds, so more means
	// something is wrong (the redial resumes from the pages delivered).
	maxHeld = 1000
)

// Centrifugo error and disconnect codes this kind acts on.
const (
	errUnauthorized          = 101
	errUnknownChannel        = 102
	errPermissionDenied      = 103
	errTokenExpired          = 109
	errUnrecoverablePosition = 112
)

// session is one connection's state.
type session struct {
	p              *Protocol
	token, channel string
	from           position // where the cursor was; zero epoch: nowhere

	epoch        string      // the stream's current epoch
	gotSubscribe bool        // a subscribe reply came (Login's look at the stream waits for it)
	top          position    // the position the subscribe reply reported
	filling      bool        // a gap fill is under way
	fill         gapFill     // its progress
	held         []conn.Task // pushes received while filling, in order
}

// command is one client-to-server command.
type command struct {
	ID        uint32            `json:"id"`
	Connect   *connectRequest   `json:"connect,omitempty"`
	Subscribe *subscribeRequest `json:"subscribe,omitempty"`
	History   *historyRequest   `json:"history,omitempty"`
	Refresh   *refreshRequest   `json:"refresh,omitempty"`
}

type connectRequest struct {
	Token string `json:"token"`
	Name  string `json:"name"`
}

type subscribeRequest struct {
	Channel string `json:"channel"`
	Recover bool   `json:"recover,omitempty"`
	Epoch   string `json:"epoch,omitempty"`
	Offset  uint64 `json:"offset,omitempty"`
}

// historyRequest asks for up to Limit publications after Since, oldest
// first; without Since, from the oldest the history holds.
type historyRequest struct {
	Channel string          `json:"channel"`
	Limit   int             `json:"limit"`
	Since   *streamPosition `json:"since,omitempty"`
}

type streamPosition struct {
	Offset uint64 `json:"offset"`
	Epoch  string `json:"epoch"`
}

type refreshRequest struct {
	Token string `json:"token"`
}

// reply is one server-to-client message: a reply to a command (id > 0), a
// push (id 0), or the server's ping {} (id 0, nothing else).
type reply struct {
	ID        uint32           `json:"id"`
	Error     *replyError      `json:"error"`
	Connect   *expiryResult    `json:"connect"`
	Refresh   *expiryResult    `json:"refresh"`
	Subscribe *subscribeResult `json:"subscribe"`
	History   *historyResult   `json:"history"`
	Push      *push            `json:"push"`
}

// expiryResult is what the connect and refresh replies say about the
// token: whether it expires, and in how many seconds.
type expiryResult struct {
	Expires bool   `json:"expires"`
	TTL     uint32 `json:"ttl"`
}

type replyError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type subscribeResult struct {
	Recoverable  bool          `json:"recoverable"`
	Epoch        string        `json:"epoch"`
	Offset       uint64        `json:"offset"`
	Publications []publication `json:"publications"`
	Recovered    bool          `json:"recovered"`
}

type historyResult struct {
	Publications []publication `json:"publications"`
	Epoch        string        `json:"epoch"`
	Offset       uint64        `json:"offset"`
}

type publication struct {
	Data   json.RawMessage `json:"data"`
	Offset uint64          `json:"offset"`
	Epoch  string          `json:"epoch"` // only on the first of a batch
}

type push struct {
	Channel     string       `json:"channel"`
	Pub         *publication `json:"pub"`
	Unsubscribe *struct {
		Code   int    `json:"code"`
		Reason string `json:"reason"`
	} `json:"unsubscribe"`
	Disconnect *struct {
		Code   int    `json:"code"`
		Reason string `json:"reason"`
	} `json:"disconnect"`
}

// Open sends the connect command and the subscribe command, the latter
// asking to recover from the cursor's epoch and offset when there are some.
func (s *session) Open() ([][]byte, error) {
	sub := &subscribeRequest{Channel: s.channel}
	if s.from.epoch != "" {
		sub.Recover, sub.Epoch, sub.Offset = true, s.from.epoch, s.from.offset
	}
	return marshal(
		command{ID: idConnect, Connect: &connectRequest{Token: s.token, Name: "tasktray"}},
		command{ID: idSubscribe, Subscribe: sub},
	)
}

func marshal(cmds ...command) ([][]byte, error) {
	var out [][]byte
	for _, c := range cmds {
		b, err := json.Marshal(c)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// pong answers the server's ping.
var pong = []byte("{}")

// Decode handles one frame: one or more replies, a line each. It answers
// pings, turns publications into tasks, schedules token refreshes (connect
// and refresh replies), and fills a gap the subscribe reply could not
// recover by paging through the channel's history (fill.go); pushes that
// arrive meanwhile wait until the history is in, so tasks stay in order.
//
// Task IDs are "epoch:offset", which conn dedupes by; they carry no Seq,
// since offsets restart with every epoch. The Decoded's resume point moves
// only when no task does (a subscribe reply with nothing new), and never
// while a gap is open.
func (s *session) Decode(msg []byte) (conn.Decoded, error) {
	var d conn.Decoded
	for line := range bytes.SplitSeq(msg, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var r reply
		if err := json.Unmarshal(line, &r); err != nil {
			return conn.Decoded{}, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		var err error
		switch {
		case r.Push != nil:
			err = s.push(r.Push, &d)
		case r.ID == 0:
			d.Reply = append(d.Reply, pong)
		case r.ID == idConnect:
			err = connectError(r.Error)
			if err == nil && r.Connect != nil {
				s.scheduleRefresh(*r.Connect, &d)
			}
		case r.ID == idRefresh:
			err = refreshError(r.Error)
			if err == nil && r.Refresh != nil {
				s.scheduleRefresh(*r.Refresh, &d)
			}
		case r.ID == idSubscribe || r.ID == idResubscribe:
			err = s.subscribed(r, &d)
		case r.ID == idHistory:
			err = s.history(r, &d)
		}
		if err != nil {
			return conn.Decoded{}, err
		}
	}
	if len(d.Tasks) > 0 {
		d.Resume = "" // the tasks carry the position
	}
	return d, nil
}

func connectError(e *replyError) error {
	if e == nil {
		return nil
	}
	switch e.Code {
	case errTokenExpired:
		return fmt.Errorf("%w: the token expired (Centrifugo error %d)", conn.ErrUnauthorized, e.Code)
	case errUnauthorized, errPermissionDenied:
		return fmt.Errorf("%w (Centrifugo error %d %s)", conn.ErrUnauthorized, e.Code, e.Message)
	}
	return fmt.Errorf("connect refused: Centrifugo error %d %s", e.Code, e.Message)
}

func (s *session) subscribed(r reply, d *conn.Decoded) error {
	if e := r.Error; e != nil {
		switch e.Code {
		case errUnrecoverablePosition:
			// Subscribe afresh; its reply, not recovered, starts the gap fill.
			frames, err := marshal(command{ID: idResubscribe, Subscribe: &subscribeRequest{Channel: s.channel}})
			d.Reply = append(d.Reply, frames...)
			return err
		case errUnauthorized, errUnknownChannel, errPermissionDenied, errTokenExpired:
			return fmt.Errorf("%w: not allowed to subscribe to channel %q (Centrifugo error %d %s)", conn.ErrUnauthorized, s.channel, e.Code, e.Message)
		}
		return fmt.Errorf("subscribe refused: Centrifugo error %d %s", e.Code, e.Message)
	}
	res := r.Subscribe
	if res == nil {
		return fmt.Errorf("%w: reply %d without a subscribe result", ErrMalformed, r.ID)
	}
	s.gotSubscribe = true
	s.epoch = res.Epoch
	s.top = position{epoch: res.Epoch, offset: res.Offset}
	for _, p := range res.Publications {
		d.Tasks = append(d.Tasks, s.task(p))
	}
	if s.from.epoch != "" && !res.Recovered && res.Recoverable {
		// The epoch changed (a restart of a server keeping history in
		// memory) or the history no longer reaches back to our offset.
		return s.startFill(d)
	}
	if res.Epoch != "" {
		d.Resume = s.top.String()
	}
	return nil
}

func (s *session) push(p *push, d *conn.Decoded) error {
	if dc := p.Disconnect; dc != nil {
		if (&Protocol{}).UnauthorizedClose(dc.Code, dc.Reason) {
			return fmt.Errorf("%w (disconnect %d %q)", conn.ErrUnauthorized, dc.Code, dc.Reason)
		}
		return fmt.Errorf("server disconnected: %d %s", dc.Code, dc.Reason)
	}
	if p.Channel != s.channel {
		return nil
	}
	switch {
	case p.Pub != nil:
		if p.Pub.Epoch != "" {
			s.epoch = p.Pub.Epoch
		}
		t := s.task(*p.Pub)
		if !s.filling {
			d.Tasks = append(d.Tasks, t)
			return nil
		}
		if len(s.held) >= maxHeld {
			return fmt.Errorf("%w: %d publications pushed while waiting for the history reply", ErrMalformed, len(s.held))
		}
		s.held = append(s.held, t)
	case p.Unsubscribe != nil:
		return fmt.Errorf("server unsubscribed from channel %q: %d %s", s.channel, p.Unsubscribe.Code, p.Unsubscribe.Reason)
	}
	return nil
}

// Publications of a channel without history have no offset, so nothing to
// dedupe or resume by; they are numbered within this run, and runEpoch
// keeps the numbers from colliding with those the persisted cursor still
// remembers from an earlier run.
var (
	unpositioned atomic.Uint64
	runEpoch     = strconv.FormatInt(time.Now().UnixNano(), 36)
)

// task turns a publication into a task; its data is a JSON object
// {"title","body","url","priority"} ("message" is read when "body" is
// absent), or a string, which becomes the title (its first line) and body.
func (s *session) task(p publication) conn.Task {
	epoch := p.Epoch
	if epoch == "" {
		epoch = s.epoch
	}
	t := taskFromData(p.Data)
	if p.Offset > 0 && epoch != "" {
		t.ID = position{epoch: epoch, offset: p.Offset}.String()
		t.Resume = t.ID
	} else {
		t.ID = "unpositioned-" + runEpoch + "-" + strconv.FormatUint(unpositioned.Add(1), 10)
	}
	return t
}

func taskFromData(raw json.RawMessage) conn.Task {
	t := conn.Task{Priority: conn.PriorityDefault, Time: time.Now()}
	var text string
	var obj map[string]json.RawMessage
	switch {
	case json.Unmarshal(raw, &text) == nil:
		t.Title, t.Body = conn.SplitTitle(text, "New task")
	case json.Unmarshal(raw, &obj) == nil && obj != nil:
		t.Title = conn.Truncate(strings.TrimSpace(str(obj["title"])), conn.MaxTitle)
		t.Body = strings.TrimSpace(str(obj["body"]))
		if t.Body == "" {
			t.Body = strings.TrimSpace(str(obj["message"]))
		}
		t.URL = str(obj["url"])
		var prio float64
		if json.Unmarshal(obj["priority"], &prio) == nil && prio >= -1e6 && prio <= 1e6 {
			t.Priority = conn.ClampPriority(int(prio))
		}
		if t.Title == "" {
			t.Title, t.Body = conn.SplitTitle(t.Body, "New task")
		}
	default:
		var compact bytes.Buffer
		if json.Compact(&compact, raw) != nil {
			compact.Reset()
		}
		t.Title, t.Body = conn.SplitTitle(compact.String(), "New task")
	}
	return t
}

// str returns raw as a string, or "" when it is not a JSON string.
func str(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}
