package tray

import (
	"context"
	"errors"
	"log/slog"
	"sync"
)

// Instance is this user's only agent, reachable by another start of
// tasktray: it holds the lock (which decides who runs) and serves the ways
// in (the session bus name on Linux, the socket everywhere), whose requests
// come out of Requests for the agent's loop (Config.Requests).
type Instance struct {
	requests chan Request
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	busDone  <-chan struct{}
	release  func()
}

// StartInstance takes the lock in dir and starts serving the ways in. It
// returns ErrAlreadyRunning while another agent holds the lock: then
// Ask(CommandShow) reaches that one. A socket or bus name left by a crashed
// agent is taken over: holding the lock proves its owner is gone.
func StartInstance(ctx context.Context, dir string, log *slog.Logger) (*Instance, error) {
	if log == nil {
		log = slog.Default()
	}
	release, err := Lock(dir)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	in := &Instance{requests: make(chan Request), cancel: cancel, release: release}
	if in.busDone, err = serveBus(ctx, in.requests); errors.Is(err, errBusNameTaken) {
		// Not another agent of this user (the lock says so): another
		// program, or an agent with another runtime directory.
		log.Warn("another program owns tasktray's name on the session bus; another start reaches this one by the socket", "err", err)
	} else if err != nil {
		log.Debug("not on the session bus; another start reaches this one by the socket", "err", err)
	}
	if ln, err := listenSocket(dir); err != nil {
		// The bus may still be a way in; the lock alone keeps a second
		// agent from running, though it cannot show this one's window.
		log.Warn("no control socket: another start cannot reach this agent this way", "err", err)
	} else {
		in.wg.Add(1)
		go func() {
			defer in.wg.Done()
			serveSocket(ctx, ln, in.requests, log)
		}()
	}
	return in, nil
}

// errBusNameTaken: the session bus name has an owner that is not this
// agent.
var errBusNameTaken = errors.New("the name has another owner on the session bus")

// Requests delivers what another start asks; give it to Config.Requests.
func (in *Instance) Requests() <-chan Request { return in.requests }

// Close stops serving, waits for the servers' goroutines, and then drops
// the lock, so that the next agent finds no server of this one.
func (in *Instance) Close() {
	in.cancel()
	in.wg.Wait()
	if in.busDone != nil {
		<-in.busDone
	}
	in.release()
}
