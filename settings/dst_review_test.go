package settings

import (
	"testing"
	"time"
)

// NextChange "is the first moment after now at which Quiet may change": so
// Quiet holds its value from now up to NextChange. Checked minute by minute
// over the two days of a year whose length is not 24 hours, with range
// ends inside the skipped and the repeated hour.
func TestReviewNextChangeAcrossDST(t *testing.T) {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tz database:", err)
	}
	for _, day := range []time.Time{
		time.Date(2026, 3, 8, 0, 0, 0, 0, loc),  // 02:00 -> 03:00
		time.Date(2026, 11, 1, 0, 0, 0, 0, loc), // 02:00 -> 01:00
	} {
		for _, r := range [][2]string{{"22:00", "02:30"}, {"02:30", "07:00"}, {"01:30", "05:00"}, {"23:00", "01:30"}} {
			s := Defaults()
			s.QuietHours = true
			s.QuietFrom, _ = ParseClockTime(r[0])
			s.QuietUntil, _ = ParseClockTime(r[1])
			now := day.Add(-3 * time.Hour)
			end := day.Add(8 * time.Hour)
			for now.Before(end) {
				next := s.NextChange(now)
				q := s.Quiet(now)
				for m := now.Add(time.Minute); m.Before(next) && m.Before(end); m = m.Add(time.Minute) {
					if s.Quiet(m) != q {
						t.Errorf("quiet %s-%s: NextChange(%s) = %s, but Quiet changes to %t at %s",
							r[0], r[1], now.Format("01-02 15:04 MST"), next.Format("01-02 15:04 MST"), !q, m.Format("01-02 15:04 MST"))
						break
					}
				}
				now = now.Add(17 * time.Minute)
			}
		}
	}
}
