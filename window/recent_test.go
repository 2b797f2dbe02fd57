package window

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"tasktray/ipc"
)

var now = time.Date(2025, 3, 14, 15, 0, 0, 0, time.UTC) // a Friday

// recentFixture is a RecentTasks in a test window, recording what it sends.
type recentFixture struct {
	view *RecentTasks
	win  fyne.Window
	sent []ipc.Message
}

func newRecentFixture(t *testing.T) *recentFixture {
	t.Helper()
	test.NewTempApp(t)
	fx := &recentFixture{}
	fx.view = NewRecentTasks(func(m ipc.Message) { fx.sent = append(fx.sent, m) })
	fx.view.now = func() time.Time { return now }
	fx.win = test.NewTempWindow(t, fx.view)
	fx.win.Resize(fyne.NewSize(440, 520))
	return fx
}

// shownRow is a task row on screen and the list item around it, which takes
// the taps.
type shownRow struct {
	*taskRow
	item fyne.Tappable
}

// rows returns the task rows on screen, top to bottom.
func (fx *recentFixture) rows() []shownRow {
	var rows []shownRow
	objects := test.LaidOutObjects(fx.win.Content())
	var item fyne.Tappable // the last one seen: a row's list item comes before it
	for _, o := range objects {
		if tappable, ok := o.(fyne.Tappable); ok {
			item = tappable
		}
		if row, ok := o.(*taskRow); ok && row.Visible() && item != nil && item.(fyne.CanvasObject).Visible() {
			rows = append(rows, shownRow{row, item})
		}
	}
	y := func(r shownRow) float32 { return r.item.(fyne.CanvasObject).Position().Y }
	slices.SortFunc(rows, func(a, b shownRow) int { return cmp.Compare(y(a), y(b)) })
	return rows
}

// tapRow taps the i-th row on screen, as a user would.
func (fx *recentFixture) tapRow(t *testing.T, i int) {
	t.Helper()
	rows := fx.rows()
	if i >= len(rows) {
		t.Fatalf("tap row %d: only %d rows on screen", i, len(rows))
	}
	test.Tap(rows[i].item)
}

var someTasks = ipc.Tasks{
	Tasks: []ipc.Task{ // in any order: the view orders by Seq
		{ID: "old", Seq: 1, Title: "Renew the certificate", Priority: 3, Time: now.Add(-50 * time.Hour), Read: true},
		{ID: "new", Seq: 3, Title: "Deploy failed", Body: "build 812 on main\nstack trace follows", Priority: 5, Time: now.Add(-5 * time.Minute)},
		{ID: "mid", Seq: 2, Title: "Review PR #7", Priority: 4, Time: now.Add(-3 * time.Hour)},
	},
	Total:  3,
	Unread: 2,
}

func TestRecentOrderAndRows(t *testing.T) {
	fx := newRecentFixture(t)
	fx.view.Apply(someTasks)
	rows := fx.rows()
	want := []struct {
		title, body, when string
		bold              bool
	}{
		{"Deploy failed", "build 812 on main", "5 min", true},
		{"Review PR #7", "", "12:00", true},
		{"Renew the certificate", "", "Wed 13:00", false},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows on screen, want %d", len(rows), len(want))
	}
	for i, w := range want {
		r := rows[i]
		if r.title.Text != w.title || r.body.Text != w.body || r.when.Text != w.when || r.title.Style.TextStyle.Bold != w.bold {
			t.Errorf("row %d = %q %q %q bold %t, want %q %q %q bold %t", i,
				r.title.Text, r.body.Text, r.when.Text, r.title.Style.TextStyle.Bold, w.title, w.body, w.when, w.bold)
		}
	}
	if rows[0].priority.FillColor == rows[2].priority.FillColor {
		t.Error("an urgent task looks like a normal one")
	}
	if got := fx.view.header.Text; got != "2 unread" {
		t.Errorf("header %q, want %q", got, "2 unread")
	}
	if fx.view.empty.Visible() {
		t.Error("the empty-list hint shows over tasks")
	}
	if got := fx.view.count.Text; got != "3 tasks" || fx.view.older.Visible() {
		t.Errorf("count %q, Show older shown %t; want %q and no button: all are here", got, fx.view.older.Visible(), "3 tasks")
	}
}

