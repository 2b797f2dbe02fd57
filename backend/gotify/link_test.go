package gotify

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"tasktray/conn"
)

// The whole path through conn: two publishers store 23 and 24, but the
// stream pushes 24 first, and the link drops before 23 is pushed. The next
// link's backfill must still fetch 23 (defect 13: the cursor resumed from
// 24, the highest id seen, and 23 was lost for good).
func TestLinkDropsBeforeALowerID(t *testing.T) {
	f := newFakeGotify(t, 22)
	var (
		mu    sync.Mutex
		links int
	)
	f.stream = func(ws *websocket.Conn) {
		mu.Lock()
		links++
		first := links == 1
		mu.Unlock()
		if !first {
			ws.ReadMessage() // held open until the client goes
			return
		}
		<-f.listed // the link's backfill is done: 23 and 24 are news
		f.mu.Lock()
		f.n = 24
		f.mu.Unlock()
		ws.WriteMessage(websocket.TextMessage, []byte(`{"id":24,"appid":1,"message":"m24","title":"t24","priority":5,"date":"2026-11-29T22:10:46.1Z"}`+"\n"))
		// 23 is still on its way when the link drops.
	}

	p, err := New(f.account())
	if err != nil {
		t.Fatal(err)
	}
	cursor := &conn.MemoryCursor{}
	cursor.Save(conn.Cursor{Resume: "22"})
	c, err := conn.New(conn.Config{Protocol: p, Token: testToken, Cursor: cursor, Backoff: conn.Backoff{Base: 10 * time.Millisecond, Max: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	defer func() { cancel(); <-done }()

	var got []string
	timeout := time.After(20 * time.Second) // a failure guard only
	for len(got) < 2 {
		select {
		case task := <-c.Tasks():
			got = append(got, task.ID)
		case <-timeout:
			t.Fatalf("delivered %v; 23 was never fetched", got)
		}
	}
	if fmt.Sprint(got) != "[24 23]" {
		t.Errorf("delivered %v, want [24 23]", got)
	}
}
