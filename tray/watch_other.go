//go:build !linux

package tray

import (
	"context"
	"log/slog"
)

// SessionBusError is nil: only Linux desktops need a D-Bus session bus.
func SessionBusError() error { return nil }

// WatchResume returns nil. Windows has WM_POWERBROADCAST, which needs a
// window's message loop; the agent has none yet, so the link notices a
// suspend by its clocks only there.
func WatchResume(ctx context.Context, log *slog.Logger) <-chan struct{} { return nil }

// WatchKeyring returns nil: the agent retries on its own schedule.
func WatchKeyring(ctx context.Context, log *slog.Logger) <-chan struct{} { return nil }
