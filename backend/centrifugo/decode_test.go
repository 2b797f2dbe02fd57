package centrifugo

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"tasktray/auth"
	"tasktray/conn"
)

// Frames as a real Centrifugo v6.9.1 sent them on this machine.
const (
	recordedConnect      = `{"id":1,"connect":{"client":"1a4730ab-f197-49cb-8faf-18b5e94f5e92","version":"6.9.1 OSS","expires":true,"ttl":3600,"ping":25,"pong":true}}`
	recordedSubscribed   = `{"id":2,"subscribe":{"recoverable":true,"epoch":"cmcqDYUQ","offset":3,"positioned":true}}`
	recordedRecovered    = `{"id":2,"subscribe":{"recoverable":true,"epoch":"cmcqDYUQ","publications":[{"data":{"title":"t1"},"offset":2},{"data":{"title":"t2"},"offset":3}],"recovered":true,"offset":1,"positioned":true,"was_recovering":true}}`
	recordedNotRecovered = `{"id":2,"subscribe":{"recoverable":true,"epoch":"cmcqDYUQ","offset":3,"positioned":true,"was_recovering":true}}`
	recordedHistory      = `{"id":3,"history":{"publications":[{"data":{"title":"t1"},"offset":1},{"data":{"title":"t2"},"offset":2},{"data":{"title":"t3"},"offset":3}],"epoch":"cmcqDYUQ","offset":3}}`
	recordedPush         = `{"push":{"channel":"tasks:alice","pub":{"data":{"title":"Task done","message":"build #42 finished"},"offset":1,"epoch":"zeaOgkWr"}}}`
	recordedRefreshed    = `{"id":5,"refresh":{"expires":true,"ttl":5}}`
	// A history page asked with since {"offset":5} when the history (of
	// 10) holds 16..25 and limit 3.
	recordedHistoryEvicted = `{"id":3,"history":{"publications":[{"data":{"title":"s16"},"offset":16},{"data":{"title":"s17"},"offset":17},{"data":{"title":"s18"},"offset":18}],"epoch":"LXyvBLNE","offset":25}}`
	recordedHistoryEpoch   = `{"id":3,"error":{"code":112,"message":"unrecoverable position"}}` // since names another epoch
	recordedExpired        = `{"id":1,"error":{"code":109,"message":"token expired"}}`
	recordedDenied         = `{"id":2,"error":{"code":103,"message":"permission denied"}}`
	recordedUnrecover      = recordedHistoryEpoch
)

func newSession(resume string) *session {
	p := &Protocol{channel: "tasks:alice"}
	return p.NewSession("jwt", resume).(*session)
}

func decode(t *testing.T, s *session, frame string) conn.Decoded {
	t.Helper()
	d, err := s.Decode([]byte(frame))
	if err != nil {
		t.Fatalf("Decode(%s): %v", frame, err)
	}
	return d
}

func ids(tasks []conn.Task) string {
	var out []string
	for _, t := range tasks {
		out = append(out, t.ID)
	}
	return strings.Join(out, " ")
}

func replies(d conn.Decoded) string {
	var out []string
	for _, r := range d.Reply {
		out = append(out, string(r))
	}
	return strings.Join(out, " ")
}

func TestOpen(t *testing.T) {
	for _, c := range []struct{ resume, subscribe string }{
		{"", `{"id":2,"subscribe":{"channel":"tasks:alice"}}`},
		{"cmcqDYUQ:7", `{"id":2,"subscribe":{"channel":"tasks:alice","recover":true,"epoch":"cmcqDYUQ","offset":7}}`},
		{"cmcqDYUQ:0", `{"id":2,"subscribe":{"channel":"tasks:alice","recover":true,"epoch":"cmcqDYUQ"}}`},
		{"42", `{"id":2,"subscribe":{"channel":"tasks:alice"}}`}, // not ours
	} {
		frames, err := newSession(c.resume).Open()
		if err != nil {
			t.Fatal(err)
		}
		if len(frames) != 2 || string(frames[0]) != `{"id":1,"connect":{"token":"jwt","name":"tasktray"}}` || string(frames[1]) != c.subscribe {
			t.Errorf("Open with resume %q: %q", c.resume, frames)
		}
	}
}

