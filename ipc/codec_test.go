package ipc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"tasktray/auth"
)

var when = time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)

// examples holds every message with its exact line on the wire; the package
// documentation and the report quote these.
// example is a message and the line it encodes to.
type example struct {
	msg  Message
	line string
}

var examples = []example{
	{State{Phase: "connected", Status: "Connected to tasks.example.com", LoggedIn: true, Kind: "native", Server: "https://tasks.example.com", User: "ana"},
		`{"type":"state","phase":"connected","status":"Connected to tasks.example.com","logged_in":true,"kind":"native","server":"https://tasks.example.com","user":"ana","paused":false}`},
	{State{Phase: "auth-required", Status: "Log in required", Kind: "native", Server: "https://tasks.example.com", User: "ana", CAFile: "/home/ana/ca.pem"},
		`{"type":"state","phase":"auth-required","status":"Log in required","logged_in":false,"kind":"native","server":"https://tasks.example.com","user":"ana","ca_file":"/home/ana/ca.pem","paused":false}`},
	{State{Phase: "reconnecting", Status: "Reconnecting in 8 s (attempt 3)", LoggedIn: true, User: "ana", Server: "https://tasks.example.com", Paused: true, KeyringNote: "No keyring: log in again after a restart"},
		`{"type":"state","phase":"reconnecting","status":"Reconnecting in 8 s (attempt 3)","logged_in":true,"server":"https://tasks.example.com","user":"ana","paused":true,"keyring_note":"No keyring: log in again after a restart"}`},
	{Tasks{Tasks: []Task{{ID: "42", Seq: 9501, Title: "Review PR", Body: "tasktray#7", URL: "https://example.com/7", Priority: 4, Time: when}}, Total: 10000, Unread: 1},
		`{"type":"tasks","tasks":[{"id":"42","seq":9501,"title":"Review PR","body":"tasktray#7","url":"https://example.com/7","priority":4,"time":"2025-03-01T09:30:00Z","read":false}],"total":10000,"unread":1}`},
	{Tasks{Tasks: []Task{}, Total: 10000, ReadThrough: 10000},
		`{"type":"tasks","tasks":[],"total":10000,"unread":0,"read_through":10000}`},
	{LoginResult{OK: true}, `{"type":"login_result","ok":true}`},
	{LoginResult{ErrorKind: ErrorCredentials, Error: "wrong username or password"},
		`{"type":"login_result","ok":false,"error_kind":"credentials","error":"wrong username or password"}`},
	{Close{}, `{"type":"close"}`},
	{Login{Kind: "ntfy", Server: "http://192.168.1.5", Username: "ana", Password: "s3cret", AllowInsecure: true, Options: map[string]string{"topics": "a,b"}},
		`{"type":"login","kind":"ntfy","server":"http://192.168.1.5","username":"ana","password":"s3cret","allow_insecure":true,"options":{"topics":"a,b"}}`},
	{Login{Kind: "native", Server: "https://10.0.0.2", Username: "ana", Password: "s3cret", CAFile: `C:\Users\ana\ca.pem`},
		`{"type":"login","kind":"native","server":"https://10.0.0.2","username":"ana","password":"s3cret","ca_file":"C:\\Users\\ana\\ca.pem"}`},
	{OpenTask{ID: "42"}, `{"type":"open_task","id":"42"}`},
	{MarkAllRead{}, `{"type":"mark_all_read"}`},
	{More{Before: 9501}, `{"type":"more","before":9501}`},
	{Logout{}, `{"type":"logout"}`},
	{Reconnect{}, `{"type":"reconnect"}`},
	{Pause{Paused: true}, `{"type":"pause","paused":true}`},
	{Show{View: ViewLogin}, `{"type":"show","view":"login"}`},
	{Quit{}, `{"type":"quit"}`},
	{Closed{}, `{"type":"closed"}`},
}

func TestEncodeDecode(t *testing.T) { checkExamples(t, examples) }

