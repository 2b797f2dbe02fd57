//go:build !linux && !windows

package tray

import (
	"context"
	"log/slog"
)

// SessionBusError is nil: only Linux desktops need a D-Bus session bus.
func SessionBusError() error { return nil }

// WatchResume returns nil: here the link notices a suspend by its clocks
// only (Windows has its own, watch_windows.go).
func WatchResume(ctx context.Context, log *slog.Logger) <-chan struct{} { return nil }

// WatchKeyring returns nil: the agent retries on its own schedule.
func WatchKeyring(ctx context.Context, log *slog.Logger) <-chan struct{} { return nil }
