//go:build e2e

package e2e

// The zh-CN run (issue 14, "CJK everywhere"): the real binary under
// LANG=zh_CN.UTF-8 on a desktop a person would recognise (xfwm4, the Xfce
// panel as the tray host, dunst showing popups, the Noto CJK fonts), Chinese
// tasks with a Japanese and a Korean one among them. It saves a screenshot
// of the menu, a popup and each window; with TASKTRAY_SCREENSHOTS=docs/screenshots
// they land where the README shows them. It also greps the agent's log file
// after the whole login -> tasks -> diagnostics -> logout run for the
// password, the token and the task text.

import (
	"bytes"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"tasktray/internal/desktoptest"
	"tasktray/server"
)

// The tasks of the run: what a back office in China gets, and one in
// Japanese and one in Korean, whose text must render too.
var zhTasks = []server.TaskInput{
	{Title: "审批：第四季度服务器采购申请", Body: "财务部王经理提交了 ¥38,500 的采购单，请在今天 17:00 前审批。", Priority: 4},
	{Title: "客户投诉：订单 #20261202 未发货", Body: "上海分公司客户反映已付款三天仍未发货，请尽快联系物流。", Priority: 3},
	{Title: "紧急：生产数据库主节点宕机", Body: "北京机房 db-01 无响应，备用节点已接管，请值班工程师立即处理。", Priority: 5},
	{Title: "至急：請求書の確認をお願いします", Body: "東京支社から 12 月分の請求書が届きました。", Priority: 3},
	{Title: "긴급: 서울 지사 서버 점검", Body: "오늘 밤 11시에 정기 점검이 있습니다.", Priority: 3},
}

