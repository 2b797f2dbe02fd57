package custom

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/BurntSushi/toml"
)

// Profile describes one existing backend: how to log in, how to open its
// WebSocket, how to keep it alive, how its frames become tasks and how to
// resume. ParseProfile fills in every default and checks every field, so a
// Profile it returns is complete; nothing runs half-configured.
type Profile struct {
	// Name is the backend's name as the login window shows it.
	Name string `toml:"name"`
	// AllowInsecure permits ws:// and http:// to a host other than this
	// computer (the password and token then cross the network in clear).
	AllowInsecure bool `toml:"allow_insecure"`
	// Login is nil when the backend has no login the app can call: the
	// user pastes a token or API key, kept in the keyring like any token.
	Login     *Login    `toml:"login"`
	Connect   Connect   `toml:"connect"`
	Heartbeat Heartbeat `toml:"heartbeat"`
	Mapping   Mapping   `toml:"mapping"`
	Resume    Resume    `toml:"resume"`
}

// Login is the backend's own login request.
type Login struct {
	URL    string `toml:"url"`
	Method string `toml:"method"` // POST (default), PUT or GET
	// Body is "json" (default) or "form".
	Body          string            `toml:"body"`
	UsernameField string            `toml:"username_field"` // default "username"
	PasswordField string            `toml:"password_field"` // default "password"
	Fields        map[string]string `toml:"fields"`         // fixed extra fields
	Headers       map[string]string `toml:"headers"`        // fixed extra headers
	// TokenFrom is where the answer holds the token: "json" (TokenPath,
	// a gjson path), "header" (TokenHeader, TokenPrefix stripped) or
	// "cookies" (every cookie the answer sets, kept together as the token).
	TokenFrom   string `toml:"token_from"`
	TokenPath   string `toml:"token_path"`
	TokenHeader string `toml:"token_header"`
	TokenPrefix string `toml:"token_prefix"`
}

// Where the token travels on the WebSocket handshake.
const (
	TokenInQuery       = "query"       // {token} in the URL's query
	TokenInPath        = "path"        // {token} in a path segment
	TokenInHeader      = "header"      // Header: Prefix+token
	TokenInSubprotocol = "subprotocol" // {token} in one of Subprotocols
	TokenInCookie      = "cookie"      // the login's cookies
)

// Connect is how the WebSocket is opened.
type Connect struct {
	// URL is a ws:// or wss:// template; {token} stands for the token,
	// escaped for where it stands.
	URL          string            `toml:"url"`
	TokenIn      string            `toml:"token_in"` // one of the TokenIn values
	Header       string            `toml:"header"`   // TokenInHeader: its name
	Prefix       string            `toml:"prefix"`   // TokenInHeader: e.g. "Bearer "
	Subprotocols []string          `toml:"subprotocols"`
	Headers      map[string]string `toml:"headers"` // fixed, e.g. Origin
}

// Heartbeat is the application-level keepalive the backend expects.
type Heartbeat struct {
	// Text is sent every Interval; nil means DefaultHeartbeat, "" none.
	Text     *string  `toml:"text"`
	Interval Duration `toml:"interval"` // default 30 s
	// Echo is the exact text of the server's answer to a heartbeat. A frame
	// equal to Text is an echo too.
	Echo string `toml:"echo"`
	// EchoPath and EchoValue: a JSON frame whose field at EchoPath equals
	// EchoValue is an echo ({"type":"pong"}).
	EchoPath  string `toml:"echo_path"`
	EchoValue string `toml:"echo_value"`
	// Ping sends WebSocket pings too (nil means true): a server that
	// answers them lets a dead link be noticed.
	Ping *bool `toml:"ping"`
	// DeadAfter: a link with no frame, pong or echo for this long is dead;
	// default 2 Intervals and 5 s.
	DeadAfter Duration `toml:"dead_after"`
}

// Mapping turns a JSON frame into a task; every path is a gjson path
// (https://github.com/tidwall/gjson/blob/master/SYNTAX.md).
type Mapping struct {
	ID       string `toml:"id"` // "" when the backend sends no ids
	Title    string `toml:"title"`
	Body     string `toml:"body"`
	URL      string `toml:"url"`
	Priority string `toml:"priority"` // a number 1..5, or low/normal/high/urgent
	Time     string `toml:"time"`     // RFC 3339, or Unix seconds or milliseconds
	// DefaultTitle is the title of a task whose frame gives none.
	DefaultTitle string `toml:"default_title"`
	// PlainText is what a frame that is not JSON becomes: "body" (default:
	// a task with that text as its body) or "ignore".
	PlainText string `toml:"plain_text"`
	Ignore    []Rule `toml:"ignore"`
}

