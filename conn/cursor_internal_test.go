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

// TestFileCursorSaveIsDurable: the new content is flushed to disk before
// a rename makes it the cursor or its copy, the file is replaced before the
// copy, and the folder is flushed after both renames. A crash at any of
// these points (each flush sees the state a crash just before it leaves)
// leaves the file and the copy each a good cursor, the old or the new one.
func TestFileCursorSaveIsDurable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cursor.json")
	f := FileCursor{Path: path}
	if err := f.Save(Cursor{Resume: "41"}); err != nil {
		t.Fatal(err)
	}
	type flush struct {
		name          string
		file, theCopy string // the resume point each holds at the flush
	}
	var flushes []flush
	resumeAt := func(p string) string {
		b, err := os.ReadFile(p)
		var c Cursor
		if err == nil {
			err = decodeCursor(b, &c)
		}
		if err != nil {
			t.Errorf("a crash at flush %d would leave %s damaged: %v", len(flushes), filepath.Base(p), err)
		}
		return c.Resume
	}
	orig := syncFile
	t.Cleanup(func() { syncFile = orig })
	syncFile = func(fl *os.File) error {
		flushes = append(flushes, flush{fl.Name(), resumeAt(path), resumeAt(f.copyPath())})
		return orig(fl)
	}
	if err := f.Save(Cursor{Resume: "42"}); err != nil {
		t.Fatal(err)
	}
	syncFile = orig
	want := []flush{
		{".cursor-", "41", "41"}, // the file's new content, before its rename
		{".cursor-", "42", "41"}, // the copy's, before its rename
	}
	if runtime.GOOS != "windows" {
		want = append(want, flush{filepath.Base(filepath.Dir(path)), "42", "42"}) // the folder, after both
	}
	if len(flushes) != len(want) {
		t.Fatalf("flushes %+v, want %+v", flushes, want)
	}
	for i, w := range want {
		if got := flushes[i]; !strings.HasPrefix(filepath.Base(got.name), w.name) || got.file != w.file || got.theCopy != w.theCopy {
			t.Fatalf("flush %d = %+v, want %+v (all: %+v)", i, got, w, flushes)
		}
	}
	if c, err := f.Load(); err != nil || c.Resume != "42" {
		t.Fatalf("Load = %+v, %v", c, err)
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
		fuzzCursorCopy(t, data)
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

// fuzzCursorCopy feeds data to Load as the copy beside a damaged file: a
// copy that decodes is what Load returns (ErrCursorRestored), one that does
// not is moved aside, intact, like the file.
func fuzzCursorCopy(t *testing.T, data []byte) {
	fc := FileCursor{Path: filepath.Join(t.TempDir(), "cursor.json")}
	if err := os.WriteFile(fc.Path, []byte(`{"resume":"4`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fc.copyPath(), data, 0o600); err != nil {
		t.Fatal(err)
	}
	var want Cursor
	decodeErr := decodeCursor(data, &want)
	c, err := fc.Load()
	switch {
	case decodeErr == nil:
		if !errors.Is(err, ErrCursorRestored) || errors.Is(err, ErrCursorDamaged) {
			t.Fatalf("a good copy behind a damaged file: %v", err)
		}
		if c.Resume != want.Resume || c.Floor != want.Floor || strings.Join(c.Seen, "\x00") != strings.Join(want.Seen, "\x00") {
			t.Fatalf("Load gave %+v, the copy holds %+v", c, want)
		}
	case !errors.Is(err, ErrCursorDamaged):
		t.Fatalf("a damaged copy behind a damaged file: %v", err)
	default:
		aside, _ := filepath.Glob(fc.copyPath() + ".corrupt-*")
		if len(aside) != 1 {
			t.Fatalf("damaged copy not moved aside: %v", aside)
		}
		if b, _ := os.ReadFile(aside[0]); !bytes.Equal(b, data) {
			t.Fatal("the copy kept aside differs from the damaged one")
		}
	}
}
