//go:build realservers

package gotify_test

// Tests against a real Gotify server v2.9.1 built by scripts/servers.sh:
//
//	source scripts/servers.sh && go test -race -tags realservers -v ./backend/gotify/
//
// The client reaches the server through a TCP proxy the test can cut or
// freeze; publishing goes straight to the server. The server pings every
// servers.GotifyPingPeriodSeconds (5 s), so PongWait is 8 s here.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"tasktray/auth"
	"tasktray/backend/gotify"
	"tasktray/backend/internal/backendtest"
	"tasktray/conn"
	"tasktray/internal/servers"
)

const (
	alice     = "alice"
	alicePass = "alice-correct-horse"
	pongWait  = 8 * time.Second // > the test server's 5 s ping period
	waitLong  = 30 * time.Second
)

type fixture struct {
	g       *servers.Gotify
	proxy   *backendtest.Proxy
	app     string // application token alice publishes with
	account auth.Account
	session auth.Session
}

// setup starts Gotify with user alice and an application of hers, a proxy
// in front of it, and logs alice in through the proxy (over TLS when tc is
// not nil, trusting caFile).
func setup(t *testing.T, tc *tls.Config, caFile string) *fixture {
	t.Helper()
	bin := os.Getenv(servers.EnvGotifyBin)
	if bin == "" {
		t.Skipf("%s is not set: `source scripts/servers.sh` builds Gotify and sets it", servers.EnvGotifyBin)
	}
	g := servers.StartGotify(t, servers.BinFromEnv(t, servers.EnvGotifyBin))
	if err := g.CreateUser(alice, alicePass); err != nil {
		t.Fatal(err)
	}
	app, err := g.AppTokenAs(alice, alicePass, "ci")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{g: g, app: app, proxy: backendtest.StartProxy(t, g.Addr, tc)}
	scheme := "http"
	if tc != nil {
		scheme = "https"
	}
	f.account = auth.Account{Kind: "gotify", Server: scheme + "://" + f.proxy.Addr(), Username: alice, CAFile: caFile}
	f.session, err = gotify.Authenticator{}.Login(context.Background(), auth.Credentials{Account: f.account, Password: alicePass})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// start runs a client for alice with the given cursor store.
func (f *fixture) start(t *testing.T, cursor conn.CursorStore, backoff conn.Backoff) *backendtest.Run {
	t.Helper()
	p, err := gotify.New(f.account)
	if err != nil {
		t.Fatal(err)
	}
	p.PongWait = pongWait
	d, err := conn.NewDialer(f.account.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	return backendtest.StartRun(t, conn.Config{
		Protocol: p, Token: f.session.Token, Cursor: cursor, Dialer: d,
		Backoff: backoff, StableAfter: 200 * time.Millisecond,
	})
}

// startStreaming is start, and returns once the stream is up. Gotify
// registers a stream just after the handshake the client sees, and a first
// login's first link sets its baseline just after that: a message published
// before both is from before the login and never delivered, by design.
func (f *fixture) startStreaming(t *testing.T, cursor conn.CursorStore, backoff conn.Backoff) *backendtest.Run {
	t.Helper()
	r := f.start(t, cursor, backoff)
	r.WaitState(waitLong, "connected", func(s conn.State) bool { return s.Phase == conn.Connected })
	time.Sleep(200 * time.Millisecond)
	return r
}

// publish sends a message as alice's application and returns its id.
func (f *fixture) publish(t *testing.T, title string, priority int) string {
	t.Helper()
	id, err := f.g.Publish(f.app, title, "body of "+title, priority)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(id, 10)
}

func TestRealLogin(t *testing.T) {
	f := setup(t, nil, "")
	if f.session.Token == "" {
		t.Fatal("no token")
	}
	_, err := gotify.Authenticator{}.Login(context.Background(), auth.Credentials{Account: f.account, Password: "wrong"})
	if !errors.Is(err, auth.ErrBadCredentials) {
		t.Errorf("wrong password: %v, want ErrBadCredentials", err)
	}
}

// The first login fetches nothing old; a first link that breaks before any
// task still backfills the gap (from the baseline); then tasks arrive live.
func TestRealFirstLoginThenLive(t *testing.T) {
	f := setup(t, nil, "")
	old := f.publish(t, "before tasktray", 5)
	r := f.startStreaming(t, backendtest.CursorFile(t), backendtest.FastBackoff)
	gen := r.State().Generation
	f.proxy.Freeze() // the stream misses what comes next
	missed := f.publish(t, "while the first link was down", 5)
	f.proxy.Cut()
	r.WaitReconnected(waitLong, gen)
	r.WaitFor(waitLong, missed)
	live := f.publish(t, "Task done", 8)
	r.WaitFor(waitLong, live)
	got := r.Task(live)
	if got.Title != "Task done" || got.Body != "body of Task done" || got.Priority != conn.PriorityMax || got.Resume != live {
		t.Errorf("task %+v", got)
	}
	r.CheckExactlyOnce("gotify", "first login", []string{missed, live}, 300*time.Millisecond)
	if !r.At(old).IsZero() {
		t.Errorf("message %s from before the first login was delivered", old)
	}
}

// Ten cuts of the client's TCP connection while messages are published:
// each arrives exactly once (the stream, or GET /message after the redial).
func TestRealForcedDisconnects(t *testing.T) {
	f := setup(t, nil, "")
	r := f.startStreaming(t, backendtest.CursorFile(t), backendtest.FastBackoff)
	first := f.publish(t, "first", 4)
	r.WaitFor(waitLong, first)
	published := append([]string{first}, backendtest.PublishDuring(t, 5*time.Millisecond, func(i int) (string, error) {
		id, err := f.g.Publish(f.app, "task "+strconv.Itoa(i), "published during the cuts", 5)
		return strconv.FormatInt(id, 10), err
	}, func() {
		r.CutAndReconnect(10, waitLong, func() { f.proxy.Cut() })
	})...)
	r.WaitFor(waitLong, published...)
	r.CheckExactlyOnce("gotify", "10 forced disconnects (TCP cut by a proxy)", published, time.Second)
}

// The server stops and comes back (same port and database): the client
// redials with the production backoff and gets what is published at once.
func TestRealServerRestart(t *testing.T) {
	f := setup(t, nil, "")
	r := f.startStreaming(t, backendtest.CursorFile(t), conn.DefaultBackoff)
	before := f.publish(t, "before the restart", 5)
	r.WaitFor(waitLong, before)

	back := r.Outage(waitLong, f.g.Stop, f.g.Restart)
	after := f.publish(t, "after the restart", 5)
	r.WaitFor(waitLong, after)
	t.Logf("gotify, server restart: first task %v after the server was back (production backoff)", r.At(after).Sub(back).Round(time.Millisecond))
	r.CheckExactlyOnce("gotify", "server restart", []string{before, after}, 500*time.Millisecond)
}

// A link that goes silent without closing (frozen proxy) is declared dead
// within PongWait; what was published meanwhile comes in by backfill.
func TestRealDroppedLink(t *testing.T) {
	f := setup(t, nil, "")
	r := f.startStreaming(t, backendtest.CursorFile(t), backendtest.FastBackoff)
	first := f.publish(t, "first", 5)
	r.WaitFor(waitLong, first)

	gen := r.State().Generation
	f.proxy.Freeze()
	frozen := time.Now()
	during := []string{f.publish(t, "lost in the stream 1", 5), f.publish(t, "lost in the stream 2", 5)}
	r.WaitReconnected(pongWait+waitLong, gen)
	noticed := time.Since(frozen)
	r.WaitFor(waitLong, during...)
	t.Logf("gotify, dropped link: noticed after %v (PongWait %v), missed tasks after %v",
		noticed.Round(time.Millisecond), pongWait, r.At(during[1]).Sub(frozen).Round(time.Millisecond))
	if noticed > pongWait+2*time.Second {
		t.Errorf("dead link noticed after %v, want about PongWait", noticed)
	}
	r.CheckExactlyOnce("gotify", "dropped link", append([]string{first}, during...), 500*time.Millisecond)
}

// After an app restart the persisted cursor fetches exactly what was
// published while the app was off.
func TestRealAppRestart(t *testing.T) {
	f := setup(t, nil, "")
	cursor := backendtest.CursorFile(t)
	r := f.startStreaming(t, cursor, backendtest.FastBackoff)
	first := f.publish(t, "first", 5)
	r.WaitFor(waitLong, first)
	r.Stop()

	var offline []string
	for i := range 5 {
		offline = append(offline, f.publish(t, "while off "+strconv.Itoa(i), 5))
	}
	r2 := f.start(t, cursor, backendtest.FastBackoff)
	r2.WaitFor(waitLong, offline...)
	r2.CheckExactlyOnce("gotify", "app restart", offline, 500*time.Millisecond)
	if got := r2.Delivered(); strings.Join(got, ",") != strings.Join(offline, ",") {
		t.Errorf("delivered %v, want %v in order", got, offline)
	}
}

// Logging out deletes the client: Gotify drops the stream, and the redial
// is refused, which stops the client until a new login.
func TestRealLogout(t *testing.T) {
	f := setup(t, nil, "")
	r := f.startStreaming(t, backendtest.CursorFile(t), backendtest.FastBackoff)
	if err := (gotify.Authenticator{}).Logout(context.Background(), f.session); err != nil {
		t.Fatal(err)
	}
	s := r.WaitState(waitLong, "auth-required", func(s conn.State) bool { return s.Phase == conn.AuthRequired })
	if strings.Contains(s.Reason, f.session.Token) {
		t.Errorf("the state's reason holds the token: %q", s.Reason)
	}
	t.Logf("after logout: %v", s)
}

// Over TLS with a self-signed certificate in the account's CA file: login,
// stream (wss) and backfill (https) all trust it.
func TestRealTLS(t *testing.T) {
	tc, caFile := selfSigned(t)
	f := setup(t, tc, caFile)
	r := f.startStreaming(t, backendtest.CursorFile(t), backendtest.FastBackoff)
	first := f.publish(t, "over TLS", 5)
	r.WaitFor(waitLong, first)
	gen := r.State().Generation
	f.proxy.Freeze() // frames published now reach the client only by backfill
	missed := f.publish(t, "backfilled over TLS", 5)
	f.proxy.Cut()
	r.WaitReconnected(waitLong, gen)
	r.WaitFor(waitLong, missed)
	r.CheckExactlyOnce("gotify", "TLS", []string{first, missed}, 300*time.Millisecond)
}

// selfSigned makes a certificate for 127.0.0.1 and writes it to a CA file.
func selfSigned(t *testing.T) (*tls.Config, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "tasktray test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, caFile
}
