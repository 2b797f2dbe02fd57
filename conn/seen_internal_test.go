package conn

import (
	"strconv"
	"testing"
)

func seqTask(n int64) Task { return Task{ID: strconv.FormatInt(n, 10), Seq: n} }

// TestSeenSetWindow: the window keeps SeenWindow ids; beyond it a task at or
// below the lowest Seq still in the window is presumed delivered, and a
// task above it is not.
func TestSeenSetWindow(t *testing.T) {
	s := newSeenSet()
	for n := int64(1); n <= SeenWindow+10; n++ {
		if s.has(seqTask(n)) {
			t.Fatalf("%d seen before it was delivered", n)
		}
		s.add(seqTask(n))
	}
	if len(s.ids) != SeenWindow {
		t.Fatalf("window holds %d ids, want %d", len(s.ids), SeenWindow)
	}
	for _, n := range []int64{1, 10, 11, SeenWindow + 10} {
		if !s.has(seqTask(n)) {
			t.Errorf("%d not seen", n)
		}
	}
	if s.has(seqTask(SeenWindow + 11)) {
		t.Error("the next id counts as seen")
	}
	if s.has(Task{ID: "1"}) {
		t.Error("a task without Seq matched by the floor")
	}
}

// TestSeenSetLateTaskAboveTheFloor: one far-ahead id leaving the window
// does not make every lower id a duplicate (a floor at the highest evicted
// Seq would have dropped 1025..1100 here).
func TestSeenSetLateTaskAboveTheFloor(t *testing.T) {
	s := newSeenSet()
	s.add(seqTask(5000))
	for n := int64(1); n <= 1100; n++ {
		if s.has(seqTask(n)) {
			t.Fatalf("%d counted as delivered", n)
		}
		s.add(seqTask(n))
	}
}

// TestPositionRoundTrip: what a position stores, it loads again the same.
func TestPositionRoundTrip(t *testing.T) {
	p := newPosition(Cursor{})
	for _, n := range []int64{24, 23, 22} {
		p.delivered(Task{ID: strconv.FormatInt(n, 10), Seq: n, Resume: strconv.FormatInt(n, 10)})
	}
	p.delivered(Task{ID: "abc", Resume: "abc"})
	c := p.cursor()
	if c.Resume != "abc" || len(c.Seen) != 4 || len(c.SeenSeq) != 4 {
		t.Fatalf("cursor = %+v", c)
	}
	q := newPosition(c)
	for _, task := range []Task{seqTask(22), seqTask(23), seqTask(24), {ID: "abc"}} {
		if !q.seen.has(task) {
			t.Errorf("%s lost in the round trip", task.ID)
		}
	}
	if q.seen.has(seqTask(21)) {
		t.Error("21 counts as delivered")
	}
}

// TestOldCursorMeansTheSame: last_seq, written by earlier versions, is read
// as the floor.
func TestOldCursorMeansTheSame(t *testing.T) {
	p := newPosition(Cursor{Resume: "24", LastSeq: 24, Seen: []string{"23", "24"}})
	if !p.seen.has(seqTask(20)) || !p.seen.has(seqTask(24)) || p.seen.has(seqTask(25)) {
		t.Fatalf("old cursor misread: floor %d", p.seen.floor)
	}
	if c := p.cursor(); c.LastSeq != 0 || c.Floor != 24 {
		t.Fatalf("rewritten as %+v", c)
	}
}
