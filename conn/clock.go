package conn

import "time"

// Clock is the time source of the reconnect loop, injected so tests never
// sleep through a backoff. Socket deadlines use the real clock.
type Clock interface {
	Now() time.Time
	// NewTimer returns a channel that fires once after d, and a stop func.
	NewTimer(d time.Duration) (<-chan time.Time, func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTimer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}

// wallJump reports how far the wall clock moved ahead of the monotonic clock
// since start. It grows when the machine was suspended: Go's monotonic clock
// (CLOCK_MONOTONIC) stands still during suspend, the wall clock does not.
func wallJump(start, now time.Time) time.Duration {
	mono := now.Sub(start)
	wall := now.Round(0).Sub(start.Round(0))
	return wall - mono
}
