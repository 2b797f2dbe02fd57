package tray

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tasktray/assets"
	"tasktray/auth"
	"tasktray/internal/logfile"
	"tasktray/ipc"
	"tasktray/server"
)

// A full run, login (a wrong password first) -> tasks -> a refused token ->
// diagnostics -> logout -> diagnostics, at debug level, with a known
// password, token and task text: none of them may reach the log file or
// either report. The report still says what a support person needs.
func TestNoSecretsInLogOrDiagnostics(t *testing.T) {
	const (
		password  = "pw-Kx9-SECRET-PASSWORD"
		wrongPass = "pw-Wr0ng-SECRET-PASSWORD"
		title     = "机密任务 TITLE-MARK 标题"
		body      = "秘密正文 BODY-MARK 내용"
		taskURL   = "https://example.com/URL-MARK"
	)
	f := newFixture(t)
	if err := f.srv.AddUser("bob", password); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(t.TempDir(), "tasktray.log")
	file, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	logs, err := logfile.New(logfile.Options{Level: -4, File: file}) // debug: every line the agent has
	if err != nil {
		t.Fatal(err)
	}
	f.cfg.Logger = logs.Logger
	f.start(t)

	f.menu.actions <- ActionLogin
	w := f.window(t)
	w.user.Send(ipc.Login{Kind: "native", Server: f.url, Username: "bob", Password: wrongPass})
	if res := w.expect(t, "a login result", isResult).(ipc.LoginResult); res.OK {
		t.Fatal("a wrong password logged in")
	}
	w.user.Send(ipc.Login{Kind: "native", Server: f.url, Username: "bob", Password: password})
	if res := w.expect(t, "a login result", isResult).(ipc.LoginResult); !res.OK {
		t.Fatalf("login failed: %+v", res)
	}
	f.menu.waitView(t, "connected", func(v View) bool { return v.Icon == assets.Connected && v.User == "bob" })
	acc := auth.Account{Kind: "native", Server: f.url, Username: "bob"}
	var token string
	waitFor(t, "the token in the keyring", func() bool {
		sess, err := f.cfg.Tokens.Load(context.Background(), acc)
		token = sess.Token
		return err == nil
	})
	if len(token) < 8 {
		t.Fatalf("token %q too short to grep for", token)
	}

	if _, err := f.srv.Publish("bob", server.TaskInput{Title: title, Body: body, URL: taskURL, Priority: 4}); err != nil {
		t.Fatal(err)
	}
	f.popups.wait(t, 1)
	f.srv.Revoke("bob") // a warning for the report's last errors
	f.menu.waitView(t, "log in required", func(v View) bool { return v.Icon == assets.LoginRequired })

	var diagWindow *fakeWindow // opened by the first report, reused by the next
	diagnostics := func() string {
		t.Helper()
		f.menu.actions <- ActionDiagnostics
		if diagWindow == nil {
			diagWindow = f.window(t)
		}
		d := diagWindow.expect(t, "the report", func(m ipc.Message) bool { _, ok := m.(ipc.Diagnostics); return ok }).(ipc.Diagnostics)
		return d.Text
	}
	loggedIn := diagnostics()
	for _, want := range []string{"Version: tasktray", "Operating system: ", "Connection: auth-required, native, " + strings.TrimPrefix(f.url, "http://"), "server refused the token", "Last warnings and errors"} {
		if !strings.Contains(loggedIn, want) {
			t.Errorf("the report lacks %q:\n%s", want, loggedIn)
		}
	}

	f.menu.actions <- ActionLogout
	f.menu.waitView(t, "logged out", func(v View) bool { return v.User == "" })
	waitFor(t, "the token gone from the keyring", func() bool {
		_, err := f.cfg.Tokens.Load(context.Background(), acc)
		return errors.Is(err, auth.ErrNotFound)
	})
	loggedOut := diagnostics()
	f.stop()
	if err := logs.Close(); err != nil {
		t.Fatal(err)
	}
	logText, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logText), "server refused the token") {
		t.Fatalf("the log file misses the run:\n%s", logText)
	}

	secrets := map[string]string{"password": password, "wrong password": wrongPass, "token": token,
		"title": "TITLE-MARK", "title's Chinese": "机密任务", "body": "BODY-MARK", "body's Chinese": "秘密正文", "URL": "URL-MARK"}
	for where, text := range map[string]string{"log file": string(logText), "report while logged in": loggedIn, "report after logout": loggedOut} {
		for what, secret := range secrets {
			if strings.Contains(text, secret) {
				t.Errorf("the %s holds the %s %q:\n%s", where, what, secret, text)
			}
		}
	}
	t.Logf("log file:\n%s\nreport:\n%s", logText, loggedIn)
}

// Without a tray the status window asks for the diagnostics window with
// ipc.Show; it gets the report as from the menu.
func TestDiagnosticsFromTheStatusWindow(t *testing.T) {
	f := newFixture(t)
	f.start(t)
	f.menu.actions <- ActionRecent // any window stands in for the status window
	w := f.window(t)
	w.user.Send(ipc.Show{View: ipc.ViewDiagnostics})
	d := f.window(t)
	got := d.expect(t, "the report", func(m ipc.Message) bool { _, ok := m.(ipc.Diagnostics); return ok }).(ipc.Diagnostics)
	if !strings.Contains(got.Text, "tasktray") {
		t.Errorf("report %q", got.Text)
	}
}
