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
	"slices"
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
	g := servers.StartGotify(t, servers.Bin(t, servers.EnvGotifyBin))
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
	f.login(t)
	return f
}

// login logs alice in (again), as the login window does.
func (f *fixture) login(t *testing.T) {
	t.Helper()
	var err error
	f.session, err = gotify.Authenticator{}.Login(context.Background(), auth.Credentials{Account: f.account, Password: alicePass})
	if err != nil {
		t.Fatal(err)
	}
}

// start runs a client for alice with the given cursor store, starting from
// the login's resume point as the agent does.
func (f *fixture) start(t *testing.T, cursor conn.CursorStore, backoff conn.Backoff) *backendtest.Run {
	t.Helper()
	return f.startFrom(t, f.session.Resume, cursor, backoff)
}

// startFrom is start with another resume point for an empty cursor (the
// agent after an app restart has none: auth.Session.Resume is not kept).
func (f *fixture) startFrom(t *testing.T, from string, cursor conn.CursorStore, backoff conn.Backoff) *backendtest.Run {
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
		Protocol: p, Token: f.session.Token, StartFrom: from, Cursor: cursor, Dialer: d,
		Backoff: backoff, StableAfter: 200 * time.Millisecond,
	})
}

// startStreaming is start, and returns once the stream is up. Gotify
// registers a stream just after the handshake the client sees: a message
// published in between reaches the client only by the next backfill.
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

// publishDuring runs n publishers, each publishing as fast as it can
// (every 2 ms at most), while during runs; it returns the ids published.
func (f *fixture) publishDuring(t *testing.T, n int, during func()) []string {
	t.Helper()
	if n == 0 {
		during()
		return nil
	}
	var inner []string
	outer := backendtest.PublishDuring(t, 2*time.Millisecond, func(i int) (string, error) {
		id, err := f.g.Publish(f.app, "task "+strconv.Itoa(n)+"."+strconv.Itoa(i), "published during the cuts", 5)
		return strconv.FormatInt(id, 10), err
	}, func() { inner = f.publishDuring(t, n-1, during) })
	return append(outer, inner...)
}

