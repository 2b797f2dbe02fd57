// Left out of the realkeyring build, like keyring_test.go: they install
// go-keyring's mock.

//go:build !realkeyring

package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

var testAccount = Account{Kind: "native", Server: "https://tasks.example.com", Username: "ann"}

const testUser = "ann@https://tasks.example.com"

// bigToken returns a token of n bytes that differs at every position, so a
// chunk in the wrong place shows.
func bigToken(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[(i*7+i/len(alphabet))%len(alphabet)]
	}
	return string(b)
}

// entries lists what go-keyring's mock holds for testUser and its chunks.
func entries(t *testing.T) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, u := range []string{testUser, testUser + "#1", testUser + "#2", testUser + "#3", testUser + "#4", testUser + "#5"} {
		v, err := keyring.Get(KeyringService, u)
		if err == nil {
			got[u] = v
		} else if !errors.Is(err, keyring.ErrNotFound) {
			t.Fatal(err)
		}
	}
	return got
}

func save(t *testing.T, s *TokenStore, token string) {
	t.Helper()
	if err := s.Save(context.Background(), Session{Account: testAccount, Token: token}); err != nil {
		t.Fatalf("Save: %v", err)
	}
}

func load(t *testing.T, s *TokenStore) string {
	t.Helper()
	sess, err := s.Load(context.Background(), testAccount)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if sess.Account.KeyringUser() != testUser {
		t.Fatalf("Load returned account %+v", sess.Account)
	}
	return sess.Token
}

func TestStoreSmallToken(t *testing.T) {
	keyring.MockInit()
	s := NewTokenStore(NewSystemKeyring(0))
	save(t, s, "tok-small")

	if got := entries(t); len(got) != 1 || got[testUser] != "tok-small" {
		t.Fatalf("keyring holds %v, want the token alone under %s", got, testUser)
	}
	if !s.Persistent() || s.Reason() != "" {
		t.Errorf("Persistent = %v, Reason = %q", s.Persistent(), s.Reason())
	}
	// A fresh store (the next start) finds it in the keyring.
	if got := load(t, NewTokenStore(NewSystemKeyring(0))); got != "tok-small" {
		t.Errorf("Load = %q", got)
	}
}

func TestStoreChunkedToken(t *testing.T) {
	keyring.MockInit()
	s := NewTokenStore(NewSystemKeyring(0))

	for _, size := range []int{keyringChunkSize, keyringChunkSize + 1, 5000, 4 * keyringChunkSize, MaxTokenSize} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			token := bigToken(size)
			save(t, s, token)
			if got := load(t, NewTokenStore(NewSystemKeyring(0))); got != token {
				t.Fatalf("Load returned %d bytes, want the %d saved", len(got), len(token))
			}
			for user, v := range entries(t) {
				if len(v) > keyringChunkSize {
					t.Errorf("entry %s holds %d bytes, over the %d-byte chunk size", user, len(v), keyringChunkSize)
				}
			}
		})
	}

	token := bigToken(5000)
	save(t, s, token)
	got := entries(t)
	if len(got) != 4 {
		t.Fatalf("keyring holds %d entries, want a manifest and 3 chunks: %v", len(got), got)
	}
	if want := "tasktray-chunked:v1:3:" + checksum(token); got[testUser] != want {
		t.Errorf("manifest %q, want %q", got[testUser], want)
	}
	if got[testUser+"#1"]+got[testUser+"#2"]+got[testUser+"#3"] != token {
		t.Error("chunks do not join into the token")
	}

	// A shorter token leaves no stale chunk behind.
	save(t, s, bigToken(3000))
	if got := entries(t); len(got) != 3 {
		t.Errorf("after a 2-chunk token the keyring holds %d entries, want 3", len(got))
	}
	save(t, s, "tok-small")
	if got := entries(t); len(got) != 1 || got[testUser] != "tok-small" {
		t.Errorf("after a small token the keyring holds %v", got)
	}

	// Delete removes every entry.
	save(t, s, token)
	if err := s.Delete(context.Background(), testAccount); err != nil {
		t.Fatal(err)
	}
	if got := entries(t); len(got) != 0 {
		t.Errorf("after Delete the keyring holds %v", got)
	}
	if err := s.Delete(context.Background(), testAccount); err != nil {
		t.Errorf("Delete of nothing: %v", err)
	}
}

