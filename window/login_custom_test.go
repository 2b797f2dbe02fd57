package window

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"tasktray/backend/custom"
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
	fx.form.kind.SetSelected(txtKindCustom)
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
