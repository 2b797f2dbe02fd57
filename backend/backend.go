// Package backend lists the server kinds tasktray speaks and builds, for an
// account, the conn.Protocol that streams its tasks and the
// auth.Authenticator that logs in to it. Each kind lives in its own
// subpackage; this file is the only place that knows them all.
package backend

import (
	"fmt"
	"net/url"

	"tasktray/auth"
	"tasktray/backend/centrifugo"
	"tasktray/backend/custom"
	"tasktray/backend/gotify"
	"tasktray/backend/native"
	"tasktray/backend/ntfy"
	"tasktray/conn"
)

// Kind is one server kind.
type Kind struct {
	Name  string // as in auth.Account.Kind
	Label string // as the login window shows it
	// Protocol builds the stream side for an account.
	Protocol func(a auth.Account) (conn.Protocol, error)
	// Authenticator builds the login side for an account.
	Authenticator func(a auth.Account) (auth.Authenticator, error)
}

// Kinds lists every server kind, the default first.
var Kinds = []Kind{
	{
		Name:  "native",
		Label: "tasktray server",
		Protocol: func(a auth.Account) (conn.Protocol, error) {
			return native.New(a.Server)
		},
		Authenticator: func(a auth.Account) (auth.Authenticator, error) {
			hc, err := conn.NewHTTPClient(a.CAFile)
			if err != nil {
				return nil, err
			}
			return &native.Authenticator{HTTPClient: hc}, nil
		},
	},
	{
		Name:  "gotify",
		Label: "Gotify",
		Protocol: func(a auth.Account) (conn.Protocol, error) {
			return gotify.New(a)
		},
		Authenticator: func(a auth.Account) (auth.Authenticator, error) {
			return gotify.Authenticator{}, nil
		},
	},
	{
		Name:  "ntfy",
		Label: "ntfy",
		Protocol: func(a auth.Account) (conn.Protocol, error) {
			return ntfy.New(a)
		},
		Authenticator: func(a auth.Account) (auth.Authenticator, error) {
			return ntfy.Authenticator{}, nil
		},
	},
	{
		Name:  "centrifugo",
		Label: "Centrifugo",
		Protocol: func(a auth.Account) (conn.Protocol, error) {
			return centrifugo.New(a)
		},
		Authenticator: func(a auth.Account) (auth.Authenticator, error) {
			return centrifugo.Authenticator{}, nil
		},
	},
	{
		// An existing browser-era backend, described by a profile that
		// the account names (custom.OptionProfile, custom.OptionProfileText).
		Name:  custom.KindName,
		Label: "WebSocket (custom)",
		Protocol: func(a auth.Account) (conn.Protocol, error) {
			return custom.New(a)
		},
		Authenticator: func(a auth.Account) (auth.Authenticator, error) {
			return custom.NewAuthenticator(a)
		},
	},
}

// Lookup returns the kind called name; "" means the default kind.
func Lookup(name string) (Kind, error) {
	if name == "" {
		return Kinds[0], nil
	}
	for _, k := range Kinds {
		if k.Name == name {
			return k, nil
		}
	}
	return Kind{}, msgUnknownKind.Err(name)
}

// Addresses builds the stream side for every address of the account:
// Server first, then each of Servers, with the same kind and options (one
// service, one token, one history). The caller hands the first to
// conn.Config.Protocol and Server, the rest to conn.Config.Alternates.
// Each Server names its address as the account gives it, without any
// user or password part.
func (k Kind) Addresses(a auth.Account) ([]conn.Address, error) {
	var out []conn.Address
	for _, server := range append([]string{a.Server}, a.Servers...) {
		acc := a
		acc.Server, acc.Servers = server, nil
		p, err := k.Protocol(acc)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", displayAddress(server), err)
		}
		out = append(out, conn.Address{Server: displayAddress(server), Protocol: p})
	}
	return out, nil
}

// displayAddress is server without a user or password part, for the user
// and the log.
func displayAddress(server string) string {
	u, err := url.Parse(server)
	if err != nil {
		return "(an address that is not a URL)"
	}
	if u.User == nil {
		return server
	}
	u.User = nil
	return u.String()
}