func TestStoreDamagedChunks(t *testing.T) {
	tests := []struct {
		name   string
		damage func()
	}{
		{"chunk rewritten", func() { keyring.Set(KeyringService, testUser+"#2", "x") }},
		{"chunk missing", func() { keyring.Delete(KeyringService, testUser+"#3") }},
		{"manifest damaged", func() { keyring.Set(KeyringService, testUser, "tasktray-chunked:v1:999:zz") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyring.MockInit()
			s := NewTokenStore(NewSystemKeyring(0))
			token := bigToken(5000)
			save(t, s, token)
			tt.damage()

			_, err := NewTokenStore(NewSystemKeyring(0)).Load(context.Background(), testAccount)
			if !errors.Is(err, ErrNotFound) || err.Error() != "no token saved in the keyring: the saved token is incomplete" {
				t.Fatalf("Load: got %v, want ErrNotFound for an incomplete token", err)
			}
			if strings.Contains(err.Error(), "tasktray-chunked") {
				t.Errorf("error shows the manifest: %v", err)
			}
			// The next save replaces it whole.
			save(t, s, "tok-new")
			if got := load(t, NewTokenStore(NewSystemKeyring(0))); got != "tok-new" {
				t.Errorf("Load after re-save = %q", got)
			}
		})
	}
}

func TestStoreTooLargeStaysInMemory(t *testing.T) {
	keyring.MockInit()
	s := NewTokenStore(NewSystemKeyring(0))
	save(t, s, "tok-old")

	token := bigToken(MaxTokenSize + 1)
	save(t, s, token)
	if s.Persistent() {
		t.Error("Persistent after an oversized token")
	}
	const reason = "The server's token is too large for the keyring, so you will need to log in again next time."
	if s.Reason() != reason {
		t.Errorf("Reason = %q, want %q", s.Reason(), reason)
	}
	if got := load(t, s); got != token {
		t.Error("Load in the same process does not return the token")
	}
	// The older token is gone, so the next start asks to log in rather than
	// trying a stale token.
	if got := entries(t); len(got) != 0 {
		t.Errorf("keyring holds %v", got)
	}
	if _, err := NewTokenStore(NewSystemKeyring(0)).Load(context.Background(), testAccount); !errors.Is(err, ErrNotFound) {
		t.Errorf("next start: got %v, want ErrNotFound", err)
	}

	// A later token that fits goes back to the keyring.
	save(t, s, "tok-fits")
	if !s.Persistent() || s.Reason() != "" {
		t.Errorf("after a token that fits: Persistent = %v, Reason = %q", s.Persistent(), s.Reason())
	}
	if got := entries(t)[testUser]; got != "tok-fits" {
		t.Errorf("keyring holds %q", got)
	}
}