func TestRecentTapOpensTask(t *testing.T) {
	fx := newRecentFixture(t)
	fx.view.Apply(someTasks)
	fx.tapRow(t, 1)
	fx.tapRow(t, 1) // a row can be opened again
	fx.tapRow(t, 0)
	want := []ipc.Message{ipc.OpenTask{ID: "mid"}, ipc.OpenTask{ID: "mid"}, ipc.OpenTask{ID: "new"}}
	if !slices.Equal(fx.sent, want) {
		t.Errorf("sent %v, want %v", fx.sent, want)
	}
}

func TestRecentMarkAllRead(t *testing.T) {
	fx := newRecentFixture(t)
	fx.view.Apply(someTasks)
	test.Tap(fx.view.markAll)
	if !slices.Equal(fx.sent, []ipc.Message{ipc.MarkAllRead{}}) {
		t.Fatalf("sent %v, want mark_all_read", fx.sent)
	}
	// The view waits for the agent to say the tasks are read.
	if fx.rows()[0].title.Style.TextStyle.Bold != true {
		t.Error("the view marked a task read by itself")
	}
	// The agent says so for all of them at once: no task, only the mark.
	fx.view.Apply(ipc.Tasks{Tasks: []ipc.Task{}, Total: 3, ReadThrough: 3})
	if got := fx.view.header.Text; got != "All read" {
		t.Errorf("header %q, want %q", got, "All read")
	}
	if !fx.view.markAll.Disabled() {
		t.Error("Mark all read stays enabled with nothing unread")
	}
	for i, r := range fx.rows() {
		if r.title.Style.TextStyle.Bold {
			t.Errorf("row %d still bold once read", i)
		}
	}
}

func TestRecentEmpty(t *testing.T) {
	fx := newRecentFixture(t)
	if !fx.view.empty.Visible() || len(fx.rows()) != 0 || !fx.view.markAll.Disabled() {
		t.Errorf("empty list: hint shown %t, %d rows, mark all enabled %t",
			fx.view.empty.Visible(), len(fx.rows()), !fx.view.markAll.Disabled())
	}
	fx.view.Apply(someTasks)
	fx.view.Apply(ipc.Tasks{})
	if !fx.view.empty.Visible() || len(fx.rows()) != 0 {
		t.Error("emptied list does not show the hint")
	}
}

func TestAge(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Time{}, ""},
		{now.Add(-10 * time.Second), "now"},
		{now.Add(time.Minute), "now"}, // a server clock a little ahead
		{now.Add(-59 * time.Minute), "59 min"},
		{now.Add(-2 * time.Hour), "13:00"},
		{time.Date(2025, 3, 14, 0, 5, 0, 0, time.UTC), "00:05"},
		{time.Date(2025, 3, 13, 23, 55, 0, 0, time.UTC), "Thu 23:55"},
		{now.Add(-5 * 24 * time.Hour), "Sun 15:00"},
		{now.Add(-7 * 24 * time.Hour), "7 Mar"},
		{time.Date(2024, 12, 31, 9, 0, 0, 0, time.UTC), "31 Dec 2024"},
		{time.Date(2025, 3, 14, 16, 30, 0, 0, time.FixedZone("CET", 3600)), "now"},
		{time.Date(2025, 3, 14, 14, 30, 0, 0, time.FixedZone("CET", 3600)), "13:30"},
	} {
		if got := age(tc.t, now); got != tc.want {
			t.Errorf("age(%v) = %q, want %q", tc.t, got, tc.want)
		}
	}
}

// pageOf is a Tasks message of the tasks numbered from down to to, newest
// first, as the agent sends a page; all unread.
func pageOf(from, to int64, total int) ipc.Tasks {
	m := ipc.Tasks{Tasks: []ipc.Task{}, Total: total, Unread: total}
	for seq := from; seq >= to; seq-- {
		m.Tasks = append(m.Tasks, ipc.Task{ID: fmt.Sprint("id-", seq), Seq: seq, Title: fmt.Sprint("Task ", seq),
			Priority: 3, Time: now.Add(-time.Duration(10000-seq) * time.Second)})
	}
	return m
}

