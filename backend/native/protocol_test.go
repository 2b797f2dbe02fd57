package native

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"tasktray/auth"
	"tasktray/conn"
	"tasktray/server"
)

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name, frame string
		want        []conn.Task // only ID, Seq, Resume, Title, Body, URL, Priority are compared
		epoch       string
		err         bool
	}{
		{name: "task", frame: `{"type":"task","id":42,"title":"Sign","body":"b","url":"https://x.example/1","priority":5,"time":"2026-11-29T10:00:00Z"}`,
			want: []conn.Task{{ID: "42", Seq: 42, Resume: "42", Title: "Sign", Body: "b", URL: "https://x.example/1", Priority: 5}}},
		{name: "priority clamped", frame: `{"type":"task","id":1,"title":"t","priority":9}`,
			want: []conn.Task{{ID: "1", Seq: 1, Resume: "1", Title: "t", Priority: 5}}},
		{name: "no title takes the body's first line", frame: `{"type":"task","id":2,"body":"first\nrest"}`,
			want: []conn.Task{{ID: "2", Seq: 2, Resume: "2", Title: "first", Body: "rest", Priority: 3}}},
		{name: "hello", frame: `{"type":"hello","epoch":"E1"}`, epoch: "E1"},
		{name: "heartbeat echo", frame: `HeartBeat`},
		// Strict: what is not a native frame is ignored (strict_test.go).
		{name: "other heartbeat words", frame: `pong`},
		{name: "future type", frame: `{"type":"stats","n":3}`},
		{name: "seed msg", frame: `{"msg":"Approve PO 4711"}`},
		{name: "plain text", frame: "Call the customer\nbefore 5"},
		{name: "zero id", frame: `{"type":"task","id":0,"title":"t"}`},
		{name: "string id", frame: `{"type":"task","id":"x","title":"t"}`},
		{name: "truncated", frame: `{"type":"task","id":`},
		{name: "not utf-8", frame: "\xff\xfe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &session{heartbeat: DefaultHeartbeat, log: slog.New(slog.DiscardHandler)}
			d, err := s.Decode([]byte(tc.frame))
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want error %v", err, tc.err)
			}
			if d.Epoch != tc.epoch {
				t.Fatalf("epoch %q, want %q", d.Epoch, tc.epoch)
			}
			if len(d.Tasks) != len(tc.want) {
				t.Fatalf("got %d tasks, want %d", len(d.Tasks), len(tc.want))
			}
			for i, w := range tc.want {
				g := d.Tasks[i]
				g.Time, g.Tags = time.Time{}, nil
				if g.ID != w.ID || g.Seq != w.Seq || g.Resume != w.Resume || g.Title != w.Title || g.Body != w.Body || g.URL != w.URL || g.Priority != w.Priority {
					t.Fatalf("task %d = %+v\nwant %+v", i, g, w)
				}
			}
		})
	}
}

func TestHelloAnnouncesServerPings(t *testing.T) {
	for _, tc := range []struct {
		frame string
		want  *conn.Keepalive
	}{
		{`{"type":"hello","epoch":"E","ping_period":30}`, &conn.Keepalive{PongWait: 65 * time.Second}},
		{`{"type":"hello","epoch":"E","ping_period":0.5}`, &conn.Keepalive{PongWait: 6 * time.Second}},
		{`{"type":"hello","epoch":"E"}`, nil},                     // says nothing: keep the defaults
		{`{"type":"hello","epoch":"E","ping_period":-1}`, nil},    // nonsense
		{`{"type":"hello","epoch":"E","ping_period":86400}`, nil}, // a day: a dead link would pass for alive
	} {
		d, err := (&session{log: slog.New(slog.DiscardHandler)}).Decode([]byte(tc.frame))
		if err != nil {
			t.Fatal(err)
		}
		if (d.Keepalive == nil) != (tc.want == nil) || (d.Keepalive != nil && *d.Keepalive != *tc.want) {
			t.Errorf("%s: keepalive %+v, want %+v", tc.frame, d.Keepalive, tc.want)
		}
	}
}

func TestResumeCarriesTheEpoch(t *testing.T) {
	p, _ := New("https://tasks.example.com/base/")
	s := p.NewSession("tok", "").(*session)
	s.Decode([]byte(`{"type":"hello","epoch":"E7"}`))
	d, _ := s.Decode([]byte(`{"type":"task","id":9,"title":"t"}`))
	if r := d.Tasks[0].Resume; r != "9@E7" {
		t.Fatalf("resume %q", r)
	}
	u, h, _ := p.Handshake("tok", "9@E7")
	if u != "wss://tasks.example.com/base/ws?epoch=E7&since=9" || h.Get("Authorization") != "Bearer tok" {
		t.Fatalf("handshake %s %v", u, h)
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"type":"task","id":42,"title":"Sign","priority":5,"time":"2026-11-29T10:00:00Z"}`,
		`{"type":"hello","epoch":"E"}`, `{"msg":"x"}`, `{"msg":{"title":"t"}}`, "HeartBeat", "plain", `{"type":"task","id":1e3}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		s := &session{heartbeat: DefaultHeartbeat, log: slog.New(slog.DiscardHandler)}
		d, err := s.Decode(frame)
		if err != nil {
			return
		}
		for _, task := range d.Tasks {
			if task.ID == "" || task.Title == "" || task.Priority < conn.PriorityMin || task.Priority > conn.PriorityMax {
				t.Fatalf("decoded an invalid task %+v from %q", task, frame)
			}
		}
	})
}

