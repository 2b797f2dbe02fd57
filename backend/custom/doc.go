// Package custom is the "WebSocket (custom)" server kind: it connects to a
// backend that was written for a browser and that its owners cannot change.
// A Profile, a small TOML file an admin writes once (docs/custom.md), says
// where that backend's login is and what its fields are called, where the
// token goes on the WebSocket (the query, a path segment, a header,
// Sec-WebSocket-Protocol or the login's cookies), what heartbeat it expects,
// how a pushed frame becomes a task, and how to resume.
//
// A token in a URL is still a secret: the Protocol's errors and the Dialer
// it wraps never carry the URL or the token (Redact).
//
// It does not own the link (package conn), the keyring (package auth) or
// any window; the login window builds an auth.Account that names a profile
// (OptionProfile, OptionProfileText) and FromAccount loads it back.
package custom
