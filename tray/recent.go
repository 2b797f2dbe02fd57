package tray

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"tasktray/conn"
	"tasktray/internal/textcut"
	"tasktray/ipc"
)

// MaxRecent and MaxRecentBytes bound Recent tasks in memory, whichever
// comes first: enough for a burst of 10,000 tasks to stay reachable, and
// never more than 32 MiB of task text, whatever the server sends.
const (
	MaxRecent      = 10000
	MaxRecentBytes = 32 << 20
)

// Every task is cut to these caps on arrival, for every server kind, before
// it goes into Recent tasks or a popup: a title is one line, a body a few
// screens; a URL cut short would lead elsewhere, so a longer one is dropped.
// The ID is not cut (it names the task) but counts in MaxRecentBytes.
const (
	maxTaskTitle = 1024     // characters
	maxTaskBody  = 16 << 10 // characters
	maxTaskURL   = 8 << 10  // bytes
	taskOverhead = 128      // bytes a task costs beyond its strings
)

// capTask cuts t's title and body to whole characters within the caps, and
// copies what it keeps, so a huge frame is not held in memory by a slice
// of it.
func capTask(t conn.Task) conn.Task {
	t.Title = strings.Clone(cut(t.Title, maxTaskTitle))
	t.Body = strings.Clone(cut(t.Body, maxTaskBody))
	t.URL = strings.Clone(whole(t.URL, maxTaskURL))
	return t
}

// cut is s up to its first n characters (runes), never ending inside one
// (textcut.Runes).
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return textcut.Runes(s, n)
}

// size is what t costs in memory, counted against MaxRecentBytes.
func (t recentTask) size() int {
	n := taskOverhead + len(t.ID) + len(t.Resume) + len(t.Title) + len(t.Body) + len(t.URL) + len(t.key)
	for _, tag := range t.Tags {
		n += len(tag)
	}
	return n
}

// A Recent tasks window gets its tasks a page at a time (see ipc.Tasks): the
// newest page when it opens, the tasks new or read since at each change,
// and an older page for each ipc.More. A page holds at most RecentPage
// tasks and RecentPageBytes of them as JSON, whichever comes first, so a
// Tasks message stays far below ipc.MaxLineSize whatever the tasks hold.
const (
	RecentPage      = 500
	RecentPageBytes = 256 << 10
)

// What of a task goes into a list message: previews of the title and the
// body (the list shows one line of each), and the ID and URL whole or not at
// all. The backends cap titles at about 200 characters already. With these
// caps one task is at most about 25 KB as JSON (every character escaped as
// \u00XX), so a page always holds at least one.
const (
	previewTitle = 200  // characters
	previewBody  = 300  // characters
	maxListID    = 1024 // bytes
	maxListURL   = 2048 // bytes
)

type recentTask struct {
	conn.Task
	seq  int64 // the agent's number for it: ipc.Task.Seq
	read bool
	// key is what search looks in: the title and the start of the body,
	// folded once on arrival (searchKey), so that a search is one
	// strings.Contains per task rather than folding megabytes on the loop.
	key string
}

// recent is the bounded list behind Recent tasks, oldest first. Its tasks
// have consecutive seqs: a task's index is its seq minus the first one's.
type recent struct {
	max      int // tasks
	maxBytes int // recentTask.size, summed
	bytes    int
	tasks    []recentTask
	unread   int
	next     int64 // the seq of the next task; the first is 1
	// readThrough is the newest seq at the last markAllRead: every task up
	// to it is read.
	readThrough int64
}

func newRecent(max int) *recent { return &recent{max: max, maxBytes: MaxRecentBytes, next: 1} }

// add keeps t (cut by capTask already), dropping the oldest tasks while
// there are more than max or they take more than maxBytes; the newest
// always stays.
func (r *recent) add(t conn.Task) {
	rt := recentTask{Task: t, seq: r.next, key: searchKey(t.Title) + "\n" + searchKey(cut(t.Body, searchBody))}
	r.tasks = append(r.tasks, rt)
	r.bytes += rt.size()
	r.next++
	r.unread++
	over := 0
	for over < len(r.tasks)-1 && (len(r.tasks)-over > r.max || r.bytes > r.maxBytes) {
		if !r.tasks[over].read {
			r.unread--
		}
		r.bytes -= r.tasks[over].size()
		over++
	}
	r.tasks = slices.Delete(r.tasks, 0, over)
}

// newest is the seq of the newest task, or 0 when there is none yet.
func (r *recent) newest() int64 { return r.next - 1 }

// index returns where the task numbered seq is, or -1 once it is dropped.
func (r *recent) index(seq int64) int {
	if len(r.tasks) == 0 {
		return -1
	}
	i := seq - r.tasks[0].seq
	if i < 0 || i >= int64(len(r.tasks)) {
		return -1
	}
	return int(i)
}

// markRead marks the newest task with this server ID read. It returns the
// task, and whether it was unread until now.
func (r *recent) markRead(id string) (t recentTask, wasUnread, ok bool) {
	for i := len(r.tasks) - 1; i >= 0; i-- {
		if r.tasks[i].ID == id {
			wasUnread = !r.tasks[i].read
			if wasUnread {
				r.tasks[i].read = true
				r.unread--
			}
			return r.tasks[i], wasUnread, true
		}
	}
	return recentTask{}, false, false
}

