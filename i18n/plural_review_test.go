package i18n

import "testing"

var reviewItems = NewPlural("i18n.review.items", "%d item in %s", "%d items in %s", "%d 项，在 %s")

// Plural forms for 0, 1 and 2 in both languages, across switches back and
// forth, with an argument after the count.
func TestReviewPluralZeroOneTwo(t *testing.T) {
	t.Cleanup(func() { SetLanguage("en") })
	for round := 0; round < 2; round++ {
		SetLanguage("en")
		for n, want := range map[int]string{0: "0 items in box", 1: "1 item in box", 2: "2 items in box"} {
			if got := reviewItems.N(n, "box"); got != want {
				t.Errorf("en %d: %q, want %q", n, got, want)
			}
		}
		SetLanguage("zh-CN")
		for n, want := range map[int]string{0: "0 项，在 盒", 1: "1 项，在 盒", 2: "2 项，在 盒"} {
			if got := reviewItems.N(n, "盒"); got != want {
				t.Errorf("zh %d: %q, want %q", n, got, want)
			}
		}
	}
}
