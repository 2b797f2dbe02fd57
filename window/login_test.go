package window

import (
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"tasktray/ipc"
)

// loginFixture is a LoginForm in a test window, recording what it submits.
type loginFixture struct {
	form      *LoginForm
	win       fyne.Window
	submitted []ipc.Login
}

func newLoginFixture(t *testing.T) *loginFixture {
	t.Helper()
	test.NewTempApp(t)
	fx := &loginFixture{}
	fx.form = NewLoginForm(func(l ipc.Login) { fx.submitted = append(fx.submitted, l) })
	fx.win = test.NewTempWindow(t, fx.form)
	fx.win.Resize(loginSize)
	return fx
}

// fill types into the form's fields as a user would.
func (fx *loginFixture) fill(server, username, password string) {
	test.Type(fx.form.server.entry, server)
	test.Type(fx.form.username.entry, username)
	test.Type(fx.form.password.entry, password)
}

// last is the one login submitted so far.
func (fx *loginFixture) last(t *testing.T) ipc.Login {
	t.Helper()
	if len(fx.submitted) != 1 {
		t.Fatalf("submitted %d logins, want 1", len(fx.submitted))
	}
	return fx.submitted[0]
}

// shown is the text of an error label, or "" while it is hidden.
func shown(fl *field) string {
	if !fl.err.Visible() {
		return ""
	}
	return fl.err.Text
}

func TestLoginSubmit(t *testing.T) {
	fx := newLoginFixture(t)
	fx.fill(" https://tasks.example.com ", "ana ", "  pw with spaces ")
	test.Tap(fx.form.submit)
	want := ipc.Login{Kind: "native", Server: "https://tasks.example.com", Username: "ana", Password: "  pw with spaces "}
	if got := fx.last(t); !reflect.DeepEqual(got, want) {
		t.Errorf("submitted %#v, want %#v", got, want)
	}
}

func TestLoginKindOptions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		kind  string
		fill  func(*LoginForm)
		want  map[string]string
		field func(*LoginForm) *field
	}{
		{"gotify", "gotify", nil, nil, nil},
		{"ntfy", "ntfy", func(f *LoginForm) { test.Type(f.topics.entry, " alerts, ,deploys ") },
			map[string]string{OptionTopics: "alerts,deploys"}, func(f *LoginForm) *field { return f.topics }},
		{"centrifugo", "centrifugo", nil, map[string]string{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx := newLoginFixture(t)
			fx.form.SetAccount(tc.kind, "", "")
			if got := fx.form.selectedKind(); got != tc.kind {
				t.Fatalf("kind = %q, want %q", got, tc.kind)
			}
			if fx.form.topics.entry.Visible() != (tc.kind == "ntfy") || fx.form.channel.entry.Visible() != (tc.kind == "centrifugo") {
				t.Errorf("kind %s: topics shown %t, channel shown %t", tc.kind, fx.form.topics.entry.Visible(), fx.form.channel.entry.Visible())
			}
			fx.fill("wss://push.example.com", "ana", "pw")
			if tc.field != nil {
				test.Tap(fx.form.submit)
				if len(fx.submitted) != 0 || shown(tc.field(fx.form)) == "" {
					t.Fatalf("submitted without the %s field filled in", tc.name)
				}
				tc.fill(fx.form)
			}
			test.Tap(fx.form.submit)
			got := fx.last(t)
			if got.Kind != tc.kind || !reflect.DeepEqual(got.Options, tc.want) {
				t.Errorf("submitted kind %q options %v, want %q %v", got.Kind, got.Options, tc.kind, tc.want)
			}
		})
	}
}