func TestChineseDesktop(t *testing.T) {
	for _, tool := range []string{"xfce4-panel", "xfwm4", "dunst", "fc-list", "xclip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed: run scripts/setup.sh test", tool)
		}
	}
	if out, _ := exec.Command("fc-list", ":lang=zh", "family").Output(); len(bytes.TrimSpace(out)) == 0 {
		t.Fatal("no Chinese font installed (fonts-noto-cjk): run scripts/setup.sh test")
	}
	bin := buildApp(t)
	srv := startServer(t)
	const password = "wonderland-e2e"
	d := startXfceDesktop(t)
	a := d.startZhApp(bin)
	m := d.waitTrayMenu(a.cmd.Process.Pid)

	// The login window, in Chinese, typed into as a person would.
	m.click(t, "登录", "Log in") // not the status line "未登录" (not logged in)
	wid, ok := d.tryWindow("tasktray")
	if !ok {
		ps, _ := exec.Command("ps", "-eo", "pid,ppid,args").Output()
		entries, err := m.entries()
		t.Fatalf("no login window; menu %+v %v; processes:\n%s", entries, err, ps)
	}
	d.xdotool("windowactivate", "--sync", wid)
	time.Sleep(500 * time.Millisecond) // let Fyne draw and take the focus
	for i, f := range []string{srv.url(), "alice", password} {
		if i > 0 {
			d.xdotool("key", "Tab")
		}
		d.xdotool("type", "--delay", "5", f)
	}
	d.windowShot(wid, "zh-login")
	d.xdotool("key", "Return")
	d.waitNoZhWindow("tasktray")
	user := "alice@" + srv.url()
	var token string
	for deadline := time.Now().Add(wait); token == "" && time.Now().Before(deadline); {
		token = strings.TrimSpace(d.secret(user))
		time.Sleep(50 * time.Millisecond)
	}
	if token == "" {
		t.Fatalf("no token in gnome-keyring for %s; agent log:\n%s", user, a.log)
	}

	// Chinese tasks: dunst shows them in the CJK font.
	for _, task := range zhTasks {
		if _, err := srv.Publish("alice", task); err != nil {
			t.Fatal(err)
		}
	}
	d.waitVisibleClass("Dunst")
	time.Sleep(time.Second) // dunst stacks the burst's popups
	d.cornerShot("zh-popup")

	// The menu, as the panel shows it: a click on the icon.
	x, y := d.trayIcon()
	d.xdotool("mousemove", fmt.Sprint(x), fmt.Sprint(y), "click", "1")
	time.Sleep(time.Second) // the panel asks the menu's layout, then draws it
	d.cornerShot("zh-menu")
	d.xdotool("key", "Escape")

	// Every window the menu opens. The diagnostics window puts its report
	// on the clipboard.
	var report string
	for _, w := range []struct {
		shot     string
		labels   []string
		optional bool // the window may not exist yet in this build
	}{
		{"zh-recent", []string{"最近", "Recent tasks"}, false},
		{"zh-settings", []string{"设置", "Settings"}, true},
		{"zh-diagnostics", []string{"复制诊断", "Copy diagnostics"}, false},
	} {
		if !m.click(t, w.labels...) {
			if w.optional {
				t.Logf("no menu entry %q: no %s screenshot", w.labels, w.shot)
				continue
			}
			t.Fatalf("no menu entry %q", w.labels)
		}
		wid, ok := d.tryWindow("tasktray")
		if !ok {
			if w.optional {
				t.Logf("%s: no window opened; agent log:\n%s", w.shot, a.log)
				continue
			}
			t.Fatalf("%s: no window opened; agent log:\n%s", w.shot, a.log)
		}
		d.xdotool("windowactivate", "--sync", wid)
		time.Sleep(time.Second) // the agent's state and list reach the window, which draws them
		d.windowShot(wid, w.shot)
		if w.shot == "zh-recent" {
			// Search, in Chinese: the field is under the heading.
			d.xdotool("mousemove", "--window", wid, "200", "70", "click", "1")
			time.Sleep(300 * time.Millisecond) // the field takes the focus
			// xdotool types a character with no key on the keymap by
			// remapping a spare keycode; a slow delay lets the X server and
			// Fyne see each remap before its key press.
			d.xdotool("type", "--delay", "150", "采购")
			time.Sleep(time.Second) // the agent answers, the list redraws
			d.windowShot(wid, "zh-recent-search")
		}
		if w.shot == "zh-diagnostics" {
			report = d.clipboard()
		}
		d.closeWindow(wid)
		d.waitNoZhWindow("tasktray")
	}

	// Log out, then quit.
	if !m.click(t, "退出登录", "Log out") {
		t.Fatal("no Log out entry")
	}
	for deadline := time.Now().Add(wait); d.secret(user) != ""; {
		if time.Now().After(deadline) {
			t.Fatal("the token stayed in the keyring after logging out")
		}
		time.Sleep(50 * time.Millisecond)
	}
	m.clickExactly(t, "退出", "Quit")
	if err := waitExit(a); err != nil {
		t.Fatalf("quit: %v; log:\n%s", err, a.log)
	}

	// The log file: the run is in it; the secrets and the task text are not.
	logPath := filepath.Join(d.home, ".local/state/tasktray/tasktray.log")
	logText, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("no log file: %v", err)
	}
	if !bytes.Contains(logText, []byte("logged in")) || !bytes.Contains(logText, []byte("logged out")) {
		t.Errorf("the log file misses the run:\n%s", logText)
	}
	for _, want := range []string{"tasktray", "dunst", "gnome-keyring", srv.addr} {
		if !strings.Contains(report, want) {
			t.Errorf("the diagnostics report on the clipboard lacks %q:\n%s", want, report)
		}
	}
	secrets := []string{password, token}
	for _, task := range zhTasks {
		secrets = append(secrets, task.Title, task.Body)
		secrets = append(secrets, string([]rune(task.Title)[:4])) // a part is content too
	}
	for _, s := range secrets {
		if bytes.Contains(logText, []byte(s)) {
			t.Errorf("the log file holds %q:\n%s", s, logText)
		}
		if strings.Contains(report, s) {
			t.Errorf("the diagnostics report holds %q:\n%s", s, report)
		}
	}
	t.Logf("screenshots in %s; log file %d bytes; report %d bytes", d.shots, len(logText), len(report))
}

