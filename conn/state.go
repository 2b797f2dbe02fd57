package conn

import (
	"fmt"
	"time"
)

// Phase is where a Client is in its life.
type Phase int

// The phases of a Client. The zero value is Disconnected.
const (
	Disconnected Phase = iota // not started, or no token to connect with
	Connecting                // first dial in progress
	Connected                 // link up, tasks flow
	Reconnecting              // link lost; waiting out the backoff, then dialling
	AuthRequired              // the server refused the token; waits for SetToken
	Stopped                   // Run has returned
)

func (p Phase) String() string {
	switch p {
	case Disconnected:
		return "disconnected"
	case Connecting:
		return "connecting"
	case Connected:
		return "connected"
	case Reconnecting:
		return "reconnecting"
	case AuthRequired:
		return "auth-required"
	case Stopped:
		return "stopped"
	}
	return fmt.Sprintf("phase(%d)", int(p))
}

// State is a snapshot of a Client, published on Client.States.
type State struct {
	Phase Phase
	// Attempt counts failed dials since the link was last up (Reconnecting).
	Attempt int
	// NextTry is when the next dial starts (Reconnecting).
	NextTry time.Time
	// Reason says in plain words why the link is not up. It never holds a
	// token or a URL with credentials.
	Reason string
	// Generation numbers connection attempts; a higher one is newer.
	Generation uint64
	// Server names the address (Config.Server or an Alternates' Server)
	// the link is on (Connected), is dialling (Connecting), or dials next
	// (Reconnecting, AuthRequired: the one that refused). "" when unnamed.
	Server string
}

func (s State) String() string {
	switch s.Phase {
	case Connected, Connecting:
		if s.Server != "" {
			return fmt.Sprintf("%s to %s", s.Phase, s.Server)
		}
	case Reconnecting:
		if s.Server != "" {
			return fmt.Sprintf("%s to %s (attempt %d, next at %s): %s", s.Phase, s.Server, s.Attempt, s.NextTry.Format(time.TimeOnly), s.Reason)
		}
		return fmt.Sprintf("%s (attempt %d, next at %s): %s", s.Phase, s.Attempt, s.NextTry.Format(time.TimeOnly), s.Reason)
	case AuthRequired, Disconnected:
		if s.Reason != "" {
			return fmt.Sprintf("%s: %s", s.Phase, s.Reason)
		}
	}
	return s.Phase.String()
}
