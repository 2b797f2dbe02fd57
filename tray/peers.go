package tray

import (
	"context"
	"sync"
	"time"
)

// peer runs the agent's calls to one slow or possibly hung peer (the
// keyring, the disk, the notification daemon, a server's log-out endpoint)
// one at a time and in order, on a goroutine of its own, so the agent loop
// never waits on it. A call's result, when not nil, comes back to the loop
// as an event. Order matters: a token deleted at log-out must not be
// deleted after the next login saved a new one.
type peer struct {
	name string
	// The queue is unbounded: no call is dropped. Each peer's calls are
	// cheap to hold (popups: notify.Show never blocks, so they drain).
	// drain makes the calls still queued when ctx ends, within peerGrace:
	// a token saved or deleted just before Quit must not be lost.
	drain bool

	mu    sync.Mutex
	queue []func(context.Context) any
	wake  chan struct{}
	done  chan struct{}
}

func newPeer(name string, drain bool) *peer {
	return &peer{name: name, drain: drain, wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// do queues call. It never blocks.
func (p *peer) do(call func(context.Context) any) {
	p.mu.Lock()
	p.queue = append(p.queue, call)
	p.mu.Unlock()
	signal(p.wake)
}

// run makes the calls until ctx ends. A peer that does not drain then gives
// the call under way the cancelled ctx and drops the rest; one that drains
// makes what is queued with a ctx that ends peerGrace later.
func (p *peer) run(ctx context.Context, events chan<- any) {
	defer close(p.done)
	callCtx := ctx
	if p.drain {
		var cancel context.CancelFunc
		callCtx, cancel = context.WithCancel(context.WithoutCancel(ctx))
		defer cancel()
		stop := context.AfterFunc(ctx, func() { time.AfterFunc(peerGrace, cancel) })
		defer stop()
		defer func() {
			for call := p.next(); call != nil && callCtx.Err() == nil; call = p.next() {
				call(callCtx) // its answer goes to no one: the loop has ended
			}
		}()
	}
	for {
		call := p.next()
		if call == nil {
			select {
			case <-p.wake:
				continue
			case <-ctx.Done():
				return
			}
		}
		if ev := call(callCtx); ev != nil {
			select {
			case events <- ev:
			case <-ctx.Done():
				return
			}
		}
		if ctx.Err() != nil {
			return
		}
	}
}

// next takes the oldest queued call, or nil.
func (p *peer) next() func(context.Context) any {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.queue) == 0 {
		return nil
	}
	call := p.queue[0]
	p.queue[0] = nil
	p.queue = p.queue[1:]
	return call
}

// peerGrace is how long Run waits on its way out for a peer's call under
// way to give up. A peer that ignores its ctx (go-keyring calls cannot be
// cancelled) is left behind then: the process is ending, and a user who
// quit must not wait on a hung keyring.
const peerGrace = 2 * time.Second

// waitPeers waits for every peer's goroutine, at most peerGrace in all, and
// names those still stuck.
func waitPeers(peers []*peer) (stuck []string) {
	deadline := time.NewTimer(peerGrace)
	defer deadline.Stop()
	for _, p := range peers {
		select {
		case <-p.done:
		case <-deadline.C:
			for _, q := range peers {
				select {
				case <-q.done:
				default:
					stuck = append(stuck, q.name)
				}
			}
			return stuck
		}
	}
	return nil
}

// signal wakes a goroutine waiting on ch without ever blocking.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
