package ipc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
)

// MaxLineSize is the longest line, newline excluded, that Receive accepts and
// Send writes. A Tasks message stays well under it: the agent sends a page
// of at most a few hundred KB (see package tray).
const MaxLineSize = 1 << 20

// Errors returned by Decode and Send. Receive returns neither: it skips the
// line and reads on (see Receive).
var (
	// ErrMalformed means a line is not a message: not a JSON object, no or an
	// unknown "type", or fields of the wrong JSON type.
	ErrMalformed = errors.New("ipc: malformed message")
	// ErrLineTooLong means a message would not fit in MaxLineSize.
	ErrLineTooLong = errors.New("ipc: line longer than MaxLineSize")
)

// Conn reads and writes Messages, one JSON object per line. Send is safe for
// concurrent use; Receive is meant for one reading goroutine.
type Conn struct {
	in     *bufio.Reader
	max    int    // MaxLineSize; tests lower it
	buf    []byte // the line being read
	line   int    // lines read so far, for log lines
	broken error  // sticky: the stream cannot be read on
	log    *slog.Logger

	mu  sync.Mutex // serialises whole lines on out
	out io.Writer
}

// NewConn returns a Conn reading messages from r and writing them to w. It
// logs skipped lines to slog.Default until SetLogger.
func NewConn(r io.Reader, w io.Writer) *Conn {
	return &Conn{in: bufio.NewReaderSize(r, 64<<10), max: MaxLineSize, out: w, log: slog.Default()}
}

// SetLogger sets where Receive reports the lines it skips. Call it before the
// first Receive.
func (c *Conn) SetLogger(l *slog.Logger) { c.log = l }

// Send writes m as one line. It blocks until the line is written, which on a
// pipe means until the peer has read enough of what came before; Child.Send
// is the one that never blocks.
func (c *Conn) Send(m Message) error {
	line, err := encodeLine(m)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.out.Write(line); err != nil {
		return fmt.Errorf("ipc: send %s: %w", m.Type(), err)
	}
	return nil
}

// encodeLine is m's line on the wire, newline included.
func encodeLine(m Message) ([]byte, error) {
	line, err := Encode(m)
	if err != nil {
		return nil, err
	}
	if len(line) > MaxLineSize {
		return nil, fmt.Errorf("ipc: send %s: %w", m.Type(), ErrLineTooLong)
	}
	return append(line, '\n'), nil
}

// Receive reads the next message. It returns io.EOF once the peer has closed
// its end, or the read error that broke the stream; both are sticky.
//
// A peer's bad line never ends the stream, since a reader that stopped on one
// would leave its peer talking to no one: Receive skips blank lines, lines
// that are not messages and lines longer than MaxLineSize (read up to their
// newline a buffer at a time, never held whole), logs each skipped line at
// warn by number and length only (a login line holds a password), and reads
// on.
func (c *Conn) Receive() (Message, error) {
	if c.broken != nil {
		return nil, c.broken
	}
	for {
		line, size, err := c.readLine()
		if err != nil {
			if err == io.EOF {
				c.broken = io.EOF
			} else {
				c.broken = fmt.Errorf("ipc: receive: %w", err)
			}
			return nil, c.broken
		}
		c.line++
		if line == nil {
			c.log.Warn("ipc: skipped an over-long line", "line", c.line, "bytes", size, "max", c.max)
			continue
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		m, err := Decode(line)
		if err != nil {
			c.log.Warn("ipc: skipped a malformed line", "line", c.line, "bytes", size, "problem", err)
			continue
		}
		return m, nil
	}
}

// readLine returns the next line without its "\n" or "\r\n", and its size on
// the wire. A line longer than c.max comes back nil: it is read through to
// its newline and dropped, keeping no more than c.max+2 bytes at any time. A
// last line without a newline counts as a line; io.EOF comes after it.
func (c *Conn) readLine() (line []byte, size int, err error) {
	c.buf = c.buf[:0]
	tooLong := false
	for {
		chunk, err := c.in.ReadSlice('\n')
		size += len(chunk)
		if !tooLong {
			if len(c.buf)+len(chunk) > c.max+2 { // room for "\r\n"
				tooLong = true
				c.buf = c.buf[:0]
			} else {
				c.buf = append(c.buf, chunk...)
			}
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && size > 0:
			// The last line, unterminated: hand it over now, EOF next time.
		case err != nil:
			return nil, size, err
		}
		break
	}
	if cap(c.buf) > 64<<10 {
		defer func() { c.buf = nil }() // do not hold a megabyte per window between lines
	}
	if tooLong {
		return nil, size, nil
	}
	line = bytes.TrimSuffix(c.buf, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) > c.max {
		return nil, size, nil
	}
	return line, size, nil
}

// Encode returns m as one JSON object, without the newline: the message's
// fields with its "type" first.
func Encode(m Message) ([]byte, error) {
	if m == nil {
		return nil, errors.New("ipc: encode nil message")
	}
	fields, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("ipc: encode %s: %w", m.Type(), err)
	}
	// fields is a JSON object ("{}" or "{...}"): splice the type in front.
	line := make([]byte, 0, len(fields)+len(m.Type())+12)
	line = append(line, `{"type":`...)
	line = append(line, quote(m.Type())...)
	if len(fields) > 2 {
		line = append(line, ',')
	}
	return append(line, fields[1:]...), nil
}

