package tray

import (
	"net/http/httptest"
	"slices"
	"testing"

	"tasktray/assets"
	"tasktray/auth"
	"tasktray/ipc"
)

// An admin lists the service's other addresses in the account file
// (docs/scaling.md: "servers"); the login window has no field for them.
// A login from the window to the same service keeps the list, and a login
// to another service drops it (those addresses are not that service's).
func TestLoginKeepsTheAccountsOtherAddresses(t *testing.T) {
	standby := []string{"http://127.0.0.1:1", "http://127.0.0.1:2"}
	for _, same := range []bool{true, false} {
		name := "same service"
		if !same {
			name = "another service"
		}
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			// The account as the admin left it, for an earlier user: the
			// login's save is seen when the user changes.
			if err := auth.SaveAccount(f.cfg.AccountPath, auth.Account{Kind: "native", Server: f.url, Servers: standby, Username: "carol"}); err != nil {
				t.Fatal(err)
			}
			server, want := f.url, standby
			if !same {
				other := httptest.NewServer(f.srv)
				t.Cleanup(other.Close)
				server, want = other.URL, nil
			}
			f.start(t)
			w := f.openLogin(t)
			// The window shows the account once the agent has read it (off
			// its loop), and the user logs in from that form.
			w.expect(t, "the state with the account", func(m ipc.Message) bool {
				s, ok := m.(ipc.State)
				return ok && s.User == "carol"
			})
			w.user.Send(ipc.Login{Kind: "native", Server: server, Username: "alice", Password: "wonderland"})
			if res := w.expect(t, "a login result", isResult).(ipc.LoginResult); !res.OK {
				t.Fatalf("login: %+v", res)
			}
			f.menu.waitView(t, "connected", func(v View) bool { return v.Icon == assets.Connected })
			var acc auth.Account
			waitFor(t, "the account file saved by the login", func() bool {
				var err error
				acc, err = auth.LoadAccount(f.cfg.AccountPath)
				return err == nil && acc.Username == "alice"
			})
			if acc.Server != server || !slices.Equal(acc.Servers, want) {
				t.Errorf("account after the login: server %q, servers %q; want %q, %q", acc.Server, acc.Servers, server, want)
			}
		})
	}
}