// startXfceDesktop is startDesktop with real parts where a person would see
// them: xfwm4, the Xfce panel (its systray plugin is the
// StatusNotifierWatcher and draws the menu) and dunst instead of the test's
// watcher and recorder. The panel's settings are seeded so that it skips
// its first-run dialog (docs: DESKTOP-TESTING.md).
func startXfceDesktop(t *testing.T) *desktop {
	t.Helper()
	home, err := os.MkdirTemp("", "tasktray-e2e-zh")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) })
	os.MkdirAll(filepath.Join(home, "run"), 0o700)
	d := &desktop{t: t, home: home, shots: os.Getenv("TASKTRAY_SCREENSHOTS")}
	if d.shots == "" {
		d.shots = t.TempDir()
	}
	panelConf := filepath.Join(home, ".config/xfce4/xfconf/xfce-perchannel-xml")
	if err := os.MkdirAll(panelConf, 0o755); err != nil {
		t.Fatal(err)
	}
	seed, err := os.ReadFile("/etc/xdg/xfce4/panel/default.xml")
	if err != nil {
		t.Fatalf("xfce4-panel's default layout: %v", err)
	}
	os.WriteFile(filepath.Join(panelConf, "xfce4-panel.xml"), seed, 0o644)
	d.startX()
	d.bus = desktoptest.StartSessionBus(t)
	d.startKeyring()
	// The test bus activates no services: start the settings daemon the
	// panel reads its layout from, as the session bus would on demand.
	d.startDaemon(xfconfd)
	d.waitBusName("org.xfce.Xfconf")
	d.startDaemon("xfwm4")
	d.startDaemon("xfce4-panel")
	d.waitBusName("org.kde.StatusNotifierWatcher")
	d.startDaemon("dunst")
	d.waitBusName("org.freedesktop.Notifications")
	return d
}

// xfconfd is where Debian installs Xfce's settings daemon.
const xfconfd = "/usr/lib/x86_64-linux-gnu/xfce4/xfconf/xfconfd"

// startDaemon runs a desktop program for the test, stopped by PID at cleanup.
func (d *desktop) startDaemon(name string, args ...string) {
	cmd := exec.Command(name, args...)
	cmd.Env = d.env()
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	d.t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if d.t.Failed() {
			d.t.Logf("%s said:\n%s", filepath.Base(name), out)
		}
	})
}

func (d *desktop) waitBusName(name string) {
	d.t.Helper()
	conn := desktoptest.Connect(d.t, d.bus)
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var has bool
		conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&has)
		if has {
			return
		}
	}
	d.t.Fatalf("nothing took %s", name)
}

// startZhApp starts the agent in Chinese. Only the app gets zh_CN: this
// machine has no zh_CN libc locale, which the C programs of the session
// would trip on, and Go needs none.
func (d *desktop) startZhApp(bin string) *app {
	cmd := exec.Command(bin)
	cmd.Env = append(d.env(), "LANG=zh_CN.UTF-8", "XDG_CURRENT_DESKTOP=XFCE") // the last LANG wins
	log := &syncBuffer{}
	cmd.Stderr, cmd.Stdout = log, log
	if err := cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	a := &app{cmd: cmd, log: log, done: make(chan error, 1)}
	go func() { a.done <- cmd.Wait() }()
	d.t.Cleanup(func() {
		if d.t.Failed() {
			d.screenshot("zh-failed")
		}
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-a.done
		}
		if d.t.Failed() {
			file, _ := os.ReadFile(filepath.Join(d.home, ".local/state/tasktray/tasktray.log"))
			d.t.Logf("agent said:\n%s\nits log file:\n%s", log, file)
		}
	})
	return a
}

