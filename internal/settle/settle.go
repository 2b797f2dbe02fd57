// Package settle gives back, while the agent waits, what its work used: the
// heap's free pages, the pages of its binary, and the collector's own
// 2-minute clock (Start). The agent says when it works again (Busy).
//
// Only the agent binary starts it (cmd/tasktray-agent): it sets the
// process's GOGC and memory limit while the agent waits. Busy costs an
// atomic load where it was not started.
package settle

import (
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// When the agent gives back memory it no longer uses (settler.settle).
const (
	// settleAfter is the first time, after the start: long enough for the
	// login, the first connect and the tray icon (well under a second on a
	// desktop), short against a day of waiting.
	settleAfter = 20 * time.Second
	// settleQuiet is how long after the last garbage collection of busy
	// work (a burst of tasks, a window's traffic) the agent settles again.
	settleQuiet = 30 * time.Second
	// busyAllocs is how much the agent must have allocated since it last
	// settled for a collection to count as busy work. Waiting allocates a
	// few KB a minute (pings); a task about 20 KB; the burst of 1,000
	// tasks of the benchmark tens of MB.
	busyAllocs = 1 << 20
)

// settler gives back, a while after start-up and after each stretch of busy
// work, the memory that the work used and waiting does not:
//
//   - the heap's free pages (debug.FreeOSMemory), which the runtime would
//     otherwise keep for minutes: with no allocation, the next collection
//     is the periodic one, 2 minutes away, and the scavenger returns pages
//     slowly after it;
//   - the mappings of the binary's code and read-only data
//     (dropBinaryPages). Start-up runs the init of every package and
//     touches, through the kernel's fault-around, nearly all of the
//     binary's 12 MB; a minute of waiting touches about 0.6 MB of it
//     (clear_refs, docs/benchmarks.md). Pss counts what is mapped, not what
//     is used, so the agent unmaps the rest, and the kernel maps back from
//     the page cache the pages it touches again.
//
// It learns of busy work from the agent (Busy, as a task arrives or a window
// opens) and from the garbage collector (a cleanup that runs after each
// collection), so it needs no timer of its own while the agent waits.
//
// Once settled it also stops the collector's own clock: the runtime
// collects at least every 2 minutes, and each of those collections cost
// the idle agent about 70 context switches (strace and per-thread counts,
// docs/benchmarks.md), while waiting allocates a few KB a minute. So a
// settle turns the pacer off (GOGC off) and sets a memory limit
// busyAllocs*quietRoom above what the agent then holds. Busy turns the
// pacer back on before the work allocates; work that does not say so
// (a login's) brings the collection the limit sets, and afterGC turns the
// pacer back on from there.
type settler struct {
	timer *time.Timer
	quiet time.Duration // settleQuiet
	busy  uint64        // busyAllocs
	// giveBack gives the memory back: debug.FreeOSMemory and
	// dropBinaryPages.
	giveBack func()
	// setGC sets GOGC and the memory limit and returns what they were:
	// setRuntimeGC.
	setGC func(percent int, limit int64) (int, int64)
	// collections returns how many collections have run (nil: the
	// runtime's count).
	collections func() uint32
	// allocsAtSettle is allocated() when it last settled.
	allocsAtSettle atomic.Uint64
	// lastBusy is when Busy was last said, as time since epoch plus one
	// (0: never).
	lastBusy atomic.Int64
	// offHint is true while the pacer is off or being turned off: Busy
	// then puts it back. quietGC sets it before it looks at lastBusy and
	// Busy sets lastBusy before it looks at offHint, so that one of the
	// two always sees the other.
	offHint atomic.Bool

	// mu guards what follows: the pacer's state and what quietGC
	// replaced. Busy, on the agent's loop, never waits for it (quietGC
	// holds it across SetGCPercent(-1), which waits for a running mark).
	mu    sync.Mutex
	gcOff bool // the pacer is off and the memory limit set (quietGC)
	// percent and limit are the GOGC and memory limit that quietGC
	// replaced, for wakeGC to put back (the user's GOGC or GOMEMLIMIT).
	percent int
	limit   int64
	// gcsAtQuiet is collections() when quietGC turned the pacer off: a
	// later one can only be the memory limit's (or the user's).
	gcsAtQuiet uint32
}

// epoch is the monotonic origin of lastBusy.
var epoch = time.Now()

// quietRoom is how many times busyAllocs a settled agent may hold beyond
// what it held at the settle before the memory limit brings a collection,
// which puts the pacer back (afterGC). Waiting allocates a few KB a
// minute, so an idle agent reaches it after hours; 2 MB over the settled
// figure is what idle garbage can cost at most.
const quietRoom = 2

// running is the settler Start started, for Busy.
var running atomic.Pointer[settler]

// Start settles settleAfter from now, and settleQuiet after each stretch of
// busy work from then on, for the rest of the process. Call it once, first
// thing in main.
func Start() {
	s := &settler{quiet: settleQuiet, busy: busyAllocs, setGC: setRuntimeGC, giveBack: func() {
		debug.FreeOSMemory()
		dropBinaryPages()
	}}
	s.timer = time.AfterFunc(settleAfter, s.settle)
	s.watchGC()
	running.Store(s)
}

// Busy tells the settler that the agent is at work (a task arrived, a
// window opens or speaks): the collector keeps its usual pace until
// settleQuiet after the last such word. It never waits: where the pacer
// cannot be put back at once (a settle is turning it off), a goroutine
// does it as soon as it can. Without Start it does nothing.
func Busy() {
	if s := running.Load(); s != nil {
		s.busyNow()
	}
}

// busyNow puts the pacer back and the next settle s.quiet from now.
func (s *settler) busyNow() {
	s.lastBusy.Store(int64(time.Since(epoch)) + 1)
	s.timer.Reset(s.quiet)
	if !s.offHint.Load() {
		return
	}
	if s.mu.TryLock() {
		s.wakeLocked()
		s.mu.Unlock()
		return
	}
	go s.wakeGC() // ends once the settle that holds mu is done
}

// gcSentinel is garbage the collector frees in its next cycle; its size
// keeps it out of the tiny allocator, which could keep it alive longer.
type gcSentinel struct {
	_ *int
	_ [24]byte
}

// watchGC calls afterGC once the next garbage collection has run, and
// watches for the one after.
func (s *settler) watchGC() {
	runtime.AddCleanup(&gcSentinel{}, func(s *settler) {
		s.afterGC()
		s.watchGC()
	}, s)
}

// afterGC puts the next settle s.quiet after this collection when the
// agent has done busy work since it last settled, or when the collection
// came while the pacer was off (the memory limit's: the agent holds more
// than it did, heap or not), and says whether it did. Either turns the
// pacer back on (wakeGC) until that settle.
func (s *settler) afterGC() bool {
	var m runtime.MemStats
	runtime.ReadMemStats(&m) // stops the world for a few microseconds, once per collection
	n := s.gcs(&m)
	s.mu.Lock()
	limitGC := s.gcOff && n != s.gcsAtQuiet
	s.mu.Unlock()
	if !limitGC && m.TotalAlloc-s.allocsAtSettle.Load() < s.busy {
		return false
	}
	s.wakeGC()
	s.timer.Reset(s.quiet)
	return true
}

// settle gives the memory back now, and stops the periodic collection
// unless Busy was said during it or within s.quiet before it.
func (s *settler) settle() {
	start := int64(time.Since(epoch)) + 1
	s.allocsAtSettle.Store(allocated()) // FreeOSMemory's own collection is no busy work
	s.giveBack()
	s.quietGC(start)
}

// quietGC turns the pacer off and limits the memory to what the agent holds
// now plus s.busy*quietRoom (or the user's lower limit), unless the agent
// said Busy after start-s.quiet.
func (s *settler) quietGC(start int64) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	n := s.gcs(&m)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offHint.Store(true) // before lastBusy: see offHint
	if last := s.lastBusy.Load(); last != 0 && last > start-int64(s.quiet) {
		s.offHint.Store(s.gcOff)
		return
	}
	want := int64(m.Sys-m.HeapReleased) + int64(s.busy)*quietRoom
	percent, limit := s.setGC(-1, want)
	if !s.gcOff { // a second settle keeps what the first replaced
		s.percent, s.limit = percent, limit
	}
	if s.limit < want { // the user's lower limit stays
		s.setGC(-1, s.limit)
	}
	s.gcOff = true
	s.gcsAtQuiet = n
}

// wakeGC puts back the GOGC and memory limit that quietGC replaced.
func (s *settler) wakeGC() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.wakeLocked()
}

func (s *settler) wakeLocked() {
	if s.gcOff {
		s.setGC(s.percent, s.limit)
		s.gcOff = false
	}
	s.offHint.Store(false)
}

// gcs returns how many collections have run, as m (just read) says.
func (s *settler) gcs(m *runtime.MemStats) uint32 {
	if s.collections != nil {
		return s.collections()
	}
	return m.NumGC
}

// setRuntimeGC sets the runtime's GOGC and memory limit, and returns what
// they were. Whichever comes first, GOGC is never off without a limit.
func setRuntimeGC(percent int, limit int64) (oldPercent int, oldLimit int64) {
	if percent < 0 {
		oldLimit = debug.SetMemoryLimit(limit)
		return debug.SetGCPercent(percent), oldLimit
	}
	oldPercent = debug.SetGCPercent(percent)
	return oldPercent, debug.SetMemoryLimit(limit)
}

// allocated returns the bytes the program has allocated on the heap since
// it started. ReadMemStats stops the world for a few microseconds; it runs
// once per collection. (runtime/metrics would not, but its init alone
// takes a millisecond of every start.)
func allocated() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}
