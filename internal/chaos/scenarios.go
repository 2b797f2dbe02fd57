package chaos

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"tasktray/conn"
)

// Scenario is one fault class on the link. Fault injects it once and
// returns when the client is delivering again; Check, run at the end,
// fails when the fault did not actually happen (a broken injection must
// not pass as a client that coped).
type Scenario struct {
	Name string
	// Cold skips the warm-up: the first task, published the moment the
	// first link is up, counts.
	Cold  bool
	Fault func(e *Env) error
	Check func(e *Env) error
}

func atLeast(what string, got, want int64) error {
	if got < want {
		return fmt.Errorf("fault not injected: %s %d, want at least %d", what, got, want)
	}
	return nil
}

// corruptCursor stops the app once everything published was delivered,
// writes garbage over each of files, and starts the app again.
func corruptCursor(e *Env, files ...string) error {
	e.Pause()
	defer e.paused.Store(false)
	if err := e.Drained(); err != nil {
		return err
	}
	if err := e.Link.Stop(); err != nil {
		return err
	}
	for _, f := range files {
		if err := os.WriteFile(f, []byte("{\"resume\":\"12@E\",\"seen\":[\x00garbage"), 0o600); err != nil {
			return err
		}
	}
	return e.RestartClient()
}

// movedAside fails unless the damaged cursor file was kept for a person to
// look at (conn moves it to <file>.corrupt-<time>).
func movedAside(cursor string) error {
	kept, err := filepath.Glob(cursor + ".corrupt-*")
	if err != nil {
		return err
	}
	if len(kept) == 0 {
		return fmt.Errorf("the damaged cursor file was not kept aside (no %s.corrupt-*)", filepath.Base(cursor))
	}
	return nil
}

// drop ends the live link, waits until the client noticed and is back.
// The proxy counts a link once its 101 is sent, so a client can deliver
// (a Gotify backfill, over HTTP) before its link is there to drop: the
// faults wait for a live link rather than fail without one.
func drop(rst bool) func(e *Env) error {
	return func(e *Env) error {
		gen := e.Link.State().Generation
		e.Link.Fault()
		if err := e.wait("a live link to drop", func() bool { return e.P.Drop(rst) > 0 }); err != nil {
			return err
		}
		return e.Reconnected(gen)
	}
}

// revokePacer is a Backend whose server limits how often its tokens can
// be refused (ntfy); PaceRevoke waits until a Revoke is within the limit.
type revokePacer interface{ PaceRevoke() }

// frames a server should never send; none may become a task.
var garbage = []struct {
	name  string
	typ   int
	frame func() []byte
}{
	{"non-UTF-8", websocket.TextMessage, func() []byte { return []byte{0xff, 0xfe, 0xc3, 0x28, '{', 0x80} }},
	{"non-JSON", websocket.TextMessage, func() []byte { return []byte("<html><body>502 Bad Gateway</body></html>") }},
	{"deeply nested", websocket.TextMessage, func() []byte {
		return []byte(`{"type":"task","id":1,"title":` + strings.Repeat("[", 200000) + strings.Repeat("]", 200000) + "}")
	}},
	{"binary", websocket.BinaryMessage, func() []byte { return []byte{0, 1, 2, 3} }},
	{"oversized", websocket.TextMessage, func() []byte {
		return []byte(`{"type":"task","id":999999,"title":"` + strings.Repeat("x", 3<<20) + `"}`)
	}},
}

