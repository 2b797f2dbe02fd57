package notify

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"
)

// stuckNotifier is a desktop that takes nothing until the test lets it:
// each Show waits for open (or its context), then fails while fail > 0.
type stuckNotifier struct {
	started chan Popup    // gets each popup as its Show begins
	open    chan struct{} // closed to let Shows through

	mu     sync.Mutex
	fail   int // Shows still to fail once through
	shown  []Popup
	closed bool
}

func newStuckNotifier() *stuckNotifier {
	return &stuckNotifier{started: make(chan Popup, 100), open: make(chan struct{})}
}

func (s *stuckNotifier) Show(ctx context.Context, p Popup) error {
	s.started <- p
	select {
	case <-s.open:
	case <-ctx.Done():
		return ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail > 0 {
		s.fail--
		return errors.New("the daemon said no")
	}
	s.shown = append(s.shown, p)
	return nil
}

func (s *stuckNotifier) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// waitShown waits until n popups showed and returns their titles.
func (s *stuckNotifier) waitShown(t *testing.T, n int) []string {
	t.Helper()
	guard := time.After(10 * time.Second)
	for {
		s.mu.Lock()
		var titles []string
		for _, p := range s.shown {
			titles = append(titles, p.Title)
		}
		s.mu.Unlock()
		if len(titles) >= n {
			return titles
		}
		select {
		case <-s.started:
		case <-guard:
			t.Fatalf("shown %q, want %d popups", titles, n)
		case <-time.After(10 * time.Millisecond): // a Show may end without starting another
		}
	}
}

func newTestQueue(t *testing.T, next Notifier, o Options) *queue {
	t.Helper()
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	q := newQueue(next, nil, o.withDefaults())
	t.Cleanup(func() { q.Close() })
	return q
}

func queueShow(t *testing.T, q *queue, p Popup) {
	t.Helper()
	if err := q.Show(context.Background(), p); err != nil {
		t.Fatal(err)
	}
}

// TestQueueFoldsTheOldest: while the desktop takes nothing, Show returns
// at once and at most queueLen popups wait; the oldest are folded into a
// summary that shows first, an important popup is kept as it is, and the
// newest show on their own.
func TestQueueFoldsTheOldest(t *testing.T) {
	next := newStuckNotifier()
	q := newTestQueue(t, next, Options{queueLen: 3, deadline: time.Hour})
	queueShow(t, q, task(0))
	<-next.started // task 0 is with the desktop
	queueShow(t, q, Popup{Title: "log in again", Important: true})
	for i := 1; i <= 5; i++ {
		queueShow(t, q, task(i))
	}
	if pending, folded := q.waiting(); pending != 3 || folded != 3 {
		t.Errorf("%d waiting and %d folded, want 3 and 3", pending, folded)
	}
	close(next.open)
	got := next.waitShown(t, 5)
	want := []string{"task 0", "3 new tasks", "log in again", "task 4", "task 5"}
	if !slices.Equal(got, want) {
		t.Errorf("shown %q, want %q", got, want)
	}
	if s := next.shown[1]; s.Body != "Latest: task 3" || s.Count != 3 || s.URL != "" {
		t.Errorf("summary %+v", s)
	}
}

// TestQueueFailures: an important popup the desktop refused is tried
// again as it is; a task it refused is folded in, and a summary of one
// shows the task itself.
func TestQueueFailures(t *testing.T) {
	next := newStuckNotifier()
	next.fail = 2
	close(next.open)
	q := newTestQueue(t, next, Options{retryMin: time.Millisecond, retryMax: time.Millisecond})
	queueShow(t, q, Popup{Title: "log in again", Important: true})
	next.waitShown(t, 1)
	next.mu.Lock()
	next.fail = 1
	next.mu.Unlock()
	queueShow(t, q, task(1))
	got := next.waitShown(t, 2)
	if want := []string{"log in again", "task 1"}; !slices.Equal(got, want) {
		t.Errorf("shown %q, want %q", got, want)
	}
	if p := next.shown[1]; p.ID != "task-1" {
		t.Errorf("task 1 came back as %+v, want the task itself", p)
	}
	// The sender settles a popup just after the desktop took it.
	for guard := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		pending, folded := q.waiting()
		if pending == 0 && folded == 0 {
			break
		}
		if time.Now().After(guard) {
			t.Fatalf("%d waiting and %d folded after all showed", pending, folded)
		}
	}
}

// TestQueueFoldsABurstOnce: the Coalescer's summaries of one burst each
// count the whole burst, so folding two of them counts it once.
func TestQueueFoldsABurstOnce(t *testing.T) {
	next := newStuckNotifier()
	q := newTestQueue(t, next, Options{queueLen: 1, deadline: time.Hour})
	queueShow(t, q, task(0))
	<-next.started
	summary := func(n int) Popup {
		return Popup{ID: SummaryID, Title: textNewTasks.N(n), Body: "Latest: task x", Count: n}
	}
	queueShow(t, q, summary(10))
	queueShow(t, q, summary(20)) // folds the summary of 10
	queueShow(t, q, task(1))     // folds the summary of 20
	queueShow(t, q, summary(25)) // the same burst again: joins the fold
	close(next.open)
	got := next.waitShown(t, 3)
	if want := []string{"task 0", "25 new tasks", "task 1"}; !slices.Equal(got, want) {
		t.Errorf("shown %q, want %q", got, want)
	}
}

// TestQueueCloseEndsAHungShow: Close does not wait out the deadline of a
// popup the desktop holds, ends the sender (TestMain's goleak checks), and
// closes the notifier behind; Show then fails.
func TestQueueCloseEndsAHungShow(t *testing.T) {
	next := newStuckNotifier()
	q := newQueue(next, nil, Options{deadline: time.Hour, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}.withDefaults())
	queueShow(t, q, task(0))
	queueShow(t, q, task(1))
	<-next.started
	closed := make(chan error, 1)
	go func() { closed <- q.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited for a popup the desktop does not take")
	}
	if !next.closed {
		t.Error("Close did not close the notifier behind")
	}
	if err := q.Show(context.Background(), task(2)); !errors.Is(err, ErrClosed) {
		t.Errorf("Show after Close: %v, want ErrClosed", err)
	}
}
