package ipc

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzReceive feeds arbitrary bytes to a Conn: it must never panic, every
// error must be one of the documented kinds, and whatever it decodes must
// encode back to a line that decodes to the same message.
func FuzzReceive(f *testing.F) {
	for _, ex := range examples {
		f.Add([]byte(ex.line + "\n"))
	}
	f.Add([]byte("{\"type\":\"tasks\",\"tasks\":[{\"time\":\"2025-03-01T09:30:00+01:00\",\"priority\":-3}]}\r\n\n{}\n"))
	f.Add([]byte(`{"type":"login","options":{"a":"\u00e9"},"password":"\ud800"}`))
	f.Add([]byte(`{"type":"state","type":"quit"}`))
	f.Add([]byte(`{"type":"more","before":-1}` + "\n" + `{"type":"tasks","tasks":null,"total":-5,"read_through":9223372036854775807}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := NewConn(bytes.NewReader(data), io.Discard)
		for range 100 {
			m, err := c.Receive()
			if err == io.EOF || errors.Is(err, ErrLineTooLong) {
				return
			}
			if err != nil {
				if !errors.Is(err, ErrMalformed) {
					t.Fatalf("Receive error %v is neither malformed, too long nor EOF", err)
				}
				continue
			}
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
	})
}
