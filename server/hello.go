package server

import (
	"encoding/json"
	"time"
)

// helloFrame is the first frame of every link (docs/protocol.md, "GET
// /ws"): which history the ids belong to, where it stands, how the server
// keeps the link alive, and what a resume could no longer get.
type helloFrame struct {
	Type       string  `json:"type"` // always "hello"
	Epoch      string  `json:"epoch"`
	PingPeriod float64 `json:"ping_period"` // seconds
	// LastID is the id of the user's newest task when the link was
	// subscribed: every later task comes live on this link. A client with
	// nothing to resume from keeps it as its resume point, so a drop before
	// the first task loses nothing.
	LastID int64 `json:"last_id"`
	// OldestID is the id of the oldest task still kept (0: none kept).
	OldestID int64 `json:"oldest_id"`
	// Gap, on a resume only, says that tasks the client missed are no
	// longer kept.
	Gap *gapInfo `json:"gap,omitempty"`
}

// gapInfo names the tasks a resuming client missed that the server no
// longer keeps: ids after After and before Before.
type gapInfo struct {
	After  int64 `json:"after"`
	Before int64 `json:"before"`
	// BeforeTime is when task Before was published: the missing tasks are
	// older. The client tells the user "some tasks before 14:02 could not
	// be fetched".
	BeforeTime time.Time `json:"before_time"`
}

// helloLocked builds the hello for a socket of a that resumes after since
// (when resume; since is 0 for a client of another epoch). s.mu must be
// held, so that LastID is exactly where live delivery starts.
func (s *Server) helloLocked(a *account, since int64, resume bool) []byte {
	h := helloFrame{Type: "hello", Epoch: s.cfg.Epoch, PingPeriod: s.cfg.PingPeriod.Seconds(), LastID: a.lastID}
	if oldest, ok := a.history.oldest(); ok {
		h.OldestID = oldest.id
		// A client from another epoch missed everything of this one that is
		// no longer kept; one of this epoch, what lies between its since
		// and the oldest kept task.
		if resume && oldest.id > since+1 {
			h.Gap = &gapInfo{After: since, Before: oldest.id, BeforeTime: oldest.time}
		}
	}
	data, err := json.Marshal(h)
	if err != nil {
		panic(err) // strings, numbers and a UTC time always encode
	}
	return data
}
