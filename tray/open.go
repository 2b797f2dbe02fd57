package tray

import (
	"log/slog"
	"net/url"

	"github.com/cli/browser"
)

// openURL opens a task's link in the browser; only http and https, so a
// server cannot make the desktop run file: or custom-scheme handlers.
var openURL = func(log *slog.Logger, raw string) {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		if raw != "" {
			log.Warn("not opening a task link that is not http(s)")
		}
		return
	}
	if err := browser.OpenURL(u.String()); err != nil {
		log.Warn("opening the task link failed", "err", err)
	}
}
