package tray

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"tasktray/assets"
	"tasktray/auth"
)

// lockableKeyring is a Secret Service whose collection can be locked: every
// call then fails as go-keyring's does when no one unlocks it.
type lockableKeyring struct {
	mu      sync.Mutex
	locked  bool
	secrets map[string]string
}

func newLockableKeyring() *lockableKeyring {
	return &lockableKeyring{secrets: map[string]string{}}
}

func (k *lockableKeyring) setLocked(v bool) { k.mu.Lock(); k.locked = v; k.mu.Unlock() }

func (k *lockableKeyring) secret(user string) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.secrets[user]
}

var errLocked = fmt.Errorf("%w: %w", auth.ErrKeyringUnavailable, auth.ErrKeyringLocked)

func (k *lockableKeyring) Get(_ context.Context, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.locked {
		return "", errLocked
	}
	s, ok := k.secrets[user]
	if !ok {
		return "", auth.ErrNotFound
	}
	return s, nil
}

func (k *lockableKeyring) Set(_ context.Context, user, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.locked {
		return errLocked
	}
	k.secrets[user] = secret
	return nil
}

func (k *lockableKeyring) Delete(_ context.Context, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.locked {
		return errLocked
	}
	if _, ok := k.secrets[user]; !ok {
		return auth.ErrNotFound
	}
	delete(k.secrets, user)
	return nil
}

// TestLockedKeyringAtStartWaitsForUnlock: the login is not forgotten when
// the keyring is locked at start; the menu says so, and the agent connects
// once the keyring is unlocked, by its retries or at once on the
// keyring's signal.
func TestLockedKeyringAtStartWaitsForUnlock(t *testing.T) {
	for _, how := range []string{"retry", "signal"} {
		t.Run(how, func(t *testing.T) {
			f := newFixture(t)
			k := newLockableKeyring()
			f.cfg.Tokens = auth.NewTokenStore(k)
			f.start(t)
			f.login(t, "wonderland").expect(t, "ok", isResult)
			f.menu.waitView(t, "connected", func(v View) bool { return v.Icon == assets.Connected })
			waitFor(t, "the token saved", func() bool { return k.secret("alice@"+f.url) != "" })
			f.stop()

			k.setLocked(true)
			changed := make(chan struct{})
			f.cfg.KeyringChanged = changed
			f.cfg.KeyringRetry = Backoff{Min: 5 * time.Millisecond, Max: 20 * time.Millisecond}
			if how == "signal" {
				f.cfg.KeyringRetry = Backoff{Min: time.Hour, Max: time.Hour}
			}
			f.start(t)
			f.menu.waitView(t, "keyring locked", func(v View) bool { return v.Status == msgKeyringLockedLoad.String() })
			k.setLocked(false)
			if how == "signal" {
				poke(t, changed)
			}
			v := f.menu.waitView(t, "connected after unlock", func(v View) bool { return v.Icon == assets.Connected })
			if v.User != "alice" || strings.Contains(v.Status, "Keyring") {
				t.Fatalf("after unlock: %+v", v)
			}
		})
	}
}

// TestLockedKeyringAtLoginSavesOnUnlock: a login while the keyring is
// locked connects with the token in memory, says so, and saves the token
// once the keyring is unlocked.
func TestLockedKeyringAtLoginSavesOnUnlock(t *testing.T) {
	f := newFixture(t)
	k := newLockableKeyring()
	k.setLocked(true)
	f.cfg.Tokens = auth.NewTokenStore(k)
	f.cfg.KeyringRetry = Backoff{Min: 5 * time.Millisecond, Max: 20 * time.Millisecond}
	f.start(t)
	f.login(t, "wonderland").expect(t, "ok", isResult)
	f.menu.waitView(t, "connected, login kept in memory", func(v View) bool {
		return v.Icon == assets.Connected && strings.Contains(v.Status, msgKeyringLockedSave.String())
	})
	k.setLocked(false)
	waitFor(t, "the token saved after unlock", func() bool { return k.secret("alice@"+f.url) != "" })
	f.menu.waitView(t, "the note gone", func(v View) bool {
		return v.Icon == assets.Connected && !strings.Contains(v.Status, "Keyring")
	})
}
