package settings

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func at(hh, mm int) time.Time { return time.Date(2026, 3, 1, hh, mm, 0, 0, time.Local) }

func TestQuietHoursCrossMidnight(t *testing.T) {
	s := Defaults()
	s.QuietHours = true // 22:00..07:00
	for _, tc := range []struct {
		hh, mm int
		quiet  bool
	}{
		{21, 59, false}, {22, 0, true}, {23, 30, true}, {0, 0, true}, {6, 59, true}, {7, 0, false}, {12, 0, false},
	} {
		if got := s.InQuietHours(at(tc.hh, tc.mm)); got != tc.quiet {
			t.Errorf("%02d:%02d quiet = %t, want %t", tc.hh, tc.mm, got, tc.quiet)
		}
	}
	s.QuietFrom, s.QuietUntil = ClockTime{9 * 60}, ClockTime{17 * 60} // within a day
	if !s.InQuietHours(at(9, 0)) || s.InQuietHours(at(17, 0)) || s.InQuietHours(at(8, 59)) {
		t.Error("09:00..17:00 range is wrong")
	}
	s.QuietHours = false
	if s.InQuietHours(at(12, 0)) {
		t.Error("quiet hours off, yet quiet")
	}
}

func TestNextChange(t *testing.T) {
	s := Defaults()
	s.QuietHours = true
	if got := s.NextChange(at(12, 0)); !got.Equal(at(22, 0)) {
		t.Errorf("at noon next change %v, want 22:00", got)
	}
	if got := s.NextChange(at(23, 0)); !got.Equal(at(7, 0).AddDate(0, 0, 1)) {
		t.Errorf("at 23:00 next change %v, want 07:00 next day", got)
	}
	s.DoNotDisturbUntil = at(12, 30)
	if got := s.NextChange(at(12, 0)); !got.Equal(at(12, 30)) || !s.Quiet(at(12, 29)) || s.Quiet(at(12, 30)) {
		t.Errorf("do not disturb: next change %v", got)
	}
}

func TestSaveLoadKeepsUnknownKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tasktray", FileName)
	in := "popups_from_priority = 3\nfuture_key = \"x\"\n[future_table]\nn = 7\n"
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, []byte(in), 0o600)
	s, err := Load(path, Defaults())
	if err != nil {
		t.Fatal(err)
	}
	if s.MinPriority != 3 || s.CoalesceAfter != 4 || !s.Sound {
		t.Fatalf("loaded %+v: want priority 3 over the defaults", s)
	}
	s.Language = "zh-CN"
	s.DoNotDisturbUntil = time.Date(2026, 3, 1, 13, 0, 0, 0, time.UTC)
	if kept, err := Save(path, s); err != nil || kept != "" {
		t.Fatalf("save: kept %q, %v", kept, err)
	}
	data, _ := os.ReadFile(path)
	for _, want := range []string{"future_key = \"x\"", "[future_table]", "n = 7", "language = \"zh-CN\"", "quiet_from = \"22:00\""} {
		if !strings.Contains(string(data), want) {
			t.Errorf("saved file lacks %q:\n%s", want, data)
		}
	}
	again, err := Load(path, Defaults())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.unknown, s.unknown) || again.Language != "zh-CN" || !again.DoNotDisturbUntil.Equal(s.DoNotDisturbUntil) {
		t.Fatalf("round trip: %+v, want %+v", again, s)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*.tmp-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestDamagedFileGivesDefaultsAndIsKeptOnSave(t *testing.T) {
	for name, content := range map[string]string{
		"not toml":     "popups_from_priority = = 3",
		"wrong type":   "popups_from_priority = \"three\"",
		"out of range": "popups_from_priority = 9",
		"bad time":     "quiet_from = \"25:00\"",
		"bad language": "language = \"klingon\"",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			os.WriteFile(path, []byte(content), 0o600)
			s, err := Load(path, Defaults())
			if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want ErrDamaged naming the file", err)
			}
			if !reflect.DeepEqual(s, Defaults()) {
				t.Fatalf("settings %+v, want the defaults", s)
			}
			if data, _ := os.ReadFile(path); string(data) != content {
				t.Fatal("loading changed the damaged file")
			}
			s.MinPriority = 2
			kept, err := Save(path, s)
			if err != nil || !strings.HasPrefix(kept, path+".damaged-") {
				t.Fatalf("save: kept %q, %v", kept, err)
			}
			if data, _ := os.ReadFile(kept); string(data) != content {
				t.Fatalf("the kept file holds %q, want the damaged one", data)
			}
			if s, err := Load(path, Defaults()); err != nil || s.MinPriority != 2 {
				t.Fatalf("after save: %+v, %v", s, err)
			}
		})
	}
}

func TestMissingFileIsDefaults(t *testing.T) {
	s, err := Load(filepath.Join(t.TempDir(), "none", FileName), Defaults())
	if err != nil || !reflect.DeepEqual(s, Defaults()) {
		t.Fatalf("%+v, %v", s, err)
	}
}

func TestSaveRefusesInvalid(t *testing.T) {
	s := Defaults()
	s.CoalesceAfter = 0
	if _, err := Save(filepath.Join(t.TempDir(), FileName), s); err == nil {
		t.Fatal("saved coalesce_after = 0")
	}
}
