package notify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeClock runs timers when the test advances it, in the test's goroutine.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at      time.Time
	f       func()
	stopped bool
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		was := !t.stopped
		t.stopped = true
		return was
	}
}

// Advance moves time on by d, firing due timers in order.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		var next *fakeTimer
		for _, t := range c.timers {
			if !t.stopped && !t.at.After(end) && (next == nil || t.at.Before(next.at)) {
				next = t
			}
		}
		if next == nil {
			c.now = end
			c.mu.Unlock()
			return
		}
		next.stopped = true
		c.now = next.at
		c.mu.Unlock()
		next.f()
	}
}

// recorder is a Notifier that keeps what it is asked to show.
type recorder struct {
	mu     sync.Mutex
	popups []Popup
	at     []time.Time // when each popup showed, if clock is set
	clock  *fakeClock
	closed bool
	err    error
	shown  chan Popup // if not nil, receives each popup too
}

func (r *recorder) Show(_ context.Context, p Popup) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.popups = append(r.popups, p)
	if r.clock != nil {
		r.at = append(r.at, r.clock.Now())
	}
	if r.shown != nil {
		r.shown <- p
	}
	return r.err
}

func (r *recorder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	return nil
}

func (r *recorder) titles() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var t []string
	for _, p := range r.popups {
		t = append(t, p.Title)
	}
	return t
}

func task(i int) Popup {
	return Popup{ID: fmt.Sprint("task-", i), Title: fmt.Sprint("task ", i), Priority: 3}
}

func newTestCoalescer(t *testing.T, o CoalescerOptions) (*Coalescer, *recorder, *fakeClock) {
	t.Helper()
	rec, clock := &recorder{}, newFakeClock()
	o.Clock = clock
	c := NewCoalescer(rec, o)
	t.Cleanup(func() { c.Close() })
	return c, rec, clock
}

func show(t *testing.T, c *Coalescer, p Popup) {
	t.Helper()
	if err := c.Show(context.Background(), p); err != nil {
		t.Fatal(err)
	}
}

func TestCoalescerPassesAFew(t *testing.T) {
	c, rec, clock := newTestCoalescer(t, CoalescerOptions{})
	for i := range 5 {
		show(t, c, task(i))
		clock.Advance(100 * time.Millisecond)
	}
	clock.Advance(time.Minute)
	want := []string{"task 0", "task 1", "task 2", "task 3", "task 4"}
	if got := rec.titles(); !slices.Equal(got, want) {
		t.Errorf("shown %q, want %q", got, want)
	}
}

func TestCoalescerSumsUpABurst(t *testing.T) {
	c, rec, clock := newTestCoalescer(t, CoalescerOptions{})
	const n = 10000
	for i := range n {
		show(t, c, task(i))
		if i%100 == 0 {
			clock.Advance(10 * time.Millisecond) // 10,000 tasks in one second
		}
	}
	if got := len(rec.titles()); got != DefaultMax {
		t.Fatalf("%d popups during the burst, want %d", got, DefaultMax)
	}
	clock.Advance(DefaultWindow)
	clock.Advance(time.Hour)
	want := []string{"task 0", "task 1", "task 2", "task 3", "9996 new tasks"}
	if got := rec.titles(); !slices.Equal(got, want) {
		t.Fatalf("shown %q, want %q", got, want)
	}
	s := rec.popups[DefaultMax]
	if s.ID != SummaryID || s.Body != "Latest: task 9999" || s.URL != "" || s.Priority != 3 {
		t.Errorf("summary %+v", s)
	}

	// The burst is over: the next task shows at once.
	show(t, c, task(n))
	if got := rec.titles(); got[len(got)-1] != fmt.Sprint("task ", n) {
		t.Errorf("after the burst, shown %q", got)
	}
}

// TestCoalescerLongBurst checks a flood that lasts: the summary is updated
// every SummaryEvery, counting all the tasks held back in the burst, and
// once more when it ends.
func TestCoalescerLongBurst(t *testing.T) {
	c, rec, clock := newTestCoalescer(t, CoalescerOptions{Max: 2, Window: time.Second, SummaryEvery: 2 * time.Second})
	for i := range 50 { // 10 a second for 5 s
		show(t, c, task(i))
		clock.Advance(100 * time.Millisecond)
	}
	clock.Advance(time.Hour)
	want := []string{"task 0", "task 1", "20 new tasks", "40 new tasks", "48 new tasks"}
	if got := rec.titles(); !slices.Equal(got, want) {
		t.Errorf("shown %q, want %q", got, want)
	}
	for _, p := range rec.popups[2:] {
		if p.ID != SummaryID {
			t.Errorf("summary %q has ID %q, want %q", p.Title, p.ID, SummaryID)
		}
	}
}

