package window

import (
	"cmp"
	"image/color"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tasktray/ipc"
)

// RecentTasks lists the recent tasks, newest first, with the unread count
// over all of them. It holds the newest of the agent's tasks (a page at
// first) and says how many of how many ("500 of 10,000 tasks"); "Show older
// tasks" below the list sends ipc.More for the page before its oldest.
// Tapping a task sends ipc.OpenTask; "Mark all read" sends ipc.MarkAllRead.
// What is read is the agent's to say: the view changes only on Apply. Use it
// from the Fyne goroutine only.
type RecentTasks struct {
	widget.BaseWidget

	send    func(ipc.Message)
	now     func() time.Time // the clock for "5 min ago"; tests set it
	tasks   []ipc.Task       // by Seq, newest first, consecutive
	total   int              // tasks the agent holds
	loading bool             // asked for older tasks, no answer yet
	header  *widget.Label
	markAll *widget.Button
	list    *widget.List
	empty   *widget.Label
	count   *widget.Label  // "500 of 10,000 tasks"
	older   *widget.Button // "Show older tasks"
	footer  fyne.CanvasObject
	content fyne.CanvasObject

	searchState // recent_search.go
}

// NewRecentTasks returns an empty list that reports what the user does to
// send.
func NewRecentTasks(send func(ipc.Message)) *RecentTasks {
	r := &RecentTasks{send: send, now: time.Now}
	r.ExtendBaseWidget(r)
	r.header = widget.NewLabel("")
	r.header.TextStyle.Bold = true
	r.markAll = widget.NewButtonWithIcon(txtMarkAllRead.String(), theme.ConfirmIcon(), func() {
		r.send(ipc.MarkAllRead{})
	})
	r.list = widget.NewList(
		func() int { return len(r.rows()) },
		func() fyne.CanvasObject { return newTaskRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			o.(*taskRow).set(r.rows()[id], r.now())
		},
	)
	r.list.OnSelected = func(id widget.ListItemID) {
		r.list.UnselectAll() // a row opens its task; it does not stay selected
		if rows := r.rows(); id >= 0 && id < len(rows) && rows[id].ID != "" {
			r.send(ipc.OpenTask{ID: rows[id].ID})
		}
	}
	r.empty = widget.NewLabel(txtNoTasks.String())
	r.empty.Alignment = fyne.TextAlignCenter
	r.empty.Importance = widget.LowImportance
	r.count = widget.NewLabel("")
	r.older = widget.NewButtonWithIcon(txtShowOlder.String(), theme.MoveDownIcon(), r.showOlder)
	r.search = r.newSearchEntry()
	r.footer = container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, r.count, r.older))
	r.content = container.NewBorder(
		container.NewVBox(container.NewBorder(nil, nil, nil, r.markAll, r.header), r.search, widget.NewSeparator()),
		r.footer, nil, nil,
		container.NewStack(r.list, container.NewCenter(r.empty)),
	)
	r.Apply(ipc.Tasks{})
	return r
}

// CreateRenderer is part of fyne.Widget.
func (r *RecentTasks) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewPadded(r.content))
}

// Apply merges a Tasks message from the agent into the list, as ipc.Tasks
// describes: its tasks replace those of the same Seq or join them, and the
// list keeps the run of consecutive Seqs from the newest down, at most
// t.Total long. The counts are t's.
func (r *RecentTasks) Apply(t ipc.Tasks) {
	r.tasks = merge(r.tasks, t)
	r.total = max(t.Total, 0)
	r.loading = r.loading && r.query != "" // a search's answer is still due
	switch {
	case r.total == 0:
		r.header.SetText(txtRecentHeading.String())
	case t.Unread == 0:
		r.header.SetText(txtAllRead.String())
	default:
		r.header.SetText(txtUnreadFmt.F(thousands(t.Unread)))
	}
	if t.Unread == 0 {
		r.markAll.Disable()
	} else {
		r.markAll.Enable()
	}
	r.refreshRows()
}

// showCount says how many tasks the list holds of how many, and offers the
// older ones while there are any.
func (r *RecentTasks) showCount() {
	n := len(r.tasks)
	setVisible(r.footer, r.total > 0)
	switch {
	case n < r.total:
		r.count.SetText(txtCountOfFmt.F(thousands(n), thousands(r.total)))
	default:
		r.count.SetText(txtCount.NF(n, thousands(n)))
	}
	setVisible(r.older, n < r.total)
	if r.loading {
		r.older.SetText(txtLoading.String())
		r.older.Disable()
	} else {
		r.older.SetText(txtShowOlder.String())
		r.older.Enable()
	}
}

// showOlder asks the agent for the page before the oldest task shown. The
// button waits for the next Tasks message; asking twice does no harm.
func (r *RecentTasks) showOlder() {
	if r.query != "" {
		r.searchOlder()
		return
	}
	if r.loading || len(r.tasks) >= r.total {
		return
	}
	before := int64(math.MaxInt64) // nothing held: the newest page
	if len(r.tasks) > 0 {
		before = r.tasks[len(r.tasks)-1].Seq
	}
	r.loading = true
	r.showCount()
	r.send(ipc.More{Before: before})
}

// merge returns held with t merged in, as Apply describes.
func merge(held []ipc.Task, t ipc.Tasks) []ipc.Task {
	bySeq := make(map[int64]ipc.Task, len(held)+len(t.Tasks))
	for _, task := range held {
		bySeq[task.Seq] = task
	}
	for _, task := range t.Tasks {
		bySeq[task.Seq] = task
	}
	tasks := slices.SortedFunc(maps.Values(bySeq), func(a, b ipc.Task) int { return cmp.Compare(b.Seq, a.Seq) })
	n := min(1, len(tasks))
	for n < len(tasks) && tasks[n].Seq == tasks[n-1].Seq-1 {
		n++
	}
	tasks = tasks[:min(n, max(t.Total, 0))]
	for i := range tasks {
		if tasks[i].Seq <= t.ReadThrough {
			tasks[i].Read = true
		}
	}
	return tasks
}

// thousands writes n with commas between groups of three digits: 10,000.
func thousands(n int) string {
	if n < 0 {
		return "-" + thousands(-n)
	}
	s := strconv.Itoa(n)
	var b strings.Builder
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	return b.String()
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
	row.title.Text = cmp.Or(t.Title, txtNoTitle.String())
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
		return txtAgeNow.String()
	case d < time.Hour:
		return txtAgeMinutesFmt.F(int(d / time.Minute))
	case y1 == y2 && m1 == m2 && d1 == d2:
		return t.Format(layoutToday)
	case d < 6*24*time.Hour:
		return weekdays[t.Weekday()].String() + " " + t.Format(layoutToday)
	case y1 == y2:
		return t.Format(layoutThisYear.String())
	}
	return t.Format(layoutOlder.String())
}
