package ipc

import (
	"reflect"
	"testing"
)

func TestSearchMessagesOnTheWire(t *testing.T) {
	for _, ex := range []struct {
		msg  Message
		line string
	}{
		{Search{Query: "采购"}, `{"type":"search","query":"采购"}`},
		{Search{Query: "ｖｐｎ", Before: 9501}, `{"type":"search","query":"ｖｐｎ","before":9501}`},
		{Found{Query: "采购", Tasks: []Task{{ID: "7", Seq: 12, Title: "审批：采购申请", Priority: 4, Time: when}}, More: true},
			`{"type":"found","query":"采购","tasks":[{"id":"7","seq":12,"title":"审批：采购申请","priority":4,"time":"2025-03-01T09:30:00Z","read":false}],"more":true}`},
		{Found{Query: "x", Tasks: []Task{}}, `{"type":"found","query":"x","tasks":[],"more":false}`},
	} {
		line, err := Encode(ex.msg)
		if err != nil {
			t.Fatal(err)
		}
		if string(line) != ex.line {
			t.Errorf("Encode(%#v) = %s, want %s", ex.msg, line, ex.line)
		}
		got, err := Decode([]byte(ex.line))
		if err != nil || !reflect.DeepEqual(got, ex.msg) {
			t.Errorf("Decode(%s) = %#v, %v", ex.line, got, err)
		}
	}
}

// FuzzDecodeSearch: whatever a search line holds, Decode never panics and
// what decodes encodes back to the same message.
func FuzzDecodeSearch(f *testing.F) {
	f.Add([]byte(`{"type":"search","query":"采购","before":-1}`))
	f.Add([]byte(`{"type":"found","query":"\ud800","tasks":[{"seq":1}],"more":true}`))
	f.Add([]byte(`{"type":"found","tasks":null}`))
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
