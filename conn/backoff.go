package conn

import (
	"math/rand/v2"
	"time"
)

// Backoff is an exponential backoff with full jitter: the n-th wait is drawn
// uniformly from [0, min(Max, Base*2^n)). Full jitter spreads a thundering
// herd of clients that all lost the same server at once.
type Backoff struct {
	Base time.Duration // upper bound of the first wait
	Max  time.Duration // cap on any wait
	// Rand returns a float in [0,1); nil uses math/rand/v2. Tests inject it.
	Rand func() float64
}

// DefaultBackoff waits about 0.5 s before the first retry and never more
// than 30 s between retries, with no limit on attempts.
var DefaultBackoff = Backoff{Base: 500 * time.Millisecond, Max: 30 * time.Second}

// Delay returns the wait before retry number attempt (0-based).
func (b Backoff) Delay(attempt int) time.Duration {
	ceil := b.Base
	for i := 0; i < attempt && ceil < b.Max; i++ {
		ceil *= 2
	}
	if ceil > b.Max {
		ceil = b.Max
	}
	r := rand.Float64
	if b.Rand != nil {
		r = b.Rand
	}
	return time.Duration(r() * float64(ceil))
}
