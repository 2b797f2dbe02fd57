package chaos

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"tasktray/auth"
	"tasktray/backend/ntfy"
	"tasktray/conn"
	"tasktray/internal/servers"
)

const ntfyTopic = "tasks-chaos"

// ntfyBackend is a real ntfy server (TASKTRAY_NTFY_BIN).
type ntfyBackend struct {
	t     *tb
	n     *servers.Ntfy
	pub   string
	acct  auth.Account
	proxy *Proxy
	mu    sync.Mutex
	up    bool
}

func startNtfy(log *slog.Logger) (_ Backend, err error) {
	t := newTB("ntfy", log)
	defer func() {
		if err != nil {
			t.close()
		}
	}()
	defer catch(&err)
	b := &ntfyBackend{t: t, n: servers.StartNtfy(t, servers.BinFromEnv(t, servers.EnvNtfyBin)), up: true}
	if err := b.n.AddUser(chaosUser, chaosPass); err != nil {
		return nil, err
	}
	if err := b.n.Allow(chaosUser, "tasks*", "rw"); err != nil {
		return nil, err
	}
	if b.pub, err = b.n.Token(chaosUser, chaosPass); err != nil {
		return nil, err
	}
	if b.proxy, err = StartProxy(b.n.URL); err != nil {
		return nil, err
	}
	t.Cleanup(b.proxy.Close)
	b.proxy.IsTask = func(m []byte) bool { return strings.Contains(string(m), `"event":"message"`) }
	b.acct = auth.Account{Kind: "ntfy", Server: b.proxy.URL(), Username: chaosUser, Options: map[string]string{ntfy.OptionTopics: ntfyTopic}}
	return b, nil
}

func (b *ntfyBackend) Publish(title string) error {
	b.mu.Lock()
	up := b.up
	b.mu.Unlock()
	if !up {
		return errDown
	}
	_, err := b.n.Publish(b.pub, servers.NtfyMessage{Topic: ntfyTopic, Title: title, Message: "chaos"})
	return err
}

func (b *ntfyBackend) Login(ctx context.Context) (auth.Session, error) {
	return ntfy.Authenticator{}.Login(ctx, auth.Credentials{Account: b.acct, Password: chaosPass})
}

// Protocol is a new one per call: an ntfy Protocol serves one Client.
func (b *ntfyBackend) Protocol() conn.Protocol {
	p, err := ntfy.New(b.acct)
	if err != nil {
		panic(err) // the account is built above and valid
	}
	// The server keeps the link alive every NtfyKeepalive: two missed
	// and a margin.
	p.PongWait = 2*servers.NtfyKeepalive + 2*time.Second
	return p
}

// Dialer wraps conn's dialer as the ntfy kind needs (handshake refusals).
func (b *ntfyBackend) Dialer(p conn.Protocol) conn.Dialer {
	d, err := conn.NewDialer("")
	if err != nil {
		panic(err)
	}
	return p.(*ntfy.Protocol).Dialer(d)
}

func (b *ntfyBackend) Proxy() *Proxy { return b.proxy }

// Revoke is not run: internal/servers has no token revocation for ntfy.
func (b *ntfyBackend) Revoke() error { return ErrUnsupported }

// Restart keeps the cache and the auth file.
func (b *ntfyBackend) Restart(newEpoch bool) error {
	if newEpoch {
		return ErrUnsupported
	}
	b.mu.Lock()
	b.up = false
	b.mu.Unlock()
	err := b.n.Restart()
	b.mu.Lock()
	b.up = err == nil
	b.mu.Unlock()
	return err
}

func (b *ntfyBackend) Close() { b.t.close() }
