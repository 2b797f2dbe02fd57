// Package httpapi owns the HTTP plumbing the server kinds share for the
// requests they make besides the stream (logins, logouts, backfills): a
// client that trusts the account's CA file and never follows redirects,
// the account's server URL as an http(s) base, reading an answer with a cap
// on its size, and sorting every failure into auth's errors
// (auth.ErrUnreachable, auth.ErrTLS, auth.ErrNotServer) in words of its own
// that name the host and path, never a query, a header or a secret.
//
// It does not own any kind's endpoints, what their answers mean, which
// status means wrong credentials, or how much of an answer is too much:
// each backend/<kind> decides those.
package httpapi
