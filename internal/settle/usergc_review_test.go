package settle

import (
	"math"
	"runtime"
	"testing"
	"time"
)

// The user's own GOGC and GOMEMLIMIT stay the user's. A GOMEMLIMIT below
// what the settle would set is a cap the user asked for; the settle lifts
// it to what it holds plus 4 MB for as long as the agent waits (and with
// GOGC off that limit is the only thing that collects). Putting them back
// on Busy is exact, also with the user's GOGC=off (the last row, which
// pins that put-back; no other test sets GOGC=off); what the settle sets
// in between must not loosen the user's limit.
func TestReviewSettleKeepsTheUsersGC(t *testing.T) {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	low := int64(m.Sys-m.HeapReleased) + busyAllocs // below held + busyAllocs*quietRoom
	for _, c := range []struct {
		name    string
		percent int
		limit   int64
	}{
		{"GOGC=100 GOMEMLIMIT below the settle's", 100, low},
		{"GOGC=off GOMEMLIMIT below the settle's", -1, low},
		{"GOGC=off no GOMEMLIMIT", -1, math.MaxInt64},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, settled, gc := newTestSettlerGC()
			defer s.timer.Stop()
			s.quiet = time.Hour
			gc.set(c.percent, c.limit)
			s.settle()
			<-settled
			percent, limit := gc.get()
			if limit > c.limit {
				t.Errorf("settled: memory limit %d, above the user's %d (GOGC %d)", limit, c.limit, percent)
			}
			s.busyNow()
			if percent, limit := gc.get(); percent != c.percent || limit != c.limit {
				t.Errorf("after Busy GOGC %d, limit %d; want the user's %d, %d", percent, limit, c.percent, c.limit)
			}
		})
	}
}
