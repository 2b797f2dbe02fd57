package settings

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// FuzzDecode: whatever the file holds, Decode never panics; it gives either
// valid settings or the defaults with ErrDamaged; and what it accepts
// encodes to a file that decodes to the same settings and encodes the same.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("popups_from_priority = 3\nquiet_hours = true\nquiet_from = \"22:00\"\nquiet_until = \"07:00\"\n"))
	f.Add([]byte("do_not_disturb_until = 2026-03-01T13:00:00+08:00\nlanguage = \"zh-CN\"\n"))
	f.Add([]byte("coalesce = false\ncoalesce_after = 50\nsound = false\nurgent_breaks_through = false\n"))
	f.Add([]byte("x = 1\n[t]\ny = [1, 2]\n[[arr]]\nz = \"é\"\n"))
	f.Add([]byte("popups_from_priority = = 3"))
	f.Add([]byte("quiet_from = \"7:5\""))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Decode(data, Defaults())
		if err != nil {
			if !errors.Is(err, ErrDamaged) || !reflect.DeepEqual(s, Defaults()) {
				t.Fatalf("error %v with %+v: want ErrDamaged and the defaults", err, s)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("accepted invalid settings: %v", err)
		}
		out, err := Encode(s)
		if err != nil {
			t.Fatalf("Encode(%+v): %v", s, err)
		}
		again, err := Decode(out, Defaults())
		if err != nil {
			t.Fatalf("Decode(Encode) = %v; file:\n%s", err, out)
		}
		out2, err := Encode(again)
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("unstable round trip:\n%s\n---\n%s (%v)", out, out2, err)
		}
	})
}
