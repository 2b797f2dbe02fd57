package native

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer collects log lines from any goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestGarbageNeverBecomesATask (defect 17): the native kind is strict. A
// frame that is not a native frame is logged at warn by its length only,
// never quoted (it may hold anything), and ignored: no task, and no error,
// which would cost a reconnect that the same frame could cost again.
func TestGarbageNeverBecomesATask(t *testing.T) {
	for name, frame := range map[string]string{
		"proxy error page":      "<html><head><title>502 Bad Gateway</title></head><body>nginx SECRET-1</body></html>",
		"stray line":            "Call the customer SECRET-1",
		"seed msg":              `{"msg":"Approve PO SECRET-1"}`,
		"seed msg object":       `{"msg":{"title":"SECRET-1","content":"C"}}`,
		"no type":               `{"title":"SECRET-1","id":4}`,
		"unknown type":          `{"type":"SECRET-1","id":4}`,
		"quoted heartbeat":      `"heartbeat SECRET-1"`,
		"array":                 `["SECRET-1"]`,
		"truncated":             `{"type":"task","id":5,"title":"SECRET-1`,
		"zero id":               `{"type":"task","id":0,"title":"SECRET-1"}`,
		"string id":             `{"type":"task","id":"7","title":"SECRET-1"}`,
		"not utf-8":             "\xff\xfeSECRET-1",
		"token without a token": `{"type":"token","token":"","expires_at":"SECRET-1"}`,
	} {
		t.Run(name, func(t *testing.T) {
			var logs lockedBuffer
			p, _ := New("http://127.0.0.1:1")
			p.Log = slog.New(slog.NewTextHandler(&logs, nil))
			d, err := p.NewSession("tok", "").Decode([]byte(frame))
			if err != nil {
				t.Fatalf("error %v: the client would reconnect, and meet the frame again", err)
			}
			if len(d.Tasks) != 0 || d.Token != nil || d.Resume != "" {
				t.Fatalf("%q became %+v", frame, d)
			}
			out := logs.String()
			if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "bytes=") {
				t.Errorf("not logged at warn with its length: %q", out)
			}
			if strings.Contains(out, "SECRET-1") {
				t.Errorf("the log quotes the frame: %q", out)
			}
		})
	}
}

// TestHeartbeatEchoIsQuiet: the echo of the text heartbeat (sent to a
// server without a hello) is expected, so it is neither a task nor a
// warning.
func TestHeartbeatEchoIsQuiet(t *testing.T) {
	var logs lockedBuffer
	p, _ := New("http://127.0.0.1:1")
	p.Log = slog.New(slog.NewTextHandler(&logs, nil))
	s := p.NewSession("tok", "")
	for _, frame := range []string{"HeartBeat", "", "  "} {
		if d, err := s.Decode([]byte(frame)); err != nil || len(d.Tasks) != 0 {
			t.Fatalf("%q: %+v, %v", frame, d, err)
		}
	}
	if logs.String() != "" {
		t.Fatalf("logged %q", logs.String())
	}
}

// FuzzDecodeStrict: whatever arrives, a task comes only from a task frame
// with a positive id, and nothing but a token frame carries a token.
func FuzzDecodeStrict(f *testing.F) {
	for _, s := range []string{
		`{"type":"task","id":42,"title":"Sign"}`, `{"type":"hello","epoch":"E","last_id":3,"oldest_id":1,"gap":{"after":0,"before":1,"before_time":"2026-12-02T14:02:00Z"}}`,
		`{"type":"token","token":"t","expires_at":"2026-12-03T14:02:00Z"}`, `{"msg":"x"}`, "plain", "<html>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		p, _ := New("http://127.0.0.1:1")
		p.Log = slog.New(slog.DiscardHandler)
		d, err := p.NewSession("tok", "").Decode(frame)
		if err != nil {
			t.Fatalf("Decode(%q) = %v: strict decoding ignores, never fails", frame, err)
		}
		for _, task := range d.Tasks {
			if task.Seq <= 0 || !bytes.Contains(frame, []byte(`"task"`)) {
				t.Fatalf("%q became task %+v", frame, task)
			}
		}
		if d.Token != nil && (d.Token.Token == "" || !bytes.Contains(frame, []byte(`"token"`))) {
			t.Fatalf("%q became token %+v", frame, d.Token)
		}
	})
}
