//go:build realservers

package servers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// centrifugoReply is one reply or push of Centrifugo's JSON protocol. Several can share a
// WebSocket frame, one a line.
type centrifugoReply struct {
	ID    uint32 `json:"id"`
	Error *struct {
		Code    int
		Message string
	} `json:"error"`
	Connect   json.RawMessage `json:"connect"`
	Subscribe json.RawMessage `json:"subscribe"`
	Push      *struct {
		Channel string `json:"channel"`
		Pub     *struct {
			Data   json.RawMessage `json:"data"`
			Offset uint64          `json:"offset"`
			Epoch  string          `json:"epoch"`
		} `json:"pub"`
	} `json:"push"`
}

type centrifugoError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// centrifugoConn reads Centrifugo replies one at a time, splitting shared frames.
type centrifugoConn struct {
	t       *testing.T
	ws      *websocket.Conn
	pending []centrifugoReply
}

func dialCentrifugo(t *testing.T, c *Centrifugo) *centrifugoConn {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(c.WebSocketURL(), nil)
	if err != nil {
		t.Fatalf("dial %s: %v", c.WebSocketURL(), err)
	}
	t.Cleanup(func() { ws.Close() })
	return &centrifugoConn{t: t, ws: ws}
}

func (cc *centrifugoConn) send(command any) {
	cc.t.Helper()
	if err := cc.ws.WriteJSON(command); err != nil {
		cc.t.Fatalf("sending %v: %v", command, err)
	}
}

// next returns the next reply, answering the server's empty pings ({}) on the way.
func (cc *centrifugoConn) next() (centrifugoReply, error) {
	for len(cc.pending) == 0 {
		cc.ws.SetReadDeadline(time.Now().Add(readWait))
		_, data, err := cc.ws.ReadMessage()
		if err != nil {
			return centrifugoReply{}, err
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		for {
			var raw json.RawMessage
			if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return centrifugoReply{}, err
			}
			if string(raw) == "{}" {
				cc.send(struct{}{}) // the server's ping: answer with a pong
				continue
			}
			var r centrifugoReply
			if err := json.Unmarshal(raw, &r); err != nil {
				return centrifugoReply{}, err
			}
			cc.pending = append(cc.pending, r)
		}
	}
	r := cc.pending[0]
	cc.pending = cc.pending[1:]
	return r, nil
}

// reply waits for the reply to command id, failing on an error reply.
func (cc *centrifugoConn) reply(id uint32) centrifugoReply {
	cc.t.Helper()
	for {
		r, err := cc.next()
		if err != nil {
			cc.t.Fatalf("waiting for reply %d: %v", id, err)
		}
		if r.ID != id {
			continue
		}
		if r.Error != nil {
			cc.t.Fatalf("reply %d: error %d %s", id, r.Error.Code, r.Error.Message)
		}
		return r
	}
}

func TestCentrifugoRoundTrip(t *testing.T) {
	c := StartCentrifugo(t, BinFromEnv(t, EnvCentrifugoBin))
	cc := dialCentrifugo(t, c)

	cc.send(map[string]any{"id": 1, "connect": map[string]any{"token": c.Token("alice", time.Hour)}})
	if r := cc.reply(1); r.Connect == nil {
		t.Fatalf("reply to connect has no connect result: %+v", r)
	}
	cc.send(map[string]any{"id": 2, "subscribe": map[string]any{"channel": "tasks:alice"}})
	if r := cc.reply(2); r.Subscribe == nil {
		t.Fatalf("reply to subscribe has no subscribe result: %+v", r)
	}

	sent := map[string]any{"title": "Task done", "message": "build #42 finished"}
	pub, err := c.Publish("tasks:alice", sent)
	if err != nil {
		t.Fatal(err)
	}
	if pub.Offset != 1 || pub.Epoch == "" {
		t.Errorf("Publish = %+v; want offset 1 and an epoch (the namespace keeps history)", pub)
	}

	r, err := cc.next()
	if err != nil {
		t.Fatalf("waiting for the push: %v", err)
	}
	if r.Push == nil || r.Push.Channel != "tasks:alice" || r.Push.Pub == nil {
		t.Fatalf("got %+v, want a push on tasks:alice", r)
	}
	var got map[string]any
	if err := json.Unmarshal(r.Push.Pub.Data, &got); err != nil {
		t.Fatal(err)
	}
	if got["title"] != sent["title"] || got["message"] != sent["message"] {
		t.Errorf("pushed data %v, want %v", got, sent)
	}
	if r.Push.Pub.Offset != pub.Offset {
		t.Errorf("pushed offset %d, want %d", r.Push.Pub.Offset, pub.Offset)
	}
}

// An expired token gets error 109 in the connect reply (the handshake itself succeeds).
func TestCentrifugoExpiredToken(t *testing.T) {
	c := StartCentrifugo(t, BinFromEnv(t, EnvCentrifugoBin))
	cc := dialCentrifugo(t, c)
	cc.send(map[string]any{"id": 1, "connect": map[string]any{"token": c.Token("alice", -time.Minute)}})
	for {
		r, err := cc.next()
		if err != nil {
			t.Fatalf("waiting for the connect reply: %v", err)
		}
		if r.ID != 1 {
			continue
		}
		if r.Error == nil || r.Error.Code != 109 {
			t.Fatalf("connect with an expired token: %+v, want error 109", r)
		}
		return
	}
}

// A restart keeps the port and the secret: the same token connects again.
func TestCentrifugoRestart(t *testing.T) {
	c := StartCentrifugo(t, BinFromEnv(t, EnvCentrifugoBin))
	token := c.Token("alice", time.Hour)
	if err := c.Restart(); err != nil {
		t.Fatal(err)
	}
	cc := dialCentrifugo(t, c)
	cc.send(map[string]any{"id": 1, "connect": map[string]any{"token": token}})
	cc.reply(1)
}
