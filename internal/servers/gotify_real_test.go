//go:build realservers

package servers

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// gotifyMessage is a frame of Gotify's /stream.
type gotifyMessage struct {
	ID       int64  `json:"id"`
	AppID    int64  `json:"appid"`
	Title    string `json:"title"`
	Message  string `json:"message"`
	Priority int    `json:"priority"`
	Date     string `json:"date"`
}

func dialGotify(t *testing.T, g *Gotify, clientToken string) *websocket.Conn {
	t.Helper()
	header := http.Header{"X-Gotify-Key": {clientToken}}
	ws, resp, err := websocket.DefaultDialer.Dial(g.StreamURL(), header)
	if err != nil {
		if resp != nil {
			t.Fatalf("dial %s: %v (status %d)", g.StreamURL(), err, resp.StatusCode)
		}
		t.Fatalf("dial %s: %v", g.StreamURL(), err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

// readGotifyMessage reads the next message of the stream, skipping the
// probes of waitStreaming.
func readGotifyMessage(t *testing.T, ws *websocket.Conn) gotifyMessage {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(readWait))
	for {
		var msg gotifyMessage
		if err := ws.ReadJSON(&msg); err != nil {
			t.Fatalf("reading the stream: %v", err)
		}
		if msg.Title != probeTitle {
			return msg
		}
	}
}

// probeTitle is the title of waitStreaming's messages.
const probeTitle = "probe: is the stream registered?"

// waitStreaming returns once the stream ws has a message: Gotify registers
// a stream only after its 101, so a message published right after the dial
// may reach no stream. Probes are published until one arrives; those still
// on their way are skipped by readGotifyMessage.
func waitStreaming(t *testing.T, g *Gotify, ws *websocket.Conn, appToken string) {
	t.Helper()
	stop, done := make(chan struct{}), make(chan error, 1)
	go func() {
		for {
			if _, err := g.Publish(appToken, probeTitle, "published until the stream has one", 1); err != nil {
				done <- err
				return
			}
			select {
			case <-stop:
				done <- nil
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	defer func() {
		close(stop)
		if err := <-done; err != nil {
			t.Errorf("publishing a probe: %v", err)
		}
	}()
	ws.SetReadDeadline(time.Now().Add(readWait))
	var msg gotifyMessage
	if err := ws.ReadJSON(&msg); err != nil {
		t.Fatalf("waiting for a probe on the stream: %v", err)
	}
	if msg.Title != probeTitle {
		t.Fatalf("got %+v on the stream, want a probe", msg)
	}
}

// aliceOnGotify starts a server with a user alice who has a client token (the app's side)
// and an application token (the publisher's side).
func aliceOnGotify(t *testing.T) (g *Gotify, clientToken, appToken string) {
	t.Helper()
	g = StartGotify(t, BinFromEnv(t, EnvGotifyBin))
	if err := g.CreateUser("alice", "alice-pass"); err != nil {
		t.Fatal(err)
	}
	clientToken, err := g.ClientToken("alice", "alice-pass", "tasktray")
	if err != nil {
		t.Fatal(err)
	}
	appToken, err = g.AppTokenAs("alice", "alice-pass", "ci")
	if err != nil {
		t.Fatal(err)
	}
	return g, clientToken, appToken
}

func TestGotifyRoundTrip(t *testing.T) {
	g, clientToken, appToken := aliceOnGotify(t)
	ws := dialGotify(t, g, clientToken)
	waitStreaming(t, g, ws, appToken)

	id, err := g.Publish(appToken, "Task done", "build #42 finished", 5)
	if err != nil {
		t.Fatal(err)
	}
	msg := readGotifyMessage(t, ws)
	if msg.ID != id || msg.Title != "Task done" || msg.Message != "build #42 finished" || msg.Priority != 5 {
		t.Fatalf("got frame %+v, want id %d with the published title, message and priority", msg, id)
	}
	if _, err := time.Parse(time.RFC3339, msg.Date); err != nil {
		t.Errorf("date %q is not RFC 3339: %v", msg.Date, err)
	}
}

func TestGotifyRejectsBadCredentials(t *testing.T) {
	g, _, _ := aliceOnGotify(t)

	_, err := g.ClientToken("alice", "wrong", "tasktray")
	var status *StatusError
	if !errors.As(err, &status) || status.Code != http.StatusUnauthorized {
		t.Fatalf("ClientToken with a wrong password: err = %v, want status 401", err)
	}

	_, resp, err := websocket.DefaultDialer.Dial(g.StreamURL(), http.Header{"X-Gotify-Key": {"Cnot-a-token"}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("stream with a bad token: err = %v, response %v; want a 401 handshake", err, resp)
	}
}

// A restart keeps users, tokens and messages (same port, same database); a kill drops the
// stream, and the server can be brought back afterwards.
func TestGotifyRestartAndKill(t *testing.T) {
	g, clientToken, appToken := aliceOnGotify(t)
	first, err := g.Publish(appToken, "before", "published before the restart", 5)
	if err != nil {
		t.Fatal(err)
	}

	if err := g.Restart(); err != nil {
		t.Fatal(err)
	}
	var page struct {
		Messages []gotifyMessage `json:"messages"`
	}
	err = doJSON(http.MethodGet, g.URL+"/message?limit=10", nil, &page, func(r *http.Request) {
		r.Header.Set("X-Gotify-Key", clientToken)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Messages) != 1 || page.Messages[0].ID != first {
		t.Fatalf("after a restart, GET /message = %+v; want the one message (id %d)", page.Messages, first)
	}

	ws := dialGotify(t, g, clientToken)
	if err := g.Kill(); err != nil {
		t.Fatal(err)
	}
	ws.SetReadDeadline(time.Now().Add(readWait))
	if _, _, err := ws.ReadMessage(); err == nil {
		t.Fatal("the stream still delivered a frame after the server was killed")
	}

	if err := g.Restart(); err != nil {
		t.Fatal(err)
	}
	ws = dialGotify(t, g, clientToken)
	waitStreaming(t, g, ws, appToken)
	second, err := g.Publish(appToken, "after", "published after the kill", 5)
	if err != nil {
		t.Fatal(err)
	}
	if msg := readGotifyMessage(t, ws); msg.ID != second {
		t.Fatalf("got frame %+v, want id %d", msg, second)
	}
}

func TestGotifyPingsStreamClients(t *testing.T) {
	if testing.Short() {
		t.Skipf("waits for a ping (%d s) in -short mode", GotifyPingPeriodSeconds)
	}
	g, clientToken, _ := aliceOnGotify(t)
	ws := dialGotify(t, g, clientToken)
	pinged := make(chan struct{}, 1)
	ws.SetPingHandler(func(data string) error {
		select {
		case pinged <- struct{}{}:
		default:
		}
		return ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	go func() {
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	select {
	case <-pinged:
	case <-time.After(3 * GotifyPingPeriodSeconds * time.Second):
		t.Fatalf("no ping within %d s (ping period %d s)", 3*GotifyPingPeriodSeconds, GotifyPingPeriodSeconds)
	}
}

// RevokeClients deletes alice's client: Gotify closes its stream at once
// and refuses its token; the application's token still publishes.
func TestGotifyRevokeClients(t *testing.T) {
	g, clientToken, appToken := aliceOnGotify(t)
	ws := dialGotify(t, g, clientToken)
	n, err := g.RevokeClients("alice", "alice-pass")
	if err != nil || n != 1 {
		t.Fatalf("RevokeClients: %d, %v; want 1 client deleted", n, err)
	}
	ws.SetReadDeadline(time.Now().Add(readWait))
	if _, _, err := ws.ReadMessage(); err == nil {
		t.Fatal("the revoked client's stream delivered a frame")
	} else if ne, ok := err.(interface{ Timeout() bool }); ok && ne.Timeout() {
		t.Fatal("the revoked client's stream stayed open")
	}
	_, resp, err := websocket.DefaultDialer.Dial(g.StreamURL(), http.Header{"X-Gotify-Key": {clientToken}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("stream with the revoked token: err = %v, response %v; want a 401 handshake", err, resp)
	}
	if _, err := g.Publish(appToken, "after the revoke", "the application stays", 5); err != nil {
		t.Fatal(err)
	}
}
