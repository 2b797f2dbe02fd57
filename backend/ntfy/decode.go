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
// Tasks carry no Seq (ntfy ids are random), so conn dedupes by ID; a
// message the Protocol knows was delivered (the replay of the seconds
// before since=, a since= the server no longer knows) is dropped here
// already, without moving the resume point.
//
// The "open" that starts every link asks for the catch-up poll (Refresh)
// CatchUpAfter later, and sets a resume point even on a link without one:
// the next link misses nothing even if no message came before it broke.
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
		if s.known(t.ID) {
			return conn.Decoded{}, nil
		}
		s.lastTime = max(s.lastTime, t.Time.Unix())
		t.Resume = s.resume()
		return conn.Decoded{Tasks: []conn.Task{t}}, nil
	case "open":
		if s.asked || e.Time <= 0 {
			return conn.Decoded{}, nil
		}
		s.asked, s.opened = true, e.Time
		if s.since == "" {
			// A link without since= (no login's resume point: an older
			// version's session) replays nothing, and wants nothing from
			// before it: it resumes, and polls, from its open.
			s.since = strconv.FormatInt(e.Time, 10)
			s.catchup = s.since
		}
		dec := conn.Decoded{Resume: s.resume()}
		if s.owing() {
			dec.RefreshIn = s.p.CatchUpAfter
			if s.inherited {
				dec.RefreshIn = inheritedCatchUpAfter
			}
		}
		return dec, nil
	}
	return conn.Decoded{}, nil
}
