package chaos

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"tasktray/auth"
	"tasktray/conn"
)

// Options tune a run.
type Options struct {
	// Duration is how long each scenario keeps injecting its fault, per
	// kind; every scenario runs its fault at least once.
	Duration time.Duration
	// Every is the pause between two published tasks.
	Every time.Duration
	// Freeze is the watchdog: no delivery for this long while a published
	// task is missing fails the scenario as frozen.
	Freeze time.Duration
	// Dir holds the cursor files; "" uses a temporary folder.
	Dir string
	Log *slog.Logger
}

// Result is one row of the report.
type Result struct {
	Kind, Scenario string
	Tally
	Rounds                int
	Gaps                  int64 // Gaps the client published (the user was told)
	Detect                []time.Duration
	HeapBefore, HeapAfter uint64
	GoBefore, GoAfter     int
	Elapsed               time.Duration
	Skip                  string // why it did not run
	Err                   error  // why it failed
}

// Env is what a scenario's fault acts on.
type Env struct {
	B      Backend
	P      *Proxy
	L      *Ledger
	Link   *Link
	Clock  *JumpClock
	Cursor *FullDisk
	Sess   auth.Session
	opts   Options
	log    *slog.Logger

	pubMu   sync.Mutex // held while a task is published, so Pause waits for it
	paused  atomic.Bool
	markers atomic.Int64
	seq     atomic.Int64
	frozen  chan struct{}
	why     atomic.Value
	name    string
}

var errFrozen = errors.New("frozen")

// wait polls cond until it holds; it fails when the watchdog fired or
// after twice the freeze time (a guard, not a timing assertion).
func (e *Env) wait(what string, cond func() bool) error {
	state := func() string {
		if e.Link == nil {
			return "agent"
		}
		return e.Link.State().String()
	}
	deadline := time.Now().Add(2 * e.opts.Freeze)
	for !cond() {
		select {
		case <-e.frozen:
			return fmt.Errorf("%w (%v) while waiting for %s; state %v", errFrozen, e.why.Load(), what, state())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: no %s within %v; state %v", errFrozen, what, 2*e.opts.Freeze, state())
		}
	}
	return nil
}

// Reconnected waits for a Connected link newer than gen.
func (e *Env) Reconnected(gen uint64) error {
	return e.wait(fmt.Sprintf("link newer than generation %d", gen), func() bool {
		s := e.Link.State()
		return s.Phase == conn.Connected && s.Generation > gen
	})
}

// Connected waits for a Connected link.
func (e *Env) Connected() error {
	return e.wait("connected link", func() bool { return e.Link.State().Phase == conn.Connected })
}

// Relogin waits until the server refused the token, logs in again and
// hands the client the new token, as the user does from the menu.
func (e *Env) Relogin() error {
	if err := e.wait("log in required", func() bool { return e.Link.State().Phase == conn.AuthRequired }); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := e.B.Login(ctx)
	if err != nil {
		return fmt.Errorf("log in again: %w", err)
	}
	e.Sess = s
	e.Link.Client.SetToken(s.Token)
	return nil
}

// Marker publishes a task and waits until it is delivered: everything the
// client was going to deliver before it has had its chance.
func (e *Env) Marker() error {
	var title string
	err := e.wait("a marker published", func() bool {
		title = fmt.Sprintf("%s marker %d", e.name, e.markers.Add(1))
		err := e.B.Publish(title)
		if err != nil && !errors.Is(err, errDown) {
			// A refusal under load (ntfy answers a spurious 403 to
			// concurrent requests from one address) or a server dying
			// as it answered: it may have been kept. Try another one.
			e.log.Warn("marker publish failed", "err", err)
			e.L.Maybe(title)
		}
		if err != nil {
			time.Sleep(50 * time.Millisecond)
			return false
		}
		return true
	})
	if err != nil {
		return err
	}
	e.L.Published(title)
	return e.wait("marker "+title, func() bool { return e.L.Has(title) })
}

// warmUp publishes uncounted tasks, one at a time, until one arrives: the
// client is subscribed. A task lost before that is the "fresh login"
// scenario's to find, not every scenario's.
func (e *Env) warmUp() error {
	prefix := e.name + " warm-up "
	e.L.mu.Lock()
	e.L.ignore = prefix
	e.L.mu.Unlock()
	got := make(chan struct{})
	var once sync.Once
	seen := func(title string) {
		if strings.HasPrefix(title, prefix) {
			once.Do(func() { close(got) })
		}
	}
	e.Link.onTask.Store(&seen)
	defer e.Link.onTask.Store(nil)
	deadline := time.After(2 * e.opts.Freeze)
	for i := 0; ; i++ {
		if err := e.B.Publish(fmt.Sprintf("%s%d", prefix, i)); err != nil && !errors.Is(err, errDown) {
			return err
		}
		select {
		case <-got:
			return nil
		case <-time.After(200 * time.Millisecond):
		case <-deadline:
			return fmt.Errorf("%w: no warm-up task arrived within %v", errFrozen, 2*e.opts.Freeze)
		}
	}
}

// Drained waits until every published task was delivered.
func (e *Env) Drained() error {
	return e.wait("every published task", func() bool { return e.L.Missing() == 0 })
}

// RestartClient stops the client and starts a new one on the same cursor
// store, as an app restart does (without the login's resume point, which
// is not kept).
func (e *Env) RestartClient() error {
	if err := e.Link.Stop(); err != nil {
		return err
	}
	return e.startClient("")
}

