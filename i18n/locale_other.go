//go:build !windows && !darwin

package i18n

// systemLocale is empty on Unix: Detect reads the locale variables.
func systemLocale() string { return "" }
