package settle

import (
	"math"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// sink keeps allocations from being optimised away.
var sink []byte

// busyWork allocates n bytes of garbage.
func busyWork(n int) {
	for range n / 4096 {
		sink = make([]byte, 4096)
	}
}

// newTestSettler returns a settler that reports each settle on the channel
// instead of giving memory back, with its first settle far away. A settle
// nobody waits for is not reported: a settler that watches collections
// (watchGC) does so for the rest of the test binary's life, and with a
// blocking send its timer's goroutine would hang once the channel filled,
// after 16 busy collections in later tests, and fail goleak at the end.
//
// Its GC settings are a fakeGC's, not the runtime's.
func newTestSettler() (*settler, chan struct{}) {
	s, settled, _ := newTestSettlerGC()
	return s, settled
}

func newTestSettlerGC() (*settler, chan struct{}, *fakeGC) {
	settled := make(chan struct{}, 16)
	gc := &fakeGC{percent: 100, limit: math.MaxInt64, off: make(chan struct{}, 16)}
	s := &settler{quiet: time.Millisecond, busy: 1 << 20, setGC: gc.set, collections: gc.collections, giveBack: func() {
		select {
		case settled <- struct{}{}:
		default:
		}
	}}
	s.timer = time.AfterFunc(time.Hour, s.settle)
	return s, settled, gc
}

// fakeGC holds a GOGC and a memory limit in place of the runtime's.
type fakeGC struct {
	mu      sync.Mutex
	percent int
	limit   int64
	off     chan struct{} // a set that turned the pacer off
	gcs     atomic.Uint32 // collections: none unless a test says so
}

func (g *fakeGC) collections() uint32 { return g.gcs.Load() }

func (g *fakeGC) set(percent int, limit int64) (int, int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	oldPercent, oldLimit := g.percent, g.limit
	g.percent, g.limit = percent, limit
	if percent < 0 {
		select {
		case g.off <- struct{}{}:
		default:
		}
	}
	return oldPercent, oldLimit
}

func (g *fakeGC) get() (int, int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.percent, g.limit
}

// A settle turns the pacer off (no collection every 2 minutes while the
// agent waits) under a memory limit a few MB above what the agent holds;
// busy work, seen at a collection, puts back the GOGC and limit it had,
// also after two settles in a row.
func TestSettleStopsPeriodicGCUntilBusyWork(t *testing.T) {
	s, settled, gc := newTestSettlerGC()
	defer s.timer.Stop()
	s.quiet = time.Hour // no settle of its own after the busy work below
	gc.set(80, 1<<40)   // the user's GOGC and GOMEMLIMIT
	s.settle()
	<-settled
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	percent, limit := gc.get()
	if percent >= 0 {
		t.Fatalf("GOGC %d after a settle, want off", percent)
	}
	if held := int64(m.Sys - m.HeapReleased); limit < held+int64(s.busy) || limit > held+int64(s.busy)*2*quietRoom {
		t.Fatalf("memory limit %d after a settle, want about %d above the %d held", limit, int64(s.busy)*quietRoom, held)
	}
	s.settle()
	<-settled
	if s.afterGC() {
		t.Fatal("a collection right after a settle counted as busy work")
	}
	if percent, _ := gc.get(); percent >= 0 {
		t.Fatal("a collection without busy work turned the pacer back on")
	}
	busyWork(2 << 20)
	if !s.afterGC() {
		t.Fatal("a collection after 2 MB of busy work scheduled no settle")
	}
	if percent, limit := gc.get(); percent != 80 || limit != 1<<40 {
		t.Fatalf("after busy work GOGC %d, limit %d; want the 80 and %d from before the settles", percent, limit, int64(1<<40))
	}
}

// setRuntimeGC sets the runtime's GOGC and memory limit and returns the
// ones before.
func TestSetRuntimeGC(t *testing.T) {
	percent, limit := setRuntimeGC(-1, 1<<40)
	p, l := setRuntimeGC(percent, limit)
	if p != -1 || l != 1<<40 {
		t.Fatalf("setRuntimeGC returned GOGC %d, limit %d; want -1, %d", p, l, int64(1<<40))
	}
	if p, l := setRuntimeGC(percent, limit); p != percent || l != limit {
		t.Fatalf("GOGC %d, limit %d not put back: %d, %d", percent, limit, p, l)
	}
}

// After busy work, the next collection puts a settle s.quiet later; a
// collection with little allocated since the last settle does not.
func TestSettlerAfterBusyWork(t *testing.T) {
	s, settled := newTestSettler()
	defer s.timer.Stop()
	s.settle()
	<-settled
	if s.afterGC() {
		t.Fatal("a collection right after a settle scheduled another")
	}
	busyWork(2 << 20)
	if !s.afterGC() {
		t.Fatal("a collection after 2 MB of busy work scheduled no settle")
	}
	select {
	case <-settled:
	case <-time.After(10 * time.Second): // failure guard only
		t.Fatal("no settle after busy work")
	}
	if s.afterGC() {
		t.Fatal("the settle did not reset the count of busy work")
	}
}

// The settler hears of collections without a timer of its own: the
// cleanup of a sentinel runs after each one.
func TestSettlerHearsCollections(t *testing.T) {
	s, settled := newTestSettler()
	defer s.timer.Stop()
	s.watchGC()
	busyWork(2 << 20)
	deadline := time.After(10 * time.Second) // failure guard only
	for {
		runtime.GC()
		select {
		case <-settled:
			return
		case <-deadline:
			t.Fatal("no settle after busy work and collections")
		case <-time.After(10 * time.Millisecond): // the cleanup runs after the collection: collect again
		}
	}
}

// A task or a window puts the pacer back at once, before its work
// allocates (a burst of tasks is not collected under the memory limit),
// and the agent settles again s.quiet after the last one.
func TestBusyPutsThePacerBackAndSettlesAfter(t *testing.T) {
	s, settled, gc := newTestSettlerGC()
	defer s.timer.Stop()
	gc.set(100, math.MaxInt64)
	s.settle()
	<-settled
	if percent, _ := gc.get(); percent >= 0 {
		t.Fatalf("GOGC %d after a settle, want off", percent)
	}
	s.busyNow()
	if percent, limit := gc.get(); percent != 100 || limit != math.MaxInt64 {
		t.Fatalf("after Busy GOGC %d, limit %d; want 100 and no limit", percent, limit)
	}
	<-gc.off // the settle's
	select {
	case <-gc.off:
	case <-time.After(10 * time.Second): // failure guard only
		t.Fatal("the pacer stayed on after Busy: no settle s.quiet after it")
	}
}

// Busy does nothing in a process that did not Start a settler (the
// window binary, tests of other packages).
func TestBusyWithoutStart(t *testing.T) {
	if running.Load() != nil {
		t.Fatal("a settler runs in this test binary")
	}
	before := debug.SetGCPercent(-1)
	debug.SetGCPercent(before)
	Busy()
	if now := debug.SetGCPercent(before); now != before {
		t.Fatalf("Busy without Start changed GOGC from %d to %d", before, now)
	}
}

// A collection while the pacer is off is the memory limit's: the agent
// holds more than it did (heap or stacks), so the pacer comes back even
// with little allocated; a collection before the settle turned it off
// (FreeOSMemory's own) does not count.
func TestCollectionUnderTheLimitPutsThePacerBack(t *testing.T) {
	s, settled, gc := newTestSettlerGC()
	defer s.timer.Stop()
	s.quiet = time.Hour
	gc.set(100, math.MaxInt64)
	s.settle()
	<-settled
	if s.afterGC() {
		t.Fatal("the settle's own collection counted as the memory limit's")
	}
	gc.gcs.Add(1)
	if !s.afterGC() {
		t.Fatal("a collection under the settle's memory limit did not put the pacer back")
	}
	if percent, limit := gc.get(); percent != 100 || limit != math.MaxInt64 {
		t.Fatalf("after the limit's collection GOGC %d, limit %d; want 100 and no limit", percent, limit)
	}
}
