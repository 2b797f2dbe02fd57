package ipc

import (
	"bytes"
	"io"
	"reflect"
	"testing"
)

// The report is multi-line text with CJK and quotes: it must cross the pipe
// as one line and come back equal.
func TestDiagnosticsCrossesThePipe(t *testing.T) {
	want := Diagnostics{Text: "tasktray devel\nDesktop: XFCE\n最近的错误：\n  level=WARN msg=\"链接失败\" err=\"EOF\"\n"}
	line, err := Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.ContainsAny(line, "\r\n") {
		t.Fatalf("the report is not one line: %q", line)
	}
	if !bytes.HasPrefix(line, []byte(`{"type":"diagnostics","text":"tasktray devel\n`)) {
		t.Errorf("line = %s", line)
	}
	var buf bytes.Buffer
	if err := NewConn(nil, &buf).Send(want); err != nil {
		t.Fatal(err)
	}
	got, err := NewConn(&buf, io.Discard).Receive()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("received %#v, want %#v", got, want)
	}
}

// FuzzDecodeDiagnostics: whatever a diagnostics line holds, Decode never
// panics, and what decodes encodes back to the same message.
func FuzzDecodeDiagnostics(f *testing.F) {
	f.Add([]byte(`{"type":"diagnostics","text":"OS: linux\n"}`))
	f.Add([]byte(`{"type":"diagnostics","text":null}`))
	f.Add([]byte(`{"type":"diagnostics","text":"\ud800\u0000"}`))
	f.Add([]byte(`{"type":"diagnostics","text":7}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		m, err := Decode(line)
		if err != nil {
			return
		}
		again, err := Encode(m)
		if err != nil {
			t.Fatalf("Encode(%#v): %v", m, err)
		}
		m2, err := Decode(again)
		if err != nil || !reflect.DeepEqual(m, m2) {
			t.Fatalf("round trip: %#v -> %s -> %#v, %v", m, again, m2, err)
		}
	})
}