// Rule ignores a JSON frame: when the value at Path equals Equals, or
// when it is not Not (exactly one of the two is set).
type Rule struct {
	Path   string  `toml:"path"`
	Equals *string `toml:"equals"`
	Not    *string `toml:"not"`
}

// Resume is how to catch up after a reconnect or a restart.
type Resume struct {
	// SinceParam, when set, adds ?<SinceParam>=<last id> to the WebSocket
	// URL after the first task (needs Mapping.ID).
	SinceParam string `toml:"since_param"`
	// MissedURL is an http(s) template that answers the tasks after
	// {since} (needs Mapping.ID); MissedItems the gjson path to their
	// array ("" when the answer is the array).
	MissedURL   string `toml:"missed_url"`
	MissedItems string `toml:"missed_items"`
	// Window is, without ids, how many recent messages are remembered to
	// recognise a backend's re-sends after a reconnect (default 50).
	Window int `toml:"window"`
	// Replay is, without ids, how many of its last messages the backend
	// re-sends to each new socket, when the admin knows it (0: not said).
	// It makes the re-send match exact: see window.replayed.
	Replay int `toml:"replay"`
}

// Defaults of a profile.
const (
	DefaultHeartbeat      = "HeartBeat"
	DefaultHeartbeatEvery = 30 * time.Second
	DefaultTitle          = "New task"
	DefaultWindow         = 50
	// MaxWindow bounds Resume.Window: the window travels in the cursor.
	MaxWindow = 500
	// maxProfile bounds a profile file; real ones are a few hundred bytes.
	maxProfile = 64 << 10
)

// Duration is a time.Duration written as "30s" or "1m30s".
type Duration struct{ time.Duration }

// UnmarshalText reads a Go duration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration like \"30s\"", b)
	}
	d.Duration = v
	return nil
}

// MarshalText writes a Go duration.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.Duration.String()), nil }

// LoadProfile reads and checks the profile at path.
func LoadProfile(path string) (*Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrProfile, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxProfile+1))
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrProfile, path, err)
	}
	p, err := ParseProfile(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// ParseProfile reads a profile from TOML and checks it: unknown keys,
// wrong types and every inconsistency give an error wrapping ErrProfile
// that names the field.
func ParseProfile(data []byte) (*Profile, error) {
	if len(data) > maxProfile {
		return nil, msgTooLong.Err(ErrProfile, maxProfile>>10)
	}
	var p Profile
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&p)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrProfile, tomlErr(err))
	}
	if un := md.Undecoded(); len(un) > 0 {
		keys := make([]string, len(un))
		for i, k := range un {
			keys[i] = k.String()
		}
		return nil, msgUnknownField.Err(ErrProfile, strings.Join(keys, ", "))
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return &p, nil
}

// tomlErr words a decoding error: the line and the key, without the
// library's "toml:" prefix. A profile holds no secrets, so quoting it is
// safe.
func tomlErr(err error) string {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := pe.Message
		if pe.LastKey != "" {
			return fmt.Sprintf("line %d, field %s: %s", pe.Position.Line, pe.LastKey, msg)
		}
		return fmt.Sprintf("line %d: %s", pe.Position.Line, msg)
	}
	msg := strings.TrimPrefix(err.Error(), "toml: ")
	if m := typeErr().FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("line %s, field %s: is %s, must be %s", m[1], m[2], article(m[3]), article(m[4]))
	}
	return msg
}

// typeErr matches the library's words for a value of the wrong type.
var typeErr = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^line (\d+) \(last key "([^"]*)"\): incompatible types: TOML value has type (\w+); destination has type (\w+)`)
})

// article names a TOML or Go type for a person: "a string", "a number".
func article(typ string) string {
	switch {
	case strings.HasPrefix(typ, "int"), strings.HasPrefix(typ, "float"), typ == "integer":
		return "a number"
	case typ == "bool", typ == "boolean":
		return "true or false"
	case strings.HasPrefix(typ, "map"), typ == "struct":
		return "a table"
	case strings.HasPrefix(typ, "[]"), typ == "slice", typ == "array":
		return "a list"
	}
	return "a " + typ
}
