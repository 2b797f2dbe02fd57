package tray

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"tasktray/auth"
	"tasktray/backend"
	"tasktray/conn"
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
	// NoTrayHost is non-nil on desktops that can say whether a tray host
	// runs: it delivers true while there is none, false when one appears.
	NoTrayHost <-chan bool
	// ConnOptions adjusts each new conn.Config (tests shorten timings).
	ConnOptions func(*conn.Config)
	Logger      *slog.Logger
}

// Agent is the app's always-on part. All its fields below cfg are owned by
// the Run goroutine.
type Agent struct {
	cfg Config
	log *slog.Logger

	events chan any // window messages, login results, window exits

	account  auth.Account
	loggedIn bool
	link     *link
	state    conn.State
	paused   bool
	recent   *recent
	windows  map[string]*window
	noHost   bool
	quitting bool

	// Windows get the state at most every windowFlush: a burst of tasks
	// must not turn into a burst of task lists on the pipe.
	windowsDirty bool
	flush        <-chan time.Time
}

// windowFlush bounds how often open windows are sent the state and list.
const windowFlush = 200 * time.Millisecond

// Login is an account and password to log in with at start.
type Login struct {
	Account  auth.Account
	Password string
}

// link is one conn.Client run, for one account and token.
type link struct {
	client *conn.Client
	cancel context.CancelFunc
	done   chan struct{}
}

// window is one running window process.
type window struct {
	child WindowProcess
	done  chan struct{} // closed once the process has exited

	// For Recent tasks: the newest seq the window has been sent, and the
	// tasks read since the last Tasks message, which it holds unread.
	sent      int64
	readSince []int64
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
)

