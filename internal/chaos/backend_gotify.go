package chaos

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"tasktray/auth"
	"tasktray/backend/gotify"
	"tasktray/conn"
	"tasktray/internal/servers"
)

// gotifyBackend is a real Gotify server (TASKTRAY_GOTIFY_BIN).
type gotifyBackend struct {
	t     *tb
	g     *servers.Gotify
	app   string
	acct  auth.Account
	proxy *Proxy
	proto *gotify.Protocol
	mu    sync.Mutex
	up    bool
}

func startGotify(log *slog.Logger) (_ Backend, err error) {
	t := newTB("gotify", log)
	defer func() {
		if err != nil {
			t.close()
		}
	}()
	defer catch(&err)
	b := &gotifyBackend{t: t, g: servers.StartGotify(t, servers.BinFromEnv(t, servers.EnvGotifyBin)), up: true}
	if err := b.g.CreateUser(chaosUser, chaosPass); err != nil {
		return nil, err
	}
	if b.app, err = b.g.AppTokenAs(chaosUser, chaosPass, "chaos"); err != nil {
		return nil, err
	}
	if b.proxy, err = StartProxy(b.g.URL); err != nil {
		return nil, err
	}
	t.Cleanup(b.proxy.Close)
	b.proxy.IsTask = func(m []byte) bool { return strings.Contains(string(m), `"appid"`) }
	b.acct = auth.Account{Kind: "gotify", Server: b.proxy.URL(), Username: chaosUser}
	if b.proto, err = gotify.New(b.acct); err != nil {
		return nil, err
	}
	// The server pings every GotifyPingPeriodSeconds: two missed pings
	// and a margin.
	b.proto.PongWait = (2*servers.GotifyPingPeriodSeconds + 2) * time.Second
	return b, nil
}

func (b *gotifyBackend) Publish(title string) error {
	b.mu.Lock()
	up := b.up
	b.mu.Unlock()
	if !up {
		return errDown
	}
	_, err := b.g.Publish(b.app, title, "chaos", 5)
	return err
}

func (b *gotifyBackend) Login(ctx context.Context) (auth.Session, error) {
	return gotify.Authenticator{}.Login(ctx, auth.Credentials{Account: b.acct, Password: chaosPass})
}

func (b *gotifyBackend) Protocol() conn.Protocol { return b.proto }
func (b *gotifyBackend) Proxy() *Proxy           { return b.proxy }

// Revoke deletes every client of the user (each login's token), as the
// user would in Gotify's web UI; the publisher's application stays. Gotify
// closes the deleted clients' streams itself, and refuses their tokens.
func (b *gotifyBackend) Revoke() error {
	_, err := b.g.RevokeClients(chaosUser, chaosPass)
	return err
}

// Restart keeps the database (Gotify's ids and tokens survive); a Gotify
// without its database is a new server, not a restart.
func (b *gotifyBackend) Restart(newEpoch bool) error {
	if newEpoch {
		return ErrUnsupported
	}
	b.mu.Lock()
	b.up = false
	b.mu.Unlock()
	err := b.g.Restart()
	b.mu.Lock()
	b.up = err == nil
	b.mu.Unlock()
	return err
}

func (b *gotifyBackend) Close() { b.t.close() }
