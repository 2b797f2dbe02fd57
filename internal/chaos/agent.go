package chaos

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zalando/go-keyring"

	"tasktray/auth"
	"tasktray/conn"
	"tasktray/ipc"
	"tasktray/notify"
	"tasktray/tray"
)

// AgentScenario is a fault on the agent's side, run against tray.Agent
// with the reference server behind the proxy and fakes for the desktop's
// menu and popups. Windows are real processes (ipc.Spawn) where the fault
// is the process's behaviour.
type AgentScenario struct {
	Name string
	// Account, when not nil, writes the account file before the start
	// and starts without a login (the user logs in from the window).
	Account []byte
	Fault   func(e *AgentEnv) error
	Check   func(e *AgentEnv) error
}

// menu is the tray menu: it records renders; a test clicks through it.
type menu struct {
	actions chan tray.Action
	renders atomic.Int64
	zero    atomic.Int64 // renders with nothing unread
	mu      sync.Mutex
	last    tray.View
}

func (m *menu) Render(v tray.View) {
	m.mu.Lock()
	m.last = v
	m.mu.Unlock()
	m.renders.Add(1)
	if v.Unread == 0 {
		m.zero.Add(1)
	}
}

func (m *menu) Actions() <-chan tray.Action { return m.actions }

func (m *menu) view() tray.View {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.last
}

// popups is a notification daemon that can hang: a hung Show returns
// only once the daemon recovers (it answers late), or when the agent
// gives up on it.
type popups struct {
	ledger *Ledger
	mu     sync.Mutex
	hang   chan struct{} // not nil while hung; closed to recover
	Hung   atomic.Int64  // calls that hung
}

