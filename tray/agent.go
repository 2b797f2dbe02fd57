package tray

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"tasktray/auth"
	"tasktray/conn"
	"tasktray/internal/settle"
	"tasktray/ipc"
	"tasktray/notify"
)

// Popups shows desktop notifications; notify.Coalescer and the notifiers
// in package notify implement it.
type Popups interface {
	Show(ctx context.Context, p notify.Popup) error
}

// WindowLauncher starts a window process showing view.
type WindowLauncher func(ctx context.Context, view string) (WindowProcess, error)

// WindowProcess is a running window, as *ipc.Child is.
type WindowProcess interface {
	Send(ipc.Message) error
	Receive() (ipc.Message, error)
	Kill() error
	Wait() error
}

// Config wires an Agent. Menu, Popups, Tokens and Windows are required.
type Config struct {
	Menu    Menu
	Popups  Popups
	Tokens  *auth.TokenStore
	Windows WindowLauncher
	// AccountPath is the non-secret account file; "" keeps the account in
	// memory only (demo mode).
	AccountPath string
	// StateDir holds the resume cursor per account; "" keeps it in memory.
	StateDir string
	// Login, when set, logs in at start without a window and keeps the
	// token out of the keyring (demo mode). Its password is dropped after
	// that login.
	Login *Login
	// NoTrayHost delivers, on desktops that can say whether a tray host
	// runs, true while there is none and false when one appears; it is nil
	// or never delivers elsewhere.
	NoTrayHost <-chan bool
	// Resumed delivers the platform's "the machine woke up" signal
	// (WatchResume); nil where there is none. The link then checks itself
	// at once instead of waiting out its read deadline.
	Resumed <-chan struct{}
	// KeyringChanged delivers a hint that the keyring may have become
	// usable (WatchKeyring: the Secret Service started, a collection was
	// unlocked); a load or save waiting for the keyring retries at once.
	KeyringChanged <-chan struct{}
	// KeyringRetry bounds the waits between tries of a keyring that is
	// locked or not running; zero uses DefaultKeyringRetry.
	KeyringRetry Backoff
	// PopupsOff, when not empty, says why no popup can be shown (no
	// session bus); the status says so, and tasks still land in Recent
	// tasks.
	PopupsOff fmt.Stringer
	// Profile is the absolute path of the custom kind's profile the login
	// window offers when the account names none of its own: the -profile
	// flag or the system-wide one. ProfileFixed says it came from the flag,
	// which wins over the account's. ProfileError says why the system-wide
	// profile cannot be used; the login window shows it.
	Profile      string
	ProfileFixed bool
	ProfileError error
	// Requests delivers what another start of tasktray asks of this one
	// (show a window, quit); see control.go.
	Requests <-chan Request
	// ConnOptions adjusts each new conn.Config (tests shorten timings).
	ConnOptions func(*conn.Config)
	Logger      *slog.Logger
}

// Backoff is a doubling wait between tries, from Min to at most Max.
type Backoff struct{ Min, Max time.Duration }

// DefaultKeyringRetry is how often a locked keyring is tried again: soon
// after a start (the user is unlocking it), then once a minute.
var DefaultKeyringRetry = Backoff{Min: 2 * time.Second, Max: time.Minute}

// Agent is the app's always-on part. All its fields below cfg are owned by
// the Run goroutine.
type Agent struct {
	cfg Config
	log *slog.Logger

	events chan any // window messages and exits, and what peers answered

	// The peers the loop never waits on; see peer.
	keyring, disk, network, popups *peer

	account  auth.Account
	session  auth.Session // the token in use, while loggedIn
	loggedIn bool
	link     *link
	// keyringWait is the keyring call waiting for the keyring to be
	// unlocked or to start, nil when none is.
	keyringWait *keyringRetry
	gap         *conn.Gap // the last gap the server could not fill
	state       conn.State
	paused      bool
	recent      *recent
	windows     map[string]*window
	noHost      bool
	quitting    bool
	// statusReopens counts the status window's ends by itself in a row;
	// see windowExited.
	statusReopens int
	prefs         prefs        // settings, quiet hours, do not disturb: settings.go
	autostart     startAtLogin // see autostart.go

	// Windows get the state at most every windowFlush: a burst of tasks
	// must not turn into a burst of task lists on the pipe.
	windowsDirty bool
	flush        <-chan time.Time
}

