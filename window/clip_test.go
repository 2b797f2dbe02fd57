package window

import (
	"strings"
	"testing"
)

// TestClipKeepsWholeCharacters: an over-long message shown in the login
// window is cut at a whole character, never inside an emoji sequence.
func TestClipKeepsWholeCharacters(t *testing.T) {
	family := "👨\u200d👩\u200d👧"
	s := strings.Repeat("a", maxShownRunes-2) + family + strings.Repeat("b", 10)
	got := strings.TrimSuffix(clip(s), "…")
	if rest := strings.TrimLeft(got, "a"); rest != "" && rest != family {
		t.Fatalf("clip cut inside a character: ends with %q", rest)
	}
}