// checkExamples checks that each example encodes to its line and decodes
// back to its message.
func checkExamples(t *testing.T, examples []example) {
	t.Helper()
	for _, ex := range examples {
		t.Run(ex.msg.Type(), func(t *testing.T) {
			line, err := Encode(ex.msg)
			if err != nil {
				t.Fatal(err)
			}
			if string(line) != ex.line {
				t.Errorf("Encode:\n got %s\nwant %s", line, ex.line)
			}
			got, err := Decode(line)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, ex.msg) {
				t.Errorf("Decode = %#v, want %#v", got, ex.msg)
			}
		})
	}
}

func TestConnRoundTrip(t *testing.T) {
	var pipe bytes.Buffer
	c := NewConn(&pipe, &pipe)
	for _, ex := range examples {
		if err := c.Send(ex.msg); err != nil {
			t.Fatal(err)
		}
	}
	for _, ex := range examples {
		got, err := c.Receive()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, ex.msg) {
			t.Errorf("Receive = %#v, want %#v", got, ex.msg)
		}
	}
	if _, err := c.Receive(); err != io.EOF {
		t.Errorf("Receive at end = %v, want io.EOF", err)
	}
}

func TestDecodeMalformed(t *testing.T) {
	for _, tc := range malformedLines {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode([]byte(tc.line))
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Decode error = %v, want ErrMalformed mentioning %q", err, tc.want)
			}
		})
	}
}

var malformedLines = []struct {
	name, line, want string
}{
	{"not json", `hello`, "invalid JSON"},
	{"truncated", `{"type":"state"`, "invalid JSON"},
	{"array", `[1,2]`, "want struct"},
	{"no type", `{"id":"42"}`, `no "type"`},
	{"null type", `{"type":null}`, `no "type"`},
	{"number type", `{"type":7}`, `field "type"`},
	{"unknown type", `{"type":"explode"}`, `unknown type (7 bytes)`},
	{"wrong field type", `{"type":"pause","paused":"yes"}`, `pause: field "paused"`},
	{"cursor not a number", `{"type":"more","before":"9501"}`, `more: field "before"`},
	{"cursor out of range", `{"type":"more","before":1e30}`, `more: field "before"`},
	{"trailing garbage", `{"type":"quit"} {"type":"quit"}`, "invalid JSON"},
}

// TestReceiveSkipsMalformed: a line that is not a message must not deafen
// the reader (issue 10, defect 3): Receive logs it by number and length, never
// its content, and returns the next message.
func TestReceiveSkipsMalformed(t *testing.T) {
	for _, tc := range append(malformedLines, struct{ name, line, want string }{
		"password in an unknown type", `{"type":"hunter2","password":"hunter2"}`, "unknown type"}) {
		t.Run(tc.name, func(t *testing.T) {
			var log bytes.Buffer
			c := NewConn(strings.NewReader(tc.line+"\n"+`{"type":"quit"}`+"\n"), io.Discard)
			c.SetLogger(slog.New(slog.NewTextHandler(&log, nil)))
			if m, err := c.Receive(); err != nil || m != (Quit{}) {
				t.Fatalf("Receive after a malformed line = %v, %v; want quit", m, err)
			}
			if _, err := c.Receive(); err != io.EOF {
				t.Errorf("Receive at end = %v, want io.EOF", err)
			}
			got := log.String()
			if !strings.Contains(got, "level=WARN") || !strings.Contains(got, "line=1") ||
				!strings.Contains(got, fmt.Sprintf("bytes=%d", len(tc.line)+1)) {
				t.Errorf("log = %q, want a warning naming line 1 and its length", got)
			}
			if strings.Contains(got, "hunter2") || (len(tc.line) > 8 && strings.Contains(got, tc.line)) {
				t.Errorf("log = %q quotes the line", got)
			}
		})
	}
}

func TestMalformedLoginDoesNotLeakPassword(t *testing.T) {
	for _, line := range []string{
		`{"type":"login","username":"ana","password":"hunter2","allow_insecure":"hunter2"}`,
		`{"type":"login","password":hunter2}`,
		`{"type":"login","password":123456789}`,
	} {
		_, err := Decode([]byte(line))
		if err == nil || strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "123456789") {
			t.Errorf("Decode(%s) error = %v: want an error that does not quote the line", line, err)
		}
	}
}

