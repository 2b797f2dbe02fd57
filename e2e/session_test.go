//go:build e2e

package e2e

// A real desktop session for the tray app, started part by part as
// docs/desktop-testing.md describes: Xvfb, a private D-Bus session bus, an
// unlocked gnome-keyring on that bus, and observers of the test's own that
// own org.kde.StatusNotifierWatcher (the tray host) and
// org.freedesktop.Notifications (the popup daemon).

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	_ "image/png"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"tasktray/assets"
	"tasktray/internal/desktoptest"
	"tasktray/server"
)

const wait = 20 * time.Second

type desktop struct {
	t       *testing.T
	home    string
	display string
	bus     string
	rec     *desktoptest.NotificationRecorder
	tray    *desktoptest.Watcher
	shots   string // where screenshots go
}

// parts says which parts of a desktop session run.
type parts struct {
	keyring  bool // gnome-keyring owns org.freedesktop.secrets
	trayHost bool // a StatusNotifierWatcher runs from the start
}

var fullDesktop = parts{keyring: true, trayHost: true}

// startDesktop brings up the session; everything it starts is stopped at
// cleanup, by PID.
func startDesktop(t *testing.T, p parts) *desktop {
	t.Helper()
	for _, tool := range []string{"Xvfb", "xdpyinfo", "xdotool", "gnome-keyring-daemon", "secret-tool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: run scripts/setup.sh test", tool)
		}
	}
	home, err := os.MkdirTemp("", "tasktray-e2e-home")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) })
	runtime := filepath.Join(home, "run")
	os.MkdirAll(runtime, 0o700)
	d := &desktop{t: t, home: home, shots: os.Getenv("TASKTRAY_SCREENSHOTS")}
	if d.shots == "" {
		d.shots = t.TempDir()
	}
	d.startX()
	d.bus = desktoptest.StartSessionBus(t)
	if p.keyring {
		d.startKeyring()
	}
	d.rec = desktoptest.StartNotificationRecorder(t, d.bus)
	if p.trayHost {
		d.startTrayHost()
	}
	return d
}

// startTrayHost starts the StatusNotifierWatcher, as a desktop's tray does.
func (d *desktop) startTrayHost() {
	d.tray = desktoptest.StartWatcher(d.t, d.bus)
}

// env is the environment of every program in the session.
func (d *desktop) env() []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + d.home,
		"XDG_RUNTIME_DIR=" + filepath.Join(d.home, "run"),
		"XDG_CONFIG_HOME=" + filepath.Join(d.home, ".config"),
		"XDG_STATE_HOME=" + filepath.Join(d.home, ".local/state"),
		"XDG_CACHE_HOME=" + filepath.Join(d.home, ".cache"),
		"XDG_DATA_HOME=" + filepath.Join(d.home, ".local/share"),
		// No system-wide profile of this machine's leaks in.
		"XDG_CONFIG_DIRS=" + filepath.Join(d.home, "etc-xdg"),
		"DISPLAY=" + d.display,
		"DBUS_SESSION_BUS_ADDRESS=" + d.bus,
		"LANG=en_US.UTF-8",
	}
}

func (d *desktop) startX() {
	t := d.t
	// -displayfd: Xvfb picks a free display itself (the X server takes a
	// lock file whose process is gone as free, and two tests starting at
	// once cannot pick the same one) and writes its number when it is ready
	// for clients.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() {
		// SIGTERM first: the server then removes its lock file.
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case n := <-got:
		if n == "" {
			t.Fatal("Xvfb exited without naming a display")
		}
		d.display = ":" + n
	case <-time.After(20 * time.Second):
		t.Fatal("Xvfb did not come up within 20 s")
	}
}

