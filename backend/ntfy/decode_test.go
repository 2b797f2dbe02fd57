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
	want := conn.Task{ID: "Pybp22VPbIJY", Resume: "1764447613", Title: "✅ Task done", Body: "build #42 finished",
		Priority: 4, Time: time.Unix(1764447615, 0)}
	if len(d.Tasks) != 1 || !equal(d.Tasks[0], want) {
		t.Fatalf("message: %+v, want %+v", d.Tasks, want)
	}
	// A later open (on the same link) changes nothing.
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
		d, err := (&session{since: "x"}).Decode([]byte(frame))
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
		{"epoch:12", "wss://ntfy.example.com/tasks-alice,ops_2/ws"},                                   // not ours: ntfy would answer 400
		{"Pybp22VPbIJY~1764447612", "wss://ntfy.example.com/tasks-alice,ops_2/ws?since=Pybp22VPbIJY"}, // catch-up owed
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
	f.Add([]byte(`{"id":"x","event":"message","message":"# h\n- [a](b)\n1. *c*","content_type":"text/markdown","tags":["+1","z"],"actions":[{"action":"view","url":"https://h/"}]}`))
	f.Fuzz(func(t *testing.T, frame []byte) {
		s := &session{}
		d, err := s.Decode(frame)
		if err != nil {
			return
		}
		for _, task := range d.Tasks {
			if since, _ := parseResume(task.Resume); task.ID == "" || since == "" || task.Title == "" || task.Seq != 0 ||
				task.Priority < conn.PriorityMin || task.Priority > conn.PriorityMax {
				t.Fatalf("bad task %+v", task)
			}
		}
		if since, _ := parseResume(d.Resume); d.Resume != "" && since == "" {
			t.Fatalf("resume %q would be refused in since=", d.Resume)
		}
	})
}

// What the user sees of a message: ntfy's empty body ("triggered") is no
// body, Markdown is plain text, tag short codes are emoji before the title,
// and a click action (or the first "view" action) is the task's link.
func TestDecodeDisplay(t *testing.T) {
	tests := []struct {
		name, frame string
		title, body string
		url         string
		tags        []string
	}{
		{"empty body with a title",
			`{"id":"aaaaaaaaaaaa","time":1,"event":"message","topic":"ops","title":"Backup started","message":"triggered"}`,
			"Backup started", "", "", nil},
		{"empty body without a title",
			`{"id":"aaaaaaaaaaaa","time":1,"event":"message","topic":"ops","message":"triggered"}`,
			"ops", "", "", nil},
		{"markdown",
			`{"id":"aaaaaaaaaaaa","time":1,"event":"message","topic":"ops","title":"CI","message":"# Build 42\n\n**Failed** in ` + "`make test`" + `:\n\n- unit\n- e2e\n\n1. fix\n2. push\n\nSee [the logs](https://ci.example/42) or https://ci.example/all.\n\n<b>raw</b>\n","content_type":"text/markdown"}`,
			"CI", "Build 42\nFailed in make test:\n• unit\n• e2e\n1. fix\n2. push\nSee the logs (https://ci.example/42) or https://ci.example/all.\nraw", "", nil},
		{"markdown code blocks, once each",
			`{"id":"aaaaaaaaaaaa","time":1,"event":"message","topic":"ops","title":"x","message":"Run:\n\n~~~\nmake test\n~~~\n\n    indented\n\nDone.","content_type":"text/markdown"}`,
			"x", "Run:\nmake test\nindented\nDone.", "", nil},
		{"markdown is CommonMark: GitHub's strikethrough stays as written, a bare address whole",
			`{"id":"aaaaaaaaaaaa","time":1,"event":"message","topic":"ops","title":"x","message":"~~old~~ *new*: https://ci.example/a_b_c/d","content_type":"text/markdown"}`,
			"x", "~~old~~ new: https://ci.example/a_b_c/d", "", nil},
		{"markdown characters in a plain message stay",
			`{"id":"aaaaaaaaaaaa","time":1,"event":"message","topic":"ops","title":"x","message":"**not bold** 2*3"}`,
			"x", "**not bold** 2*3", "", nil},
		{"tags: emoji before the title, the others kept",
			`{"id":"aaaaaaaaaaaa","time":1,"event":"message","topic":"ops","title":"Task done","message":"m","tags":["white_check_mark","backup","rotating_light"]}`,
			"✅🚨 Task done", "m", "", []string{"backup"}},
		{"tags without a title: emoji before the topic",
			`{"id":"aaaaaaaaaaaa","time":1,"event":"message","topic":"ops","message":"m","tags":["warning"]}`,
			"⚠️ ops", "m", "", nil},
		{"click action",
			`{"id":"aaaaaaaaaaaa","time":1,"event":"message","topic":"ops","title":"x","click":"https://e.example/1","actions":[{"id":"a","action":"view","label":"Open","url":"https://e.example/2"}]}`,
			"x", "", "https://e.example/1", nil},
		{"no click: the first view action",
			`{"id":"aaaaaaaaaaaa","time":1,"event":"message","topic":"ops","title":"x","actions":[{"id":"a","action":"http","label":"Stop","url":"https://e.example/stop"},{"id":"b","action":"view","label":"Open","url":"https://e.example/2"}]}`,
			"x", "", "https://e.example/2", nil},
		{"a click that is not a web address is not a link",
			`{"id":"aaaaaaaaaaaa","time":1,"event":"message","topic":"ops","title":"x","click":"javascript:alert(1)"}`,
			"x", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := (&session{}).Decode([]byte(tt.frame))
			if err != nil {
				t.Fatal(err)
			}
			got := d.Tasks[0]
			if got.Title != tt.title || got.Body != tt.body || got.URL != tt.url || strings.Join(got.Tags, ",") != strings.Join(tt.tags, ",") {
				t.Errorf("got title %q body %q url %q tags %q\nwant title %q body %q url %q tags %q",
					got.Title, got.Body, got.URL, got.Tags, tt.title, tt.body, tt.url, tt.tags)
			}
		})
	}
}
