package custom

import (
	"strings"
	"testing"
	"time"

	"tasktray/conn"
)

const mapped = `
[connect]
url = "wss://h.example/ws?token={token}"
token_in = "query"
[heartbeat]
text = '{"type":"ping"}'
echo_path = "type"
echo_value = "pong"
echo = "HeartBeat"
[mapping]
id = "data.id"
title = "data.title"
body = "data.content"
url = "data.link"
priority = "data.level"
time = "ts"
default_title = "OA"
[[mapping.ignore]]
path = "type"
not = "task"
[[mapping.ignore]]
path = "data.muted"
equals = "true"
`

func mustProtocol(t testing.TB, profile string) *Protocol {
	t.Helper()
	p, err := ParseProfile([]byte(profile))
	if err != nil {
		t.Fatal(err)
	}
	proto, err := NewProtocol(p, authAccount())
	if err != nil {
		t.Fatal(err)
	}
	return proto
}

func decodeAll(t *testing.T, s conn.Session, frames ...string) []conn.Task {
	t.Helper()
	var out []conn.Task
	for _, f := range frames {
		d, err := s.Decode([]byte(f))
		if err != nil {
			t.Fatalf("Decode(%q): %v", f, err)
		}
		out = append(out, d.Tasks...)
	}
	return out
}

func TestDecodeNested(t *testing.T) {
	p := mustProtocol(t, mapped)
	s := p.NewSession("tok", "")
	tasks := decodeAll(t, s,
		`{"type":"pong"}`, `HeartBeat`, `{"type":"ping"}`, // echoes
		`{"type":"notice","data":{"id":"1","title":"not a task"}}`,
		`{"type":"task","data":{"id":"2","title":"muted","muted":true}}`,
		`{"type":"task","data":{"id":"7","title":" Sign the PO ","content":"PO 4711","link":"https://oa.example.com/po/4711","level":5},"ts":1767225600000}`,
		`{"type":"task","data":{"id":"8","link":"javascript:alert(1)","level":"high"},"ts":"2026-01-01T00:00:00Z"}`,
	)
	if len(tasks) != 2 {
		t.Fatalf("got %d tasks: %+v", len(tasks), tasks)
	}
	want := conn.Task{ID: "7", Resume: "i:7", Title: "Sign the PO", Body: "PO 4711", URL: "https://oa.example.com/po/4711", Priority: 5, Time: time.UnixMilli(1767225600000)}
	if got := tasks[0]; got.ID != want.ID || got.Resume != want.Resume || got.Title != want.Title || got.Body != want.Body ||
		got.URL != want.URL || got.Priority != want.Priority || !got.Time.Equal(want.Time) {
		t.Errorf("task = %+v\n want %+v", got, want)
	}
	// No title, no body: the frame's text; a URL that is not http(s) is dropped.
	if got := tasks[1]; got.Title != "OA" || !strings.Contains(got.Body, `"id":"8"`) || got.URL != "" || got.Priority != 4 ||
		!got.Time.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("task = %+v", got)
	}
}

const noIDs = `
[connect]
url = "wss://h.example/ws?token={token}"
token_in = "query"
[mapping]
body = "msg"
[resume]
window = 4
`

func TestDecodeWithoutIDs(t *testing.T) {
	p := mustProtocol(t, noIDs)
	s := p.NewSession("tok", "")
	tasks := decodeAll(t, s, `HeartBeat`, `{"msg":"Leave request from Li"}`, "  plain text\nsecond line ", `{"msg":{"a":1}}`, `"quoted"`, "\xff\xfe")
	if len(tasks) != 5 {
		t.Fatalf("got %d tasks: %+v", len(tasks), tasks)
	}
	for i, want := range []string{"Leave request from Li", "plain text\nsecond line", `{"a":1}`, `"quoted"`, "\uFFFD"} {
		if tasks[i].Body != want || tasks[i].Title != DefaultTitle || !strings.HasPrefix(tasks[i].ID, "h:") || !strings.HasPrefix(tasks[i].Resume, "w:") {
			t.Errorf("task %d = %+v, want body %q", i, tasks[i], want)
		}
	}
}

// The same message twice while the clock stands still (Windows' clock
// ticks every 0.5 to 16 ms: under Wine the second "Report A ready" of
// TestReviewNewMessageAfterTheResendIsNotTakenForOne got the first one's id
// and conn dropped it) gets two ids, on one link and across links.
func TestSameMessageInOneClockTickGetsItsOwnID(t *testing.T) {
	p := mustProtocol(t, noIDs)
	tick := time.Date(2026, 12, 3, 3, 43, 2, 0, time.UTC)
	ids := map[string]bool{}
	for link := range 2 {
		s := p.NewSession("tok", "").(*session)
		s.now = func() time.Time { return tick }
		for _, task := range decodeAll(t, s, `{"msg":"A"}`, `{"msg":"B"}`, `{"msg":"A"}`) {
			if ids[task.ID] {
				t.Errorf("link %d: id %s given twice", link, task.ID)
			}
			ids[task.ID] = true
		}
	}
	if len(ids) != 6 {
		t.Errorf("%d ids for 6 messages: %v", len(ids), ids)
	}
}