// trayMenu is the app's com.canonical.dbusmenu, clicked over the bus as the
// panel does when a person picks an entry.
type trayMenu struct {
	obj dbus.BusObject
}

// waitTrayMenu finds the StatusNotifierItem of the process pid
// (fyne.io/systray names it org.kde.StatusNotifierItem-PID-1) and its menu.
func (d *desktop) waitTrayMenu(pid int) *trayMenu {
	d.t.Helper()
	conn := desktoptest.Connect(d.t, d.bus)
	prefix := fmt.Sprintf("org.kde.StatusNotifierItem-%d-", pid)
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var names []string
		conn.BusObject().Call("org.freedesktop.DBus.ListNames", 0).Store(&names)
		i := slices.IndexFunc(names, func(n string) bool { return strings.HasPrefix(n, prefix) })
		if i < 0 {
			continue
		}
		v, err := conn.Object(names[i], "/StatusNotifierItem").GetProperty("org.kde.StatusNotifierItem.Menu")
		if err != nil {
			continue
		}
		path, _ := v.Value().(dbus.ObjectPath)
		return &trayMenu{obj: conn.Object(names[i], path)}
	}
	d.t.Fatalf("the app's tray item never appeared")
	return nil
}

type menuEntry struct {
	id      int32
	label   string
	visible bool
}

// entries lists the menu's top-level entries.
func (m *trayMenu) entries() ([]menuEntry, error) {
	var revision uint32
	var root struct {
		ID       int32
		Props    map[string]dbus.Variant
		Children []dbus.Variant
	}
	if err := m.obj.Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(1), []string{}).Store(&revision, &root); err != nil {
		return nil, err
	}
	var out []menuEntry
	for _, c := range root.Children {
		var n struct {
			ID       int32
			Props    map[string]dbus.Variant
			Children []dbus.Variant
		}
		if err := dbus.Store([]any{c.Value()}, &n); err != nil {
			return nil, err
		}
		e := menuEntry{id: n.ID, visible: true}
		if v, ok := n.Props["label"]; ok {
			e.label, _ = v.Value().(string)
		}
		if v, ok := n.Props["visible"]; ok {
			e.visible, _ = v.Value().(bool)
		}
		out = append(out, e)
	}
	return out, nil
}

// click clicks the first visible entry starting with one of the words; it
// waits for one to appear (the menu changes as the agent's state does) and
// reports false if none does.
func (m *trayMenu) click(t *testing.T, words ...string) bool {
	t.Helper()
	return m.clickMatching(t, func(label string) bool {
		return slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(label, w) })
	}, words)
}

// clickExactly clicks the entry labelled exactly one of labels.
func (m *trayMenu) clickExactly(t *testing.T, labels ...string) {
	t.Helper()
	if !m.clickMatching(t, func(label string) bool { return slices.Contains(labels, label) }, labels) {
		t.Fatalf("no menu entry %q", labels)
	}
}

func (m *trayMenu) clickMatching(t *testing.T, ok func(string) bool, what []string) bool {
	t.Helper()
	var last []menuEntry
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		entries, err := m.entries()
		if err != nil {
			continue
		}
		last = entries
		for _, e := range entries {
			if e.visible && ok(e.label) {
				err := m.obj.Call("com.canonical.dbusmenu.Event", 0, e.id, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix())).Err
				if err != nil {
					t.Fatal(err)
				}
				return true
			}
		}
	}
	t.Logf("menu entries while looking for %q: %+v", what, last)
	return false
}

// closeWindow asks the window manager to close wid, as alt+F4 does. A
// window already gone is no error.
func (d *desktop) closeWindow(wid string) {
	for _, args := range [][]string{{"windowactivate", "--sync", wid}, {"key", "alt+F4"}} {
		cmd := exec.Command("xdotool", args...)
		cmd.Env = d.env()
		if out, err := cmd.CombinedOutput(); err != nil {
			d.t.Logf("xdotool %s: %v %s", args, err, out)
		}
	}
}

