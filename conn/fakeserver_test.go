package conn_test

// fakeServer speaks the native protocol (docs/protocol.md) just enough for
// the Client's tests, with hooks to misbehave: refuse the handshake, stall
// (stop reading, so pings go unanswered), drop every link without a close
// frame, close with a code, or send raw bytes. To extend it, add a field
// guarded by mu and read it in serveWS or publish.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

type fakeServer struct {
	*httptest.Server
	token string

	mu         sync.Mutex
	history    []map[string]any // every task ever published, id = index+1
	conns      map[*websocket.Conn]chan []byte
	reject     int           // HTTP status to refuse handshakes with; 0 accepts
	stall      bool          // new links never read nor write after the replay
	overlap    int           // replay this many tasks before since, as sloppy servers do
	hello      []byte        // sent first on every link when set
	deaf       bool          // new links write but never read (client writes back up)
	hang       chan struct{} // when set, handshakes wait on it (closed at cleanup)
	dials      int           // handshakes seen
	sinces     []string
	heartbeats int // text heartbeats received
}

func newFakeServer(t *testing.T) *fakeServer {
	s := &fakeServer{token: "tok-" + strconv.Itoa(int(time.Now().UnixNano()%1e6)), conns: map[*websocket.Conn]chan []byte{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serveWS))
	t.Cleanup(func() {
		s.set(func(s *fakeServer) {
			if s.hang != nil {
				close(s.hang)
				s.hang = nil
			}
		})
		s.dropAll()
		s.Close()
	})
	return s
}

func (s *fakeServer) url() string { return s.URL }

var upgrader = websocket.Upgrader{}

func (s *fakeServer) serveWS(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.dials++
	s.sinces = append(s.sinces, r.URL.Query().Get("since"))
	reject, stall, overlap, deaf, hang, token := s.reject, s.stall, s.overlap, s.deaf, s.hang, s.token
	s.mu.Unlock()
	if hang != nil {
		<-hang
		return
	}
	if reject != 0 {
		http.Error(w, `{"error":"refused"}`, reject)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+token {
		http.Error(w, `{"error":"invalid_token"}`, http.StatusUnauthorized)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	since, _ := strconv.Atoi(r.URL.Query().Get("since"))
	since = max(0, since-overlap)
	out := make(chan []byte, 100000)
	s.mu.Lock()
	if s.hello != nil {
		out <- s.hello
	}
	for i := since; i < len(s.history); i++ { // replay and go live under one lock: no gap, no duplicate
		out <- mustJSON(s.history[i])
	}
	s.conns[ws] = out
	s.mu.Unlock()
	if stall {
		return // never read (pings go unanswered) and never write
	}
	go func() {
		for msg := range out {
			ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
			if ws.WriteMessage(websocket.TextMessage, msg) != nil {
				ws.Close()
				return
			}
		}
		ws.Close()
	}()
	if deaf {
		return // the writer above runs on; nothing reads what the client sends
	}
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			s.forget(ws)
			return
		}
		if string(msg) == "HeartBeat" {
			s.mu.Lock()
			s.heartbeats++
			s.mu.Unlock()
			s.send(ws, msg) // seed backends echo the heartbeat
		}
	}
}

func (s *fakeServer) forget(ws *websocket.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if out, ok := s.conns[ws]; ok {
		close(out)
		delete(s.conns, ws)
	}
}

func (s *fakeServer) send(ws *websocket.Conn, msg []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if out, ok := s.conns[ws]; ok {
		out <- msg
	}
}

// publish adds a task and pushes it to every live link; it returns its id.
func (s *fakeServer) publish(title string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := len(s.history) + 1
	task := map[string]any{"type": "task", "id": id, "title": title, "priority": 3, "time": time.Now().Format(time.RFC3339)}
	s.history = append(s.history, task)
	for _, out := range s.conns {
		out <- mustJSON(task)
	}
	return id
}

// sendRaw pushes bytes as a text frame to every live link.
func (s *fakeServer) sendRaw(msg []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, out := range s.conns {
		out <- msg
	}
}

// dropAll cuts every link without a close frame, as a dead network would.
func (s *fakeServer) dropAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ws, out := range s.conns {
		ws.UnderlyingConn().Close()
		close(out)
		delete(s.conns, ws)
	}
}

// closeAll sends a close frame with code and text to every live link.
func (s *fakeServer) closeAll(code int, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ws := range s.conns {
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
	}
}

func (s *fakeServer) set(f func(*fakeServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *fakeServer) get() (dials, heartbeats int, sinces []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dials, s.heartbeats, append([]string(nil), s.sinces...)
}

func (s *fakeServer) liveLinks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprint(err))
	}
	return b
}

// waitLinks waits until n links are registered: the client may report
// Connected a moment before the server has finished its side of the upgrade.
func (s *fakeServer) waitLinks(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for s.liveLinks() != n {
		if time.Now().After(deadline) {
			t.Fatalf("server has %d links, want %d", s.liveLinks(), n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
