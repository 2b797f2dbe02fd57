package tray

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"tasktray/auth"
	"tasktray/conn"
	"tasktray/ipc"
	"tasktray/notify"
)

func TestRecentIsBounded(t *testing.T) {
	r := newRecent(3)
	for i := range 5 {
		r.add(conn.Task{ID: string(rune('a' + i))})
	}
	r.markRead("d")
	m := r.message(r.head(0))
	if len(m.Tasks) != 3 || m.Tasks[0].ID != "e" || m.Tasks[0].Seq != 5 || m.Tasks[2].ID != "c" || m.Total != 3 || m.Unread != 2 {
		t.Fatalf("recent = %+v", m)
	}
	if _, _, ok := r.markRead("a"); ok {
		t.Fatal("dropped task still reachable")
	}
	if _, wasUnread, ok := r.markRead("d"); !ok || wasUnread {
		t.Errorf("marking d read again: found %t, was unread %t", ok, wasUnread)
	}
}

// seqs lists the Seqs of a page.
func seqs(p *page) []int64 {
	var out []int64
	for _, t := range p.tasks {
		out = append(out, t.Seq)
	}
	return out
}

func TestRecentPages(t *testing.T) {
	r := newRecent(1000)
	if p := r.head(0); len(p.tasks) != 0 || r.newest() != 0 {
		t.Fatalf("empty list: head %v, newest %d", seqs(p), r.newest())
	}
	for i := range 1200 { // 1..200 are dropped
		r.add(conn.Task{ID: fmt.Sprint(i + 1), Title: "t"})
	}
	check := func(name string, p *page, first, last int64) {
		t.Helper()
		got := seqs(p)
		if first == 0 {
			if len(got) != 0 {
				t.Errorf("%s = %d tasks, want none", name, len(got))
			}
			return
		}
		if len(got) != int(first-last+1) || got[0] != first || got[len(got)-1] != last {
			t.Errorf("%s = %d tasks from %v, want %d..%d", name, len(got), got[:min(len(got), 3)], first, last)
			return
		}
		for i := 1; i < len(got); i++ {
			if got[i] != got[i-1]-1 {
				t.Fatalf("%s not newest first at %d: %d after %d", name, i, got[i], got[i-1])
			}
		}
	}
	check("head", r.head(0), 1200, 701)
	check("head after 1150", r.head(1150), 1200, 1151)
	check("head after the newest", r.head(1200), 0, 0)
	check("older than 701", r.older(701), 700, 201)
	check("older than 300", r.older(300), 299, 201)
	check("older than the oldest", r.older(201), 0, 0)
	check("older than a dropped task", r.older(150), 0, 0)
	check("older than a task to come", r.older(5000), 1200, 701)

	p := r.head(1190)
	r.addSeqs(p, []int64{1195, 300, 100, 300, 9999})
	if got := seqs(p); len(got) != 11 || got[10] != 300 {
		t.Errorf("head after 1190 with 1195, 300 and some not held = %v", got)
	}

	r.markAllRead()
	r.add(conn.Task{ID: "new"})
	m := r.message(r.head(1200))
	if m.ReadThrough != 1200 || m.Unread != 1 || m.Total != 1000 || len(m.Tasks) != 1 || m.Tasks[0].Read {
		t.Errorf("after mark all read and one more task: %+v", m)
	}
}

