package servers

import (
	"crypto/rand"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// GotifyPingPeriodSeconds is how often the test Gotify server pings stream clients (the
// default of a real server is 45 s). It drops a client after this plus 15 s without a pong.
const GotifyPingPeriodSeconds = 5

// Gotify is a real Gotify server running for one test.
type Gotify struct {
	URL       string // base URL, for example http://127.0.0.1:41234
	Addr      string // host:port
	AdminUser string
	AdminPass string
	Dir       string // working folder: config.yml, data/gotify.db
	LogPath   string

	proc *process
}

// StartGotify starts the Gotify server binary bin in a fresh folder on a free loopback port,
// with an sqlite database, an admin user with a random password and registration off, and
// waits until GET /health answers. The server is killed when the test ends.
func StartGotify(t testing.TB, bin string) *Gotify {
	t.Helper()
	dir := t.TempDir()
	addr := freeAddr(t)
	g := &Gotify{
		URL:       "http://" + addr,
		Addr:      addr,
		AdminUser: "admin",
		AdminPass: rand.Text(),
		Dir:       dir,
		LogPath:   filepath.Join(dir, "gotify.log"),
	}
	config := fmt.Sprintf(`server:
  listenaddr: 127.0.0.1
  port: %d
database:
  dialect: sqlite3
  connection: data/gotify.db
defaultuser:
  name: %s
  pass: %s
registration: false
uploadedimagesdir: data/images
pluginsdir: data/plugins
`, portOf(addr), g.AdminUser, g.AdminPass)
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yml"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	g.proc = &process{
		name:      "gotify",
		bin:       bin,
		dir:       dir,
		env:       []string{fmt.Sprintf("GOTIFY_SERVER_STREAM_PINGPERIODSECONDS=%d", GotifyPingPeriodSeconds)},
		logPath:   g.LogPath,
		healthURL: g.URL + "/health",
	}
	startProcess(t, g.proc)
	return g
}

// StreamURL is the WebSocket URL that clients subscribe to (send the client token in the
// X-Gotify-Key header).
func (g *Gotify) StreamURL() string {
	return "ws://" + g.Addr + "/stream"
}

// CreateUser adds a non-admin user.
func (g *Gotify) CreateUser(name, pass string) error {
	body := map[string]any{"name": name, "pass": pass, "admin": false}
	return doJSON(http.MethodPost, g.URL+"/user", body, nil, basicAuth(g.AdminUser, g.AdminPass))
}

// ClientToken logs in as user (basic auth) and creates a client token, as an app would:
// POST /client {"name": name}.
func (g *Gotify) ClientToken(user, pass, name string) (string, error) {
	var out struct {
		Token string `json:"token"`
	}
	err := doJSON(http.MethodPost, g.URL+"/client", map[string]string{"name": name}, &out, basicAuth(user, pass))
	return out.Token, err
}

// RevokeClients deletes every client of user (their tokens, e.g. each
// login's), as the user would in Gotify's web UI: GET /client, then DELETE
// /client/{id}. Gotify closes the deleted clients' streams at once, and
// refuses their tokens with 401 from then on. Applications (publishers)
// stay. It returns how many clients it deleted.
func (g *Gotify) RevokeClients(user, pass string) (int, error) {
	var clients []struct {
		ID int64 `json:"id"`
	}
	if err := doJSON(http.MethodGet, g.URL+"/client", nil, &clients, basicAuth(user, pass)); err != nil {
		return 0, err
	}
	for i, c := range clients {
		if err := doJSON(http.MethodDelete, fmt.Sprintf("%s/client/%d", g.URL, c.ID), nil, nil, basicAuth(user, pass)); err != nil {
			return i, err
		}
	}
	return len(clients), nil
}

// AppToken creates an application (a publisher) owned by the admin and returns its token.
// Messages published with it reach the admin's clients.
func (g *Gotify) AppToken(name string) (string, error) {
	return g.AppTokenAs(g.AdminUser, g.AdminPass, name)
}

// AppTokenAs creates an application owned by user; messages published with its token reach
// that user's clients.
func (g *Gotify) AppTokenAs(user, pass, name string) (string, error) {
	var out struct {
		Token string `json:"token"`
	}
	err := doJSON(http.MethodPost, g.URL+"/application", map[string]string{"name": name}, &out, basicAuth(user, pass))
	return out.Token, err
}

// Publish sends a message with an application token and returns the message's id.
func (g *Gotify) Publish(appToken, title, message string, priority int) (int64, error) {
	body := map[string]any{"title": title, "message": message, "priority": priority}
	var out struct {
		ID int64 `json:"id"`
	}
	err := doJSON(http.MethodPost, g.URL+"/message", body, &out, func(r *http.Request) {
		r.Header.Set("X-Gotify-Key", appToken)
	})
	return out.ID, err
}

// Stop ends the server gracefully (SIGTERM, then SIGKILL after a few seconds).
func (g *Gotify) Stop() error { return g.proc.stop() }

// Kill ends the server at once (SIGKILL), as a crash would.
func (g *Gotify) Kill() error { return g.proc.kill() }

// Restart stops the server if it runs and starts it again on the same port with the same
// database, so users, tokens and messages survive. It returns once the server is healthy.
func (g *Gotify) Restart() error { return g.proc.restart() }

func basicAuth(user, pass string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(user, pass) }
}