// TestServerRestartStartsIdsOver: a reference server keeps its history in
// memory, so a restart numbers tasks from 1 again under a new epoch. The
// client must deliver them, not drop them as duplicates of the old 1..3.
func TestServerRestartStartsIdsOver(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	// One listener for both servers: the restart swaps the server behind
	// it, so the client's address stays and no port is closed and taken
	// again (another socket may get it first).
	var current atomic.Pointer[server.Server]
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		current.Load().ServeHTTP(w, r)
	})}
	go hs.Serve(ln)
	defer hs.Close()
	start := func() (*server.Server, string) {
		srv, err := server.New(server.Config{BcryptCost: bcrypt.MinCost})
		if err != nil {
			t.Fatal(err)
		}
		srv.AddUser("alice", "pw")
		current.Store(srv)
		sess, err := Authenticator{}.Login(context.Background(), auth.Credentials{Account: auth.Account{Server: "http://" + addr, Username: "alice"}, Password: "pw"})
		if err != nil {
			t.Fatal(err)
		}
		return srv, sess.Token
	}
	srv1, token := start()
	p, _ := New("http://" + addr)
	c, err := conn.New(conn.Config{Protocol: p, Token: token, Logger: slog.New(slog.DiscardHandler), Backoff: conn.Backoff{Base: time.Millisecond, Max: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitConnected := func() {
		for s := range c.States() {
			if s.Phase == conn.Connected {
				return
			}
		}
	}
	receive := func(want ...string) {
		for _, w := range want {
			select {
			case task := <-c.Tasks():
				if task.Title != w {
					t.Fatalf("got %q, want %q", task.Title, w)
				}
			case <-time.After(waitLong):
				t.Fatalf("no task %q", w)
			}
		}
	}
	waitConnected() // the server subscribes a link before its 101: nothing published now is lost
	for _, title := range []string{"a", "b", "c"} {
		srv1.Publish("alice", server.TaskInput{Title: title})
	}
	receive("a", "b", "c")

	srv1.Close() // its links end, its handshakes get 503 until srv2 takes over
	srv2, token2 := start()
	defer srv2.Close()
	srv2.Publish("alice", server.TaskInput{Title: "new 1"}) // id 1 again, published while the client is away
	c.SetToken(token2)                                      // the old server's tokens died with it
	waitConnected()
	srv2.Publish("alice", server.TaskInput{Title: "new 2"})
	receive("new 1", "new 2")
}

// TestExactlyOnceAgainstReferenceServer: 2,000 tasks published while the
// reference server drops every link 20 times; the client delivers each
// exactly once, in order.
func TestExactlyOnceAgainstReferenceServer(t *testing.T) {
	const total, drops = 2000, 20
	// History for every task: this test is about the seam at each drop, not
	// about the bound (TestGapIsReported), which a client that falls more
	// than 1,000 tasks behind the publisher would otherwise reach.
	srv, err := server.New(server.Config{BcryptCost: bcrypt.MinCost, HistorySize: 2 * total})
	if err != nil {
		t.Fatal(err)
	}
	srv.AddUser("alice", "pw")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv}
	go hs.Serve(ln)
	defer func() { hs.Close(); srv.Close() }()
	url := "http://" + ln.Addr().String()
	sess, err := Authenticator{}.Login(context.Background(), auth.Credentials{Account: auth.Account{Server: url, Username: "alice"}, Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := New(url)
	c, err := conn.New(conn.Config{Protocol: p, Token: sess.Token, Logger: slog.New(slog.DiscardHandler), Backoff: conn.Backoff{Base: time.Millisecond, Max: 20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	for s := range c.States() {
		if s.Phase == conn.Connected {
			break
		}
	}
	// Connected means subscribed, and the login named where the history
	// stood: the first task is not lost.
	srv.Publish("alice", server.TaskInput{Title: "0"})
	if !waitTask(c, waitLong) {
		t.Fatal("the first task, published once connected, never arrived")
	}
	published := make(chan int64, 1)
	go func() {
		var last int64
		for i := 1; i <= total; i++ {
			ids, _ := srv.Publish("alice", server.TaskInput{Title: "t"})
			last = ids["alice"]
			if i%(total/drops) == 0 {
				srv.DropConnections()
			}
			if i%20 == 0 {
				time.Sleep(time.Millisecond)
			}
		}
		published <- last
	}()
	var prev int64 = -1
	got := 0
	for got < total {
		select {
		case task := <-c.Tasks():
			if prev >= 0 && task.Seq != prev+1 {
				t.Fatalf("task %d followed %d: lost or duplicated", task.Seq, prev)
			}
			prev = task.Seq
			got++
		case <-time.After(waitLong):
			t.Fatalf("delivered %d of %d", got, total)
		}
	}
	if last := <-published; prev != last {
		t.Fatalf("last delivered id %d, last published %d", prev, last)
	}
	t.Logf("published %d, delivered %d, duplicated 0, across %d dropped links", total, got, drops)
}

// waitTask reports whether a task arrived within d (and consumes it).
func waitTask(c *conn.Client, d time.Duration) bool {
	select {
	case <-c.Tasks():
		return true
	case <-time.After(d):
		return false
	}
}