func (r *recent) markAllRead() {
	for i := range r.tasks {
		r.tasks[i].read = true
	}
	r.unread = 0
	r.readThrough = r.newest()
}

// page collects the tasks of one Tasks message, up to RecentPage tasks and
// RecentPageBytes.
type page struct {
	tasks []ipc.Task
	bytes int
}

// add appends t unless the page is full, and reports whether it did.
func (p *page) add(t ipc.Task) bool {
	size := listSize(t)
	if len(p.tasks) >= RecentPage || len(p.tasks) > 0 && p.bytes+size > RecentPageBytes {
		return false
	}
	p.tasks = append(p.tasks, t)
	p.bytes += size
	return true
}

// listSize is t's share of a Tasks line: its JSON and a comma.
func listSize(t ipc.Task) int {
	b, err := json.Marshal(t)
	if err != nil { // cannot happen: strings, numbers and a valid time
		return RecentPageBytes
	}
	return len(b) + 1
}

// head is the page of the tasks newer than after, newest first: as many of
// the newest as fit. after 0 gives the newest page.
func (r *recent) head(after int64) *page {
	p := &page{}
	for i := len(r.tasks) - 1; i >= 0 && r.tasks[i].seq > after; i-- {
		if !p.add(r.tasks[i].listed()) {
			break
		}
	}
	return p
}

// older is the page of the tasks just older than before, newest first.
func (r *recent) older(before int64) *page {
	p := &page{}
	i := len(r.tasks) - 1
	if len(r.tasks) > 0 && before <= r.tasks[i].seq {
		i = int(max(before-r.tasks[0].seq, 0)) - 1
	}
	for ; i >= 0; i-- {
		if !p.add(r.tasks[i].listed()) {
			break
		}
	}
	return p
}

// addSeqs adds to p the tasks numbered seqs that r still holds, skipping
// those p has; it stops when p is full (a task left out then shows unread in
// the window until it gets the task again).
func (r *recent) addSeqs(p *page, seqs []int64) {
	for _, seq := range seqs {
		i := r.index(seq)
		if i < 0 || slices.ContainsFunc(p.tasks, func(t ipc.Task) bool { return t.Seq == seq }) {
			continue
		}
		if !p.add(r.tasks[i].listed()) {
			return
		}
	}
}

// message wraps a page with the counts over all tasks.
func (r *recent) message(p *page) ipc.Tasks {
	tasks := p.tasks
	if tasks == nil {
		tasks = []ipc.Task{}
	}
	return ipc.Tasks{Tasks: tasks, Total: len(r.tasks), Unread: r.unread, ReadThrough: r.readThrough}
}

// listed is the task as a list message carries it.
func (t recentTask) listed() ipc.Task {
	return ipc.Task{
		ID:       whole(t.ID, maxListID),
		Seq:      t.seq,
		Title:    preview(t.Title, previewTitle),
		Body:     preview(t.Body, previewBody),
		URL:      whole(t.URL, maxListURL),
		Priority: t.Priority,
		Time:     t.Time,
		Read:     t.read,
	}
}

// preview cuts s to at most n characters (runes), the last of them "…",
// never inside a character (textcut.Runes).
func preview(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	return textcut.Runes(s, n-1) + "…"
}

// whole is s, or "" when it is longer than max bytes: an ID or a URL cut
// short would name something else.
func whole(s string, max int) string {
	if len(s) > max {
		return ""
	}
	return s
}

// searchBody is how much of a body search looks in (characters): the list
// shows 300, and a longer body is rarely searched past its start.
const searchBody = 1024

// search is the page of tasks older than before (0: from the newest) whose
// title or body start (searchBody) holds query, newest first; an empty
// query matches every task. Text is compared by searchKey, so neither case
// nor width matters. It is one strings.Contains per task held.
func (r *recent) search(query string, before int64) *page {
	p, _ := r.searchPage(query, before)
	return p
}

// searchPage is search, and whether a match older than the page's is left.
func (r *recent) searchPage(query string, before int64) (p *page, more bool) {
	q := searchKey(strings.TrimSpace(query))
	p = &page{}
	i := len(r.tasks) - 1
	if len(r.tasks) > 0 && before > 0 && before <= r.tasks[i].seq {
		i = int(max(before-r.tasks[0].seq, 0)) - 1
	}
	for ; i >= 0; i-- {
		t := r.tasks[i]
		if q != "" && !strings.Contains(t.key, q) {
			continue
		}
		if !p.add(t.listed()) {
			return p, true
		}
	}
	return p, false
}

// found answers a window's Search.
func (r *recent) found(s ipc.Search) ipc.Found {
	p, more := r.searchPage(s.Query, s.Before)
	tasks := p.tasks
	if tasks == nil {
		tasks = []ipc.Task{}
	}
	return ipc.Found{Query: s.Query, Tasks: tasks, More: more}
}

// searchKey is s as search compares it: NFKC-normalized, so that full-width
// Latin letters and digits (as Chinese and Japanese input methods type
// them) equal half-width ones, half-width katakana equal full-width ones
// and Hangul jamo equal the syllables they spell; then Unicode case folded.
// Han characters are left as they are: simplified and traditional forms
// are different words to search.
func searchKey(s string) string {
	return cases.Fold().String(norm.NFKC.String(s))
}
