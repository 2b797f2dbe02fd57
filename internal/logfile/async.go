package logfile

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultBuffer is how many log lines may wait for the disk. The agent
// logs a few lines a minute, and a burst (a reconnect storm) a few hundred:
// 1024 lines ride out a disk that stalls for seconds.
const DefaultBuffer = 1024

// CloseWait bounds how long Close waits for buffered lines to reach a
// slow disk: quitting must not hang on it.
const CloseWait = 2 * time.Second

// Async writes lines to an io.WriteCloser from a goroutine of its own,
// through a bounded queue. lumberjack writes (and rotates, renaming files)
// on the caller's goroutine; behind Async a stalled disk costs the caller a
// copy and a channel send, never a wait. When the queue is full the line is
// dropped and counted; the next line that reaches the file is preceded by a
// note saying how many were lost.
type Async struct {
	w       io.WriteCloser
	lines   chan []byte
	dropped atomic.Int64
	done    chan struct{}

	mu     sync.RWMutex // guards closed against a send on a closed channel
	closed bool
}

// NewAsync starts writing to w; buffer is how many lines may wait.
func NewAsync(w io.WriteCloser, buffer int) *Async {
	a := &Async{w: w, lines: make(chan []byte, buffer), done: make(chan struct{})}
	go a.run()
	return a
}

// Write queues one line (a copy of p) and never blocks. It always reports
// success: a log line that cannot be written is counted, not an error to
// the logger's caller.
func (a *Async) Write(p []byte) (int, error) {
	line := append([]byte(nil), p...)
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.closed {
		a.dropped.Add(1)
		return len(p), nil
	}
	select {
	case a.lines <- line:
	default:
		a.dropped.Add(1)
	}
	return len(p), nil
}

// Dropped is how many lines were dropped so far.
func (a *Async) Dropped() int64 { return a.dropped.Load() }

func (a *Async) run() {
	defer close(a.done)
	var told int64
	for line := range a.lines {
		if d := a.dropped.Load(); d > told {
			fmt.Fprintf(a.w, "level=WARN msg=\"log lines dropped: the disk was too slow\" dropped=%d\n", d-told)
			told = d
		}
		a.w.Write(line) // nowhere to report a failed log write
	}
}

// ErrCloseTimeout says the disk did not take the buffered lines within
// CloseWait; the file is left to the process's exit.
var ErrCloseTimeout = errors.New("logfile: the disk did not take the last log lines in time")

// Close stops taking lines, waits at most CloseWait for the queued ones to
// be written, and closes the file.
func (a *Async) Close() error {
	a.mu.Lock()
	if !a.closed {
		a.closed = true
		close(a.lines)
	}
	a.mu.Unlock()
	select {
	case <-a.done:
		return a.w.Close()
	case <-time.After(CloseWait):
		return ErrCloseTimeout
	}
}
