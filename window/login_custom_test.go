package window

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"tasktray/backend/custom"
	"tasktray/ipc"
)

const companyProfile = `name = "ACME Ops"
allow_insecure = true
[login]
url = "http://127.0.0.1:8080/api/auth/login"
token_from = "json"
token_path = "data.token"
[connect]
url = "ws://127.0.0.1:8080/websocket?token={token}"
token_in = "query"
`

// TestProfileFixesKindAndServer: with a profile, the user types only the
// username and password; the login names the profile's file and server.
func TestProfileFixesKindAndServer(t *testing.T) {
	fx := newLoginFixture(t)
	path := filepath.Join(t.TempDir(), "company.toml")
	if err := os.WriteFile(path, []byte(companyProfile), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := fx.form.SetProfile(path); err != nil {
		t.Fatal(err)
	}
	if fx.form.kind.Visible() || fx.form.server.entry.Visible() || fx.form.advanced.wsURL.entry.Visible() {
		t.Error("kind, server or Advanced fields still shown with a profile")
	}
	if fx.form.heading.Text != "ACME Ops" {
		t.Errorf("heading %q, want the profile's name", fx.form.heading.Text)
	}
	test.Type(fx.form.username.entry, "ana")
	test.Type(fx.form.password.entry, "pw")
	test.Tap(fx.form.submit)
	got := fx.last(t)
	if got.Kind != custom.KindName || got.Server != "http://127.0.0.1:8080" || got.Options[custom.OptionProfile] != path || got.Username != "ana" {
		t.Fatalf("login %v", got)
	}
}

// TestBadProfileNamesTheField: a profile that cannot be used says which
// field is wrong, and the form cannot log in with it.
func TestBadProfileNamesTheField(t *testing.T) {
	fx := newLoginFixture(t)
	path := filepath.Join(t.TempDir(), "company.toml")
	os.WriteFile(path, []byte(strings.Replace(companyProfile, `token_in = "query"`, `token_in = "url"`, 1)), 0o600)
	if err := fx.form.SetProfile(path); err == nil {
		t.Fatal("a bad token_in was accepted")
	}
	if msg := fx.form.message.Text; !fx.form.message.Visible() || !strings.Contains(msg, "token_in") {
		t.Fatalf("message %q does not name connect.token_in", msg)
	}
	if !fx.form.submit.Disabled() {
		t.Fatal("the form can still log in with a bad profile")
	}
}

// TestAdvancedBuildsAProfile: without a profile, the custom kind's Advanced
// fields make one (a pasted token), carried in the login's options.
func TestAdvancedBuildsAProfile(t *testing.T) {
	fx := newLoginFixture(t)
	fx.form.kind.SetSelected(txtKindCustom.String())
	if !fx.form.advanced.wsURL.entry.Visible() || fx.form.server.entry.Visible() {
		t.Fatal("the custom kind does not show its Advanced fields instead of the server")
	}
	test.Type(fx.form.advanced.wsURL.entry, "wss://app.example.com/websocket/{token}")
	fx.form.advanced.tokenIn.SetSelected(custom.TokenInPath)
	fx.form.advanced.hbInterval.entry.SetText("10s")
	test.Type(fx.form.username.entry, "ana")
	test.Type(fx.form.password.entry, "api-key")
	test.Tap(fx.form.submit)
	got := fx.last(t)
	p, err := custom.ParseProfile([]byte(got.Options[custom.OptionProfileText]))
	if err != nil {
		t.Fatal(err)
	}
	if got.Server != "https://app.example.com" || p.Connect.TokenIn != custom.TokenInPath || p.Heartbeat.Interval.Seconds() != 10 || p.Login != nil {
		t.Fatalf("login %v, profile %+v", got, p)
	}
}

// TestSessionTakesTheProfile: the agent's State names the profile; the
// login window takes its name as title and asks only for the username and
// password. A bad system-wide profile is shown, naming what is wrong.
func TestSessionTakesTheProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "company.toml")
	os.WriteFile(path, []byte(companyProfile), 0o600)
	fx := newSessionFixture(t, ipc.ViewLogin)
	fx.s.Handle(ipc.State{Phase: "disconnected", Profile: path})
	if got := fx.win.Title(); got != "ACME Ops" {
		t.Errorf("title %q, want the profile's name", got)
	}
	if f := fx.s.login; f.Profile() == nil || f.server.entry.Visible() || fx.win.Canvas().Focused() != f.username.entry {
		t.Error("the form is not fixed to the profile with the cursor in the username")
	}

	bad := newSessionFixture(t, ipc.ViewLogin)
	const problem = "The company profile cannot be used (tell your administrator): /etc/xdg/tasktray/profile.toml: bad profile: unknown field connect.token_form"
	bad.s.Handle(ipc.State{Phase: "disconnected", ProfileError: problem})
	if m := bad.s.login.message; !m.Visible() || !strings.Contains(m.Text, "connect.token_form") {
		t.Errorf("message %q (shown %t), want the profile's problem", m.Text, m.Visible())
	}
}
