package gotify

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"tasktray/auth"
	"tasktray/conn"
)

// recordedFrame is a stream frame as Gotify v2.9.1 sent it (WriteJSON adds
// the newline).
const recordedFrame = `{"id":5,"appid":1,"message":"m5","title":"t5","priority":5,"extras":{"client::notification":{"click":{"url":"https://x/5"}}},"date":"2026-11-29T22:10:46.123184813Z"}` + "\n"

func newSession(t *testing.T, resume string) *session {
	t.Helper()
	p, err := New(auth.Account{Server: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	return p.NewSession("C-token", resume).(*session)
}

func TestDecodeRecordedFrame(t *testing.T) {
	d, err := newSession(t, "4").Decode([]byte(recordedFrame))
	if err != nil {
		t.Fatal(err)
	}
	want := conn.Task{
		ID: "5", Resume: "5", Title: "t5", Body: "m5", URL: "https://x/5", Priority: 3,
		Time: time.Date(2026, 11, 29, 22, 10, 46, 123184813, time.UTC),
	}
	if len(d.Tasks) != 1 || !equalTask(d.Tasks[0], want) {
		t.Fatalf("got %+v, want %+v", d.Tasks, want)
	}
	if d.Reply != nil || d.Resume != "" {
		t.Errorf("unexpected reply %q or resume %q", d.Reply, d.Resume)
	}
}

func equalTask(a, b conn.Task) bool {
	return a.ID == b.ID && a.Seq == b.Seq && a.Resume == b.Resume && a.Title == b.Title && a.Body == b.Body &&
		a.URL == b.URL && a.Priority == b.Priority && a.Time.Equal(b.Time)
}

func TestDecodeFields(t *testing.T) {
	tests := []struct {
		name  string
		frame string
		title string
		body  string
		url   string
	}{
		{"no title: first line", `{"id":1,"message":"Deploy done\nall green","priority":4}`, "Deploy done", "all green", ""},
		{"empty message", `{"id":1,"message":"","title":""}`, "New message", "", ""},
		{"extras of another shape", `{"id":1,"title":"a","message":"b","extras":{"client::notification":"x"}}`, "a", "b", ""},
		{"extras not an object", `{"id":1,"title":"a","message":"b","extras":[1,2]}`, "a", "b", ""},
		{"other extras", `{"id":1,"title":"a","message":"b","extras":{"client::display":{"contentType":"text/markdown"}}}`, "a", "b", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := newSession(t, "").Decode([]byte(tt.frame))
			if err != nil {
				t.Fatal(err)
			}
			got := d.Tasks[0]
			if got.Title != tt.title || got.Body != tt.body || got.URL != tt.url {
				t.Errorf("got title %q body %q url %q, want %q %q %q", got.Title, got.Body, got.URL, tt.title, tt.body, tt.url)
			}
			if got.Time.IsZero() {
				t.Error("no time")
			}
		})
	}
}

func TestPriority(t *testing.T) {
	want := map[int]int{-1: 1, 0: 1, 1: 2, 2: 2, 3: 2, 4: 3, 5: 3, 7: 3, 8: 5, 10: 5, 11: 5}
	for in, out := range want {
		if got := Priority(in); got != out {
			t.Errorf("Priority(%d) = %d, want %d", in, got, out)
		}
	}
}

func TestDecodeMalformed(t *testing.T) {
	for _, frame := range []string{``, `x`, `null`, `[]`, `{"id":0}`, `{"id":-3}`, `{"id":"7"}`, `{"id":1}{"id":2}`, `{"id":1,"title":5}`} {
		if _, err := newSession(t, "").Decode([]byte(frame)); !errors.Is(err, ErrMalformed) {
			t.Errorf("Decode(%q) = %v, want ErrMalformed", frame, err)
		}
	}
}

// Two publishers can reach the stream out of order: 11 before 10. The
// resume point must not pass 10 before 10 came, or a link that drops
// between the two loses 10 for good (defect 13).
func TestDecodeOutOfOrder(t *testing.T) {
	s := newSession(t, "9")
	for _, c := range []struct{ id, resume string }{{"11", "9"}, {"10", "11"}, {"12", "12"}, {"14", "12"}, {"13", "14"}} {
		d, err := s.Decode([]byte(`{"id":` + c.id + `,"title":"x"}`))
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Tasks[0]; got.ID != c.id || got.Resume != c.resume || got.Seq != 0 {
			t.Errorf("id %s: got ID %s Resume %s Seq %d, want resume %s and no Seq", c.id, got.ID, got.Resume, got.Seq, c.resume)
		}
	}
}

// An id that never comes (another user's message, or a deleted one) holds
// the resume point back only until settleAfter later ids have come: a
// redial then fetches those few again (conn drops them as duplicates)
// rather than the whole history.
func TestDecodeHoleSettles(t *testing.T) {
	s := newSession(t, "0")
	var last string
	for id := 2; id <= settleAfter+2; id++ {
		d, err := s.Decode([]byte(`{"id":` + strconv.Itoa(id) + `,"title":"x"}`))
		if err != nil {
			t.Fatal(err)
		}
		last = d.Tasks[0].Resume
		if id <= settleAfter+1 && last != "0" {
			t.Fatalf("after id %d the resume point passed the missing id 1: %s", id, last)
		}
	}
	if want := strconv.Itoa(settleAfter + 2); last != want {
		t.Errorf("after %d later ids, resume %s, want %s", settleAfter+1, last, want)
	}
	// A late arrival below the resume point is still a task.
	d, err := s.Decode([]byte(`{"id":1,"title":"late"}`))
	if err != nil || len(d.Tasks) != 1 || d.Tasks[0].Resume != last {
		t.Errorf("late id 1: %+v, %v", d, err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(recordedFrame))
	f.Add([]byte(`{"id":1,"message":"a\nb","extras":{"client::notification":{"click":{"url":5}}}}`))
	f.Add([]byte(`{"id":9223372036854775807,"priority":-9,"date":"x"}`))
	f.Fuzz(func(t *testing.T, frame []byte) {
		s := &session{}
		s.resume.reset(3)
		d, err := s.Decode(frame)
		if err != nil {
			return
		}
		if len(d.Tasks) != 1 {
			t.Fatalf("%d tasks", len(d.Tasks))
		}
		task := d.Tasks[0]
		id, _ := strconv.ParseInt(task.ID, 10, 64)
		resume, _ := strconv.ParseInt(task.Resume, 10, 64)
		if id <= 0 || resume > max(id, 3) || resume < 3 || task.Title == "" ||
			task.Priority < conn.PriorityMin || task.Priority > conn.PriorityMax {
			t.Fatalf("bad task %+v", task)
		}
	})
}
