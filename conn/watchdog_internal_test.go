package conn

import (
	"net"
	"testing"
	"time"
)

// TestWatchdogFailsASilentReadAsADeadlineDoes: when no kick comes in time,
// the pending read fails, and the link's error reads as a read deadline's
// did: "no answer".
func TestWatchdogFailsASilentReadAsADeadlineDoes(t *testing.T) {
	for name, mk := range map[string]func(deadliner) readWatchdog{
		"platform": newReadWatchdog,
		"deadline": func(c deadliner) readWatchdog { return deadlineWatchdog{c} },
	} {
		t.Run(name, func(t *testing.T) {
			a, b := net.Pipe()
			defer a.Close()
			defer b.Close()
			w := mk(a)
			defer w.stop()
			w.kick(time.Hour)
			w.kick(20 * time.Millisecond) // the newest kick counts
			_, err := a.Read(make([]byte, 1))
			if err == nil {
				t.Fatal("read succeeded")
			}
			if got, want := (&Client{}).readError(err).Error(), msgNoAnswer.Err().Error(); got != want {
				t.Fatalf("error = %q (from %v), want %q", got, err, want)
			}
		})
	}
}

// deadlines records the read deadlines set on it.
type deadlines chan time.Time

func (d deadlines) SetReadDeadline(t time.Time) error {
	d <- t
	return nil
}
