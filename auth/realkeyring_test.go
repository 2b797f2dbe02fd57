//go:build realkeyring

// These tests use the real OS keyring. Run them through
// scripts/keyring-session.sh, which starts a throwaway session bus with an
// unlocked gnome-keyring (or, with --no-keyring, none) and says which in
// TASKTRAY_KEYRING:
//
//	scripts/keyring-session.sh go test -tags realkeyring -run RealKeyring -v ./auth/
//	scripts/keyring-session.sh --no-keyring go test -tags realkeyring -run RealKeyring -v ./auth/

package auth

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"go.uber.org/goleak"
)

func init() {
	// go-keyring talks over godbus's shared session-bus connection, which
	// lives as long as the process by design.
	leakOptions = append(leakOptions,
		goleak.IgnoreAnyFunction("github.com/godbus/dbus/v5.newConn.func1"),
		goleak.IgnoreAnyFunction("github.com/godbus/dbus/v5.(*Conn).inWorker"))
}

var realAccount = Account{Kind: "native", Server: "https://tasks.example.com", Username: "ann"}

func TestRealKeyring(t *testing.T) {
	switch mode := os.Getenv("TASKTRAY_KEYRING"); mode {
	case "gnome-keyring":
		testRealKeyringPresent(t)
	case "none":
		testRealKeyringAbsent(t)
	default:
		t.Skip("needs a prepared session: run through scripts/keyring-session.sh, which sets TASKTRAY_KEYRING")
	}
}

func testRealKeyringPresent(t *testing.T) {
	ctx := context.Background()
	user := realAccount.KeyringUser()
	k := NewSystemKeyring(0)

	// The keyring itself: Set, Get, Delete, and what is stored.
	small := randomToken(t, 54)
	timed(t, "Set", func() error { return k.Set(ctx, user, small) })
	if got := secretTool(t, user); got != small {
		t.Fatalf("secret-tool lookup service tasktray username %s = %q, want the token", user, got)
	}
	t.Logf("secret-tool lookup service tasktray username %s returns the %d-byte token", user, len(small))
	var got string
	timed(t, "Get", func() (err error) { got, err = k.Get(ctx, user); return err })
	if got != small {
		t.Fatalf("Get = %q, want the token", got)
	}
	timed(t, "Delete", func() error { return k.Delete(ctx, user) })
	if _, err := k.Get(ctx, user); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete: got %v, want ErrNotFound", err)
	}
	if err := k.Delete(ctx, user); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Delete of nothing: got %v, want ErrNotFound", err)
	}
	if secretToolFinds(t, user) {
		t.Fatal("secret-tool still finds the entry after Delete")
	}

	// The store: a small token, whole.
	s := NewTokenStore(k)
	timed(t, "TokenStore.Save small", func() error { return s.Save(ctx, Session{Account: realAccount, Token: small}) })
	if !s.Persistent() {
		t.Fatalf("not persistent with a working keyring: %s", s.Reason())
	}
	if got := secretTool(t, user); got != small {
		t.Fatalf("secret-tool finds %q, want the token", got)
	}
	if got := loadFresh(t); got != small {
		t.Fatal("a fresh store does not load the token")
	}

	// A token over one chunk: a manifest and chunks the Secret Service holds.
	large := randomToken(t, 5000)
	timed(t, "TokenStore.Save 5000 bytes", func() error { return s.Save(ctx, Session{Account: realAccount, Token: large}) })
	manifest := secretTool(t, user)
	if !strings.HasPrefix(manifest, "tasktray-chunked:v1:3:") {
		t.Fatalf("entry %s holds %q, want a 3-chunk manifest", user, manifest)
	}
	var joined strings.Builder
	for i := 1; i <= 3; i++ {
		joined.WriteString(secretTool(t, user+"#"+strconv.Itoa(i)))
	}
	if joined.String() != large {
		t.Fatal("the chunks secret-tool finds do not join into the token")
	}
	t.Logf("5000-byte token: secret-tool finds manifest %q... and chunks #1..#3 that join into the token", manifest[:30])
	var loaded string
	timed(t, "TokenStore.Load 5000 bytes (fresh store)", func() error {
		sess, err := NewTokenStore(NewSystemKeyring(0)).Load(ctx, realAccount)
		loaded = sess.Token
		return err
	})
	if loaded != large {
		t.Fatal("a fresh store does not load the chunked token")
	}

	// Nothing under the session's HOME or runtime folder holds a token in
	// clear (gnome-keyring's file is encrypted).
	noFileContains(t, small, large)

	// A token over MaxTokenSize: memory only, said in plain words, and the
	// older token is removed so the next start does not pick it up.
	huge := randomToken(t, MaxTokenSize+1)
	if err := s.Save(ctx, Session{Account: realAccount, Token: huge}); err != nil {
		t.Fatal(err)
	}
	if s.Persistent() {
		t.Fatal("persistent with an oversized token")
	}
	t.Logf("%d-byte token: Persistent() = false, Reason() = %q", len(huge), s.Reason())
	if secretToolFinds(t, user) || secretToolFinds(t, user+"#1") {
		t.Fatal("the older token is still in the keyring")
	}
	if got := load(t, s); got != huge {
		t.Fatal("the oversized token is not kept in memory")
	}
	noFileContains(t, huge)

	// Delete removes every entry.
	if err := s.Save(ctx, Session{Account: realAccount, Token: large}); err != nil {
		t.Fatal(err)
	}
	timed(t, "TokenStore.Delete", func() error { return s.Delete(ctx, realAccount) })
	for _, u := range []string{user, user + "#1", user + "#2", user + "#3"} {
		if secretToolFinds(t, u) {
			t.Errorf("secret-tool still finds %s after Delete", u)
		}
	}
	noFileContains(t, small, large, huge)
}

