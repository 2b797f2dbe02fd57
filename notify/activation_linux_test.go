package notify

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"tasktray/internal/desktoptest"
)

// activationBus is a session bus whose service directory starts a
// notification daemon on the first call, as desktops that launch dunst or
// notify-osd by D-Bus activation do.
const activationBus = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=%[1]s</listen>
  <servicedir>%[1]s/services</servicedir>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// TestActivatedDaemon: with no daemon running, the first popup starts one
// by D-Bus activation. Calls go to the daemon's unique name, which the bus
// cannot activate, so the notifier asks the bus to start the service first.
func TestActivatedDaemon(t *testing.T) {
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Skip("dbus-daemon is not installed:", err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "dbus") // short: a socket path fits in 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.MkdirAll(filepath.Join(dir, "services"), 0o700); err != nil {
		t.Fatal(err)
	}
	service := fmt.Sprintf("[D-BUS Service]\nName=%s\nExec=/usr/bin/env TASKTRAY_ACTIVATED_DAEMON=1 %s -test.run=^TestActivatedDaemonHelper$\n", serviceName, self)
	if err := os.WriteFile(filepath.Join(dir, "services", "notifications.service"), []byte(service), 0o600); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "session.conf")
	if err := os.WriteFile(config, fmt.Appendf(nil, activationBus, dir), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(daemon, "--config-file="+config, "--nofork", "--print-address")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}

	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	n, err := NewDBus(desktoptest.Connect(t, strings.TrimSpace(addr)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := n.Show(ctx, Popup{Title: "t"}); err != nil {
		t.Errorf("Show with an activatable daemon: %v", err)
	}
}

// TestActivatedDaemonHelper is the daemon TestActivatedDaemon's bus starts:
// a recorder on the bus that started it, until that bus goes away.
func TestActivatedDaemonHelper(t *testing.T) {
	if os.Getenv("TASKTRAY_ACTIVATED_DAEMON") == "" {
		t.Skip("run by TestActivatedDaemon's bus")
	}
	addr := os.Getenv("DBUS_STARTER_ADDRESS")
	desktoptest.StartNotificationRecorder(t, addr)
	watch, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	<-watch.Context().Done()
	watch.Close()
}
