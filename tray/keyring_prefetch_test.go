package tray

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// gatedKeyring is a lockableKeyring whose Get reads the secret, says it was
// asked, and answers only once released: a Secret Service that is slow to
// answer.
type gatedKeyring struct {
	*lockableKeyring
	gets    atomic.Int32
	asked   chan string
	release chan struct{}
}

func newGatedKeyring() *gatedKeyring {
	return &gatedKeyring{lockableKeyring: newLockableKeyring(), asked: make(chan string, 8), release: make(chan struct{})}
}

func (k *gatedKeyring) Get(ctx context.Context, user string) (string, error) {
	k.gets.Add(1)
	s, err := k.lockableKeyring.Get(ctx, user)
	k.asked <- user
	<-k.release
	return s, err
}

func expectAsked(t *testing.T, k *gatedKeyring, user string) {
	t.Helper()
	select {
	case got := <-k.asked:
		if got != user {
			t.Fatalf("the keyring was asked for %q, want %q", got, user)
		}
	case <-time.After(wait):
		t.Fatalf("the keyring was never asked for %q", user)
	}
}

func user(name string) func() (string, bool) { return func() (string, bool) { return name, true } }

// TestPrefetchAsksAtOnceAndAnswersTheFirstGet: the prefetch asks the
// keyring before anyone calls Get, and the first Get takes its answer
// without asking again; a later Get asks the keyring.
func TestPrefetchAsksAtOnceAndAnswersTheFirstGet(t *testing.T) {
	k := newGatedKeyring()
	k.secrets["alice@s"] = "token-1"
	close(k.release)
	keys := &prefetchKeyring{Keyring: k}
	keys.prefetch(context.Background(), user("alice@s"))
	expectAsked(t, k, "alice@s") // before any Get

	if s, err := keys.Get(context.Background(), "alice@s"); err != nil || s != "token-1" {
		t.Fatalf("first Get = %q, %v", s, err)
	}
	if n := k.gets.Load(); n != 1 {
		t.Fatalf("the keyring was asked %d times for one Get, want 1", n)
	}
	k.secrets["alice@s"] = "token-2"
	if s, err := keys.Get(context.Background(), "alice@s"); err != nil || s != "token-2" {
		t.Fatalf("second Get = %q, %v; want the keyring's answer now", s, err)
	}
	if n := k.gets.Load(); n != 2 {
		t.Fatalf("the keyring was asked %d times, want 2", n)
	}
}

// TestPrefetchDroppedBySetAndDelete: a token saved or deleted before the
// first Get makes the prefetched answer stale: Get asks the keyring.
func TestPrefetchDroppedBySetAndDelete(t *testing.T) {
	for _, op := range []string{"set", "delete"} {
		t.Run(op, func(t *testing.T) {
			k := newGatedKeyring()
			k.secrets["alice@s"] = "old"
			keys := &prefetchKeyring{Keyring: k}
			keys.prefetch(context.Background(), user("alice@s"))
			expectAsked(t, k, "alice@s") // it has read "old"
			var err error
			if op == "set" {
				err = keys.Set(context.Background(), "alice@s", "new")
			} else {
				err = keys.Delete(context.Background(), "alice@s")
			}
			if err != nil {
				t.Fatal(err)
			}
			close(k.release)
			s, err := keys.Get(context.Background(), "alice@s")
			if op == "set" && (err != nil || s != "new") {
				t.Fatalf("Get after Set = %q, %v; want new", s, err)
			}
			if op == "delete" && err == nil {
				t.Fatalf("Get after Delete = %q, want an error", s)
			}
		})
	}
}

// TestPrefetchOfAnotherUserOrOfNoAccount: the prefetch answers only a Get
// for the user it asked for; with no saved account it asks nothing.
func TestPrefetchOfAnotherUserOrOfNoAccount(t *testing.T) {
	k := newGatedKeyring()
	k.secrets["alice@s"] = "a"
	k.secrets["bob@s"] = "b"
	close(k.release)
	keys := &prefetchKeyring{Keyring: k}
	keys.prefetch(context.Background(), user("alice@s"))
	if s, err := keys.Get(context.Background(), "bob@s"); err != nil || s != "b" {
		t.Fatalf("Get(bob) = %q, %v", s, err)
	}

	keys.prefetch(context.Background(), func() (string, bool) { return "", false })
	before := k.gets.Load()
	if s, err := keys.Get(context.Background(), "alice@s"); err != nil || s != "a" {
		t.Fatalf("Get(alice) = %q, %v", s, err)
	}
	if n := k.gets.Load() - before; n != 1 {
		t.Fatalf("the keyring was asked %d times for one Get with no account, want 1", n)
	}
}

// TestPrefetchOfALockedKeyring: a prefetch that met a locked keyring
// answers the first Get with that error (the agent waits for the keyring
// as before); the retry asks the keyring again.
func TestPrefetchOfALockedKeyring(t *testing.T) {
	k := newGatedKeyring()
	k.secrets["alice@s"] = "a"
	k.setLocked(true)
	close(k.release)
	keys := &prefetchKeyring{Keyring: k}
	keys.prefetch(context.Background(), user("alice@s"))
	if _, err := keys.Get(context.Background(), "alice@s"); !errors.Is(err, errLocked) {
		t.Fatalf("first Get: %v, want the locked keyring's error", err)
	}
	k.setLocked(false)
	if s, err := keys.Get(context.Background(), "alice@s"); err != nil || s != "a" {
		t.Fatalf("Get after unlock = %q, %v", s, err)
	}
}

// TestPrefetchGetGivesUpWithItsContext: a Get waiting for a prefetch that
// has no answer yet returns when its ctx ends.
func TestPrefetchGetGivesUpWithItsContext(t *testing.T) {
	k := newGatedKeyring()
	keys := &prefetchKeyring{Keyring: k}
	keys.prefetch(context.Background(), user("alice@s"))
	expectAsked(t, k, "alice@s")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := keys.Get(ctx, "alice@s"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Get = %v, want context.Canceled", err)
	}
	close(k.release) // the prefetch's goroutine ends (goleak checks)
}

// TestPrefetchTriesTheQuickReadFirst: a quick read that has the secret
// answers the first Get without the keyring's own Get; one that cannot
// leaves it to the keyring, whose answer (here: locked) the Get returns.
func TestPrefetchTriesTheQuickReadFirst(t *testing.T) {
	k := newGatedKeyring()
	k.secrets["alice@s"] = "from the keyring"
	close(k.release)
	keys := &prefetchKeyring{Keyring: k, quick: func(context.Context, string) (string, bool) { return "quick", true }}
	keys.prefetch(context.Background(), user("alice@s"))
	if s, err := keys.Get(context.Background(), "alice@s"); err != nil || s != "quick" {
		t.Fatalf("Get = %q, %v; want the quick read's", s, err)
	}
	if n := k.gets.Load(); n != 0 {
		t.Fatalf("the keyring was asked %d times after a quick read, want 0", n)
	}

	k.setLocked(true)
	keys = &prefetchKeyring{Keyring: k, quick: func(context.Context, string) (string, bool) { return "", false }}
	keys.prefetch(context.Background(), user("alice@s"))
	if _, err := keys.Get(context.Background(), "alice@s"); !errors.Is(err, errLocked) {
		t.Fatalf("Get = %v; want the keyring's locked error", err)
	}
	if n := k.gets.Load(); n != 1 {
		t.Fatalf("the keyring was asked %d times after a quick read that could not, want 1", n)
	}
}