// startClient starts a client from startFrom (after Stop), keeping the
// counts of the one before.
func (e *Env) startClient(startFrom string) error {
	l, err := StartLink(e.config(startFrom), e.L, e.log)
	if err != nil {
		return err
	}
	l.Gaps.Add(e.Link.Gaps.Load())
	l.detect = e.Link.Detections()
	e.Link = l
	return e.Connected()
}

func (e *Env) config(startFrom string) conn.Config {
	cfg := conn.Config{
		Protocol: e.B.Protocol(), Token: e.Sess.Token, StartFrom: startFrom, Cursor: e.Cursor, Clock: e.Clock,
		Backoff: conn.Backoff{Base: 100 * time.Millisecond, Max: time.Second}, StableAfter: time.Second,
	}
	if d, ok := e.B.(dialerBackend); ok {
		cfg.Dialer = d.Dialer(cfg.Protocol)
	}
	return cfg
}

// publish keeps publishing until stop closes.
func (e *Env) publish(stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	t := time.NewTicker(e.opts.Every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		e.pubMu.Lock()
		if !e.paused.Load() {
			title := fmt.Sprintf("%s #%d", e.name, e.seq.Add(1))
			if err := e.B.Publish(title); err == nil {
				e.L.Published(title)
			} else if !errors.Is(err, errDown) {
				e.L.Maybe(title)
			}
		}
		e.pubMu.Unlock()
	}
}

// Pause stops the publisher and returns once no task is being published.
func (e *Env) Pause() {
	e.pubMu.Lock()
	e.paused.Store(true)
	e.pubMu.Unlock()
}

func (e *Env) watchdog(stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		if d := e.L.Stalled(); d > e.opts.Freeze {
			e.why.Store(fmt.Sprintf("nothing delivered for %v with %d tasks missing", d.Round(time.Second), e.L.Missing()))
			close(e.frozen)
			return
		}
	}
}

func memory() (heap uint64, goroutines int) {
	// Twice: what a pending finalizer (a closed file's, a socket's) keeps
	// alive is freed only by the GC after the one that queued it.
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc, runtime.NumGoroutine()
}

// settle waits until the goroutines are back to at most n, for up to 10 s.
func settle(n int) int {
	deadline := time.Now().Add(10 * time.Second)
	for {
		g := runtime.NumGoroutine()
		if g <= n || time.Now().After(deadline) {
			return g
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// RunScenario runs one link scenario against one kind.
func RunScenario(k Kind, sc Scenario, opts Options) (res Result) {
	res = Result{Kind: k.Name, Scenario: sc.Name}
	if k.Skip != "" {
		res.Skip = k.Skip
		return res
	}
	if why := k.Unsupported[sc.Name]; why != "" {
		res.Skip = why
		return res
	}
	start := time.Now()
	defer func() { res.Elapsed = time.Since(start) }()
	res.HeapBefore, res.GoBefore = memory()
	if k.Every > opts.Every {
		opts.Every = k.Every
	}
	log := opts.Log.With("kind", k.Name, "scenario", sc.Name)
	dir, err := os.MkdirTemp(opts.Dir, "chaos-")
	if err != nil {
		res.Err = err
		return res
	}
	defer os.RemoveAll(dir)
	b, err := k.Start(log)
	if err != nil {
		res.Err = fmt.Errorf("start server: %w", err)
		return res
	}
	e := &Env{B: b, P: b.Proxy(), L: NewLedger(), Clock: &JumpClock{}, opts: opts, log: log, frozen: make(chan struct{}),
		Cursor: &FullDisk{FileCursor: conn.FileCursor{Path: filepath.Join(dir, "cursor.json")}}, name: k.Name + " " + sc.Name}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	e.Sess, err = b.Login(ctx)
	cancel()
	if err != nil {
		b.Close()
		res.Err = fmt.Errorf("log in: %w", err)
		return res
	}
	if e.Link, err = StartLink(e.config(e.Sess.Resume), e.L, log); err != nil {
		b.Close()
		res.Err = err
		return res
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	res.Err = func() error {
		if err := e.Connected(); err != nil {
			return err
		}
		if !sc.Cold {
			if err := e.warmUp(); err != nil {
				return err
			}
		}
		wg.Add(2)
		go e.publish(stop, &wg)
		go e.watchdog(stop, &wg)
		if err := e.Marker(); err != nil {
			return err
		}
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
		// A repeat in flight shows before a marker sent after it.
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
	if err := e.Link.Stop(); err != nil && res.Err == nil {
		res.Err = fmt.Errorf("client: %w", err)
	}
	res.Detect = e.Link.Detections()
	res.Gaps = e.Link.Gaps.Load()
	res.Tally = e.L.Tally()
	b.Close()
	res.GoAfter = settle(res.GoBefore)
	res.HeapAfter, _ = memory()
	if res.Err == nil {
		res.Err = verdict(res)
	}
	return res
}

// verdict fails a result that lost, repeated or grew goroutines.
func verdict(r Result) error {
	switch {
	case r.Lost > 0:
		return fmt.Errorf("%d lost", r.Lost)
	case r.Duplicated > 0:
		return fmt.Errorf("%d duplicated, e.g. %s", r.Duplicated, strings.Join(r.Twice, ", "))
	case r.Extra > 0:
		return fmt.Errorf("%d delivered that were never published, e.g. %s", r.Extra, strings.Join(r.Strangers, ", "))
	case r.GoAfter > r.GoBefore:
		return fmt.Errorf("goroutines grew from %d to %d", r.GoBefore, r.GoAfter)
	}
	return nil
}
