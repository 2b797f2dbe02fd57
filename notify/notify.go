// Package notify shows tasks as native desktop popups: through the
// freedesktop notification service on D-Bus on Linux, and through
// github.com/gen2brain/beeep elsewhere. A Coalescer in front of a Notifier
// turns a burst of tasks into a few popups and one summary. NewDesktop's
// Notifier queues popups and shows them from a goroutine of its own, so a
// hung notification daemon never blocks the caller.
//
// notify does not decide which tasks deserve a popup, and knows nothing of
// connections or the tray; the agent hands it Popups.
package notify

import (
	"context"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/cli/browser"

	"tasktray/assets"
)

// appName is how the desktop names the sender of our popups.
const appName = "tasktray"

// Popup is one desktop notification.
type Popup struct {
	// ID names what the popup is about: a task's ID, or SummaryID. A popup
	// with the ID of one still on screen replaces it where the desktop can
	// (Linux); elsewhere it shows as a new popup.
	ID    string
	Title string
	Body  string // plain text
	// URL is opened in the browser when the user clicks the popup or its
	// Open button (Linux). Only http and https URLs are ever opened.
	URL string
	// Priority runs from 1 (min) to 5 (urgent); 0 means 3, as in conn.Task.
	Priority int
	// Important marks a popup the user must see on its own, such as "log
	// in again" or "some tasks could not be fetched": a Coalescer never
	// folds it into a summary, and NewDesktop's queue folds it last.
	Important bool
	// Sound asks for the desktop's "message-new-instant" sound (the
	// sound-name hint); false asks for none (suppress-sound). Only where
	// the daemon lists the "sound" capability: others get neither hint.
	Sound bool
	// Count is how many tasks the popup stands for: 0 (meaning 1) for a
	// task, more for a summary. Summaries of one burst share an ID and
	// each counts the whole burst so far, so a later one supersedes an
	// earlier one rather than adding to it.
	Count int
}

// Notifier shows popups. Implementations are safe for concurrent use.
type Notifier interface {
	// Show puts p on screen. The notifiers of NewDesktop queue it and
	// return at once; others return once the desktop has taken it.
	Show(ctx context.Context, p Popup) error
	// Close stops listening for clicks; no goroutine of the Notifier
	// outlives it.
	Close() error
}

// Options configure a Notifier made by NewDesktop.
type Options struct {
	// Icon is a PNG shown with every popup; nil means assets.AppIcon.
	Icon []byte
	// Open opens a URL the user clicked; nil means the default browser.
	Open func(url string) error
	// Logger receives what cannot be returned, such as a failed Open or a
	// popup the desktop did not take; nil means slog.Default().
	Logger *slog.Logger

	// The settings of NewDesktop's queue; tests shorten them. 0 means the default.
	queueLen int           // DefaultQueueLen
	deadline time.Duration // DefaultDeadline
	retryMin time.Duration // retryMin
	retryMax time.Duration // retryMax
}

func (o Options) withDefaults() Options {
	if o.Icon == nil {
		o.Icon = assets.AppIcon
	}
	if o.Open == nil {
		o.Open = browser.OpenURL
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.queueLen <= 0 {
		o.queueLen = DefaultQueueLen
	}
	if o.deadline <= 0 {
		o.deadline = DefaultDeadline
	}
	if o.retryMin <= 0 {
		o.retryMin = retryMin
	}
	if o.retryMax <= 0 {
		o.retryMax = retryMax
	}
	return o
}

// webURL reports whether u is an absolute http or https URL: the only kind
// a click may open. Anything else (javascript:, file:, a custom scheme that
// launches some local handler) could act on this machine.
func webURL(u string) bool {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return false
	}
	s := strings.ToLower(p.Scheme)
	return s == "http" || s == "https"
}
