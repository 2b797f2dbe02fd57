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
	// no error. An error wrapping ErrCursorRestored comes with the cursor
	// to use (read from a copy): the Client logs it and goes on. On any
	// other error the Client starts afresh and tells the user that tasks
	// may be missing.
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

// ErrCursorDamaged is wrapped by FileCursor.Load when neither the file nor
// its copy could be read as a cursor. They have been moved aside then (kept
// for a bug report), so the next run starts cleanly.
var ErrCursorDamaged = errors.New("the saved resume point is damaged")

// ErrCursorRestored is wrapped by FileCursor.Load when the file could not
// be read (damaged, moved aside, or gone) and the copy beside it was: Load
// returns the copy's cursor with it. Nothing is lost then, so the user is
// not told; the error is for the log.
var ErrCursorRestored = errors.New("the saved resume point could not be read; its copy was used")

// FileCursor stores the cursor as JSON in one file, Path, and a copy of it,
// Path + ".prev", so that a file damaged while the app is closed (a disk
// error, an older version, a stray edit) costs nothing: Load falls back to
// the copy. Each is replaced atomically and durably (fsync before the
// rename, and of the folder after it), the file first and then the copy,
// so a crash or a power cut at any point leaves each of them either its
// previous content or the new one, both good cursors at most one save
// apart.
type FileCursor struct{ Path string }

// copyPath is where Save keeps the copy of the cursor.
func (f FileCursor) copyPath() string { return f.Path + ".prev" }

// Load reads the cursor. A file that cannot be read or is not a cursor
// (empty, cut short, garbage) is renamed to Path.corrupt-<UTC time>; then,
// or when the file is missing, the copy is read: a good copy is returned
// with an error wrapping ErrCursorRestored, a damaged one is moved aside
// the same way and Load returns an error wrapping ErrCursorDamaged (only
// if something was damaged: neither file is an empty cursor, no error).
func (f FileCursor) Load() (Cursor, error) {
	c, found, err := readCursor(f.Path)
	if found && err == nil {
		return c, nil
	}
	var damaged error
	if err != nil {
		damaged = moveAside(f.Path, err)
	}
	c, found, err = readCursor(f.copyPath())
	switch {
	case found && err == nil && damaged != nil:
		return c, fmt.Errorf("%w: %v; resumed from %s", ErrCursorRestored, damaged, filepath.Base(f.copyPath()))
	case found && err == nil: // Path gone: the last Load moved it aside and no save came after
		return c, fmt.Errorf("%w: %s is missing; resumed from %s", ErrCursorRestored, filepath.Base(f.Path), filepath.Base(f.copyPath()))
	case err != nil:
		copyDamaged := moveAside(f.copyPath(), err)
		if damaged == nil {
			return Cursor{}, copyDamaged
		}
		return Cursor{}, fmt.Errorf("%w; its copy too: %v", damaged, copyDamaged)
	}
	return Cursor{}, damaged // nil when neither file exists
}

// readCursor reads the cursor at path; found is false when there is none.
func readCursor(path string) (c Cursor, found bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Cursor{}, false, nil
	}
	if err == nil {
		err = decodeCursor(b, &c)
	}
	if err != nil {
		return Cursor{}, true, err
	}
	return c, true, nil
}

// moveAside renames the damaged file at path to path.corrupt-<UTC time> and
// returns an error wrapping ErrCursorDamaged that says why and where.
func moveAside(path string, why error) error {
	aside := path + ".corrupt-" + time.Now().UTC().Format("20060102T150405.000000000Z")
	if err := os.Rename(path, aside); err != nil {
		return fmt.Errorf("%w: %s: %v (and moving it aside failed: %v)", ErrCursorDamaged, path, why, err)
	}
	return fmt.Errorf("%w: %s: %v (moved to %s)", ErrCursorDamaged, path, why, filepath.Base(aside))
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

// Save writes the cursor to the file and then to its copy, each through a
// temporary file flushed to disk before the rename; the folder is flushed
// after both renames so they survive a power cut (Linux and other Unix
// systems; Windows cannot open a folder for that, and NTFS journals the
// rename). The copy is written second: until it is, it still holds the
// previous save, and the file the new one.
func (f FileCursor) Save(c Cursor) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	dir := filepath.Dir(f.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for _, path := range []string{f.Path, f.copyPath()} {
		if err := writeDurably(dir, path, b); err != nil {
			return err
		}
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

// writeDurably replaces path with b through a temporary file in dir that is
// flushed to disk before the rename, so path holds its old content or b,
// never a part of b.
func writeDurably(dir, path string, b []byte) error {
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
	return replaceFile(tmp.Name(), path)
}