// The first subscribe (no cursor) moves the resume point to the stream's
// current position, so a link that breaks before any task still recovers.
func TestFirstSubscribe(t *testing.T) {
	d := decode(t, newSession(""), recordedConnect+"\n"+recordedSubscribed)
	if len(d.Tasks) != 0 || d.Resume != "cmcqDYUQ:3" || d.Reply != nil {
		t.Errorf("got %+v", d)
	}
}

func TestRecovered(t *testing.T) {
	s := newSession("cmcqDYUQ:1")
	d := decode(t, s, recordedRecovered)
	if ids(d.Tasks) != "cmcqDYUQ:2 cmcqDYUQ:3" || d.Resume != "" || d.Reply != nil {
		t.Errorf("got tasks %q resume %q reply %q", ids(d.Tasks), d.Resume, replies(d))
	}
	if d.Tasks[0].Title != "t1" || d.Tasks[0].Resume != "cmcqDYUQ:2" || d.Tasks[0].Seq != 0 {
		t.Errorf("task %+v", d.Tasks[0])
	}
}

// history is a history reply with publications first..last (titles "t<offset>").
func history(epoch string, first, last, top uint64) string {
	var pubs []string
	for o := first; o <= last && first > 0; o++ {
		pubs = append(pubs, fmt.Sprintf(`{"data":{"title":"t%d"},"offset":%d}`, o, o))
	}
	return fmt.Sprintf(`{"id":3,"history":{"publications":[%s],"epoch":%q,"offset":%d}}`, strings.Join(pubs, ","), epoch, top)
}

// positions lists "epoch:first" .. "epoch:last".
func positions(epoch string, first, last uint64) string {
	var out []string
	for o := first; o <= last; o++ {
		out = append(out, fmt.Sprintf("%s:%d", epoch, o))
	}
	return strings.Join(out, " ")
}

func historySince(offset uint64, epoch string) string {
	return fmt.Sprintf(`{"id":3,"history":{"channel":"tasks:alice","limit":100,"since":{"offset":%d,"epoch":%q}}}`, offset, epoch)
}

const historyOldest = `{"id":3,"history":{"channel":"tasks:alice","limit":100}}`

// A gap longer than one history page is fetched page by page, through to
// the position the subscribe reply reported (defect 13: it stopped at 100).
func TestGapFillPages(t *testing.T) {
	s := newSession("E:5")
	d := decode(t, s, `{"id":2,"subscribe":{"recoverable":true,"epoch":"E","offset":350,"positioned":true,"was_recovering":true}}`)
	if len(d.Tasks) != 0 || d.Resume != "" || replies(d) != historySince(5, "E") {
		t.Fatalf("not recovered: got %+v, %s", d, replies(d))
	}
	var got []string
	for _, page := range [][3]uint64{{6, 105, 105}, {106, 205, 205}, {206, 305, 305}, {306, 350, 350}} {
		d = decode(t, s, history("E", page[0], page[1], 350))
		if d.Gap != nil {
			t.Fatalf("page %v: gap %+v", page, d.Gap)
		}
		got = append(got, ids(d.Tasks))
		want := historySince(page[2], "E")
		if page[1] == 350 {
			want = ""
		}
		if replies(d) != want {
			t.Fatalf("after page %v asked %s, want %s", page, replies(d), want)
		}
	}
	if strings.Join(got, " ") != positions("E", 6, 350) {
		t.Errorf("delivered %s", strings.Join(got, " "))
	}
}