// NewAgent checks cfg and returns an Agent; call Run.
func NewAgent(cfg Config) (*Agent, error) {
	if cfg.Menu == nil || cfg.Popups == nil || cfg.Tokens == nil || cfg.Windows == nil {
		return nil, errors.New("tray: Menu, Popups, Tokens and Windows are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Agent{
		cfg:     cfg,
		log:     cfg.Logger,
		events:  make(chan any, 16),
		recent:  newRecent(MaxRecent),
		windows: map[string]*window{},
	}, nil
}

// Run loads the account and token, keeps the link up and serves the menu
// until ctx ends or the user quits. It returns once every goroutine and
// window process it started is gone.
func (a *Agent) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer a.stopLink()
	defer a.closeWindows()

	a.start(ctx)
	a.render()

	var refresh <-chan time.Time // countdown redraws, only while reconnecting
	for !a.quitting {
		var states <-chan conn.State
		var tasks <-chan conn.Task
		if a.link != nil {
			states, tasks = a.link.client.States(), a.link.client.Tasks()
		}
		select {
		case <-ctx.Done():
			return nil
		case s := <-states:
			a.onState(ctx, s)
		case t := <-tasks:
			a.onTask(ctx, t)
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

// start loads the saved account and its token, or logs in for demo mode.
func (a *Agent) start(ctx context.Context) {
	if l := a.cfg.Login; l != nil {
		creds := auth.Credentials{Account: l.Account, Password: l.Password}
		l.Password = ""
		a.account = l.Account
		a.login(ctx, creds)
		return
	}
	if a.cfg.AccountPath == "" {
		return
	}
	acc, err := auth.LoadAccount(a.cfg.AccountPath)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			a.log.Warn("account file unreadable; log in again", "err", err)
		}
		return
	}
	a.account = acc
	sess, err := a.cfg.Tokens.Load(ctx, acc)
	if err != nil {
		a.log.Info("no stored token; log in from the tray menu", "account", acc.KeyringUser(), "why", err)
		return
	}
	a.startLink(ctx, sess)
}

// login runs the login call off the agent goroutine; loginDone reports back.
func (a *Agent) login(ctx context.Context, creds auth.Credentials) {
	kind, err := backend.Lookup(creds.Kind)
	var authn auth.Authenticator
	if err == nil {
		authn, err = kind.Authenticator(creds.Account)
	}
	if err != nil {
		a.onLoginDone(ctx, loginDone{err: err}) // we are the agent goroutine: no round trip
		return
	}
	go func() {
		lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		sess, err := authn.Login(lctx, creds)
		select {
		case a.events <- loginDone{sess: sess, err: err}:
		case <-ctx.Done():
		}
	}()
}

func (a *Agent) onEvent(ctx context.Context, ev any) {
	switch ev := ev.(type) {
	case windowMsg:
		a.onWindowMsg(ctx, ev.view, ev.msg)
	case windowExited:
		if w := a.windows[ev.view]; w != nil && w.child == ev.child { // not a newer window of the same view
			delete(a.windows, ev.view)
		}
	case loginDone:
		a.onLoginDone(ctx, ev)
	}
}

func (a *Agent) onLoginDone(ctx context.Context, ev loginDone) {
	if ev.err != nil {
		a.log.Warn("login failed", "err", ev.err)
		a.sendTo(ipc.ViewLogin, ipc.LoginResultOf(ev.err))
		return
	}
	a.account = ev.sess.Account
	if a.cfg.AccountPath != "" {
		if err := auth.SaveAccount(a.cfg.AccountPath, ev.sess.Account); err != nil {
			a.log.Error("saving the account file failed", "err", err)
		}
	}
	if a.cfg.Login == nil { // demo mode keeps its token out of the keyring
		if err := a.cfg.Tokens.Save(ctx, ev.sess); err != nil {
			a.log.Error("keeping the token failed", "err", err)
		}
	}
	if note := a.cfg.Tokens.Reason(); note != "" {
		a.log.Warn(note)
	}
	a.log.Info("logged in", "account", ev.sess.KeyringUser())
	a.sendTo(ipc.ViewLogin, ipc.LoginResultOf(nil))
	a.closeWindow(ipc.ViewLogin)
	a.startLink(ctx, ev.sess)
}

// startLink replaces the link with one for sess.
func (a *Agent) startLink(ctx context.Context, sess auth.Session) {
	a.stopLink()
	kind, err := backend.Lookup(sess.Kind)
	var proto conn.Protocol
	if err == nil {
		proto, err = kind.Protocol(sess.Account)
	}
	var dialer conn.Dialer
	if err == nil {
		dialer, err = conn.NewDialer(sess.Account.CAFile)
	}
	if err != nil {
		a.log.Error("cannot connect with this account", "err", err)
		a.state = conn.State{Phase: conn.Disconnected, Reason: err.Error()}
		a.render()
		return
	}
	cfg := conn.Config{
		Protocol: proto,
		Token:    sess.Token,
		Cursor:   a.cursorStore(sess.Account),
		Dialer:   dialer,
		Logger:   a.log,
	}
	if a.cfg.ConnOptions != nil {
		a.cfg.ConnOptions(&cfg)
	}
	client, err := conn.New(cfg)
	if err != nil {
		a.log.Error("cannot start the link", "err", err)
		return
	}
	lctx, cancel := context.WithCancel(ctx)
	l := &link{client: client, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		if err := client.Run(lctx); err != nil {
			a.log.Error("link stopped", "err", err)
		}
	}()
	a.link = l
	a.loggedIn = true
	a.render()
}

// stopLink ends the link and waits for it. It takes no task from the link
// meanwhile: a task taken counts as delivered, and one taken only to be
// dropped here would be lost, never resumed. Run never blocks on States,
// and a hand-over of a task gives way to the cancelled context.
func (a *Agent) stopLink() {
	if a.link == nil {
		return
	}
	a.link.cancel()
	<-a.link.done
	a.link = nil
	a.state = conn.State{}
}

// cursorStore keeps one resume cursor per account, named by a hash so the
// file name says nothing about the user.
func (a *Agent) cursorStore(acc auth.Account) conn.CursorStore {
	if a.cfg.StateDir == "" {
		return &conn.MemoryCursor{}
	}
	sum := sha256.Sum256([]byte(acc.Kind + "\x00" + acc.KeyringUser()))
	return conn.FileCursor{Path: filepath.Join(a.cfg.StateDir, "cursor-"+hex.EncodeToString(sum[:8])+".json")}
}

func (a *Agent) onState(ctx context.Context, s conn.State) {
	prev := a.state
	a.state = s
	if s.Phase == conn.AuthRequired && prev.Phase != conn.AuthRequired {
		a.popup(ctx, notify.Popup{
			ID:       "auth-required",
			Title:    "tasktray: log in again",
			Body:     "The server no longer accepts your login. Choose “Log in…” in the tray menu.",
			Priority: conn.PriorityMax,
		}, true)
	}
	a.render()
}

func (a *Agent) onTask(ctx context.Context, t conn.Task) {
	a.recent.add(t)
	a.popup(ctx, notify.Popup{ID: t.ID, Title: t.Title, Body: t.Body, URL: t.URL, Priority: t.Priority}, false)
	a.render()
}

// popup shows p unless popups are paused; important ones show anyway.
func (a *Agent) popup(ctx context.Context, p notify.Popup, important bool) {
	if a.paused && !important {
		return
	}
	if err := a.cfg.Popups.Show(ctx, p); err != nil {
		a.log.Warn("popup failed", "err", err)
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
		if a.link != nil {
			a.link.client.Reconnect()
		}
	case ActionQuit:
		a.quitting = true
	}
}

func (a *Agent) onWindowMsg(ctx context.Context, view string, m ipc.Message) {
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
	case ipc.Logout:
		a.logout(ctx)
	case ipc.Reconnect:
		a.onAction(ctx, ActionReconnect)
	case ipc.Pause:
		a.paused = m.Paused
		a.render()
	case ipc.Show:
		a.openWindow(ctx, m.View)
	case ipc.Quit:
		a.quitting = true
	case ipc.Closed:
		// the process exits by itself; windowExited cleans up
	}
}

