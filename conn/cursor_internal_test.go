package conn

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestFileCursorSaveIsDurable: the new content is flushed to disk before the
// rename makes it the cursor, and the folder is flushed after the rename,
// so a power cut leaves the old cursor or the new one, never an empty file.
func TestFileCursorSaveIsDurable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cursor.json")
	type flush struct {
		name       string
		targetHeld string // the cursor file's content at the flush
	}
	var flushes []flush
	orig := syncFile
	t.Cleanup(func() { syncFile = orig })
	syncFile = func(f *os.File) error {
		b, _ := os.ReadFile(path)
		flushes = append(flushes, flush{f.Name(), string(b)})
		return orig(f)
	}
	if err := (FileCursor{Path: path}).Save(Cursor{Resume: "42"}); err != nil {
		t.Fatal(err)
	}
	if len(flushes) == 0 || !strings.HasPrefix(filepath.Base(flushes[0].name), ".cursor-") || flushes[0].targetHeld != "" {
		t.Fatalf("the temporary file was not flushed before the rename: %+v", flushes)
	}
	if runtime.GOOS != "windows" {
		if len(flushes) != 2 || flushes[1].name != filepath.Dir(path) || !strings.Contains(flushes[1].targetHeld, "42") {
			t.Fatalf("the folder was not flushed after the rename: %+v", flushes)
		}
	}
}

// FuzzFileCursorLoad feeds the cursor loader what a damaged disk may hold.
// Load never panics; it either returns a cursor that survives a save and a
// load unchanged, or moves the file aside, intact, and says it was damaged.
func FuzzFileCursorLoad(f *testing.F) {
	for _, seed := range []string{
		"", "{}", "null", "[]", `{"resume":"4`,
		`{"resume":"24","last_seq":24,"seen":["22","23","24"],"epoch":"e1"}`,
		`{"resume":"abc","floor":3,"seen":["4","abc"],"seen_seq":[4,0]}`,
		`{"seen":["1","2"],"seen_seq":[1]}`, `{"floor":-1}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "cursor.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		fc := FileCursor{Path: path}
		c, err := fc.Load()
		if err != nil {
			if !errors.Is(err, ErrCursorDamaged) {
				t.Fatalf("error %v does not wrap ErrCursorDamaged", err)
			}
			aside, _ := filepath.Glob(path + ".corrupt-*")
			if len(aside) != 1 {
				t.Fatalf("damaged file not moved aside: %v", aside)
			}
			if b, _ := os.ReadFile(aside[0]); !bytes.Equal(b, data) {
				t.Fatal("the file kept aside differs from the damaged one")
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Fatal("damaged file still in place")
			}
			return
		}
		want := newPosition(c).cursor()
		if err := fc.Save(want); err != nil {
			t.Fatal(err)
		}
		again, err := fc.Load()
		if err != nil {
			t.Fatalf("a saved cursor does not load: %v", err)
		}
		got := newPosition(again).cursor()
		if got.Resume != want.Resume || got.Epoch != want.Epoch || got.Floor != want.Floor ||
			strings.Join(got.Seen, "\x00") != strings.Join(want.Seen, "\x00") || len(got.SeenSeq) != len(want.SeenSeq) {
			t.Fatalf("round trip changed the cursor:\n%+v\n%+v", want, got)
		}
		for i := range got.SeenSeq {
			if got.SeenSeq[i] != want.SeenSeq[i] {
				t.Fatalf("round trip changed seen_seq: %v, %v", want.SeenSeq, got.SeenSeq)
			}
		}
	})
}