func TestLoginStringRedactsPassword(t *testing.T) {
	var m Message = Login{Kind: "native", Server: "https://x", Username: "ana", Password: "hunter2"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(verb, m); strings.Contains(s, "hunter2") || !strings.Contains(s, "ana") {
			t.Errorf("Sprintf(%q) = %s", verb, s)
		}
	}
}

func TestReceiveSkipsBlankLinesAndCR(t *testing.T) {
	c := NewConn(strings.NewReader("\n  \r\n{\"type\":\"quit\"}\r\n\n{\"type\":\"closed\"}"), io.Discard)
	for _, want := range []Message{Quit{}, Closed{}} {
		if got, err := c.Receive(); err != nil || got != want {
			t.Fatalf("Receive = %v, %v; want %v", got, err, want)
		}
	}
	if _, err := c.Receive(); err != io.EOF {
		t.Errorf("Receive at end = %v, want io.EOF", err)
	}
}

func TestReceiveLineLength(t *testing.T) {
	// pad returns a valid line of exactly n bytes.
	pad := func(n int) string {
		head := `{"type":"open_task","id":"`
		return head + strings.Repeat("x", n-len(head)-2) + `"}`
	}
	t.Run("at the limit", func(t *testing.T) {
		for _, end := range []string{"\n", "\r\n", ""} {
			c := NewConn(strings.NewReader(pad(MaxLineSize)+end), io.Discard)
			if m, err := c.Receive(); err != nil || len(m.(OpenTask).ID) != MaxLineSize-28 {
				t.Errorf("line of MaxLineSize ending %q: %v", end, err)
			}
		}
	})
	// An over-long line is dropped up to its newline and reading goes on
	// (issue 10, defect 3): before, it broke the stream for good.
	t.Run("over the limit", func(t *testing.T) {
		for _, n := range []int{MaxLineSize + 1, MaxLineSize + 2, 3 * MaxLineSize} {
			for _, end := range []string{"\n", "\r\n"} {
				var log bytes.Buffer
				c := NewConn(strings.NewReader(pad(n)+end+`{"type":"quit"}`+"\n"+pad(n)), io.Discard)
				c.SetLogger(slog.New(slog.NewTextHandler(&log, nil)))
				if m, err := c.Receive(); err != nil || m != (Quit{}) {
					t.Errorf("line of %d bytes: Receive = %v, %v; want the quit after it", n, m, err)
				}
				if _, err := c.Receive(); err != io.EOF {
					t.Errorf("line of %d bytes at the end: Receive = %v, want io.EOF", n, err)
				}
				if c := strings.Count(log.String(), "over-long"); c != 2 {
					t.Errorf("%d warnings about over-long lines, want 2: %s", c, log.String())
				}
			}
		}
	})
	t.Run("memory stays bounded", func(t *testing.T) {
		c := NewConn(io.MultiReader(strings.NewReader(`{"type":"open_task","id":"`), &endless{left: 8 * MaxLineSize}), io.Discard)
		c.SetLogger(slog.New(slog.DiscardHandler))
		done := make(chan error, 1)
		go func() { _, err := c.Receive(); done <- err }()
		// endless fails the read after 8 MiB; until then the line must
		// never be held whole.
		if err := <-done; !errors.Is(err, errEndless) {
			t.Fatalf("Receive = %v, want the read error", err)
		}
		if cap(c.buf) > 2*MaxLineSize { // append may round up past MaxLineSize+2

			t.Errorf("buffer grew to %d bytes for one line", cap(c.buf))
		}
	})
	t.Run("send refuses", func(t *testing.T) {
		var out bytes.Buffer
		err := NewConn(nil, &out).Send(OpenTask{ID: strings.Repeat("x", MaxLineSize)})
		if !errors.Is(err, ErrLineTooLong) || out.Len() != 0 {
			t.Errorf("Send of an over-long message = %v, wrote %d bytes", err, out.Len())
		}
	})
}

var errEndless = errors.New("endless: enough")

// endless reads as left bytes of 'x' without a newline, then fails.
type endless struct{ left int }

func (e *endless) Read(p []byte) (int, error) {
	if e.left <= 0 {
		return 0, errEndless
	}
	n := min(len(p), e.left)
	for i := range p[:n] {
		p[i] = 'x'
	}
	e.left -= n
	return n, nil
}

