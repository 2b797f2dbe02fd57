package ipc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// errKilled is why nothing more is sent to a window killed by Child.Kill.
var errKilled = errors.New("ipc: window process killed")

// ErrWindowStuck means a window process stopped reading what the agent sends:
// a write to it made no progress for StuckAfter, or more than QueueMessages
// messages or QueueBytes bytes were waiting for it. Child.Send kills such a
// window rather than let it hold up the agent.
var ErrWindowStuck = errors.New("ipc: window process stopped reading its messages")

// The bounds on what waits for a window (Child.Send): a window that falls
// this far behind is stuck, not slow. A Recent tasks page is a few hundred
// KB and goes out at most every 200 ms, so a live window never comes near.
// QueueBytes holds at least one line of MaxLineSize.
const (
	QueueMessages = 1024
	QueueBytes    = 8 << 20
)

// StuckAfter is how long one write to a window may make no progress before
// the window counts as stuck. A var so that tests can shorten it.
var StuckAfter = 5 * time.Second

// StartupGrace is how long after its start a window process may take to
// read at all: a Fyne window reads its stdin only once it is up, which on a
// slow or busy machine takes seconds, and a Recent tasks page is bigger than
// a pipe holds (64 KiB on Linux, a few KiB on Windows). Until then a write
// may wait this long from the start, not StuckAfter. A var for the tests.
var StartupGrace = 30 * time.Second

// writer feeds a window's stdin from its own goroutine, so that a window that
// stops reading holds up only this goroutine, never the agent's loop that
// calls Child.Send. It ends when a write fails, when the window is stuck,
// when stop is closed (Child.Kill, Child.Wait) or when ctx ends.
type writer struct {
	out     io.WriteCloser
	kill    func()    // ends the window process
	started time.Time // when the window process started (StartupGrace)

	mu    sync.Mutex
	queue [][]byte // lines waiting, oldest first
	bytes int      // their total size
	err   error    // sticky: why nothing more is written

	wake     chan struct{} // cap 1: the queue is not empty
	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{} // closed when run returns
}

func newWriter(out io.WriteCloser, kill func()) *writer {
	return &writer{
		out:     out,
		kill:    kill,
		started: time.Now(),
		wake:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
}

// send queues line without waiting. A full queue means the window is stuck:
// send kills it and returns ErrWindowStuck, as it does for every line after.
func (w *writer) send(line []byte) error {
	w.mu.Lock()
	if w.err != nil {
		err := w.err
		w.mu.Unlock()
		return err
	}
	if len(w.queue) >= QueueMessages || w.bytes+len(line) > QueueBytes {
		w.err = fmt.Errorf("%w: %d messages (%d bytes) waiting for it", ErrWindowStuck, len(w.queue), w.bytes)
		err := w.err
		w.queue, w.bytes = nil, 0
		w.mu.Unlock()
		w.giveUp()
		return err
	}
	w.queue = append(w.queue, line)
	w.bytes += len(line)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default: // already awake
	}
	return nil
}

// run writes the queued lines in order until the writer ends.
func (w *writer) run(ctx context.Context) {
	defer close(w.done)
	for {
		select {
		case <-w.wake:
		case <-w.stop:
			return
		case <-ctx.Done():
			return
		}
		for {
			line, ok := w.next()
			if !ok {
				break
			}
			if err := w.write(line); err != nil {
				w.fail(fmt.Errorf("ipc: send: %w", err))
				return
			}
		}
	}
}

// next takes the oldest queued line, if any and if the writer has not failed.
func (w *writer) next() ([]byte, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil || len(w.queue) == 0 {
		return nil, false
	}
	line := w.queue[0]
	w.queue[0] = nil
	w.queue = w.queue[1:]
	w.bytes -= len(line)
	return line, true
}

// write writes one line, giving the window StuckAfter to take it, or until
// StartupGrace after its start if that is later. A pipe has no portable
// write deadline (Windows' anonymous pipes have none), so a timer kills the
// window instead, which fails the write.
func (w *writer) write(line []byte) error {
	wait := max(StuckAfter, time.Until(w.started.Add(StartupGrace)))
	watchdog := time.AfterFunc(wait, func() {
		w.fail(fmt.Errorf("%w: a write made no progress for %v", ErrWindowStuck, wait.Round(time.Millisecond)))
		w.giveUp()
	})
	_, err := w.out.Write(line)
	watchdog.Stop()
	return err
}

// fail records why nothing more is written, unless a reason is known
// already (the first is the cause: a stuck window's write fails once it is
// killed), and drops the queue.
func (w *writer) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
	}
	w.queue, w.bytes = nil, 0
}

// giveUp ends a stuck window: the process, so that its stdout closes and the
// agent's reader sees it exit, and our end of its stdin, so that a write
// blocked on it returns even if something else holds the pipe open.
func (w *writer) giveUp() {
	w.kill()
	w.out.Close()
}

// halt makes run return at its next wait, for a window that is gone.
func (w *writer) halt() {
	w.stopOnce.Do(func() { close(w.stop) })
}

// end halts run and waits for it.
func (w *writer) end() {
	w.halt()
	<-w.done
}