// checkExactlyOnce publishes a marker after everything else, waits for it,
// and then checks that each of published (and the marker) was delivered
// exactly once: a late repeat would have come before the marker.
func (f *fixture) checkExactlyOnce(t *testing.T, r *backendtest.Run, what string, published []string) {
	t.Helper()
	marker := f.publish(t, "marker after "+what, 5)
	r.WaitFor(waitLong, marker)
	r.CheckExactlyOnce("gotify", what, append(slices.Clone(published), marker), 0)
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

// A login fetches nothing from before it, but everything after it, even
// what was published before the app first connected (defect 1); then
// tasks arrive live.
func TestRealFirstLoginThenLive(t *testing.T) {
	f := setup(t, nil, "")
	old := f.publish(t, "before tasktray", 5)
	f.login(t)
	early := f.publish(t, "after the login, before the first link", 5)
	r := f.startStreaming(t, backendtest.CursorFile(t), backendtest.FastBackoff)
	r.WaitFor(waitLong, early)
	live := f.publish(t, "Task done", 8)
	r.WaitFor(waitLong, live)
	got := r.Task(live)
	if got.Title != "Task done" || got.Body != "body of Task done" || got.Priority != conn.PriorityMax || got.Resume != live {
		t.Errorf("task %+v", got)
	}
	f.checkExactlyOnce(t, r, "first login", []string{early, live})
	if !r.At(old).IsZero() {
		t.Errorf("message %s from before the login was delivered", old)
	}
}

// The app quits before its first task and starts again without the login's
// resume point (it is not kept): the cursor file kept it, so what was
// published meanwhile is fetched (defect 1: the baseline was per run).
func TestRealRestartBeforeFirstTask(t *testing.T) {
	f := setup(t, nil, "")
	cursor := backendtest.CursorFile(t)
	r := f.startStreaming(t, cursor, backendtest.FastBackoff)
	r.Stop()
	offline := []string{f.publish(t, "while off 1", 5), f.publish(t, "while off 2", 5)}
	r2 := f.startFrom(t, "", cursor, backendtest.FastBackoff)
	r2.WaitFor(waitLong, offline...)
	f.checkExactlyOnce(t, r2, "app restart before the first task", offline)
}

// Ten cuts of the client's TCP connection while four publishers publish
// at once, so that ids reach the stream out of order: each message arrives
// exactly once (the stream, or GET /message after the redial), none is
// skipped by a resume point that ran ahead of a late lower id (defect 13).
func TestRealForcedDisconnects(t *testing.T) {
	f := setup(t, nil, "")
	r := f.startStreaming(t, backendtest.CursorFile(t), backendtest.FastBackoff)
	first := f.publish(t, "first", 4)
	r.WaitFor(waitLong, first)
	published := append([]string{first}, f.publishDuring(t, 4, func() {
		r.CutAndReconnect(10, waitLong, func() { f.proxy.Cut() })
	})...)
	r.WaitFor(waitLong, published...)
	f.checkExactlyOnce(t, r, "10 forced disconnects (TCP cut by a proxy), 4 publishers", published)
	// A figure, not a check: how often a lower id came after a higher one.
	reordered, high, delivered := 0, int64(0), r.Delivered()
	for _, id := range delivered {
		n, _ := strconv.ParseInt(id, 10, 64)
		if n < high {
			reordered++
		}
		high = max(high, n)
	}
	t.Logf("gotify, 4 publishers: %d of %d delivered after a higher id", reordered, len(delivered))
}

// A long outage: the app is off while more messages are published than
// one backfill used to fetch (1,000). Every one comes, in order (defect 13).
func TestRealLongOutage(t *testing.T) {
	f := setup(t, nil, "")
	cursor := backendtest.CursorFile(t)
	r := f.startStreaming(t, cursor, backendtest.FastBackoff)
	first := f.publish(t, "first", 5)
	r.WaitFor(waitLong, first)
	r.Stop()
	offline := make([]string, 1200)
	for i := range offline {
		offline[i] = f.publish(t, "while off "+strconv.Itoa(i), 3)
	}
	r2 := f.start(t, cursor, backendtest.FastBackoff)
	r2.WaitFor(2*waitLong, offline...)
	f.checkExactlyOnce(t, r2, "1,200 published while the app was off", offline)
	if got := r2.Delivered(); !slices.Equal(got[:len(offline)], offline) {
		t.Errorf("not delivered in order")
	}
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
	// The production backoff may have planned its next dial up to its
	// Max after the server came back.
	r.WaitFor(conn.DefaultBackoff.Max+waitLong, after)
	t.Logf("gotify, server restart: first task %v after the server was back (production backoff)", r.At(after).Sub(back).Round(time.Millisecond))
	f.checkExactlyOnce(t, r, "server restart", []string{before, after})
}

// A link that goes silent without closing (frozen proxy) is declared dead
// within PongWait; what was published meanwhile comes in by backfill.
func TestRealDroppedLink(t *testing.T) {
	f := setup(t, nil, "")
	r := f.startStreaming(t, backendtest.CursorFile(t), backendtest.FastBackoff)
	first := f.publish(t, "first", 5)
	r.WaitFor(waitLong, first)

	// The link's generation, read as Connected: the state reaches the run
	// from another goroutine than the task.
	gen := r.WaitState(waitLong, "connected", func(s conn.State) bool { return s.Phase == conn.Connected }).Generation
	// The test's PongWait, not the default one, must end the link: the
	// wait below gives up well before the default would.
	if pongWait+waitLong >= gotify.DefaultPongWait {
		t.Fatalf("the wait (%v) would outlast the default PongWait %v", pongWait+waitLong, gotify.DefaultPongWait)
	}
	f.proxy.Freeze()
	frozen := time.Now()
	during := []string{f.publish(t, "lost in the stream 1", 5), f.publish(t, "lost in the stream 2", 5)}
	r.WaitReconnected(pongWait+waitLong, gen)
	noticed := time.Since(frozen)
	r.WaitFor(waitLong, during...)
	t.Logf("gotify, dropped link: noticed after %v (PongWait %v), missed tasks after %v",
		noticed.Round(time.Millisecond), pongWait, r.At(during[1]).Sub(frozen).Round(time.Millisecond))
	f.checkExactlyOnce(t, r, "dropped link", append([]string{first}, during...))
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
	f.checkExactlyOnce(t, r2, "app restart", offline)
	if got := r2.Delivered(); strings.Join(got[:len(offline)], ",") != strings.Join(offline, ",") {
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
	gen := r.WaitState(waitLong, "connected", func(s conn.State) bool { return s.Phase == conn.Connected }).Generation
	f.proxy.Freeze() // frames published now reach the client only by backfill
	missed := f.publish(t, "backfilled over TLS", 5)
	f.proxy.Cut()
	r.WaitReconnected(waitLong, gen)
	r.WaitFor(waitLong, missed)
	f.checkExactlyOnce(t, r, "TLS", []string{first, missed})
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
