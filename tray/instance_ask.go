package tray

import (
	"context"
	"errors"
	"fmt"
	"time"

	"tasktray/i18n"
)

// What Ask and WaitGone return besides the agent's own answer.
var (
	// ErrNotRunning: no agent of this user runs (the lock is free).
	ErrNotRunning = errors.New("tasktray is not running")
	// ErrNoAnswer: an agent holds the lock but did not answer before ctx
	// ended (it is stuck, or still starting).
	ErrNoAnswer = errors.New("tasktray did not answer")
	// ErrHungUp (which is also ErrNoAnswer): the agent closed the link
	// before answering, as one does when it is quitting or has crashed.
	// Its lock is free once it is gone (WaitGone).
	ErrHungUp = fmt.Errorf("%w: it closed the link without an answer", ErrNoAnswer)
	// ErrStopping: the agent is quitting. It holds the lock until it has
	// exited but takes no request any more; a start waits until it is
	// gone (WaitGone) and then starts.
	ErrStopping = i18n.NewError("tray.control.stopping", "tasktray is stopping", "tasktray 正在退出")
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
// did it, a *RefusedError, ErrNotRunning, ErrStopping while the agent
// quits, ErrHungUp when it closed the link without a word, or ErrNoAnswer
// when ctx ends first. Give ctx a deadline: an agent that is stuck is
// waited for until then.
func Ask(ctx context.Context, dir string, cmd Command) error {
	err := ask(ctx, dir, cmd, askBus)
	if cmd == CommandQuit && (errors.Is(err, ErrStopping) || errors.Is(err, ErrNoAnswer)) && ctx.Err() == nil {
		// The agent is quitting already, or the link closed without an
		// answer: an agent that quits as asked may close it before the
		// answer is out. Gone is done.
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
