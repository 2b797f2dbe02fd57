package conn

import (
	"context"
	"time"
)

// refreshRetry is how soon a failed token refresh is tried again.
const refreshRetry = 10 * time.Second

// refreshResult is what one Refresh call returned.
type refreshResult struct {
	dec Decoded
	err error
}

// refresher schedules a Session's token refresh on one link and runs it off
// the goroutine that reads the socket. Its zero value is idle; it is owned by
// runOnce.
type refresher struct {
	timer   *time.Timer
	r       Refresher
	results chan refreshResult
	cancel  context.CancelFunc
}

// schedule arranges for r.Refresh to run after d, replacing any earlier plan.
func (f *refresher) schedule(d time.Duration, r Refresher) {
	f.r = r
	if f.timer != nil {
		f.timer.Stop()
	}
	f.timer = time.NewTimer(d)
}

// retry runs the last Refresher again after refreshRetry.
func (f *refresher) retry() {
	if f.r != nil {
		f.schedule(refreshRetry, f.r)
	}
}

// due fires when a refresh should start; nil while none is planned.
func (f *refresher) due() <-chan time.Time {
	if f.timer == nil {
		return nil
	}
	return f.timer.C
}

// start runs the refresh on its own goroutine; done delivers its result.
func (f *refresher) start(ctx context.Context, token string) {
	f.timer = nil
	if f.results == nil {
		f.results = make(chan refreshResult, 1)
	}
	ctx, f.cancel = context.WithTimeout(ctx, 30*time.Second)
	r, results, cancel := f.r, f.results, f.cancel
	go func() {
		defer cancel()
		dec, err := r.Refresh(ctx, token)
		results <- refreshResult{dec, err} // buffered; one refresh at a time
	}()
}

// done delivers the result of the refresh that start began.
func (f *refresher) done() <-chan refreshResult { return f.results }

// stop cancels a planned or running refresh. A running one ends with its
// context, and its result is dropped with the link.
func (f *refresher) stop() {
	if f.timer != nil {
		f.timer.Stop()
	}
	if f.cancel != nil {
		f.cancel()
	}
}
