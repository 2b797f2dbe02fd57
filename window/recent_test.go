package window

import (
	"cmp"
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
	Tasks: []ipc.Task{
		{ID: "old", Title: "Renew the certificate", Priority: 3, Time: now.Add(-50 * time.Hour), Read: true},
		{ID: "new", Title: "Deploy failed", Body: "build 812 on main\nstack trace follows", Priority: 5, Time: now.Add(-5 * time.Minute)},
		{ID: "mid", Title: "Review PR #7", Priority: 4, Time: now.Add(-3 * time.Hour)},
	},
	Unread: 2,
}

func TestRecentOrderAndRows(t *testing.T) {
	fx := newRecentFixture(t)
	fx.view.SetTasks(someTasks)
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
}

func TestRecentTapOpensTask(t *testing.T) {
	fx := newRecentFixture(t)
	fx.view.SetTasks(someTasks)
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
	fx.view.SetTasks(someTasks)
	test.Tap(fx.view.markAll)
	if !slices.Equal(fx.sent, []ipc.Message{ipc.MarkAllRead{}}) {
		t.Fatalf("sent %v, want mark_all_read", fx.sent)
	}
	// The view waits for the agent to say the tasks are read.
	if fx.rows()[0].title.Style.TextStyle.Bold != true {
		t.Error("the view marked a task read by itself")
	}
	read := ipc.Tasks{Tasks: slices.Clone(someTasks.Tasks)}
	for i := range read.Tasks {
		read.Tasks[i].Read = true
	}
	fx.view.SetTasks(read)
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
	fx.view.SetTasks(someTasks)
	fx.view.SetTasks(ipc.Tasks{})
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
