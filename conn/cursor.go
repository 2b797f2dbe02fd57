package conn

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// Cursor is how far delivery got: where to resume and which recent task IDs
// were already delivered. It is persisted so a restart neither loses nor
// repeats a task.
type Cursor struct {
	// Resume is the Task.Resume of the last delivered task.
	Resume string `json:"resume,omitempty"`
	// LastSeq is the highest Task.Seq delivered; tasks with Seq <= LastSeq
	// are duplicates.
	LastSeq int64 `json:"last_seq,omitempty"`
	// Seen holds the IDs of the most recent deliveries, oldest first, at
	// most SeenWindow of them: servers without ordered ids (ntfy) replay
	// their whole cache for an unknown id, and only this catches it.
	Seen []string `json:"seen,omitempty"`
	// Epoch names the server history LastSeq and Seen belong to
	// (Decoded.Epoch); empty when the server does not say.
	Epoch string `json:"epoch,omitempty"`
}

// enterEpoch records the server's history epoch. It reports whether the
// history changed, in which case the delivered ids no longer mean anything
// and are forgotten.
func (c *Cursor) enterEpoch(e string) bool {
	if e == "" || e == c.Epoch {
		return false
	}
	changed := c.Epoch != ""
	c.Epoch = e
	if changed {
		c.LastSeq, c.Seen = 0, nil
	}
	return changed
}

// SeenWindow bounds Cursor.Seen. It must exceed what a server replays on
// resume within its own window of ordering (ntfy replays by time).
const SeenWindow = 1024

// seen reports whether t was delivered already.
func (c *Cursor) seen(t Task) bool {
	if t.Seq > 0 && t.Seq <= c.LastSeq {
		return true
	}
	return slices.Contains(c.Seen, t.ID)
}

// advance records t as delivered.
func (c *Cursor) advance(t Task) {
	if t.Seq > c.LastSeq {
		c.LastSeq = t.Seq
	}
	if t.Resume != "" {
		c.Resume = t.Resume
	}
	c.Seen = append(c.Seen, t.ID)
	if n := len(c.Seen) - SeenWindow; n > 0 {
		c.Seen = slices.Delete(c.Seen, 0, n)
	}
}

// CursorStore persists the Cursor between runs.
type CursorStore interface {
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
	m.c = c
	return nil
}

// FileCursor stores the cursor as JSON in one file, replaced atomically so a
// crash mid-write leaves the previous cursor intact. It holds no secret.
type FileCursor struct{ Path string }

// Load reads the cursor; a missing file is an empty cursor.
func (f FileCursor) Load() (Cursor, error) {
	var c Cursor
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return Cursor{}, fmt.Errorf("cursor file %s is corrupt: %w", f.Path, err)
	}
	return c, nil
}

// Save writes the cursor through a temporary file and a rename.
func (f FileCursor) Save(c Cursor) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.Path), ".cursor-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), f.Path)
}
