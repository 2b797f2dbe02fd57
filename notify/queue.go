package notify

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"tasktray/conn"
)

// Defaults of the queue in front of the desktop's notifier.
const (
	// DefaultQueueLen bounds the popups waiting for the desktop: with the
	// Coalescer in front (at most Max popups a Window), 8 cover half a
	// minute of a slow or hung daemon at a steady pace. Beyond it, the
	// oldest are folded into one summary, so memory stays flat however
	// long the daemon hangs, and the user gets at most 9 popups at once
	// when it comes back.
	DefaultQueueLen = 8
	// DefaultDeadline bounds one popup's calls to the desktop. A daemon
	// answers within milliseconds; 5 s is a hung one.
	DefaultDeadline = 5 * time.Second
)

// After a popup failed, the queue waits before the next try, doubling from
// retryMin up to retryMax, so a daemon that is gone or hung costs one call
// every retryMax at most. A new daemon on the bus cuts the wait short.
const (
	retryMin = time.Second
	retryMax = 30 * time.Second
)

// ErrClosed is returned by Show after Close.
var ErrClosed = errors.New("notify: closed")

// ErrNoSessionBus is in NewDesktop's error when the session bus cannot be
// reached (Linux): no address, no bus listening, or it refused us.
var ErrNoSessionBus = errors.New("notify: no session bus")

// queue is the Notifier NewDesktop returns: it hands popups to another one from a goroutine of
// its own, so that Show never waits on the desktop: the agent's loop calls
// Show, and a hung notification daemon must not stop it.
//
// Each popup gets DefaultDeadline to be taken. What waits is bounded by
// count; when full, the oldest waiting popup (an important one last) is
// folded into a summary ("12 new tasks") that shows before the rest, and
// the fold is logged: nothing is dropped silently. A popup the desktop
// failed to take is folded in too, or, if important, tried again; the next
// try waits a little longer each time, or for a new daemon.
type queue struct {
	next     Notifier
	wake     <-chan struct{} // a new daemon: try again now; nil if never
	log      *slog.Logger
	max      int
	deadline time.Duration
	retryMin time.Duration
	retryMax time.Duration

	ctx    context.Context // ends the sender and the popup it is showing
	cancel context.CancelFunc
	ready  chan struct{} // gets a value when a popup was queued
	done   chan struct{} // closed when the sender has ended
	once   sync.Once

	mu      sync.Mutex
	closed  bool
	pending []Popup // oldest first, at most max
	folded  fold    // popups folded into a summary, shown before pending
}

// fold counts the popups a queue folded into its summary.
type fold struct {
	count    int   // tasks folded in
	priority int   // highest priority folded in
	last     Popup // the newest popup folded in
	// A summary of a burst counts the whole burst so far: a later one of
	// the same burst replaces its count rather than adding to it.
	summaryID    string
	summaryCount int
}

// newQueue returns a queue that shows popups through next; closing it
// closes next. A value on wake (nil for never) means the desktop changed,
// so a popup that failed may be tried again at once.
func newQueue(next Notifier, wake <-chan struct{}, o Options) *queue {
	ctx, cancel := context.WithCancel(context.Background())
	q := &queue{
		next: next, wake: wake, log: o.Logger,
		max: o.queueLen, deadline: o.deadline, retryMin: o.retryMin, retryMax: o.retryMax,
		ctx: ctx, cancel: cancel,
		ready: make(chan struct{}, 1),
		done:  make(chan struct{}),
	}
	go q.run()
	return q
}

// Show queues p and returns at once; ctx is not kept, since the popup
// outlives the call. It fails only after Close.
func (q *queue) Show(_ context.Context, p Popup) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return ErrClosed
	}
	if q.folded.count > 0 && p.Count > 0 && p.ID == q.folded.summaryID {
		// A newer summary of a burst already folded in: it joins the fold.
		q.fold(p, "")
		return nil
	}
	if len(q.pending) >= q.max {
		q.foldOldest()
	}
	q.pending = append(q.pending, p)
	select {
	case q.ready <- struct{}{}:
	default:
	}
	return nil
}

// foldOldest folds the oldest waiting popup into the summary, preferring
// one that is not important.
func (q *queue) foldOldest() {
	i := 0
	for j, p := range q.pending {
		if !p.Important {
			i = j
			break
		}
	}
	p := q.pending[i]
	q.pending = append(q.pending[:i], q.pending[i+1:]...)
	q.fold(p, "the desktop is slow to take popups")
}