// Scenarios are the link fault classes, in report order.
var Scenarios = []Scenario{
	{Name: "first task", Cold: true, Fault: func(e *Env) error {
		// Nothing breaks: the runner published a task the moment the new
		// client's first link was up, on a server that never had a task
		// for this user, and it must arrive (issue 10, defect 1).
		return nil
	}},
	{Name: "fresh login", Fault: func(e *Env) error {
		// A new login on a new machine (no cursor), then a task published
		// the moment the link is up: it must not be lost, however soon
		// (issue 10, defect 1).
		e.Pause()
		defer e.paused.Store(false)
		if err := e.Drained(); err != nil {
			return err
		}
		if err := e.Link.Stop(); err != nil {
			return err
		}
		if err := os.Remove(e.Cursor.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		s, err := e.B.Login(ctx)
		cancel()
		if err != nil {
			return err
		}
		e.Sess = s
		if err := e.startClient(s.Resume); err != nil {
			return err
		}
		return e.Marker()
	}},
	{Name: "drop FIN", Fault: drop(false), Check: func(e *Env) error { return atLeast("FIN drops", e.P.DropsFIN.Load(), 1) }},
	{Name: "drop RST", Fault: drop(true), Check: func(e *Env) error { return atLeast("RST drops", e.P.DropsRST.Load(), 1) }},
	{Name: "half-open", Fault: func(e *Env) error {
		gen := e.Link.State().Generation
		e.Link.Fault()
		if err := e.wait("a live link to freeze", func() bool { return e.P.Freeze() > 0 }); err != nil {
			return err
		}
		return e.Reconnected(gen)
	}, Check: func(e *Env) error { return atLeast("frozen links", e.P.Freezes.Load(), 1) }},
	{Name: "restart same epoch", Fault: func(e *Env) error {
		gen := e.Link.State().Generation
		e.Link.Fault()
		if err := e.B.Restart(false); err != nil {
			return err
		}
		return e.Reconnected(gen)
	}},
	{Name: "restart new epoch", Fault: func(e *Env) error {
		// A server without a database loses what it had not sent yet:
		// that is not the client's to recover, so the publisher waits
		// until the old server's tasks are in; tasks published on the
		// new server before the client is back must all arrive.
		e.Pause()
		if err := e.Drained(); err != nil {
			return err
		}
		gen := e.Link.State().Generation
		e.Link.Fault()
		err := e.B.Restart(true)
		e.paused.Store(false)
		if err != nil {
			return err
		}
		// A new reference server knows none of the old tokens; Centrifugo's
		// signed tokens outlive its restart.
		if err := e.wait("reconnected or log in required", func() bool {
			s := e.Link.State()
			return s.Phase == conn.AuthRequired || s.Phase == conn.Connected && s.Generation > gen
		}); err != nil {
			return err
		}
		if e.Link.State().Phase == conn.AuthRequired {
			if err := e.Relogin(); err != nil {
				return err
			}
		}
		return e.Reconnected(gen)
	}},
	{Name: "garbage frames", Fault: func(e *Env) error {
		for _, g := range garbage {
			// A frame that cost the link (by design, or the kind's choice)
			// leaves none to inject the next one into for a moment.
			var gen uint64
			if err := e.wait("a live link to inject into", func() bool {
				s := e.Link.State()
				if s.Phase != conn.Connected || e.P.Live() == 0 {
					return false
				}
				gen = s.Generation
				return e.P.Inject(g.typ, g.frame()) > 0
			}); err != nil {
				return fmt.Errorf("%s: %w", g.name, err)
			}
			if g.name == "oversized" { // costs the link, by design
				if err := e.Reconnected(gen); err != nil {
					return err
				}
			}
			if err := e.Marker(); err != nil {
				return fmt.Errorf("after a %s frame: %w", g.name, err)
			}
		}
		return nil
	}, Check: func(e *Env) error { return atLeast("frames injected", e.P.Injected.Load(), int64(len(garbage))) }},
	{Name: "duplicate ids", Fault: func(e *Env) error {
		before := e.P.Duplicated.Load()
		e.P.DuplicateNext(5)
		return e.wait("5 repeated task frames", func() bool { return e.P.Duplicated.Load() >= before+5 })
	}, Check: func(e *Env) error { return atLeast("task frames repeated", e.P.Duplicated.Load(), 5) }},
	{Name: "out-of-order ids", Fault: func(e *Env) error {
		before := e.P.Reordered.Load()
		e.P.ReorderNext(5)
		return e.wait("5 reordered task frames", func() bool { return e.P.Reordered.Load() >= before+5 })
	}, Check: func(e *Env) error { return atLeast("task frames reordered", e.P.Reordered.Load(), 5) }},
	{Name: "token revoked", Fault: func(e *Env) error {
		if p, ok := e.B.(revokePacer); ok {
			p.PaceRevoke() // before the fault's clock starts: the wait is not detection time
		}
		gen := e.Link.State().Generation
		e.Link.Fault()
		if err := e.B.Revoke(); err != nil {
			return err
		}
		if err := e.Relogin(); err != nil {
			return err
		}
		return e.Reconnected(gen)
	}},
	{Name: "corrupt cursor", Fault: func(e *Env) error {
		// The app is closed, its cursor file damaged, then started again.
		// Nothing is published meanwhile. The copy kept beside the file
		// (.prev) is as new as the file: the link resumes from it, so
		// nothing is lost, nothing shown again and no gap told.
		return corruptCursor(e, e.Cursor.Path)
	}, Check: func(e *Env) error {
		if n := e.Link.Gaps.Load(); n != 0 {
			return fmt.Errorf("a gap was told though the cursor's copy was good: %d gaps", n)
		}
		return movedAside(e.Cursor.Path)
	}},
	{Name: "corrupt cursor and copy", Fault: func(e *Env) error {
		// Both the cursor file and its copy are damaged: the damage costs
		// the resume point (the user is told by a Gap), never the link.
		return corruptCursor(e, e.Cursor.Path, e.Cursor.Path+".prev")
	}, Check: func(e *Env) error {
		if err := atLeast("gaps published after a damaged cursor and copy", e.Link.Gaps.Load(), 1); err != nil {
			return err
		}
		return movedAside(e.Cursor.Path)
	}},
	{Name: "full disk", Fault: func(e *Env) error {
		// The cursor cannot be saved for a while; then there is room again
		// and the app restarts: it must resume where delivery got.
		failed := e.Cursor.Failed.Load()
		e.Cursor.Full.Store(true)
		err := e.wait("3 refused cursor saves", func() bool { return e.Cursor.Failed.Load() >= failed+3 })
		e.Cursor.Full.Store(false)
		if err != nil {
			return err
		}
		if err := e.Marker(); err != nil {
			return err
		}
		saved := e.Cursor.Saved.Load()
		if err := e.wait("a cursor save after the disk had room", func() bool { return e.Cursor.Saved.Load() > saved }); err != nil {
			return err
		}
		return e.RestartClient()
	}, Check: func(e *Env) error { return atLeast("refused cursor saves", e.Cursor.Failed.Load(), 3) }},
	{Name: "suspend (clock jump)", Fault: func(e *Env) error {
		// The machine sleeps an hour: the peer forgot the link (half-open)
		// and the wall clock jumps while the monotonic one stood still.
		gen := e.Link.State().Generation
		if err := e.wait("a live link to freeze", func() bool { return e.P.Freeze() > 0 }); err != nil {
			return err
		}
		e.Clock.Jump(time.Hour)
		e.Link.Fault()
		return e.Reconnected(gen)
	}, Check: func(e *Env) error { return atLeast("clock reads after the jump", e.Clock.Reads.Load(), 1) }},
	{Name: "suspend (resume signal)", Fault: func(e *Env) error {
		gen := e.Link.State().Generation
		if err := e.wait("a live link to freeze", func() bool { return e.P.Freeze() > 0 }); err != nil {
			return err
		}
		e.Link.Fault()
		e.Link.Client.Resumed()
		return e.Reconnected(gen)
	}, Check: func(e *Env) error { return atLeast("frozen links", e.P.Freezes.Load(), 1) }},
}