func testRealKeyringAbsent(t *testing.T) {
	ctx := context.Background()
	k := NewSystemKeyring(0)
	start := time.Now()
	err := k.Set(ctx, realAccount.KeyringUser(), "tok")
	if !errors.Is(err, ErrKeyringUnavailable) || !errors.Is(err, errNoSecretService) {
		t.Fatalf("Set without a Secret Service: got %v, want ErrKeyringUnavailable (no Secret Service)", err)
	}
	t.Logf("Set without a Secret Service: %v (after %v)", err, time.Since(start).Round(time.Millisecond))

	s := NewTokenStore(k)
	token := randomToken(t, 54)
	if err := s.Save(ctx, Session{Account: realAccount, Token: token}); err != nil {
		t.Fatal(err)
	}
	const reason = "No keyring is running (install gnome-keyring or KeePassXC with Secret Service), so you will need to log in again next time."
	if s.Persistent() || s.Reason() != reason {
		t.Fatalf("Persistent() = %v, Reason() = %q; want false, %q", s.Persistent(), s.Reason(), reason)
	}
	t.Logf("TokenStore.Save: Persistent() = false, Reason() = %q", s.Reason())
	if got := load(t, s); got != token {
		t.Fatal("the token is not kept in memory")
	}
	_, err = NewTokenStore(NewSystemKeyring(0)).Load(ctx, realAccount)
	if !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("a fresh store's Load: got %v, want ErrKeyringUnavailable", err)
	}
	t.Logf("a fresh store (next start) finds nothing: %v", err)
	noFileContains(t, token)
}

