package chaos

import (
	"sync/atomic"
	"time"
)

// JumpClock is a conn.Clock whose wall clock can jump ahead, as it does
// across a suspend (the monotonic clock stands still while the machine
// sleeps, the wall clock does not). Timers run on real time.
type JumpClock struct {
	offset atomic.Int64
	// Reads counts Now calls since the last Jump: a jump nobody read
	// was not a suspend the client could have seen.
	Reads atomic.Int64
}

// Now is the real time plus every jump so far.
func (c *JumpClock) Now() time.Time {
	c.Reads.Add(1)
	return time.Now().Add(time.Duration(c.offset.Load()))
}

// NewTimer is a real timer.
func (c *JumpClock) NewTimer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}

// Jump moves the wall clock d ahead.
func (c *JumpClock) Jump(d time.Duration) {
	c.Reads.Store(0)
	c.offset.Add(int64(d))
}