// Recovery failed because the history no longer reaches back to the
// cursor: what it still has is delivered, and a gap is reported.
func TestGapFillHistoryLost(t *testing.T) {
	s := newSession("LXyvBLNE:5")
	d := decode(t, s, `{"id":2,"subscribe":{"recoverable":true,"epoch":"LXyvBLNE","offset":25,"positioned":true,"was_recovering":true}}`)
	if replies(d) != historySince(5, "LXyvBLNE") {
		t.Fatalf("asked %s", replies(d))
	}
	d = decode(t, s, recordedHistoryEvicted)
	if ids(d.Tasks) != positions("LXyvBLNE", 16, 18) || replies(d) != historySince(18, "LXyvBLNE") || d.Gap != nil {
		t.Fatalf("first page: got %s, asked %s, gap %+v", ids(d.Tasks), replies(d), d.Gap)
	}
	d = decode(t, s, history("LXyvBLNE", 19, 25, 25))
	if ids(d.Tasks) != positions("LXyvBLNE", 19, 25) || replies(d) != "" || d.Gap == nil || d.Gap.Reason != textHistoryLost {
		t.Fatalf("last page: got %s, asked %s, gap %+v", ids(d.Tasks), replies(d), d.Gap)
	}
}

// The same with the whole rest in one page.
func TestGapFillHistoryLostOnePage(t *testing.T) {
	s := newSession("E:5")
	decode(t, s, `{"id":2,"subscribe":{"recoverable":true,"epoch":"E","offset":150,"positioned":true,"was_recovering":true}}`)
	d := decode(t, s, history("E", 51, 150, 150))
	if ids(d.Tasks) != positions("E", 51, 150) || replies(d) != "" {
		t.Fatalf("got %s, asked %s", ids(d.Tasks), replies(d))
	}
	if d.Gap == nil || d.Gap.Reason == "" || d.Gap.Before.IsZero() {
		t.Errorf("gap %+v, want one", d.Gap)
	}
}

// When the server cannot recover because the epoch changed (a restart of a
// server keeping history in memory), the session fetches the new epoch's
// history from its start, holds back pushes until it is in, then delivers
// history and pushes in order; what the old epoch held after the cursor is
// gone, which a gap says.
func TestGapFill(t *testing.T) {
	s := newSession("oldEpoch:1")
	d := decode(t, s, recordedNotRecovered)
	if len(d.Tasks) != 0 || d.Resume != "" || replies(d) != historyOldest {
		t.Fatalf("not recovered: got %+v, %s", d, replies(d))
	}
	d = decode(t, s, `{"push":{"channel":"tasks:alice","pub":{"data":{"title":"t3"},"offset":4}}}`+"\n{}")
	if len(d.Tasks) != 0 || d.Resume != "" || replies(d) != "{}" {
		t.Fatalf("push during the fill: got %+v", d)
	}
	d = decode(t, s, recordedHistory)
	if ids(d.Tasks) != "cmcqDYUQ:1 cmcqDYUQ:2 cmcqDYUQ:3 cmcqDYUQ:4" || d.Resume != "" || d.Gap == nil {
		t.Fatalf("history: got %q, resume %q, gap %+v", ids(d.Tasks), d.Resume, d.Gap)
	}
	d = decode(t, s, `{"push":{"channel":"tasks:alice","pub":{"data":"t4","offset":5}}}`)
	if ids(d.Tasks) != "cmcqDYUQ:5" {
		t.Errorf("after the fill: got %q", ids(d.Tasks))
	}
}

// In the same epoch, history fills only what is after the cursor, and a
// push the history already held is not delivered twice.
func TestGapFillSameEpoch(t *testing.T) {
	s := newSession("cmcqDYUQ:1")
	d := decode(t, s, recordedNotRecovered)
	if replies(d) != historySince(1, "cmcqDYUQ") {
		t.Fatalf("asked %s", replies(d))
	}
	decode(t, s, `{"push":{"channel":"tasks:alice","pub":{"data":{"title":"t3"},"offset":3}}}`)
	d = decode(t, s, recordedHistory)
	if ids(d.Tasks) != "cmcqDYUQ:2 cmcqDYUQ:3" || d.Gap != nil {
		t.Errorf("got %q, gap %+v", ids(d.Tasks), d.Gap)
	}
}

