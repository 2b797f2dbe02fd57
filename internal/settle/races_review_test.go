package settle

import (
	"math"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// Busy during a settle: a task arrives while the settle gives memory back
// (debug.FreeOSMemory and madvise take milliseconds). Busy finds the pacer
// still on (gcOff false), does nothing to it and moves the next settle
// 30 s away; the settle then turns the pacer off. The burst that Busy
// announced runs with GOGC off under the settle's memory limit, which is
// exactly what Busy promises to prevent ("puts the pacer back before the
// work allocates").
func TestReviewBusyDuringSettleLeavesThePacerOff(t *testing.T) {
	s, _, gc := newTestSettlerGC()
	defer s.timer.Stop()
	s.quiet = time.Hour // Busy's next settle is far away: what the test sees is the settle under way
	inGiveBack := make(chan struct{})
	release := make(chan struct{})
	s.giveBack = func() { close(inGiveBack); <-release }
	gc.set(100, math.MaxInt64)

	settled := make(chan struct{})
	go func() { defer close(settled); s.settle() }()
	<-inGiveBack // the settle is in FreeOSMemory / dropBinaryPages
	s.busyNow()  // a task arrives: the burst starts now
	close(release)
	<-settled
	if percent, limit := gc.get(); percent != 100 || limit != math.MaxInt64 {
		t.Fatalf("Busy returned during a settle, and after that settle the agent works with GOGC %d, limit %d; want 100 and no limit until the next settle, s.quiet after Busy", percent, limit)
	}
}

// Settle during Busy: the settle's timer fires while Busy puts the pacer
// back (Busy's timer.Reset comes too late to stop a settle already
// running). The settle's quietGC waits for the lock Busy holds and turns
// the pacer off right after Busy turned it on, so the work Busy announced
// runs with the pacer off.
func TestReviewSettleDuringBusyLeavesThePacerOff(t *testing.T) {
	s, _, gc := newTestSettlerGC()
	defer s.timer.Stop()
	s.quiet = time.Hour
	gaveBack := make(chan struct{}, 2)
	s.giveBack = func() { gaveBack <- struct{}{} }
	gc.set(100, math.MaxInt64)
	s.settle() // settled: the pacer is off
	<-gaveBack
	if percent, _ := gc.get(); percent >= 0 {
		t.Fatalf("GOGC %d after a settle, want off", percent)
	}

	inWake := make(chan struct{})
	releaseWake := make(chan struct{})
	var gated atomic.Bool
	s.setGC = func(percent int, limit int64) (int, int64) {
		if percent >= 0 && gated.CompareAndSwap(false, true) {
			close(inWake) // Busy is putting the pacer back
			<-releaseWake
		}
		return gc.set(percent, limit)
	}
	busyDone := make(chan struct{})
	go func() { defer close(busyDone); s.busyNow() }()
	<-inWake
	settleDone := make(chan struct{})
	go func() { defer close(settleDone); s.settle() }() // the timer fires now
	<-gaveBack                                          // the settle has given back and goes on to quietGC
	close(releaseWake)
	<-busyDone
	<-settleDone
	if percent, limit := gc.get(); percent != 100 || limit != math.MaxInt64 {
		t.Fatalf("a settle that ran as Busy put the pacer back left GOGC %d, limit %d while the agent works; want 100 and no limit", percent, limit)
	}
}

// The agent's loop never blocks on a settle: Busy (tray's onTask, on the
// agent's loop) takes s.mu, which quietGC holds across setGC. In the agent
// setGC is debug.SetMemoryLimit and debug.SetGCPercent(-1), which takes the
// heap lock and then waits for any running GC mark phase to end
// (runtime.setGCPercent -> gcWaitOnMark). Here setGC is held in place of
// that wait: Busy must return all the same.
func TestReviewBusyDoesNotWaitForASettlesSetGC(t *testing.T) {
	s, _, gc := newTestSettlerGC()
	defer s.timer.Stop()
	s.quiet = time.Hour
	inOff := make(chan struct{})
	releaseOff := make(chan struct{})
	var gated atomic.Bool
	s.setGC = func(percent int, limit int64) (int, int64) {
		if percent < 0 && gated.CompareAndSwap(false, true) {
			close(inOff) // in SetGCPercent(-1): waiting for a GC mark to finish
			<-releaseOff
		}
		return gc.set(percent, limit)
	}
	settleDone := make(chan struct{})
	go func() { defer close(settleDone); s.settle() }()
	<-inOff
	busyDone := make(chan struct{})
	go func() { defer close(busyDone); s.busyNow() }()
	var blocked bool
	select {
	case <-busyDone:
	case <-time.After(5 * time.Second): // failure guard only: Busy is blocked until releaseOff
		blocked = true
	}
	close(releaseOff)
	<-settleDone
	<-busyDone
	if blocked {
		t.Fatal("Busy (the agent's loop, as a task arrives) waited for the lock a settle holds across setGC, i.e. across SetGCPercent(-1)'s wait for a running GC mark")
	}
	runtime.KeepAlive(s)
}
