// Package chaos runs the real client code (conn.Client with the real server
// kinds, and tray.Agent with fake desktop parts) against real servers
// behind a misbehaving proxy, and counts what was published, delivered,
// duplicated and lost while links break in every way this project has
// seen: FIN and RST drops, half-open links, server restarts with and
// without a new epoch, garbage frames, duplicate and out-of-order ids, a
// revoked token, a damaged or full cursor store, a simulated suspend, a
// stuck window and a hung notification daemon.
//
// cmd/tasktray-chaos is its command; docs/chaos.md says how to read its
// table. It does not own any server (package server, internal/legacyserver)
// or the code under test; it only uses their public APIs.
package chaos
