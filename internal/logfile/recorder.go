package logfile

import (
	"log/slog"
	"strings"
	"sync"

	"tasktray/internal/textcut"
)

// DefaultLast is how many warnings and errors a Recorder keeps: enough to
// see a pattern (a link that keeps failing), few enough to read in a
// report.
const DefaultLast = 20

// maxRecordBytes cuts a recorded line: an error quoting a huge response
// must not blow up the report.
const maxRecordBytes = 1024

// Recorder keeps the last few warning and error lines in memory, for the
// diagnostics report. It is safe for concurrent use.
type Recorder struct {
	mu    sync.Mutex
	lines []string // a ring of at most max, oldest at next once full
	next  int
	max   int
}

// NewRecorder keeps the last max lines.
func NewRecorder(max int) *Recorder { return &Recorder{max: max} }

// Handler is a slog handler that records warnings and errors as text lines.
func (r *Recorder) Handler() slog.Handler {
	return slog.NewTextHandler(r, &slog.HandlerOptions{Level: slog.LevelWarn, ReplaceAttr: Redact})
}

// Write records one line; slog's text handler writes each record in one
// call.
func (r *Recorder) Write(p []byte) (int, error) {
	line := strings.TrimRight(string(p), "\n")
	if len(line) > maxRecordBytes {
		line = textcut.Bytes(line, maxRecordBytes) + "…"
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.lines) < r.max {
		r.lines = append(r.lines, line)
	} else {
		r.lines[r.next] = line
		r.next = (r.next + 1) % r.max
	}
	return len(p), nil
}

// Lines returns the recorded lines, oldest first.
func (r *Recorder) Lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.lines))
	out = append(out, r.lines[r.next:]...)
	return append(out, r.lines[:r.next]...)
}
