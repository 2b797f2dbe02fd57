package tray

import (
	"context"
	"errors"
	"sync"
	"time"

	"tasktray/auth"
)

// What a keyring call waiting for the keyring was for.
const (
	keyringLoad = iota // the token at start: the user is not connected yet
	keyringSave        // a new token: connected, the token in memory only
)

// keyringRetry is a keyring call that failed because the keyring is locked
// or not running, tried again after a doubling wait (Config.KeyringRetry)
// and at once on Config.KeyringChanged or "Reconnect now". A locked keyring
// at start must not forget the login: the user unlocks it, and the app
// connects.
type keyringRetry struct {
	what   int
	err    error // what the keyring said last
	again  func()
	delay  time.Duration
	timer  *time.Timer
	queued bool // a try is queued in the keyring peer; no second one
}

// waitForKeyring schedules again after a wait that doubles with each
// failure of the same call.
func (a *Agent) waitForKeyring(what int, err error, again func()) {
	r := a.keyringWait
	if r == nil || r.what != what {
		a.stopKeyringRetry()
		r = &keyringRetry{what: what, delay: a.cfg.KeyringRetry.Min}
		a.keyringWait = r
	} else {
		r.delay = min(r.delay*2, a.cfg.KeyringRetry.Max)
		r.timer.Stop()
	}
	r.err, r.again, r.queued = err, again, false
	r.timer = time.NewTimer(r.delay)
}

// retryKeyring tries the waiting call again; its answer reschedules it or
// ends the wait.
func (a *Agent) retryKeyring() {
	r := a.keyringWait
	if r == nil || r.queued {
		return
	}
	r.queued = true
	r.again()
}

// retryKeyringNow cuts the wait short: the keyring may be usable now.
func (a *Agent) retryKeyringNow() {
	if r := a.keyringWait; r != nil {
		r.timer.Stop()
		a.retryKeyring()
	}
}

func (a *Agent) stopKeyringRetry() {
	if r := a.keyringWait; r != nil {
		r.timer.Stop()
		a.keyringWait = nil
	}
}

// keyringStatus says what waits for the keyring, for the status line; ""
// when nothing does.
func (a *Agent) keyringStatus() string {
	r := a.keyringWait
	if r == nil {
		return ""
	}
	locked := errors.Is(r.err, auth.ErrKeyringLocked) || errors.Is(r.err, auth.ErrKeyringTimeout)
	switch {
	case r.what == keyringLoad && locked:
		return msgKeyringLockedLoad.String()
	case r.what == keyringLoad:
		return msgKeyringDownLoad.String()
	case locked:
		return msgKeyringLockedSave.String()
	}
	return msgKeyringDownSave.String()
}

// prefetchKeyring is the system keyring with the saved account's token
// asked for at start (prefetch), while the agent sets up its D-Bus
// services and its tray icon: the agent's first Get then takes that answer
// instead of waiting for its own round trips to the Secret Service, and
// the link dials sooner. Every call still comes through the agent's
// keyring peer, in order; the prefetch only answers the first Get early.
// It answers no other: any Set or Delete drops it (it may be stale), and
// so does the first Get, whatever its user.
type prefetchKeyring struct {
	auth.Keyring
	// quick, when not nil, is what the prefetch tries first: it reads the
	// secret in fewer round trips than the Keyring's Get, or says it cannot
	// (quickRead).
	quick   func(ctx context.Context, user string) (string, bool)
	mu      sync.Mutex
	pending *prefetched // nil once taken or dropped
	last    *prefetched // the last prefetch, taken or not
}

// Keyring is the system keyring with the saved account's token asked for
// already, for Options.Keyring: PrefetchKeyring makes it.
type Keyring struct{ keys *prefetchKeyring }

// PrefetchKeyring returns the system keyring and asks it now, on a
// goroutine that ends once the keyring answers or ctx ends, for the token
// of the account saved at auth.AccountPath, if any. Only the user's one
// agent may ask: call it once the lock is this process's (the locked of
// StartInstanceWith), never in a start that will exit.
func PrefetchKeyring(ctx context.Context) *Keyring {
	keys := newPrefetchKeyring()
	keys.prefetch(ctx, savedUser)
	return &Keyring{keys}
}