// A history the server refuses cannot be had by redialling: held pushes
// are delivered, the position moves on, and a gap is reported.
func TestGapFillRefused(t *testing.T) {
	s := newSession("oldEpoch:1")
	decode(t, s, recordedNotRecovered)
	decode(t, s, `{"push":{"channel":"tasks:alice","pub":{"data":"t3","offset":4}}}`)
	d := decode(t, s, `{"id":3,"error":{"code":103,"message":"permission denied"}}`)
	if ids(d.Tasks) != "cmcqDYUQ:4" || d.Gap == nil {
		t.Errorf("got %q, gap %+v", ids(d.Tasks), d.Gap)
	}
	if d := decode(t, newSessionFilled(t), `{"id":3,"error":{"code":103,"message":"permission denied"}}`); d.Resume != "cmcqDYUQ:3" {
		t.Errorf("resume %q, want the subscribe's position", d.Resume)
	}
}

// A history that cannot start at the cursor (error 112, as an engine that
// checks positions answers) is fetched from its oldest publication.
func TestGapFillUnrecoverableSince(t *testing.T) {
	s := newSession("cmcqDYUQ:1")
	decode(t, s, recordedNotRecovered)
	d := decode(t, s, recordedUnrecover)
	if replies(d) != historyOldest || len(d.Tasks) != 0 {
		t.Fatalf("asked %s, got %q", replies(d), ids(d.Tasks))
	}
	d = decode(t, s, history("cmcqDYUQ", 3, 3, 3))
	if ids(d.Tasks) != "cmcqDYUQ:3" || d.Gap == nil {
		t.Errorf("got %q, gap %+v", ids(d.Tasks), d.Gap)
	}
}

func newSessionFilled(t *testing.T) *session {
	s := newSession("oldEpoch:1")
	decode(t, s, recordedNotRecovered)
	return s
}

// Error 112 on subscribe: subscribe again without recovery, then fill.
func TestUnrecoverableSubscribe(t *testing.T) {
	s := newSession("cmcqDYUQ:9")
	d := decode(t, s, `{"id":2,"error":{"code":112,"message":"unrecoverable position"}}`)
	if replies(d) != `{"id":4,"subscribe":{"channel":"tasks:alice"}}` {
		t.Fatalf("got %s", replies(d))
	}
	d = decode(t, s, strings.Replace(recordedSubscribed, `"id":2`, `"id":4`, 1))
	if !strings.Contains(replies(d), `"history"`) {
		t.Errorf("no history after the fresh subscribe: %s", replies(d))
	}
}

func TestPing(t *testing.T) {
	d := decode(t, newSession(""), "{}\n{}")
	if replies(d) != "{} {}" || len(d.Tasks) != 0 {
		t.Errorf("got %+v", d)
	}
}

func TestPush(t *testing.T) {
	s := newSession("")
	s.channel = "tasks:alice"
	d := decode(t, s, recordedPush)
	want := conn.Task{ID: "zeaOgkWr:1", Resume: "zeaOgkWr:1", Title: "Task done", Body: "build #42 finished", Priority: 3}
	if len(d.Tasks) != 1 || d.Tasks[0].ID != want.ID || d.Tasks[0].Resume != want.Resume || d.Tasks[0].Title != want.Title ||
		d.Tasks[0].Body != want.Body || d.Tasks[0].Priority != want.Priority {
		t.Fatalf("got %+v", d.Tasks)
	}
	// Later publications omit the epoch.
	d = decode(t, s, `{"push":{"channel":"tasks:alice","pub":{"data":{"title":"x"},"offset":2}}}`)
	if ids(d.Tasks) != "zeaOgkWr:2" {
		t.Errorf("got %q", ids(d.Tasks))
	}
	if d := decode(t, s, `{"push":{"channel":"other","pub":{"data":{"title":"x"},"offset":3}}}`); len(d.Tasks) != 0 {
		t.Errorf("a push of another channel made a task")
	}
	if d := decode(t, s, `{"push":{"channel":"tasks:alice","join":{"info":{"client":"x"}}}}`); len(d.Tasks) != 0 {
		t.Errorf("a join made a task")
	}
}

