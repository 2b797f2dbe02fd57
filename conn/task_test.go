package conn

import "testing"

func TestSplitTitle(t *testing.T) {
	long := ""
	for range MaxTitle + 5 {
		long += "é"
	}
	for _, tc := range []struct{ text, title, body string }{
		{"  Sign it\n  by Friday \n", "Sign it", "by Friday"},
		{"", "New task", ""},
		{"\n\nfirst non-blank line\nrest", "first non-blank line", "rest"},
		{" \n ", "New task", ""},
		{long, Truncate(long, MaxTitle), ""},
	} {
		title, body := SplitTitle(tc.text, "New task")
		if title != tc.title || body != tc.body {
			t.Errorf("SplitTitle(%q) = %q, %q; want %q, %q", tc.text, title, body, tc.title, tc.body)
		}
	}
	if got := Truncate(long, MaxTitle); len([]rune(got)) != MaxTitle || []rune(got)[MaxTitle-1] != '…' {
		t.Errorf("Truncate kept %d characters, want %d ending in …", len([]rune(got)), MaxTitle)
	}
	if got := Truncate("short", MaxTitle); got != "short" {
		t.Errorf("Truncate changed a short string: %q", got)
	}
}
