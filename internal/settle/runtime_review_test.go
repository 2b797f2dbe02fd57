package settle

import (
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"
)

// runtimeGC reads the runtime's GOGC and memory limit without setting them.
func runtimeGC() (percent int, limit int64) {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64()), int64(s[1].Value.Uint64())
}

// held is the memory the runtime holds (what its memory limit counts).
func held() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64() - s[1].Value.Uint64())
}

// gcCycles is how many collections have completed.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// newRuntimeSettler returns a settler on the runtime's own GOGC and memory
// limit, as Start makes, watching collections. Its sentinel chain lives on
// for the rest of the test binary, so once the test ends (the returned
// func) its setGC and giveBack do nothing, and the runtime's GOGC and limit
// are the ones from before.
func newRuntimeSettler(t *testing.T) *settler {
	t.Helper()
	var active atomic.Bool
	active.Store(true)
	s := &settler{quiet: time.Hour, busy: busyAllocs,
		setGC: func(percent int, limit int64) (int, int64) {
			if !active.Load() {
				return percent, limit
			}
			return setRuntimeGC(percent, limit)
		},
		giveBack: func() {
			if active.Load() {
				debug.FreeOSMemory()
			}
		}}
	s.timer = time.AfterFunc(time.Hour, s.settle)
	percent, limit := runtimeGC()
	t.Cleanup(func() {
		active.Store(false)
		s.timer.Stop()
		setRuntimeGC(percent, limit)
	})
	s.watchGC()
	return s
}

// Work that does not say Busy (a login's) allocates under the settle's
// memory limit; the collection that limit brings must put the pacer back
// (afterGC, from the sentinel's cleanup). This pins that path with the
// runtime's own collector, which no other test does.
func TestReviewLimitCollectionPutsThePacerBack(t *testing.T) {
	s := newRuntimeSettler(t)
	userPercent, userLimit := runtimeGC()
	s.settle()
	if percent, _ := runtimeGC(); percent >= 0 {
		t.Fatalf("GOGC %d after a settle, want off", percent)
	}
	// Allocate without Busy until the pacer is back: 256 MB is 64 times the
	// settle's room (failure guard, no clock).
	const most = 256 << 20
	allocated := 0
	for ; allocated < most; allocated += 4096 {
		sink = make([]byte, 4096)
		if percent, _ := runtimeGC(); percent == userPercent {
			break
		}
	}
	if allocated >= most {
		percent, limit := runtimeGC()
		t.Fatalf("after %d MB allocated without Busy the runtime has GOGC %d, limit %d; want the pacer back (%d, %d) at the memory limit's collection", most>>20, percent, limit, userPercent, userLimit)
	}
	if _, limit := runtimeGC(); limit != userLimit {
		t.Fatalf("pacer back with limit %d; want %d", limit, userLimit)
	}
	t.Logf("pacer back after %d KB allocated without Busy", allocated>>10)
}

// deep grows its goroutine's stack by about depth KB and waits there.
func deep(depth int, ready chan<- struct{}, hold <-chan struct{}) byte {
	var frame [1024]byte
	frame[depth%1024] = byte(depth)
	if depth == 0 {
		ready <- struct{}{}
		<-hold
		return frame[0]
	}
	return deep(depth-1, ready, hold) + frame[depth%1024]
}

// What the memory limit counts is all the memory the runtime holds, not
// the heap alone: goroutine stacks, too. When the agent's stacks grow (a
// few goroutines deep in a parse, a window's readers) the settle's limit,
// 4 MB above what it held, is passed with almost nothing allocated on the
// heap. The runtime then collects back to back (as often as it can under
// its 50 % CPU limiter) and afterGC counts none of those collections as
// busy work (under busyAllocs allocated since the settle), so the pacer
// stays off and the collections go on, at every bit the agent allocates,
// for as long as the stacks stay grown: the opposite of a quiet agent, and
// the pacer left off while it works.
func TestReviewLimitCollectionsWithoutHeapWorkLeaveThePacerOff(t *testing.T) {
	s := newRuntimeSettler(t)
	userPercent, _ := runtimeGC()
	s.settle()
	if percent, _ := runtimeGC(); percent >= 0 {
		t.Fatalf("GOGC %d after a settle, want off", percent)
	}
	// Goroutines whose stacks grow to 256 KB each, 8 at a time (2 MB, for
	// a few KB of heap), until the runtime holds 4 MB more than the limit
	// (stacks the test binary freed before come back first); up to 128 MB.
	const most, depthKB = 512, 160
	ready := make(chan struct{})
	hold := make(chan struct{})
	done := make(chan struct{}, most)
	started := 0
	defer func() {
		close(hold)
		for range started {
			<-done
		}
	}()
	c0 := gcCycles()
	// Small work, far under busyAllocs: what an idle agent allocates.
	for allocated()-s.allocsAtSettle.Load() < busyAllocs/2 && gcCycles()-c0 < 10 {
		if _, limit := runtimeGC(); started < most && held() < limit+4<<20 {
			for range 8 {
				go func() { deep(depthKB, ready, hold); done <- struct{}{} }()
				started++
				<-ready
			}
		}
		sink = make([]byte, 4096)
		if percent, _ := runtimeGC(); percent == userPercent {
			return // the pacer is back
		}
	}
	n := gcCycles() - c0
	if n < 10 {
		t.Skipf("only %d collections while under %d KB were allocated (%d goroutines): the limit did not bring collections here", n, busyAllocs/2>>10, started)
	}
	// What the sentinel's cleanup does after each of them (it runs on a
	// goroutine of the runtime's; called here, so that no scheduling decides).
	s.afterGC()
	percent, limit := runtimeGC()
	t.Fatalf("%d collections brought by the settle's memory limit (%d) with %d goroutine stacks of 256 KB and %d KB allocated since the settle, and GOGC is still %d: the pacer stays off while the limit collects back to back",
		n, limit, started, (allocated()-s.allocsAtSettle.Load())>>10, percent)
}
