package conn

// seenSet is the bounded set of delivered task ids that decides what is a
// duplicate. It remembers the last SeenWindow ids in delivery order (a ring,
// with a map for O(1) look-ups) and a low-water mark, floor: a task with
// 0 < Seq <= floor is presumed delivered.
//
// Dedupe goes by id, not by the highest Seq, because servers do not always
// send in id order (a server that sends 24, 23, 22 must have all three
// delivered). The floor is what keeps a replay older than the window from
// repeating tasks: it is raised, when an id leaves the window, to just below
// the lowest Seq still in it, so it never passes a task that has not been
// delivered, and a late task above it still gets through.
type seenSet struct {
	ring  []seenEntry // delivery order; oldest at head once full
	head  int
	ids   map[string]struct{}
	floor int64
}

type seenEntry struct {
	id  string
	seq int64
}

func newSeenSet() *seenSet {
	return &seenSet{ids: make(map[string]struct{})}
}

// has reports whether t was delivered already (or is presumed to be).
func (s *seenSet) has(t Task) bool {
	if t.Seq > 0 && t.Seq <= s.floor {
		return true
	}
	_, ok := s.ids[t.ID]
	return ok
}

// add records t as delivered; t must not be in the set.
func (s *seenSet) add(t Task) {
	e := seenEntry{t.ID, t.Seq}
	s.ids[t.ID] = struct{}{}
	if len(s.ring) < SeenWindow {
		s.ring = append(s.ring, e)
		return
	}
	delete(s.ids, s.ring[s.head].id)
	s.ring[s.head] = e
	s.head = (s.head + 1) % len(s.ring)
	// One pass over at most SeenWindow numbers per delivery once the window
	// is full: microseconds, and far simpler than a sliding-window minimum.
	low := int64(0)
	for _, e := range s.ring {
		if e.seq > 0 && (low == 0 || e.seq < low) {
			low = e.seq
		}
	}
	if low-1 > s.floor {
		s.floor = low - 1
	}
}

// entries returns the window oldest first.
func (s *seenSet) entries() []seenEntry {
	out := make([]seenEntry, 0, len(s.ring))
	out = append(out, s.ring[s.head:]...)
	return append(out, s.ring[:s.head]...)
}

// position is how far delivery got on one server: the resume point, the
// delivered ids and the server history they belong to. It is the working
// form of a Cursor, owned by the Run goroutine.
type position struct {
	resume string
	epoch  string
	seen   *seenSet
}

// newPosition rebuilds a position from a stored cursor. A cursor written
// before the window kept Seqs has LastSeq instead of Floor; it means the
// same, so old files load without repeating what they had delivered.
func newPosition(c Cursor) position {
	p := position{resume: c.Resume, epoch: c.Epoch, seen: newSeenSet()}
	p.seen.floor = max(c.Floor, c.LastSeq, 0)
	ids := c.Seen
	if len(ids) > SeenWindow {
		ids = ids[len(ids)-SeenWindow:]
	}
	off := len(c.Seen) - len(ids)
	for i, id := range ids {
		var seq int64
		if j := off + i; j < len(c.SeenSeq) {
			seq = c.SeenSeq[j]
		}
		t := Task{ID: id, Seq: seq}
		if id == "" || p.seen.has(t) {
			continue
		}
		p.seen.add(t)
	}
	return p
}

// cursor returns what to store.
func (p position) cursor() Cursor {
	c := Cursor{Resume: p.resume, Epoch: p.epoch, Floor: p.seen.floor}
	withSeq := false
	for _, e := range p.seen.entries() {
		c.Seen = append(c.Seen, e.id)
		c.SeenSeq = append(c.SeenSeq, e.seq)
		withSeq = withSeq || e.seq != 0
	}
	if !withSeq {
		c.SeenSeq = nil
	}
	return c
}

// enterEpoch records the server's history epoch. It reports whether the
// cursor changed, and whether the history started over, in which case the
// delivered ids no longer mean anything and are forgotten.
func (p *position) enterEpoch(e string) (changed, restarted bool) {
	if e == "" || e == p.epoch {
		return false, false
	}
	restarted = p.epoch != ""
	p.epoch = e
	if restarted {
		p.seen = newSeenSet()
	}
	return true, restarted
}

// delivered records t as handed to the consumer. The resume point follows
// the delivery order, so it may move back when a server sends ids out of
// order (what the server then replays is caught by the seen set), and it
// never moves past a task that was not delivered.
func (p *position) delivered(t Task) {
	p.seen.add(t)
	if t.Resume != "" {
		p.resume = t.Resume
	}
}