func TestLoginValidation(t *testing.T) {
	for _, tc := range []struct {
		name               string
		server, user, pass string
		insecure           bool
		serverErr, userErr string // substrings; "" means no error
		passErr            string
		wantSubmit         bool
	}{
		{name: "complete", server: "https://tasks.example.com", user: "ana", pass: "pw", wantSubmit: true},
		{name: "wss", server: "wss://tasks.example.com/ws", user: "ana", pass: "pw", wantSubmit: true},
		{name: "empty", serverErr: "Enter the server URL", userErr: "Enter your username", passErr: "Enter your password"},
		{name: "no scheme", server: "tasks.example.com", user: "ana", pass: "pw", serverErr: "must start with https://"},
		{name: "ftp", server: "ftp://tasks.example.com", user: "ana", pass: "pw", serverErr: "ftp:// is not supported"},
		{name: "no host", server: "https://", user: "ana", pass: "pw", serverErr: "no host"},
		{name: "http to the network", server: "http://tasks.example.com", user: "ana", pass: "pw", serverErr: "unencrypted"},
		{name: "ws to the network", server: "ws://192.168.1.5:8080", user: "ana", pass: "pw", serverErr: "unencrypted"},
		{name: "http to the network, allowed", server: "http://tasks.example.com", user: "ana", pass: "pw", insecure: true, wantSubmit: true},
		{name: "http to localhost", server: "http://localhost:8080", user: "ana", pass: "pw", wantSubmit: true},
		{name: "http to 127.0.0.1", server: "http://127.0.0.1:8080", user: "ana", pass: "pw", wantSubmit: true},
		{name: "ws to ::1", server: "ws://[::1]:8080", user: "ana", pass: "pw", wantSubmit: true},
		{name: "blank username", server: "https://tasks.example.com", user: "   ", pass: "pw", userErr: "Enter your username"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fx := newLoginFixture(t)
			fx.fill(tc.server, tc.user, tc.pass)
			if tc.insecure {
				test.Tap(fx.form.insecure)
			}
			test.Tap(fx.form.submit)
			if got := len(fx.submitted) == 1; got != tc.wantSubmit {
				t.Errorf("submitted %t, want %t", got, tc.wantSubmit)
			}
			if tc.wantSubmit && fx.submitted[0].AllowInsecure != tc.insecure {
				t.Errorf("AllowInsecure = %t, want %t", fx.submitted[0].AllowInsecure, tc.insecure)
			}
			for _, c := range []struct {
				name string
				fl   *field
				want string
			}{{"server", fx.form.server, tc.serverErr}, {"username", fx.form.username, tc.userErr}, {"password", fx.form.password, tc.passErr}} {
				got := shown(c.fl)
				if (got == "") != (c.want == "") || !strings.Contains(got, c.want) {
					t.Errorf("%s error %q, want one containing %q", c.name, got, c.want)
				}
			}
			expectLaidOut(t, fx.form)
			if !tc.wantSubmit && (fx.form.submit.Disabled() || fx.form.busy) {
				t.Error("a refused submit left the form busy")
			}
		})
	}
}

func TestLoginInsecureBoxClearsTheError(t *testing.T) {
	fx := newLoginFixture(t)
	fx.fill("http://tasks.example.com", "ana", "pw")
	test.Tap(fx.form.submit)
	if shown(fx.form.server) == "" {
		t.Fatal("http:// to the network accepted without the box")
	}
	test.Tap(fx.form.insecure)
	if got := shown(fx.form.server); got != "" {
		t.Errorf("server error %q stays after ticking the box", got)
	}
	test.Tap(fx.form.submit)
	if got := fx.last(t); !got.AllowInsecure || got.Server != "http://tasks.example.com" {
		t.Errorf("submitted %v", got)
	}
}

func TestLoginEnterInPasswordSubmits(t *testing.T) {
	fx := newLoginFixture(t)
	fx.fill("https://tasks.example.com", "ana", "pw")
	fx.win.Canvas().Focus(fx.form.password.entry)
	fx.win.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if got := fx.last(t); got.Password != "pw" {
		t.Errorf("submitted %v", got)
	}
}

func TestLoginBusy(t *testing.T) {
	fx := newLoginFixture(t)
	fx.fill("https://tasks.example.com", "ana", "pw")
	test.Tap(fx.form.submit)
	f := fx.form
	if !f.submit.Disabled() || !f.activity.Visible() {
		t.Errorf("while logging in: button disabled %t, activity shown %t; want both", f.submit.Disabled(), f.activity.Visible())
	}
	if !f.server.entry.Disabled() || !f.password.entry.Disabled() || !f.kind.Disabled() {
		t.Error("fields stay editable while logging in")
	}
	test.Tap(f.submit)
	f.password.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(fx.submitted) != 1 {
		t.Fatalf("submitted %d times while busy, want once", len(fx.submitted))
	}
	f.ShowResult(ipc.LoginResult{ErrorKind: ipc.ErrorUnreachable, Error: "server unreachable"})
	if f.submit.Disabled() || f.activity.Visible() || f.server.entry.Disabled() {
		t.Error("the form stays busy after the result")
	}
}

