//go:build darwin

package i18n

import (
	"os/exec"
	"strings"
)

// systemLocale is the first of the user's preferred languages
// (AppleLanguages).
func systemLocale() string {
	out, err := exec.Command("defaults", "read", "-g", "AppleLanguages").Output()
	if err != nil {
		return ""
	}
	for _, f := range strings.FieldsFunc(string(out), func(r rune) bool { return strings.ContainsRune("()\",\n\t ", r) }) {
		return f
	}
	return ""
}