// replays feeds a new session with the last delivered task's resume point,
// as the Client does after a reconnect, and returns the bodies it shows.
func replays(t *testing.T, p *Protocol, resume string, frames ...string) (bodies []string, last string) {
	t.Helper()
	s := p.NewSession("tok", resume)
	last = resume
	for _, tk := range decodeAll(t, s, frames...) {
		bodies = append(bodies, tk.Body)
		last = tk.Resume
	}
	return bodies, last
}

func TestWindowReplay(t *testing.T) {
	p := mustProtocol(t, noIDs)
	msg := func(s string) string { return `{"msg":"` + s + `"}` }
	shown, resume := replays(t, p, "", msg("a"), msg("b"), msg("a"), msg("c"))
	if strings.Join(shown, "") != "abac" {
		t.Fatalf("first link showed %q", shown)
	}
	tests := []struct {
		name   string
		frames []string
		want   string
	}{
		{"whole window re-sent, then new", []string{msg("a"), msg("b"), msg("a"), msg("c"), msg("d")}, "d"},
		{"last two re-sent, then the same text again", []string{msg("a"), msg("c"), msg("a")}, "a"},
		{"re-send plus what was missed", []string{msg("c"), msg("x"), msg("y")}, "xy"},
		{"no re-send", []string{msg("x"), msg("a")}, "xa"},
		{"repeat inside the re-send", []string{msg("b"), msg("a"), msg("c"), msg("c")}, "c"},
		// The limit: a new message equal to the newest shown, first after a reconnect.
		{"new message equal to the last, first", []string{msg("c")}, ""},
	}
	for _, tt := range tests {
		got, _ := replays(t, p, resume, tt.frames...)
		if strings.Join(got, "") != tt.want {
			t.Errorf("%s: showed %q, want %q", tt.name, got, tt.want)
		}
	}
	// The window is bounded: after e, f (window 4 holds a c e f), a
	// re-send that starts before it shows again (the documented limit).
	_, r2 := replays(t, p, resume, msg("e"), msg("f"))
	if got, _ := replays(t, p, r2, msg("c"), msg("e"), msg("f")); len(got) != 0 {
		t.Errorf("re-send within the moved window: showed %q", got)
	}
	if got, _ := replays(t, p, r2, msg("b"), msg("a"), msg("c")); strings.Join(got, "") != "bac" {
		t.Errorf("after the window moved: showed %q", got)
	}
	if len(r2) > len("w:")+4*(hashLen+1) {
		t.Errorf("resume point %q holds more than the window", r2)
	}
	// A resume point that is not a window (an id, garbage) starts afresh.
	for _, r := range []string{"i:42", "w:zz", "w:" + strings.Repeat("a", 13)} {
		if got, _ := replays(t, p, r, msg("a")); strings.Join(got, "") != "a" {
			t.Errorf("resume %q: showed %q", r, got)
		}
	}
}

// FuzzDecode: any frame gives at most one task, never an error or a
// panic; a task has an id, a title, a valid priority and a bounded body.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"type":"task","data":{"id":"7","title":"t","content":"c","level":9},"ts":1767225600}`,
		`{"msg":"hi"}`, "plain", `{"type":"pong"}`, `[1,2]`, `{"data":{"id":{"x":1}}}`, "{", "\x00"} {
		f.Add([]byte(s), "")
	}
	f.Add([]byte(`{"msg":"a"}`), "w:0123456789ab,0123456789ac")
	profiles := []*Protocol{mustProtocol(f, mapped), mustProtocol(f, noIDs)}
	f.Fuzz(func(t *testing.T, frame []byte, resume string) {
		for _, p := range profiles {
			d, err := p.NewSession("tok", resume).Decode(frame)
			if err != nil || len(d.Tasks) > 1 {
				t.Fatalf("Decode = %+v, %v", d, err)
			}
			for _, tk := range d.Tasks {
				if tk.ID == "" || tk.Title == "" || tk.Priority < conn.PriorityMin || tk.Priority > conn.PriorityMax ||
					len([]rune(tk.Body)) > maxBody || len([]rune(tk.Title)) > conn.MaxTitle {
					t.Fatalf("task %+v", tk)
				}
			}
		}
	})
}
