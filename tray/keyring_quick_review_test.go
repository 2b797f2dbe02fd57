//go:build linux

package tray

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	ss "github.com/zalando/go-keyring/secret_service"

	"tasktray/auth"
	"tasktray/internal/desktoptest"
)

// reviewSecrets is a Secret Service for the review's tests: like
// fakeSecrets, plus an Unlock that may answer an error, and a mode in which
// no call is ever answered (until the test ends): a hung Secret Service, an
// unlock prompt nobody answers.
type reviewSecrets struct {
	login     bool
	items     map[dbus.ObjectPath]fakeSecretItem
	unlockErr string // not "": Unlock answers this D-Bus error
	hang      bool   // no call is answered until release is closed

	arrived chan string // the method of each call, as it comes in
	release chan struct{}

	mu       sync.Mutex
	unlocks  int
	sessions int // opened and not closed
}

func (f *reviewSecrets) came(method string) *dbus.Error {
	select {
	case f.arrived <- method:
	default:
	}
	if f.hang {
		<-f.release
		return dbus.NewError("org.freedesktop.DBus.Error.Failed", []any{"released"})
	}
	return nil
}

type reviewService struct{ f *reviewSecrets }

func (s reviewService) OpenSession(alg string, _ dbus.Variant) (dbus.Variant, dbus.ObjectPath, *dbus.Error) {
	if err := s.f.came("OpenSession"); err != nil {
		return dbus.MakeVariant(""), "/", err
	}
	s.f.mu.Lock()
	s.f.sessions++
	s.f.mu.Unlock()
	return dbus.MakeVariant(""), secretsSession, nil
}

func (s reviewService) Unlock(paths []dbus.ObjectPath) ([]dbus.ObjectPath, dbus.ObjectPath, *dbus.Error) {
	if err := s.f.came("Unlock"); err != nil {
		return nil, "/", err
	}
	s.f.mu.Lock()
	s.f.unlocks++
	s.f.mu.Unlock()
	if s.f.unlockErr != "" {
		return nil, "/", dbus.NewError(s.f.unlockErr, []any{"refused"})
	}
	return paths, "/", nil
}

type reviewSession struct{ f *reviewSecrets }

func (s reviewSession) Close() *dbus.Error {
	if err := s.f.came("Close"); err != nil {
		return err
	}
	s.f.mu.Lock()
	s.f.sessions--
	s.f.mu.Unlock()
	return nil
}

type reviewProps struct{ f *reviewSecrets }

func (p reviewProps) Get(iface, name string) (dbus.Variant, *dbus.Error) {
	if err := p.f.came("Get"); err != nil {
		return dbus.MakeVariant(""), err
	}
	cols := []dbus.ObjectPath{"/org/freedesktop/secrets/collection/other"}
	if p.f.login {
		cols = append(cols, secretsLogin)
	}
	return dbus.MakeVariant(cols), nil
}

type reviewCollection struct {
	f    *reviewSecrets
	path dbus.ObjectPath
}

func (c reviewCollection) SearchItems(attrs map[string]string) ([]dbus.ObjectPath, *dbus.Error) {
	if err := c.f.came("SearchItems"); err != nil {
		return nil, err
	}
	found := []dbus.ObjectPath{}
	for path, it := range c.f.items {
		if it.collection == c.path && attrs["service"] == "tasktray" && attrs["username"] == it.user {
			found = append(found, path)
		}
	}
	return found, nil
}

type reviewItem struct {
	f  *reviewSecrets
	it fakeSecretItem
}

func (i reviewItem) GetSecret(session dbus.ObjectPath) (fakeSecret, *dbus.Error) {
	if err := i.f.came("GetSecret"); err != nil {
		return fakeSecret{}, err
	}
	return fakeSecretsItem{i.it}.GetSecret(session)
}

// serve puts f on the bus at addr as org.freedesktop.secrets. A hung f
// answers every call once the test ends (before the bus stops), so the
// goroutines stuck in its calls end before TestMain's goleak looks.
func (f *reviewSecrets) serve(t *testing.T, addr string) {
	t.Helper()
	f.arrived = make(chan string, 256)
	f.release = make(chan struct{})
	conn := desktoptest.Connect(t, addr)
	type export struct {
		v     any
		path  dbus.ObjectPath
		iface string
	}
	exports := []export{
		{reviewService{f}, secretsPath, "org.freedesktop.Secret.Service"},
		{reviewProps{f}, secretsPath, "org.freedesktop.DBus.Properties"},
		{reviewSession{f}, secretsSession, "org.freedesktop.Secret.Session"},
		{reviewCollection{f, secretsDefault}, secretsDefault, "org.freedesktop.Secret.Collection"},
	}
	if f.login {
		exports = append(exports, export{reviewCollection{f, secretsLogin}, secretsLogin, "org.freedesktop.Secret.Collection"})
	}
	for path, it := range f.items {
		exports = append(exports, export{reviewItem{f, it}, path, "org.freedesktop.Secret.Item"})
	}
	for _, e := range exports {
		if err := conn.Export(e.v, e.path, e.iface); err != nil {
			t.Fatal(err)
		}
	}
	if reply, err := conn.RequestName(secretServiceName, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning %s: %v %v", secretServiceName, reply, err)
	}
	t.Cleanup(func() { close(f.release) }) // runs first: before the bus and the shared connection go
}

