package ntfy

import "sync"

// maxRecent bounds recentIDs. Past it the oldest ids are forgotten: a
// catch-up poll may then hand conn a message it delivered long ago (conn
// drops those it still remembers), never lose one.
const maxRecent = 1 << 15

// recentIDs is a bounded set of message ids, safe for concurrent use. It
// holds the ids a Client is known to have delivered: a catch-up poll spans
// every link since the catch-up point, more than conn's own window of ids
// when links keep breaking before their polls run.
type recentIDs struct {
	mu    sync.Mutex
	ids   map[string]bool
	order []string // oldest first, for the bound
}

// add records id.
func (r *recentIDs) add(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ids == nil {
		r.ids = map[string]bool{}
	}
	if r.ids[id] {
		return
	}
	r.ids[id] = true
	r.order = append(r.order, id)
	if len(r.order) > maxRecent {
		delete(r.ids, r.order[0])
		r.order = r.order[1:]
	}
}

// has reports whether id was recorded (and not forgotten since).
func (r *recentIDs) has(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ids[id]
}
