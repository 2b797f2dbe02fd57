package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"tasktray/i18n"
	"tasktray/tray"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const wait = 10 * time.Second

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestTexts(t *testing.T) { i18n.CheckTexts(t) }

// testDir is a short fresh directory for the lock and socket, with this
// process kept off any session bus, so the socket is the way in.
func testDir(t *testing.T) string {
	t.Helper()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	dir, err := os.MkdirTemp("", "tt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	t.Setenv("XDG_RUNTIME_DIR", dir) // godbus looks for $XDG_RUNTIME_DIR/bus
	return dir
}

// fakeAgent runs an Instance in dir and plays the agent's loop: it records
// each command, answers with answer, and stops on quit.
func fakeAgent(t *testing.T, dir string, answer error) <-chan tray.Command {
	t.Helper()
	in, err := tray.StartInstance(context.Background(), dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan tray.Command, 8)
	stopped := make(chan struct{})
	stop := make(chan struct{})
	go func() {
		defer close(stopped)
		defer in.Close()
		for {
			select {
			case r := <-in.Requests():
				got <- r.Command
				r.Answer(answer)
				if r.Command == tray.CommandQuit {
					return
				}
			case <-stop:
				return
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-stopped })
	return got
}

// TestSecondStartShowsTheFirst: a start while an agent runs asks it to show
// its window, says so, and exits 0, never becoming an agent itself.
func TestSecondStartShowsTheFirst(t *testing.T) {
	dir := testDir(t)
	got := fakeAgent(t, dir, nil)
	var out, errb bytes.Buffer
	in, code := becomeAgent(context.Background(), dir, quiet, &out, &errb, nil)
	if in != nil || code != 0 {
		t.Fatalf("second start: instance %v, exit %d (stderr %q)", in, code, errb.String())
	}
	if c := <-got; c != tray.CommandShow {
		t.Fatalf("the agent was asked %v", c)
	}
	if strings.TrimSpace(out.String()) != msgShown.String() {
		t.Fatalf("said %q", out.String())
	}
}

// TestFirstStartBecomesTheAgent: with none running, a start is the agent.
func TestFirstStartBecomesTheAgent(t *testing.T) {
	dir := testDir(t)
	var out, errb bytes.Buffer
	in, code := becomeAgent(context.Background(), dir, quiet, &out, &errb, nil)
	if in == nil || code != 0 {
		t.Fatalf("first start: exit %d, %q", code, errb.String())
	}
	in.Close()
}

// TestShowAndQuitFlags: -show and -quit talk to the running agent and exit
// 0; with none running they say so and exit 1.
func TestShowAndQuitFlags(t *testing.T) {
	dir := testDir(t)
	got := fakeAgent(t, dir, nil)
	var out, errb bytes.Buffer
	if code := command(context.Background(), dir, tray.CommandShow, &out, &errb); code != 0 || <-got != tray.CommandShow {
		t.Fatalf("-show: exit %d, %q", code, errb.String())
	}
	out.Reset()
	if code := command(context.Background(), dir, tray.CommandQuit, &out, &errb); code != 0 || <-got != tray.CommandQuit {
		t.Fatalf("-quit: exit %d, %q", code, errb.String())
	}
	if strings.TrimSpace(out.String()) != msgQuit.String() {
		t.Fatalf("-quit said %q", out.String())
	}
	for _, cmd := range []tray.Command{tray.CommandShow, tray.CommandQuit} {
		errb.Reset()
		if code := command(context.Background(), dir, cmd, &out, &errb); code != 1 || strings.TrimSpace(errb.String()) != msgNotRunning.String() {
			t.Fatalf("%v with none running: exit %d, %q", cmd, code, errb.String())
		}
	}
}

// TestRefusalAndSilence: what the agent refused, and an agent that does
// not answer, give a clear message and exit 1.
func TestRefusalAndSilence(t *testing.T) {
	dir := testDir(t)
	fakeAgent(t, dir, errors.New("no display"))
	var out, errb bytes.Buffer
	if code := command(context.Background(), dir, tray.CommandShow, &out, &errb); code != 1 || strings.TrimSpace(errb.String()) != msgRefused.F("no display") {
		t.Fatalf("refused: exit %d, %q", code, errb.String())
	}

	silent := testDir(t)
	release, err := tray.Lock(silent) // holds the lock, serves nothing
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	defer func(d time.Duration) { askTimeout = d }(askTimeout)
	askTimeout = 200 * time.Millisecond
	errb.Reset()
	in, code := becomeAgent(context.Background(), silent, quiet, &out, &errb, nil)
	if in != nil || code != 1 || strings.TrimSpace(errb.String()) != msgNoAnswer.F(askTimeout) {
		t.Fatalf("silent agent: exit %d, %q", code, errb.String())
	}
}

// TestShowAndQuitTogether is a usage error.
func TestShowAndQuitTogether(t *testing.T) {
	if code := Agent([]string{"-show", "-quit"}); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
}

// hangUpAgent holds the lock in dir and serves its socket as an agent that
// is quitting: it takes one caller, reads the request, and closes the link
// without an answer. It drops the lock when release is closed.
func hangUpAgent(t *testing.T, dir string, release <-chan struct{}) {
	t.Helper()
	unlock, err := tray.Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("unix", filepath.Join(dir, "tasktray.sock"))
	if err != nil {
		unlock()
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if c, err := ln.Accept(); err == nil {
			c.Read(make([]byte, 16))
			c.Close()
		}
		ln.Close()
		<-release
		unlock()
	}()
	t.Cleanup(func() { ln.Close(); <-done })
}

// TestStartWhileTheAgentHangsUp: an agent that quits may close the link
// before it answers; a start then waits for its lock and takes its place,
// and gives up with a clear message when the lock is never dropped.
func TestStartWhileTheAgentHangsUp(t *testing.T) {
	dir := testDir(t)
	release := make(chan struct{})
	hangUpAgent(t, dir, release)
	close(release) // drops the lock once the caller was hung up on
	var out, errb bytes.Buffer
	in, code := becomeAgent(context.Background(), dir, quiet, &out, &errb, nil)
	if in == nil {
		t.Fatalf("a start the quitting agent hung up on: exit %d, %q", code, errb.String())
	}
	in.Close()

	stuck := testDir(t)
	never := make(chan struct{})
	hangUpAgent(t, stuck, never)
	t.Cleanup(func() { close(never) })
	defer func(d time.Duration) { quitTimeout = d }(quitTimeout)
	quitTimeout = 200 * time.Millisecond
	errb.Reset()
	in, code = becomeAgent(context.Background(), stuck, quiet, &out, &errb, nil)
	if in != nil || code != 1 || strings.TrimSpace(errb.String()) != msgStillQuitting.F(quitTimeout) {
		t.Fatalf("an agent that never goes: exit %d, %q", code, errb.String())
	}
}
