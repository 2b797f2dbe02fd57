package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"tasktray/i18n"
	"tasktray/tray"
)

// What a start of tasktray says about the one already running.
var (
	msgFlagShow = i18n.New("cli.flag.show",
		"show the running tasktray's window (log in, or recent tasks), then exit",
		"显示正在运行的 tasktray 的窗口（登录窗口或最近任务），然后退出")
	msgFlagQuit = i18n.New("cli.flag.quit",
		"ask the running tasktray to quit, and wait until it has",
		"请正在运行的 tasktray 退出，并等待其退出")
	msgShowAndQuit = i18n.New("cli.instance.showAndQuit",
		"tasktray: -show and -quit cannot be used together",
		"tasktray：-show 和 -quit 不能同时使用")
	msgShown = i18n.New("cli.instance.shown",
		"tasktray is already running: its window is shown",
		"tasktray 已在运行：已显示其窗口")
	msgQuit = i18n.New("cli.instance.quit",
		"tasktray has quit",
		"tasktray 已退出")
	msgNotRunning = i18n.New("cli.instance.notRunning",
		"tasktray is not running",
		"tasktray 未在运行")
	msgNoAnswer = i18n.New("cli.instance.noAnswer",
		"tasktray is running but did not answer within %v",
		"tasktray 正在运行，但在 %v 内没有响应")
	msgRefused = i18n.New("cli.instance.refused",
		"tasktray could not do it: %v",
		"tasktray 无法完成该操作：%v")
	msgStillRunning = i18n.New("cli.instance.stillRunning",
		"tasktray was asked to quit but still runs after %v",
		"已请求 tasktray 退出，但 %v 后它仍在运行")
	msgStillQuitting = i18n.New("cli.instance.stillQuitting",
		"the running tasktray is quitting but still runs after %v; start tasktray again once it has quit",
		"正在运行的 tasktray 正在退出，但 %v 后它仍在运行；请在它退出后再次启动 tasktray")
	msgStopping = i18n.New("cli.instance.stopping",
		"tasktray is quitting",
		"tasktray 正在退出")
)

// askTimeout is how long a start waits for the running agent's answer:
// longer than the agent waits for its own loop, so that its "busy" answer
// arrives first. quitTimeout is how long -quit then waits for it to exit,
// and how long in all a start waits for an agent that is quitting to be
// gone before it takes its place.
var (
	askTimeout  = 10 * time.Second
	quitTimeout = 15 * time.Second
)

// becomeAgent makes this process the user's agent, serving the ways in to
// it (tray.StartInstance), or, when an agent already runs, asks that one to
// show its window: then agent is nil and code is the exit code.
//
// An agent that is quitting just as this one asks (the user chose Quit and
// started tasktray again, or autostart ran during a quit) holds the lock
// until it has exited: it answers "stopping", or hangs up, or is gone on
// the second look. Then this start waits for its lock, for quitTimeout in
// all, and takes its place: two agents never run, and a start during a
// quit never leaves none.
func becomeAgent(ctx context.Context, dir string, log *slog.Logger, stdout, stderr io.Writer, locked func()) (agent *tray.Instance, code int) {
	// ctx is the agent's own; only the waits are bounded by deadline.
	deadline := time.Now().Add(quitTimeout)
	for {
		in, err := tray.StartInstanceWith(ctx, dir, log, locked)
		if err == nil {
			return in, 0
		}
		if !errors.Is(err, tray.ErrAlreadyRunning) {
			log.Error("tasktray cannot start", "err", err)
			return nil, 1
		}
		askCtx, cancel := context.WithTimeout(ctx, askTimeout)
		err = tray.Ask(askCtx, dir, tray.CommandShow)
		cancel()
		quitting := errors.Is(err, tray.ErrStopping) || errors.Is(err, tray.ErrHungUp) || errors.Is(err, tray.ErrNotRunning)
		if !quitting {
			return nil, report(tray.CommandShow, err, stdout, stderr)
		}
		log.Info("the running tasktray is quitting; waiting to take its place", "answer", err)
		if time.Now().After(deadline) { // bounds the loop, not only the wait
			fmt.Fprintln(stderr, msgStillQuitting.F(quitTimeout))
			return nil, 1
		}
		goneCtx, cancel := context.WithDeadline(ctx, deadline)
		err = tray.WaitGone(goneCtx, dir)
		cancel()
		if err != nil {
			fmt.Fprintln(stderr, msgStillQuitting.F(quitTimeout))
			return nil, 1
		}
	}
}

// command sends cmd (-show, -quit) to the running agent of dir and says
// what came of it; -quit waits until the agent has exited.
func command(ctx context.Context, dir string, cmd tray.Command, stdout, stderr io.Writer) int {
	askCtx, cancel := context.WithTimeout(ctx, askTimeout)
	err := tray.Ask(askCtx, dir, cmd)
	cancel()
	if err == nil && cmd == tray.CommandQuit {
		goneCtx, cancel := context.WithTimeout(ctx, quitTimeout)
		defer cancel()
		if tray.WaitGone(goneCtx, dir) != nil {
			fmt.Fprintln(stderr, msgStillRunning.F(quitTimeout))
			return 1
		}
	}
	return report(cmd, err, stdout, stderr)
}

// report prints what came of cmd and returns the exit code: 0 when done.
func report(cmd tray.Command, err error, stdout, stderr io.Writer) int {
	var refused *tray.RefusedError
	switch {
	case err == nil && cmd == tray.CommandQuit:
		fmt.Fprintln(stdout, msgQuit)
		return 0
	case err == nil:
		fmt.Fprintln(stdout, msgShown)
		return 0
	case errors.Is(err, tray.ErrNotRunning):
		fmt.Fprintln(stderr, msgNotRunning)
	case errors.Is(err, tray.ErrStopping):
		fmt.Fprintln(stderr, msgStopping)
	case errors.As(err, &refused):
		fmt.Fprintln(stderr, msgRefused.F(refused.Why))
	case errors.Is(err, tray.ErrNoAnswer):
		fmt.Fprintln(stderr, msgNoAnswer.F(askTimeout))
	default:
		fmt.Fprintln(stderr, msgRefused.F(err))
	}
	return 1
}
