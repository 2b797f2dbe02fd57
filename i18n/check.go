package i18n

import (
	"regexp"
	"slices"
	"sync"
)

// TB is the part of testing.TB that CheckTexts uses.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
}

// fmtVerb is compiled on the first check, not at every program's start.
var fmtVerb = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`) })

// CheckTexts fails t for every declared text that is empty in a language
// or whose languages take different fmt verbs. A package's test calls it
// so that its own texts are checked.
func CheckTexts(t TB) {
	t.Helper()
	for _, id := range IDs() {
		one, en, zh, _ := Forms(id)
		if en == "" || zh == "" {
			t.Errorf("text %s lacks a language", id)
			continue
		}
		want := fmtVerb().FindAllString(en, -1)
		if got := fmtVerb().FindAllString(zh, -1); !slices.Equal(got, want) {
			t.Errorf("text %s: zh-CN takes %v, English %v", id, got, want)
		}
		if one != "" {
			if got := fmtVerb().FindAllString(one, -1); !slices.Equal(got, want) {
				t.Errorf("text %s: English singular takes %v, plural %v", id, got, want)
			}
		}
	}
}
