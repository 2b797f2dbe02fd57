package tray

import (
	"context"
	"errors"
	"time"

	"tasktray/i18n"
	"tasktray/ipc"
)

// Command is what another start of tasktray asks of the running agent.
type Command int

// The commands a second start (or tasktray -show, -quit) can send.
const (
	// CommandShow opens the window a person starting tasktray again
	// wants: the login window while logged out, recent tasks otherwise.
	CommandShow Command = iota + 1
	// CommandQuit stops the agent, as the tray menu's Quit does.
	CommandQuit
)

// String is the command's name on the socket and in logs.
func (c Command) String() string {
	switch c {
	case CommandShow:
		return "show"
	case CommandQuit:
		return "quit"
	}
	return "unknown"
}

// Request is one command from another start of tasktray, on its way to the
// agent's loop (Config.Requests). The loop answers on done, which has room
// for the answer: the loop never waits for the endpoint that asked.
type Request struct {
	Command Command
	done    chan error
}

// NewRequest returns a request for cmd and the channel its answer comes on:
// nil once the agent did it, or why it could not.
func NewRequest(cmd Command) (Request, <-chan error) {
	done := make(chan error, 1)
	return Request{Command: cmd, done: done}, done
}

// Answer tells the endpoint that asked what came of it: nil once done, or
// why not. The agent's loop answers each request once; it never blocks.
func (r Request) Answer(err error) {
	if r.done != nil {
		r.done <- err
	}
}

var (
	msgWindowFailed = i18n.New("tray.control.windowFailed",
		"the window could not be opened (see the agent's log)",
		"无法打开窗口（请查看 tasktray 的日志）")
	msgUnknownCommand = i18n.New("tray.control.unknownCommand",
		"unknown command",
		"未知命令")
	msgBusy = i18n.New("tray.control.busy",
		"tasktray did not take the request within %v",
		"tasktray 未在 %v 内接受请求")
)

// onRequest does what another start asked and answers it at once.
func (a *Agent) onRequest(ctx context.Context, req Request) {
	a.log.Info("request from another start of tasktray", "command", req.Command)
	switch req.Command {
	case CommandShow:
		view := ipc.ViewRecent
		if !a.loggedIn {
			view = ipc.ViewLogin
		}
		a.openWindow(ctx, view)
		if a.windows[view] == nil {
			req.Answer(errors.New(msgWindowFailed.String()))
			return
		}
	case CommandQuit:
		a.quitting = true
	default:
		req.Answer(errors.New(msgUnknownCommand.String()))
		return
	}
	req.Answer(nil)
}

// loopWait bounds how long an endpoint waits for the agent's loop to take
// a request and answer it; the caller is told the agent is busy after.
// Tests shorten it.
var loopWait = 5 * time.Second

// deliver hands cmd to the agent's loop on requests and returns its answer.
// It never waits longer than loopWait, nor past ctx: an endpoint serving a
// caller must not hang on a loop that is stuck or gone.
func deliver(ctx context.Context, requests chan<- Request, cmd Command) error {
	req, done := NewRequest(cmd)
	timer := time.NewTimer(loopWait)
	defer timer.Stop()
	select {
	case requests <- req:
	case <-ctx.Done():
		return ErrStopping
	case <-timer.C:
		return errors.New(msgBusy.F(loopWait))
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	case <-timer.C:
	}
	select {
	case err := <-done: // answered just as the wait ended: the caller gets it
		return err
	default:
	}
	if ctx.Err() != nil {
		return ErrStopping
	}
	return errors.New(msgBusy.F(loopWait))
}