// goKeyringGet is go-keyring v0.2.8's secretServiceProvider.Get, copied
// call for call (keyring_unix.go: findItem, then the session, the item's
// Unlock and GetSecret): the answer readSecret promises to give. A copy,
// because keyring.MockInit (newFixture) replaces go-keyring's provider for
// the whole test binary.
func goKeyringGet(service, user string) (string, error) {
	svc, err := ss.NewSecretService()
	if err != nil {
		return "", err
	}
	collection := svc.GetLoginCollection()
	if err := svc.Unlock(collection.Path()); err != nil {
		return "", err
	}
	results, err := svc.SearchItems(collection, map[string]string{"username": user, "service": service})
	if err != nil {
		return "", err
	}
	if len(results) == 0 {
		return "", fmt.Errorf("secret not found in keyring")
	}
	item := results[0]
	session, err := svc.OpenSession()
	if err != nil {
		return "", err
	}
	defer svc.Close(session)
	if err := svc.Unlock(item); err != nil {
		return "", err
	}
	secret, err := svc.GetSecret(item, session.Path())
	if err != nil {
		return "", err
	}
	return string(secret.Value), nil
}

// TestReviewReadSecretReadsAReadableItemWhenUnlockFails: go-keyring's Get
// unlocks the collection before it searches, and a Secret Service that
// answers that Unlock with an error (access denied by a sandbox portal or a
// policy, an implementation without Unlock) makes Get fail. readSecret never
// calls Unlock (it must never prompt): an item the service lets it read is
// read, and the user is not sent to log in again. The review (1456bf2)
// asked for Get's error here; the lead kept the token, as documented on
// readSecret, and this test pins that.
func TestReviewReadSecretReadsAReadableItemWhenUnlockFails(t *testing.T) {
	const item = dbus.ObjectPath("/org/freedesktop/secrets/collection/login/1")
	addr := desktoptest.StartSessionBus(t)
	useSessionBus(t, addr)
	f := &reviewSecrets{
		login:     true,
		items:     map[dbus.ObjectPath]fakeSecretItem{item: {secretsLogin, "alice@s", "token-1", false}},
		unlockErr: "org.freedesktop.DBus.Error.AccessDenied",
	}
	f.serve(t, addr)

	want, wantErr := goKeyringGet("tasktray", "alice@s")
	if wantErr == nil {
		t.Fatalf("go-keyring's Get = a secret of %d bytes, nil; the fake should make it fail", len(want))
	}
	got, ok, end := readSecret("tasktray", "alice@s")
	end()
	if !ok || got != "token-1" {
		t.Errorf("readSecret = the item's secret: %v, %v; want it, true (go-keyring's Get answers %v)", got == "token-1", ok, wantErr)
	}

	keys := &prefetchKeyring{Keyring: erroringKeyring{wantErr}, quick: quickRead}
	keys.prefetch(context.Background(), user("alice@s"))
	if s, err := keys.Get(context.Background(), "alice@s"); err != nil || s != "token-1" {
		t.Errorf("the prefetch's Get = the item's secret: %v, %v; want it, nil", s == "token-1", err)
	}
}

// erroringKeyring stands in for auth.SystemKeyring over go-keyring: every
// Get answers err (what goKeyringGet answered on the same Secret Service).
type erroringKeyring struct{ err error }

func (k erroringKeyring) Get(context.Context, string) (string, error) { return "", k.err }
func (k erroringKeyring) Set(context.Context, string, string) error   { return k.err }
func (k erroringKeyring) Delete(context.Context, string) error        { return k.err }

// stuckInSecretService counts the goroutines that are in a Secret Service
// call (go-keyring's secret_service package) or in readSecret.
func stuckInSecretService() (n int, stacks []string) {
	buf := make([]byte, 1<<22)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "go-keyring/secret_service.") || strings.Contains(g, "tray.readSecret") {
			n++
			// Where it waits and who started it.
			lines := strings.Split(g, "\n")
			where, by := "", ""
			for i, l := range lines {
				if where == "" && strings.Contains(l, "go-keyring/secret_service.") {
					where = strings.TrimSpace(l)
				}
				if strings.HasPrefix(l, "created by ") && i+1 < len(lines) {
					by = strings.TrimSpace(l)
				}
			}
			stacks = append(stacks, lines[0]+" "+where+" ("+by+")")
		}
	}
	return n, stacks
}

