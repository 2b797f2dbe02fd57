package notify

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"tasktray/conn"
)

// SummaryID is the Popup.ID of the summary a Coalescer shows for a burst.
// Each summary replaces the previous one where the desktop allows.
const SummaryID = "tasktray:summary"

// Defaults of CoalescerOptions.
const (
	// DefaultMax lets 4 popups through, so that a burst costs at most 5
	// popups with its summary.
	DefaultMax          = 4
	DefaultWindow       = 4 * time.Second
	DefaultSummaryEvery = 30 * time.Second
)

// CoalescerOptions configure a Coalescer.
type CoalescerOptions struct {
	// Max is how many popups may show within Window before the rest are
	// counted into a summary; 0 means DefaultMax.
	Max int
	// Window is the span Max counts over; a burst ends a Window after the
	// last task it held back. 0 means DefaultWindow.
	Window time.Duration
	// SummaryEvery is how often the summary is updated while a burst goes
	// on; it shows once the burst ends, or SummaryEvery after the last
	// summary if it never does. 0 means DefaultSummaryEvery.
	SummaryEvery time.Duration
	// Disabled shows every popup on its own, as SetEnabled(false) does.
	Disabled bool
	// Clock is the time source; nil means the real clock.
	Clock Clock
	// Logger receives errors of summaries, which show from a timer and so
	// cannot return them; nil means slog.Default().
	Logger *slog.Logger
}

// Clock is the time a Coalescer runs by; tests step a fake one.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine after d; stop cancels the
	// call and reports whether it did so before f started.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// Coalescer is a Notifier that keeps a burst of tasks from flooding the
// screen. Up to Max popups within Window show as they come; once more
// arrive, the rest of the burst is counted instead, and one summary popup
// ("37 new tasks") shows when the burst ends, that is a Window after the
// last task it held back. A burst that goes on gets its summary updated every
// SummaryEvery, each replacing the last, so a burst of 10,000 tasks in 10 s
// shows Max+1 popups. After the burst the next popup shows at once again,
// on its own. Important popups skip all this: they show at once and count
// for nothing.
type Coalescer struct {
	next     Notifier
	max      int
	window   time.Duration
	every    time.Duration
	clock    Clock
	log      *slog.Logger
	ctx      context.Context // for summaries; cancelled by Close
	cancel   context.CancelFunc
	flushing sync.WaitGroup // summaries being shown

	mu        sync.Mutex
	disabled  bool
	closed    bool
	shown     []time.Time // when the popups of the current Window showed; at most max
	held      int         // popups of the burst held back since the last summary
	total     int         // popups of the burst held back in all
	last      Popup       // the last popup held back
	lastAt    time.Time   // when it was held back
	since     time.Time   // when the first popup after the last summary was held back
	priority  int         // highest priority held back in the burst
	stopTimer func() bool // the pending flush, nil when no burst is on
}

// NewCoalescer returns a Coalescer that shows popups through next. Closing
// it closes next.
func NewCoalescer(next Notifier, o CoalescerOptions) *Coalescer {
	if o.Max <= 0 {
		o.Max = DefaultMax
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.SummaryEvery <= 0 {
		o.SummaryEvery = DefaultSummaryEvery
	}
	if o.Clock == nil {
		o.Clock = realClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Coalescer{next: next, max: o.Max, window: o.Window, every: o.SummaryEvery, clock: o.Clock, log: o.Logger,
		ctx: ctx, cancel: cancel, disabled: o.Disabled}
}

// SetEnabled turns coalescing on or off. Off, every popup shows on its own;
// a summary already pending still shows.
func (c *Coalescer) SetEnabled(on bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.disabled = !on
}

// SetMax sets how many popups may show within Window before the rest are
// counted into a summary (n < 1 means DefaultMax), from the next popup on.
func (c *Coalescer) SetMax(n int) {
	if n < 1 {
		n = DefaultMax
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.max = n
}

// Config reports whether coalescing is on, and its Max.
func (c *Coalescer) Config() (enabled bool, max int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.disabled, c.max
}

// Show shows p at once, or counts it into the burst's summary.
func (c *Coalescer) Show(ctx context.Context, p Popup) error {
	if !c.admit(p) {
		return nil
	}
	return c.next.Show(ctx, p)
}

// admit reports whether p shows now; if not, it counts p into the burst.
func (c *Coalescer) admit(p Popup) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.disabled || c.closed || p.Important {
		return true // closed: next reports the error
	}
	now := c.clock.Now()
	recent := c.shown[:0]
	for _, t := range c.shown {
		if now.Sub(t) < c.window {
			recent = append(recent, t)
		}
	}
	c.shown = recent
	// Once a burst has begun, everything joins the summary until it ends,
	// so single popups do not interleave with it.
	if c.stopTimer == nil && len(c.shown) < c.max {
		c.shown = append(c.shown, now)
		return true
	}
	if c.held == 0 {
		c.since = now
	}
	c.held++
	c.total++
	c.last, c.lastAt = p, now
	c.priority = max(c.priority, conn.ClampPriority(p.Priority))
	if c.stopTimer == nil {
		c.stopTimer = c.clock.AfterFunc(c.window, c.flush)
	}
	return false
}

// flush runs when the burst may have ended or its summary may be due. A
// burst ends a Window after the last task it held back: then its summary
// shows and the burst is over, so the next task shows at once. While the
// burst goes on, the summary is updated every SummaryEvery. Otherwise flush
// comes back at the first moment either can be true.
func (c *Coalescer) flush() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	now := c.clock.Now()
	over := now.Sub(c.lastAt) >= c.window
	due := c.held > 0 && now.Sub(c.since) >= c.every
	if !over && !due {
		next := c.lastAt.Add(c.window)
		if c.held > 0 {
			next = minTime(next, c.since.Add(c.every))
		}
		c.stopTimer = c.clock.AfterFunc(next.Sub(now), c.flush)
		c.mu.Unlock()
		return
	}
	if c.held == 0 { // over, and the last summary counted it all
		c.endBurst()
		c.mu.Unlock()
		return
	}
	summary := c.summary()
	if over {
		c.endBurst()
	} else {
		c.held = 0
		c.stopTimer = c.clock.AfterFunc(c.lastAt.Add(c.window).Sub(now), c.flush)
	}
	c.flushing.Add(1)
	c.mu.Unlock()

	defer c.flushing.Done()
	if err := c.next.Show(c.ctx, summary); err != nil {
		c.log.Warn("notify: show the summary of a burst", "err", err)
	}
}

// summary returns the popup that stands for the tasks held back in the
// burst so far. Each replaces the last on screen, so it counts them all;
// no task that showed on its own is among them.
func (c *Coalescer) summary() Popup {
	if c.total == 1 {
		return c.last // a summary of one says less than the popup itself
	}
	title, body := summaryText(c.total, c.last.Title)
	return Popup{ID: SummaryID, Title: title, Body: body, Priority: c.priority, Count: c.total, Sound: c.last.Sound}
}

// endBurst forgets the burst: the next popup is judged by the Window alone.
func (c *Coalescer) endBurst() {
	c.stopTimer = nil
	c.held, c.total, c.priority, c.last = 0, 0, 0, Popup{}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// Close drops a pending summary, waits for one being shown, and closes the
// Notifier behind.
func (c *Coalescer) Close() error {
	c.mu.Lock()
	c.closed = true
	if c.stopTimer != nil {
		c.stopTimer()
		c.stopTimer = nil
	}
	c.mu.Unlock()
	c.cancel()
	c.flushing.Wait()
	return c.next.Close()
}
