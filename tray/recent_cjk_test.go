package tray

import (
	"strings"
	"testing"

	"tasktray/conn"
)

const (
	zwjFamily = "👨\u200d👩\u200d👧\u200d👦" // one character of 7 runes
	jamoHan   = "\u1112\u1161\u11ab"     // 한 as three jamo
)

// The list's previews and the caps on arrival cut Chinese, Japanese and
// Korean text and emoji at whole characters, never inside one.
func TestPreviewsCutWholeCharacters(t *testing.T) {
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"chinese", "紧急：数据库主节点宕机", 6, "紧急：数据…"},
		{"japanese", "至急：サーバーが停止しました", 5, "至急：サ…"},
		{"korean", "긴급: 서버 다운", 4, "긴급:…"},
		{"korean jamo", jamoHan + jamoHan + jamoHan, 6, jamoHan + "…"},
		{"zwj family", "a" + zwjFamily + "b", 5, "a…"},
		{"accent", "cafe\u0301!", 5, "caf…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := preview(tt.in, tt.n); got != tt.want {
				t.Errorf("preview(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
		})
	}
	// The cap on arrival: the title keeps whole characters too.
	title := strings.Repeat("任", maxTaskTitle-3) + zwjFamily
	if got := capTask(conn.Task{Title: title}).Title; got != strings.Repeat("任", maxTaskTitle-3) {
		t.Errorf("capTask cut the family emoji: ends %q", got[len(got)-12:])
	}
}
