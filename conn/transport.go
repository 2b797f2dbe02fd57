package conn

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"tasktray/auth"
)

// HandshakeTimeout bounds the WebSocket opening handshake.
const HandshakeTimeout = 15 * time.Second

// TLSConfig returns the TLS settings for a server: the system roots, plus the
// PEM certificates in caFile when given (self-signed servers). It is
// auth.TLSConfig, so a login and the link trust the same certificates and
// word a bad CA file the same way; errors wrap auth.ErrTLS.
func TLSConfig(caFile string) (*tls.Config, error) {
	return auth.TLSConfig(auth.Account{CAFile: caFile})
}

// NewDialer returns a WebSocket dialer that honours HTTPS_PROXY/NO_PROXY
// from the environment and trusts caFile in addition to the system roots.
// A Client's dial through it gives up at once when cancelled, even in the
// middle of the handshake.
func NewDialer(caFile string) (*websocket.Dialer, error) {
	tc, err := TLSConfig(caFile)
	if err != nil {
		return nil, err
	}
	return &websocket.Dialer{
		NetDialContext:   dialGuarded,
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: HandshakeTimeout,
		TLSClientConfig:  tc,
	}, nil
}

// NewHTTPClient returns an HTTP client with the same TLS and proxy settings
// as NewDialer, for logins and backfills.
func NewHTTPClient(caFile string) (*http.Client, error) {
	tc, err := TLSConfig(caFile)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tc
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}, nil
}

// handshakeGuard closes the connections dialled for one handshake when its
// context is cancelled. websocket.Dialer honours a context's deadline but
// not its cancellation once TCP is up (gorilla/websocket v1.5.3 reads the
// HTTP response without watching ctx), so without it a Reconnect or a new
// token would wait out a hung handshake (HandshakeTimeout).
type handshakeGuard struct {
	// ctx is the dial's own context: the one the dialer hands on is
	// cancelled when the handshake returns (its HandshakeTimeout).
	ctx   context.Context
	mu    sync.Mutex
	stops []func() bool
}

type handshakeGuardKey struct{}

// guardHandshake returns ctx carrying a guard that NewDialer's dialer uses.
func guardHandshake(ctx context.Context) (context.Context, *handshakeGuard) {
	g := &handshakeGuard{ctx: ctx}
	return context.WithValue(ctx, handshakeGuardKey{}, g), g
}

// watch closes conn when the dial's context ends, until release.
func (g *handshakeGuard) watch(conn net.Conn) {
	stop := context.AfterFunc(g.ctx, func() { conn.Close() })
	g.mu.Lock()
	g.stops = append(g.stops, stop)
	g.mu.Unlock()
}

// release stops watching; it reports whether a connection was closed
// because the context ended.
func (g *handshakeGuard) release() (closed bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, stop := range g.stops {
		if !stop() {
			closed = true
		}
	}
	g.stops = nil
	return closed
}

// dialGuarded dials TCP and, when ctx carries a handshakeGuard, puts the
// connection under its watch.
func dialGuarded(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if g, ok := ctx.Value(handshakeGuardKey{}).(*handshakeGuard); ok {
		g.watch(conn)
	}
	return conn, nil
}
