package custom

import (
	"bytes"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"tasktray/conn"
)

// maxBody bounds the body of one task, in characters: a backend that
// pushes a whole document must not fill the popup or the Recent list.
const maxBody = 4000

// Decode turns one frame into at most one task. A heartbeat echo, an
// ignored frame and a re-send after a reconnect yield nothing. A tolerant
// kind never fails on a frame: an error would cost a reconnect, and a
// backend that re-sends the frame would loop.
//
// Every frame also tells that the backend has registered the socket: the
// second catch-up may run (catchup.go), and it holds the tasks until then.
func (s *session) Decode(msg []byte) (conn.Decoded, error) {
	return s.catchup.frame(s.decode(msg)), nil
}

// decode is Decode without the second catch-up.
func (s *session) decode(msg []byte) conn.Decoded {
	t, ok := s.p.mapFrame(msg, s.now())
	if !ok {
		return conn.Decoded{}
	}
	if t.ID != "" {
		if s.predates(t.ID) {
			return conn.Decoded{}
		}
		t.Resume = idPrefix + t.ID
	} else {
		// No id of the server's: recognise a re-send by its content.
		h := contentHash(msg)
		if s.window.replayed(h) {
			return conn.Decoded{}
		}
		t.ID = "h:" + h + "." + strconv.FormatInt(s.p.stamp(s.now()), 36)
		if s.p.Mapping.ID == "" {
			t.Resume = s.window.add(h)
		}
	}
	return conn.Decoded{Tasks: []conn.Task{t}}
}

// mapFrame maps a frame to a task; ok is false for an echo or an ignored
// frame. The task's ID is the server's id, or "" when it has none.
func (p *Profile) mapFrame(msg []byte, now time.Time) (t conn.Task, ok bool) {
	text := bytes.TrimSpace(msg)
	if len(text) == 0 || p.isEcho(text) {
		return conn.Task{}, false
	}
	if !utf8.Valid(text) {
		text = []byte(strings.ToValidUTF8(string(text), "\uFFFD"))
	}
	m := p.Mapping
	t = conn.Task{Priority: conn.PriorityDefault, Time: now}
	if !isJSON(text) {
		if m.PlainText == "ignore" {
			return conn.Task{}, false
		}
		t.Title, t.Body = m.DefaultTitle, conn.Truncate(string(text), maxBody)
		return t, true
	}
	for _, r := range m.Ignore {
		v := gjson.GetBytes(text, r.Path)
		if r.Equals != nil && v.Exists() && v.String() == *r.Equals {
			return conn.Task{}, false
		}
		if r.Not != nil && (!v.Exists() || v.String() != *r.Not) {
			return conn.Task{}, false
		}
	}
	get := func(path string) string {
		if path == "" {
			return ""
		}
		return strings.TrimSpace(gjson.GetBytes(text, path).String())
	}
	t.ID = conn.Truncate(get(m.ID), 200)
	t.Title = conn.Truncate(get(m.Title), conn.MaxTitle)
	t.Body = conn.Truncate(get(m.Body), maxBody)
	if t.Title == "" && t.Body == "" {
		// Nothing where the profile looks (an error object, a status frame,
		// garbage that parses as JSON): it is no task, only text, and
		// plain_text decides. With "ignore" it must not pop a "New task".
		if m.PlainText == "ignore" {
			return conn.Task{}, false
		}
		t.Body = conn.Truncate(string(text), maxBody)
	}
	if t.Title == "" {
		t.Title = m.DefaultTitle
	}
	if u := get(m.URL); strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
		t.URL = u
	}
	if m.Priority != "" {
		t.Priority = priority(gjson.GetBytes(text, m.Priority))
	}
	if m.Time != "" {
		if ts, ok := parseTime(gjson.GetBytes(text, m.Time)); ok {
			t.Time = ts
		}
	}
	return t, true
}

// isJSON reports whether text is a JSON object or array (a bare JSON
// string or number is text for the user).
func isJSON(text []byte) bool {
	return (text[0] == '{' || text[0] == '[') && gjson.ValidBytes(text)
}

// isEcho reports whether text answers our heartbeat: the heartbeat text
// itself, the profile's echo, or a JSON frame with the echo field.
func (p *Profile) isEcho(text []byte) bool {
	h := p.Heartbeat
	s := string(text)
	if (*h.Text != "" && s == *h.Text) || (h.Echo != "" && s == h.Echo) {
		return true
	}
	if h.EchoPath != "" && text[0] == '{' {
		v := gjson.GetBytes(text, h.EchoPath)
		return v.Exists() && v.String() == h.EchoValue
	}
	return false
}

// priority reads 1..5 or a word.
func priority(v gjson.Result) int {
	switch v.Type {
	case gjson.Number:
		return conn.ClampPriority(int(max(-1e6, min(1e6, v.Float()))))
	case gjson.String:
		switch strings.ToLower(strings.TrimSpace(v.Str)) {
		case "min", "lowest":
			return 1
		case "low":
			return 2
		case "high", "important":
			return 4
		case "urgent", "max", "critical", "highest":
			return 5
		}
		if n, err := strconv.Atoi(strings.TrimSpace(v.Str)); err == nil {
			return conn.ClampPriority(n)
		}
	}
	return conn.PriorityDefault
}

// parseTime reads RFC 3339, or Unix seconds or milliseconds (a number or
// a string of digits).
func parseTime(v gjson.Result) (time.Time, bool) {
	s := strings.TrimSpace(v.String())
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	if t, err := time.ParseInLocation("2006-01-02 15:04:05", s, time.Local); err == nil {
		return t, true // the zone is not said: a browser would show local time
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n <= 0 || n > 1e14 {
		return time.Time{}, false
	}
	if n > 1e11 { // milliseconds: 1e11 s is the year 5138
		return time.UnixMilli(int64(n)), true
	}
	return time.Unix(int64(n), 0), true
}
