// Package conn owns the link that brings tasks in: one WebSocket to one
// server, kept alive with heartbeats, re-dialled with jittered backoff, resumed
// from the last delivered task so nothing is lost and nothing arrives twice.
//
// What differs between servers (URL, auth header, frame decoding, keepalive
// quirks, how to resume) sits behind the Protocol interface; the state machine
// in Client never changes for a new server kind.
//
// conn does not own tokens (package auth), popups or icons (package tray), and
// never imports a UI toolkit.
package conn
