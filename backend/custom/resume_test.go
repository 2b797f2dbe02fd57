package custom

import (
	"strings"
	"testing"
)

// unfiltered maps data.* like the chaos profile, without ignore rules, so
// only the mapping decides.
const unfiltered = `
[connect]
url = "wss://h.example/ws?token={token}"
token_in = "query"
[heartbeat]
text = "ping"
[mapping]
id = "data.id"
title = "data.title"
body = "data.content"
plain_text = "ignore"
`

// A backend that re-sends its last messages to each new socket must not
// show again, after a fresh login, those at or below the login's resume
// point when ids are ordered integers. The re-send comes first: once a
// frame above it came, every frame is live and none is dropped by
// comparison (an id that arrives late is conn's to judge by the ids it
// delivered).
func TestResendAtOrBelowResumeDropped(t *testing.T) {
	p := mustProtocol(t, unfiltered)
	s := p.NewSession("tok", "l:10")
	got := decodeAll(t, s,
		`{"data":{"id":9,"title":"old"}}`,
		`{"data":{"id":"10","title":"at"}}`,
		`{"data":{"id":11,"title":"new"}}`,
		`{"data":{"id":2,"title":"late"}}`,
	)
	if len(got) != 2 || got[0].Title != "new" || got[1].Title != "late" {
		t.Fatalf("tasks = %+v, want ids 11 and 2", got)
	}
	// Once a task was delivered the resume point is its id, and conn's
	// memory of delivered ids decides: nothing is dropped here.
	s = p.NewSession("tok", "i:10")
	if got := decodeAll(t, s, `{"data":{"id":9,"title":"late"}}`); len(got) != 1 {
		t.Fatalf("an id below the last delivered one dropped: %+v", got)
	}
	// Opaque ids promise no order: nothing is dropped by comparison.
	s = p.NewSession("tok", "l:b7f")
	if got := decodeAll(t, s, `{"data":{"id":"a01","title":"x"}}`); len(got) != 1 {
		t.Fatalf("opaque id dropped: %+v", got)
	}
	// Without a resume point nothing is known to predate it.
	s = p.NewSession("tok", "")
	if got := decodeAll(t, s, `{"data":{"id":1,"title":"x"}}`); len(got) != 1 {
		t.Fatalf("first task dropped: %+v", got)
	}
}

// With plain_text = "ignore", a JSON frame in which none of the mapped
// fields exist is no task: it is text (an error object, a status frame,
// garbage that parses as JSON), not what the profile describes.
func TestFrameWithoutMappedFieldsIgnored(t *testing.T) {
	p := mustProtocol(t, unfiltered)
	s := p.NewSession("tok", "")
	got := decodeAll(t, s,
		`{"error":"internal","code":500}`,
		`[1,2,3]`,
		`{"data":{"other":true}}`,
		`{"data":{"id":"7"}}`,
	)
	if len(got) != 0 {
		t.Fatalf("tasks = %+v, want none", got)
	}
	if got := decodeAll(t, s, `{"data":{"content":"only a body"}}`); len(got) != 1 {
		t.Fatalf("a frame with its body mapped was dropped: %+v", got)
	}
}

// The login's resume point goes to the backend as since_param like a
// task's id; "from the start" (a backend that had no task) sends none.
func TestLocatedResumeInHandshake(t *testing.T) {
	p := mustProtocol(t, unfiltered+"[resume]\nsince_param = \"since\"\n")
	for resume, want := range map[string]string{"l:5": "since=5", "i:7": "since=7", "l:": "", "": ""} {
		u, _, err := p.Handshake("tok", resume)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(u, "since="); got != (want != "") || (want != "" && !strings.Contains(u, want)) {
			t.Errorf("resume %q: URL %s, want %q", resume, Redact(u, "tok"), want)
		}
	}
}
