package notify

import "fmt"

// The words of popups that notify writes itself, in one place so that a
// translation (zh-CN first) has one file to cover. Task titles and bodies
// come from the server and are never translated.
const (
	// textOpen labels the button that opens a task's link.
	textOpen = "Open"
	// textNewTasks titles a summary of several tasks.
	textNewTasks = "%d new tasks"
	// textLatest is a summary's body: the title of its newest task.
	textLatest = "Latest: %s"
)

// summaryText returns the title and body of a summary of n tasks, the
// newest titled latest.
func summaryText(n int, latest string) (title, body string) {
	return fmt.Sprintf(textNewTasks, n), fmt.Sprintf(textLatest, latest)
}
