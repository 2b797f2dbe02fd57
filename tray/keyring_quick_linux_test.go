package tray

import (
	"sync"
	"testing"

	"github.com/godbus/dbus/v5"

	"tasktray/internal/desktoptest"
)

const (
	secretServiceName = "org.freedesktop.secrets"
	secretsPath       = dbus.ObjectPath("/org/freedesktop/secrets")
	secretsLogin      = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	secretsDefault    = dbus.ObjectPath("/org/freedesktop/secrets/aliases/default")
	secretsSession    = dbus.ObjectPath("/org/freedesktop/secrets/session/s1")
)

// fakeSecrets is a Secret Service with the calls go-keyring makes: the
// Collections property, Unlock (which it records: it may prompt),
// SearchItems on a collection, OpenSession and the session's Close, and an
// item's GetSecret (which a locked item refuses).
type fakeSecrets struct {
	login bool // the service lists a "login" collection
	items map[dbus.ObjectPath]fakeSecretItem

	mu       sync.Mutex
	unlocks  int
	sessions int // opened and not closed
}

type fakeSecretItem struct {
	collection dbus.ObjectPath
	user       string
	secret     string
	locked     bool
}

type fakeSecretsService struct{ f *fakeSecrets }

func (s fakeSecretsService) OpenSession(alg string, _ dbus.Variant) (dbus.Variant, dbus.ObjectPath, *dbus.Error) {
	if alg != "plain" {
		return dbus.MakeVariant(""), "/", dbus.NewError("org.freedesktop.DBus.Error.NotSupported", nil)
	}
	s.f.mu.Lock()
	s.f.sessions++
	s.f.mu.Unlock()
	return dbus.MakeVariant(""), secretsSession, nil
}

func (s fakeSecretsService) Unlock(paths []dbus.ObjectPath) ([]dbus.ObjectPath, dbus.ObjectPath, *dbus.Error) {
	s.f.mu.Lock()
	s.f.unlocks++
	s.f.mu.Unlock()
	return paths, "/", nil
}

type fakeSecretsSession struct{ f *fakeSecrets }

func (s fakeSecretsSession) Close() *dbus.Error {
	s.f.mu.Lock()
	s.f.sessions--
	s.f.mu.Unlock()
	return nil
}

type fakeSecretsProps struct{ f *fakeSecrets }

func (p fakeSecretsProps) Get(iface, name string) (dbus.Variant, *dbus.Error) {
	cols := []dbus.ObjectPath{"/org/freedesktop/secrets/collection/other"}
	if p.f.login {
		cols = append(cols, secretsLogin)
	}
	return dbus.MakeVariant(cols), nil
}

type fakeSecretsCollection struct {
	f    *fakeSecrets
	path dbus.ObjectPath
}

func (c fakeSecretsCollection) SearchItems(attrs map[string]string) ([]dbus.ObjectPath, *dbus.Error) {
	found := []dbus.ObjectPath{}
	for path, it := range c.f.items {
		if it.collection == c.path && attrs["service"] == "tasktray" && attrs["username"] == it.user {
			found = append(found, path)
		}
	}
	return found, nil
}

type fakeSecretsItem struct{ it fakeSecretItem }

type fakeSecret struct {
	Session     dbus.ObjectPath
	Parameters  []byte
	Value       []byte
	ContentType string
}

func (i fakeSecretsItem) GetSecret(session dbus.ObjectPath) (fakeSecret, *dbus.Error) {
	if i.it.locked {
		return fakeSecret{}, dbus.NewError("org.freedesktop.Secret.Error.IsLocked", nil)
	}
	if session != secretsSession {
		return fakeSecret{}, dbus.NewError("org.freedesktop.Secret.Error.NoSession", nil)
	}
	return fakeSecret{Session: session, Parameters: []byte{}, Value: []byte(i.it.secret), ContentType: "text/plain"}, nil
}

