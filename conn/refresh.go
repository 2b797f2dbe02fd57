package conn

import (
	"context"
	"sync"
	"time"
)

// refreshRetry is how soon a failed token refresh is tried again.
const refreshRetry = 10 * time.Second

// refreshTimeout bounds one Refresh call.
const refreshTimeout = 30 * time.Second

// refreshResult is what one Refresh call returned.
type refreshResult struct {
	dec Decoded
	err error
}

// refresher schedules a Session's token refresh on one link and runs it off
// the goroutine that reads the socket, one call at a time. It is owned by
// runOnce, whose stop waits for a running call to return, so no refresh
// outlives its link.
type refresher struct {
	clock     Clock
	r         Refresher
	timer     <-chan time.Time
	stopTimer func() bool
	running   bool
	results   chan refreshResult
	cancel    context.CancelFunc
	wg        sync.WaitGroup
}

func newRefresher(clock Clock) *refresher {
	// One call at a time, so one slot: its goroutine never blocks on the send.
	return &refresher{clock: clock, results: make(chan refreshResult, 1)}
}

// schedule arranges for r.Refresh to run after d, replacing any earlier plan.
func (f *refresher) schedule(d time.Duration, r Refresher) {
	f.r = r
	if f.stopTimer != nil {
		f.stopTimer()
	}
	f.timer, f.stopTimer = f.clock.NewTimer(d)
}

// retry runs the last Refresher again after refreshRetry.
func (f *refresher) retry() {
	if f.r != nil {
		f.schedule(refreshRetry, f.r)
	}
}

// due fires when a refresh should start; nil while none is planned or one
// is running (a plan made meanwhile waits for it).
func (f *refresher) due() <-chan time.Time {
	if f.running {
		return nil
	}
	return f.timer
}

// start runs the refresh on its own goroutine; done delivers its result.
func (f *refresher) start(ctx context.Context, token string) {
	f.timer, f.stopTimer = nil, nil
	f.running = true
	ctx, f.cancel = context.WithTimeout(ctx, refreshTimeout)
	r, results := f.r, f.results
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		dec, err := r.Refresh(ctx, token)
		results <- refreshResult{dec, err}
	}()
}

// done delivers the result of the refresh that start began; the receiver
// calls finished.
func (f *refresher) done() <-chan refreshResult { return f.results }

// finished records that the result of the running refresh was taken.
func (f *refresher) finished() {
	f.running = false
	f.cancel()
}

// stop cancels a planned or running refresh and waits for a running one
// to return; its result is dropped with the link.
func (f *refresher) stop() {
	if f.stopTimer != nil {
		f.stopTimer()
	}
	if f.cancel != nil {
		f.cancel()
	}
	f.wg.Wait()
}
