package tray

import (
	"context"
	"testing"

	"github.com/godbus/dbus/v5"

	"tasktray/internal/desktoptest"
)

// fakeSecrets is a Secret Service with the calls readSecret makes: the
// Collections property, SearchItems on a collection, OpenSession, and an
// item's GetSecret (which a locked item refuses).
type fakeSecrets struct {
	login bool // the service lists a "login" collection
	items map[dbus.ObjectPath]fakeSecretItem
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
	return dbus.MakeVariant(""), "/org/freedesktop/secrets/session/s1", nil
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
	var found []dbus.ObjectPath
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
	return fakeSecret{Session: session, Parameters: []byte{}, Value: []byte(i.it.secret), ContentType: "text/plain"}, nil
}

// serve puts f on the bus at addr as org.freedesktop.secrets.
func (f *fakeSecrets) serve(t *testing.T, addr string) {
	t.Helper()
	conn := desktoptest.Connect(t, addr)
	exports := []struct {
		v     any
		path  dbus.ObjectPath
		iface string
	}{
		{fakeSecretsService{f}, secretsPath, secretsService},
		{fakeSecretsProps{f}, secretsPath, "org.freedesktop.DBus.Properties"},
		{fakeSecretsCollection{f, secretsLogin}, secretsLogin, "org.freedesktop.Secret.Collection"},
		{fakeSecretsCollection{f, secretsDefault}, secretsDefault, "org.freedesktop.Secret.Collection"},
	}
	for path, it := range f.items {
		exports = append(exports, struct {
			v     any
			path  dbus.ObjectPath
			iface string
		}{fakeSecretsItem{it}, path, "org.freedesktop.Secret.Item"})
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

// TestReadSecretAsGoKeyringDoes: readSecret answers from go-keyring's
// collection ("login" when the service lists it, else the default alias)
// and says it cannot (so the keyring is asked) for no item, an item only
// in the other collection, a locked item, or no Secret Service.
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
			t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
			if c.secrets != nil {
				c.secrets.serve(t, addr)
			}
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			got, ok := readSecret(ctx, dbus.SessionBusPrivateNoAutoStartup, "tasktray", c.user)
			if got != c.want || ok != c.ok {
				t.Fatalf("readSecret = %q, %v; want %q, %v", got, ok, c.want, c.ok)
			}
		})
	}
}
