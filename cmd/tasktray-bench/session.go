package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

// readyWait bounds how long a daemon of the session may take to come up;
// each takes a fraction of a second (DESKTOP-TESTING.md).
const readyWait = 10 * time.Second

// busConfig is a session bus with no service directories, so nothing the
// bench did not start can answer on it (as in scripts/keyring-session.sh).
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:dir=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// session is a throwaway desktop session, set up the way
// scripts/keyring-session.sh and DESKTOP-TESTING.md do: a fresh HOME and
// XDG_RUNTIME_DIR, Xvfb, a private D-Bus session bus and a gnome-keyring
// whose login keyring is unlocked.
type session struct {
	dir     string // holds home/, run/ and the logs
	home    string
	runtime string
	display string // ":N"
	busAddr string
	procs   []*process // in start order
}

// startSession starts the session's daemons in dir. On error, what was
// started is stopped again.
func startSession(dir string) (s *session, err error) {
	s = &session{dir: dir, home: filepath.Join(dir, "home"), runtime: filepath.Join(dir, "run")}
	defer func() {
		if err != nil {
			s.stop()
		}
	}()
	for _, d := range []string{dir, s.home, s.runtime} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return s, err
		}
	}
	if err := s.startXvfb(); err != nil {
		return s, err
	}
	if err := s.startBus(); err != nil {
		return s, err
	}
	return s, s.startKeyring()
}

// logPath names the log file of one daemon.
func (s *session) logPath(name string) string { return filepath.Join(s.dir, name+".log") }

// env is the environment of a process in the session: the bench's own,
// minus anything that points at the real desktop, plus the session's.
func (s *session) env() []string {
	drop := []string{"HOME", "DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "LANG", "LC_ALL",
		"GNOME_KEYRING_CONTROL", "SSH_AUTH_SOCK"}
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return slices.Contains(drop, k) || strings.HasPrefix(k, "XDG_")
	})
	return append(env,
		"HOME="+s.home,
		"XDG_RUNTIME_DIR="+s.runtime,
		"XDG_CONFIG_HOME="+filepath.Join(s.home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(s.home, ".cache"),
		"XDG_DATA_HOME="+filepath.Join(s.home, ".local", "share"),
		"XDG_STATE_HOME="+filepath.Join(s.home, ".local", "state"),
		"DISPLAY="+s.display,
		"DBUS_SESSION_BUS_ADDRESS="+s.busAddr,
		// C.UTF-8 makes Fyne log a locale error (DESKTOP-TESTING.md).
		"LANG=en_US.UTF-8",
	)
}

// configHome is $XDG_CONFIG_HOME of the session.
func (s *session) configHome() string { return filepath.Join(s.home, ".config") }

// startXvfb starts an X server on a free display, which it picks itself
// and writes to the pipe given with -displayfd.
func (s *session) startXvfb() error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w} // fd 3
	p, err := startProcess("Xvfb", cmd, s.logPath("xvfb"))
	w.Close()
	if err != nil {
		return err
	}
	s.procs = append(s.procs, p)
	line, err := readLine(r, p)
	if err != nil {
		return fmt.Errorf("Xvfb printed no display: %w", err)
	}
	s.display = ":" + line
	return nil
}

// startBus starts a private session bus and reads its address.
func (s *session) startBus() error {
	config := filepath.Join(s.dir, "bus.conf")
	if err := os.WriteFile(config, fmt.Appendf(nil, busConfig, s.runtime), 0o600); err != nil {
		return err
	}
	cmd := exec.Command("dbus-daemon", "--config-file="+config, "--nofork", "--print-address")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	p, err := startProcess("dbus-daemon", cmd, s.logPath("dbus-daemon"))
	if err != nil {
		return err
	}
	s.procs = append(s.procs, p)
	if s.busAddr, err = readLine(out, p); err != nil {
		return fmt.Errorf("dbus-daemon printed no address: %w", err)
	}
	return nil
}

// startKeyring starts gnome-keyring-daemon with its login keyring created
// and unlocked with the password "pass", and waits until it owns
// org.freedesktop.secrets.
func (s *session) startKeyring() error {
	cmd := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	cmd.Env = s.env()
	cmd.Stdin = strings.NewReader("pass")
	p, err := startProcess("gnome-keyring-daemon", cmd, s.logPath("gnome-keyring"))
	if err != nil {
		return err
	}
	s.procs = append(s.procs, p)
	bus, err := dbus.Connect(s.busAddr)
	if err != nil {
		return err
	}
	defer bus.Close()
	deadline := time.Now().Add(readyWait)
	for {
		var owned bool
		err := bus.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.freedesktop.secrets").Store(&owned)
		switch {
		case err != nil:
			return err
		case owned:
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("gnome-keyring-daemon did not own org.freedesktop.secrets within %v%s", readyWait, p.logTail())
		}
		if err := p.crashed(); err != nil {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop stops the session's daemons by PID, the last started first.
func (s *session) stop() error {
	var errs []error
	for _, p := range slices.Backward(s.procs) {
		errs = append(errs, p.stop())
	}
	s.procs = nil
	return errors.Join(errs...)
}

// readLine returns the first line a daemon writes to r, without the
// newline, or an error if the daemon exits or takes over readyWait.
func readLine(r io.Reader, p *process) (string, error) {
	type result struct {
		line string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		line, err := bufio.NewReader(r).ReadString('\n')
		got <- result{strings.TrimSpace(line), err}
	}()
	t := time.NewTimer(readyWait)
	defer t.Stop()
	select {
	case res := <-got:
		if res.line == "" {
			return "", fmt.Errorf("%v%s", res.err, p.logTail())
		}
		return res.line, nil
	case <-p.exited:
		return "", fmt.Errorf("%s exited: %v%s", p.name, p.waitErr, p.logTail())
	case <-t.C:
		return "", fmt.Errorf("nothing within %v%s", readyWait, p.logTail())
	}
}
