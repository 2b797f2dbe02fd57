package conn

import (
	"crypto/tls"
	"net/http"
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
func NewDialer(caFile string) (*websocket.Dialer, error) {
	tc, err := TLSConfig(caFile)
	if err != nil {
		return nil, err
	}
	return &websocket.Dialer{
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
