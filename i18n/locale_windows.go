//go:build windows

package i18n

import "golang.org/x/sys/windows"

// systemLocale is the user's UI language ("zh-CN").
func systemLocale() string {
	langs, err := windows.GetUserPreferredUILanguages(windows.MUI_LANGUAGE_NAME)
	if err != nil || len(langs) == 0 {
		return ""
	}
	return langs[0]
}
