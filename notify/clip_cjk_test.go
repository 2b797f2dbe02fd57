package notify

import (
	"strings"
	"testing"
)

// A popup's title or body is cut at a whole user-perceived character: never
// inside a rune, nor inside an emoji sequence (ZWJ family, flag, skin tone)
// or a Korean syllable spelt in jamo, or between a letter and its accent.
func TestClipKeepsWholeCharacters(t *testing.T) {
	family := "👨\u200d👩\u200d👧\u200d👦" // 25 bytes, one character
	flag := "🇨🇳"                       // 8 bytes, one character
	han := "\u1112\u1161\u11ab"        // 한 in jamo: 9 bytes, one character
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"chinese", "紧急任务：服务器宕机", 16, "紧急任务…"},
		{"japanese", "至急：サーバー停止", 13, "至急：…"},
		{"korean syllables", "긴급 작업 서버", 12, "긴급 …"},
		{"korean jamo", han + han + han, 23, han + han + "…"},
		{"zwj family", "ab" + family + "cd", 28, "ab…"},
		{"zwj family fits", "ab" + family + "cdef", 30, "ab" + family + "…"},
		{"flags", flag + flag + flag, 22, flag + flag + "…"},
		{"skin tone", "👍🏽👍🏽", 15, "👍🏽…"},
		{"accent", "cafe\u0301cafe\u0301", 8, "caf…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := clip(tt.in, tt.max)
			if got != tt.want {
				t.Errorf("clip(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
			if len(got) > tt.max {
				t.Errorf("%d bytes, over the cap of %d", len(got), tt.max)
			}
			if !strings.HasPrefix(tt.in, strings.TrimSuffix(got, ellipsis)) {
				t.Errorf("%q is not the start of the text", got)
			}
		})
	}
}
