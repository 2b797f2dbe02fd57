package textcut

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

const (
	family = "👨\u200d👩\u200d👧\u200d👦" // 7 runes, 25 bytes, one character
	flag   = "🇨🇳"                     // 2 runes, 8 bytes
	han    = "\u1112\u1161\u11ab"     // 한 as jamo: 3 runes, 9 bytes
)

func TestRunes(t *testing.T) {
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"short", "任务", 5, "任务"},
		{"chinese", "紧急任务：服务器宕机", 4, "紧急任务"},
		{"japanese kana and kanji", "至急：サーバー停止", 6, "至急：サーバ"},
		{"korean", "긴급 작업", 3, "긴급 "},
		{"korean jamo", han + han, 4, han},
		{"zwj family", "a" + family + "b", 7, "a"},
		{"zwj family fits", "a" + family + "b", 8, "a" + family},
		{"flags", flag + flag, 3, flag},
		{"accent", "cafe\u0301", 4, "caf"},
		{"first cluster over the cap", family, 3, "👨\u200d👩"},
		{"zalgo", "a" + strings.Repeat("\u0301", 1000), 5, "a\u0301\u0301\u0301\u0301"},
		{"zero", "abc", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Runes(tt.in, tt.n); got != tt.want {
				t.Errorf("Runes(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
		})
	}
}

func TestBytes(t *testing.T) {
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"chinese", "紧急任务", 8, "紧急"},
		{"zwj family", "ab" + family, 26, "ab"},
		{"flag", flag + flag, 12, flag},
		{"invalid bytes", "a\xff\xfeb", 3, "a\xff\xfe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Bytes(tt.in, tt.n); got != tt.want {
				t.Errorf("Bytes(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
		})
	}
}

// FuzzCut: a cut is a prefix within the cap, valid UTF-8 when the input is,
// and ends on a cluster boundary unless the first cluster alone is over.
func FuzzCut(f *testing.F) {
	f.Add("紧急任务："+family+flag+han, 5)
	f.Add("cafe\u0301", 4)
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = n % 4096
		for name, got := range map[string]string{"Runes": Runes(s, n), "Bytes": Bytes(s, n)} {
			if !strings.HasPrefix(s, got) {
				t.Fatalf("%s(%q, %d) = %q: not a prefix", name, s, n, got)
			}
			if utf8.ValidString(s) && !utf8.ValidString(got) {
				t.Fatalf("%s(%q, %d) = %q: invalid UTF-8", name, s, n, got)
			}
			units := len(got)
			if name == "Runes" {
				units = utf8.RuneCountInString(got)
			}
			if units > max(n, 0) {
				t.Fatalf("%s(%q, %d) = %q: %d over the cap", name, s, n, got, units)
			}
			if utf8.ValidString(s) && got != "" && got != s {
				first, _, _, _ := uniseg.FirstGraphemeClusterInString(s, -1)
				if len(got) >= len(first) && !boundary(s, len(got)) {
					t.Fatalf("%s(%q, %d) = %q: cut inside a character", name, s, n, got)
				}
			}
		}
	})
}

// boundary reports whether i is a grapheme cluster boundary of s.
func boundary(s string, i int) bool {
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		if _, to := g.Positions(); to == i {
			return true
		}
	}
	return false
}
