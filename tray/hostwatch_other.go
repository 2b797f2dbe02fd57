//go:build !linux

package tray

import (
	"context"
	"log/slog"
)

// WatchTrayHost returns nil: macOS and Windows always have a tray.
func WatchTrayHost(ctx context.Context, log *slog.Logger) <-chan bool { return nil }
