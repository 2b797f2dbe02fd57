package server

import (
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// readUntil reads frames until one of type kind arrives, and decodes it
// into v. Task frames met on the way are returned.
func readUntil(t *testing.T, c *websocket.Conn, kind string, v any) []taskFrame {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(waitLong))
	defer c.SetReadDeadline(time.Time{})
	var tasks []taskFrame
	for {
		_, data, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for a %s frame: %v", kind, err)
		}
		var f struct{ Type string }
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatalf("frame %s: %v", data, err)
		}
		switch f.Type {
		case kind:
			if err := json.Unmarshal(data, v); err != nil {
				t.Fatalf("frame %s: %v", data, err)
			}
			return tasks
		case "task":
			var tf taskFrame
			json.Unmarshal(data, &tf)
			tasks = append(tasks, tf)
		}
	}
}

// waitInvalid waits until the server refuses token.
func waitInvalid(t *testing.T, e *env, token string) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for {
		if _, _, ok := e.srv.authenticate(token); !ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the token is still valid")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTokenRenewedOverTheLink (defect 14): with a 4 s token TTL, a link
// outlives its login token: at half its life the server hands over a new
// one, the old one keeps working until its own expiry, and the link goes on
// delivering after it. A logout then ends the whole session.
func TestTokenRenewedOverTheLink(t *testing.T) {
	e := newEnv(t, Config{TokenTTL: 4 * time.Second})
	old := e.login("alice", "secret")
	e.srv.mu.Lock()
	oldExpires := e.srv.tokens[sha256Of(old)].expires
	e.srv.mu.Unlock()
	c := e.dial(old, "")

	var tf tokenFrame
	readUntil(t, c, "token", &tf)
	if tf.Token == "" || tf.Token == old {
		t.Fatalf("token frame %+v: want a new token", tf)
	}
	if _, err := time.Parse(time.RFC3339, tf.ExpiresAt); err != nil {
		t.Fatalf("expires_at %q: %v", tf.ExpiresAt, err)
	}
	fresh := e.dial(tf.Token, "") // the new token opens a link
	// A test stalled past the old token's expiry (a loaded machine) can
	// no longer tell: only a refusal before it fails.
	if _, _, ok := e.srv.authenticate(old); !ok && time.Now().Before(oldExpires) {
		t.Fatal("the old token died at once; a client that missed the frame could not reconnect")
	}

	waitInvalid(t, e, old) // the old token's life is over...
	e.publish("alice", TaskInput{Title: "after the login token expired"})
	var got []taskFrame
	latest := tf
	for len(got) == 0 { // ...but the link it opened lives on
		got = append(got, readUntil(t, c, "token", &latest)...)
	}
	if got[0].Title != "after the login token expired" {
		t.Fatalf("got %+v", got[0])
	}

	if status, body := e.request("POST", "/api/logout", "", "Authorization", "Bearer "+latest.Token); status != http.StatusNoContent {
		t.Fatalf("logout: %d %s", status, body)
	}
	expectClose(t, c, codeUnauthorized, "unauthorized")
	expectClose(t, fresh, codeUnauthorized, "unauthorized")
	e.srv.mu.Lock()
	left := len(e.srv.tokens)
	e.srv.mu.Unlock()
	if left != 0 {
		t.Fatalf("%d tokens of the logged-out session still valid", left)
	}
}

// TestOldTokenIsRenewedAtConnect: a client that missed the token frame (or
// kept its app closed for most of a TTL) connects with a token past half its
// life and is handed a new one at once, after the hello.
func TestOldTokenIsRenewedAtConnect(t *testing.T) {
	e := newEnv(t, Config{TokenTTL: time.Hour})
	token := e.login("alice", "secret")
	e.srv.mu.Lock()
	key := sha256Of(token)
	sess := e.srv.tokens[key]
	sess.issued = sess.issued.Add(-40 * time.Minute) // 40 of its 60 minutes gone
	sess.expires = sess.expires.Add(-40 * time.Minute)
	e.srv.tokens[key] = sess
	e.srv.mu.Unlock()

	c := e.dial(token, "")
	var tf tokenFrame
	readUntil(t, c, "token", &tf)
	exp, err := time.Parse(time.RFC3339, tf.ExpiresAt)
	if err != nil || time.Until(exp) < 59*time.Minute {
		t.Fatalf("expires_at %q (%v): want a full hour ahead", tf.ExpiresAt, err)
	}
	// A fresh token is not renewed at connect: the next frame is a task.
	c2 := e.dial(tf.Token, "")
	e.waitConns("alice", 2)
	e.publish("alice", TaskInput{Title: "t"})
	if f := readFrame(t, c2); f.Title != "t" {
		t.Fatalf("got %+v", f)
	}
}

func sha256Of(token string) [32]byte { return sha256.Sum256([]byte(token)) }

// TestDefaultSessionSurvivesAWeekendOffline (defect 14): with the default
// TTL, a laptop that was off from Friday evening to Monday morning (its last
// renewal that Friday) still connects.
func TestDefaultSessionSurvivesAWeekendOffline(t *testing.T) {
	e := newEnv(t, Config{})
	token := e.login("alice", "secret")
	e.srv.mu.Lock()
	key := sha256Of(token)
	sess := e.srv.tokens[key]
	sess.issued = sess.issued.Add(-64 * time.Hour)
	sess.expires = sess.expires.Add(-64 * time.Hour)
	e.srv.tokens[key] = sess
	e.srv.mu.Unlock()
	if _, resp, err := e.dialErr(token, ""); err != nil {
		t.Fatalf("a session 64 h offline was refused: %v (HTTP %d)", err, resp.StatusCode)
	}
}
