package conn

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/gorilla/websocket"
)

// HandshakeTimeout bounds the WebSocket opening handshake.
const HandshakeTimeout = 15 * time.Second

// TLSConfig returns the TLS settings for a server: the system roots, plus the
// PEM certificates in caFile when given (self-signed servers).
func TLSConfig(caFile string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile == "" {
		return cfg, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("reading CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("CA file %s holds no PEM certificate", caFile)
	}
	cfg.RootCAs = pool
	return cfg, nil
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
