package chaos

import (
	"context"
	"errors"
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
	// failures paces the revocations: each costs the client one refused
	// redial.
	failures failureBudget
}

// PaceRevoke waits, when need be, until one more token refusal stays
// within ntfy's limit (failureBudget).
func (b *ntfyBackend) PaceRevoke() { b.failures.take() }

// failureBudget keeps the refused requests from one address under ntfy's
// limit (30 at once, one more a minute; over it, every authenticated
// request from the address, the publisher's too, gets 429 "too many auth
// failures", and -visitor-request-limit-exempt-hosts does not exempt it).
// A user's token is not revoked 30 times a minute; the chaos suite's
// rounds would be, so past the first 25 they wait for the budget to refill.
type failureBudget struct {
	mu   sync.Mutex
	used float64 // of ntfyFailureBurst, as of at
	at   time.Time
}

const (
	ntfyFailureBurst  = 25 // of ntfy's 30: a margin for a catch-up poll refused too
	ntfyFailureRefill = time.Minute
)

// take spends one refused request, after waiting until there is one.
func (f *failureBudget) take() {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	if !f.at.IsZero() {
		f.used = max(0, f.used-float64(now.Sub(f.at))/float64(ntfyFailureRefill))
	}
	f.at = now
	if over := f.used + 1 - ntfyFailureBurst; over > 0 {
		wait := time.Duration(over * float64(ntfyFailureRefill))
		time.Sleep(wait) // pacing, not a check: the server's budget refills meanwhile
		f.used -= over
		f.at = now.Add(wait)
	}
	f.used++
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

// Revoke deletes every token of the user but the publisher's, with the
// server's CLI, as an admin would. ntfy keeps the links it opened with
// them (it checks a token when a request starts), so the proxy then ends
// them, as the next network change or app restart would: the redial is
// what is refused.
func (b *ntfyBackend) Revoke() error {
	n, err := b.n.RevokeTokens(chaosUser, b.pub)
	if err != nil {
		return err
	}
	if n == 0 {
		return errors.New("no token to revoke")
	}
	b.proxy.Drop(false)
	return nil
}

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
