package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"go.uber.org/goleak"

	"tasktray/ipc"
)

// viewEnv makes the test binary run Run with its value as the view instead of
// running the tests, as `tasktray window <view>` would.
const viewEnv = "TASKTRAY_WINDOW_TEST_VIEW"

// stuckEnv makes that window process's driver ignore the agent leaving.
const stuckEnv = "TASKTRAY_WINDOW_TEST_STUCK"

func TestMain(m *testing.M) {
	if view := os.Getenv(viewEnv); view != "" {
		if os.Getenv(stuckEnv) != "" {
			closeSession = func(viewSession) {} // the driver never winds down
		}
		if err := Run(view, os.Stdin, os.Stdout); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	// Fyne's GLFW driver starts a goroutine at package init that lives as
	// long as the process: only goroutines the tests start are checked.
	goleak.VerifyTestMain(m, goleak.IgnoreCurrent())
}

// windowProcess starts the test binary as a window process showing view. It
// needs an X display (see DESKTOP-TESTING.md); without one the test is
// skipped.
func windowProcess(t *testing.T, view string) *exec.Cmd {
	t.Helper()
	requireDisplay(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), viewEnv+"="+view, "LANG=en_US.UTF-8")
	cmd.Stderr = os.Stderr
	return cmd
}

// requireDisplay skips the test when there is no X display to open windows on.
func requireDisplay(t *testing.T) {
	t.Helper()
	if os.Getenv("DISPLAY") == "" {
		t.Skip("no X display: run under Xvfb with DISPLAY set")
	}
}

// waitWithin waits for cmd, failing the test if it takes longer than d.
func waitWithin(t *testing.T, cmd *exec.Cmd, d time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		// SIGQUIT: the Go runtime prints every goroutine's stack to the
		// process's stderr (the test's), which says where it hung.
		cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		t.Fatalf("the window process did not exit within %v", d)
		return nil
	}
}

// TestRunExitsOnClose closes windows as they open under the pointer, which
// crashed Fyne's GLFW driver in about one run of three while Session closed
// the window instead of stopping the driver.
func TestRunExitsOnClose(t *testing.T) {
	requireDisplay(t)
	pointAtScreenCentre(t) // where the window opens
	for range 3 {
		cmd := windowProcess(t, ipc.ViewRecent)
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		c := ipc.NewConn(stdout, stdin)
		for _, m := range []ipc.Message{ipc.State{Phase: "connected", Status: "Connected"}, ipc.Tasks{}, ipc.Close{}} {
			if err := c.Send(m); err != nil {
				t.Fatal(err)
			}
		}
		if m, err := c.Receive(); err != io.EOF {
			t.Errorf("window sent %v, %v; want nothing before EOF", m, err)
		}
		if err := waitWithin(t, cmd, 30*time.Second); err != nil {
			t.Fatalf("window process: %v, want exit 0", err)
		}
	}
}

// pointAtScreenCentre moves the pointer to the middle of the screen, when
// xdotool is at hand.
func pointAtScreenCentre(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("xdotool"); err != nil {
		t.Log("no xdotool: the pointer stays where it is")
		return
	}
	out, err := exec.Command("xdotool", "getdisplaygeometry").Output()
	if err != nil {
		t.Fatalf("xdotool getdisplaygeometry: %v", err)
	}
	var w, h int
	if _, err := fmt.Sscan(string(out), &w, &h); err != nil {
		t.Fatalf("xdotool getdisplaygeometry said %q", out)
	}
	if err := exec.Command("xdotool", "mousemove", "--sync", strconv.Itoa(w/2), strconv.Itoa(h/2)).Run(); err != nil {
		t.Fatalf("xdotool mousemove: %v", err)
	}
}

func TestRunExitsWhenTheAgentIsGone(t *testing.T) {
	cmd := windowProcess(t, ipc.ViewLogin)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// A malformed line is skipped, not fatal; EOF closes the window.
	io.WriteString(stdin, "not a message\n"+`{"type":"state","phase":"auth-required","status":"Log in required"}`+"\n")
	time.Sleep(500 * time.Millisecond)
	stdin.Close()
	if err := waitWithin(t, cmd, 30*time.Second); err != nil {
		t.Errorf("window process: %v, want exit 0", err)
	}
}