func TestData(t *testing.T) {
	tests := []struct {
		data             string
		title, body, url string
		priority         int
	}{
		{`{"title":"Deploy","body":"all green","url":"https://ci/1","priority":5}`, "Deploy", "all green", "https://ci/1", 5},
		{`{"title":"Deploy","message":"alias"}`, "Deploy", "alias", "", 3},
		{`{"body":"first line\nrest"}`, "first line", "rest", "", 3},
		{`{"title":"x","priority":"high"}`, "x", "", "", 3},
		{`{"title":"x","priority":1e300}`, "x", "", "", 3},
		{`{"title":7,"other":true}`, `New task`, "", "", 3},
		{`"Backup failed\non disk 2"`, "Backup failed", "on disk 2", "", 3},
		{`[1, 2]`, "[1,2]", "", "", 3},
		{`42`, "42", "", "", 3},
		{`null`, "New task", "", "", 3},
	}
	for _, tt := range tests {
		s := newSession("")
		d := decode(t, s, `{"push":{"channel":"tasks:alice","pub":{"data":`+tt.data+`,"offset":1,"epoch":"e"}}}`)
		got := d.Tasks[0]
		if got.Title != tt.title || got.Body != tt.body || got.URL != tt.url || got.Priority != tt.priority {
			t.Errorf("data %s: got title %q body %q url %q priority %d", tt.data, got.Title, got.Body, got.URL, got.Priority)
		}
	}
}

// Publications of a channel without history have no offset: each is a task
// of its own, which cannot be resumed from.
func TestUnpositioned(t *testing.T) {
	s := newSession("")
	a := decode(t, s, `{"push":{"channel":"tasks:alice","pub":{"data":"a"}}}`).Tasks[0]
	b := decode(t, s, `{"push":{"channel":"tasks:alice","pub":{"data":"a"}}}`).Tasks[0]
	if a.ID == b.ID || a.Resume != "" || b.Resume != "" {
		t.Errorf("got %+v and %+v", a, b)
	}
}

func TestRefusals(t *testing.T) {
	for _, c := range []struct {
		frame string
		want  error
		text  string
	}{
		{recordedExpired, conn.ErrUnauthorized, "token expired"},
		{recordedConnect + "\n" + recordedDenied, conn.ErrUnauthorized, `channel "tasks:alice"`},
		{`{"id":2,"error":{"code":102,"message":"unknown channel"}}`, conn.ErrUnauthorized, "unknown channel"},
		{`{"push":{"disconnect":{"code":3005,"reason":"connection expired"}}}`, conn.ErrUnauthorized, "3005"},
		{`{"id":1,"error":{"code":100,"message":"internal server error"}}`, nil, "100"},
		{`{"id":2,"error":{"code":111,"message":"too many requests"}}`, nil, "111"},
		{`{"push":{"channel":"tasks:alice","unsubscribe":{"code":2000,"reason":"server unsubscribe"}}}`, nil, "unsubscribed"},
		{`{"push":{"disconnect":{"code":3001,"reason":"shutdown"}}}`, nil, "shutdown"},
	} {
		_, err := newSession("").Decode([]byte(c.frame))
		if err == nil || !strings.Contains(err.Error(), c.text) || (c.want != nil) != errors.Is(err, conn.ErrUnauthorized) {
			t.Errorf("Decode(%s) = %v, want %v mentioning %q", c.frame, err, c.want, c.text)
		}
	}
}

