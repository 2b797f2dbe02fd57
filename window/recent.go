package window

import (
	"cmp"
	"fmt"
	"image/color"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tasktray/ipc"
)

// RecentTasks lists the recent tasks, newest first, with the unread count.
// Tapping a task sends ipc.OpenTask; "Mark all read" sends ipc.MarkAllRead.
// What is read is the agent's to say: the view changes only on SetTasks. Use
// it from the Fyne goroutine only.
type RecentTasks struct {
	widget.BaseWidget

	send    func(ipc.Message)
	now     func() time.Time // the clock for "5 min ago"; tests set it
	tasks   []ipc.Task       // newest first
	header  *widget.Label
	markAll *widget.Button
	list    *widget.List
	empty   *widget.Label
	content fyne.CanvasObject
}

// NewRecentTasks returns an empty list that reports what the user does to
// send.
func NewRecentTasks(send func(ipc.Message)) *RecentTasks {
	r := &RecentTasks{send: send, now: time.Now}
	r.ExtendBaseWidget(r)
	r.header = widget.NewLabel("")
	r.header.TextStyle.Bold = true
	r.markAll = widget.NewButtonWithIcon("Mark all read", theme.ConfirmIcon(), func() {
		r.send(ipc.MarkAllRead{})
	})
	r.list = widget.NewList(
		func() int { return len(r.tasks) },
		func() fyne.CanvasObject { return newTaskRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			o.(*taskRow).set(r.tasks[id], r.now())
		},
	)
	r.list.OnSelected = func(id widget.ListItemID) {
		r.list.UnselectAll() // a row opens its task; it does not stay selected
		if id >= 0 && id < len(r.tasks) {
			r.send(ipc.OpenTask{ID: r.tasks[id].ID})
		}
	}
	r.empty = widget.NewLabel("No tasks yet. New tasks show up here.")
	r.empty.Alignment = fyne.TextAlignCenter
	r.empty.Importance = widget.LowImportance
	r.content = container.NewBorder(
		container.NewVBox(container.NewBorder(nil, nil, nil, r.markAll, r.header), widget.NewSeparator()),
		nil, nil, nil,
		container.NewStack(r.list, container.NewCenter(r.empty)),
	)
	r.SetTasks(ipc.Tasks{})
	return r
}

// CreateRenderer is part of fyne.Widget.
func (r *RecentTasks) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewPadded(r.content))
}

// SetTasks shows t, newest first (tasks of the same time keep their order).
func (r *RecentTasks) SetTasks(t ipc.Tasks) {
	r.tasks = slices.Clone(t.Tasks)
	slices.SortStableFunc(r.tasks, func(a, b ipc.Task) int { return b.Time.Compare(a.Time) })
	switch {
	case len(r.tasks) == 0:
		r.header.SetText("Recent tasks")
	case t.Unread == 0:
		r.header.SetText("All read")
	default:
		r.header.SetText(fmt.Sprintf("%d unread", t.Unread))
	}
	if t.Unread == 0 {
		r.markAll.Disable()
	} else {
		r.markAll.Enable()
	}
	setVisible(r.empty, len(r.tasks) == 0)
	r.list.Refresh()
}

// taskRow is one task in the list: a priority bar, the title (bold while
// unread) over the first line of the body, and when it came.
type taskRow struct {
	widget.BaseWidget
	priority *canvas.Rectangle
	title    *widget.TextSegment
	body     *widget.TextSegment
	text     *widget.RichText // title and body, tighter than two labels
	when     *widget.TextSegment
	whenText *widget.RichText
}

func newTaskRow() *taskRow {
	row := &taskRow{
		priority: canvas.NewRectangle(color.Transparent),
		title:    &widget.TextSegment{Style: widget.RichTextStyleParagraph},
		body:     &widget.TextSegment{Style: quiet},
		when:     &widget.TextSegment{Style: quiet},
	}
	row.priority.SetMinSize(fyne.NewSize(4, 4))
	row.priority.CornerRadius = 2
	row.text = widget.NewRichText(row.title, row.body)
	row.text.Truncation = fyne.TextTruncateEllipsis
	row.whenText = widget.NewRichText(row.when)
	row.ExtendBaseWidget(row)
	return row
}

// quiet is the style of secondary text: readable, but below the title.
var quiet = widget.RichTextStyle{ColorName: theme.ColorNamePlaceHolder, SizeName: theme.SizeNameText}

func (row *taskRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, row.priority,
		container.NewVBox(row.whenText), row.text))
}

func (row *taskRow) set(t ipc.Task, now time.Time) {
	row.title.Text = cmp.Or(t.Title, "(no title)")
	row.title.Style.TextStyle.Bold = !t.Read
	row.body.Text, _, _ = strings.Cut(strings.TrimSpace(t.Body), "\n")
	row.text.Refresh()
	row.when.Text = age(t.Time, now)
	row.whenText.Refresh()
	row.priority.FillColor = priorityColor(t.Priority)
	row.priority.Refresh()
}

// priorityColor marks high (4) and urgent (5) tasks; lower ones get no mark,
// so the marks mean something.
func priorityColor(p int) color.Color {
	switch {
	case p >= 5:
		return theme.Color(theme.ColorNameError)
	case p == 4:
		return theme.Color(theme.ColorNameWarning)
	}
	return color.Transparent
}

// age says when t was, as briefly as stays clear: "now", "12 min", "14:05"
// today, "Mon 14:05" this week, "3 Mar" this year, "3 Mar 2024" before.
func age(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(now.Location())
	d := now.Sub(t)
	y1, m1, d1 := t.Date()
	y2, m2, d2 := now.Date()
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case y1 == y2 && m1 == m2 && d1 == d2:
		return t.Format("15:04")
	case d < 6*24*time.Hour:
		return t.Format("Mon 15:04")
	case y1 == y2:
		return t.Format("2 Jan")
	}
	return t.Format("2 Jan 2006")
}
