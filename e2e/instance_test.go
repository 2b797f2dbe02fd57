//go:build e2e

package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"tasktray/internal/desktoptest"
	"tasktray/server"
)

// The single-instance promise (issue 13 item 3), with the real binary on
// the test desktop: a second start finds the running agent (by its name on
// the session bus, or by its socket where there is no bus), has it show its
// window and exits 0; -show and -quit talk to it; a kill -9 never blocks
// the next start.

// startWith is desktop.startApp with its own environment.
func (d *desktop) startWith(env []string, bin string, args ...string) *app {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	a := &app{cmd: cmd, log: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = a.log, a.log
	if err := cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	go func() { a.done <- cmd.Wait() }()
	d.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-a.done
		}
	})
	return a
}

// run runs the binary to its end in env and returns what it printed and
// its exit code.
func (d *desktop) run(env []string, bin string, args ...string) (string, int) {
	d.t.Helper()
	a := d.startWith(env, bin, args...)
	if err := waitExit(a); err != nil && a.cmd.ProcessState == nil {
		d.t.Fatalf("tasktray %v: %v\n%s", args, err, a.log)
	}
	return a.log.String(), a.cmd.ProcessState.ExitCode()
}

// withoutBus is the session's environment with no D-Bus session bus.
func (d *desktop) withoutBus() []string {
	var env []string
	for _, kv := range d.env() {
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") {
			env = append(env, kv)
		}
	}
	return env
}

