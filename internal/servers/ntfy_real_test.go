//go:build realservers

package servers

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// ntfyEvent is a frame of ntfy's /ws.
type ntfyEvent struct {
	ID      string   `json:"id"`
	Time    int64    `json:"time"`
	Event   string   `json:"event"`
	Topic   string   `json:"topic"`
	Title   string   `json:"title"`
	Message string   `json:"message"`
	Tags    []string `json:"tags"`
}

// aliceOnNtfy starts a server with a user alice who may read and write the
// topics tasks*, and returns her access token.
func aliceOnNtfy(t *testing.T) (*Ntfy, string) {
	t.Helper()
	n := StartNtfy(t, Bin(t, EnvNtfyBin))
	if err := n.AddUser("alice", "alice-pass"); err != nil {
		t.Fatal(err)
	}
	if err := n.Allow("alice", "tasks*", "rw"); err != nil {
		t.Fatal(err)
	}
	token, err := n.Token("alice", "alice-pass")
	if err != nil {
		t.Fatal(err)
	}
	return n, token
}

func dialNtfy(t *testing.T, url, token string) *websocket.Conn {
	t.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial(url, http.Header{"Authorization": {"Bearer " + token}})
	if err != nil {
		if resp != nil {
			t.Fatalf("dial %s: %v (status %d)", url, err, resp.StatusCode)
		}
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

func readNtfy(t *testing.T, ws *websocket.Conn) ntfyEvent {
	t.Helper()
	ws.SetReadDeadline(time.Now().Add(readWait))
	var e ntfyEvent
	if err := ws.ReadJSON(&e); err != nil {
		t.Fatalf("reading the link: %v", err)
	}
	return e
}

func TestNtfyRoundTrip(t *testing.T) {
	n, token := aliceOnNtfy(t)
	ws := dialNtfy(t, n.WSURL("tasks-alice"), token)
	if open := readNtfy(t, ws); open.Event != "open" || open.Topic != "tasks-alice" || open.Time == 0 {
		t.Fatalf("first frame %+v, want an open", open)
	}
	id, err := n.Publish(token, NtfyMessage{Topic: "tasks-alice", Title: "Task done", Message: "build #42 finished", Tags: []string{"white_check_mark"}})
	if err != nil {
		t.Fatal(err)
	}
	m := readNtfy(t, ws)
	if m.ID != id || m.Event != "message" || m.Title != "Task done" || m.Message != "build #42 finished" || len(m.Tags) != 1 {
		t.Fatalf("got %+v, want message %s as published", m, id)
	}
}

// Access control is on: a wrong password is 401, a bad token on /ws is 401,
// a topic alice may not read is 403.
func TestNtfyRefuses(t *testing.T) {
	n, token := aliceOnNtfy(t)
	_, err := n.Token("alice", "wrong")
	var status *StatusError
	if !errors.As(err, &status) || status.Code != http.StatusUnauthorized {
		t.Errorf("token with a wrong password: %v, want status 401", err)
	}
	for _, c := range []struct {
		topic, token string
		want         int
	}{
		{"tasks-alice", "tk_notatokennotatokennotatoken", http.StatusUnauthorized},
		{"secret", token, http.StatusForbidden},
	} {
		_, resp, err := websocket.DefaultDialer.Dial(n.WSURL(c.topic), http.Header{"Authorization": {"Bearer " + c.token}})
		if err == nil || resp == nil || resp.StatusCode != c.want {
			t.Errorf("/%s/ws: %v, %v; want a %d handshake", c.topic, err, resp, c.want)
		}
	}
}

// A restart keeps users, tokens and cached messages: since=<id> replays
// what came after id.
func TestNtfyRestartKeepsCache(t *testing.T) {
	n, token := aliceOnNtfy(t)
	first, err := n.Publish(token, NtfyMessage{Topic: "tasks-alice", Message: "one"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := n.Publish(token, NtfyMessage{Topic: "tasks-alice", Message: "two"})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Restart(); err != nil {
		t.Fatal(err)
	}
	ws := dialNtfy(t, n.WSURL("tasks-alice")+"?since="+first, token)
	if open := readNtfy(t, ws); open.Event != "open" {
		t.Fatalf("first frame %+v", open)
	}
	if m := readNtfy(t, ws); m.ID != second {
		t.Fatalf("replayed %+v, want %s", m, second)
	}
}

// RevokeTokens deletes every token of alice's but the one kept: a new
// handshake with a deleted one is refused with 401, the kept one still
// publishes.
func TestNtfyRevokeTokens(t *testing.T) {
	n, keep := aliceOnNtfy(t)
	revoked, err := n.Token("alice", "alice-pass")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := n.RevokeTokens("alice", keep); err != nil || got != 1 {
		t.Fatalf("RevokeTokens: %d, %v; want 1 token deleted", got, err)
	}
	_, resp, err := websocket.DefaultDialer.Dial(n.WSURL("tasks-alice"), http.Header{"Authorization": {"Bearer " + revoked}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("/ws with the revoked token: %v, %v; want a 401 handshake", err, resp)
	}
	if _, err := n.Publish(keep, NtfyMessage{Topic: "tasks-alice", Title: "after the revoke"}); err != nil {
		t.Fatal(err)
	}
}

// A restart while something else holds the port for a moment (another
// test's free-port probe can be handed the port the server just let go)
// waits for the port instead of failing: the server's first try exits with
// "address already in use".
func TestNtfyRestartWhileThePortIsHeld(t *testing.T) {
	n, token := aliceOnNtfy(t)
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", n.Addr)
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	go func() {
		defer close(released)
		time.Sleep(time.Second) // the holder's own business, not a check
		l.Close()
	}()
	err = n.Restart()
	<-released
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	if _, err := n.Publish(token, NtfyMessage{Topic: "tasks-alice", Title: "after the restart"}); err != nil {
		t.Fatal(err)
	}
}

// Publishes overlapped by other requests from the same address (as a
// test's client polls and redials beside its publisher) all succeed: ntfy
// refuses some with a spurious 403 (its per-address visitor), which
// Publish tries again.
func TestNtfyPublishBesideOtherRequests(t *testing.T) {
	const workers, each = 4, 100
	n, token := aliceOnNtfy(t)
	stop := make(chan struct{})
	var others sync.WaitGroup
	for range workers {
		others.Add(1)
		go func() {
			defer others.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if resp, err := http.Get(n.URL + "/v1/health"); err == nil {
					resp.Body.Close()
				}
			}
		}()
	}
	defer func() { close(stop); others.Wait() }()
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			for i := range each {
				if _, err := n.Publish(token, NtfyMessage{Topic: "tasks-alice", Title: fmt.Sprintf("worker %d, task %d", w, i)}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
