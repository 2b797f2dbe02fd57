package servers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// EnvNtfyBin names the environment variable that scripts/servers.sh exports:
// the path of an ntfy v2.13.0 server built from ../shared/servers/ntfy/.
const EnvNtfyBin = "TASKTRAY_NTFY_BIN"

// NtfyKeepalive is the test server's keepalive interval (a WebSocket ping on
// /ws): the lowest ntfy accepts; a real server's default is 45 s. It drops a
// client after this plus 15 s without a pong.
const NtfyKeepalive = 5 * time.Second

// Ntfy is a real ntfy server running for one test, with access control on
// (auth-default-access deny-all): users exist only once AddUser made them.
type Ntfy struct {
	URL     string // base URL, for example http://127.0.0.1:41234
	Addr    string // host:port
	Dir     string // working folder: server.yml, cache.db, user.db, ntfy.log
	LogPath string

	bin        string
	configPath string
	authFile   string
	proc       *process
}

// StartNtfy starts the ntfy binary bin in a fresh folder on a free loopback
// port, with a message cache and an auth file in that folder, every topic
// closed to anyone without an access entry, a 5 s keepalive and no rate
// limit for 127.0.0.1 (a test's publishers share the client's per-IP
// visitor, and would otherwise starve its redials with 429s). It waits until
// GET /v1/health answers; the server is killed when the test ends.
func StartNtfy(t testing.TB, bin string) *Ntfy {
	t.Helper()
	dir := t.TempDir()
	addr := freeAddr(t)
	n := &Ntfy{
		URL:        "http://" + addr,
		Addr:       addr,
		Dir:        dir,
		LogPath:    filepath.Join(dir, "ntfy.log"),
		bin:        bin,
		configPath: filepath.Join(dir, "server.yml"),
		authFile:   filepath.Join(dir, "user.db"),
	}
	// Without a config file of its own, ntfy reads /etc/ntfy/server.yml, and
	// it applies log settings only when it loads one.
	if err := os.WriteFile(n.configPath, []byte("log-level: info\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	n.proc = &process{
		name: "ntfy",
		bin:  bin,
		args: []string{
			"serve",
			"--config", n.configPath,
			"--listen-http", addr,
			"--base-url", n.URL,
			"--cache-file", filepath.Join(dir, "cache.db"),
			"--auth-file", n.authFile,
			"--auth-default-access", "deny-all",
			"--keepalive-interval", NtfyKeepalive.String(),
			"--visitor-request-limit-exempt-hosts", "127.0.0.1",
		},
		dir:       dir,
		logPath:   n.LogPath,
		healthURL: n.URL + "/v1/health",
	}
	startProcess(t, n.proc)
	return n
}

// WSURL is the WebSocket URL that subscribes to topics (comma-separated).
func (n *Ntfy) WSURL(topics string) string {
	return "ws://" + n.Addr + "/" + topics + "/ws"
}

// AddUser creates a user with the server's CLI. ntfy lets users be added only
// once the server has created its auth file, which StartNtfy waited for.
func (n *Ntfy) AddUser(name, pass string) error {
	return n.cli([]string{"NTFY_PASSWORD=" + pass}, "user", "add", "--ignore-exists", name)
}

// Allow grants user perm ("rw", "ro", "wo" or "deny") on the topics that
// match pattern (for example "tasks*").
func (n *Ntfy) Allow(user, pattern, perm string) error {
	return n.cli(nil, "access", user, pattern, perm)
}

// Reset removes every access entry of user.
func (n *Ntfy) Reset(user string) error {
	return n.cli(nil, "access", "--reset", user)
}

// cli runs `ntfy <args>` on this server's auth file. The password travels in
// the environment, never in the arguments (which ps shows) or in an error.
func (n *Ntfy) cli(env []string, args ...string) error {
	_, err := n.cliOutput(env, args...)
	return err
}

// cliOutput is cli, and returns what the command wrote (ntfy writes its
// answers to stderr). The error of a token command leaves out its
// arguments and output, which name tokens.
func (n *Ntfy) cliOutput(env []string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The command's flags follow its name: `ntfy user --config F add ...`.
	full := append([]string{args[0], "--config", n.configPath}, args[1:]...)
	cmd := exec.CommandContext(ctx, n.bin, full...)
	cmd.Dir = n.Dir
	cmd.Env = append(append(os.Environ(), "NTFY_AUTH_FILE="+n.authFile), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if args[0] == "token" { // its output names tokens
			return "", fmt.Errorf("ntfy token %s: %v", args[1], err)
		}
		return "", fmt.Errorf("ntfy %v: %v: %s", args, err, bytes.TrimSpace(out.Bytes()))
	}
	return out.String(), nil
}

// publisherExpiry is when a Token expires: the last second of year 9999.
// ntfy keeps 60 tokens per user and deletes the rest by soonest expiry
// ("never", 0, first) when it creates one; the app's logins make tokens
// that expire a century after them, so a test that logs in more than 60
// times keeps its publisher's token only if that one expires last.
const publisherExpiry = 253402300799

// Token logs user in with basic auth and creates an access token for a
// test's publisher, as the app's login does (POST /v1/account/token), that
// expires after every token the app makes.
func (n *Ntfy) Token(user, pass string) (string, error) {
	var out struct {
		Token string `json:"token"`
	}
	body := map[string]any{"label": "test", "expires": publisherExpiry}
	err := doJSON(http.MethodPost, n.URL+"/v1/account/token", body, &out, basicAuth(user, pass))
	return out.Token, err
}

// RevokeTokens deletes every access token of user except keep (a test's
// publisher), with the server's CLI on its auth file (`ntfy token list`,
// `ntfy token remove`), as an admin would. ntfy refuses a deleted token
// with 401 from then on, but keeps the links it already opened (it checks
// a token only when a request starts). It returns how many it deleted.
// Not over the account API: GET /v1/account answers from the per-IP
// visitor, whose user a concurrent request from the same address can swap,
// and then lists no token.
func (n *Ntfy) RevokeTokens(user, keep string) (int, error) {
	out, err := n.cliOutput(nil, "token", "list", user)
	if err != nil {
		return 0, err
	}
	deleted := 0
	for line := range strings.SplitSeq(out, "\n") {
		// "- tk_...[ (label)], never expires, accessed from ..."
		rest, ok := strings.CutPrefix(line, "- ")
		if !ok {
			continue
		}
		token, _, _ := strings.Cut(rest, ",")
		token, _, _ = strings.Cut(token, " ")
		if token == "" || token == keep {
			continue
		}
		if err := n.cli(nil, "token", "remove", user, token); err != nil {
			return deleted, err
		}
		deleted++
	}
	return deleted, nil
}

// NtfyMessage is what a publisher can set on a message (ntfy's JSON publish
// body); Topic is required.
type NtfyMessage struct {
	Topic    string   `json:"topic"`
	Title    string   `json:"title,omitempty"`
	Message  string   `json:"message,omitempty"`
	Priority int      `json:"priority,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	Click    string   `json:"click,omitempty"`
	Markdown bool     `json:"markdown,omitempty"`
}

// Publish sends m with an access token (a bearer token costs no bcrypt check
// per request, unlike basic auth) and returns the message's id. A 403 is
// tried again, up to publishTries times: ntfy keeps one visitor per address
// for users without a tier and clears its user as each request starts, so
// a publish overlapped by any other request from 127.0.0.1 (the client's
// handshake or poll) can be refused although the token may write. A
// refused publish published nothing: a retry cannot double it.
func (n *Ntfy) Publish(token string, m NtfyMessage) (string, error) {
	for try := 1; ; try++ {
		var out struct {
			ID string `json:"id"`
		}
		err := doJSON(http.MethodPost, n.URL+"/", m, &out, func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+token)
		})
		var status *StatusError
		if try < publishTries && errors.As(err, &status) && status.Code == http.StatusForbidden {
			time.Sleep(time.Duration(try) * 10 * time.Millisecond)
			continue
		}
		if err == nil && out.ID == "" {
			err = fmt.Errorf("ntfy answered a publish without an id")
		}
		return out.ID, err
	}
}

// publishTries bounds the tries of one Publish refused with 403.
const publishTries = 5

// Stop ends the server gracefully (SIGTERM, then SIGKILL after a few seconds).
func (n *Ntfy) Stop() error { return n.proc.stop() }

// Kill ends the server at once (SIGKILL), as a crash would.
func (n *Ntfy) Kill() error { return n.proc.kill() }

// Restart stops the server if it runs and starts it again on the same port
// with the same cache and auth files, so users, tokens and cached messages
// survive. It returns once the server is healthy.
func (n *Ntfy) Restart() error { return n.proc.restart() }
