package conn

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"
)

// Cursor is how far delivery got: where to resume and which recent task IDs
// were already delivered. It is persisted so a restart neither loses nor
// repeats a task. It holds no secret.
type Cursor struct {
	// Resume is the Task.Resume of the last delivered task, or a resume
	// point the server gave without a task.
	Resume string `json:"resume,omitempty"`
	// Floor is the low-water mark of the delivered tasks: a task with
	// 0 < Seq <= Floor is presumed delivered. It stays below every Seq in
	// Seen that could still be missing.
	Floor int64 `json:"floor,omitempty"`
	// LastSeq is what cursors written by earlier versions hold instead of
	// Floor (the highest Seq delivered); it is read as a Floor and no
	// longer written.
	LastSeq int64 `json:"last_seq,omitempty"`
	// Seen holds the IDs of the most recent deliveries, oldest first, at
	// most SeenWindow of them: duplicates are found by id, because servers
	// do not always send in order, and servers without ordered ids (ntfy)
	// replay their whole cache for an unknown id.
	Seen []string `json:"seen,omitempty"`
	// SeenSeq holds the Task.Seq of each entry of Seen (same length), or is
	// empty when none had one.
	SeenSeq []int64 `json:"seen_seq,omitempty"`
	// Epoch names the server history Seen and Floor belong to
	// (Decoded.Epoch); empty when the server does not say.
	Epoch string `json:"epoch,omitempty"`
}

// SeenWindow bounds Cursor.Seen. It must exceed what a server replays on
// resume within its own window of ordering (ntfy replays by time).
const SeenWindow = 1024

// check reports what makes c impossible for this package to have written.
func (c Cursor) check() error {
	if c.Floor < 0 || c.LastSeq < 0 {
		return errors.New("negative sequence number")
	}
	if len(c.SeenSeq) != 0 && len(c.SeenSeq) != len(c.Seen) {
		return fmt.Errorf("%d ids but %d sequence numbers", len(c.Seen), len(c.SeenSeq))
	}
	return nil
}

// CursorStore persists the Cursor between runs.
type CursorStore interface {
	// Load returns the stored cursor; nothing stored is a zero Cursor and
	// no error. On an error the Client starts afresh and tells the user
	// that tasks may be missing.
	Load() (Cursor, error)
	Save(Cursor) error
}

// MemoryCursor keeps the cursor in memory only (tests, session-only use).
type MemoryCursor struct{ c Cursor }

// Load returns the cursor last saved.
func (m *MemoryCursor) Load() (Cursor, error) { return m.c, nil }

// Save keeps a copy of c.
func (m *MemoryCursor) Save(c Cursor) error {
	c.Seen = slices.Clone(c.Seen)
	c.SeenSeq = slices.Clone(c.SeenSeq)
	m.c = c
	return nil
}

// ErrCursorDamaged is wrapped by FileCursor.Load when the file could not be
// read as a cursor. The file has been moved aside then (kept for a bug
// report), so the next run starts cleanly.
var ErrCursorDamaged = errors.New("the saved resume point is damaged")

// FileCursor stores the cursor as JSON in one file, replaced atomically and
// durably (fsync before the rename, and of the folder after it) so that a
// crash or a power cut leaves either the previous cursor or the new one.
type FileCursor struct{ Path string }

// Load reads the cursor; a missing file is an empty cursor. A file that
// cannot be read or is not a cursor (empty, cut short, garbage) is renamed
// to Path.corrupt-<UTC time> and Load returns an error wrapping
// ErrCursorDamaged.
func (f FileCursor) Load() (Cursor, error) {
	var c Cursor
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err == nil {
		err = decodeCursor(b, &c)
	}
	if err == nil {
		return c, nil
	}
	aside := f.Path + ".corrupt-" + time.Now().UTC().Format("20060102T150405.000000000Z")
	if rerr := os.Rename(f.Path, aside); rerr != nil {
		return Cursor{}, fmt.Errorf("%w: %s: %v (and moving it aside failed: %v)", ErrCursorDamaged, f.Path, err, rerr)
	}
	return Cursor{}, fmt.Errorf("%w: %s: %v (moved to %s)", ErrCursorDamaged, f.Path, err, filepath.Base(aside))
}

// decodeCursor parses what FileCursor.Save wrote. A JSON null or a
// non-object is damage, not an empty cursor: Save always writes an object.
func decodeCursor(b []byte, c *Cursor) error {
	if t := bytes.TrimSpace(b); len(t) == 0 || t[0] != '{' {
		return errors.New("not a JSON object")
	}
	if err := json.Unmarshal(b, c); err != nil {
		return err
	}
	return c.check()
}

// syncFile flushes a file to stable storage; a variable so that a test can
// see the order of the flushes and the rename.
var syncFile = (*os.File).Sync

// Save writes the cursor through a temporary file, flushed to disk before
// the rename; the folder is flushed after it so the rename itself survives
// a power cut (Linux and other Unix systems; Windows cannot open a folder
// for that, and NTFS journals the rename).
func (f FileCursor) Save(c Cursor) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	dir := filepath.Dir(f.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".cursor-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := syncFile(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := replaceFile(tmp.Name(), f.Path); err != nil {
		return err
	}
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return syncFile(d)
}
