package conn

import (
	"errors"
	"os"
	"time"

	"golang.org/x/sys/windows"
)

// replaceFor bounds how long replaceFile waits for others to let go of the
// file. Save runs on the saver goroutine, never on the read path.
const replaceFor = 2 * time.Second

// onReplaceRetry is called before each retry (a test hook).
var onReplaceRetry = func(error) {}

// replaceFile renames tmp over path. Windows refuses to replace a file that
// another handle holds open without FILE_SHARE_DELETE, which is how os.Open
// and most programs open one: a reader of the cursor, a virus scanner, the
// search indexer. Such holds are short, so it tries again for up to
// replaceFor, as Go's own cmd/go does (internal/robustio), rather than fail
// and leave the saved cursor behind until the next task.
func replaceFile(tmp, path string) error {
	deadline := time.Now().Add(replaceFor)
	for delay := time.Millisecond; ; delay = min(2*delay, 100*time.Millisecond) {
		err := os.Rename(tmp, path)
		if err == nil || !heldByAnother(err) || time.Now().After(deadline) {
			return err
		}
		onReplaceRetry(err)
		time.Sleep(delay)
	}
}

// heldByAnother reports the errors of a file another handle holds.
func heldByAnother(err error) bool {
	return errors.Is(err, windows.ERROR_ACCESS_DENIED) ||
		errors.Is(err, windows.ERROR_SHARING_VIOLATION) ||
		errors.Is(err, windows.ERROR_LOCK_VIOLATION)
}
