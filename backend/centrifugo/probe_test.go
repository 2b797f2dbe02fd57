package centrifugo

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// fakeCentrifugo answers a connect and a subscribe with frames recorded
// from a real Centrifugo v6.9.1 (subscribed: the subscribe reply), after a
// server ping the client must answer; it records the tokens it was sent.
func fakeCentrifugo(t *testing.T, subscribed string) (*httptest.Server, chan string) {
	tokens := make(chan string, 10)
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/connection/websocket" {
			http.NotFound(w, r)
			return
		}
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		ws.WriteMessage(websocket.TextMessage, []byte(`{}`)) // a ping first
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				return
			}
			var cmd struct {
				ID      int `json:"id"`
				Connect *struct {
					Token string `json:"token"`
				} `json:"connect"`
				Subscribe *subscribeRequest `json:"subscribe"`
			}
			if json.Unmarshal(msg, &cmd) != nil {
				continue // the pong {}
			}
			switch {
			case cmd.Connect != nil:
				tokens <- cmd.Connect.Token
				ws.WriteMessage(websocket.TextMessage, []byte(recordedConnect))
			case cmd.Subscribe != nil && cmd.Subscribe.Channel == "tasks:alice" && !cmd.Subscribe.Recover:
				ws.WriteMessage(websocket.TextMessage, []byte(subscribed))
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv, tokens
}

// TestLoginLearnsStreamPosition: Login (token URL or pasted token) reads
// where the channel's stream stands, with the new token, and hands it on as
// Session.Resume in the session's "epoch:offset" form, so the first link
// recovers a task published between the login and its subscribe.
func TestLoginLearnsStreamPosition(t *testing.T) {
	token := jwt(map[string]any{"sub": "alice", "exp": time.Now().Add(time.Hour).Unix()})
	rt, tokens := fakeCentrifugo(t, recordedSubscribed)
	te := tokenEndpoint(t, token)
	for name, c := range map[string]struct{ password, tokenURL string }{
		"token URL": {testPassword, te.URL},
		"pasted":    {token, ""},
	} {
		opts := map[string]string{}
		if c.tokenURL != "" {
			opts[OptionTokenURL] = c.tokenURL
		}
		s, err := Authenticator{}.Login(context.Background(), creds(rt.URL, c.password, opts))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s.Resume != "cmcqDYUQ:3" {
			t.Errorf("%s: Resume %q, want the subscribe reply's cmcqDYUQ:3", name, s.Resume)
		}
		select {
		case got := <-tokens:
			if got != token {
				t.Errorf("%s: connected with another token", name)
			}
		default:
			t.Errorf("%s: no connect reached the server", name)
		}
	}
}

// TestLoginStreamWithoutPosition: a channel without history has no
// position; Login still succeeds, with no Resume, and does not wait for
// its timeout.
func TestLoginStreamWithoutPosition(t *testing.T) {
	token := jwt(map[string]any{"sub": "alice"})
	rt, _ := fakeCentrifugo(t, `{"id":2,"subscribe":{}}`)
	// The look at the stream ends on the subscribe reply: no error (its
	// timeout would be one), not a time measured.
	if top, err := streamTop(context.Background(), nil, creds(rt.URL, token, nil).Account, token); err != nil || top != "" {
		t.Errorf("streamTop: %q, %v; want no position and no error", top, err)
	}
	s, err := Authenticator{}.Login(context.Background(), creds(rt.URL, token, nil))
	if err != nil || s.Resume != "" {
		t.Errorf("Login: %v, Resume %q", err, s.Resume)
	}
	// An unreachable server leaves Resume empty and the login succeeds.
	rt.Close()
	s, err = Authenticator{}.Login(context.Background(), creds(rt.URL, token, nil))
	if err != nil || s.Resume != "" || !strings.HasPrefix(s.Token, "eyJ") {
		t.Errorf("server down: %v, Resume %q", err, s.Resume)
	}
}