// held returns the seqs the view holds, in its order, as a range when they
// are consecutive: "10000..9001".
func (fx *recentFixture) held() string {
	tasks := fx.view.tasks
	if len(tasks) == 0 {
		return "none"
	}
	for i := 1; i < len(tasks); i++ {
		if tasks[i].Seq != tasks[i-1].Seq-1 {
			return fmt.Sprintf("not consecutive at %d: %d after %d", i, tasks[i].Seq, tasks[i-1].Seq)
		}
	}
	return fmt.Sprintf("%d..%d", tasks[0].Seq, tasks[len(tasks)-1].Seq)
}

func TestRecentShowOlder(t *testing.T) {
	fx := newRecentFixture(t)
	fx.view.Apply(pageOf(10000, 9501, 10000))
	if got := fx.view.count.Text; got != "500 of 10,000 tasks" {
		t.Errorf("count %q, want %q", got, "500 of 10,000 tasks")
	}
	if got := fx.view.header.Text; got != "10,000 unread" || fx.view.markAll.Disabled() {
		t.Errorf("header %q, mark all enabled %t: the unread count covers every task", got, !fx.view.markAll.Disabled())
	}
	if !fx.view.older.Visible() || fx.view.older.Disabled() {
		t.Fatal("no Show older tasks button with 9,500 older tasks")
	}

	test.Tap(fx.view.older)
	test.Tap(fx.view.older) // a second tap before the answer asks nothing more
	if want := []ipc.Message{ipc.More{Before: 9501}}; !slices.Equal(fx.sent, want) {
		t.Fatalf("sent %v, want %v", fx.sent, want)
	}
	if !fx.view.older.Disabled() || fx.view.older.Text != "Loading…" {
		t.Errorf("button %q, disabled %t while loading", fx.view.older.Text, fx.view.older.Disabled())
	}

	fx.view.Apply(pageOf(9500, 9001, 10000))
	if got := fx.held(); got != "10000..9001" {
		t.Fatalf("holds %s, want 10000..9001", got)
	}
	if got := fx.view.count.Text; got != "1,000 of 10,000 tasks" || fx.view.older.Disabled() {
		t.Errorf("count %q, button disabled %t after the page came", got, fx.view.older.Disabled())
	}
	// The top of the list stays where it was; the page is below it, in order.
	if rows := fx.rows(); len(rows) == 0 || rows[0].title.Text != "Task 10000" {
		t.Fatalf("top row after appending a page: %v", rows)
	}
	fx.view.list.ScrollToBottom()
	rows := fx.rows()
	if len(rows) < 3 {
		t.Fatalf("%d rows at the bottom of the list", len(rows))
	}
	last := rows[len(rows)-1].title.Text
	if last != "Task 9001" {
		t.Errorf("last row %q, want Task 9001", last)
	}
	for i := 1; i < len(rows); i++ {
		var a, b int
		fmt.Sscanf(rows[i-1].title.Text, "Task %d", &a)
		fmt.Sscanf(rows[i].title.Text, "Task %d", &b)
		if b != a-1 {
			t.Errorf("row %q after %q at the bottom of the list", rows[i].title.Text, rows[i-1].title.Text)
		}
	}

	test.Tap(fx.view.older)
	if got := fx.sent[len(fx.sent)-1]; got != (ipc.More{Before: 9001}) {
		t.Errorf("second Show older sent %v, want before 9001", got)
	}
}

func TestRecentReachesAll(t *testing.T) {
	fx := newRecentFixture(t)
	fx.view.Apply(pageOf(2000, 1501, 2000))
	for range 10 {
		if !fx.view.older.Visible() {
			break
		}
		test.Tap(fx.view.older)
		before := fx.sent[len(fx.sent)-1].(ipc.More).Before
		fx.view.Apply(pageOf(before-1, max(before-500, 1), 2000))
	}
	if got := fx.held(); got != "2000..1" || len(fx.sent) != 3 {
		t.Fatalf("holds %s after %d requests; want 2000..1 after 3", got, len(fx.sent))
	}
	if got := fx.view.count.Text; got != "2,000 tasks" || fx.view.older.Visible() {
		t.Errorf("count %q, Show older shown %t once all are here", got, fx.view.older.Visible())
	}
}

