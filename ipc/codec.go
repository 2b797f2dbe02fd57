package ipc

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// MaxLineSize is the longest line, newline excluded, that Receive accepts and
// Send writes. A Tasks message stays well under it: the agent sends a page
// of at most a few hundred KB (see package tray).
const MaxLineSize = 1 << 20

// Errors returned by Conn.
var (
	// ErrMalformed means a line is not a message: not a JSON object, no or an
	// unknown "type", or fields of the wrong JSON type. The line is skipped
	// and the next Receive reads on.
	ErrMalformed = errors.New("ipc: malformed message")
	// ErrLineTooLong means a line exceeds MaxLineSize. The stream cannot be
	// trusted after it: every later Receive returns it too.
	ErrLineTooLong = errors.New("ipc: line longer than MaxLineSize")
)

// Conn reads and writes Messages, one JSON object per line. Send is safe for
// concurrent use; Receive is meant for one reading goroutine.
type Conn struct {
	in     *bufio.Scanner
	line   int   // lines read so far, for error messages
	broken error // sticky: the stream cannot be read on

	mu  sync.Mutex // serialises whole lines on out
	out io.Writer
}

// NewConn returns a Conn reading messages from r and writing them to w.
func NewConn(r io.Reader, w io.Writer) *Conn {
	in := bufio.NewScanner(r)
	in.Buffer(make([]byte, 0, 4096), MaxLineSize+len("\r\n"))
	return &Conn{in: in, out: w}
}

// Send writes m as one line. It blocks until the line is written, which on a
// pipe means until the peer has read enough of what came before.
func (c *Conn) Send(m Message) error {
	line, err := Encode(m)
	if err != nil {
		return err
	}
	if len(line) > MaxLineSize {
		return fmt.Errorf("ipc: send %s: %w", m.Type(), ErrLineTooLong)
	}
	line = append(line, '\n')
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.out.Write(line); err != nil {
		return fmt.Errorf("ipc: send %s: %w", m.Type(), err)
	}
	return nil
}

// Receive reads the next message, skipping blank lines. It returns io.EOF
// once the peer has closed its end, an error wrapping ErrMalformed for a line
// that is not a message (reading on is fine), and ErrLineTooLong or a read
// error for a broken stream.
func (c *Conn) Receive() (Message, error) {
	if c.broken != nil {
		return nil, c.broken
	}
	for c.in.Scan() {
		c.line++
		if len(c.in.Bytes()) > MaxLineSize {
			c.broken = fmt.Errorf("line %d: %w", c.line, ErrLineTooLong)
			return nil, c.broken
		}
		line := bytes.TrimSpace(c.in.Bytes())
		if len(line) == 0 {
			continue
		}
		m, err := Decode(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", c.line, err)
		}
		return m, nil
	}
	switch err := c.in.Err(); {
	case err == nil:
		c.broken = io.EOF
	case errors.Is(err, bufio.ErrTooLong):
		c.broken = fmt.Errorf("line %d: %w", c.line+1, ErrLineTooLong)
	default:
		c.broken = fmt.Errorf("ipc: receive: %w", err)
	}
	return nil, c.broken
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
	default:
		return nil, fmt.Errorf("%w: unknown type %.40q", ErrMalformed, t)
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
