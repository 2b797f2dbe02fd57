package conn

import (
	"os"
	"path/filepath"
	"testing"
)

// A reader holding cursor.json open (os.Open, like most programs, does not
// share delete access) makes Windows refuse a rename over the file. Save
// waits for such a short hold to end rather than fail and leave the saved
// cursor behind until the next task: ntfy's TestPublishedWhileResubscribing,
// which reads the file while the link saves it, lost the cursor that way
// under Wine ("rename ... cursor.json: Access denied").
func TestSaveWaitsForAReaderOfTheFile(t *testing.T) {
	f := FileCursor{Path: filepath.Join(t.TempDir(), "cursor.json")}
	if err := f.Save(Cursor{Resume: "1"}); err != nil {
		t.Fatal(err)
	}
	held, err := os.Open(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	defer func(h func(error)) { onReplaceRetry = h }(onReplaceRetry)
	retried := false
	onReplaceRetry = func(error) { // the reader is done once the rename has met it
		if !retried {
			retried = true
			held.Close()
		}
	}
	if err := f.Save(Cursor{Resume: "2"}); err != nil {
		t.Fatalf("Save while a reader held the file = %v, want it to wait for the reader", err)
	}
	if !retried {
		t.Error("the rename never met the open file: this test shows nothing here")
	}
	if c, err := f.Load(); err != nil || c.Resume != "2" {
		t.Errorf("Load = %+v, %v; want the second cursor", c, err)
	}
}
