package notify

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"short", "deploy", 10, "deploy"},
		{"exactly the cap", "0123456789", 10, "0123456789"},
		{"ascii cut", "0123456789a", 10, "0123456…"},
		// 任 is 3 bytes: 10 bytes leave 7 for text, room for two.
		{"cjk cut at a rune", strings.Repeat("任", 4), 10, "任任…"},
		{"cjk fits", strings.Repeat("任", 3), 9, "任任任"},
		{"emoji cut at a rune", "ab😀😀", 9, "ab😀…"},
		{"emoji cut before a rune", "ab😀😀", 8, "ab…"},
		{"invalid utf-8 replaced", "a\xffb", 10, "a\uFFFDb"},
		{"nul removed", "a\x00b", 10, "ab"},
		{"cap below the ellipsis", "abcdef", 2, "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clip(tt.in, tt.max)
			if got != tt.want {
				t.Errorf("clip(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

// FuzzClip: whatever a server sends, what goes to the desktop is valid
// UTF-8 without NUL, within the cap, and the start of the text.
func FuzzClip(f *testing.F) {
	f.Add("任务", 4)
	f.Add("a\xff\x00b", 3)
	f.Add(strings.Repeat("😀", 100), 256)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 1<<16 {
			return
		}
		got := clip(s, max)
		if !utf8.ValidString(got) || strings.ContainsRune(got, 0) || len(got) > max {
			t.Fatalf("clip(%q, %d) = %q", s, max, got)
		}
		clean := strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
		if !strings.HasPrefix(clean, strings.TrimSuffix(got, ellipsis)) {
			t.Fatalf("clip(%q, %d) = %q: not the start of %q", s, max, got, clean)
		}
	})
}
