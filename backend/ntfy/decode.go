package ntfy

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

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
	ID          string   `json:"id"`
	Time        int64    `json:"time"`
	Event       string   `json:"event"`
	Topic       string   `json:"topic"`
	Title       string   `json:"title"`
	Message     string   `json:"message"`
	Priority    int      `json:"priority"`
	Tags        []string `json:"tags"`
	Click       string   `json:"click"`
	Actions     []action `json:"actions"`
	ContentType string   `json:"content_type"`
}

// action is one of a message's action buttons; only "view" ones (open a
// URL) matter here.
type action struct {
	Action string `json:"action"`
	URL    string `json:"url"`
}

// Decode turns one frame into at most one task.
//
// Tasks carry no Seq (ntfy ids are random), so conn dedupes by ID: a
// since= the server no longer knows replays its whole cache, and the
// catch-up poll repeats what the link brought.
//
// The "open" that starts every link asks for the catch-up poll (Refresh)
// CatchUpAfter later. On a link without a resume point yet, it also sets
// the resume point to the server's time of that open: the next link asks
// since=<time> and so misses nothing even if no message came before it
// broke.
func (s *session) Decode(msg []byte) (conn.Decoded, error) {
	var e event
	if err := json.Unmarshal(msg, &e); err != nil {
		return conn.Decoded{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch e.Event {
	case "message":
		t, err := task(e)
		if err != nil {
			return conn.Decoded{}, err
		}
		s.resume = t.Resume
		if s.live != nil {
			s.live[t.ID] = true
			t.Resume = pendingResume(t.ID, s.catchup)
		}
		return conn.Decoded{Tasks: []conn.Task{t}}, nil
	case "open":
		var dec conn.Decoded
		if s.resume == "" && e.Time > 0 {
			s.resume = strconv.FormatInt(e.Time, 10)
			dec.Resume = s.resume
		}
		if !s.asked && s.live != nil && s.resume != "" {
			s.asked = true
			if s.catchup == "" {
				// A link without since= replays nothing: what it can
				// lose was published from about its open on.
				s.catchup = s.resume
			}
			dec.Resume = pendingResume(s.resume, s.catchup)
			dec.RefreshIn = s.p.CatchUpAfter
		}
		return dec, nil
	}
	return conn.Decoded{}, nil
}