func TestLoginShowResult(t *testing.T) {
	for _, tc := range []struct {
		result           ipc.LoginResult
		server, pass, ca string // substrings of the error shown on that field; "" means none
		message          string // substring of the message below the form
	}{
		{result: ipc.LoginResult{OK: true}, message: "Logged in"},
		{result: ipc.LoginResult{ErrorKind: ipc.ErrorCredentials, Error: "native: wrong username or password"}, pass: "Wrong username or password"},
		{result: ipc.LoginResult{ErrorKind: ipc.ErrorUnreachable, Error: "connection refused"}, server: "Cannot reach the server. Connection refused."},
		{result: ipc.LoginResult{ErrorKind: ipc.ErrorTLS, Error: "x509: certificate signed by unknown authority"}, ca: "certificate is not trusted"},
		{result: ipc.LoginResult{ErrorKind: ipc.ErrorNotServer, Error: "not a server of this kind"}, server: "not a Native server"},
		{result: ipc.LoginResult{ErrorKind: ipc.ErrorInsecure, Error: "insecure"}, server: "unencrypted"},
		{result: ipc.LoginResult{ErrorKind: ipc.ErrorOther, Error: "keyring locked"}, message: "Keyring locked."},
		{result: ipc.LoginResult{}, message: "Logging in failed"},
	} {
		t.Run(string(tc.result.ErrorKind), func(t *testing.T) {
			fx := newLoginFixture(t)
			fx.fill("https://tasks.example.com", "ana", "secret")
			test.Tap(fx.form.submit)
			fx.form.ShowResult(tc.result)
			f := fx.form
			if got := shown(f.server); (got == "") != (tc.server == "") || !strings.Contains(got, tc.server) {
				t.Errorf("server error %q, want %q", got, tc.server)
			}
			if got := shown(f.password); (got == "") != (tc.pass == "") || !strings.Contains(got, tc.pass) {
				t.Errorf("password error %q, want %q", got, tc.pass)
			}
			if got := shown(f.caFile); (got == "") != (tc.ca == "") || !strings.Contains(got, tc.ca) {
				t.Errorf("CA file error %q, want %q", got, tc.ca)
			}
			expectLaidOut(t, f)
			msg := ""
			if f.message.Visible() {
				msg = f.message.Text
			}
			if (msg == "") != (tc.message == "") || !strings.Contains(msg, tc.message) {
				t.Errorf("message %q, want %q", msg, tc.message)
			}
			if got := f.password.entry.Text; got != "" {
				t.Errorf("password entry holds %q after the result", got)
			}
			if got := f.username.entry.Text; got != "ana" {
				t.Errorf("username entry = %q, want it kept", got)
			}
		})
	}
}

func TestLoginWrongPasswordFocusesPassword(t *testing.T) {
	fx := newLoginFixture(t)
	fx.fill("https://tasks.example.com", "ana", "secret")
	test.Tap(fx.form.submit)
	fx.form.ShowResult(ipc.LoginResult{ErrorKind: ipc.ErrorCredentials})
	if fx.win.Canvas().Focused() != fx.form.password.entry {
		t.Error("the password field is not focused after a wrong password")
	}
	test.Type(fx.form.password.entry, "x")
	if got := shown(fx.form.password); got != "" {
		t.Errorf("password error %q stays while the user types a new one", got)
	}
}

func TestLoginFitsItsWindow(t *testing.T) {
	fx := newLoginFixture(t)
	for _, kind := range []string{"native", "ntfy"} {
		fx.form.SetAccount(kind, "", "")
		if m := fx.form.MinSize(); m.Width > loginSize.Width || m.Height > loginSize.Height {
			t.Errorf("%s form needs %v; the window opens at %v", kind, m, loginSize)
		}
	}
}

func TestLoginCentrifugoOptions(t *testing.T) {
	fx := newLoginFixture(t)
	fx.form.SetAccount("centrifugo", "", "")
	if !fx.form.tokenURL.entry.Visible() || !fx.form.channel.entry.Visible() {
		t.Fatal("token URL and channel are hidden for Centrifugo")
	}
	fx.fill("wss://rt.example.com", "ana", "pw")
	test.Type(fx.form.channel.entry, "tasks:ana")
	test.Type(fx.form.tokenURL.entry, "http://intranet.example.com/token")
	test.Tap(fx.form.submit)
	if len(fx.submitted) != 0 || shown(fx.form.tokenURL) == "" {
		t.Fatal("an insecure token URL was accepted")
	}
	fx.form.tokenURL.entry.SetText("")
	test.Type(fx.form.tokenURL.entry, "https://intranet.example.com/token")
	test.Tap(fx.form.submit)
	want := map[string]string{OptionChannel: "tasks:ana", OptionTokenURL: "https://intranet.example.com/token"}
	if got := fx.last(t); !reflect.DeepEqual(got.Options, want) {
		t.Fatalf("options %v, want %v", got.Options, want)
	}
}

// expectLaidOut fails the test for an error shown but not laid out under its
// entry: Fyne lays a form out again only when asked, and such an error was
// drawn over the top of the form.
func expectLaidOut(t *testing.T, f *LoginForm) {
	t.Helper()
	for _, fl := range f.fields() {
		if fl.err.Visible() && (fl.err.Size().Width == 0 || fl.err.Position().Y <= fl.entry.Position().Y) {
			t.Errorf("error %q not laid out under its entry: at %v, size %v", fl.err.Text, fl.err.Position(), fl.err.Size())
		}
	}
}
