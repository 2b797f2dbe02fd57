package conn

import "time"

// Clock is the time source of the reconnect loop, injected so tests never
// sleep through a backoff and can make the wall clock jump as a suspend
// does. Socket deadlines and the monotonic side of the suspend check use
// the real clock.
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

// wallMark is a reading of the wall clock (from a Clock) and of the
// monotonic clock, taken to tell later whether the machine slept since.
type wallMark struct{ wall, mono time.Time }

func markNow(c Clock) wallMark { return wallMark{wall: c.Now().Round(0), mono: time.Now()} }

// jump reports how far the wall clock moved ahead of the monotonic clock
// since m. It grows when the machine was suspended: on Linux the monotonic
// clock (CLOCK_MONOTONIC) stands still during suspend and the wall clock
// does not. On Windows the monotonic clock may count across sleep, so this
// may never fire there; the platform's resume signal (Client.Resumed)
// covers it.
func (m wallMark) jump(c Clock) time.Duration {
	return c.Now().Round(0).Sub(m.wall) - time.Since(m.mono)
}
