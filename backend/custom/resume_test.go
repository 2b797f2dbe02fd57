package custom

import (
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
// show again those at or below the resume point when ids are ordered
// integers (the login's resume point, or the cursor's).
func TestResendAtOrBelowResumeDropped(t *testing.T) {
	p := mustProtocol(t, unfiltered)
	s := p.NewSession("tok", "i:10")
	got := decodeAll(t, s,
		`{"data":{"id":9,"title":"old"}}`,
		`{"data":{"id":"10","title":"at"}}`,
		`{"data":{"id":11,"title":"new"}}`,
		`{"data":{"id":2,"title":"old again"}}`,
	)
	if len(got) != 1 || got[0].Title != "new" {
		t.Fatalf("tasks = %+v, want only id 11", got)
	}
	// Opaque ids promise no order: nothing is dropped by comparison.
	s = p.NewSession("tok", "i:b7f")
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