func TestListedTask(t *testing.T) {
	long := strings.Repeat("é", 1000)
	task := recentTask{Task: conn.Task{ID: "42", Title: long, Body: long, URL: "https://example.com/42", Priority: 5}, seq: 7}
	got := task.listed()
	if got.ID != "42" || got.Seq != 7 || got.URL != task.URL || got.Priority != 5 || got.Read {
		t.Errorf("listed = %+v", got)
	}
	if got.Title != strings.Repeat("é", 199)+"…" || got.Body != strings.Repeat("é", 299)+"…" {
		t.Errorf("previews of %d and %d characters", len([]rune(got.Title)), len([]rune(got.Body)))
	}
	task.ID, task.URL = strings.Repeat("x", maxListID+1), "https://example.com/"+strings.Repeat("x", maxListURL)
	if got := task.listed(); got.ID != "" || got.URL != "" {
		t.Errorf("over-long ID and URL listed as %d and %d bytes, want left out", len(got.ID), len(got.URL))
	}
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"", 3, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "ab…"},
		{"ééé", 3, "ééé"},
		{"éééé", 3, "éé…"},
		{"a\xffbcd", 3, "a\xff…"},
	} {
		if got := preview(tc.s, tc.n); got != tc.want {
			t.Errorf("preview(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

// discardMenu is a Menu that shows nothing.
type discardMenu struct{}

func (discardMenu) Render(View)            {}
func (discardMenu) Actions() <-chan Action { return nil }

// discardPopups is a Popups that shows nothing.
type discardPopups struct{}

func (discardPopups) Show(context.Context, notify.Popup) error { return nil }

// lineWindow is a window process that keeps every message the agent sends
// it, with the length of its line on the pipe.
type lineWindow struct {
	mu    sync.Mutex
	sent  []ipc.Message
	sizes []int
	quit  chan struct{}
	once  sync.Once
}

func (w *lineWindow) Send(m ipc.Message) error {
	line, err := ipc.Encode(m)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sent = append(w.sent, m)
	w.sizes = append(w.sizes, len(line))
	return nil
}

func (w *lineWindow) Receive() (ipc.Message, error) { <-w.quit; return nil, io.EOF }
func (w *lineWindow) Kill() error                   { w.once.Do(func() { close(w.quit) }); return nil }
func (w *lineWindow) Wait() error                   { <-w.quit; return nil }

// tasksSince returns the Tasks messages after the first n messages, and
// how many messages there are now.
func (w *lineWindow) tasksSince(n int) ([]ipc.Tasks, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []ipc.Tasks
	for _, m := range w.sent[n:] {
		if m, ok := m.(ipc.Tasks); ok {
			out = append(out, m)
		}
	}
	return out, len(w.sent)
}

// directAgent is an Agent driven by the test on the test's goroutine, as
// Run would drive it, with Recent tasks open in a lineWindow.
func directAgent(t *testing.T) (*Agent, *lineWindow, context.Context) {
	t.Helper()
	win := &lineWindow{quit: make(chan struct{})}
	a, err := NewAgent(Config{
		Menu:    discardMenu{},
		Popups:  discardPopups{},
		Tokens:  auth.NewTokenStore(auth.NewSystemKeyring(time.Second)),
		Windows: func(context.Context, string) (WindowProcess, error) { return win, nil },
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() {
		cancel()
		win.Kill()
		<-a.windows[ipc.ViewRecent].done // readWindow has ended
	})
	a.onAction(ctx, ActionRecent)
	return a, win, ctx
}

// TestRecentPagesStayBounded fills the agent with 10,000 tasks, flushing to
// the open window as Run does during a burst, then pages through them as
// the window does: every message stays under ipc.MaxLineSize, and every
// task is reached exactly once, newest first. Tasks made to be as large as
// JSON can make them get smaller pages, not larger messages (the test pages
// through the first 100 of those only: encoding all takes seconds).
func TestRecentPagesStayBounded(t *testing.T) {
	for _, tc := range []struct {
		name  string
		pages int
		task  func(i int) conn.Task
	}{
		{"plain", MaxRecent, func(i int) conn.Task {
			return conn.Task{ID: fmt.Sprint(i), Title: fmt.Sprint("Task ", i), Body: "build 812 on main",
				URL: "https://tasks.example.com/" + fmt.Sprint(i), Priority: 3, Time: time.Now()}
		}},
		{"huge", 100, func(i int) conn.Task {
			id := fmt.Sprint(i)
			if i%10 == 0 {
				id += hugeID // too long to list
			}
			return conn.Task{ID: id, Title: hugeText, Body: hugeText, URL: hugeURL, Priority: 5, Time: time.Now()}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, win, ctx := directAgent(t)
			for i := range MaxRecent {
				a.onTask(ctx, tc.task(i))
				if i%200 == 199 { // 5 flushes a second during 1,000 tasks a second
					a.flushWindows()
				}
			}
			a.flushWindows()
			// The flushes carried each task once at most, all of them when a
			// page holds what came since the last.
			msgs, n := win.tasksSince(0)
			seen := map[int64]bool{}
			for _, m := range msgs {
				for _, task := range m.Tasks {
					if seen[task.Seq] {
						t.Fatalf("task %d sent twice", task.Seq)
					}
					seen[task.Seq] = true
				}
			}
			if tc.name == "plain" && len(seen) != MaxRecent {
				t.Errorf("the flushes carried %d tasks of %d", len(seen), MaxRecent)
			}
			// Say the window holds only the last message's tasks: it asks
			// for the older ones.
			var order []int64
			last := msgs[len(msgs)-1]
			for _, task := range last.Tasks {
				order = append(order, task.Seq)
			}
			pages := 1
			for len(order) < MaxRecent && pages < tc.pages {
				a.onWindowMsg(ctx, ipc.ViewRecent, ipc.More{Before: order[len(order)-1]})
				msgs, n = win.tasksSince(n)
				// Huge tasks hit MaxRecentBytes before MaxRecent.
				if len(msgs) != 1 || len(msgs[0].Tasks) == 0 || msgs[0].Total != len(a.recent.tasks) {
					t.Fatalf("answer to more before %d: %d messages", order[len(order)-1], len(msgs))
				}
				for _, task := range msgs[0].Tasks {
					order = append(order, task.Seq)
				}
				pages++
			}
			for i, seq := range order {
				if seq != int64(MaxRecent-i) {
					t.Fatalf("task %d of the pages is %d, want %d: not newest first, or one missed", i, seq, MaxRecent-i)
				}
			}
			if len(order) != MaxRecent && pages < tc.pages {
				t.Fatalf("reached %d tasks in %d pages", len(order), pages)
			}
			win.mu.Lock()
			defer win.mu.Unlock()
			largest := 0
			for _, size := range win.sizes {
				largest = max(largest, size)
			}
			if largest >= ipc.MaxLineSize || largest > RecentPageBytes+1024 {
				t.Errorf("a message of %d bytes: over the page's %d (MaxLineSize %d)", largest, RecentPageBytes, ipc.MaxLineSize)
			}
			var total int
			for _, size := range win.sizes {
				total += size
			}
			t.Logf("%d pages, %d tasks; %d messages, %d KB in all, the largest %d KB", pages, len(order), len(win.sizes), total>>10, largest>>10)
		})
	}
}

// The largest task a server could send: every character of the title and
// body escaped in JSON (\u003c), an ID and URL just over and at the limit.
var (
	hugeText = strings.Repeat("<\x01", 4096)
	hugeID   = strings.Repeat("&", maxListID)
	hugeURL  = "https://tasks.example.com/?q=" + strings.Repeat("&", maxListURL-29)
)

// TestRecentWindowGetsChanges: after the first page, a flush carries only
// what changed: new tasks, tasks read from the window, the mark of "Mark
// all read", and always the counts.
func TestRecentWindowGetsChanges(t *testing.T) {
	a, win, ctx := directAgent(t)
	for i := range 3 {
		a.onTask(ctx, conn.Task{ID: fmt.Sprint("t", i+1), Title: "x"})
	}
	a.flushWindows()
	msgs, n := win.tasksSince(0)
	if got := msgs[len(msgs)-1]; len(got.Tasks) != 3 || got.Total != 3 || got.Unread != 3 {
		t.Fatalf("first flush %+v", got)
	}
	a.onTask(ctx, conn.Task{ID: "t4", Title: "x"})
	a.onWindowMsg(ctx, ipc.ViewRecent, ipc.OpenTask{ID: "t2"})
	a.onWindowMsg(ctx, ipc.ViewRecent, ipc.OpenTask{ID: "t4"})
	a.flushWindows()
	msgs, n = win.tasksSince(n)
	if len(msgs) != 1 {
		t.Fatalf("%d Tasks messages in a flush", len(msgs))
	}
	got := msgs[0]
	if len(got.Tasks) != 2 || got.Tasks[0].ID != "t4" || !got.Tasks[0].Read || got.Tasks[1].ID != "t2" || !got.Tasks[1].Read ||
		got.Total != 4 || got.Unread != 2 {
		t.Errorf("flush after a new task and two opened = %+v", got)
	}
	a.flushWindows() // nothing changed: nothing sent
	if msgs, _ := win.tasksSince(n); len(msgs) != 0 {
		t.Errorf("a flush without changes sent %+v", msgs)
	}
	a.onWindowMsg(ctx, ipc.ViewRecent, ipc.MarkAllRead{})
	a.flushWindows()
	msgs, _ = win.tasksSince(n)
	if len(msgs) != 1 || len(msgs[0].Tasks) != 0 || msgs[0].ReadThrough != 4 || msgs[0].Unread != 0 || msgs[0].Total != 4 {
		t.Errorf("flush after mark all read = %+v", msgs)
	}
}

// TestRecentBoundedInBytes: tasks with huge titles, bodies and URLs, as any
// server kind may send, are cut to the per-task caps (whole characters) and
// Recent tasks stays under MaxRecentBytes however many arrive.
func TestRecentBoundedInBytes(t *testing.T) {
	a, err := NewAgent(Config{
		Menu: newFakeMenu(), Popups: &fakePopups{}, Tokens: auth.NewTokenStore(auth.NewSystemKeyring(time.Second)),
		Windows: func(context.Context, string) (WindowProcess, error) { return nil, errors.New("no windows here") },
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	title := strings.Repeat("ü", 100_000)
	url := "https://example.com/" + strings.Repeat("x", 1<<20)
	for i := range 1200 {
		// A body of distinct multi-byte characters, so that a cut
		// mid-character would show as invalid UTF-8.
		body := strings.Repeat(string(rune(0x1F600+i%64)), 300_000)
		a.onTask(context.Background(), conn.Task{ID: fmt.Sprint(i), Title: title, Body: body, URL: url, Time: time.Now()})
		if i%100 != 99 {
			continue
		}
		total := 0
		for _, rt := range a.recent.tasks {
			total += len(rt.ID) + len(rt.Title) + len(rt.Body) + len(rt.URL) + len(rt.Resume)
		}
		if total > MaxRecentBytes {
			t.Fatalf("after %d tasks Recent holds %d tasks of %d bytes, over %d", i+1, len(a.recent.tasks), total, MaxRecentBytes)
		}
	}
	newest := a.recent.tasks[len(a.recent.tasks)-1]
	if newest.ID != "1199" || a.recent.unread != len(a.recent.tasks) {
		t.Fatalf("newest %q, unread %d of %d", newest.ID, a.recent.unread, len(a.recent.tasks))
	}
	for what, s := range map[string]string{"title": newest.Title, "body": newest.Body} {
		if !utf8.ValidString(s) || s == "" {
			t.Fatalf("%s cut mid-character or empty", what)
		}
	}
	if n := utf8.RuneCountInString(newest.Title); n > maxTaskTitle {
		t.Fatalf("title of %d characters, cap %d", n, maxTaskTitle)
	}
	if n := utf8.RuneCountInString(newest.Body); n > maxTaskBody {
		t.Fatalf("body of %d characters, cap %d", n, maxTaskBody)
	}
	if len(newest.URL) > maxTaskURL {
		t.Fatalf("URL of %d bytes kept", len(newest.URL))
	}
}