// windowOf waits for a process of bin other than the agent whose parent is
// the agent: its window process.
func windowOf(t *testing.T, bin string, agent *app) string {
	t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		for _, pid := range processesOf(bin) {
			if pid != strconv.Itoa(agent.cmd.Process.Pid) && parentOf(pid) == agent.cmd.Process.Pid {
				return pid
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("agent %d started no window process; processes of the binary: %v", agent.cmd.Process.Pid, processesOf(bin))
	return ""
}

// parentOf is pid's parent PID, 0 when it cannot be read.
func parentOf(pid string) int {
	stat, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return 0
	}
	// "pid (comm) state ppid ...": comm may hold spaces; count from ')'.
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

// busOwner is the PID owning io.github.tasktray on the session bus, 0 when
// nobody does.
func busOwner(d *desktop) int {
	conn := desktoptest.Connect(d.t, d.bus)
	defer conn.Close()
	var pid uint32
	if conn.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, "io.github.tasktray").Store(&pid) != nil {
		return 0
	}
	return int(pid)
}

// TestSingleInstance: two real agents on one session bus, -show, -quit, a
// kill -9, and a session without a bus.
func TestSingleInstance(t *testing.T) {
	bin := buildApp(t)
	d := startDesktop(t, fullDesktop)
	srv := startServer(t)
	const password = "wonderland-e2e"
	env := d.env()

	// None runs: -show and -quit say so and fail.
	for _, flag := range []string{"-show", "-quit"} {
		if out, code := d.run(env, bin, flag); code != 1 || !strings.Contains(out, "tasktray is not running") {
			t.Fatalf("%s with none running: exit %d, %q", flag, code, out)
		}
	}

	// 1. The first agent owns the name on the session bus.
	first := d.startApp(bin, "-coalesce=false")
	item, err := d.tray.WaitItem(wait)
	if err != nil {
		t.Fatalf("%v\napp log:\n%s", err, first.log)
	}
	r := &run{desktop: d, t: t, bin: bin, item: item}
	r.waitIcon("login-required")
	if pid := busOwner(d); pid != first.cmd.Process.Pid {
		t.Fatalf("io.github.tasktray is owned by PID %d, want the agent %d", pid, first.cmd.Process.Pid)
	}

	// 2. A second start: exit 0, and the first opens its login window (a
	// window process of its own). Type into it as a person would.
	out, code := d.run(env, bin, "-coalesce=false")
	if code != 0 || !strings.Contains(out, "already running") {
		t.Fatalf("second start: exit %d, %q", code, out)
	}
	windowOf(t, bin, first)
	wid := d.waitWindow("Log in", first)
	if len(d.tray.Items()) != 1 {
		t.Fatalf("tray items %v: two agents run", d.tray.Items())
	}
	time.Sleep(500 * time.Millisecond) // let Fyne draw, for the screenshot only
	d.screenshot("second-start-login")
	d.xdotool("windowfocus", "--sync", wid)
	time.Sleep(300 * time.Millisecond) // let Fyne draw and take the focus
	for i, f := range []string{srv.url(), "alice", password} {
		if i > 0 {
			d.xdotool("key", "Tab")
		}
		d.xdotool("type", "--delay", "5", f)
	}
	d.xdotool("key", "Return")
	d.waitNoWindow("Log in")
	r.waitIcon("connected")

	// 3. Logged in: a start shows recent tasks.
	srv.Publish("alice", server.TaskInput{Title: "Shown by a second start"})
	r.popups(0, 1)
	if out, code := d.run(env, bin); code != 0 {
		t.Fatalf("third start: exit %d, %q", code, out)
	}
	d.waitWindow("Recent tasks", first)
	time.Sleep(500 * time.Millisecond) // let Fyne draw, for the screenshot only
	d.screenshot("second-start-recent")

	// 4. -quit stops the first: it exits 0, its tray item and window go.
	if out, code := d.run(env, bin, "-quit"); code != 0 || !strings.Contains(out, "tasktray has quit") {
		t.Fatalf("-quit: exit %d, %q", code, out)
	}
	if err := waitExit(first); err != nil {
		t.Fatalf("the agent after -quit: %v\n%s", err, first.log)
	}
	if err := d.tray.WaitGone(item, wait); err != nil {
		t.Fatal(err)
	}
	d.waitNoWindow("Recent tasks")

	// 5. kill -9: the lock, socket and name it held never block a start.
	crashed := d.startApp(bin)
	if item, err = d.tray.WaitItem(wait); err != nil {
		t.Fatalf("%v\n%s", err, crashed.log)
	}
	crashed.cmd.Process.Kill()
	waitExit(crashed)
	if err := d.tray.WaitGone(item, wait); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(d.home, "run", "tasktray.sock")); err != nil {
		t.Fatalf("no socket left by the killed agent (the test would prove nothing): %v", err)
	}
	next := d.startApp(bin)
	if r.item, err = d.tray.WaitItem(wait); err != nil {
		t.Fatalf("a start after kill -9: %v\n%s", err, next.log)
	}
	r.waitIcon("connected") // from the keyring: logged in
	if out, code := d.run(env, bin, "-show"); code != 0 {
		t.Fatalf("-show: exit %d, %q", code, out)
	}
	windowOf(t, bin, next)
	d.waitWindow("Recent tasks", next)
	if out, code := d.run(env, bin, "-quit"); code != 0 {
		t.Fatalf("-quit: exit %d, %q", code, out)
	}
	if err := waitExit(next); err != nil {
		t.Fatalf("%v\n%s", err, next.log)
	}

	// 6. No session bus: the socket alone. The agent shows its status
	// window (no tray without a bus); a second start has it show the login
	// window (no keyring without a bus either); -quit stops it.
	noBus := d.withoutBus()
	alone := d.startWith(noBus, bin)
	d.waitWindow("^tasktray$", alone)
	if out, code := d.run(noBus, bin); code != 0 || !strings.Contains(out, "already running") {
		t.Fatalf("second start without a bus: exit %d, %q\nagent log:\n%s", code, out, alone.log)
	}
	d.waitWindow("Log in", alone)
	time.Sleep(500 * time.Millisecond) // let Fyne draw, for the screenshot only
	d.screenshot("second-start-no-bus")
	if out, code := d.run(noBus, bin, "-quit"); code != 0 {
		t.Fatalf("-quit without a bus: exit %d, %q", code, out)
	}
	if err := waitExit(alone); err != nil {
		t.Fatalf("%v\n%s", err, alone.log)
	}
	if left := processesOf(bin); len(left) > 0 {
		t.Fatalf("processes left behind: %v", left)
	}
}
