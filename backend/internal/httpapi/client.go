package httpapi

import (
	"net/http"
	"net/url"
	"time"

	"tasktray/auth"
)

// RequestTimeout bounds each request of a client that Client makes itself.
const RequestTimeout = 15 * time.Second

// Client returns a copy of hc that never follows redirects: a 307 would
// resend the password or the token header to wherever it points. With hc
// nil it copies a new client with RequestTimeout whose TLS trusts acc's CA
// file besides the system roots; release that one with Release.
func Client(hc *http.Client, acc auth.Account) (*http.Client, error) {
	var c http.Client
	if hc != nil {
		c = *hc
	} else {
		tc, err := auth.TLSConfig(acc)
		if err != nil {
			return nil, err
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = tc
		c = http.Client{Transport: tr, Timeout: RequestTimeout}
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c, nil
}

// Release closes the idle connections of client when Client made it for
// one call (hc nil): nothing else will use its transport. A caller's own
// client is left alone.
func Release(hc, client *http.Client) {
	if hc == nil {
		client.CloseIdleConnections()
	}
}

// BaseURL checks the account's server URL (auth.ValidateServerURL) and
// returns it with an http or https scheme where it has ws or wss.
func BaseURL(acc auth.Account) (*url.URL, error) {
	u, err := auth.ValidateServerURL(acc.Server, acc.AllowInsecure)
	if err != nil {
		return nil, err
	}
	switch u.Scheme {
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	}
	return u, nil
}

// Prepare is BaseURL and Client, what a login or a logout starts with.
func Prepare(hc *http.Client, acc auth.Account) (*url.URL, *http.Client, error) {
	base, err := BaseURL(acc)
	if err != nil {
		return nil, nil, err
	}
	client, err := Client(hc, acc)
	if err != nil {
		return nil, nil, err
	}
	return base, client, nil
}