// TestReviewPrefetchOfAHungSecretServiceHoldsOneRead: a Secret Service that
// never answers (an unlock prompt nobody answers, a hung daemon). The
// keyring's Get takes turns: "a hung keyring holds at most one goroutine,
// however often it is asked" (auth.SystemKeyring). The review (1456bf2)
// found that each prefetch whose ctx ended left readSecret and its two
// side-by-side calls stuck, three goroutines per prefetch. One quick read
// runs at a time now (quickTurn): the second prefetch skips it while the
// first waits, and a silent service holds one read's three goroutines,
// however often the agent asks.
func TestReviewPrefetchOfAHungSecretServiceHoldsOneRead(t *testing.T) {
	addr := desktoptest.StartSessionBus(t)
	useSessionBus(t, addr)
	f := &reviewSecrets{login: true, hang: true}
	f.serve(t, addr)

	before, _ := stuckInSecretService()
	// The quick read as newPrefetchKeyring sets it, before a stand-in for
	// auth.SystemKeyring whose one turn a hung call holds: it answers
	// ErrKeyringTimeout at once (go-keyring itself is left out: its stuck
	// call would outlive the test, and keyring.MockInit in other tests
	// writes the provider it reads).
	keys := &prefetchKeyring{Keyring: erroringKeyring{fmt.Errorf("%w: an earlier keyring call is still waiting for an answer", auth.ErrKeyringTimeout)}}
	if hasQuickRead {
		keys.quick = quickRead
	}
	for round := 1; round <= 2; round++ {
		ctx, cancel := context.WithCancel(context.Background())
		keys.prefetch(ctx, user("alice@s"))
		answered := keys.answered()
		// readSecret has asked for its session: it is in the service. The
		// second prefetch finds the first read still waiting and skips it.
		for asked := round > 1; !asked; {
			select {
			case m := <-f.arrived:
				asked = m == "OpenSession"
			case <-time.After(wait):
				cancel()
				t.Fatalf("prefetch %d: readSecret never asked for a session", round)
			}
		}
		cancel()
		select {
		case <-answered:
		case <-time.After(wait):
			t.Fatalf("prefetch %d has no answer after its ctx ended", round)
		}
	}
	// Every prefetch has its answer and its ctx has ended; the service has
	// answered nothing, so what is stuck now stays stuck.
	n, stacks := stuckInSecretService()
	if n-before > 3 {
		t.Errorf("after 2 prefetches of a hung Secret Service whose ctx ended, %d goroutines are still in it; want at most 3 (one read's):\n%s",
			n-before, strings.Join(stacks, "\n"))
	}
}

// TestReviewReadSecretLaunchesNoBus breaks "no D-Bus session bus is
// launched when none is configured" (readSecret's own guard,
// sessionBusKnown): with DBUS_SESSION_BUS_ADDRESS unset, sessionBusKnown
// takes $XDG_RUNTIME_DIR/bus for the bus dbus.SessionBus connects to, but
// godbus (v5.2.4, conn_other.go) never looks there: it looks at
// /run/user/<uid>/bus and /run/user/<uid>/dbus-session, and otherwise runs
// dbus-launch. Here a bus listens at $XDG_RUNTIME_DIR/bus and none at
// /run/user/<uid>: readSecret runs dbus-launch (a stand-in on PATH that
// records it was run).
func TestReviewReadSecretLaunchesNoBus(t *testing.T) {
	if _, err := os.Stat(fmt.Sprintf("/run/user/%d/bus", os.Getuid())); err == nil {
		t.Skip("godbus finds /run/user/<uid>/bus here and launches nothing")
	}
	if _, err := os.Stat(fmt.Sprintf("/run/user/%d/dbus-session", os.Getuid())); err == nil {
		t.Skip("godbus finds /run/user/<uid>/dbus-session here and launches nothing")
	}
	// The process's shared connection, if a test left one, goes first: it
	// would answer dbus.SessionBus without looking for an address at all.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent-tasktray-review/bus")
	if bus, err := dbus.SessionBus(); err == nil {
		bus.Close()
	}

	addr := desktoptest.StartSessionBus(t)
	socket := strings.TrimPrefix(strings.SplitN(addr, ",", 2)[0], "unix:path=")
	runtimeDir := shortDir(t)
	if err := os.Symlink(socket, filepath.Join(runtimeDir, "bus")); err != nil {
		t.Fatal(err)
	}
	bin := shortDir(t)
	marker := filepath.Join(bin, "launched")
	script := "#!/bin/sh\ntouch '" + marker + "'\necho 'DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent-tasktray-review/launched'\necho 'DBUS_SESSION_BUS_PID=1'\n"
	if err := os.WriteFile(filepath.Join(bin, "dbus-launch"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("XDG_RUNTIME_DIR", runtimeDir)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "") // godbus sets it from dbus-launch's answer; t.Setenv puts it back

	got, ok, end := readSecret("tasktray", "alice@s")
	end()
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("readSecret ran dbus-launch (launched a session bus); sessionBusKnown saw $XDG_RUNTIME_DIR/bus, which dbus.SessionBus never uses (readSecret = %d bytes, %v)", len(got), ok)
	}
}
