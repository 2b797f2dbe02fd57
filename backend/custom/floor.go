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
// resume point, both ordered ids. A backend that re-sends its last
// messages to each new socket would otherwise show them again after a
// fresh login (whose resume point is the newest id at login) or a restart
// from the cursor: conn's memory of delivered ids starts empty there.
func (s *session) predates(id string) bool {
	if !s.ordered {
		return false
	}
	n, ok := orderedID(id)
	return ok && n <= s.floor
}
