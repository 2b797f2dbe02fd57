package custom

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// ProfileFile is the name of the system-wide profile in its folder.
const ProfileFile = "profile.toml"

// SystemProfileDirs lists where an admin puts the system-wide profile,
// first match wins: on Linux and the BSDs each of $XDG_CONFIG_DIRS (default
// /etc/xdg) + /tasktray; on macOS /Library/Application Support/tasktray; on
// Windows %ProgramData%\tasktray.
func SystemProfileDirs() []string {
	switch runtime.GOOS {
	case "windows":
		pd := os.Getenv("ProgramData")
		if pd == "" {
			pd = `C:\ProgramData`
		}
		return []string{filepath.Join(pd, "tasktray")}
	case "darwin":
		return []string{"/Library/Application Support/tasktray"}
	}
	dirs := filepath.SplitList(os.Getenv("XDG_CONFIG_DIRS"))
	if len(dirs) == 0 {
		dirs = []string{"/etc/xdg"}
	}
	var out []string
	for _, d := range dirs {
		if filepath.IsAbs(d) {
			out = append(out, filepath.Join(d, "tasktray"))
		}
	}
	return out
}

// FindSystemProfile returns the path of the system-wide profile, or ""
// when there is none. A profile that exists but cannot be read is an error
// (the login window should say so rather than fall back silently).
func FindSystemProfile() (string, error) {
	for _, d := range SystemProfileDirs() {
		path := filepath.Join(d, ProfileFile)
		_, err := os.Stat(path)
		switch {
		case err == nil:
			return path, nil
		case errors.Is(err, fs.ErrNotExist):
			continue
		default:
			return "", err
		}
	}
	return "", nil
}
