package autostart

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestReviewXDGEnableOfAPathThatIsNotUTF8: a Linux path is bytes; a home
// directory named in Latin-1 ("/home/josé" as 0xE9) is a valid path. A
// desktop entry must be UTF-8 (the specification; GLib's key file refuses
// the value), so the desktop cannot start it. Enable says it wrote "an
// entry that starts the app at login": it must either write one that reads
// back On, or refuse as it refuses a control character ("check refuses an
// App no entry can be written for").
func TestReviewXDGEnableOfAPathThatIsNotUTF8(t *testing.T) {
	cmd := "/home/jos\xe9/bin/tasktray"
	if utf8.ValidString(cmd) {
		t.Fatal("the test path must not be UTF-8")
	}
	dir := t.TempDir()
	e := XDG(dir, testApp(cmd))
	err := e.Enable()
	if err != nil {
		if !strings.Contains(err.Error(), e.String()) {
			t.Fatalf("refused without naming the entry: %v", err)
		}
		return // refused, as for a control character: fine
	}
	st, serr := e.Status()
	if st != On {
		t.Fatalf("Enable() = nil, but the entry it wrote reads back as %v (%v): the desktop will not start it either", st, serr)
	}
}
