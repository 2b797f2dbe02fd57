package backendtest

import (
	"testing"
	"time"
)

// PublishDuring calls publish every period (i counting from 0) in the
// background while during runs, and returns the IDs it published once the
// last call has returned. An error from publish fails the test and ends the
// publishing.
func PublishDuring(t *testing.T, period time.Duration, publish func(i int) (string, error), during func()) []string {
	t.Helper()
	var published []string
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(period):
			}
			id, err := publish(i)
			if err != nil {
				t.Error(err)
				return
			}
			published = append(published, id)
		}
	}()
	func() {
		// Also when during ends the test (t.Fatal): no publisher outlives it.
		defer func() { close(stop); <-done }()
		during()
	}()
	return published
}
