package ntfy

import "testing"

// TestGFMAsGoldmarksExtensions: strikethrough and linkify (gfm.go) give the
// plain text goldmark's extension package gave (outputs recorded with
// goldmark v1.7.8's extension.Strikethrough and extension.Linkify, before
// gfm.go took their place). Linkify shows where a bare address would
// otherwise read as emphasis.
func TestGFMAsGoldmarksExtensions(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"~~gone~~ and ~kept~ and ~~~three~~~", "gone and kept and ~~~three~~~"},
		{"a ~~b **c** d~~ e", "a b c d e"},
		{"See www.example.com/path?q=1. Next", "See www.example.com/path?q=1. Next"},
		{"Go to https://example.com/a_(b)) now", "Go to https://example.com/a_(b)) now"},
		{"ftp://files.example.org/x.tar.gz, then", "ftp://files.example.org/x.tar.gz, then"},
		{"mail alice@example.com.", "mail alice@example.com."},
		{"mail bob@example-.com_ or x@y", "mail bob@example-.com_ or x@y"},
		{"(https://example.com/in-parens)", "(https://example.com/in-parens)"},
		{"*https://example.com/em*", "https://example.com/em"},
		{"[label https://example.com/x](https://target.example/)", "label https://example.com/x (https://target.example/)"},
		{"https://example.com/&amp; and https://example.com/a&b;", "https://example.com/&amp; and https://example.com/a&b;"},
		{"http://localhost:8080/x and https://e.example:8443/p", "http://localhost:8080/x and https://e.example:8443/p"},
		{"text~~not a strike", "text~~not a strike"},
		{"- item www.example.org\n- ~~done~~", "• item www.example.org\n• done"},
		{"email: first.last+tag@sub.example.co.uk!", "email: first.last+tag@sub.example.co.uk!"},
		{"https://example.com/a_b_c_d and www.example.com/x_y_z", "https://example.com/a_b_c_d and www.example.com/x_y_z"},
		{"user_name@example.com_x and a_b@c.de", "user_name@example.com_x and a_b@c.de"},
		{"~~https://example.com/s~~ (www.example.com) _https://e.example/u_", "https://example.com/s (www.example.com) https://e.example/u"},
		{"http://x", "http://x"},
		{"see https://example.com/*a*b* end", "see https://example.com/ab* end"},
	} {
		if got := plainText(tt.in); got != tt.want {
			t.Errorf("plainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
