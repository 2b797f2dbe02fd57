package logfile

import "testing"

// TestRedactText: secrets are cut where they usually ride, and ordinary
// text is left as it is.
func TestRedactText(t *testing.T) {
	for in, want := range map[string]string{
		"wss://h/ws?token=abc&x=1":                     "wss://h/ws?token=[redacted]&x=1",
		"https://h/p?access_token=abc#f":               "https://h/p?access_token=[redacted]#f",
		`dial "wss://h/ws?auth=abc": refused`:          `dial "wss://h/ws?auth=[redacted]": refused`,
		"https://alice:pw@h/x":                         "https://alice:[redacted]@h/x",
		"Authorization: Bearer abc.def":                "Authorization: [redacted]",
		"{User:alice Token:abc}":                       "{User:alice Token:[redacted]}",
		"map[Authorization:[Bearer abc]]":              "map[Authorization:[[redacted]]]",
		"keyring locked; key=value monkey business":    "keyring locked; key=value monkey business",
		"connected to https://tasks.example.com/ws":    "connected to https://tasks.example.com/ws",
		"Some tasks before 14:02 could not be fetched": "Some tasks before 14:02 could not be fetched",
	} {
		if got := redactText(in); got != want {
			t.Errorf("redactText(%q) = %q, want %q", in, got, want)
		}
	}
}
