package chaos

import (
	"fmt"
	"sync/atomic"
	"syscall"

	"tasktray/conn"
)

// FullDisk is a conn.CursorStore on a real file whose Save fails with
// ENOSPC while Full is set, as on a disk with no space left.
type FullDisk struct {
	conn.FileCursor
	Full atomic.Bool
	// Failed counts the saves refused; Saved the saves after the disk
	// had room again.
	Failed, Saved atomic.Int64
}

// Save refuses while the disk is full.
func (f *FullDisk) Save(c conn.Cursor) error {
	if f.Full.Load() {
		f.Failed.Add(1)
		return fmt.Errorf("write %s: %w", f.Path, syscall.ENOSPC)
	}
	if err := f.FileCursor.Save(c); err != nil {
		return err
	}
	f.Saved.Add(1)
	return nil
}
