// Package settings owns the user's settings file: what it holds, its
// defaults, reading it (a damaged file gives the defaults and an error that
// says so, and is never overwritten by anything but an explicit Save, which
// keeps it beside the new one) and writing it atomically.
//
// The file is TOML, beside the account file ($XDG_CONFIG_HOME/tasktray/
// settings.toml on Linux), and holds no secret. Keys this version does not
// know are kept: they come back unchanged on Save, so a newer tasktray's
// settings survive a run of an older one.
//
// settings knows nothing of the tray, popups or windows; the agent applies
// the settings (package tray) and the settings window edits them (package
// window).
package settings

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FileName is the settings file's name, in the folder of the account file.
const FileName = "settings.toml"

// Settings are the user's choices. The zero value is not valid: start from
// Defaults.
type Settings struct {
	// MinPriority is the lowest task priority (1..5) that pops up; lower
	// ones are still listed in Recent tasks.
	MinPriority int `toml:"popups_from_priority"`
	// QuietHours turns the daily quiet range QuietFrom..QuietUntil on: no
	// popups then, tasks still listed. The range may cross midnight
	// ("22:00".."07:00") and is in local time.
	QuietHours bool      `toml:"quiet_hours"`
	QuietFrom  ClockTime `toml:"quiet_from"`
	QuietUntil ClockTime `toml:"quiet_until"`
	// DoNotDisturbUntil holds popups until then ("Do not disturb for 1
	// hour" from the menu); zero when off. Kept across a restart.
	DoNotDisturbUntil time.Time `toml:"do_not_disturb_until,omitempty"`
	// UrgentBreaksThrough lets urgent tasks (priority 5) pop up in quiet
	// hours and do not disturb.
	UrgentBreaksThrough bool `toml:"urgent_breaks_through"`
	// Coalesce folds a burst of tasks into one summary popup once
	// CoalesceAfter popups have shown within a few seconds.
	Coalesce      bool `toml:"coalesce"`
	CoalesceAfter int  `toml:"coalesce_after"`
	// Sound asks the notification daemon for a sound with each popup,
	// where it supports sound.
	Sound bool `toml:"sound"`
	// Language is "" (the system's), "en" or "zh-CN".
	Language string `toml:"language"`

	// unknown holds the file's keys this version does not know, written
	// back by Save.
	unknown map[string]any
}

// Limits of the fields that take a number.
const (
	MinPriority      = 1
	MaxPriority      = 5
	MaxCoalesceAfter = 50
)

// Languages lists the Language values a user can pick.
var Languages = []string{"", "en", "zh-CN"}

// Defaults are the settings of a new user: every task pops up, no quiet
// hours (22:00–07:00 offered when turned on), urgent tasks break through,
// bursts fold after 4 popups (notify.DefaultMax), sound on, the system's
// language.
func Defaults() Settings {
	return Settings{
		MinPriority:         1,
		QuietFrom:           ClockTime{22 * 60},
		QuietUntil:          ClockTime{7 * 60},
		UrgentBreaksThrough: true,
		Coalesce:            true,
		CoalesceAfter:       4,
		Sound:               true,
	}
}

// Validate says what is wrong with s, naming the setting; nil when s can be
// used.
func (s Settings) Validate() error {
	var errs []error
	if s.MinPriority < MinPriority || s.MinPriority > MaxPriority {
		errs = append(errs, fmt.Errorf("popups_from_priority = %d: want %d to %d", s.MinPriority, MinPriority, MaxPriority))
	}
	if s.CoalesceAfter < 1 || s.CoalesceAfter > MaxCoalesceAfter {
		errs = append(errs, fmt.Errorf("coalesce_after = %d: want 1 to %d", s.CoalesceAfter, MaxCoalesceAfter))
	}
	if !validLanguage(s.Language) {
		errs = append(errs, fmt.Errorf("language = %q: want one of %q", s.Language, Languages))
	}
	if s.QuietFrom.valid() != nil || s.QuietUntil.valid() != nil {
		errs = append(errs, errors.New("quiet_from and quiet_until: want a time of day such as \"22:00\""))
	}
	return errors.Join(errs...)
}

func validLanguage(l string) bool {
	for _, ok := range Languages {
		if l == ok {
			return true
		}
	}
	return false
}

// DoNotDisturbSpan is how long "Do not disturb" from the menu holds popups.
const DoNotDisturbSpan = time.Hour

