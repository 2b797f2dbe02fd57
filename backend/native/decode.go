package native

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strconv"
	"time"
	"unicode/utf8"

	"tasktray/conn"
)

// frame is every field a native frame may carry (docs/protocol.md).
type frame struct {
	Type     string          `json:"type"`
	ID       json.RawMessage `json:"id"` // task: a JSON integer, not a string
	Title    string          `json:"title"`
	Body     string          `json:"body"`
	URL      string          `json:"url"`
	Priority int             `json:"priority"`
	Time     string          `json:"time"`

	// hello
	Epoch      string    `json:"epoch"`
	PingPeriod float64   `json:"ping_period"` // seconds between the server's pings
	LastID     *int64    `json:"last_id"`     // newest task id when the link was subscribed
	Gap        *gapFrame `json:"gap"`         // a resume reached past the kept history

	// token (and expires_at for it)
	Token     string `json:"token"`
	ExpiresAt string `json:"expires_at"`
}

// gapFrame is the hello's account of missed tasks the server no longer
// keeps: ids after After and before Before, published before BeforeTime.
type gapFrame struct {
	After      int64  `json:"after"`
	Before     int64  `json:"before"`
	BeforeTime string `json:"before_time"`
}

// Decode turns one server message into what it means. The native kind is
// strict: only hello, task and token frames mean something, and the echo of
// our text heartbeat is expected. Anything else (a proxy's HTML error page,
// a stray line, a seed-style {"msg":...}, a task frame without a proper id)
// is logged at warn by its length, never its contents, and ignored: it must
// not pop up as a task, and an error would cost a reconnect that the same
// frame, replayed, could cost again. Backends that speak another format are
// the custom kind's (docs/custom.md). Decode never returns an error.
func (s *session) Decode(msg []byte) (conn.Decoded, error) {
	text := bytes.TrimSpace(msg)
	if len(text) == 0 || (s.heartbeat != "" && string(text) == s.heartbeat) {
		return conn.Decoded{}, nil
	}
	if !utf8.Valid(text) || text[0] != '{' {
		return s.ignore("not a JSON object", msg)
	}
	var f frame
	if err := json.Unmarshal(text, &f); err != nil {
		return s.ignore("not a JSON object", msg)
	}
	switch f.Type {
	case "hello":
		return s.hello(f), nil
	case "task":
		t, ok := nativeTask(f)
		if !ok {
			return s.ignore("task frame without a positive integer id", msg)
		}
		if s.epoch != "" {
			t.Resume += "@" + s.epoch
		}
		return conn.Decoded{Tasks: []conn.Task{t}}, nil
	case "token":
		if f.Token == "" {
			return s.ignore("token frame without a token", msg)
		}
		// A bad expiry costs nothing but the date: the token is what counts.
		exp, _ := time.Parse(time.RFC3339, f.ExpiresAt)
		return conn.Decoded{Token: &conn.Renewal{Token: f.Token, ExpiresAt: exp}}, nil
	case "":
		return s.ignore("JSON frame without a type", msg)
	}
	// A type of a later protocol version, or not a native server at all.
	return s.ignore("frame of an unknown type", msg)
}

// ignore logs a frame that means nothing to the native kind by its length
// only (it may hold anything, a token included) and drops it.
func (s *session) ignore(why string, msg []byte) (conn.Decoded, error) {
	s.log.Warn("ignored a frame that is not a native tasktray frame", "why", why, "bytes", len(msg))
	return conn.Decoded{}, nil
}

// hello reads the server's hello: the history's epoch, how the server keeps
// the link alive, and, for a session that started with nothing to resume
// from, where the history stands, so that a drop before the first task loses
// nothing. A session that has a resume point keeps it: tasks it has not
// delivered yet may lie between that point and last_id.
func (s *session) hello(f frame) conn.Decoded {
	s.epoch = f.Epoch
	d := conn.Decoded{Epoch: f.Epoch, Keepalive: serverPings(f.PingPeriod)}
	if s.resume == "" && f.LastID != nil && *f.LastID >= 0 {
		d.Resume = resumePoint(*f.LastID, f.Epoch)
	}
	if f.Gap != nil {
		before, _ := time.Parse(time.RFC3339Nano, f.Gap.BeforeTime)
		d.Gap = &conn.Gap{Before: before, Reason: gapReason}
	}
	return d
}

// resumePoint is the form of conn.Task.Resume for the native kind: the id,
// and the epoch of the history it counts in.
func resumePoint(id int64, epoch string) string {
	r := strconv.FormatInt(id, 10)
	if epoch != "" {
		r += "@" + epoch
	}
	return r
}

// nativeTask reads a task frame; ok is false without a positive integer id.
func nativeTask(f frame) (conn.Task, bool) {
	id, err := strconv.ParseInt(string(f.ID), 10, 64)
	if err != nil || id <= 0 {
		return conn.Task{}, false
	}
	t := conn.Task{
		ID:       strconv.FormatInt(id, 10),
		Seq:      id,
		Resume:   strconv.FormatInt(id, 10),
		Title:    f.Title,
		Body:     f.Body,
		URL:      f.URL,
		Priority: conn.ClampPriority(f.Priority),
		Time:     parseTime(f.Time),
	}
	if t.Title == "" {
		t.Title, t.Body = conn.SplitTitle(t.Body, newTask)
	}
	return t, true
}

func parseTime(s string) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	return time.Now()
}

// maxPingPeriod bounds what a hello may announce; a longer period would let a
// dead link pass for alive for many minutes.
const maxPingPeriod = 5 * time.Minute

// serverPings is the keepalive for a server that pings every period seconds:
// its pings prove the link alive, so the client sends no pings and no text
// heartbeat of its own (every wake-up costs a laptop battery) and gives a
// silent link two periods and a margin. nil keeps the defaults.
func serverPings(period float64) *conn.Keepalive {
	p := time.Duration(period * float64(time.Second))
	if p <= 0 || p > maxPingPeriod {
		return nil
	}
	return &conn.Keepalive{PongWait: 2*p + 5*time.Second}
}

// logger returns l, or the default logger when l is nil.
func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}