// fold folds p into the summary. The first fold since the last summary
// showed is logged, and the summary when it shows (see settle): two lines
// however long the desktop hangs.
func (q *queue) fold(p Popup, why string) {
	if q.folded.count == 0 {
		q.log.Warn("notify: "+why+"; folding popups into a summary until it takes them", "waiting", len(q.pending), "important", p.Important)
	}
	q.folded.add(p)
}

func (f *fold) add(p Popup) {
	n := max(p.Count, 1)
	if p.Count > 0 && p.ID != "" && p.ID == f.summaryID {
		f.count -= f.summaryCount
	}
	if p.Count > 0 {
		f.summaryID, f.summaryCount = p.ID, n
	}
	f.count += n
	f.priority = max(f.priority, conn.ClampPriority(p.Priority))
	f.last = p
}

// popup returns the summary of what was folded.
func (f *fold) popup() Popup {
	if f.count == 1 && f.last.Count == 0 {
		return f.last // a summary of one says less than the popup itself
	}
	title, body := summaryText(f.count, f.last.Title)
	if f.last.Count > 0 {
		body = f.last.Body // a summary: its body names its newest task
	}
	return Popup{Title: title, Body: body, Priority: f.priority, Count: f.count}
}

// take returns the popup to show next: the summary of what was folded, which
// is older than all that waits, and otherwise the oldest waiting popup.
// It blocks until there is one, and reports false once the queue closed.
func (q *queue) take() (p Popup, isFold bool, ok bool) {
	for {
		q.mu.Lock()
		switch {
		case q.folded.count > 0:
			p, isFold = q.folded.popup(), true
		case len(q.pending) > 0:
			p = q.pending[0]
			q.pending = q.pending[1:]
		default:
			q.mu.Unlock()
			select {
			case <-q.ready:
				continue
			case <-q.ctx.Done():
				return Popup{}, false, false
			}
		}
		q.mu.Unlock()
		return p, isFold, true
	}
}

// run is the sender: one popup at a time, each within the deadline.
func (q *queue) run() {
	defer close(q.done)
	wait := q.retryMin
	for {
		p, isFold, ok := q.take()
		if !ok {
			return
		}
		ctx, cancel := context.WithTimeout(q.ctx, q.deadline)
		err := q.next.Show(ctx, p)
		cancel()
		if q.ctx.Err() != nil {
			return
		}
		q.settle(p, isFold, err)
		if err == nil {
			wait = q.retryMin
			continue
		}
		q.log.Warn("notify: the desktop did not take a popup; trying again later", "err", err, "in", wait)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-q.wake:
		case <-q.ctx.Done():
			t.Stop()
			return
		}
		t.Stop()
		wait = min(wait*2, q.retryMax)
	}
}

// settle records how showing p ended. A shown summary leaves what was
// folded in since; a failed one stays. A failed popup is folded in, or put
// back first in line if important, since a summary cannot say what it said.
func (q *queue) settle(p Popup, isFold bool, err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case isFold && err == nil:
		q.log.Info("notify: showed the summary of popups folded while the desktop did not take them", "tasks", max(p.Count, 1))
		// Popups folded in while it showed stay for the next summary.
		if q.folded.count -= max(p.Count, 1); q.folded.count <= 0 {
			q.folded = fold{}
		} else {
			q.folded.summaryID, q.folded.summaryCount = "", 0
		}
	case isFold || err == nil:
	case p.Important:
		q.pending = append([]Popup{p}, q.pending...)
		if len(q.pending) > q.max {
			q.foldOldest()
		}
	default:
		q.fold(p, "the desktop did not take a popup")
	}
}

// Close ends the sender, cancelling a popup it is showing, and closes the
// Notifier behind. Popups still waiting are dropped, and logged.
func (q *queue) Close() error {
	var err error
	q.once.Do(func() {
		q.mu.Lock()
		q.closed = true
		dropped := len(q.pending) + q.folded.count
		q.mu.Unlock()
		q.cancel()
		<-q.done
		if dropped > 0 {
			q.log.Info("notify: closing with popups the desktop had not taken", "popups", dropped)
		}
		err = q.next.Close()
	})
	return err
}

// waiting reports how many popups wait, and how many tasks were folded.
func (q *queue) waiting() (pending, folded int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.pending), q.folded.count
}