func randomToken(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

func load(t *testing.T, s *TokenStore) string {
	t.Helper()
	sess, err := s.Load(context.Background(), realAccount)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return sess.Token
}

// loadFresh loads realAccount's token the way the next start of the app does.
func loadFresh(t *testing.T) string {
	t.Helper()
	return load(t, NewTokenStore(NewSystemKeyring(0)))
}

func timed(t *testing.T, what string, f func() error) {
	t.Helper()
	start := time.Now()
	if err := f(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	t.Logf("%s: ok in %v", what, time.Since(start).Round(100*time.Microsecond))
}

// secretTool returns what `secret-tool lookup` finds for user.
func secretTool(t *testing.T, user string) string {
	t.Helper()
	out, err := exec.Command("secret-tool", "lookup", "service", KeyringService, "username", user).Output()
	if err != nil {
		t.Fatalf("secret-tool lookup service %s username %s: %v", KeyringService, user, err)
	}
	return string(out)
}

// secretToolFinds reports whether `secret-tool lookup` finds an entry for user.
func secretToolFinds(t *testing.T, user string) bool {
	t.Helper()
	err := exec.Command("secret-tool", "lookup", "service", KeyringService, "username", user).Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("secret-tool: %v", err)
	}
	return err == nil
}

// noFileContains fails if a file under the session's HOME or XDG_RUNTIME_DIR
// holds one of the tokens.
func noFileContains(t *testing.T, tokens ...string) {
	t.Helper()
	files := 0
	for _, root := range []string{os.Getenv("TASKTRAY_SESSION_HOME"), os.Getenv("XDG_RUNTIME_DIR")} {
		if root == "" {
			t.Fatal("TASKTRAY_SESSION_HOME or XDG_RUNTIME_DIR is not set")
		}
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files++
			if strings.HasSuffix(path, ".keyring") {
				t.Logf("%s: %d bytes, encrypted", strings.TrimPrefix(path, root+"/"), len(data))
			}
			for _, token := range tokens {
				// A chunk's worth is enough to count as a leak.
				if bytes.Contains(data, []byte(token[:min(len(token), 32)])) {
					t.Errorf("%s holds a token in clear", path)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("no token in any of the %d files under the session's HOME and XDG_RUNTIME_DIR", files)
}

// TestRealKeyringLocked: with gnome-keyring's login collection locked and
// no one to answer its unlock prompt, a load fails with an error a caller
// may retry (KeyringMayRecover), and once the collection is unlocked a
// retry with the same store loads the token: a prompt left open does not
// hold the store for good.
func TestRealKeyringLocked(t *testing.T) {
	if os.Getenv("TASKTRAY_KEYRING") != "gnome-keyring" {
		t.Skip("needs gnome-keyring: run through scripts/keyring-session.sh")
	}
	ctx := context.Background()
	s := NewTokenStore(NewSystemKeyring(2 * time.Second))
	token := randomToken(t, 54)
	if err := s.Save(ctx, Session{Account: realAccount, Token: token}); err != nil || !s.Persistent() {
		t.Fatalf("save while unlocked: %v, %s", err, s.Reason())
	}
	t.Cleanup(func() { s.Delete(ctx, realAccount) })

	lock := exec.Command("dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.secrets",
		"/org/freedesktop/secrets", "org.freedesktop.Secret.Service.Lock",
		"array:objpath:/org/freedesktop/secrets/collection/login")
	if out, err := lock.CombinedOutput(); err != nil {
		t.Fatalf("locking the login collection: %v\n%s", err, out)
	}
	start := time.Now()
	_, err := s.Load(ctx, realAccount)
	t.Logf("load while locked: %v after %v", err, time.Since(start).Round(time.Millisecond))
	if !KeyringMayRecover(err) {
		t.Fatalf("load while locked: %v, want an error to retry", err)
	}

	unlockLogin(t, "pass")
	deadline := time.Now().Add(30 * time.Second)
	for tries := 1; ; tries++ {
		sess, err := s.Load(ctx, realAccount)
		if err == nil {
			if sess.Token != token {
				t.Fatal("loaded another token")
			}
			t.Logf("loaded after the unlock at try %d", tries)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still failing after the unlock: %v", err)
		}
		time.Sleep(500 * time.Millisecond) // a retry schedule, as the agent's
	}
}

// unlockLogin unlocks gnome-keyring's login collection with its password, as
// the desktop's unlock prompt would, through gnome-keyring's own interface
// (the Secret Service API has no way to unlock without a prompt).
func unlockLogin(t *testing.T, password string) {
	t.Helper()
	bus, err := dbus.SessionBusPrivate()
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	if err := bus.Auth(nil); err != nil {
		t.Fatal(err)
	}
	if err := bus.Hello(); err != nil {
		t.Fatal(err)
	}
	svc := bus.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	var out dbus.Variant
	var session dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &session); err != nil {
		t.Fatalf("OpenSession: %v", err)
	}
	secret := struct {
		Session     dbus.ObjectPath
		Params      []byte
		Value       []byte
		ContentType string
	}{session, []byte{}, []byte(password), "text/plain"}
	if err := svc.Call("org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface.UnlockWithMasterPassword", 0,
		dbus.ObjectPath("/org/freedesktop/secrets/collection/login"), secret).Err; err != nil {
		t.Fatalf("unlocking the login collection: %v", err)
	}
}
