// Package auth owns the user's credentials: it turns a password into a token
// once (through a server kind's Authenticator), keeps the token in the OS
// keyring, loads it at start and forgets it at log-out. Passwords are never
// stored. It does not own the link (package conn) or any UI.
package auth

import (
	"tasktray/i18n"

	"context"
	"time"
)

// Account says where and as whom to log in. It holds nothing secret and is
// what the app keeps in its config file.
type Account struct {
	Kind     string `json:"kind"`     // server kind: "native", "gotify", "ntfy", "centrifugo"
	Server   string `json:"server"`   // base URL, e.g. https://tasks.example.com
	Username string `json:"username"` // login name on that server
	// Servers lists more base URLs of the same service (the nodes of a
	// cluster behind no load balancer, or a standby), tried in order after
	// Server when it cannot be reached. They share Server's token, cursor
	// and keyring entry: the same service, so the same history.
	Servers []string `json:"servers,omitempty"`
	// Options holds what a kind needs beyond the basics (ntfy topics,
	// a Centrifugo channel). Never secrets.
	Options map[string]string `json:"options,omitempty"`
	// CAFile is an extra PEM CA bundle for self-signed servers.
	CAFile string `json:"ca_file,omitempty"`
	// AllowInsecure permits http:// and ws:// to a non-loopback host.
	AllowInsecure bool `json:"allow_insecure,omitempty"`
}

// KeyringUser is the keyring entry's user name for this account:
// "<username>@<server URL>" under service "tasktray".
func (a Account) KeyringUser() string { return a.Username + "@" + a.Server }

// Credentials are what the user types once. The password lives only as long
// as the login call.
type Credentials struct {
	Account
	Password string
}

// Check reports an error wrapping ErrBadCredentials unless both the
// username and the password are given; every Authenticator starts with it,
// before any request.
func (c Credentials) Check() error {
	if c.Username == "" || c.Password == "" {
		return msgBothNeeded.Err(ErrBadCredentials)
	}
	return nil
}

// Session is a logged-in account: the token a server handed out.
type Session struct {
	Account
	Token     string
	ExpiresAt time.Time // zero when the server did not say
	// Resume is where the server's task history stood at login, in the
	// form of conn.Task.Resume ("" when the kind cannot tell): the link
	// starts from there when it has no resume point of its own, so a task
	// published between the login and the first task is not lost. Not
	// secret, and not kept in the keyring (the cursor file keeps it).
	Resume string
}

// Authenticator logs in to one server kind.
type Authenticator interface {
	// Login trades credentials for a token. Errors wrap one of the Err*
	// values below and never contain the password or the token.
	Login(ctx context.Context, c Credentials) (Session, error)
	// Logout revokes the token on the server where the kind supports it;
	// ErrNotSupported where it does not.
	Logout(ctx context.Context, s Session) error
}

// Login errors the UI tells apart.
var (
	ErrBadCredentials = i18n.NewError("auth.err.bad_credentials", "wrong username or password", "用户名或密码错误")
	ErrUnreachable    = i18n.NewError("auth.err.unreachable", "server unreachable", "无法连接服务器")
	ErrTLS            = i18n.NewError("auth.err.tls", "TLS certificate problem", "TLS 证书有问题")
	ErrNotServer      = i18n.NewError("auth.err.not_server", "not a server of this kind", "不是该类型的服务器")
	ErrInsecure       = i18n.NewError("auth.err.insecure", "insecure connection to a non-loopback host", "与非本机主机的连接不安全")
	ErrNotSupported   = i18n.NewError("auth.err.not_supported", "not supported by this server kind", "该类型的服务器不支持此操作")
)
