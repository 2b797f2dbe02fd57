package tray

import (
	"math"
	"net/url"
	"time"

	"tasktray/assets"
	"tasktray/conn"
)

// statusLine says in plain words what the link is doing, for the first line
// of the menu and the status window.
func statusLine(s conn.State, server string, now time.Time) string {
	if s.Server != "" { // the address the link is on, of an account that lists several
		server = s.Server
	}
	host := server
	if u, err := url.Parse(server); err == nil && u.Host != "" {
		host = u.Host
	}
	switch s.Phase {
	case conn.Connected:
		return msgConnected.F(host)
	case conn.Connecting:
		return msgConnecting.F(host)
	case conn.Reconnecting:
		secs := int(math.Ceil(s.NextTry.Sub(now).Seconds()))
		if secs < 1 {
			return msgReconnectingTo.F(host, s.Attempt)
		}
		return msgReconnectingIn.F(secs, s.Attempt)
	case conn.AuthRequired:
		return msgLogInRequired.String()
	case conn.Stopped:
		return msgStopped.String()
	}
	if server == "" {
		return msgNotLoggedIn.String()
	}
	return msgOffline.String()
}

// iconFor picks the tray icon: paused wins, then what the link is doing.
func iconFor(s conn.State, loggedIn, paused bool) assets.IconState {
	switch {
	case paused:
		return assets.Paused
	case !loggedIn || s.Phase == conn.AuthRequired:
		return assets.LoginRequired
	case s.Phase == conn.Connected:
		return assets.Connected
	case s.Phase == conn.Connecting || s.Phase == conn.Reconnecting:
		return assets.Connecting
	}
	return assets.Offline
}

// refreshEvery is how often the menu's countdown ("Reconnecting in 8 s")
// is redrawn. It ticks only while reconnecting, never while connected.
const refreshEvery = time.Second