// Login is an account and password to log in with at start.
type Login struct {
	Account  auth.Account
	Password string
}

// Events the agent receives from its own goroutines.
type (
	windowMsg struct {
		view string
		msg  ipc.Message
	}
	windowExited struct {
		view  string
		child WindowProcess
	}
	loginDone struct {
		sess auth.Session
		err  error
	}
	accountLoaded struct {
		acc auth.Account
		err error
	}
	tokenLoaded struct {
		acc  auth.Account
		sess auth.Session
		err  error
	}
	tokenSaved struct {
		sess auth.Session
		// err is why the token is held in memory only; nil once it is
		// in the keyring.
		err error
	}
	popupFailed struct{ err error }
)

// NewAgent checks cfg and returns an Agent; call Run.
func NewAgent(cfg Config) (*Agent, error) {
	if cfg.Menu == nil || cfg.Popups == nil || cfg.Tokens == nil || cfg.Windows == nil {
		return nil, errors.New("tray: Menu, Popups, Tokens and Windows are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.KeyringRetry.Min <= 0 || cfg.KeyringRetry.Max < cfg.KeyringRetry.Min {
		cfg.KeyringRetry = DefaultKeyringRetry
	}
	return &Agent{
		cfg:     cfg,
		log:     cfg.Logger,
		events:  make(chan any, 16),
		keyring: newPeer("keyring", true),
		disk:    newPeer("disk", true),
		network: newPeer("network", false),
		popups:  newPeer("popups", false),
		recent:  newRecent(MaxRecent),
		windows: map[string]*window{},
	}, nil
}

// Run loads the account and token, keeps the link up and serves the menu
// until ctx ends or the user quits. It returns once every goroutine and
// window process it started is gone, except a call into a peer that ignores
// its ctx (see peerGrace): it never waits on a peer.
func (a *Agent) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	peers := []*peer{a.keyring, a.disk, a.network, a.popups}
	for _, p := range peers {
		go p.run(ctx, a.events)
	}
	defer func() {
		cancel() // first, so a call under way in a peer gives up
		a.closeWindows()
		a.stopLink()
		a.stopKeyringRetry()
		if stuck := waitPeers(peers); len(stuck) > 0 {
			a.log.Warn("quitting while a call has not returned", "peers", stuck)
		}
	}()

	a.loadSettings(ctx)
	a.start(ctx)
	a.readStartAtLogin()
	a.render()

	var refresh <-chan time.Time // countdown redraws, only while reconnecting
	for !a.quitting {
		var states <-chan conn.State
		var tasks <-chan conn.Task
		var renewals <-chan conn.Renewal
		var gaps <-chan conn.Gap
		if a.link != nil {
			c := a.link.client
			states, tasks, renewals, gaps = c.States(), c.Tasks(), c.Renewals(), c.Gaps()
		}
		var keyringRetry <-chan time.Time
		if a.keyringWait != nil {
			keyringRetry = a.keyringWait.timer.C
		}
		select {
		case <-ctx.Done():
			return nil
		case s := <-states:
			a.onState(ctx, s)
		case t := <-tasks:
			a.onTask(ctx, t)
		case r := <-renewals:
			a.onRenewal(r)
		case g := <-gaps:
			a.onGap(g)
		case act := <-a.cfg.Menu.Actions():
			a.onAction(ctx, act)
		case ev := <-a.events:
			a.onEvent(ctx, ev)
		case none := <-a.cfg.NoTrayHost:
			a.noHost = none
			if none {
				a.log.Warn("no tray host on this desktop (no org.kde.StatusNotifierWatcher); showing the status window instead")
				a.openWindow(ctx, ipc.ViewStatus)
			} else {
				a.closeWindow(ipc.ViewStatus)
			}
		case <-a.cfg.Resumed:
			a.onResumed()
		case req := <-a.cfg.Requests:
			a.onRequest(ctx, req)
		case <-a.cfg.KeyringChanged:
			a.retryKeyringNow()
		case <-keyringRetry:
			a.retryKeyring()
		case <-refresh:
			a.render()
		case <-a.flush:
			a.flush = nil
			a.flushWindows()
		}
		refresh = nil
		if a.state.Phase == conn.Reconnecting {
			refresh = time.After(refreshEvery)
		}
	}
	return nil
}

