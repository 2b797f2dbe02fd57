package custom

import "strconv"

// orderedID reads id as an ordered id: a decimal integer (at most 19
// digits, no sign). Anything else is opaque: it promises no order, and
// only the stream's own re-send detection applies to it.
func orderedID(id string) (uint64, bool) {
	if id == "" || len(id) > 19 || id[0] == '+' || id[0] == '-' {
		return 0, false
	}
	n, err := strconv.ParseUint(id, 10, 64)
	return n, err == nil
}

// predates reports whether a frame's id is at or below the session's
// floor (the login's resume point), both ordered ids, while the backend's
// re-send lasts. A backend that re-sends its last messages to each new
// socket would otherwise show again, after a fresh login, what was
// published before it: conn's memory of delivered ids is empty then. The
// re-send comes first on a socket, so the first frame above the floor (or
// without an ordered id) ends it: from then on every frame is live, and
// an id that arrives late (24, then 23) is conn's to judge by the ids it
// delivered, never dropped by comparison. Once a task was delivered the
// resume point is its id and there is no floor at all.
func (s *session) predates(id string) bool {
	if !s.ordered || s.resendOver {
		return false
	}
	if n, ok := orderedID(id); ok && n <= s.floor {
		return true
	}
	s.resendOver = true
	return false
}