// tryWindow waits for a visible window whose name contains name. xdotool
// runs in the C locale: a Chinese title read as bytes that are not UTF-8
// would otherwise match no pattern at all.
func (d *desktop) tryWindow(name string) (string, bool) {
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if ids := d.windowsNamed(name); len(ids) > 0 {
			return ids[0], true
		}
	}
	return "", false
}

// waitNoZhWindow waits until no visible window's name contains name.
func (d *desktop) waitNoZhWindow(name string) {
	d.t.Helper()
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if len(d.windowsNamed(name)) == 0 {
			return
		}
	}
	d.t.Fatalf("window %q still shown", name)
}

func (d *desktop) windowsNamed(name string) []string {
	cmd := exec.Command("xdotool", "search", "--onlyvisible", "--name", name)
	cmd.Env = append(d.env(), "LANG=C", "LC_ALL=C")
	out, _ := cmd.Output()
	return strings.Fields(string(out))
}

// waitVisibleClass waits for a visible window of the X class class.
func (d *desktop) waitVisibleClass(class string) {
	d.t.Helper()
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		cmd := exec.Command("xdotool", "search", "--onlyvisible", "--class", class)
		cmd.Env = d.env()
		if out, err := cmd.Output(); err == nil && len(bytes.TrimSpace(out)) > 0 {
			return
		}
	}
	d.t.Fatalf("no %s window appeared", class)
}

// windowShot saves the window wid with the frame xfwm4 draws around it as
// name.png.
func (d *desktop) windowShot(wid, name string) {
	d.t.Helper()
	path := filepath.Join(d.shots, name+".png")
	cmd := exec.Command("import", "-frame", "-window", wid, path)
	cmd.Env = d.env()
	if out, err := cmd.CombinedOutput(); err != nil {
		d.t.Errorf("screenshot %s: %v %s", name, err, out)
	}
}

// clipboard is the text on the session's clipboard, as a paste would get
// it, waiting for an owner to offer some.
func (d *desktop) clipboard() string {
	d.t.Helper()
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		cmd := exec.Command("xclip", "-o", "-selection", "clipboard")
		cmd.Env = d.env()
		if out, err := cmd.Output(); err == nil && len(out) > 0 {
			return string(out)
		}
	}
	d.t.Fatal("nothing on the clipboard")
	return ""
}

// cornerShot saves the top right of the screen, where the panel's tray,
// its menu and dunst's popups are, as name.png.
func (d *desktop) cornerShot(name string) {
	d.t.Helper()
	path := filepath.Join(d.shots, name+".png")
	cmd := exec.Command("import", "-window", "root", "-crop", "560x420+720+0", "+repage", path)
	cmd.Env = d.env()
	if out, err := cmd.CombinedOutput(); err != nil {
		d.t.Errorf("screenshot %s: %v %s", name, err, out)
	}
}

// trayIcon finds the app's icon in the panel: the only saturated colour in
// the right half of the top panel (the clock and the pager are grey). The
// panel places it; its position depends on the user name shown beside the
// clock, so it is looked for rather than assumed.
func (d *desktop) trayIcon() (x, y int) {
	d.t.Helper()
	path := d.screenshot("zh-panel-scan")
	defer os.Remove(path)
	f, err := os.Open(path)
	if err != nil {
		d.t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		d.t.Fatal(err)
	}
	b := img.Bounds()
	var sx, sy, n int
	for py := b.Min.Y; py < b.Min.Y+26; py++ {
		for px := b.Min.X + b.Dx()/2; px < b.Max.X; px++ {
			r, g, bl, _ := img.At(px, py).RGBA()
			hi, lo := max(r, g, bl)>>8, min(r, g, bl)>>8
			if hi-lo > 90 && hi > 120 {
				sx, sy, n = sx+px, sy+py, n+1
			}
		}
	}
	if n < 20 {
		d.t.Fatalf("no tray icon in the panel (%d coloured pixels)", n)
	}
	return sx / n, sy / n
}
