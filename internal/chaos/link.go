package chaos

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"tasktray/conn"
)

// Link is one conn.Client run, feeding a Ledger and timing how long the
// client takes to notice each dead link.
type Link struct {
	Client *conn.Client
	cancel context.CancelFunc
	done   chan struct{}
	ledger *Ledger

	mu      sync.Mutex
	state   conn.State
	faultAt time.Time // a fault that should cost the link, not yet noticed
	faultG  uint64
	detect  []time.Duration
	runErr  error

	Gaps atomic.Int64
	// onTask, when set, sees each delivered title.
	onTask atomic.Pointer[func(title string)]
}

// StartLink runs a client with cfg until Stop.
func StartLink(cfg conn.Config, ledger *Ledger, log *slog.Logger) (*Link, error) {
	cfg.Logger = log
	c, err := conn.New(cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &Link{Client: c, cancel: cancel, done: make(chan struct{}), ledger: ledger}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := c.Run(ctx); err != nil {
			l.mu.Lock()
			l.runErr = err
			l.mu.Unlock()
		}
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case t := <-c.Tasks():
				if f := l.onTask.Load(); f != nil {
					(*f)(t.Title)
				}
				ledger.Delivered(t.Title)
			case s := <-c.States():
				l.onState(s)
			case <-c.Gaps():
				l.Gaps.Add(1)
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(l.done) }()
	return l, nil
}

func (l *Link) onState(s conn.State) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.state = s
	if !l.faultAt.IsZero() && (s.Phase != conn.Connected || s.Generation > l.faultG) {
		l.detect = append(l.detect, time.Since(l.faultAt))
		l.faultAt = time.Time{}
	}
}

// Fault marks now as the moment the link was killed; the next state that
// is not the same Connected link ends the measurement.
func (l *Link) Fault() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.faultAt = time.Now()
	l.faultG = l.state.Generation
}

// Detections are the times the client took to notice each dead link.
func (l *Link) Detections() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Duration(nil), l.detect...)
}

// State is the newest state.
func (l *Link) State() conn.State {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.state
}

// Stop ends the client and waits for its goroutines.
func (l *Link) Stop() error {
	l.cancel()
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.runErr
}