func (a *Agent) onEvent(ctx context.Context, ev any) {
	switch ev := ev.(type) {
	case windowMsg:
		a.onWindowMsg(ctx, ev.view, ev.msg)
	case windowExited:
		a.windowExited(ctx, ev)
	case loginDone:
		a.onLoginDone(ctx, ev)
	case accountLoaded:
		a.onAccountLoaded(ev)
	case tokenLoaded:
		a.onTokenLoaded(ctx, ev)
	case tokenSaved:
		a.onTokenSaved(ev)
	case settingsEvent:
		ev.handle(ctx, a)
	case popupFailed:
		a.log.Warn("popup failed", "err", ev.err)
	case autostartDone:
		a.onAutostartDone(ev)
	}
}

func (a *Agent) onAction(ctx context.Context, act Action) {
	switch act {
	case ActionLogin:
		a.openWindow(ctx, ipc.ViewLogin)
	case ActionLogout:
		a.logout(ctx)
	case ActionRecent:
		a.openWindow(ctx, ipc.ViewRecent)
	case ActionPause:
		a.paused = !a.paused
		a.render()
	case ActionReconnect:
		// In "Log in required" too: the server may have refused the token
		// for a passing reason, and the link tries it once more.
		if a.link != nil {
			a.link.client.Reconnect()
		}
		a.retryKeyringNow()
	case ActionQuiet:
		a.toggleQuiet()
	case ActionStartAtLogin:
		a.toggleStartAtLogin()
	case ActionSettings:
		a.openWindow(ctx, ipc.ViewSettings)
	case ActionDiagnostics:
		a.copyDiagnostics(ctx)
	case ActionQuit:
		a.quitting = true
	}
}

func (a *Agent) onWindowMsg(ctx context.Context, view string, m ipc.Message) {
	settle.Busy() // a window at work (paging Recent tasks, a login) allocates
	switch m := m.(type) {
	case ipc.Login:
		creds := m.Credentials()
		u, err := auth.ValidateServerURL(creds.Server, creds.AllowInsecure)
		if err != nil {
			a.sendTo(view, ipc.LoginResultOf(err))
			return
		}
		creds.Server = u.String() // normalized, so the keyring entry's name is stable
		a.login(ctx, creds)
	case ipc.OpenTask:
		if t, wasUnread, ok := a.recent.markRead(m.ID); ok {
			openURL(a.log, t.URL)
			if w := a.windows[ipc.ViewRecent]; w != nil && wasUnread {
				w.readSince = append(w.readSince, t.seq)
			}
		}
		a.render()
	case ipc.MarkAllRead:
		a.recent.markAllRead()
		a.render()
	case ipc.More:
		if view == ipc.ViewRecent { // an answer, right away: it is one page per click
			a.sendTo(view, a.recent.message(a.recent.older(m.Before)))
		}
	case ipc.Search:
		if view == ipc.ViewRecent { // one pass over folded keys: milliseconds at the byte cap
			a.sendTo(view, a.recent.found(m))
		}
	case ipc.Logout:
		a.logout(ctx)
	case ipc.Reconnect:
		a.onAction(ctx, ActionReconnect)
	case ipc.Pause:
		a.paused = m.Paused
		a.render()
	case ipc.Show:
		if m.View == ipc.ViewDiagnostics { // the status window's button: as the menu's
			a.copyDiagnostics(ctx)
			return
		}
		a.openWindow(ctx, m.View)
	case ipc.Quit:
		a.quitting = true
	case ipc.GetSettings, ipc.SaveSettings:
		a.onSettingsMsg(view, m)
	case ipc.Closed:
		// The process exits by itself; windowExited cleans up.
		if w := a.windows[view]; w != nil {
			w.closedByUser, w.closing = true, true
		}
	}
}