func TestStoreFallsBackToMemory(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		reason string
	}{
		{
			name:   "no secret service",
			err:    dbus.Error{Name: "org.freedesktop.DBus.Error.ServiceUnknown", Body: []any{"The name org.freedesktop.secrets was not provided by any .service files"}},
			reason: "No keyring is running (install gnome-keyring or KeePassXC with Secret Service), so you will need to log in again next time.",
		},
		{
			name:   "locked",
			err:    errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"),
			reason: "The keyring is locked: your login is kept until you quit, and saved there once you unlock it.",
		},
		{
			name:   "too big for this OS",
			err:    keyring.ErrSetDataTooBig,
			reason: "The server's token is too large for the keyring, so you will need to log in again next time.",
		},
		{
			name:   "no session bus",
			err:    errors.New(`exec: "dbus-launch": executable file not found in $PATH`),
			reason: `The keyring could not be used (exec: "dbus-launch": executable file not found in $PATH), so you will need to log in again next time.`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keyring.MockInitWithError(tt.err)
			s := NewTokenStore(NewSystemKeyring(0))
			save(t, s, "tok-mem")
			if s.Persistent() || s.Reason() != tt.reason {
				t.Errorf("Persistent = %v, Reason = %q; want false, %q", s.Persistent(), s.Reason(), tt.reason)
			}
			if got := load(t, s); got != "tok-mem" {
				t.Errorf("Load = %q", got)
			}

			// The next start has nothing, and says why.
			next := NewTokenStore(NewSystemKeyring(0))
			_, err := next.Load(context.Background(), testAccount)
			if err == nil || errors.Is(err, ErrNotFound) {
				t.Errorf("next start Load: got %v, want the keyring's error", err)
			}
			if next.Reason() != tt.reason && !errors.Is(tt.err, keyring.ErrSetDataTooBig) {
				t.Errorf("next start Reason = %q", next.Reason())
			}

			// Delete forgets the memory copy even though the keyring fails.
			err = s.Delete(context.Background(), testAccount)
			if err == nil {
				t.Error("Delete hid the keyring's failure")
			}
			if _, err := s.Load(context.Background(), testAccount); err == nil {
				t.Error("Load after Delete still finds a token")
			}
		})
	}
}

// failingKeyring fails Set for one user name, to break a chunked save
// half-way.
type failingKeyring struct {
	Keyring
	failUser string
	err      error
}

func (f failingKeyring) Set(ctx context.Context, user, secret string) error {
	if user == f.failUser {
		return f.err
	}
	return f.Keyring.Set(ctx, user, secret)
}

func TestStoreHalfWrittenChunksAreRemoved(t *testing.T) {
	keyring.MockInit()
	s := NewTokenStore(failingKeyring{Keyring: NewSystemKeyring(0), failUser: testUser + "#2", err: ErrTokenTooLarge})
	save(t, s, bigToken(5000))
	if s.Persistent() {
		t.Error("Persistent after a failed save")
	}
	if got := entries(t); len(got) != 0 {
		t.Errorf("a failed save left %v in the keyring", got)
	}
}

func TestStoreKeyringHangs(t *testing.T) {
	h := newHangingBackend(t)
	s := NewTokenStore(newSystemKeyring(50*time.Millisecond, h))
	save(t, s, "tok-hang")
	const reason = "The keyring did not answer in time, so you will need to log in again next time."
	if s.Persistent() || s.Reason() != reason {
		t.Errorf("Persistent = %v, Reason = %q", s.Persistent(), s.Reason())
	}
	if got := load(t, s); got != "tok-hang" {
		t.Errorf("Load = %q", got)
	}
}

func TestStoreCancelled(t *testing.T) {
	h := newHangingBackend(t)
	s := NewTokenStore(newSystemKeyring(time.Minute, h))
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-h.calls
		cancel()
	}()
	err := s.Save(ctx, Session{Account: testAccount, Token: "tok"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if len(s.memory) != 0 {
		t.Error("a cancelled save kept the token in memory")
	}
}

func TestStoreRejectsEmptyToken(t *testing.T) {
	keyring.MockInit()
	if err := NewTokenStore(NewSystemKeyring(0)).Save(context.Background(), Session{Account: testAccount}); err == nil {
		t.Error("saved an empty token")
	}
}

func TestStoreConcurrent(t *testing.T) {
	keyring.MockInit()
	s := NewTokenStore(NewSystemKeyring(0))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			token := bigToken(1000 + i*700)
			ctx := context.Background()
			if err := s.Save(ctx, Session{Account: testAccount, Token: token}); err != nil {
				t.Error(err)
			}
			// Another goroutine may have saved in between; a token that
			// loads must be whole.
			if sess, err := s.Load(ctx, testAccount); err == nil && !strings.HasPrefix(bigToken(len(sess.Token)), sess.Token) {
				t.Errorf("Load returned a mixed token of %d bytes", len(sess.Token))
			}
			_ = s.Persistent()
		})
	}
	wg.Wait()
}
