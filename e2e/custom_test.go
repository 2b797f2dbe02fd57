//go:build e2e

package e2e

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tasktray/internal/legacyserver"
)

// customProfile is what a company's admin writes for a backend that takes
// the token only in the URL's query. The heartbeat is every second here
// (30 s by default) so that the test sees several.
const customProfile = `name = "ACME Ops"

[login]
url = "http://%[1]s/api/auth/login"
username_field = "userName"
password_field = "passWord"
token_from = "json"
token_path = "data.token"

[connect]
url = "ws://%[1]s/websocket?token={token}"
token_in = "query"

[heartbeat]
interval = "1s"

[mapping]
title = "msg"
`

// TestCustomProfileEndToEnd: a user who has only the company's profile
// (tasktray -profile) logs in from the window typing only the username and
// password, against a backend that takes the token only in the query; each
// pushed message pops once, the heartbeat reaches the backend, and after
// the backend drops the socket (and re-sends its last messages, as such
// backends do) nothing pops twice.
func TestCustomProfileEndToEnd(t *testing.T) {
	bin := buildApp(t)
	d := startDesktop(t, fullDesktop)
	const password = "acme-pass-e2e"
	legacy := legacyserver.New(legacyserver.Config{
		Mode: legacyserver.Query, Username: "ana", Password: password,
		IdleTimeout: 5 * time.Second, // a link without heartbeats would be closed
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: legacy.Handler()}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	addr := ln.Addr().String()
	profile := filepath.Join(t.TempDir(), "company.toml")
	if err := os.WriteFile(profile, []byte(fmt.Sprintf(customProfile, addr)), 0o600); err != nil {
		t.Fatal(err)
	}

	app := d.startApp(bin, "-coalesce=false", "-profile", profile)
	item, err := d.tray.WaitItem(wait)
	if err != nil {
		t.Fatalf("%v\napp log:\n%s", err, app.log)
	}
	r := &run{desktop: d, t: t, bin: bin, item: item}
	r.waitIcon("login-required")

	// Only the username and password: the window is titled and set up by
	// the profile.
	r.logInTo("ACME Ops", "login-profile", "ana", password)
	r.waitIcon("connected")
	user := "ana@http://" + addr
	token := strings.TrimSpace(d.secret(user))
	if token == "" {
		t.Fatalf("no token in gnome-keyring for %s\napp log:\n%s", user, app.log)
	}
	if s := legacy.Stats(); s.Accepted != 1 {
		t.Fatalf("backend stats %+v, want one socket accepted (the token in the query)", s)
	}

	// Each pushed message pops once.
	for i := 1; i <= 3; i++ {
		legacy.PushMsg(fmt.Sprintf("Message %d", i))
	}
	for i, n := range r.popups(0, 3) {
		if want := fmt.Sprintf("Message %d", i+1); n.Summary != want {
			t.Errorf("popup %d: %q, want %q", i, n.Summary, want)
		}
	}

	// The heartbeat reaches the backend, once a second as the profile says.
	deadline := time.Now().Add(wait)
	for len(legacy.Heartbeats()) < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("%d heartbeats reached the backend in %v", len(legacy.Heartbeats()), wait)
		}
		time.Sleep(100 * time.Millisecond)
	}
	hb := legacy.Heartbeats()
	var gaps []string
	for i := 1; i < len(hb); i++ {
		gaps = append(gaps, hb[i].Sub(hb[i-1]).Round(10*time.Millisecond).String())
	}
	t.Logf("heartbeats: %d, intervals %s (profile: 1s)", len(hb), strings.Join(gaps, " "))

	// The backend drops the socket; on the new one it re-sends its last
	// messages. None pops again: the marker pushed after the reconnect is
	// the next popup.
	if n := legacy.Kick(); n != 1 {
		t.Fatalf("kicked %d sockets, want 1", n)
	}
	for deadline := time.Now().Add(wait); legacy.Stats().Accepted < 2 || legacy.Stats().Open < 1; {
		if time.Now().After(deadline) {
			t.Fatalf("no reconnect: %+v\napp log:\n%s", legacy.Stats(), app.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	legacy.PushMsg("Marker after the drop")
	after := r.popups(3, 4)
	if all := d.rec.Calls(); len(all) != 4 || after[0].Summary != "Marker after the drop" {
		var got []string
		for _, n := range all {
			got = append(got, n.Summary)
		}
		t.Fatalf("popups %q, want the three messages and the marker, once each", got)
	}
	if s := legacy.Stats(); s.IdleClosed != 0 {
		t.Errorf("the backend closed %d sockets for missing heartbeats", s.IdleClosed)
	}

	r.click("Quit")
	if err := waitExit(app); err != nil {
		t.Fatalf("quit: %v\n%s", err, app.log)
	}
	// Nothing secret on disk or in the log, the token as the URL carries
	// it too.
	for _, secret := range []string{token, url.QueryEscape(token), password} {
		if strings.Contains(app.log.String(), secret) {
			t.Error("the app log holds a secret")
		}
		if f := fileContaining(d.home, secret); f != "" {
			t.Errorf("%s holds a secret", f)
		}
	}
	t.Logf("app log:\n%s", app.log)
}

// TestBadProfileFlagExits: tasktray -profile with a bad profile does not
// start half-configured: it exits non-zero, naming the file and the field.
func TestBadProfileFlagExits(t *testing.T) {
	bin := buildApp(t)
	profile := filepath.Join(t.TempDir(), "company.toml")
	bad := strings.Replace(fmt.Sprintf(customProfile, "127.0.0.1:1"), `interval = "1s"`, `interval = "thirty"`, 1)
	if err := os.WriteFile(profile, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-profile", profile)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "XDG_RUNTIME_DIR=" + t.TempDir()}
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("exit 0 with a bad profile; output:\n%s", out)
	}
	if !strings.Contains(string(out), profile) || !strings.Contains(string(out), "heartbeat.interval") {
		t.Fatalf("the message does not name the file and field:\n%s", out)
	}
	t.Logf("%v: %s", err, out)
}
