package autostart

import (
	"os"
	"path/filepath"
)

// New is app's LaunchAgent, ~/Library/LaunchAgents/<app.ID>.plist, which
// launchd loads at the user's next login.
func New(app App) (Entry, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return nil, err
	}
	return LaunchAgent(filepath.Join(home, "Library", "LaunchAgents"), app), nil
}