func TestUnauthorizedClose(t *testing.T) {
	p := &Protocol{}
	for code, want := range map[int]bool{3500: true, 3501: true, 3005: true, 3507: true, 3012: false, 3001: false, 1000: false, 1006: false, 4401: false} {
		if got := p.UnauthorizedClose(code, ""); got != want {
			t.Errorf("UnauthorizedClose(%d) = %v", code, got)
		}
	}
}

func TestMalformed(t *testing.T) {
	for _, frame := range []string{`x`, `{"id":2}`, `[1]`, `{"id":"1"}`, `{"push":{"channel":"tasks:alice","pub":{"offset":"x"}}}`, "{}\n{"} {
		if _, err := newSession("").Decode([]byte(frame)); !errors.Is(err, ErrMalformed) {
			t.Errorf("Decode(%q) = %v, want ErrMalformed", frame, err)
		}
	}
}

func TestNew(t *testing.T) {
	p, err := New(auth.Account{Server: "https://rt.example.com/centrifugo", Username: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	u, h, err := p.Handshake("jwt-secret", "e:1")
	if err != nil || u != "wss://rt.example.com/centrifugo/connection/websocket" || len(h) != 0 || p.channel != "tasks:alice" {
		t.Errorf("Handshake = %s %v %v, channel %s", u, h, err, p.channel)
	}
	if ka := p.Keepalive(); ka.PingPeriod != 0 || ka.PongWait != DefaultPongWait {
		t.Errorf("keepalive %+v", ka)
	}
	if _, err := conn.New(conn.Config{Protocol: p}); err != nil {
		t.Errorf("conn.New refuses a keepalive without pings: %v", err)
	}
	p, _ = New(auth.Account{Server: "https://rt.example.com", Username: "alice", Options: map[string]string{OptionChannel: "news"}})
	if p.channel != "news" {
		t.Errorf("channel %q", p.channel)
	}
	if _, err := New(auth.Account{Server: "https://rt.example.com"}); err == nil {
		t.Error("no username and no channel: accepted")
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{recordedConnect + "\n" + recordedSubscribed, recordedRecovered, recordedNotRecovered,
		recordedHistory, recordedPush, recordedExpired, recordedDenied, recordedUnrecover, "{}\n{}",
		recordedRefreshed, recordedHistoryEvicted, history("LXyvBLNE", 19, 25, 25)} {
		for state := range uint8(4) {
			f.Add(s, state)
		}
	}
	f.Fuzz(func(t *testing.T, frame string, state uint8) {
		s := newSession("")
		switch state % 4 {
		case 1:
			s = newSession("cmcqDYUQ:1")
		case 2:
			s = newSession("oldEpoch:1")
			if _, err := s.Decode([]byte(recordedNotRecovered)); err != nil {
				t.Fatal(err)
			}
		case 3: // paging through a gap in the same epoch
			s = newSession("LXyvBLNE:5")
			if _, err := s.Decode([]byte(`{"id":2,"subscribe":{"recoverable":true,"epoch":"LXyvBLNE","offset":25,"positioned":true,"was_recovering":true}}`)); err != nil {
				t.Fatal(err)
			}
		}
		for range 2 { // twice: the first frame may change the state
			d, err := s.Decode([]byte(frame))
			if err != nil {
				return
			}
			for _, task := range d.Tasks {
				if task.ID == "" || task.Title == "" || task.Priority < conn.PriorityMin || task.Priority > conn.PriorityMax {
					t.Fatalf("bad task %+v", task)
				}
				if _, ok := parsePosition(task.Resume); task.Resume != "" && !ok {
					t.Fatalf("resume %q cannot be read back", task.Resume)
				}
			}
			if _, ok := parsePosition(d.Resume); d.Resume != "" && !ok {
				t.Fatalf("resume %q cannot be read back", d.Resume)
			}
			for _, r := range d.Reply {
				if !json.Valid(r) {
					t.Fatalf("reply %q is not JSON", r)
				}
			}
		}
	})
}
