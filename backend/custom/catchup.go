package custom

import (
	"context"
	"errors"
	"sync"
	"time"

	"tasktray/conn"
)

// catchUpLate is when the second catch-up runs if the backend sends no
// frame first: by then a backend that registers its socket after the
// handshake has done so.
const catchUpLate = 3 * time.Second

// maxHeld bounds the frames held back for the second catch-up; a stream
// that brings more before it ran is let through in its own order.
const maxHeld = 256

// catchup is a link's second catch-up from the missed-tasks address. The
// first one (Backfill) runs right after the handshake's 101, but a backend
// written for a browser registers the socket after the handshake (in its
// onOpen), so a task published in between is neither in the first answer
// nor on the socket. The second one runs once the socket is known to be
// registered, at the first frame the backend sends (a task, a re-send, a
// heartbeat echo), or catchUpLate after the link came up. It asks from the
// same point as the first; conn drops what it delivered already. Until it
// has run, tasks from the stream are held back and delivered after what it
// found, so they come in the backend's order. Decode runs on the read
// path and Refresh beside it: the mutex guards the fields.
type catchup struct {
	mu      sync.Mutex
	planned bool        // Backfill asked for one on this link
	since   string      // the first catch-up's since
	asked   bool        // a frame asked for it to run now
	done    bool        // it ran: the stream goes straight through
	held    []conn.Task // tasks from the stream held until it ran
}

// plan records the first catch-up's since and returns when to run the
// second one if no frame comes first.
func (c *catchup) plan(since string) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.planned, c.since = true, since
	return catchUpLate
}

// frame is called for each frame the backend sent, with the tasks it
// carried. Before the catch-up has run it holds them and, at the first
// frame, asks for the catch-up to run now.
func (c *catchup) frame(dec conn.Decoded) conn.Decoded {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.planned || c.done {
		return dec
	}
	if !c.asked {
		c.asked = true
		dec.RefreshIn = time.Nanosecond
	}
	if len(c.held)+len(dec.Tasks) > maxHeld || !allHaveIDs(dec.Tasks) {
		return dec
	}
	c.held = append(c.held, dec.Tasks...)
	dec.Tasks = nil
	return dec
}

// allHaveIDs reports whether each task has the backend's id: only those
// may be held, since a link that drops before the catch-up ran loses what
// it held, and only those the next link's missed-tasks answer brings back.
func allHaveIDs(tasks []conn.Task) bool {
	for _, t := range tasks {
		if t.Resume == "" {
			return false
		}
	}
	return true
}

// Refresh runs the second catch-up (conn calls it, off the read path,
// RefreshIn after Backfill or a frame asked for it) and returns what it
// found followed by the tasks held meanwhile. A failure other than a
// refused token hands the held tasks on with a Gap (a task published
// while the socket was being registered may be missing) and gives up, so
// the stream is never held up by a missed-tasks address that is down.
func (s *session) Refresh(ctx context.Context, _ string) (conn.Decoded, error) {
	c := &s.catchup
	c.mu.Lock()
	done, since := c.done, c.since
	c.mu.Unlock()
	if done {
		return conn.Decoded{}, nil
	}
	dec, err := s.p.missed.fetch(ctx, s, since, false)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		if ctx.Err() != nil || errors.Is(err, conn.ErrUnauthorized) {
			return conn.Decoded{}, err
		}
		dec = conn.Decoded{Gap: &conn.Gap{Reason: msgCatchUpFailed.String()}}
	}
	c.done = true
	dec.Tasks = append(dec.Tasks, c.held...)
	c.held = nil
	return dec, nil
}
