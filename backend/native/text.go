package native

// What the user may see of this package, in one place for translation.
const (
	// newTask is the title of a task whose frame gives neither a title nor
	// a body.
	newTask = "New task"
	// gapReason says why some missed tasks could not be fetched.
	gapReason = "the server no longer keeps them: it keeps only its most recent tasks"
)
