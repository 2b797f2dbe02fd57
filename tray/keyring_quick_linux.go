package tray

import (
	"os"
	"path/filepath"
	"strconv"

	"github.com/godbus/dbus/v5"
	ss "github.com/zalando/go-keyring/secret_service"
)

// hasQuickRead: on Linux go-keyring asks the Secret Service, which
// readSecret reads in fewer round trips.
const hasQuickRead = true

// readSecret reads the secret that go-keyring's Get(service, user) would
// return, through go-keyring's own secret_service package on the session
// bus it shares: the collection's search and a plain session are asked for
// side by side, then the secret, in two round trips to the Secret Service
// where Get makes seven (it unlocks the collection and the item first, and
// closes the session before it returns). The collection is go-keyring's:
// "login" when the service lists one, else the default alias. Nothing is
// unlocked, so nothing prompts: a locked item refuses GetSecret, and an item
// the service lets it read is read even where the service would refuse
// go-keyring's Unlock of the collection (Get then fails). ok is false
// whenever the answer is not that plain one (no session bus or Secret
// Service, no item, a locked item, any error): the caller then asks the
// keyring, whose answer says why. end closes the session, if one was
// opened: call it once, after handing the secret on. Nothing of what it
// reads is logged.
func readSecret(service, user string) (secret string, ok bool, end func()) {
	end = func() {}
	// Without a session bus address, dbus.SessionBus would launch a bus
	// (dbus-launch): the keyring's Get does what go-keyring does then.
	if !sessionBusKnown() {
		return "", false, end
	}
	svc, err := ss.NewSecretService()
	if err != nil {
		return "", false, end
	}
	attrs := map[string]string{"username": user, "service": service}
	login := svc.GetCollection("login")

	// Side by side: is "login" go-keyring's collection, the search in it,
	// and the session.
	type found struct {
		items []dbus.ObjectPath
		err   error
	}
	isLogin := make(chan bool, 1)
	inLogin := make(chan found, 1)
	go func() { isLogin <- svc.CheckCollectionPath(login.Path()) == nil }()
	go func() {
		items, err := svc.SearchItems(login, attrs)
		inLogin <- found{items, err}
	}()
	session, sessionErr := svc.OpenSession()
	if sessionErr == nil {
		end = func() { svc.Close(session) }
	}
	search := <-inLogin
	if !<-isLogin {
		// No "login" collection: go-keyring's Get searches the default
		// alias, which GetLoginCollection names after asking again.
		search.items, search.err = svc.SearchItems(svc.GetLoginCollection(), attrs)
	}
	if sessionErr != nil || search.err != nil || len(search.items) == 0 {
		return "", false, end
	}
	got, err := svc.GetSecret(search.items[0], session.Path())
	if err != nil {
		return "", false, end
	}
	return string(got.Value), true, end
}

// sessionBusKnown says whether dbus.SessionBus has an address to connect
// to without launching a bus: where godbus (v5.2.4) looks before it runs
// dbus-launch, the address in the environment, then /run/user/<uid>/bus
// and /run/user/<uid>/dbus-session (not $XDG_RUNTIME_DIR).
func sessionBusKnown() bool {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return true
	}
	dir := filepath.Join("/run/user", strconv.Itoa(os.Getuid()))
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}
