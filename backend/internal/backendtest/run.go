package backendtest

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tasktray/conn"
)

// Run is a conn.Client run for one test, with what it delivered and the
// newest state it published.
type Run struct {
	t      *testing.T
	client *conn.Client
	cancel context.CancelFunc
	done   chan struct{}

	mu    sync.Mutex
	order []string             // IDs in delivery order, repeats included
	at    map[string]time.Time // first delivery of each ID
	tasks map[string]conn.Task
	state conn.State
}

// FastBackoff redials within a second, so ten forced disconnects take
// seconds, not minutes.
var FastBackoff = conn.Backoff{Base: 100 * time.Millisecond, Max: time.Second}

// StartRun runs a client with cfg, logging to the test's output, until the
// test ends (or Stop).
func StartRun(t *testing.T, cfg conn.Config) *Run {
	t.Helper()
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := conn.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Run{t: t, client: c, cancel: cancel, done: make(chan struct{}), at: map[string]time.Time{}, tasks: map[string]conn.Task{}}
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		if err := c.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case task := <-c.Tasks():
				r.mu.Lock()
				r.order = append(r.order, task.ID)
				if _, ok := r.at[task.ID]; !ok {
					r.at[task.ID] = time.Now()
					r.tasks[task.ID] = task
				}
				r.mu.Unlock()
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case s := <-c.States():
				r.mu.Lock()
				r.state = s
				r.mu.Unlock()
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(r.done) }()
	t.Cleanup(r.Stop)
	return r
}

// Stop ends the client and waits until its goroutines are gone.
func (r *Run) Stop() {
	r.cancel()
	<-r.done
}

// WaitFor waits until every id was delivered.
func (r *Run) WaitFor(timeout time.Duration, ids ...string) {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		r.mu.Lock()
		var missing []string
		for _, id := range ids {
			if _, ok := r.at[id]; !ok {
				missing = append(missing, id)
			}
		}
		r.mu.Unlock()
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("after %v, %d of %d tasks not delivered (e.g. %v); state %v", timeout, len(missing), len(ids), missing[:min(5, len(missing))], r.State())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// WaitState waits until ok accepts the client's state.
func (r *Run) WaitState(timeout time.Duration, what string, ok func(conn.State) bool) conn.State {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := r.State()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("after %v, still not %s: %v", timeout, what, s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// WaitReconnected waits for a Connected state of a newer generation than gen.
func (r *Run) WaitReconnected(timeout time.Duration, gen uint64) conn.State {
	r.t.Helper()
	return r.WaitState(timeout, fmt.Sprintf("connected after generation %d", gen), func(s conn.State) bool {
		return s.Phase == conn.Connected && s.Generation > gen
	})
}

// State is the newest state the client published.
func (r *Run) State() conn.State {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state
}

// At is when id was first delivered (zero if never).
func (r *Run) At(id string) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.at[id]
}

// Task is the task delivered with id.
func (r *Run) Task(id string) conn.Task {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tasks[id]
}

// Gaps is the client's Client.Gaps: the newest gap it told, if any.
func (r *Run) Gaps() <-chan conn.Gap { return r.client.Gaps() }

// Delivered lists delivered IDs in order, repeats included.
func (r *Run) Delivered() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.order)
}

// tally counts, for the published ids, how many were delivered, how many
// more than once, and which were delivered without being published.
func (r *Run) tally(published []string) (delivered, duplicated int, strangers []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	want := map[string]bool{}
	for _, id := range published {
		want[id] = true
	}
	seen := map[string]int{}
	at := map[string][]int{}
	for i, id := range r.order {
		seen[id]++
		at[id] = append(at[id], i)
	}
	for id, n := range seen {
		if !want[id] {
			strangers = append(strangers, id)
			continue
		}
		delivered++
		duplicated += n - 1
		if n > 1 {
			r.t.Logf("%s delivered %d times, as deliveries %v of %d", id, n, at[id], len(r.order))
		}
	}
	return delivered, duplicated, strangers
}

// CheckExactlyOnce fails unless every published id was delivered once and
// nothing else was, after settle (time for late repeats to show up).
func (r *Run) CheckExactlyOnce(kind, what string, published []string, settle time.Duration) {
	r.t.Helper()
	time.Sleep(settle)
	delivered, duplicated, strangers := r.tally(published)
	r.t.Logf("%s, %s: published %d, delivered %d, duplicated %d", kind, what, len(published), delivered, duplicated)
	if delivered != len(published) || duplicated != 0 || len(strangers) != 0 {
		r.t.Errorf("not exactly once: published %d, delivered %d, duplicated %d, unexpected [%s]",
			len(published), delivered, duplicated, strings.Join(strangers, " "))
	}
}

// CursorFile is a conn.FileCursor in the test's temporary folder.
func CursorFile(t *testing.T) conn.FileCursor {
	return conn.FileCursor{Path: filepath.Join(t.TempDir(), "cursor.json")}
}

// CutAndReconnect breaks the client's link with cut n times, 150 ms after
// the call or the last reconnect, each time waiting up to timeout for the
// client to connect again; then it lets 150 ms more pass.
func (r *Run) CutAndReconnect(n int, timeout time.Duration, cut func()) {
	r.t.Helper()
	for range n {
		time.Sleep(150 * time.Millisecond)
		gen := r.State().Generation
		cut()
		r.WaitReconnected(timeout, gen)
	}
	time.Sleep(150 * time.Millisecond)
}

// Outage takes the server down with stop, waits up to timeout until the
// client is redialling, lets a few dials fail (2 s), brings the server back
// with restart and returns when it was back. An error from stop or restart
// ends the test.
func (r *Run) Outage(timeout time.Duration, stop, restart func() error) (back time.Time) {
	r.t.Helper()
	if err := stop(); err != nil {
		r.t.Fatal(err)
	}
	r.WaitState(timeout, "reconnecting", func(s conn.State) bool { return s.Phase == conn.Reconnecting })
	time.Sleep(2 * time.Second) // a few failed dials
	if err := restart(); err != nil {
		r.t.Fatal(err)
	}
	return time.Now()
}
