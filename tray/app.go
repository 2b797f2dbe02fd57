package tray

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"fyne.io/systray"
	"github.com/adrg/xdg"

	"tasktray/auth"
	"tasktray/backend/custom"
	"tasktray/i18n"
	"tasktray/internal/binpath"
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
	// Profile is the absolute path of a custom-kind profile given with
	// -profile, already checked (custom.LoadProfile); "" looks for the
	// system-wide one.
	Profile string
	// Requests delivers what another start of tasktray asks
	// (Instance.Requests); nil when nothing can reach this agent.
	Requests <-chan Request
	// Keyring is the system keyring with the saved account's token asked
	// for already (PrefetchKeyring), from as soon as the lock was taken;
	// nil makes Main ask as it starts. Not used with Demo.
	Keyring *Keyring
	Logger  *slog.Logger
}

// Main runs the agent with the desktop's tray, popups and keyring until ctx
// ends or the user quits. fyne.io/systray wants the main goroutine on macOS:
// call Main from main, after StartInstance.
func Main(ctx context.Context, opts Options) error {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cfg, closePopups, err := desktopConfig(ctx, opts, log)
	if err != nil {
		return err
	}
	defer closePopups()

	if cfg.PopupsOff != nil {
		// No session bus: no tray either (it is a D-Bus service), and
		// fyne.io/systray v1.12.2 crashes on quit without one.
		log.Warn("running without popups or a tray icon; the status window shows the state", "why", cfg.PopupsOff.String())
		cfg.Menu = noMenu{}
		noHost := make(chan bool, 1)
		noHost <- true
		cfg.NoTrayHost = noHost
		agent, err := NewAgent(cfg)
		if err != nil {
			return err
		}
		return agent.Run(ctx)
	}

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

// desktopConfig wires the agent to this desktop's popups, keyring, window
// processes and signals. Without a session bus there are no popups: the
// agent runs anyway and says so (Config.PopupsOff).
func desktopConfig(ctx context.Context, opts Options, log *slog.Logger) (cfg Config, closePopups func(), err error) {
	// The window binary: this one, or the Fyne-linked tasktray when this is
	// the agent binary (internal/binpath).
	self, err := binpath.Self()
	if err != nil {
		return Config{}, nil, fmt.Errorf("finding my own binary for window processes: %w", err)
	}
	exe := binpath.Window(self)
	keys := newPrefetchKeyring()
	if opts.Keyring != nil && opts.Demo == nil {
		keys = opts.Keyring.keys
	}
	cfg = Config{
		Tokens: auth.NewTokenStore(keys),
		Windows: func(ctx context.Context, view string) (WindowProcess, error) {
			child, err := ipc.Spawn(ctx, exe, []string{"window", view}, i18n.Env()...)
			if err != nil {
				return nil, err
			}
			child.SetLogger(log) // the lines it skips go to the agent's log
			return child, nil
		},
		Login:    opts.Demo,
		Requests: opts.Requests,
		Logger:   log,
	}
	if opts.Demo == nil {
		if cfg.AccountPath, err = auth.AccountPath(); err != nil {
			return Config{}, nil, err
		}
		cfg.StateDir = filepath.Join(xdg.StateHome, "tasktray")
		// The saved account's token, asked for now unless it was as the
		// lock was taken: the Secret Service's round trips then overlap the
		// D-Bus set-up below and the tray's, and the link dials as soon as
		// the loop runs (prefetchKeyring).
		if opts.Keyring == nil {
			keys.prefetch(ctx, savedUser)
		}
	}
	cfg.Profile, cfg.ProfileFixed = opts.Profile, opts.Profile != ""
	if opts.Profile == "" && opts.Demo == nil {
		cfg.Profile, cfg.ProfileError = systemProfile(log)
	}

	// The notifier and the resume watch are set up side by side: each
	// waits on round trips to a bus daemon, not on the other. The tray-host
	// and keyring watchers, which the link does not need, start once the
	// keyring has answered the prefetch: until then their connections
	// would only slow down the one the dial waits for. They run until
	// watchCtx ends: with closePopups, or at once when they are not used (no
	// popups).
	watchCtx, stopWatches := context.WithCancel(ctx)
	noHost, keyring := watchLater(watchCtx, log, keys.answered())
	var (
		popups    notify.Notifier
		popupsErr error
		connected = make(chan struct{})
	)
	go func() {
		defer close(connected)
		popups, popupsErr = notify.NewDesktop(notify.Options{Logger: log})
	}()
	cfg.Resumed = WatchResume(ctx, log) // the system bus
	<-connected

	closePopups = func() {}
	switch {
	case errors.Is(popupsErr, notify.ErrNoSessionBus):
		stopWatches()
		cfg.PopupsOff = msgNoSessionBus
		cfg.Popups = noPopups{}
		log.Warn("no D-Bus session bus: no popups", "err", popupsErr)
	case popupsErr != nil:
		stopWatches()
		cfg.PopupsOff = msgNoNotifications
		cfg.Popups = noPopups{}
		log.Warn("desktop notifications unavailable: no popups", "err", popupsErr)
	default:
		shown := notify.NewCoalescer(popups, notify.CoalescerOptions{Disabled: !opts.Coalesce, Logger: log})
		closePopups = func() {
			shown.Close() // closes popups too
			stopWatches()
		}
		cfg.Popups = shown
		cfg.NoTrayHost = noHost
		cfg.KeyringChanged = keyring
	}
	return cfg, closePopups, nil
}

// watchLater starts WatchTrayHost and WatchKeyring once after is closed
// and relays what they deliver, until ctx ends.
func watchLater(ctx context.Context, log *slog.Logger, after <-chan struct{}) (<-chan bool, <-chan struct{}) {
	noHost := make(chan bool, 1)
	changed := make(chan struct{}, 1)
	go func() {
		select {
		case <-after:
		case <-ctx.Done():
			return
		}
		// Both are subscribed before anything is relayed.
		hosts, hints := WatchTrayHost(ctx, log), WatchKeyring(ctx, log) // nil where there are none
		for {
			select {
			case <-ctx.Done():
				return
			case none := <-hosts:
				select {
				case noHost <- none:
				case <-ctx.Done():
					return
				}
			case <-hints:
				signal(changed)
			}
		}
	}()
	return noHost, changed
}

// noPopups stands in for the notifier where there is none.
type noPopups struct{}

func (noPopups) Show(context.Context, notify.Popup) error { return nil }

// noMenu stands in for the tray where there is none: the status window
// shows the state, and its buttons act.
type noMenu struct{}

func (noMenu) Render(View)            {}
func (noMenu) Actions() <-chan Action { return nil }

// systemProfile finds and checks the system-wide profile. A bad one is
// logged and its error shown in the login window (the user cannot fix it,
// but can tell the admin what is wrong); it is not used.
func systemProfile(log *slog.Logger) (path string, problem error) {
	path, err := custom.FindSystemProfile()
	if err == nil && path != "" {
		_, err = custom.LoadProfile(path)
	}
	if err != nil {
		log.Error("the system-wide profile cannot be used", "err", err)
		return "", err
	}
	return path, nil
}