func (p *popups) Show(ctx context.Context, pp notify.Popup) error {
	p.mu.Lock()
	h := p.hang
	p.mu.Unlock()
	if h != nil {
		p.Hung.Add(1)
		select {
		case <-h:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if !pp.Important && pp.Count <= 1 {
		p.ledger.Delivered(pp.Title)
	}
	return nil
}

// Hang makes the daemon stop answering until the returned func is called.
func (p *popups) Hang() (recover func()) {
	h := make(chan struct{})
	p.mu.Lock()
	p.hang = h
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		p.hang = nil
		p.mu.Unlock()
		close(h)
	}
}

// window wraps a window process to count what the agent did with it.
type window struct {
	tray.WindowProcess
	env *AgentEnv
}

func (w window) Kill() error {
	w.env.Kills.Add(1)
	return w.WindowProcess.Kill()
}

// Receive counts the window's end: its process exited or was killed
// (ipc.Child kills a window that stopped reading on its own).
func (w window) Receive() (ipc.Message, error) {
	m, err := w.WindowProcess.Receive()
	if err != nil {
		w.env.Exited.Add(1)
	}
	return m, err
}

// pipeWindow is a window in this process, on OS pipes as a real one's
// stdin and stdout are: the user side is driven by the scenario.
type pipeWindow struct {
	*ipc.Conn
	user  *ipc.Conn
	close func()
	done  chan struct{}
}

func newPipeWindow() (*pipeWindow, error) {
	ar, ww, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	wr, aw, err := os.Pipe()
	if err != nil {
		ar.Close()
		ww.Close()
		return nil, err
	}
	w := &pipeWindow{Conn: ipc.NewConn(ar, aw), user: ipc.NewConn(wr, ww), done: make(chan struct{})}
	var once sync.Once
	w.close = func() { once.Do(func() { ww.Close(); aw.Close(); ar.Close(); wr.Close(); close(w.done) }) }
	return w, nil
}

func (w *pipeWindow) Kill() error { w.close(); return nil }
func (w *pipeWindow) Wait() error { <-w.done; return nil }

// AgentEnv is what an agent scenario acts on.
type AgentEnv struct {
	Env
	Menu   *menu
	Popups *popups
	// Launch opens the window for view; the scenario sets it.
	Launch func(ctx context.Context, view string) (tray.WindowProcess, error)
	// Spawned, Kills and Exited count window processes started, killed
	// by the agent, and gone (for whatever reason).
	Spawned, Kills, Exited atomic.Int64
	windows                chan *pipeWindow
	stateDir               string
	accountPath            string
}

// Click sends an action; an agent that does not take it within the
// freeze time is frozen.
func (e *AgentEnv) Click(a tray.Action) error {
	select {
	case e.Menu.actions <- a:
		return nil
	case <-time.After(e.opts.Freeze):
		return fmt.Errorf("%w: the agent did not take the click %v within %v", errFrozen, a, e.opts.Freeze)
	}
}

// spawn starts a real window process running sh -c script.
func (e *AgentEnv) spawn(script string) func(ctx context.Context, view string) (tray.WindowProcess, error) {
	return func(ctx context.Context, view string) (tray.WindowProcess, error) {
		c, err := ipc.Spawn(ctx, "/bin/sh", []string{"-c", script})
		if err != nil {
			return nil, err
		}
		e.Spawned.Add(1)
		return window{WindowProcess: c, env: e}, nil
	}
}

// alive waits until the agent rendered n more views: its loop runs.
func (e *AgentEnv) alive(what string, n int64) error {
	from := e.Menu.renders.Load()
	return e.wait(what, func() bool { return e.Menu.renders.Load() >= from+n })
}

// AgentScenarios are the agent-side fault classes.
var AgentScenarios = []AgentScenario{
	{Name: "hung notification daemon", Fault: func(e *AgentEnv) error {
		// The daemon stops answering, then comes back (restarted): the
		// agent keeps taking tasks meanwhile and every popup shows once.
		hung := e.Popups.Hung.Load()
		recover := e.Popups.Hang()
		err := e.wait("a popup call that hangs", func() bool { return e.Popups.Hung.Load() > hung })
		if err == nil {
			err = e.alive("the agent rendering new tasks while the daemon hangs", 20)
		}
		recover()
		return err
	}, Check: func(e *AgentEnv) error { return atLeast("popup calls that hung", e.Popups.Hung.Load(), 1) }},
	{Name: "stuck window", Fault: func(e *AgentEnv) error {
		// A Recent tasks window that never reads its stdin: the pipe fills
		// up with pages of tasks; the agent must not wait on it, and
		// kills it.
		e.Launch = e.spawn("exec sleep 3600")
		exited := e.Exited.Load()
		if err := e.Click(tray.ActionRecent); err != nil {
			return err
		}
		if err := e.alive("the agent rendering new tasks while the window is stuck", 20); err != nil {
			return err
		}
		return e.wait("the stuck window gone", func() bool { return e.Exited.Load() > exited })
	}, Check: func(e *AgentEnv) error { return atLeast("stuck windows gone", e.Exited.Load(), 1) }},
	{Name: "garbage window", Fault: func(e *AgentEnv) error {
		// A window that writes 2 MB of random bytes (over-long and
		// malformed lines), then a valid "mark all read", then exits: the
		// agent must skip the garbage and still hear the window.
		e.Launch = e.spawn(`head -c 2000000 /dev/urandom; echo; echo '{"type":"mark_all_read"}'; exec sleep 1`)
		exited := e.Exited.Load()
		if err := e.wait("something unread", func() bool { return e.Menu.view().Unread > 0 }); err != nil {
			return err
		}
		zero := e.Menu.zero.Load()
		if err := e.Click(tray.ActionRecent); err != nil {
			return err
		}
		if err := e.wait("the window's mark-all-read after its garbage", func() bool { return e.Menu.zero.Load() > zero }); err != nil {
			return err
		}
		return e.wait("the window gone", func() bool { return e.Exited.Load() > exited })
	}, Check: func(e *AgentEnv) error { return atLeast("garbage windows spawned", e.Spawned.Load(), 1) }},
	{Name: "corrupt account file", Account: []byte("{\"kind\":\"native\",\"server\":\x00\xff garbage"), Fault: func(e *AgentEnv) error {
		// Not logged in, the account file damaged: the agent must start,
		// offer "Log in…", and log in from the window.
		if e.Sess.Token != "" {
			return nil // logged in by an earlier round
		}
		if err := e.wait("a view offering Log in…", func() bool { v := e.Menu.view(); return e.Menu.renders.Load() > 0 && v.User == "" }); err != nil {
			return err
		}
		e.Launch = func(ctx context.Context, view string) (tray.WindowProcess, error) {
			w, err := newPipeWindow()
			if err != nil {
				return nil, err
			}
			e.windows <- w
			return w, nil
		}
		if err := e.Click(tray.ActionLogin); err != nil {
			return err
		}
		var w *pipeWindow
		select {
		case w = <-e.windows:
		case <-time.After(e.opts.Freeze):
			return errors.New("no login window opened")
		}
		if err := w.user.Send(ipc.Login{Kind: "native", Server: e.P.URL(), Username: chaosUser, Password: chaosPass}); err != nil {
			return err
		}
		for {
			m, err := w.user.Receive()
			if err != nil {
				return fmt.Errorf("login window: %w", err)
			}
			if r, ok := m.(ipc.LoginResult); ok {
				if !r.OK {
					return fmt.Errorf("login refused: %s", r.Error)
				}
				break
			}
		}
		e.Sess.Token = "logged in"
		e.paused.Store(false) // tasks from now on must all pop
		return nil
	}, Check: func(e *AgentEnv) error {
		a, err := auth.LoadAccount(e.accountPath)
		if err != nil || a.Username != chaosUser {
			return fmt.Errorf("the damaged account file was not replaced by the login: %+v, %v", a, err)
		}
		return nil
	}},
}

// RunAgentScenario runs one agent scenario.
func RunAgentScenario(sc AgentScenario, opts Options) (res Result) {
	res = Result{Kind: "agent (native)", Scenario: sc.Name}
	start := time.Now()
	defer func() { res.Elapsed = time.Since(start) }()
	keyring.MockInit()
	res.HeapBefore, res.GoBefore = memory()
	log := opts.Log.With("kind", "agent", "scenario", sc.Name)
	dir, err := os.MkdirTemp(opts.Dir, "chaos-agent-")
	if err != nil {
		res.Err = err
		return res
	}
	defer os.RemoveAll(dir)
	bk, err := startNative(log)
	if err != nil {
		res.Err = err
		return res
	}
	b := bk.(*nativeBackend)
	b.body = strings.Repeat("A task body of a realistic size. ", 30) // ~1 KB: Recent pages fill a pipe
	e := &AgentEnv{Env: Env{B: b, P: b.Proxy(), L: NewLedger(), opts: opts, log: log, frozen: make(chan struct{}), name: "agent " + sc.Name},
		windows: make(chan *pipeWindow, 4), stateDir: dir, accountPath: filepath.Join(dir, "account.json")}
	e.Menu = &menu{actions: make(chan tray.Action)}
	e.Popups = &popups{ledger: e.L}
	e.Launch = func(ctx context.Context, view string) (tray.WindowProcess, error) {
		return nil, errors.New("no window in this scenario")
	}
	cfg := tray.Config{
		Menu: e.Menu, Popups: e.Popups, Tokens: auth.NewTokenStore(auth.NewSystemKeyring(time.Second)),
		Windows:  func(ctx context.Context, view string) (tray.WindowProcess, error) { return e.Launch(ctx, view) },
		StateDir: dir, Logger: log,
		ConnOptions: func(c *conn.Config) {
			c.Backoff = conn.Backoff{Base: 100 * time.Millisecond, Max: time.Second}
			c.StableAfter = time.Second
		},
	}
	if sc.Account != nil {
		cfg.AccountPath = e.accountPath
		if err := os.WriteFile(e.accountPath, sc.Account, 0o600); err != nil {
			res.Err = err
			b.Close()
			return res
		}
	} else {
		cfg.Login = &tray.Login{Account: auth.Account{Kind: "native", Server: b.proxy.URL(), Username: chaosUser}, Password: chaosPass}
		e.Sess.Token = "demo login"
	}
	a, err := tray.NewAgent(cfg)
	if err != nil {
		b.Close()
		res.Err = err
		return res
	}
	ctx, cancel := context.WithCancel(context.Background())
	agentDone := make(chan error, 1)
	go func() { agentDone <- a.Run(ctx) }()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	res.Err = func() error {
		if sc.Account == nil {
			if err := e.wait("a connected agent", func() bool { return e.Menu.view().User != "" && e.P.Live() > 0 }); err != nil {
				return err
			}
		}
		e.paused.Store(sc.Account != nil) // nothing to deliver before the login
		wg.Add(2)
		go e.publish(stop, &wg)
		go e.watchdog(stop, &wg)
		for end := time.Now().Add(opts.Duration); res.Rounds == 0 || time.Now().Before(end); {
			res.Rounds++
			if err := sc.Fault(e); err != nil {
				return fmt.Errorf("round %d: %w", res.Rounds, err)
			}
			if err := e.Marker(); err != nil {
				return fmt.Errorf("round %d: %w", res.Rounds, err)
			}
		}
		e.Pause()
		if err := e.Drained(); err != nil {
			return err
		}
		if err := e.Marker(); err != nil {
			return err
		}
		if sc.Check != nil {
			return sc.Check(e)
		}
		return nil
	}()
	close(stop)
	wg.Wait()
	cancel()
	select {
	case err := <-agentDone:
		if err != nil && res.Err == nil {
			res.Err = fmt.Errorf("agent: %w", err)
		}
	case <-time.After(opts.Freeze):
		if res.Err == nil {
			res.Err = fmt.Errorf("%w: the agent did not stop within %v", errFrozen, opts.Freeze)
		}
	}
	res.Tally = e.L.Tally()
	b.Close()
	res.GoAfter = settle(res.GoBefore)
	res.HeapAfter, _ = memory()
	if res.Err == nil {
		res.Err = verdict(res)
	}
	return res
}
