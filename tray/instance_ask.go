package tray

import (
	"context"
	"errors"
	"time"
)

// What Ask and WaitGone return besides the agent's own answer.
var (
	// ErrNotRunning: no agent of this user runs (the lock is free).
	ErrNotRunning = errors.New("tasktray is not running")
	// ErrNoAnswer: an agent holds the lock but did not answer before ctx
	// ended (it is stuck, or still starting).
	ErrNoAnswer = errors.New("tasktray did not answer")
	// errNoEndpoint: nobody serves this way in (no socket, no bus name).
	errNoEndpoint = errors.New("no agent listens here")
)

// RefusedError is the running agent's answer when it could not do what was
// asked, e.g. the window did not open.
type RefusedError struct{ Why string }

func (e *RefusedError) Error() string { return e.Why }

// askRetry is how often Ask looks again for an agent that holds the lock
// but serves no way in yet: it is starting, or has just quit.
const askRetry = 100 * time.Millisecond

// Ask sends cmd to the user's running agent, whose lock is in dir, by the
// session bus name and else the socket, and returns its answer: nil once it
// did it, a *RefusedError, ErrNotRunning, or ErrNoAnswer when ctx ends
// first. Give ctx a deadline: an agent that is stuck is waited for until
// then.
func Ask(ctx context.Context, dir string, cmd Command) error {
	err := ask(ctx, dir, cmd, askBus)
	if cmd == CommandQuit && errors.Is(err, ErrNoAnswer) && ctx.Err() == nil {
		// The link closed without an answer: an agent that quits as
		// asked may close it before the answer is out. Gone is done.
		if WaitGone(ctx, dir) == nil {
			return nil
		}
	}
	return err
}

func ask(ctx context.Context, dir string, cmd Command, viaBus func(context.Context, Command) error) error {
	for {
		err := viaBus(ctx, cmd)
		if !errors.Is(err, errNoEndpoint) {
			return err
		}
		if err = askSocket(ctx, dir, cmd); !errors.Is(err, errNoEndpoint) {
			return err
		}
		if lockFree(dir) {
			return ErrNotRunning
		}
		select {
		case <-ctx.Done():
			return ErrNoAnswer
		case <-time.After(askRetry):
		}
	}
}

// WaitGone waits until the agent whose lock is in dir has exited (its lock
// is free); ErrNoAnswer when ctx ends first.
func WaitGone(ctx context.Context, dir string) error {
	for !lockFree(dir) {
		select {
		case <-ctx.Done():
			return ErrNoAnswer
		case <-time.After(askRetry):
		}
	}
	return nil
}