func TestRunUnknownView(t *testing.T) {
	cmd := windowProcess(t, "no-such-view")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !strings.Contains(stderr.String(), `unknown view "no-such-view"`) {
		t.Errorf("window process: %v, stderr %q; want a failure naming the view", err, stderr.String())
	}
}

// TestRunReadsPastOverLongLine: an over-long line from the agent is skipped
// and logged, and the window goes on reading: the Close after it closes the
// window while stdin stays open. Before, the line broke the stream and the
// window exited with an error.
func TestRunReadsPastOverLongLine(t *testing.T) {
	cmd := windowProcess(t, ipc.ViewStatus)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go io.WriteString(stdin, strings.Repeat("x", ipc.MaxLineSize+10)+"\n"+`{"type":"close"}`+"\n")
	if err := waitWithin(t, cmd, 30*time.Second); err != nil {
		t.Errorf("window process: %v, stderr %q; want exit 0 on the close after the over-long line", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "over-long line") || strings.Contains(stderr.String(), "xxxxxxxx") {
		t.Errorf("stderr %q; want the over-long line logged, by length only", stderr.String())
	}
}

// recordingSession is a viewSession that keeps what it was handed.
type recordingSession struct{ got []ipc.Message }

func (s *recordingSession) Window() fyne.Window  { return nil }
func (s *recordingSession) Handle(m ipc.Message) { s.got = append(s.got, m) }
func (s *recordingSession) Close()               {}

// TestFirstMessageBeforeShow: a login window applies the agent's state
// before it shows (Run calls first before ShowAndRun), so it opens with the
// account filled in and the cursor in the right field; shown first, keys
// typed at once went into the server field and the account was then not
// filled in. Lines that are not messages are skipped; an agent gone or a
// Close before any state means no window at all.
func TestFirstMessageBeforeShow(t *testing.T) {
	state := ipc.State{Phase: "auth-required", Status: "Log in required", Server: "https://tasks.example.com", User: "alice"}
	line, err := json.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		in    string
		show  bool
		wants []ipc.Message
	}{
		{"state", "not a message\n" + `{"type":"state",` + string(line[1:]) + "\n" + `{"type":"close"}` + "\n", true, []ipc.Message{state}},
		{"agent gone", "", false, nil},
		{"closed at once", `{"type":"close"}` + "\n", false, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := &recordingSession{}
			conn := ipc.NewConn(strings.NewReader(tt.in), io.Discard)
			conn.SetLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
			show, err := first(conn, s)
			if show != tt.show || err != nil || !reflect.DeepEqual(s.got, tt.wants) {
				t.Fatalf("first = %v, %v, handled %+v; want %v, nil, %+v", show, err, s.got, tt.show, tt.wants)
			}
			if show { // the rest is receive's, on its own goroutine
				if m, err := conn.Receive(); err != nil || m != (ipc.Close{}) {
					t.Fatalf("next message %v, %v; want the close after the state", m, err)
				}
			}
		})
	}
}

// TestExitsWhenTheDriverHangsAfterTheAgentLeft: a window process whose agent
// is gone exits even when its driver does not wind down (played here by a
// close that does nothing), and says so with its goroutines' stacks.
func TestExitsWhenTheDriverHangsAfterTheAgentLeft(t *testing.T) {
	cmd := windowProcess(t, ipc.ViewRecent)
	cmd.Env = append(cmd.Env, stuckEnv+"=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if err := ipc.NewConn(nil, stdin).Send(ipc.State{Phase: "connected", Status: "Connected"}); err != nil {
		t.Fatal(err)
	}
	stdin.Close()
	if err := waitWithin(t, cmd, exitGrace+30*time.Second); err != nil {
		t.Errorf("window process: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "after the agent left") || !strings.Contains(stderr.String(), "goroutine ") {
		t.Errorf("no word of the hang on stderr:\n%s", stderr.String())
	}
}