// DoNotDisturb reports whether "Do not disturb" holds at now. An end more
// than DoNotDisturbSpan ahead cannot come from the menu: the clock was set
// back since, or the file was edited; it holds nothing, because a user who
// is never told must not miss a day of popups.
func (s Settings) DoNotDisturb(now time.Time) bool {
	if s.DoNotDisturbUntil.IsZero() || !now.Before(s.DoNotDisturbUntil) {
		return false
	}
	return s.DoNotDisturbUntil.Sub(now) <= DoNotDisturbSpan+time.Second // the end is rounded to the second
}

// InQuietHours reports whether now, in its own location (local time for
// time.Now), falls in the daily quiet range. The range includes QuietFrom
// and excludes QuietUntil; equal ends make an empty range.
func (s Settings) InQuietHours(now time.Time) bool {
	if !s.QuietHours {
		return false
	}
	m := now.Hour()*60 + now.Minute()
	from, until := s.QuietFrom.Minutes, s.QuietUntil.Minutes
	if from <= until {
		return m >= from && m < until
	}
	return m >= from || m < until // crosses midnight
}

// Quiet reports whether popups are held at now: quiet hours or do not
// disturb.
func (s Settings) Quiet(now time.Time) bool { return s.DoNotDisturb(now) || s.InQuietHours(now) }

// NextChange is the first moment after now at which Quiet may change: the
// end of do not disturb, or the next edge of the quiet range. Zero when
// nothing will change.
func (s Settings) NextChange(now time.Time) time.Time {
	var next time.Time
	earliest := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	if s.DoNotDisturb(now) {
		earliest(s.DoNotDisturbUntil)
	}
	if s.QuietHours && s.QuietFrom != s.QuietUntil {
		for _, c := range s.quietEdges(now) {
			earliest(c)
		}
	}
	return next
}

// quietEdges are the moments in the next two days at which quiet hours
// begin or end. Quiet hours follow the wall clock, so around a change of
// the clock (daylight saving) an edge may fall elsewhere than time.Date
// puts it: inside a skipped hour the range changes when the clock jumps,
// and in a repeated hour it may change twice. So the candidates are each
// edge's wall time on each day, an hour after it (its second occurrence)
// and the clock changes themselves, and a candidate counts only where
// InQuietHours really changes.
func (s Settings) quietEdges(now time.Time) []time.Time {
	var cands []time.Time
	y, mo, d := now.Date()
	for day := 0; day <= 2; day++ {
		for _, c := range []ClockTime{s.QuietFrom, s.QuietUntil} {
			t := time.Date(y, mo, d+day, c.Minutes/60, c.Minutes%60, 0, 0, now.Location())
			cands = append(cands, t, t.Add(time.Hour))
		}
	}
	for t, i := now, 0; i < 4; i++ { // the clock's changes within reach
		_, end := t.ZoneBounds()
		if end.IsZero() || end.Sub(now) > 72*time.Hour {
			break
		}
		cands = append(cands, end)
		t = end
	}
	var edges []time.Time
	for _, c := range cands {
		if c.After(now) && s.InQuietHours(c) != s.InQuietHours(c.Add(-time.Nanosecond)) {
			edges = append(edges, c)
		}
	}
	return edges
}

// ClockTime is a time of day, "HH:MM" in the file.
type ClockTime struct {
	// Minutes since midnight, 0..1439.
	Minutes int
}

// ParseClockTime reads "22:00" or "7:30".
func ParseClockTime(s string) (ClockTime, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return ClockTime{}, fmt.Errorf("%q is not a time of day such as 22:00", s)
	}
	return ClockTime{hh*60 + mm}, nil
}

// String is "HH:MM".
func (c ClockTime) String() string { return fmt.Sprintf("%02d:%02d", c.Minutes/60, c.Minutes%60) }

// MarshalText writes "HH:MM".
func (c ClockTime) MarshalText() ([]byte, error) {
	if err := c.valid(); err != nil {
		return nil, err
	}
	return []byte(c.String()), nil
}

// UnmarshalText reads "HH:MM".
func (c *ClockTime) UnmarshalText(b []byte) error {
	t, err := ParseClockTime(string(b))
	if err != nil {
		return err
	}
	*c = t
	return nil
}

func (c ClockTime) valid() error {
	if c.Minutes < 0 || c.Minutes >= 24*60 {
		return fmt.Errorf("%d minutes is not a time of day", c.Minutes)
	}
	return nil
}
