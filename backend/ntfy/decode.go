package ntfy

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"tasktray/conn"
)

// ErrMalformed marks a frame that could not be understood. The Client
// reconnects and resumes; nothing is lost.
var ErrMalformed = errors.New("malformed ntfy frame")

// maxID bounds a message id: ntfy's are 12 characters, and an id is sent
// back in the since= of the next handshake.
const maxID = 64

// event is one ntfy frame: {"id","time","expires","event","topic",...}.
// Only "message" events carry a task; "open" comes first on every link,
// "keepalive" and "poll_request" carry nothing for the user.
type event struct {
	ID       string   `json:"id"`
	Time     int64    `json:"time"`
	Event    string   `json:"event"`
	Topic    string   `json:"topic"`
	Title    string   `json:"title"`
	Message  string   `json:"message"`
	Priority int      `json:"priority"`
	Tags     []string `json:"tags"`
	Click    string   `json:"click"`
}

// Decode turns one frame into at most one task.
//
// Tasks carry no Seq (ntfy ids are random), so conn dedupes by ID: a
// since= the server no longer knows replays its whole cache, and a message
// published while a link subscribes can come both live and from the cache.
//
// The first "open" of a link without a resume point yet sets the resume
// point to the server's time of that open: the next link asks since=<time>
// and so misses nothing even if no message came before it broke.
func (s *session) Decode(msg []byte) (conn.Decoded, error) {
	var e event
	if err := json.Unmarshal(msg, &e); err != nil {
		return conn.Decoded{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	switch e.Event {
	case "message":
		t, err := task(e)
		if err != nil {
			return conn.Decoded{}, err
		}
		s.resume = t.Resume
		return conn.Decoded{Tasks: []conn.Task{t}}, nil
	case "open":
		if s.resume == "" && e.Time > 0 {
			s.resume = strconv.FormatInt(e.Time, 10)
			return conn.Decoded{Resume: s.resume}, nil
		}
	}
	return conn.Decoded{}, nil
}

func task(e event) (conn.Task, error) {
	if !sinceRe.MatchString(e.ID) {
		return conn.Task{}, fmt.Errorf("%w: message id %q is not an ntfy id", ErrMalformed, conn.Truncate(e.ID, maxID))
	}
	t := conn.Task{
		ID:       e.ID,
		Resume:   e.ID,
		Title:    strings.TrimSpace(e.Title),
		Body:     strings.TrimSpace(e.Message),
		URL:      e.Click,
		Priority: conn.ClampPriority(e.Priority),
		Time:     time.Unix(e.Time, 0),
		Tags:     e.Tags,
	}
	if e.Time <= 0 {
		t.Time = time.Now()
	}
	if t.Title == "" {
		// As ntfy's own apps do: a message without a title is headed by
		// its topic.
		t.Title = e.Topic
	}
	if t.Title == "" {
		t.Title = "New message"
	}
	t.Title = conn.Truncate(t.Title, conn.MaxTitle)
	return t, nil
}
