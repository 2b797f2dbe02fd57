package window

import (
	"strings"

	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tasktray/i18n"
	"tasktray/ipc"
)

// Searching Recent tasks: the agent holds every task and does the matching
// (ignoring case and width, so "ｖｐｎ" finds "VPN" and "ｻｰﾊﾞｰ" finds
// "サーバー"); the window sends ipc.Search as the user types and lists the
// ipc.Found that answers the current query, a page at a time.

var (
	txtSearchHint = i18n.New("window.recent.searchHint", "Search tasks", "搜索任务")
	txtNoMatches  = i18n.New("window.recent.noMatches", "No task matches “%s”.", "没有与“%s”匹配的任务。")
	txtFoundCount = i18n.NewPlural("window.recent.found", "%s task found", "%s tasks found", "找到 %s 个任务")
)

// searchState is the search part of RecentTasks.
type searchState struct {
	search    *widget.Entry
	query     string     // trimmed; "" lists every task
	found     []ipc.Task // the matches so far, newest first
	foundMore bool       // older matches remain
}

// newSearchEntry returns the search field, which searches as the user types.
func (r *RecentTasks) newSearchEntry() *widget.Entry {
	e := widget.NewEntry()
	e.SetPlaceHolder(txtSearchHint.String())
	e.ActionItem = widget.NewIcon(theme.SearchIcon())
	e.OnChanged = r.searchChanged
	return e
}

// searchChanged starts a search for q, or goes back to the whole list.
func (r *RecentTasks) searchChanged(q string) {
	q = strings.TrimSpace(q)
	if q == r.query {
		return
	}
	r.query, r.found, r.foundMore = q, nil, false
	r.loading = q != ""
	if q != "" {
		r.send(ipc.Search{Query: q})
	}
	r.refreshRows()
}

// ApplyFound lists the matches of the current query; an answer to an
// earlier query is dropped.
func (r *RecentTasks) ApplyFound(f ipc.Found) {
	if r.query == "" || strings.TrimSpace(f.Query) != r.query {
		return
	}
	for _, t := range f.Tasks {
		if len(r.found) == 0 || t.Seq < r.found[len(r.found)-1].Seq { // newest first, no repeats
			r.found = append(r.found, t)
		}
	}
	r.foundMore = f.More
	r.loading = false
	r.refreshRows()
}

// rows is what the list shows: the matches while searching, else the tasks.
func (r *RecentTasks) rows() []ipc.Task {
	if r.query != "" {
		return r.found
	}
	return r.tasks
}

// searchOlder asks for the matches older than the oldest shown.
func (r *RecentTasks) searchOlder() {
	if r.loading || !r.foundMore || len(r.found) == 0 {
		return
	}
	r.loading = true
	r.send(ipc.Search{Query: r.query, Before: r.found[len(r.found)-1].Seq})
	r.refreshRows()
}

// refreshRows redraws the list, its empty note and its footer.
func (r *RecentTasks) refreshRows() {
	if r.query == "" {
		r.empty.SetText(txtNoTasks.String())
		setVisible(r.empty, len(r.tasks) == 0)
		r.showCount()
		r.list.Refresh()
		return
	}
	// A task read since it was found shows read, as the agent said.
	read := make(map[int64]bool, len(r.tasks))
	for _, t := range r.tasks {
		read[t.Seq] = t.Read
	}
	for i, t := range r.found {
		if isRead, ok := read[t.Seq]; ok {
			r.found[i].Read = isRead
		}
	}
	r.empty.SetText(txtNoMatches.F(r.query))
	setVisible(r.empty, len(r.found) == 0 && !r.loading)
	r.footer.Show()
	r.count.SetText(txtFoundCount.NF(len(r.found), thousands(len(r.found))))
	setVisible(r.older, r.foundMore)
	if r.loading {
		r.older.SetText(txtLoading.String())
		r.older.Disable()
	} else {
		r.older.SetText(txtShowOlder.String())
		r.older.Enable()
	}
	r.list.Refresh()
}