// Decode parses one line (without its newline) into a Message. Errors wrap
// ErrMalformed and never quote the line, which may hold a password.
func Decode(line []byte) (Message, error) {
	var head struct {
		Type *string `json:"type"`
	}
	if err := json.Unmarshal(line, &head); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrMalformed, jsonProblem(err))
	}
	if head.Type == nil {
		return nil, fmt.Errorf(`%w: no "type"`, ErrMalformed)
	}
	switch t := *head.Type; t {
	case TypeState:
		return decodeAs[State](line)
	case TypeTasks:
		return decodeAs[Tasks](line)
	case TypeLoginResult:
		return decodeAs[LoginResult](line)
	case TypeClose:
		return decodeAs[Close](line)
	case TypeLogin:
		return decodeAs[Login](line)
	case TypeOpenTask:
		return decodeAs[OpenTask](line)
	case TypeMarkAllRead:
		return decodeAs[MarkAllRead](line)
	case TypeMore:
		return decodeAs[More](line)
	case TypeLogout:
		return decodeAs[Logout](line)
	case TypeReconnect:
		return decodeAs[Reconnect](line)
	case TypePause:
		return decodeAs[Pause](line)
	case TypeShow:
		return decodeAs[Show](line)
	case TypeQuit:
		return decodeAs[Quit](line)
	case TypeClosed:
		return decodeAs[Closed](line)
	case TypeDiagnostics:
		return decodeAs[Diagnostics](line)
	case TypeSearch:
		return decodeAs[Search](line)
	case TypeFound:
		return decodeAs[Found](line)
	default:
		if m, ok, err := decodeSettings(t, line); ok { // ipc/settings.go
			return m, err
		}
		// Not quoted: a line that is not ours may hold anything.
		return nil, fmt.Errorf("%w: unknown type (%d bytes)", ErrMalformed, len(t))
	}
}

func decodeAs[M Message](line []byte) (Message, error) {
	var m M
	if err := json.Unmarshal(line, &m); err != nil {
		return nil, fmt.Errorf("%w: %s: %s", ErrMalformed, m.Type(), jsonProblem(err))
	}
	return m, nil
}

// jsonProblem describes a json error without the values it may quote.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("invalid JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		kind, _, _ := strings.Cut(typ.Value, " ") // "number 42": keep "number"
		return fmt.Sprintf("field %q: want %s, got JSON %s", typ.Field, typ.Type, kind)
	}
	return "invalid JSON"
}

func quote(s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return b
}
