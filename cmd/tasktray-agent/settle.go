package main

import (
	"runtime"
	"runtime/debug"
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
// It learns of busy work from the garbage collector (a cleanup that runs
// after each collection), so it needs no timer of its own while the agent
// waits.
type settler struct {
	timer *time.Timer
	quiet time.Duration // settleQuiet
	busy  uint64        // busyAllocs
	// giveBack gives the memory back: debug.FreeOSMemory and
	// dropBinaryPages.
	giveBack func()
	// allocsAtSettle is allocated() when it last settled.
	allocsAtSettle atomic.Uint64
}

// startSettler settles settleAfter from now, and settleQuiet after each
// stretch of busy work from then on.
func startSettler() {
	s := &settler{quiet: settleQuiet, busy: busyAllocs, giveBack: func() {
		debug.FreeOSMemory()
		dropBinaryPages()
	}}
	s.timer = time.AfterFunc(settleAfter, s.settle)
	s.watchGC()
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
// agent has done busy work since it last settled, and says whether it did.
func (s *settler) afterGC() bool {
	if allocated()-s.allocsAtSettle.Load() < s.busy {
		return false
	}
	s.timer.Reset(s.quiet)
	return true
}

// settle gives the memory back now.
func (s *settler) settle() {
	s.allocsAtSettle.Store(allocated()) // FreeOSMemory's own collection is no busy work
	s.giveBack()
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
