package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

// KeyringService is the service name every tasktray keyring entry is stored
// under; the entry's user is Account.KeyringUser().
const KeyringService = "tasktray"

// DefaultKeyringTimeout bounds one keyring call. A Secret Service waiting on
// an unlock prompt nobody answers never replies, and the app must not freeze
// behind it.
const DefaultKeyringTimeout = 3 * time.Second

// Keyring errors. Every error a Keyring returns wraps one of these, or is the
// error of the caller's ctx, and never contains the secret.
var (
	// ErrNotFound means nothing usable is saved for the user.
	ErrNotFound = errors.New("no token saved in the keyring")
	// ErrKeyringUnavailable means the keyring cannot be used at all: no
	// Secret Service on the bus, a locked collection, no session bus.
	ErrKeyringUnavailable = errors.New("keyring unavailable")
	// ErrTokenTooLarge means the secret exceeds what the keyring takes.
	ErrTokenTooLarge = errors.New("token too large for the keyring")
	// ErrKeyringTimeout means the keyring did not answer within the timeout;
	// an unlock prompt nobody answered yet looks like this.
	ErrKeyringTimeout = errors.New("keyring did not answer in time")
	// ErrKeyringLocked means the collection is locked and was not
	// unlocked; it comes wrapped beside ErrKeyringUnavailable.
	ErrKeyringLocked = errors.New("the keyring is locked")
)

// Finer causes of ErrKeyringUnavailable, wrapped beside it so the store can
// tell the user in plain words what to do.
var (
	errNoSecretService = errors.New("no Secret Service is running on the session bus")
)

// KeyringMayRecover reports whether err is a keyring failure that may pass
// without the user logging in again: the keyring is locked, not running
// yet, or did not answer (an unlock prompt is open). A caller tries again
// later. Not found, a token too large, and a cancelled ctx do not pass.
func KeyringMayRecover(err error) bool {
	switch {
	case err == nil, errors.Is(err, ErrNotFound), errors.Is(err, ErrTokenTooLarge), isContextErr(err):
		return false
	}
	return errors.Is(err, ErrKeyringUnavailable) || errors.Is(err, ErrKeyringTimeout)
}

// Keyring keeps one secret per user name under KeyringService.
type Keyring interface {
	// Get returns the secret saved for user, or an error wrapping ErrNotFound.
	Get(ctx context.Context, user string) (string, error)
	// Set saves secret for user, replacing any earlier one.
	Set(ctx context.Context, user, secret string) error
	// Delete removes user's secret, or returns an error wrapping ErrNotFound.
	Delete(ctx context.Context, user string) error
}

// keyringBackend is the shape of go-keyring's package functions, so tests
// can put a keyring that hangs in their place.
type keyringBackend interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// goKeyring calls go-keyring's package-level functions, which are what
// keyring.MockInit and keyring.MockInitWithError replace.
type goKeyring struct{}

func (goKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (goKeyring) Set(service, user, secret string) error   { return keyring.Set(service, user, secret) }
func (goKeyring) Delete(service, user string) error        { return keyring.Delete(service, user) }

// SystemKeyring is the OS keyring through go-keyring: the Secret Service
// (gnome-keyring, KeePassXC) on Linux and BSD, the Keychain on macOS, the
// Credential Manager on Windows. Make one with NewSystemKeyring.
//
// go-keyring calls cannot be cancelled, so each one runs in its own goroutine
// and the caller stops waiting after the timeout. That goroutine lives on
// until the OS keyring answers, which for an unanswered unlock prompt may be
// never. Calls are therefore serialized: while one is still stuck, the next
// waits for its turn within its own timeout and then fails with
// ErrKeyringTimeout, so a hung keyring holds at most one goroutine, however
// often it is asked. Serializing also keeps the entries of a chunked token
// from being interleaved by two writers.
type SystemKeyring struct {
	timeout time.Duration
	backend keyringBackend
	// turn holds one value while a call is in the OS keyring.
	turn chan struct{}
}

// NewSystemKeyring returns the OS keyring with each call bounded by timeout
// (DefaultKeyringTimeout when timeout <= 0).
func NewSystemKeyring(timeout time.Duration) *SystemKeyring {
	return newSystemKeyring(timeout, goKeyring{})
}

func newSystemKeyring(timeout time.Duration, b keyringBackend) *SystemKeyring {
	if timeout <= 0 {
		timeout = DefaultKeyringTimeout
	}
	return &SystemKeyring{timeout: timeout, backend: b, turn: make(chan struct{}, 1)}
}

// Get returns the secret saved for user.
func (k *SystemKeyring) Get(ctx context.Context, user string) (string, error) {
	return call(ctx, k, "", func() (string, error) { return k.backend.Get(KeyringService, user) })
}

// Set saves secret for user, replacing any earlier one.
func (k *SystemKeyring) Set(ctx context.Context, user, secret string) error {
	_, err := call(ctx, k, secret, func() (struct{}, error) {
		return struct{}{}, k.backend.Set(KeyringService, user, secret)
	})
	return err
}

// Delete removes user's secret.
func (k *SystemKeyring) Delete(ctx context.Context, user string) error {
	_, err := call(ctx, k, "", func() (struct{}, error) {
		return struct{}{}, k.backend.Delete(KeyringService, user)
	})
	return err
}

// call runs f in its own goroutine and waits for it at most k.timeout.
// secret, when not empty, is scrubbed from any error text.
func call[T any](ctx context.Context, k *SystemKeyring, secret string, f func() (T, error)) (T, error) {
	var zero T
	timeout, cancel := context.WithTimeout(ctx, k.timeout)
	defer cancel()

	select {
	case k.turn <- struct{}{}:
	case <-timeout.Done():
		return zero, waitErr(ctx, "an earlier keyring call is still waiting for an answer")
	}

	type result struct {
		v   T
		err error
	}
	// Buffered, so a goroutine that answers after we gave up can still
	// deliver, release the turn and end.
	done := make(chan result, 1)
	go func() {
		defer func() { <-k.turn }()
		v, err := f()
		done <- result{v, err}
	}()

	select {
	case r := <-done:
		return r.v, mapKeyringErr(r.err, secret)
	case <-timeout.Done():
		return zero, waitErr(ctx, fmt.Sprintf("no answer within %s", k.timeout))
	}
}

// waitErr reports why call stopped waiting: the caller's ctx ended, or the
// keyring (or the call before it) was too slow.
func waitErr(ctx context.Context, detail string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return fmt.Errorf("%w: %s", ErrKeyringTimeout, detail)
}

// mapKeyringErr turns a go-keyring error into this package's errors. The
// original error is not wrapped: its text is copied after removing secret, so
// no later %v of the chain can reveal the token.
func mapKeyringErr(err error, secret string) error {
	var busErr dbus.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotFound
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return ErrTokenTooLarge
	case errors.As(err, &busErr) && (busErr.Name == "org.freedesktop.DBus.Error.ServiceUnknown" ||
		busErr.Name == "org.freedesktop.DBus.Error.NameHasNoOwner"):
		return fmt.Errorf("%w: %w", ErrKeyringUnavailable, errNoSecretService)
	case strings.Contains(err.Error(), "failed to unlock"):
		// go-keyring's text when the collection stays locked: no prompter,
		// the prompt was dismissed, or there is no login collection yet.
		return fmt.Errorf("%w: %w", ErrKeyringUnavailable, ErrKeyringLocked)
	}
	detail := err.Error()
	if secret != "" {
		detail = strings.ReplaceAll(detail, secret, "[redacted]")
	}
	return fmt.Errorf("%w: %s", ErrKeyringUnavailable, detail)
}