// serve puts f on the bus at addr as org.freedesktop.secrets.
func (f *fakeSecrets) serve(t *testing.T, addr string) {
	t.Helper()
	conn := desktoptest.Connect(t, addr)
	type export struct {
		v     any
		path  dbus.ObjectPath
		iface string
	}
	exports := []export{
		{fakeSecretsService{f}, secretsPath, "org.freedesktop.Secret.Service"},
		{fakeSecretsProps{f}, secretsPath, "org.freedesktop.DBus.Properties"},
		{fakeSecretsSession{f}, secretsSession, "org.freedesktop.Secret.Session"},
	}
	if f.login {
		exports = append(exports, export{fakeSecretsCollection{f, secretsLogin}, secretsLogin, "org.freedesktop.Secret.Collection"})
	}
	exports = append(exports, export{fakeSecretsCollection{f, secretsDefault}, secretsDefault, "org.freedesktop.Secret.Collection"})
	for path, it := range f.items {
		exports = append(exports, export{fakeSecretsItem{it}, path, "org.freedesktop.Secret.Item"})
	}
	for _, e := range exports {
		if err := conn.Export(e.v, e.path, e.iface); err != nil {
			t.Fatal(err)
		}
	}
	if reply, err := conn.RequestName(secretServiceName, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("owning %s: %v %v", secretServiceName, reply, err)
	}
}

// useSessionBus points the session bus at addr for the test, and closes
// the process's shared connection (dbus.SessionBus, which go-keyring uses)
// when the test ends, before the bus stops: the next test connects anew.
func useSessionBus(t *testing.T, addr string) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	t.Cleanup(func() {
		if bus, err := dbus.SessionBus(); err == nil {
			bus.Close()
		}
	})
}

// TestReadSecretAsGoKeyringDoes: readSecret answers from go-keyring's
// collection ("login" when the service lists it, else the default alias),
// never unlocks (which may prompt), closes the session it opened, and says
// it cannot (so the keyring is asked) for no item, an item only in the
// other collection, a locked item, or no Secret Service.
func TestReadSecretAsGoKeyringDoes(t *testing.T) {
	const item = dbus.ObjectPath("/org/freedesktop/secrets/collection/login/1")
	cases := []struct {
		name    string
		secrets *fakeSecrets // nil: no Secret Service
		user    string
		want    string
		ok      bool
	}{
		{"login", &fakeSecrets{login: true, items: map[dbus.ObjectPath]fakeSecretItem{item: {secretsLogin, "alice@s", "token-1", false}}}, "alice@s", "token-1", true},
		{"default alias", &fakeSecrets{login: false, items: map[dbus.ObjectPath]fakeSecretItem{item: {secretsDefault, "alice@s", "token-2", false}}}, "alice@s", "token-2", true},
		{"only in the default alias", &fakeSecrets{login: true, items: map[dbus.ObjectPath]fakeSecretItem{item: {secretsDefault, "alice@s", "token-3", false}}}, "alice@s", "", false},
		{"another user's", &fakeSecrets{login: true, items: map[dbus.ObjectPath]fakeSecretItem{item: {secretsLogin, "bob@s", "token-4", false}}}, "alice@s", "", false},
		{"locked", &fakeSecrets{login: true, items: map[dbus.ObjectPath]fakeSecretItem{item: {secretsLogin, "alice@s", "token-5", true}}}, "alice@s", "", false},
		{"no Secret Service", nil, "alice@s", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			addr := desktoptest.StartSessionBus(t)
			useSessionBus(t, addr)
			if c.secrets != nil {
				c.secrets.serve(t, addr)
			}
			got, ok, end := readSecret("tasktray", c.user)
			end()
			if got != c.want || ok != c.ok {
				t.Fatalf("readSecret = %q, %v; want %q, %v", got, ok, c.want, c.ok)
			}
			if c.secrets == nil {
				return
			}
			c.secrets.mu.Lock()
			defer c.secrets.mu.Unlock()
			if c.secrets.unlocks != 0 {
				t.Errorf("readSecret asked to unlock %d times, want never", c.secrets.unlocks)
			}
			if c.secrets.sessions != 0 {
				t.Errorf("%d sessions left open, want every one closed", c.secrets.sessions)
			}
		})
	}
}

// TestReadSecretWithoutABusAddress: with no session bus address readSecret
// says it cannot at once (go-keyring would launch a bus; the keyring's Get
// does what it does then).
func TestReadSecretWithoutABusAddress(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	if got, ok, end := readSecret("tasktray", "alice@s"); ok || got != "" {
		end()
		t.Fatalf("readSecret = %q, %v; want nothing", got, ok)
	}
}
