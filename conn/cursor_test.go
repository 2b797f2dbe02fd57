package conn_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"tasktray/conn"
)

// TestDamagedCursorFileDoesNotStopTheLink: an empty or cut-short cursor
// file (a crash, a full disk, a bad sector) used to make Run return, and
// the icon showed Offline for good. Now the link starts from StartFrom, the
// file is kept aside for a bug report, and a Gap tells the user.
func TestDamagedCursorFileDoesNotStopTheLink(t *testing.T) {
	for name, content := range map[string]string{
		"empty":      "",
		"cut short":  `{"resume":"4`,
		"null":       "null",
		"not a list": `{"seen":"abc"}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := newFakeServer(t)
			path := filepath.Join(t.TempDir(), "cursor-x.json")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			h := start(t, srv, func(c *conn.Config) {
				c.Cursor = conn.FileCursor{Path: path}
				c.StartFrom = "7"
			})
			h.waitPhase(t, conn.Connected)
			select {
			case g := <-h.Gaps():
				if !strings.Contains(g.Reason, "damaged") || g.Before.IsZero() {
					t.Fatalf("gap = %+v", g)
				}
			case <-time.After(wait):
				t.Fatal("no gap published for the damaged cursor")
			}
			if _, _, sinces := srv.get(); sinces[0] != "7" {
				t.Fatalf("first dial asked since=%q, want StartFrom 7", sinces[0])
			}
			aside, _ := filepath.Glob(path + ".corrupt-*")
			if len(aside) != 1 {
				t.Fatalf("damaged file not kept aside: %v", aside)
			}
			if b, _ := os.ReadFile(aside[0]); string(b) != content {
				t.Fatalf("kept %q, want %q", b, content)
			}
			srv.waitLinks(t, 1)
			srv.publish("task")
			h.receive(t, 1)
			h.stop()
			if c, err := (conn.FileCursor{Path: path}).Load(); err != nil || c.Resume != "1" {
				t.Fatalf("cursor after the run = %+v, %v", c, err)
			}
		})
	}
}

// flakyStore fails every Save with ENOSPC while full is set, and says so
// on failed.
type flakyStore struct {
	conn.MemoryCursor
	full   atomic.Bool
	failed chan struct{}
}

func (s *flakyStore) Save(c conn.Cursor) error {
	if s.full.Load() {
		select {
		case s.failed <- struct{}{}:
		default:
		}
		return &os.PathError{Op: "write", Path: "cursor.json", Err: syscall.ENOSPC}
	}
	return s.MemoryCursor.Save(c)
}

// TestCursorSaveFailureIsRetried: a full disk costs a log line, not the
// link; the cursor whose write failed is written once the disk has room,
// even if no task came after it.
func TestCursorSaveFailureIsRetried(t *testing.T) {
	srv := newFakeServer(t)
	store := &flakyStore{failed: make(chan struct{}, 1)}
	store.full.Store(true)
	h := start(t, srv, func(c *conn.Config) { c.Cursor = store })
	h.waitPhase(t, conn.Connected)
	srv.publish("one")
	h.receive(t, 1)
	select {
	case <-store.failed:
	case <-time.After(wait):
		t.Fatal("no save was tried")
	}
	srv.publish("two") // the link keeps running
	h.expectNext(t, "two")
	store.full.Store(false)
	h.stop()
	if c, _ := store.Load(); c.Resume != "2" {
		t.Fatalf("stored resume %q, want 2", c.Resume)
	}
}

// TestOldCursorFileLoads: a cursor written before dedupe went by id (with
// last_seq) loads, repeats nothing it had delivered, and misses nothing
// after it.
func TestOldCursorFileLoads(t *testing.T) {
	srv := newFakeServer(t)
	srv.set(func(s *fakeServer) { s.overlap = 3 }) // the server repeats 3 delivered tasks
	for i := 1; i <= 5; i++ {
		srv.publish("old")
	}
	path := filepath.Join(t.TempDir(), "cursor.json")
	old := `{"resume":"5","last_seq":5,"seen":["3","4","5"]}`
	if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	h := start(t, srv, func(c *conn.Config) { c.Cursor = conn.FileCursor{Path: path} })
	h.waitPhase(t, conn.Connected)
	srv.waitLinks(t, 1)
	srv.publish("new")
	h.expectNext(t, "new")
	if aside, _ := filepath.Glob(path + ".corrupt-*"); len(aside) != 0 {
		t.Fatal("old file treated as damaged")
	}
}

// TestResumePointSavedBeforeTheFirstLink: the login's resume point
// (StartFrom) and the one a HistoryLocator gives live only in memory until
// they are saved. They are saved at once, not when the first link ends: an
// app killed while the server refuses the handshake (not yet up, a proxy's
// 503) still finds them on disk at its next start, where StartFrom is "".
func TestResumePointSavedBeforeTheFirstLink(t *testing.T) {
	for name, tc := range map[string]struct {
		startFrom, now, want string
	}{
		"StartFrom":      {"5", "", "5"},
		"HistoryLocator": {"", "9", "9"},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newFakeServer(t)
			srv.set(func(s *fakeServer) { s.reject = http503 })
			store := &conn.MemoryCursor{}
			var mu sync.Mutex
			saved := func() string {
				mu.Lock()
				defer mu.Unlock()
				c, _ := store.Load()
				return c.Resume
			}
			h := start(t, srv, func(c *conn.Config) {
				if tc.now != "" {
					c.Protocol = &locatingProtocol{Protocol: fastProtocol(t, srv.url()), now: tc.now, asked: make(chan string, 4)}
				}
				c.StartFrom = tc.startFrom
				c.Cursor = lockedStore{&mu, store}
			})
			srv.dialsReach(t, 2) // the link failed, and Run waited and tried again
			waitFor(t, "the resume point on disk while the link is down", func() bool { return saved() == tc.want })
			h.stop()
		})
	}
}

// lockedStore guards a MemoryCursor that the test reads while the Client
// writes it.
type lockedStore struct {
	mu *sync.Mutex
	c  *conn.MemoryCursor
}

func (s lockedStore) Load() (conn.Cursor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c.Load()
}

func (s lockedStore) Save(c conn.Cursor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c.Save(c)
}

// TestDamagedCursorFileResumesFromItsCopy: every save also keeps a copy of
// the cursor beside the file (Path + ".prev"). When the file alone is
// damaged (or gone), the link resumes from the copy: the tasks published
// while the app was closed are delivered, those delivered before are not
// repeated, and the user is not told of a gap that is not there.
func TestDamagedCursorFileResumesFromItsCopy(t *testing.T) {
	for name, damage := range map[string]func(path string) error{
		"cut short": func(path string) error { return os.WriteFile(path, []byte(`{"resume":"2`), 0o600) },
		"empty":     func(path string) error { return os.WriteFile(path, nil, 0o600) },
		"gone":      os.Remove,
	} {
		t.Run(name, func(t *testing.T) {
			srv := newFakeServer(t)
			path := filepath.Join(t.TempDir(), "cursor-x.json")
			h := start(t, srv, func(c *conn.Config) { c.Cursor = conn.FileCursor{Path: path} })
			h.waitPhase(t, conn.Connected)
			srv.waitLinks(t, 1)
			srv.publish("one")
			srv.publish("two")
			h.receive(t, 2)
			h.stop() // the cursor is on disk when Run returns
			if err := damage(path); err != nil {
				t.Fatal(err)
			}
			srv.publish("while closed")

			h = start(t, srv, func(c *conn.Config) { c.Cursor = conn.FileCursor{Path: path}; c.StartFrom = "0" })
			h.expectNext(t, "while closed")
			if _, _, sinces := srv.get(); sinces[len(sinces)-1] != "2" {
				t.Fatalf("the restart asked since=%q, want the copy's 2", sinces[len(sinces)-1])
			}
			select { // a Gap would have been published before the first dial
			case g := <-h.Gaps():
				t.Fatalf("gap %+v published although the copy held the resume point", g)
			default:
			}
			h.stop()
			if c, err := (conn.FileCursor{Path: path}).Load(); err != nil || c.Resume != "3" {
				t.Fatalf("cursor after the run = %+v, %v", c, err)
			}
		})
	}
}

// TestBothCursorFilesDamaged: with the copy damaged too, the link starts
// from StartFrom, both files are kept aside, and the user is told.
func TestBothCursorFilesDamaged(t *testing.T) {
	srv := newFakeServer(t)
	path := filepath.Join(t.TempDir(), "cursor-x.json")
	for _, p := range []string{path, path + ".prev"} {
		if err := os.WriteFile(p, []byte(`{"resume":"4`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	h := start(t, srv, func(c *conn.Config) { c.Cursor = conn.FileCursor{Path: path}; c.StartFrom = "7" })
	h.waitPhase(t, conn.Connected)
	select {
	case g := <-h.Gaps():
		if !strings.Contains(g.Reason, "damaged") {
			t.Fatalf("gap = %+v", g)
		}
	case <-time.After(wait):
		t.Fatal("no gap published for the damaged cursor and copy")
	}
	if _, _, sinces := srv.get(); sinces[0] != "7" {
		t.Fatalf("first dial asked since=%q, want StartFrom 7", sinces[0])
	}
	for _, p := range []string{path, path + ".prev"} {
		if aside, _ := filepath.Glob(p + ".corrupt-*"); len(aside) != 1 {
			t.Fatalf("%s not kept aside: %v", filepath.Base(p), aside)
		}
	}
}
