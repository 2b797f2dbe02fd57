package auth

import (
	"testing"

	"go.uber.org/goleak"
)

// leakOptions lets a build tag's tests name goroutines that outlive them by
// design, such as those of godbus's shared session-bus connection.
var leakOptions []goleak.Option

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, leakOptions...)
}
