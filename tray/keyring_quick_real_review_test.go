//go:build linux && realkeyring

package tray

import (
	"os"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	ss "github.com/zalando/go-keyring/secret_service"
)

// TestReviewReadSecretRealKeyringSeveralItems pins "a saved token is found
// whenever go-keyring's Get would find it ... same item when several
// match" against a real gnome-keyring (scripts/keyring-session.sh go test
// -tags realkeyring -run RealKeyring ./tray/): three items with the same
// service and user in the login collection (as two saves of an older
// go-keyring, or another tool, leave them); readSecret answers the secret
// go-keyring's Get answers, every time.
func TestReviewReadSecretRealKeyringSeveralItems(t *testing.T) {
	if os.Getenv("TASKTRAY_KEYRING") != "gnome-keyring" {
		t.Skip("needs scripts/keyring-session.sh (a real gnome-keyring)")
	}
	t.Cleanup(func() {
		if bus, err := dbus.SessionBus(); err == nil {
			bus.Close()
		}
	})
	svc, err := ss.NewSecretService()
	if err != nil {
		t.Fatal(err)
	}
	session, err := svc.OpenSession()
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close(session)
	login := svc.GetLoginCollection()
	if err := svc.Unlock(login.Path()); err != nil {
		t.Fatal(err)
	}
	const user = "review-several@s"
	attrs := map[string]string{"username": user, "service": "tasktray"}
	var made []dbus.ObjectPath
	for _, secret := range []string{"first", "second", "third"} {
		props := map[string]dbus.Variant{
			"org.freedesktop.Secret.Item.Label":      dbus.MakeVariant("review " + secret),
			"org.freedesktop.Secret.Item.Attributes": dbus.MakeVariant(attrs),
		}
		var item, prompt dbus.ObjectPath
		// replace false: a second item with the same attributes.
		if err := login.Call("org.freedesktop.Secret.Collection.CreateItem", 0, props, ss.NewSecret(session.Path(), secret), false).Store(&item, &prompt); err != nil {
			t.Fatal(err)
		}
		made = append(made, item)
	}
	defer func() {
		for _, item := range made {
			svc.Delete(item)
		}
	}()

	for range 20 {
		want, err := goKeyringGet("tasktray", user)
		if err != nil {
			t.Fatalf("go-keyring's Get: %v", err)
		}
		got, ok, end := readSecret("tasktray", user)
		end()
		if !ok || got != want {
			// The test's own made-up secrets, not a token: which one each read.
			t.Fatalf("readSecret = %q, %v; go-keyring's Get = %q", got, ok, want)
		}
	}
}

// TestReviewReadSecretRealKeyringLockedNeverUnlocks pins "the quick read
// never prompts (never Unlock)" and "every Secret Service session it opens
// is closed" against a real gnome-keyring whose login collection is locked
// (no one answers a prompt there): readSecret says it cannot, and a monitor
// on the session bus sees no Unlock from this process, and as many
// Session.Close as OpenSession.
func TestReviewReadSecretRealKeyringLockedNeverUnlocks(t *testing.T) {
	if os.Getenv("TASKTRAY_KEYRING") != "gnome-keyring" {
		t.Skip("needs scripts/keyring-session.sh (a real gnome-keyring)")
	}
	t.Cleanup(func() {
		if bus, err := dbus.SessionBus(); err == nil {
			bus.Close()
		}
	})
	svc, err := ss.NewSecretService()
	if err != nil {
		t.Fatal(err)
	}
	session, err := svc.OpenSession()
	if err != nil {
		t.Fatal(err)
	}
	login := svc.GetLoginCollection()
	if err := svc.Unlock(login.Path()); err != nil {
		t.Fatal(err)
	}
	const user = "review-locked@s"
	attrs := map[string]string{"username": user, "service": "tasktray"}
	if err := svc.CreateItem(login, "review locked", attrs, ss.NewSecret(session.Path(), "locked-token")); err != nil {
		t.Fatal(err)
	}
	svc.Close(session)
	defer func() {
		if items, err := svc.SearchItems(login, attrs); err == nil {
			for _, item := range items {
				svc.Delete(item)
			}
		}
	}()
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	if err := svc.Object("org.freedesktop.secrets", "/org/freedesktop/secrets").Call("org.freedesktop.Secret.Service.Lock", 0,
		[]dbus.ObjectPath{login.Path()}).Store(&locked, &prompt); err != nil || prompt != "/" {
		t.Fatalf("locking the login collection: %v (prompt %s)", err, prompt)
	}
	defer reviewUnlockLogin(t, "pass") // before the items go: Delete would prompt

	mon, err := dbus.SessionBusPrivate()
	if err != nil {
		t.Fatal(err)
	}
	defer mon.Close()
	if err := mon.Auth(nil); err != nil {
		t.Fatal(err)
	}
	if err := mon.Hello(); err != nil {
		t.Fatal(err)
	}
	msgs := make(chan *dbus.Message, 4096)
	if err := mon.BusObject().Call("org.freedesktop.DBus.Monitoring.BecomeMonitor", 0, []string{"type='method_call'"}, uint32(0)).Err; err != nil {
		t.Fatal(err)
	}
	mon.Eavesdrop(msgs) // after the answer, which Eavesdrop would take
	me := svc.Names()[0]

	got, ok, end := readSecret("tasktray", user)
	end()
	if ok || got != "" {
		t.Errorf("readSecret of a locked collection = %d bytes, %v; want nothing (the keyring's Get then)", len(got), ok)
	}
	// The monitor sees this process's calls in the order they were sent:
	// a last one says it has seen all of readSecret's.
	if err := svc.BusObject().Call("org.freedesktop.DBus.GetId", 0).Err; err != nil {
		t.Fatal(err)
	}
	var unlocks, opens, closes int
	for seen := false; !seen; {
		select {
		case m := <-msgs:
			if sender, _ := m.Headers[dbus.FieldSender].Value().(string); sender != me {
				continue
			}
			member, _ := m.Headers[dbus.FieldMember].Value().(string)
			iface, _ := m.Headers[dbus.FieldInterface].Value().(string)
			switch {
			case member == "GetId":
				seen = true
			case iface == "org.freedesktop.Secret.Service" && member == "Unlock":
				unlocks++
			case iface == "org.freedesktop.Secret.Service" && member == "OpenSession":
				opens++
			case iface == "org.freedesktop.Secret.Session" && member == "Close":
				closes++
			}
		case <-time.After(wait):
			t.Fatal("the monitor never saw the last call")
		}
	}
	t.Logf("readSecret's calls as the monitor saw them: %d Unlock, %d OpenSession, %d Session.Close", unlocks, opens, closes)
	if opens == 0 {
		t.Error("the monitor saw no OpenSession: it did not see readSecret's calls")
	}
	if unlocks != 0 {
		t.Errorf("readSecret asked to unlock %d times (it may prompt), want never", unlocks)
	}
	if opens != closes {
		t.Errorf("readSecret opened %d sessions and closed %d", opens, closes)
	}
}

// reviewUnlockLogin is auth's unlockLogin (realkeyring_test.go): unlocks
// the login collection with its password through gnome-keyring's own
// interface, as the desktop's prompt would.
func reviewUnlockLogin(t *testing.T, password string) {
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
