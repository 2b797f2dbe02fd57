// Package backend lists the server kinds tasktray speaks and builds, for an
// account, the conn.Protocol that streams its tasks and the
// auth.Authenticator that logs in to it. Each kind lives in its own
// subpackage; this file is the only place that knows them all.
package backend

import (
	"fmt"

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
	return Kind{}, fmt.Errorf("unknown server kind %q", name)
}
