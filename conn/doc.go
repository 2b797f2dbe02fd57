// Package conn owns the link that brings tasks in: one WebSocket to one
// server, kept alive with heartbeats, re-dialled with jittered backoff, resumed
// from the last delivered task so nothing is lost and nothing arrives twice.
//
// A service may answer at several addresses (Config.Alternates: the nodes
// of a cluster, or a standby): the link tries them in order, one backoff
// step per round through all of them, resumes on whichever answers from the
// same cursor, and State.Server says which one it is on.
//
// What differs between servers (URL, auth header, frame decoding, keepalive
// quirks, how to resume) sits behind the Protocol interface; the state machine
// in Client never changes for a new server kind.
//
// conn also owns how far delivery got (Cursor): the resume point, and the
// bounded set of delivered ids that catches duplicates even when a server
// sends ids out of order; and the cursor file (FileCursor), written durably,
// whose damage costs a notice to the user (a Gap), never the link. It notices
// a suspend by the wall clock jumping ahead on its keepalive timers and by
// Client.Resumed, which the owner calls on the platform's resume signal.
//
// conn does not own tokens (package auth), popups or icons (package tray),
// listening to the platform's power signals (the tray), and never imports a
// UI toolkit.
package conn
