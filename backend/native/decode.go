package native

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"tasktray/conn"
)

// frame is every field a native or seed-style JSON frame may carry.
type frame struct {
	Type       string          `json:"type"`
	ID         json.Number     `json:"id"`
	Title      string          `json:"title"`
	Body       string          `json:"body"`
	URL        string          `json:"url"`
	Priority   int             `json:"priority"`
	Time       string          `json:"time"`
	Epoch      string          `json:"epoch"`       // hello
	PingPeriod float64         `json:"ping_period"` // hello: seconds between the server's pings
	Msg        json.RawMessage `json:"msg"`         // seed-style backends
}

// seedCounter numbers tasks from seed-style frames, which carry no id;
// seedEpoch keeps those numbers from colliding with the last run's, which the
// persisted cursor still remembers.
var (
	seedCounter atomic.Uint64
	seedEpoch   = strconv.FormatInt(time.Now().UnixNano(), 36)
)

// ErrMalformed marks a frame that could not be understood. The Client
// reconnects and resumes; nothing is lost.
var ErrMalformed = errors.New("malformed frame")

// Decode turns one server message into tasks. Heartbeat echoes and frames of
// unknown types yield nothing; task frames become tasks; seed-style
// {"msg": ...} frames and plain text become tasks without an id of the
// server's, which therefore cannot be deduplicated or resumed from.
func (s *session) Decode(msg []byte) (conn.Decoded, error) {
	text := bytes.TrimSpace(msg)
	if len(text) == 0 || s.isHeartbeat(text) {
		return conn.Decoded{}, nil
	}
	if !utf8.Valid(text) {
		return conn.Decoded{}, fmt.Errorf("%w: not UTF-8 text", ErrMalformed)
	}
	if text[0] != '{' {
		return one(seedTask(string(text), "")), nil
	}
	var f frame
	d := json.NewDecoder(bytes.NewReader(text))
	d.UseNumber()
	if err := d.Decode(&f); err != nil {
		return conn.Decoded{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	switch {
	case f.Type == "hello":
		s.epoch = f.Epoch
		return conn.Decoded{Epoch: f.Epoch, Keepalive: serverPings(f.PingPeriod)}, nil
	case f.Type == "task":
		t, err := nativeTask(f)
		if err != nil {
			return conn.Decoded{}, err
		}
		if s.epoch != "" {
			t.Resume += "@" + s.epoch
		}
		return one(t), nil
	case f.Type == "" && len(f.Msg) > 0:
		return one(seedMsg(f.Msg)), nil
	}
	// heartbeat, pong, hello and types of later versions: nothing for the user
	return conn.Decoded{}, nil
}

// newTask is the title of a task whose text gives none.
const newTask = "New task"

func one(t conn.Task) conn.Decoded { return conn.Decoded{Tasks: []conn.Task{t}} }

// isHeartbeat reports whether text is a heartbeat echo: the configured text,
// or the usual words seed backends answer with, bare or as a JSON string.
func (s *session) isHeartbeat(text []byte) bool {
	t := strings.Trim(string(text), `"`)
	if s.heartbeat != "" && strings.EqualFold(t, s.heartbeat) {
		return true
	}
	switch strings.ToLower(t) {
	case "heartbeat", "ping", "pong":
		return true
	}
	return false
}

func nativeTask(f frame) (conn.Task, error) {
	id, err := strconv.ParseInt(string(f.ID), 10, 64)
	if err != nil || id <= 0 {
		return conn.Task{}, fmt.Errorf("%w: task id %q is not a positive integer", ErrMalformed, f.ID)
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
	return t, nil
}

// seedMsg reads a seed-style msg: a string, or an object with the usual
// title/content fields, or anything else shown as its JSON text.
func seedMsg(raw json.RawMessage) conn.Task {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return seedTask(s, "")
	}
	var obj struct {
		Title   string `json:"title"`
		Content string `json:"content"`
		Body    string `json:"body"`
		Message string `json:"message"`
		URL     string `json:"url"`
	}
	if json.Unmarshal(raw, &obj) == nil && (obj.Title != "" || obj.Content != "" || obj.Body != "" || obj.Message != "") {
		body := firstNonEmpty(obj.Content, obj.Body, obj.Message)
		if obj.Title == "" {
			return seedTask(body, obj.URL)
		}
		t := seedTask("", obj.URL)
		t.Title, t.Body = conn.Truncate(obj.Title, conn.MaxTitle), body
		return t
	}
	return seedTask(string(raw), "")
}

func seedTask(text, url string) conn.Task {
	title, body := conn.SplitTitle(text, newTask)
	return conn.Task{
		ID:       "seed-" + seedEpoch + "-" + strconv.FormatUint(seedCounter.Add(1), 10),
		Title:    title,
		Body:     body,
		URL:      url,
		Priority: conn.PriorityDefault,
		Time:     time.Now(),
	}
}

func parseTime(s string) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	return time.Now()
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
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
