package notify

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if a goroutine outlives them: the
// queue's sender, the signal loop and the Coalescer's timers all must end
// with Close.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
