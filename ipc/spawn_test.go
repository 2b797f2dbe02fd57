package ipc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// helperEnv makes the test binary act as a window process instead of running
// the tests; its value names the behaviour (see runHelper).
const helperEnv = "TASKTRAY_IPC_TEST_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(runHelper(mode))
	}
	goleak.VerifyTestMain(m)
}

// runHelper is the child side of the Spawn tests:
//   - "echo" sends back every message it receives; on Close it answers Closed
//     and exits 0; on EOF it exits 0.
//   - "late-echo" is "echo" after lateStart.
//   - "hang" never reads and never exits by itself.
//   - "fail" exits 3.
//   - "orphan" spawns a "hang" child, writes its pid on stdout and exits
//     without waiting for it.
func runHelper(mode string) int {
	switch mode {
	case "echo":
		c := NewConn(os.Stdin, os.Stdout)
		for {
			m, err := c.Receive()
			if err == io.EOF {
				return 0
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
			if _, ok := m.(Close); ok {
				return exitCode(c.Send(Closed{}))
			}
			if err := c.Send(m); err != nil {
				return 1
			}
		}
	case "late-echo": // a window slow to start: reads only after lateStart
		time.Sleep(lateStart)
		return runHelper("echo")
	case "env": // says what spawnEnvVar holds
		return exitCode(NewConn(os.Stdin, os.Stdout).Send(State{Status: os.Getenv(spawnEnvVar)}))
	case "hang":
		time.Sleep(time.Hour)
		return 0
	case "fail":
		return 3
	case "orphan":
		child, err := spawnHelper(context.Background(), "hang")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Println(child.Pid())
		return 0
	}
	fmt.Fprintf(os.Stderr, "unknown helper mode %q\n", mode)
	return 2
}

func exitCode(err error) int {
	if err != nil {
		return 1
	}
	return 0
}

// spawnHelper starts the test binary as a helper in the given mode.
func spawnHelper(ctx context.Context, mode string) (*Child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	os.Setenv(helperEnv, mode) // inherited by the child; the tests run one at a time
	defer os.Unsetenv(helperEnv)
	return Spawn(ctx, exe, nil)
}

// guard bounds the waits for what a helper process must do: a failure guard
// only, generous for a process that starts under -race on two busy cores, or
// under Wine.
const guard = 30 * time.Second

// receiveWithin returns what c.Receive returns, failing the test if that takes
// longer than d. The caller's cleanup kills the child, which ends the read.
func receiveWithin(t *testing.T, c *Child, d time.Duration) (Message, error) {
	t.Helper()
	type result struct {
		m   Message
		err error
	}
	done := make(chan result, 1)
	go func() {
		m, err := c.Receive()
		done <- result{m, err}
	}()
	select {
	case r := <-done:
		return r.m, r.err
	case <-time.After(d):
		c.Kill()
		<-done
		t.Fatalf("no message from the child within %v", d)
		return nil, nil
	}
}

func TestSpawnRoundTrip(t *testing.T) {
	child, err := spawnHelper(t.Context(), "echo")
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range examples {
		if ex.msg == (Close{}) {
			continue // the helper answers it below
		}
		if err := child.Send(ex.msg); err != nil {
			t.Fatal(err)
		}
		got, err := receiveWithin(t, child, guard)
		if err != nil || !reflect.DeepEqual(got, ex.msg) {
			t.Fatalf("echo of %v = %v, %v", ex.msg, got, err)
		}
	}
	if err := child.Send(Close{}); err != nil {
		t.Fatal(err)
	}
	if m, err := receiveWithin(t, child, guard); err != nil || m != (Closed{}) {
		t.Fatalf("answer to close = %v, %v; want closed", m, err)
	}
	if _, err := receiveWithin(t, child, guard); err != io.EOF {
		t.Fatalf("Receive after closed = %v, want io.EOF", err)
	}
	if err := child.Wait(); err != nil {
		t.Errorf("Wait = %v, want nil", err)
	}
}

// spawnEnvVar is the variable TestSpawnEnv hands its child.
const spawnEnvVar = "TASKTRAY_IPC_TEST_LANG"

// TestSpawnEnv: the pairs given to Spawn reach the child on top of the
// agent's environment (the window's language travels this way).
func TestSpawnEnv(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	child, err := Spawn(t.Context(), exe, nil, helperEnv+"=env", spawnEnvVar+"=zh-Hans")
	if err != nil {
		t.Fatal(err)
	}
	m, err := receiveWithin(t, child, guard)
	if st, ok := m.(State); err != nil || !ok || st.Status != "zh-Hans" {
		t.Errorf("child saw %v, %v; want a State saying zh-Hans", m, err)
	}
	for err == nil {
		_, err = child.Receive()
	}
	child.Wait()
}

func TestSpawnContextEndKillsChild(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	child, err := spawnHelper(ctx, "hang")
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	if _, err := receiveWithin(t, child, guard); err != io.EOF {
		t.Fatalf("Receive = %v, want io.EOF once the child is killed", err)
	}
	if err := child.Wait(); err == nil {
		t.Error("Wait = nil for a killed child")
	}
}

func TestSpawnKill(t *testing.T) {
	child, err := spawnHelper(t.Context(), "hang")
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := child.Send(Quit{}); err == nil {
		t.Error("Send to a killed child = nil, want an error")
	}
	if _, err := receiveWithin(t, child, guard); err != io.EOF {
		t.Fatalf("Receive = %v, want io.EOF", err)
	}
	if err := child.Wait(); err == nil {
		t.Error("Wait = nil for a killed child")
	}
	if err := child.Kill(); err != nil {
		t.Errorf("Kill after exit = %v, want nil", err)
	}
}

func TestSpawnExitStatus(t *testing.T) {
	child, err := spawnHelper(t.Context(), "fail")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := receiveWithin(t, child, guard); err != io.EOF {
		t.Fatalf("Receive = %v, want io.EOF", err)
	}
	var exit interface{ ExitCode() int }
	if err := child.Wait(); !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Errorf("Wait = %v, want exit status 3", err)
	}
}

func TestSpawnMissingExecutable(t *testing.T) {
	if _, err := Spawn(t.Context(), "/nonexistent/tasktray", []string{"window", "login"}); err == nil {
		t.Fatal("Spawn of a missing executable succeeded")
	}
}
