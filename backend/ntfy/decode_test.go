package ntfy

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"tasktray/auth"
	"tasktray/conn"
)

// Frames as the real ntfy v2.13.0 sent them (/work/shared/SERVERS.md);
// WriteJSON ends each with a newline.
const (
	recordedOpen    = `{"id":"VhC9NNdjbOrt","time":1764447612,"event":"open","topic":"tasks-alice"}` + "\n"
	recordedMessage = `{"id":"Pybp22VPbIJY","time":1764447615,"expires":1764490815,"event":"message","topic":"tasks-alice","title":"Task done","message":"build #42 finished","priority":4,"tags":["white_check_mark"]}` + "\n"
)

func TestDecodeRecorded(t *testing.T) {
	s := &session{}
	d, err := s.Decode([]byte(recordedOpen))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Tasks) != 0 || d.Resume != "1764447612" {
		t.Errorf("open: %+v, want no task and the open's time as the resume point", d)
	}
	d, err = s.Decode([]byte(recordedMessage))
	if err != nil {
		t.Fatal(err)
	}
	want := conn.Task{ID: "Pybp22VPbIJY", Resume: "Pybp22VPbIJY", Title: "Task done", Body: "build #42 finished",
		Priority: 4, Time: time.Unix(1764447615, 0), Tags: []string{"white_check_mark"}}
	if len(d.Tasks) != 1 || !equal(d.Tasks[0], want) {
		t.Fatalf("message: %+v, want %+v", d.Tasks, want)
	}
	// A later open (a new link) never moves a resume point back to a time.
	if d, _ := s.Decode([]byte(recordedOpen)); d.Resume != "" {
		t.Errorf("second open set the resume point to %q", d.Resume)
	}
}

func equal(a, b conn.Task) bool {
	return a.ID == b.ID && a.Seq == b.Seq && a.Resume == b.Resume && a.Title == b.Title && a.Body == b.Body &&
		a.URL == b.URL && a.Priority == b.Priority && a.Time.Equal(b.Time) && strings.Join(a.Tags, ",") == strings.Join(b.Tags, ",")
}

func TestDecodeFields(t *testing.T) {
	tests := []struct {
		name, frame      string
		title, body, url string
		priority         int
	}{
		{"no title: the topic", `{"id":"aaaaaaaaaaaa","time":1,"event":"message","topic":"ops","message":"disk full"}`, "ops", "disk full", "", 3},
		{"click and urgent", `{"id":"aaaaaaaaaaaa","time":1,"event":"message","topic":"ops","title":"x","priority":5,"click":"https://e.x/1"}`, "x", "", "https://e.x/1", 5},
		{"min", `{"id":"aaaaaaaaaaaa","time":1,"event":"message","topic":"ops","title":"x","priority":1}`, "x", "", "", 1},
		{"out of range", `{"id":"aaaaaaaaaaaa","time":1,"event":"message","topic":"ops","title":"x","priority":9}`, "x", "", "", 5},
		{"extra fields", `{"id":"aaaaaaaaaaaa","time":1,"event":"message","topic":"ops","title":"x","actions":[{"action":"view"}],"attachment":{"name":"a.png"},"content_type":"text/markdown"}`, "x", "", "", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := (&session{}).Decode([]byte(tt.frame))
			if err != nil {
				t.Fatal(err)
			}
			got := d.Tasks[0]
			if got.Title != tt.title || got.Body != tt.body || got.URL != tt.url || got.Priority != tt.priority {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func TestDecodeNothingForTheUser(t *testing.T) {
	for _, frame := range []string{
		`{"id":"a","time":5,"event":"keepalive","topic":"ops"}`,
		`{"id":"a","time":5,"event":"poll_request","topic":"ops"}`,
		`{"id":"a","time":5,"event":"message_delete","topic":"ops"}`,
		`{}`,
	} {
		d, err := (&session{resume: "x"}).Decode([]byte(frame))
		if err != nil || len(d.Tasks) != 0 || d.Resume != "" {
			t.Errorf("Decode(%s) = %+v, %v", frame, d, err)
		}
	}
}

func TestDecodeMalformed(t *testing.T) {
	for _, frame := range []string{
		``, `x`, `[]`, `{"event":"message","id":""}`, `{"event":"message"}`,
		`{"event":"message","id":"a/b"}`, `{"event":"message","id":"` + strings.Repeat("a", 65) + `"}`,
		`{"event":"message","id":"abc","priority":"high"}`,
	} {
		if _, err := (&session{}).Decode([]byte(frame)); !errors.Is(err, ErrMalformed) {
			t.Errorf("Decode(%q) = %v, want ErrMalformed", frame, err)
		}
	}
}

func TestHandshake(t *testing.T) {
	p, err := New(auth.Account{Server: "https://ntfy.example.com/", Options: map[string]string{OptionTopics: " tasks-alice, ops_2 "}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ resume, url string }{
		{"", "wss://ntfy.example.com/tasks-alice,ops_2/ws"},
		{"Pybp22VPbIJY", "wss://ntfy.example.com/tasks-alice,ops_2/ws?since=Pybp22VPbIJY"},
		{"1764447612", "wss://ntfy.example.com/tasks-alice,ops_2/ws?since=1764447612"},
		{"epoch:12", "wss://ntfy.example.com/tasks-alice,ops_2/ws"}, // not ours: ntfy would answer 400
	} {
		u, h, err := p.Handshake("tk_secret", c.resume)
		if err != nil || u != c.url || h.Get("Authorization") != "Bearer tk_secret" {
			t.Errorf("Handshake(%q) = %s, %v, %v", c.resume, u, h, err)
		}
		if pu, _ := url.Parse(u); strings.Contains(pu.RawQuery, "tk_") {
			t.Errorf("token in the URL %s", u)
		}
	}
	for _, topics := range []string{"", " , ", "a b", "a/b", strings.Repeat("x", 65)} {
		if _, err := New(auth.Account{Server: "https://ntfy.example.com", Options: map[string]string{OptionTopics: topics}}); !errors.Is(err, ErrBadTopics) {
			t.Errorf("topics %q: %v, want ErrBadTopics", topics, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(recordedOpen))
	f.Add([]byte(recordedMessage))
	f.Add([]byte(`{"id":"x","event":"message","time":-1,"priority":-7,"tags":null}`))
	f.Fuzz(func(t *testing.T, frame []byte) {
		s := &session{}
		d, err := s.Decode(frame)
		if err != nil {
			return
		}
		for _, task := range d.Tasks {
			if task.ID == "" || task.Resume != task.ID || task.Title == "" || task.Seq != 0 ||
				task.Priority < conn.PriorityMin || task.Priority > conn.PriorityMax {
				t.Fatalf("bad task %+v", task)
			}
			if !sinceRe.MatchString(task.Resume) {
				t.Fatalf("resume %q would be refused in since=", task.Resume)
			}
		}
		if d.Resume != "" && !sinceRe.MatchString(d.Resume) {
			t.Fatalf("resume %q would be refused in since=", d.Resume)
		}
	})
}
