//go:build !linux

package tray

import (
	"context"
	"errors"
)

// Only Linux desktops have a session bus to own a name on; elsewhere the
// socket is the way in.

func serveBus(context.Context, chan<- Request) (<-chan struct{}, error) {
	return nil, errors.New("no session bus on this platform")
}

func askBus(context.Context, Command) error { return errNoEndpoint }
