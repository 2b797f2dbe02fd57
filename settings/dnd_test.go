package settings

import (
	"testing"
	"time"
)

// TestDoNotDisturbHoldsAtMostTheSpan: an end further ahead than the menu
// can set (the clock set back since, a hand-edited or damaged value) holds
// nothing, instead of silencing popups for a day or for years.
func TestDoNotDisturbHoldsAtMostTheSpan(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		until time.Time
		want  bool
	}{
		{time.Time{}, false},
		{now.Add(DoNotDisturbSpan), true},
		{now.Add(time.Minute), true},
		{now, false},
		{now.Add(25 * time.Hour), false},
		{now.AddDate(50, 0, 0), false},
	} {
		s := Defaults()
		s.DoNotDisturbUntil = c.until
		if got := s.DoNotDisturb(now); got != c.want {
			t.Errorf("until %v: DoNotDisturb = %v, want %v", c.until, got, c.want)
		}
	}
}
