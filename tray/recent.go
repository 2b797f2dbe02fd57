package tray

import (
	"slices"

	"tasktray/conn"
	"tasktray/ipc"
)

// MaxRecent bounds Recent tasks in memory: enough for a burst of 10,000
// tasks to stay reachable, at a few MB at most.
const MaxRecent = 10000

type recentTask struct {
	conn.Task
	read bool
}

// recent is the bounded list behind Recent tasks, oldest first.
type recent struct {
	max    int
	tasks  []recentTask
	unread int
}

func newRecent(max int) *recent { return &recent{max: max} }

func (r *recent) add(t conn.Task) {
	r.tasks = append(r.tasks, recentTask{Task: t})
	r.unread++
	if over := len(r.tasks) - r.max; over > 0 {
		for _, old := range r.tasks[:over] {
			if !old.read {
				r.unread--
			}
		}
		r.tasks = slices.Delete(r.tasks, 0, over)
	}
}

// markRead marks one task read and returns it.
func (r *recent) markRead(id string) (conn.Task, bool) {
	for i := len(r.tasks) - 1; i >= 0; i-- {
		if r.tasks[i].ID == id {
			if !r.tasks[i].read {
				r.tasks[i].read = true
				r.unread--
			}
			return r.tasks[i].Task, true
		}
	}
	return conn.Task{}, false
}

func (r *recent) markAllRead() {
	for i := range r.tasks {
		r.tasks[i].read = true
	}
	r.unread = 0
}

// message is the list as a window shows it, newest first, at most limit
// tasks (a window cannot show 10,000 rows usefully, and the pipe carries
// the list whole).
func (r *recent) message(limit int) ipc.Tasks {
	n := min(limit, len(r.tasks))
	out := make([]ipc.Task, 0, n)
	for i := len(r.tasks) - 1; i >= len(r.tasks)-n; i-- {
		t := r.tasks[i]
		out = append(out, ipc.Task{ID: t.ID, Title: t.Title, Body: t.Body, URL: t.URL, Priority: t.Priority, Time: t.Time, Read: t.read})
	}
	return ipc.Tasks{Tasks: out, Unread: r.unread}
}