func TestCoalescerWindowSlides(t *testing.T) {
	c, rec, clock := newTestCoalescer(t, CoalescerOptions{Max: 2, Window: time.Second})
	show(t, c, task(0))
	clock.Advance(600 * time.Millisecond)
	show(t, c, task(1))
	clock.Advance(500 * time.Millisecond) // task 0 is now out of the window
	show(t, c, task(2))
	show(t, c, task(3)) // third within the window: held
	clock.Advance(time.Hour)
	// A burst of one shows the task itself, not "1 new tasks".
	want := []string{"task 0", "task 1", "task 2", "task 3"}
	if got := rec.titles(); !slices.Equal(got, want) {
		t.Errorf("shown %q, want %q", got, want)
	}
	if rec.popups[3].ID != "task-3" {
		t.Errorf("held popup shown as %+v", rec.popups[3])
	}
}

func TestCoalescerSummaryKeepsHighestPriority(t *testing.T) {
	c, rec, clock := newTestCoalescer(t, CoalescerOptions{Max: 1})
	show(t, c, task(0))
	for i, prio := range []int{1, 5, 0, 2} {
		p := task(i + 1)
		p.Priority = prio
		show(t, c, p)
	}
	clock.Advance(time.Hour)
	if s := rec.popups[len(rec.popups)-1]; s.Title != "4 new tasks" || s.Priority != 5 {
		t.Errorf("summary %q with priority %d, want 4 tasks at 5", s.Title, s.Priority)
	}
}

func TestCoalescerOff(t *testing.T) {
	c, rec, clock := newTestCoalescer(t, CoalescerOptions{Disabled: true})
	for i := range 20 {
		show(t, c, task(i))
	}
	if got := len(rec.titles()); got != 20 {
		t.Errorf("disabled: %d popups, want 20", got)
	}

	c.SetEnabled(true)
	for i := range 20 {
		show(t, c, task(i))
	}
	clock.Advance(time.Hour)
	if got := len(rec.titles()); got != 20+DefaultMax+1 {
		t.Errorf("enabled: %d popups, want %d", got, 20+DefaultMax+1)
	}
}

func TestCoalescerClose(t *testing.T) {
	rec, clock := &recorder{}, newFakeClock()
	c := NewCoalescer(rec, CoalescerOptions{Max: 1, Clock: clock})
	show(t, c, task(0))
	show(t, c, task(1))
	show(t, c, task(2))
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour) // a timer that fires anyway must not show
	if got := rec.titles(); !slices.Equal(got, []string{"task 0"}) {
		t.Errorf("shown %q; a pending summary must be dropped on Close", got)
	}
	if !rec.closed {
		t.Error("Close did not close the Notifier behind")
	}
}

func TestCoalescerReportsErrors(t *testing.T) {
	c, rec, _ := newTestCoalescer(t, CoalescerOptions{})
	rec.err = errors.New("no daemon")
	if err := c.Show(context.Background(), task(0)); err == nil {
		t.Error("Show hid the error of the Notifier behind")
	}
}

// TestCoalescerRealClock runs a burst from several goroutines on the real
// clock, for the timer and locking paths the fake clock does not take; -race
// checks them. Every task is shown once: on its own, or counted in the
// summary of its burst. A loaded machine may pause for a Window between
// two tasks, which ends the burst (its summary shows) and lets the next task
// show on its own, so how the 200 split is not fixed; that they all add up,
// and that a task shows first, is.
func TestCoalescerRealClock(t *testing.T) {
	rec := &recorder{shown: make(chan Popup, 10)}
	c := NewCoalescer(rec, CoalescerOptions{Max: 1, Window: 50 * time.Millisecond})
	const tasks = 200
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range tasks / 4 {
				c.Show(context.Background(), task(g*100+i))
			}
		}()
	}
	// stands is how many tasks a popup shows: a summary its Count (the
	// tasks held back in its burst; SummaryEvery, 30 s, never comes first
	// here), a task itself one.
	stands := func(p Popup) int {
		if p.ID == SummaryID {
			if want := textNewTasks.N(p.Count); p.Title != want {
				t.Errorf("summary %q counts %d", p.Title, p.Count)
			}
			return p.Count
		}
		return 1
	}
	timeout := time.After(10 * time.Second)
	for n := 0; n < tasks; {
		select {
		case p := <-rec.shown:
			n += stands(p)
		case <-timeout:
			t.Fatalf("popups stand for %d of %d tasks", n, tasks)
		}
	}
	wg.Wait()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	n := 0
	for _, p := range rec.popups {
		n += stands(p)
	}
	if n != tasks || rec.popups[0].ID == SummaryID {
		t.Errorf("shown %d popups standing for %d tasks, want %d and a task first: %+v", len(rec.popups), n, tasks, rec.popups)
	}
}

