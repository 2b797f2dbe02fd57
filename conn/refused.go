package conn

import (
	"net/url"
)

// refusedError is a dial that nothing answered. Its words are the same on
// every OS (the errno's are not: Windows says "No connection could be made
// because the target machine actively refused it."), and it still wraps
// the dialer's error for errors.Is.
type refusedError struct {
	host string
	err  error
}

func (e *refusedError) Error() string { return msgRefused.F(e.host) }
func (e *refusedError) Unwrap() error { return e.err }

// hostOf is the host:port of a handshake URL: never the path or the query,
// where a token may travel.
func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "the server"
	}
	return u.Host
}
