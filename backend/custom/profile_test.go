package custom

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

const minimal = `
[connect]
url = "wss://oa.example.com/websocket?token={token}"
token_in = "query"
`

func TestParseProfileDefaults(t *testing.T) {
	p, err := ParseProfile([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "oa.example.com" || *p.Heartbeat.Text != "HeartBeat" || p.Heartbeat.Interval.Duration != 30*time.Second ||
		!*p.Heartbeat.Ping || p.Heartbeat.DeadAfter.Duration != 65*time.Second || p.Mapping.DefaultTitle != "New task" ||
		p.Mapping.PlainText != "body" || p.Resume.Window != DefaultWindow || p.Login != nil {
		t.Errorf("defaults: %+v %+v %+v", p, p.Heartbeat, p.Mapping)
	}
	if got := p.ServerURL(); got != "https://oa.example.com" {
		t.Errorf("ServerURL = %q", got)
	}
}

// Every bad profile gives an error that names the field and says what is
// wrong.
func TestParseProfileErrors(t *testing.T) {
	conn := func(s string) string { return "[connect]\n" + s + "\n" }
	q := conn(`url = "wss://h.example/ws?token={token}"` + "\n" + `token_in = "query"`)
	tests := []struct{ name, profile, want string }{
		{"empty", ``, `connect.url: missing`},
		{"unknown key", q + "[heartbeat]\ntext_every = \"5s\"\n", `unknown field heartbeat.text_every`},
		{"unknown section", q + "[logon]\nurl = \"https://h.example/\"\n", `unknown field logon`},
		{"typo in connect", conn(`url = "wss://h.example/ws?token={token}"` + "\n" + `token_form = "query"`), `unknown field connect.token_form`},
		{"wrong type", q + "[heartbeat]\ninterval = 30\n", `field heartbeat.interval`},
		{"bad duration", q + "[heartbeat]\ninterval = \"thirty\"\n", `"thirty" is not a duration`},
		{"wrong type bool", q + "[heartbeat]\nping = \"yes\"\n", `heartbeat.ping`},
		{"not TOML", "[connect\nurl=", `line 2`},
		{"http scheme", conn(`url = "https://h.example/ws?token={token}"` + "\n" + `token_in = "query"`), `connect.url: must start with wss://`},
		{"clear text", conn(`url = "ws://h.example/ws?token={token}"` + "\n" + `token_in = "query"`), `connect.url: ws:// to h.example would send the password and token unencrypted`},
		{"user info", conn(`url = "wss://bob:pw@h.example/ws?token={token}"` + "\n" + `token_in = "query"`), `connect.url: must not contain a user name`},
		{"no host", conn(`url = "wss:///ws?token={token}"` + "\n" + `token_in = "query"`), `connect.url: has no host`},
		{"query without token", conn(`url = "wss://h.example/ws"` + "\n" + `token_in = "query"`), `connect.url: token_in = "query" needs {token} once, in the query`},
		{"query with token in path", conn(`url = "wss://h.example/ws/{token}"` + "\n" + `token_in = "query"`), `connect.url: token_in = "query" needs {token}`},
		{"path without token", conn(`url = "wss://h.example/ws?token={token}"` + "\n" + `token_in = "path"`), `connect.url: token_in = "path" needs {token} once, in the path`},
		{"token twice", conn(`url = "wss://h.example/ws/{token}?t={token}"` + "\n" + `token_in = "path"`), `connect.url: token_in = "path"`},
		{"other braces", conn(`url = "wss://h.example/ws/{user}?t={token}"` + "\n" + `token_in = "query"`), `connect.url: only {token} and {since}`},
		{"no token_in", conn(`url = "wss://h.example/ws?token={token}"`), `connect.token_in: missing`},
		{"bad token_in", conn(`url = "wss://h.example/ws?token={token}"` + "\n" + `token_in = "url"`), `connect.token_in: "url" is not one of`},
		{"header without name", conn(`url = "wss://h.example/ws"` + "\n" + `token_in = "header"`), `connect.header: token_in = "header" needs a header name`},
		{"header with token in url", conn(`url = "wss://h.example/ws?t={token}"` + "\n" + `token_in = "header"` + "\n" + `header = "X-T"`), `connect.url: has {token}, but token_in is "header"`},
		{"subprotocol without token", conn(`url = "wss://h.example/ws"` + "\n" + `token_in = "subprotocol"` + "\n" + `subprotocols = ["chat"]`), `connect.subprotocols: token_in = "subprotocol" needs {token} in exactly one entry`},
		{"bad subprotocol", conn(`url = "wss://h.example/ws"` + "\n" + `token_in = "subprotocol"` + "\n" + `subprotocols = ["a b{token}"]`), `connect.subprotocols: "a b{token}" is not a valid subprotocol`},
		{"cookie without login", conn(`url = "wss://h.example/ws"` + "\n" + `token_in = "cookie"`), `connect.token_in: "cookie" needs a [login] section with token_from = "cookies"`},
		{"reserved header", q + "[connect.headers]\nUpgrade = \"x\"\n", `connect.headers: Upgrade is set by the app itself`},
		{"token in fixed header", q + "[connect.headers]\nX-Token = \"{token}\"\n", `connect.headers.X-Token: {token} is not replaced here`},
		{"header prefix unused", q + `prefix = "Bearer "` + "\n", `connect.header: only used with token_in = "header"`},
		{"login without url", q + "[login]\ntoken_from = \"json\"\ntoken_path = \"token\"\n", `login.url: missing`},
		{"login clear text", q + "[login]\nurl = \"http://h.example/login\"\ntoken_from = \"json\"\ntoken_path = \"token\"\n", `login.url: http:// to h.example`},
		{"login ws", q + "[login]\nurl = \"wss://h.example/login\"\ntoken_from = \"json\"\ntoken_path = \"token\"\n", `login.url: must start with https://`},
		{"login method", q + "[login]\nurl = \"https://h.example/login\"\nmethod = \"GET\"\ntoken_from = \"json\"\ntoken_path = \"token\"\n", `login.method: "GET" is not POST or PUT`},
		{"login body", q + "[login]\nurl = \"https://h.example/login\"\nbody = \"xml\"\ntoken_from = \"json\"\ntoken_path = \"token\"\n", `login.body: "xml" is not "json" or "form"`},
		{"login no token_from", q + "[login]\nurl = \"https://h.example/login\"\n", `login.token_from: missing`},
		{"login json no path", q + "[login]\nurl = \"https://h.example/login\"\ntoken_from = \"json\"\n", `login.token_path: token_from = "json" needs the path`},
		{"login header no name", q + "[login]\nurl = \"https://h.example/login\"\ntoken_from = \"header\"\n", `login.token_header: token_from = "header" needs a header name`},
		{"login path unused", q + "[login]\nurl = \"https://h.example/login\"\ntoken_from = \"cookies\"\ntoken_path = \"x\"\n", `login.token_path: not used with token_from = "cookies"`},
		{"login same fields", q + "[login]\nurl = \"https://h.example/login\"\nusername_field = \"u\"\npassword_field = \"u\"\ntoken_from = \"cookies\"\n", `login.password_field: is the same as username_field`},
		{"interval too short", q + "[heartbeat]\ninterval = \"1ms\"\n", `heartbeat.interval: 1ms is not between 100ms and 10m0s`},
		{"echo path alone", q + "[heartbeat]\necho_path = \"type\"\n", `heartbeat.echo_path: echo_path and echo_value go together`},
		{"nothing detects dead link", q + "[heartbeat]\nping = false\n", `heartbeat.dead_after: needed with ping = false and no echo`},
		{"dead_after too short", q + "[heartbeat]\ninterval = \"10s\"\ndead_after = \"5s\"\n", `heartbeat.dead_after: 5s must be longer than the interval`},
		{"plain_text", q + "[mapping]\nplain_text = \"drop\"\n", `mapping.plain_text: "drop" is not "body" or "ignore"`},
		{"ignore without path", q + "[[mapping.ignore]]\nnot = \"task\"\n", `mapping.ignore[0].path: missing`},
		{"ignore both", q + "[[mapping.ignore]]\npath = \"type\"\nnot = \"task\"\nequals = \"ping\"\n", `mapping.ignore[0]: needs exactly one of equals and not`},
		{"path with newline", q + "[mapping]\ntitle = \"a\\nb\"\n", `mapping.title: "a\nb" is not a JSON path`},
		{"since without id", q + "[resume]\nsince_param = \"since\"\n", `resume: since_param and missed_url need mapping.id`},
		{"bad since param", q + "[mapping]\nid = \"id\"\n[resume]\nsince_param = \"a&b\"\n", `resume.since_param: "a&b" is not a plain query parameter name`},
		{"missed without since", q + "[mapping]\nid = \"id\"\n[resume]\nmissed_url = \"https://h.example/missed?t={token}\"\n", `resume.missed_url: needs {since} once`},
		{"missed without token", q + "[mapping]\nid = \"id\"\n[resume]\nmissed_url = \"https://h.example/missed?since={since}\"\n", `resume.missed_url: needs {token}: with token_in = "query"`},
		{"missed ws", q + "[mapping]\nid = \"id\"\n[resume]\nmissed_url = \"wss://h.example/missed?since={since}&t={token}\"\n", `resume.missed_url: must start with https://`},
		{"items without url", q + "[resume]\nmissed_items = \"data\"\n", `resume.missed_items: only used with missed_url`},
		{"window", q + "[resume]\nwindow = 100000\n", `resume.window: 100000 is not between 1 and 500`},
		{"replay", q + "[resume]\nwindow = 10\nreplay = 11\n", `resume.replay: 11 is not between 0 and the window (10)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseProfile([]byte(tt.profile))
			if err == nil {
				t.Fatalf("no error; profile %+v", p)
			}
			if !errors.Is(err, ErrProfile) || p != nil {
				t.Errorf("err %v does not wrap ErrProfile, or a profile came back", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\n does not say %q", err, tt.want)
			}
		})
	}
}

func TestLoadProfile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "company.toml")
	if err := os.WriteFile(path, []byte(minimal), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadProfile(path); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.toml")
	os.WriteFile(big, []byte(minimal+"#"+strings.Repeat("x", maxProfile)), 0o644)
	if _, err := LoadProfile(big); err == nil || !strings.Contains(err.Error(), "longer than 64 KiB") {
		t.Errorf("a huge profile: %v", err)
	}
	if _, err := LoadProfile(filepath.Join(dir, "missing.toml")); !errors.Is(err, os.ErrNotExist) || !errors.Is(err, ErrProfile) {
		t.Errorf("a missing profile: %v", err)
	}
}

// Each example of docs/custom.md loads.
func TestDocExamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/custom.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```toml\n(.*?)```").FindAllSubmatch(doc, -1)
	if len(blocks) < 5 {
		t.Fatalf("docs/custom.md has %d TOML examples, want one per mode", len(blocks))
	}
	modes := map[string]bool{}
	for i, b := range blocks {
		p, err := ParseProfile(b[1])
		if err != nil {
			t.Errorf("example %d: %v", i+1, err)
			continue
		}
		modes[p.Connect.TokenIn] = true
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks = regexp.MustCompile("(?s)```toml\n(.*?)```").FindAllSubmatch(readme, -1)
	if len(blocks) == 0 {
		t.Error("README.md has no TOML profile example")
	}
	for i, b := range blocks {
		if _, err := ParseProfile(b[1]); err != nil {
			t.Errorf("README.md example %d: %v", i+1, err)
		}
	}
	for _, m := range []string{TokenInQuery, TokenInPath, TokenInCookie, TokenInSubprotocol, TokenInHeader} {
		if !modes[m] {
			t.Errorf("no example with token_in = %q", m)
		}
	}
}

func TestFromAccountAndSystemProfile(t *testing.T) {
	dir := t.TempDir()
	// Point the system folder at dir the way each OS lets it be found.
	switch runtime.GOOS {
	case "windows":
		t.Setenv("ProgramData", dir)
	case "darwin":
		t.Skip("the macOS folder is fixed: /Library/Application Support/tasktray")
	default:
		t.Setenv("XDG_CONFIG_DIRS", filepath.Join(dir, "none")+string(os.PathListSeparator)+dir)
	}
	if path, err := FindSystemProfile(); err != nil || path != "" {
		t.Fatalf("FindSystemProfile with none = %q, %v", path, err)
	}
	os.MkdirAll(filepath.Join(dir, "tasktray"), 0o755)
	path := filepath.Join(dir, "tasktray", ProfileFile)
	os.WriteFile(path, []byte(minimal), 0o644)
	got, err := FindSystemProfile()
	if err != nil || got != path {
		t.Fatalf("FindSystemProfile = %q, %v; want %q", got, err, path)
	}
}

// FuzzParseProfile: any bytes give a checked profile or an ErrProfile,
// never a panic, and a profile that parses passes its own checks again.
func FuzzParseProfile(f *testing.F) {
	f.Add([]byte(minimal))
	doc, _ := os.ReadFile("../../docs/custom.md")
	for _, b := range regexp.MustCompile("(?s)```toml\n(.*?)```").FindAllSubmatch(doc, -1) {
		f.Add(b[1])
	}
	f.Add([]byte("[connect]\nurl = \"wss://h/{token}\"\ntoken_in = \"path\"\n[heartbeat]\ninterval = \"-1s\""))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProfile(data)
		if err != nil {
			if !errors.Is(err, ErrProfile) {
				t.Fatalf("error does not wrap ErrProfile: %v", err)
			}
			return
		}
		if err := p.check(); err != nil {
			t.Fatalf("a parsed profile fails its own check: %v", err)
		}
		proto, err := NewProtocol(p, authAccount())
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := proto.Handshake("tok+/=", ""); err != nil {
			t.Fatalf("Handshake: %v", err)
		}
		if ka := proto.Keepalive(); ka.PongWait <= 0 || ka.PingPeriod >= ka.PongWait {
			t.Fatalf("keepalive %+v", ka)
		}
		// The profile's own paths and rules, on frames of every shape.
		s := proto.NewSession("tok", "")
		for _, frame := range []string{`{"type":"task","data":{"id":"1","title":"t","content":"c"},"msg":"m","ts":1}`, `[{"a":1}]`, "plain", `{"type":"pong"}`} {
			if d, err := s.Decode([]byte(frame)); err != nil || len(d.Tasks) > 1 {
				t.Fatalf("Decode(%s) = %+v, %v", frame, d, err)
			}
		}
	})
}

// An account names its profile by path or carries it inline; the kind's
// builders load it each time, so nothing runs without a checked profile.
func TestFromAccount(t *testing.T) {
	path := filepath.Join(t.TempDir(), "company.toml")
	os.WriteFile(path, []byte(minimal), 0o644)
	for name, opts := range map[string]map[string]string{
		"path":   {OptionProfile: path},
		"inline": {OptionProfileText: minimal},
	} {
		a := authAccount()
		a.Options = opts
		if _, err := New(a); err != nil {
			t.Errorf("%s: New: %v", name, err)
		}
		if au, err := NewAuthenticator(a); err != nil || au.Profile == nil {
			t.Errorf("%s: NewAuthenticator: %v", name, err)
		}
	}
	for name, opts := range map[string]map[string]string{
		"none":       nil,
		"bad inline": {OptionProfileText: "[connect]\nurl = \"wss://h/\"\n"},
		"missing":    {OptionProfile: path + ".gone"},
	} {
		a := authAccount()
		a.Options = opts
		if _, err := New(a); !errors.Is(err, ErrProfile) {
			t.Errorf("%s: New = %v, want ErrProfile", name, err)
		}
	}
}
