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
	wg       sync.WaitGroup // the servers' goroutines
	release  func()
}

// StartInstance takes the lock in dir and starts serving the ways in. It
// returns ErrAlreadyRunning while another agent holds the lock: then
// Ask(CommandShow) reaches that one. A socket or bus name left by a crashed
// agent is taken over: holding the lock proves its owner is gone.
func StartInstance(ctx context.Context, dir string, log *slog.Logger) (*Instance, error) {
	return StartInstanceWith(ctx, dir, log, nil)
}

// StartInstanceWith is StartInstance that calls locked, when not nil, as
// soon as the lock is this process's and before it serves the ways in:
// what only the user's one agent may do, such as asking the keyring for
// the saved token (PrefetchKeyring), starts there. A start that finds
// another agent running never calls it.
func StartInstanceWith(ctx context.Context, dir string, log *slog.Logger, locked func()) (*Instance, error) {
	if log == nil {
		log = slog.Default()
	}
	release, err := Lock(dir)
	if err != nil {
		return nil, err
	}
	if locked != nil {
		locked()
	}
	ctx, cancel := context.WithCancel(ctx)
	in := &Instance{requests: make(chan Request), cancel: cancel, release: release}
	// The bus name is asked for on a goroutine of its own: its round
	// trips to the session bus hold up nothing. Until it is owned, another
	// start reaches this agent by the socket.
	in.wg.Add(1)
	go func() {
		defer in.wg.Done()
		done, err := serveBus(ctx, in.requests)
		if errors.Is(err, errBusNameTaken) {
			// Not another agent of this user (the lock says so): another
			// program, or an agent with another runtime directory.
			log.Warn("another program owns tasktray's name on the session bus; another start reaches this one by the socket", "err", err)
		} else if err != nil {
			log.Debug("not on the session bus; another start reaches this one by the socket", "err", err)
		}
		if done != nil {
			<-done
		}
	}()
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
	in.release()
}
