package notify

import "tasktray/i18n"

// The words of popups that notify writes itself, in one place, in English
// and Simplified Chinese, resolved when a popup is shown. Task titles and
// bodies come from the server and are never translated.
var (
	// textOpen labels the button that opens a task's link.
	textOpen = i18n.New("notify.open", "Open", "打开")
	// textNewTasks titles a summary of several tasks.
	textNewTasks = i18n.NewPlural("notify.new_tasks", "%d new task", "%d new tasks", "%d 个新任务")
	// textLatest is a summary's body: the title of its newest task.
	textLatest = i18n.New("notify.latest", "Latest: %s", "最新：%s")
)

// summaryText returns the title and body of a summary of n tasks, the
// newest titled latest.
func summaryText(n int, latest string) (title, body string) {
	return textNewTasks.N(n), textLatest.F(latest)
}