func TestRecentMerge(t *testing.T) {
	t.Run("new tasks join the top", func(t *testing.T) {
		fx := newRecentFixture(t)
		fx.view.Apply(pageOf(1000, 501, 1000))
		fx.view.Apply(pageOf(500, 1, 1000))
		fx.view.Apply(pageOf(1200, 1001, 1200))
		if got, count := fx.held(), fx.view.count.Text; got != "1200..1" || count != "1,200 tasks" {
			t.Errorf("holds %s, count %q", got, count)
		}
	})
	t.Run("a gap drops what is below it", func(t *testing.T) {
		fx := newRecentFixture(t)
		fx.view.Apply(pageOf(1000, 501, 1000))
		fx.view.Apply(pageOf(500, 1, 1000))
		fx.view.Apply(pageOf(2000, 1501, 2000)) // 1001..1500 never came
		if got, count := fx.held(), fx.view.count.Text; got != "2000..1501" || count != "500 of 2,000 tasks" {
			t.Errorf("holds %s, count %q", got, count)
		}
		// A page asked for before the jump, answered after it, does not fit.
		fx.view.Apply(pageOf(500, 1, 2000))
		if got := fx.held(); got != "2000..1501" {
			t.Errorf("holds %s after a stale page", got)
		}
	})
	t.Run("the agent dropped its oldest", func(t *testing.T) {
		fx := newRecentFixture(t)
		fx.view.Apply(pageOf(10000, 1, 10000))
		fx.view.Apply(pageOf(10300, 10001, 10000))
		if got, count := fx.held(), fx.view.count.Text; got != "10300..301" || count != "10,000 tasks" {
			t.Errorf("holds %s, count %q", got, count)
		}
	})
	t.Run("a task read is replaced", func(t *testing.T) {
		fx := newRecentFixture(t)
		fx.view.Apply(pageOf(1000, 1, 1000))
		read := pageOf(7, 7, 1000)
		read.Tasks[0].Read = true
		read.Unread = 999
		fx.view.Apply(ipc.Tasks{Tasks: []ipc.Task{}, Total: 1000, Unread: 999})
		fx.view.Apply(read)
		if got := fx.held(); got != "1000..1" || !fx.view.tasks[1000-7].Read || fx.view.tasks[1000-8].Read {
			t.Errorf("holds %s; task 7 read %t, task 8 read %t", got, fx.view.tasks[1000-7].Read, fx.view.tasks[1000-8].Read)
		}
		if got := fx.view.header.Text; got != "999 unread" {
			t.Errorf("header %q", got)
		}
	})
	t.Run("mark all read covers what the message does not carry", func(t *testing.T) {
		fx := newRecentFixture(t)
		fx.view.Apply(pageOf(1000, 1, 1000))
		fx.view.Apply(pageOf(1001, 1001, 1001)) // came after Mark all read
		fx.view.Apply(ipc.Tasks{Tasks: []ipc.Task{}, Total: 1001, Unread: 1, ReadThrough: 1000})
		for _, task := range fx.view.tasks {
			if task.Read != (task.Seq <= 1000) {
				t.Fatalf("task %d read %t", task.Seq, task.Read)
			}
		}
		if got := fx.view.header.Text; got != "1 unread" {
			t.Errorf("header %q", got)
		}
	})
}

func TestRecentTaskWithoutID(t *testing.T) {
	fx := newRecentFixture(t)
	m := pageOf(2, 1, 2)
	m.Tasks[0].ID = "" // too long to list: the agent left it out
	fx.view.Apply(m)
	fx.tapRow(t, 0)
	fx.tapRow(t, 1)
	if want := []ipc.Message{ipc.OpenTask{ID: "id-1"}}; !slices.Equal(fx.sent, want) {
		t.Errorf("sent %v, want %v", fx.sent, want)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 10000: "10,000", 123456: "123,456", 1234567: "1,234,567", -1500: "-1,500"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