// lockedBuffer is a bytes.Buffer that counts its Write calls.
type lockedBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	writes int
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.writes++
	return b.buf.Write(p)
}

func TestSendConcurrent(t *testing.T) {
	var out lockedBuffer
	c := NewConn(nil, &out)
	const senders, each = 8, 50
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				if err := c.Send(OpenTask{ID: fmt.Sprintf("%d-%d", s, i)}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if out.writes != senders*each {
		t.Errorf("%d writes for %d messages: a line must be one Write", out.writes, senders*each)
	}
	r := NewConn(&out.buf, nil)
	seen := map[string]bool{}
	for {
		m, err := r.Receive()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		seen[m.(OpenTask).ID] = true
	}
	if len(seen) != senders*each {
		t.Errorf("read back %d distinct messages, want %d", len(seen), senders*each)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestSendError(t *testing.T) {
	err := NewConn(nil, failingWriter{}).Send(Quit{})
	if !errors.Is(err, io.ErrClosedPipe) || !strings.Contains(err.Error(), "quit") {
		t.Errorf("Send = %v, want a wrapped io.ErrClosedPipe naming the message", err)
	}
	if _, err := Encode(nil); err == nil {
		t.Error("Encode(nil) succeeded")
	}
}

func TestLoginResultOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want ErrorKind
	}{
		{nil, ""},
		{fmt.Errorf("gotify: %w", auth.ErrBadCredentials), ErrorCredentials},
		{fmt.Errorf("dial: %w", auth.ErrUnreachable), ErrorUnreachable},
		{fmt.Errorf("x509: %w", auth.ErrTLS), ErrorTLS},
		{fmt.Errorf("got HTML: %w", auth.ErrNotServer), ErrorNotServer},
		{auth.ErrInsecure, ErrorInsecure},
		{errors.New("disk full"), ErrorOther},
	} {
		got := LoginResultOf(tc.err)
		if got.ErrorKind != tc.want || got.OK != (tc.err == nil) {
			t.Errorf("LoginResultOf(%v) = %+v, want kind %q", tc.err, got, tc.want)
		}
	}
}

// TestLoginResultOfSaysItOnce: the window leads with its own sentence for
// the kind ("Cannot reach the server."), so Error must not repeat the auth
// error's words (issue 10, defect 20: "Cannot reach the server. Server
// unreachable: ...").
func TestLoginResultOfSaysItOnce(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("%w: dial tcp 127.0.0.1:1: connection refused", auth.ErrUnreachable), "dial tcp 127.0.0.1:1: connection refused"},
		{fmt.Errorf("native login: %w: 127.0.0.1 answered 503; try again later", auth.ErrUnreachable), "native login: 127.0.0.1 answered 503; try again later"},
		{fmt.Errorf("%w: the certificate of x is for another host name", auth.ErrTLS), "the certificate of x is for another host name"},
		{fmt.Errorf("%w: /api/login answered without a token", auth.ErrNotServer), "/api/login answered without a token"},
		{auth.ErrUnreachable, ""},
		{fmt.Errorf("gotify: %w", auth.ErrBadCredentials), "gotify: wrong username or password"},
		{errors.New("disk full"), "disk full"},
	} {
		if got := LoginResultOf(tc.err).Error; got != tc.want {
			t.Errorf("LoginResultOf(%q).Error = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func TestLoginCredentials(t *testing.T) {
	l := Login{Kind: "centrifugo", Server: "wss://c.example.com", Username: "ana", Password: "pw", AllowInsecure: true, CAFile: "/etc/my-ca.pem", Options: map[string]string{"channel": "tasks"}}
	want := auth.Credentials{
		Account:  auth.Account{Kind: "centrifugo", Server: "wss://c.example.com", Username: "ana", Options: map[string]string{"channel": "tasks"}, CAFile: "/etc/my-ca.pem", AllowInsecure: true},
		Password: "pw",
	}
	if got := l.Credentials(); !reflect.DeepEqual(got, want) {
		t.Errorf("Credentials = %#v, want %#v", got, want)
	}
}
