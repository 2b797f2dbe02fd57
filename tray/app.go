package tray

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"fyne.io/systray"
	"github.com/adrg/xdg"

	"tasktray/auth"
	"tasktray/ipc"
	"tasktray/notify"
)

// Options are the agent's settings from the command line.
type Options struct {
	// Demo logs in at start with this account, keeping nothing on disk
	// or in the keyring.
	Demo *Login
	// Coalesce turns a burst of tasks into one summary popup.
	Coalesce bool
	Logger   *slog.Logger
}

// Main runs the agent with the desktop's tray, popups and keyring until ctx
// ends or the user quits. fyne.io/systray wants the main goroutine on macOS:
// call Main from main.
func Main(ctx context.Context, opts Options) error {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding my own binary for window processes: %w", err)
	}
	popups, err := notify.NewDesktop(notify.Options{Logger: log})
	if err != nil {
		return fmt.Errorf("desktop notifications: %w", err)
	}
	shown := notify.NewCoalescer(popups, notify.CoalescerOptions{Disabled: !opts.Coalesce, Logger: log})
	defer shown.Close() // closes popups too
	cfg := Config{
		Popups: shown,
		Tokens: auth.NewTokenStore(auth.NewSystemKeyring(0)),
		Windows: func(ctx context.Context, view string) (WindowProcess, error) {
			return ipc.Spawn(ctx, exe, []string{"window", view})
		},
		Login:  opts.Demo,
		Logger: log,
	}
	if opts.Demo == nil {
		if cfg.AccountPath, err = auth.AccountPath(); err != nil {
			return err
		}
		cfg.StateDir = filepath.Join(xdg.StateHome, "tasktray")
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cfg.NoTrayHost = WatchTrayHost(ctx, log)

	var runErr error
	SetInitialIcon()
	systray.Run(func() {
		cfg.Menu = NewSystray()
		agent, err := NewAgent(cfg)
		if err != nil {
			runErr = err
			systray.Quit()
			return
		}
		go func() {
			runErr = agent.Run(ctx)
			systray.Quit()
		}()
	}, cancel)
	return runErr
}
