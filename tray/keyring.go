package tray

import (
	"errors"
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