// TestCoalescerAfterTheBurst is defect 19 of issue 10: a task that comes
// once a burst is over shows at once, on its own (with its ID and link),
// and a summary counts only tasks that did not show on their own. Each
// case lists when tasks arrive and when and what shows, on a fake clock.
func TestCoalescerAfterTheBurst(t *testing.T) {
	type arrival struct {
		at time.Duration
		n  int // task number
	}
	type shown struct {
		at    time.Duration
		title string
	}
	burst := func(at time.Duration, from, to int) []arrival {
		var a []arrival
		for i := from; i <= to; i++ {
			a = append(a, arrival{at, i})
		}
		return a
	}
	tests := []struct {
		name string
		in   []arrival
		want []shown
	}{{
		// 4 show, 1 held and shown as itself when the burst ends at 4 s;
		// task 5 at 5 s shows at once, and no summary follows.
		name: "lone task 5s after a burst of 5",
		in:   append(burst(0, 0, 4), arrival{5 * time.Second, 5}),
		want: []shown{{0, "task 0"}, {0, "task 1"}, {0, "task 2"}, {0, "task 3"}, {4 * time.Second, "task 4"}, {5 * time.Second, "task 5"}},
	}, {
		name: "lone task 3.5s after the burst ended",
		in:   append(burst(0, 0, 5), arrival{7500 * time.Millisecond, 6}),
		want: []shown{{0, "task 0"}, {0, "task 1"}, {0, "task 2"}, {0, "task 3"}, {4 * time.Second, "2 new tasks"}, {7500 * time.Millisecond, "task 6"}},
	}, {
		// The burst's last task comes at 100 ms, so it is over at 4.1 s:
		// its summary shows then, not a whole Window later.
		name: "burst spread over 100ms, lone task at 6s",
		in:   append(append(burst(0, 0, 4), burst(100*time.Millisecond, 5, 6)...), arrival{6 * time.Second, 7}),
		want: []shown{{0, "task 0"}, {0, "task 1"}, {0, "task 2"}, {0, "task 3"}, {4100 * time.Millisecond, "3 new tasks"}, {6 * time.Second, "task 7"}},
	}, {
		// A task while the burst goes on joins it: nothing of it showed.
		name: "task during the burst joins its summary",
		in:   append(burst(0, 0, 4), arrival{3 * time.Second, 5}),
		want: []shown{{0, "task 0"}, {0, "task 1"}, {0, "task 2"}, {0, "task 3"}, {7 * time.Second, "2 new tasks"}},
	}, {
		// A burst ends a Window after its last task, so every popup that
		// showed in it is out of the Window: a new burst starts afresh.
		name: "second burst after the first ended",
		in:   append(burst(0, 0, 4), burst(5*time.Second, 5, 9)...),
		want: []shown{{0, "task 0"}, {0, "task 1"}, {0, "task 2"}, {0, "task 3"}, {4 * time.Second, "task 4"},
			{5 * time.Second, "task 5"}, {5 * time.Second, "task 6"}, {5 * time.Second, "task 7"}, {5 * time.Second, "task 8"}, {9 * time.Second, "task 9"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, rec, clock := newTestCoalescer(t, CoalescerOptions{})
			rec.clock = clock
			start := clock.Now()
			for _, a := range tt.in {
				clock.Advance(a.at - clock.Now().Sub(start))
				p := task(a.n)
				p.URL = fmt.Sprint("https://example.com/", a.n)
				show(t, c, p)
			}
			clock.Advance(time.Hour)
			var got []shown
			for i, p := range rec.popups {
				got = append(got, shown{rec.at[i].Sub(start), p.Title})
				if p.ID != SummaryID && (p.URL == "" || p.ID == "") {
					t.Errorf("task popup %q lost its ID or link: %+v", p.Title, p)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("shown\n %v\nwant\n %v", got, tt.want)
			}
		})
	}
}

// TestCoalescerSummaryCount checks that a summary says how many tasks it
// stands for in Count, for a queue that has to fold it.
func TestCoalescerSummaryCount(t *testing.T) {
	c, rec, clock := newTestCoalescer(t, CoalescerOptions{Max: 1})
	for i := range 4 {
		show(t, c, task(i))
	}
	clock.Advance(time.Hour)
	if s := rec.popups[len(rec.popups)-1]; s.ID != SummaryID || s.Count != 3 {
		t.Errorf("summary %+v, want ID %q and Count 3", s, SummaryID)
	}
}

// TestCoalescerImportantBypasses is defect 11 of issue 10: an important
// popup ("log in again") shows at once, even mid-burst, and is neither
// folded into the summary nor counted in it.
func TestCoalescerImportantBypasses(t *testing.T) {
	c, rec, clock := newTestCoalescer(t, CoalescerOptions{Max: 1})
	show(t, c, task(0))
	show(t, c, task(1)) // held: the burst is on
	show(t, c, Popup{ID: "auth-required", Title: "log in again", Important: true})
	if got := rec.titles(); !slices.Equal(got, []string{"task 0", "log in again"}) {
		t.Fatalf("shown %q; the important popup must show at once", got)
	}
	show(t, c, task(2))
	clock.Advance(time.Hour)
	want := []string{"task 0", "log in again", "2 new tasks"}
	if got := rec.titles(); !slices.Equal(got, want) {
		t.Errorf("shown %q, want %q", got, want)
	}

	// Nor does it take a task's place in the Window.
	show(t, c, Popup{Title: "gap", Important: true})
	show(t, c, task(3))
	if got := rec.titles(); got[len(got)-1] != "task 3" {
		t.Errorf("after an important popup, shown %q; task 3 should show at once", got)
	}
}