func newPrefetchKeyring() *prefetchKeyring {
	k := &prefetchKeyring{Keyring: auth.NewSystemKeyring(0)}
	if hasQuickRead {
		k.quick = quickRead
	}
	return k
}

// quickTurn is held by the quick read under way.
var quickTurn = make(chan struct{}, 1)

// quickRead is readSecret for the saved account's user, waited for at most
// auth.DefaultKeyringTimeout or until ctx ends: a Secret Service that does
// not answer costs the prefetch that wait, then the keyring's Get its own.
// readSecret's calls cannot be cancelled: its goroutine ends once the
// service answers, like the keyring's (auth.SystemKeyring), and closes the
// session after handing the secret on. One quick read runs at a time: while
// one waits for a hung service, another prefetch skips it and asks the
// keyring's Get, so a silent service holds one read's goroutines however
// often the agent asks.
func quickRead(ctx context.Context, user string) (string, bool) {
	ctx, cancel := context.WithTimeout(ctx, auth.DefaultKeyringTimeout)
	defer cancel()
	type answer struct {
		secret string
		ok     bool
	}
	select {
	case quickTurn <- struct{}{}:
	default:
		return "", false // the last one still waits for the service
	}
	got := make(chan answer, 1)
	go func() {
		defer func() { <-quickTurn }()
		secret, ok, end := readSecret(auth.KeyringService, user)
		got <- answer{secret, ok}
		end()
	}()
	select {
	case a := <-got:
		return a.secret, a.ok
	case <-ctx.Done():
		return "", false
	}
}

// savedUser is the keyring user of the saved account; false when there is
// none, or it cannot be read (the agent says why once it loads it).
func savedUser() (string, bool) {
	path, err := auth.AccountPath()
	if err != nil {
		return "", false
	}
	acc, err := auth.LoadAccount(path)
	return acc.KeyringUser(), err == nil
}

// prefetched is the answer of one prefetch: done is closed once user (""
// when there is no saved account) and, for a user, secret and err are set.
type prefetched struct {
	done   chan struct{}
	user   string
	secret string
	err    error
}

// prefetch asks the keyring, on a goroutine of its own, for the secret of
// the user that user names, if any; the goroutine ends once the keyring
// answers or ctx ends. Call it before the first Get.
func (k *prefetchKeyring) prefetch(ctx context.Context, user func() (string, bool)) {
	p := &prefetched{done: make(chan struct{})}
	k.mu.Lock()
	k.pending, k.last = p, p
	k.mu.Unlock()
	go func() {
		defer close(p.done)
		name, ok := user()
		if !ok {
			return
		}
		p.user = name
		if k.quick != nil {
			if secret, ok := k.quick(ctx, name); ok {
				p.secret = secret
				return
			}
		}
		p.secret, p.err = k.Keyring.Get(ctx, name)
	}()
}

// answered is closed once the last prefetch has its answer, and at once
// when none was made.
func (k *prefetchKeyring) answered() <-chan struct{} {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.last == nil {
		done := make(chan struct{})
		close(done)
		return done
	}
	return k.last.done
}

// take removes the prefetch and returns it, nil when there is none.
func (k *prefetchKeyring) take() *prefetched {
	k.mu.Lock()
	defer k.mu.Unlock()
	p := k.pending
	k.pending = nil
	return p
}

func (k *prefetchKeyring) Get(ctx context.Context, user string) (string, error) {
	if p := k.take(); p != nil {
		select {
		case <-p.done:
		case <-ctx.Done():
			return "", ctx.Err()
		}
		if p.user == user {
			return p.secret, p.err
		}
	}
	return k.Keyring.Get(ctx, user)
}

func (k *prefetchKeyring) Set(ctx context.Context, user, secret string) error {
	k.take()
	return k.Keyring.Set(ctx, user, secret)
}

func (k *prefetchKeyring) Delete(ctx context.Context, user string) error {
	k.take()
	return k.Keyring.Delete(ctx, user)
}
