package chaos

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"tasktray/auth"
	"tasktray/backend/centrifugo"
	"tasktray/conn"
	"tasktray/internal/servers"
)

// centrifugoBackend is a real Centrifugo (TASKTRAY_CENTRIFUGO_BIN) with
// the site's token endpoint of internal/servers. Its history lives in
// memory: a restart starts a new epoch, and its tokens (signed JWTs) stay
// valid.
type centrifugoBackend struct {
	t     *tb
	c     *servers.Centrifugo
	acct  auth.Account
	proxy *Proxy
	mu    sync.Mutex
	up    bool
}

func startCentrifugo(log *slog.Logger) (_ Backend, err error) {
	t := newTB("centrifugo", log)
	defer func() {
		if err != nil {
			t.close()
		}
	}()
	defer catch(&err)
	b := &centrifugoBackend{t: t, c: servers.StartCentrifugo(t, servers.BinFromEnv(t, servers.EnvCentrifugoBin)), up: true}
	tokens := b.c.StartTokenEndpoint(t, map[string]string{chaosUser: chaosPass}, time.Hour)
	if b.proxy, err = StartProxy(b.c.URL); err != nil {
		return nil, err
	}
	t.Cleanup(b.proxy.Close)
	b.proxy.IsTask = func(m []byte) bool { return strings.Contains(string(m), `"pub"`) }
	b.acct = auth.Account{Kind: "centrifugo", Server: b.proxy.URL(), Username: chaosUser,
		Options: map[string]string{centrifugo.OptionTokenURL: tokens.URL}}
	return b, nil
}

func (b *centrifugoBackend) Publish(title string) error {
	b.mu.Lock()
	up := b.up
	b.mu.Unlock()
	if !up {
		return errDown
	}
	_, err := b.c.Publish("tasks:"+chaosUser, map[string]any{"title": title, "body": "chaos"})
	return err
}

func (b *centrifugoBackend) Login(ctx context.Context) (auth.Session, error) {
	return centrifugo.Authenticator{}.Login(ctx, auth.Credentials{Account: b.acct, Password: chaosPass})
}

func (b *centrifugoBackend) Protocol() conn.Protocol {
	p, err := centrifugo.New(b.acct)
	if err != nil {
		panic(err) // the account is built above and valid
	}
	return p
}

func (b *centrifugoBackend) Proxy() *Proxy { return b.proxy }

// Revoke is not run: a Centrifugo token is a signed JWT that stays good
// until it expires; the token endpoint can only refuse its refresh.
func (b *centrifugoBackend) Revoke() error { return ErrUnsupported }

// Restart restarts the server, which forgets its in-memory history: a new
// epoch always.
func (b *centrifugoBackend) Restart(newEpoch bool) error {
	if !newEpoch {
		return ErrUnsupported
	}
	b.mu.Lock()
	b.up = false
	b.mu.Unlock()
	err := b.c.Restart()
	b.mu.Lock()
	b.up = err == nil
	b.mu.Unlock()
	return err
}

func (b *centrifugoBackend) Close() { b.t.close() }