func (d *desktop) startKeyring() {
	t := d.t
	cmd := exec.Command("gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets")
	cmd.Env = d.env()
	cmd.Stdin = strings.NewReader("e2e-keyring-pass")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	conn := desktoptest.Connect(t, d.bus)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var has bool
		conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.freedesktop.secrets").Store(&has)
		if has {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("gnome-keyring did not take org.freedesktop.secrets")
}

// secret reads what the keyring holds for user, as an admin would.
func (d *desktop) secret(user string) string {
	cmd := exec.Command("secret-tool", "lookup", "service", "tasktray", "username", user)
	cmd.Env = d.env()
	out, _ := cmd.Output() // exit 1 means no such entry
	return string(out)
}

// screenshot saves the whole screen as name.png.
func (d *desktop) screenshot(name string) string {
	path := filepath.Join(d.shots, name+".png")
	cmd := exec.Command("import", "-window", "root", path)
	cmd.Env = d.env()
	if out, err := cmd.CombinedOutput(); err != nil {
		d.t.Logf("screenshot %s failed: %v %s", name, err, out)
	}
	return path
}

// xdotool runs xdotool on the session's display and returns its output.
func (d *desktop) xdotool(args ...string) string {
	d.t.Helper()
	cmd := exec.Command("xdotool", args...)
	cmd.Env = d.env()
	out, err := cmd.CombinedOutput()
	if err != nil {
		d.t.Fatalf("xdotool %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// waitWindow waits for a visible window whose name contains name; on
// failure it prints the logs of apps (an agent's log holds its windows'
// stderr).
func (d *desktop) waitWindow(name string, apps ...*app) string {
	d.t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		cmd := exec.Command("xdotool", "search", "--onlyvisible", "--name", name)
		cmd.Env = d.env()
		if out, err := cmd.Output(); err == nil && len(bytes.TrimSpace(out)) > 0 {
			return strings.Fields(string(out))[0]
		}
		time.Sleep(100 * time.Millisecond)
	}
	var logs strings.Builder
	for _, a := range apps {
		fmt.Fprintf(&logs, "\napp log:\n%s", a.log)
	}
	d.t.Fatalf("no window %q appeared%s", name, logs.String())
	return ""
}

// waitNoWindow waits until no visible window's name matches name.
func (d *desktop) waitNoWindow(name string) {
	d.t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		cmd := exec.Command("xdotool", "search", "--onlyvisible", "--name", name)
		cmd.Env = d.env()
		if out, _ := cmd.Output(); len(bytes.TrimSpace(out)) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	d.t.Fatalf("window %q still shown", name)
}

// pixmap converts a PNG to the ARGB32 bytes StatusNotifierItem carries, the
// way fyne.io/systray does (argbForImage), so an icon on the bus can be
// matched to the asset it came from.
func pixmap(png []byte) []byte {
	img, _, err := image.Decode(bytes.NewReader(png))
	if err != nil {
		panic(err)
	}
	b := img.Bounds()
	out := make([]byte, 0, b.Dx()*b.Dy()*4)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			out = append(out, byte(a), byte(r), byte(g), byte(bl))
		}
	}
	return out
}

// iconName names the asset an IconPixmap shows, or "unknown".
func iconName(argb []byte) string {
	for _, s := range assets.States {
		for _, unread := range []bool{false, true} {
			if bytes.Equal(argb, pixmap(assets.Icon(s, unread))) {
				if unread {
					return s.String() + "+unread"
				}
				return s.String()
			}
		}
	}
	return "unknown"
}

// refServer is the reference server on a fixed loopback port, so it can be
// stopped and started again at the same address, keeping its users and
// history (as a real server keeps them in its database).
type refServer struct {
	*server.Server
	addr string
	mu   sync.Mutex
	hs   *http.Server
}

func startServer(t *testing.T) *refServer {
	srv, err := server.New(server.Config{BcryptCost: bcrypt.MinCost, PingPeriod: 2 * time.Second, PongWait: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.AddUser("alice", "wonderland-e2e"); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &refServer{Server: srv, addr: ln.Addr().String()}
	s.serve(ln)
	t.Cleanup(func() { s.stop(); srv.Close() })
	return s
}

func (s *refServer) url() string { return "http://" + s.addr }

func (s *refServer) serve(ln net.Listener) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hs = &http.Server{Handler: s.Server}
	go s.hs.Serve(ln)
}

// stop takes the server off the network: no listener, every link cut.
func (s *refServer) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hs != nil {
		s.hs.Close()
		s.hs = nil
	}
	s.DropConnections()
}

func (s *refServer) restart(t *testing.T) {
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the port can take a moment to be free again
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	s.serve(ln)
}

// app is one run of the real tasktray binary in the session.
type app struct {
	cmd  *exec.Cmd
	log  *syncBuffer
	done chan error
}

func (d *desktop) startApp(bin string, args ...string) *app {
	cmd := exec.Command(bin, args...)
	cmd.Env = d.env()
	log := &syncBuffer{}
	cmd.Stderr = log
	cmd.Stdout = log
	if err := cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	a := &app{cmd: cmd, log: log, done: make(chan error, 1)}
	go func() { a.done <- cmd.Wait() }()
	d.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-a.done
		}
	})
	return a
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}
