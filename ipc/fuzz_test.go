package ipc

import (
	"bytes"
	"io"
	"log/slog"
	"testing"
)

// FuzzReceive feeds arbitrary bytes, then a quit line, to a Conn whose line
// limit is low enough for the fuzzer to reach: Receive must never panic nor
// fail before EOF (a bad line is skipped, never the end of the stream), the
// quit line must always come through, and whatever decodes must encode back
// to a line that decodes to the same message.
func FuzzReceive(f *testing.F) {
	for _, ex := range examples {
		f.Add([]byte(ex.line + "\n"))
	}
	f.Add([]byte("{\"type\":\"tasks\",\"tasks\":[{\"time\":\"2025-03-01T09:30:00+01:00\",\"priority\":-3}]}\r\n\n{}\n"))
	f.Add([]byte(`{"type":"login","options":{"a":"\u00e9"},"password":"\ud800"}`))
	f.Add([]byte(`{"type":"state","type":"quit"}`))
	f.Add([]byte(`{"type":"more","before":-1}` + "\n" + `{"type":"tasks","tasks":null,"total":-5,"read_through":9223372036854775807}`))
	f.Add([]byte(`{"type":"open_task","id":"` + string(bytes.Repeat([]byte("x"), 300)) + `"}` + "\r\n" + `{"type":"quit"}`))
	f.Add([]byte("\r\r\r\n\x00{\"type\":\"quit\"}\r"))
	f.Fuzz(func(t *testing.T, data []byte) { checkReceive(t, data, 256) })
}

// checkReceive feeds data, then a quit line, to a Conn whose lines are
// capped at max: Receive never fails before EOF, the quit line comes
// through, and every message it returns round-trips through Encode and
// Decode unchanged.
func checkReceive(t *testing.T, data []byte, max int) {
	input := append(append(data, '\n'), `{"type":"quit"}`...)
	c := NewConn(bytes.NewReader(input), io.Discard)
	c.max = max
	c.SetLogger(slog.New(slog.DiscardHandler))
	var last Message
	for range len(input) + 2 { // every Receive but the last takes a line
		m, err := c.Receive()
		if err == io.EOF {
			if last != (Quit{}) {
				t.Fatalf("the quit line after the input was lost: last message %v", last)
			}
			return
		}
		if err != nil {
			t.Fatalf("Receive error %v before EOF", err)
		}
		last = m
		line, err := Encode(m)
		if err != nil {
			t.Fatalf("Encode(%#v): %v", m, err)
		}
		again, err := Decode(line)
		if err != nil {
			t.Fatalf("Decode(Encode(%#v)) = %v; line %s", m, err, line)
		}
		line2, err := Encode(again)
		if err != nil || !bytes.Equal(line, line2) {
			t.Fatalf("unstable round trip:\n%s\n%s (%v)", line, line2, err)
		}
	}
	t.Fatal("Receive never reached EOF")
}
