package tray

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"tasktray/i18n"
)

// shortDir is a fresh directory whose path leaves room for a socket name
// (a unix socket path must fit in about 100 bytes; t.TempDir's may not).
func shortDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "tt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// noBus stands in for the session bus where a test wants the socket alone.
func noBus(context.Context, Command) error { return errNoEndpoint }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// answerRequests plays the agent's loop: it answers each request with
// answer and records its command, until ctx ends.
func answerRequests(ctx context.Context, reqs <-chan Request, answer error) <-chan Command {
	got := make(chan Command, 16)
	go func() {
		for {
			select {
			case r := <-reqs:
				got <- r.Command
				r.Answer(answer)
			case <-ctx.Done():
				return
			}
		}
	}()
	return got
}

// withoutSessionBus keeps this process's godbus off any session bus.
func withoutSessionBus(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", shortDir(t)) // godbus looks for $XDG_RUNTIME_DIR/bus
}

func TestTextsOfControl(t *testing.T) { i18n.CheckTexts(t) }

// TestSocketReachesTheRunningAgent: one agent per lock; a second start
// reaches it over the socket and gets its answer; once it stops, the next
// ask says none runs, and the socket file is gone.
func TestSocketReachesTheRunningAgent(t *testing.T) {
	withoutSessionBus(t)
	dir := shortDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in, err := StartInstance(ctx, dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := StartInstance(ctx, dir, quiet); !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("second instance: %v, want ErrAlreadyRunning", err)
	}
	got := answerRequests(ctx, in.Requests(), nil)
	askCtx, done := context.WithTimeout(ctx, wait)
	defer done()
	for _, cmd := range []Command{CommandShow, CommandQuit} {
		if err := ask(askCtx, dir, cmd, noBus); err != nil {
			t.Fatalf("ask %v: %v", cmd, err)
		}
		if c := <-got; c != cmd {
			t.Fatalf("the loop got %v, want %v", c, cmd)
		}
	}
	in.Close()
	if _, err := os.Stat(socketPath(dir)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket after Close: %v", err)
	}
	if err := ask(askCtx, dir, CommandShow, noBus); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("after Close: %v, want ErrNotRunning", err)
	}
}

// TestRefusalReachesTheCaller: the loop's reason comes back as it said it.
func TestRefusalReachesTheCaller(t *testing.T) {
	withoutSessionBus(t)
	dir := shortDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in, err := StartInstance(ctx, dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	answerRequests(ctx, in.Requests(), errors.New("窗口 could not open\nat all"))
	askCtx, done := context.WithTimeout(ctx, wait)
	defer done()
	var refused *RefusedError
	if err := ask(askCtx, dir, CommandShow, noBus); !errors.As(err, &refused) || refused.Why != "窗口 could not open at all" {
		t.Fatalf("got %v", err)
	}
}

// TestStaleSocketNeverBlocksAStart: a socket file left by a crashed agent
// (nobody listens, the lock is free) is "not running", and the next agent
// takes it over.
func TestStaleSocketNeverBlocksAStart(t *testing.T) {
	withoutSessionBus(t)
	dir := shortDir(t)
	ln, err := net.Listen("unix", socketPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close() // the file stays, as after kill -9
	if _, err := os.Stat(socketPath(dir)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	askCtx, done := context.WithTimeout(ctx, wait)
	defer done()
	if err := ask(askCtx, dir, CommandShow, noBus); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("stale socket: %v, want ErrNotRunning", err)
	}
	in, err := StartInstance(ctx, dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	answerRequests(ctx, in.Requests(), nil)
	if err := ask(askCtx, dir, CommandShow, noBus); err != nil {
		t.Fatalf("the new agent: %v", err)
	}
}

// TestAskTimesOutOnAnAgentThatDoesNotAnswer: an agent that holds the lock
// but accepts and never answers, or serves nothing yet, is ErrNoAnswer
// once the caller's ctx ends, not a hang.
func TestAskTimesOutOnAnAgentThatDoesNotAnswer(t *testing.T) {
	withoutSessionBus(t)
	dir := shortDir(t)
	release, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer release()

	short := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		t.Cleanup(cancel)
		return ctx
	}
	if err := ask(short(), dir, CommandShow, noBus); !errors.Is(err, ErrNoAnswer) {
		t.Fatalf("lock held, no socket: %v, want ErrNoAnswer", err)
	}

	ln, err := listenSocket(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := ask(short(), dir, CommandShow, noBus); !errors.Is(err, ErrNoAnswer) {
		t.Fatalf("silent agent: %v, want ErrNoAnswer", err)
	}
}

// TestServerEndsWithItsContext: a caller that connects and says nothing,
// and a request the loop never takes, do not keep Close waiting (goleak in
// TestMain checks nothing is left).
func TestServerEndsWithItsContext(t *testing.T) {
	withoutSessionBus(t)
	defer func(d, io time.Duration) { loopWait, socketIOWait = d, io }(loopWait, socketIOWait)
	loopWait, socketIOWait = time.Hour, time.Hour // only the ctx can end them
	dir := shortDir(t)
	in, err := StartInstance(context.Background(), dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	silent, err := net.Dial("unix", socketPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	asking, err := net.Dial("unix", socketPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer asking.Close()
	io.WriteString(asking, "show\n")
	// A request only the loop could take, and nobody reads Requests: the
	// server is reading it or offering it to the loop; either way Close
	// must not wait for the hour-long bounds.
	closed := make(chan struct{})
	go func() { in.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(wait):
		t.Fatal("Close waited on a caller")
	}
	reply, _ := io.ReadAll(asking)
	if s := string(reply); s != "" && s != "stopping\n" && !strings.HasPrefix(s, "error ") {
		t.Fatalf("a stopping agent answered %q", s)
	}
}

// FuzzReadCommand: any bytes a local caller sends give a command or an
// error, never a panic, and at most one line is read.
func FuzzReadCommand(f *testing.F) {
	for _, s := range []string{"show\n", "quit\n", "show", "\n", "SHOW\n", strings.Repeat("x", 100), "quit\nshow\n", "sh\x00ow\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cmd, err := readCommand(bytes.NewReader(data))
		if err != nil {
			return
		}
		if want := cmd.String() + "\n"; !bytes.HasPrefix(data, []byte(want)) {
			t.Fatalf("%q read as %v", data, cmd)
		}
	})
}

// FuzzReply: any reply line gives nil, ErrStopping, a refusal, or
// ErrNoAnswer; each survives the trip through formatReply.
func FuzzReply(f *testing.F) {
	for _, s := range []string{"ok", "stopping", "error the window could not be opened", "error ", "okay", "", "error 无法打开窗口"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		err := parseReply(line)
		var refused *RefusedError
		switch {
		case err == nil:
			if line != "ok" {
				t.Fatalf("%q read as ok", line)
			}
		case errors.Is(err, ErrStopping):
			if line != "stopping" || formatReply(err) != "stopping\n" {
				t.Fatalf("%q read as %v", line, err)
			}
		case errors.As(err, &refused):
			back, rerr := readLine(strings.NewReader(formatReply(refused)), maxReplyLine)
			if rerr != nil {
				t.Fatal(rerr)
			}
			// What a real reply line can hold comes back the same.
			fits := len(line) < maxReplyLine && !strings.Contains(line, "\n") && utf8.ValidString(line)
			var again *RefusedError
			if !errors.As(parseReply(back), &again) || (fits && again.Why != refused.Why) {
				t.Fatalf("%q came back as %v", refused.Why, parseReply(back))
			}
		case !errors.Is(err, ErrNoAnswer):
			t.Fatalf("%q: %v", line, err)
		}
	})
}