// logout revokes the token on the server where the kind can, forgets it
// locally, and drops the link. The account stays, to prefill the next login.
func (a *Agent) logout(ctx context.Context) {
	if !a.loggedIn {
		return
	}
	sess, err := a.cfg.Tokens.Load(ctx, a.account)
	if err == nil {
		if kind, err := backend.Lookup(sess.Kind); err == nil {
			if authn, err := kind.Authenticator(sess.Account); err == nil {
				lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				if err := authn.Logout(lctx, sess); err != nil && !errors.Is(err, auth.ErrNotSupported) {
					a.log.Warn("revoking the token on the server failed; it is forgotten here anyway", "err", err)
				}
				cancel()
			}
		}
	}
	if err := a.cfg.Tokens.Delete(ctx, a.account); err != nil {
		a.log.Error("removing the token from the keyring failed", "err", err)
	}
	a.stopLink()
	a.loggedIn = false
	a.log.Info("logged out", "account", a.account.KeyringUser())
	a.render()
}

// render pushes the current view to the menu and to every open window.
func (a *Agent) render() {
	v := View{
		Icon:   iconFor(a.state, a.loggedIn, a.paused),
		Unread: a.recent.unread,
		Status: a.status(),
		Paused: a.paused,
	}
	if a.loggedIn {
		v.User = a.account.Username
		v.NeedsLogin = a.state.Phase == conn.AuthRequired
	}
	a.cfg.Menu.Render(v)
	if len(a.windows) > 0 {
		a.windowsDirty = true
		if a.flush == nil {
			a.flush = time.After(windowFlush)
		}
	}
}

// flushWindows sends every open window the current state, and Recent tasks
// what changed in the list.
func (a *Agent) flushWindows() {
	if !a.windowsDirty {
		return
	}
	a.windowsDirty = false
	st := a.stateMessage(View{Status: a.status()})
	for view, w := range a.windows {
		a.sendTo(view, st)
		if view == ipc.ViewRecent {
			a.sendRecentChanges(w)
		}
	}
}

// sendRecentChanges sends the Recent tasks window the tasks that came since
// the last message (as many of the newest as a page holds: the window drops
// what it has beyond a gap), the tasks read since, and the counts.
func (a *Agent) sendRecentChanges(w *window) {
	p := a.recent.head(w.sent)
	a.recent.addSeqs(p, w.readSince)
	w.sent, w.readSince = a.recent.newest(), nil
	a.sendTo(ipc.ViewRecent, a.recent.message(p))
}

func (a *Agent) status() string {
	if !a.loggedIn {
		if a.state.Phase == conn.Disconnected && a.state.Reason != "" {
			return "Cannot connect: " + a.state.Reason
		}
		return "Not logged in"
	}
	return statusLine(a.state, a.account.Server, time.Now())
}

func (a *Agent) stateMessage(v View) ipc.State {
	return ipc.State{
		Phase:       a.state.Phase.String(),
		Status:      v.Status,
		LoggedIn:    a.loggedIn,
		Kind:        a.account.Kind,
		User:        a.account.Username,
		Server:      a.account.Server,
		Paused:      a.paused,
		KeyringNote: a.cfg.Tokens.Reason(),
	}
}

// openWindow starts the window process for view, unless it runs already.
func (a *Agent) openWindow(ctx context.Context, view string) {
	if a.windows[view] != nil {
		return
	}
	child, err := a.cfg.Windows(ctx, view)
	if err != nil {
		a.log.Error("cannot open window", "view", view, "err", err)
		return
	}
	w := &window{child: child, done: make(chan struct{})}
	a.windows[view] = w
	go a.readWindow(ctx, view, w)
	a.sendTo(view, a.stateMessage(View{Status: a.status()}))
	if view == ipc.ViewRecent {
		a.sendRecentChanges(w) // all are new to it: the newest page
	}
}

// readWindow forwards one window's messages to the agent until it exits.
func (a *Agent) readWindow(ctx context.Context, view string, w *window) {
	for {
		m, err := w.child.Receive()
		if err != nil {
			w.child.Wait()
			close(w.done)
			select {
			case a.events <- windowExited{view: view, child: w.child}:
			case <-ctx.Done():
			}
			return
		}
		select {
		case a.events <- windowMsg{view: view, msg: m}:
		case <-ctx.Done():
			return
		}
	}
}

func (a *Agent) sendTo(view string, m ipc.Message) {
	if w := a.windows[view]; w != nil {
		if err := w.child.Send(m); err != nil {
			a.log.Debug("window gone", "view", view, "err", err)
		}
	}
}

func (a *Agent) closeWindow(view string) {
	if w := a.windows[view]; w != nil {
		if err := w.child.Send(ipc.Close{}); err != nil {
			w.child.Kill()
		}
	}
}

// closeWindows ends every window process on the way out.
func (a *Agent) closeWindows() {
	for view, w := range a.windows {
		w.child.Send(ipc.Close{})
		select {
		case <-w.done:
		case <-time.After(2 * time.Second):
			w.child.Kill()
			<-w.done
		}
		delete(a.windows, view)
	}
}
