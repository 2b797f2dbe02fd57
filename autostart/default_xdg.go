//go:build !windows && !darwin

package autostart

import (
	"os"
	"path/filepath"
)

// New is app's entry where this desktop reads it: the XDG autostart
// directory, $XDG_CONFIG_HOME/autostart, ~/.config/autostart when the
// variable is unset or not absolute (as the Base Directory specification
// says). The environment is read on every call, not once at start.
func New(app App) (Entry, error) {
	config := os.Getenv("XDG_CONFIG_HOME")
	if !filepath.IsAbs(config) {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, err
		}
		config = filepath.Join(home, ".config")
	}
	return XDG(filepath.Join(config, "autostart"), app), nil
}
