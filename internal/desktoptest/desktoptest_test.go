package desktoptest

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"go.uber.org/goleak"

	"tasktray/assets"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// guard bounds the waits for what must come (a signal, an item, an exit):
// a failure guard only, generous for -race on two busy cores.
const guard = 20 * time.Second

func TestNotificationRecorder(t *testing.T) {
	addr := StartSessionBus(t)
	rec := StartNotificationRecorder(t, addr)
	client := Connect(t, addr)
	obj := client.Object("org.freedesktop.Notifications", "/org/freedesktop/Notifications")

	var caps []string
	if err := obj.Call("org.freedesktop.Notifications.GetCapabilities", 0).Store(&caps); err != nil {
		t.Fatal(err)
	}
	if want := []string{"actions", "body", "body-markup"}; !slices.Equal(caps, want) {
		t.Errorf("capabilities %q, want %q", caps, want)
	}
	if n := rec.CapabilityCalls(); n != 1 {
		t.Errorf("CapabilityCalls() = %d after one call", n)
	}
	var name, vendor, version, spec string
	if err := obj.Call("org.freedesktop.Notifications.GetServerInformation", 0).Store(&name, &vendor, &version, &spec); err != nil {
		t.Fatal(err)
	}

	if err := client.AddMatchSignal(dbus.WithMatchInterface("org.freedesktop.Notifications")); err != nil {
		t.Fatal(err)
	}
	signals := make(chan *dbus.Signal, 10)
	client.Signal(signals)
	defer client.RemoveSignal(signals)

	notify := func(replaces uint32, summary string) uint32 {
		t.Helper()
		var id uint32
		err := obj.Call("org.freedesktop.Notifications.Notify", 0, "app", replaces, "icon", summary, "body",
			[]string{"default", "Open"}, map[string]dbus.Variant{"urgency": dbus.MakeVariant(byte(2))}, int32(-1)).Store(&id)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	before := time.Now()
	first := notify(0, "one")
	second := notify(0, "two")
	replaced := notify(first, "one again")
	after := time.Now()
	if first == 0 || second <= first || replaced != first {
		t.Errorf("ids %d, %d, replacing %d gave %d; want increasing ids and the replaced one kept", first, second, first, replaced)
	}

	calls, err := rec.WaitFor(3, guard)
	if err != nil {
		t.Fatal(err)
	}
	c := calls[2]
	if c.AppName != "app" || c.ReplacesID != first || c.AppIcon != "icon" || c.Summary != "one again" ||
		c.Body != "body" || c.ExpireTimeout != -1 || c.Sender != client.Names()[0] {
		t.Errorf("recorded %+v", c)
	}
	for i, c := range calls {
		if c.Received.Before(before) || c.Received.After(after) || i > 0 && c.Received.Before(calls[i-1].Received) {
			t.Errorf("call %d received at %v: want in order, within [%v, %v]", i, c.Received, before, after)
		}
	}
	if n := rec.CapabilityCalls(); n != 1 {
		t.Errorf("CapabilityCalls() = %d: Notify counted as a GetCapabilities call", n)
	}
	if u, ok := c.Urgency(); !ok || u != 2 {
		t.Errorf("urgency %d, %v; want 2", u, ok)
	}
	if keys := c.ActionKeys(); !slices.Equal(keys, []string{"default"}) {
		t.Errorf("action keys %q", keys)
	}
	if _, err := rec.WaitFor(4, 10*time.Millisecond); err == nil {
		t.Error("WaitFor(4) succeeded after 3 calls")
	}

	if err := rec.EmitAction(second, "default"); err != nil {
		t.Fatal(err)
	}
	if err := obj.Call("org.freedesktop.Notifications.CloseNotification", 0, second).Err; err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ActionInvoked", "NotificationClosed"} {
		select {
		case sig := <-signals:
			if sig.Name != "org.freedesktop.Notifications."+want || sig.Body[0] != second {
				t.Errorf("signal %s %v, want %s for %d", sig.Name, sig.Body, want, second)
			}
		case <-time.After(guard):
			t.Fatalf("no %s signal", want)
		}
	}
}

func TestRecorderCapabilities(t *testing.T) {
	addr := StartSessionBus(t)
	rec := StartNotificationRecorder(t, addr)
	rec.SetCapabilities("body")
	if n := rec.CapabilityCalls(); n != 0 {
		t.Errorf("CapabilityCalls() = %d before any call", n)
	}
	obj := Connect(t, addr).Object("org.freedesktop.Notifications", "/org/freedesktop/Notifications")
	for range 3 {
		var caps []string
		err := obj.Call("org.freedesktop.Notifications.GetCapabilities", 0).Store(&caps)
		if err != nil || !slices.Equal(caps, []string{"body"}) {
			t.Errorf("capabilities %q, %v; want [body]", caps, err)
		}
	}
	// Calls from another connection count too.
	if err := Connect(t, addr).Object("org.freedesktop.Notifications", "/org/freedesktop/Notifications").
		Call("org.freedesktop.Notifications.GetCapabilities", 0).Err; err != nil {
		t.Fatal(err)
	}
	if n := rec.CapabilityCalls(); n != 4 {
		t.Errorf("CapabilityCalls() = %d after 4 calls", n)
	}
}

// TestTrayApp runs a real fyne.io/systray program against the Watcher and
// uses it as a panel would.
func TestTrayApp(t *testing.T) {
	bin := buildTrayApp(t)
	addr := StartSessionBus(t)
	w := StartWatcher(t, addr)

	cmd := exec.Command(bin)
	// No DISPLAY: a StatusNotifierItem lives on D-Bus alone.
	cmd.Env = append(filteredEnv("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"), "DBUS_SESSION_BUS_ADDRESS="+addr)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("trayapp output:\n%s", out.String())
		}
	})

	item, err := w.WaitItem(guard)
	if err != nil {
		t.Fatal(err)
	}
	// fyne.io/systray registers the path on its own connection, which also
	// owns the per-process name a panel may know it by.
	var owner string
	err = w.conn.BusObject().Call("org.freedesktop.DBus.GetNameOwner", 0,
		fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", cmd.Process.Pid)).Store(&owner)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Item{Service: owner, Path: "/StatusNotifierItem"}); item != want {
		t.Errorf("item %v, want %v", item, want)
	}
	if got := w.Items(); !slices.Equal(got, []Item{item}) {
		t.Errorf("Items() = %v", got)
	}

	width, height, argb, err := w.IconPixmap(item)
	if err != nil {
		t.Fatal(err)
	}
	if width != 32 || height != 32 {
		t.Fatalf("icon %dx%d, want 32x32", width, height)
	}
	assertIcon(t, argb, assets.Icon(assets.Connecting, false))
	if title, err := w.Title(item); err != nil || title != "trayapp connecting" {
		t.Errorf("title %q, %v", title, err)
	}

	menu, err := w.MenuLayout(item)
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		Label            string
		Depth            int
		Type             string
		Enabled, Submenu bool
		Toggle           string
		State            int
	}
	var got []entry
	for _, mi := range menu {
		if mi.Visible {
			got = append(got, entry{mi.Label, mi.Depth, mi.Type, mi.Enabled, mi.Submenu, mi.ToggleType, mi.ToggleState})
		}
	}
	want := []entry{
		{"Go online", 0, "standard", true, false, "", 0},
		{"Can't touch this", 0, "standard", false, false, "", 0},
		{"Coalesce popups", 0, "standard", true, false, "checkmark", 1},
		{"", 0, "separator", true, false, "", -1},
		{"More", 0, "standard", true, true, "", 0},
		{"Nested", 1, "standard", true, false, "", 0},
		{"Quit", 0, "standard", true, false, "", 0},
	}
	if !slices.Equal(got, want) {
		t.Errorf("menu:\n got  %+v\n want %+v", got, want)
	}

	if err := w.ClickMenu(item, "Can't touch this"); err == nil {
		t.Error("clicking a disabled entry succeeded")
	}
	if err := w.ClickMenu(item, "No such entry"); err == nil {
		t.Error("clicking a missing entry succeeded")
	}
	if err := w.ClickMenu(item, "Go online"); err != nil {
		t.Fatal(err)
	}
	if _, _, argb, err = w.WaitIconChange(item, argb, guard); err != nil {
		t.Fatal(err)
	}
	// The first changed pixmap may be torn: fyne.io/systray's SetIcon races
	// with a Get of IconPixmap (see buildTrayApp), and one run in 30 here
	// saw a changed pixmap that was not the new icon (571 pixels off). The
	// new icon must come, whole, within the guard.
	connected := assets.Icon(assets.Connected, true)
	for deadline := time.Now().Add(guard); iconDiff(t, argb, connected) != 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		if _, _, argb, err = w.IconPixmap(item); err != nil {
			t.Fatal(err)
		}
	}
	assertIcon(t, argb, connected)
	// trayapp sets the title just after the icon: wait for it too, rather
	// than read it the moment the icon has changed.
	title, err := w.Title(item)
	for deadline := time.Now().Add(guard); (err != nil || title != "trayapp connected") && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		title, err = w.Title(item)
	}
	if err != nil || title != "trayapp connected" {
		t.Errorf("title after click %q, %v", title, err)
	}

	if err := w.ClickMenu(item, "Quit"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		exited <- err
		if err != nil {
			t.Errorf("trayapp exited with %v", err)
		}
	case <-time.After(guard):
		t.Fatal("trayapp did not quit")
	}
	if err := w.WaitGone(item, guard); err != nil {
		t.Error(err)
	}
}

// buildTrayApp builds testdata/trayapp without -race: fyne.io/systray races
// with itself (SetIcon against a concurrent Get of IconPixmap).
func buildTrayApp(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not in PATH:", err)
	}
	bin := filepath.Join(t.TempDir(), "trayapp")
	cmd := exec.Command(gobin, "build", "-o", bin, "./testdata/trayapp")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./testdata/trayapp: %v\n%s", err, out)
	}
	return bin
}

// assertIcon compares a pixmap with a PNG: alpha everywhere, colour where
// the PNG is opaque. fyne.io/systray premultiplies colour and then keeps the
// low byte of each 16-bit channel (argbForImage in its systray_unix.go), so
// half-transparent edge pixels do not come through as drawn.
func assertIcon(t *testing.T, argb, pngData []byte) {
	t.Helper()
	b := decodeIcon(t, pngData).Bounds()
	if len(argb) != b.Dx()*b.Dy()*4 {
		t.Fatalf("pixmap has %d bytes, want %d for %v", len(argb), b.Dx()*b.Dy()*4, b.Size())
	}
	if bad := iconDiff(t, argb, pngData); bad > 0 {
		t.Errorf("%d pixels differ from the icon set", bad)
	}
}

// decodeIcon decodes the PNG of an icon, which must be NRGBA.
func decodeIcon(t *testing.T, pngData []byte) *image.NRGBA {
	t.Helper()
	decoded, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatal(err)
	}
	img, ok := decoded.(*image.NRGBA)
	if !ok {
		t.Fatalf("icon decodes as %T, want *image.NRGBA", decoded)
	}
	return img
}

// iconDiff counts the pixels of the ARGB32 pixmap argb that differ from the
// PNG pngData (colour is compared where the PNG is opaque); every pixel
// counts when the sizes differ.
func iconDiff(t *testing.T, argb, pngData []byte) int {
	t.Helper()
	img := decodeIcon(t, pngData)
	b := img.Bounds()
	if len(argb) != b.Dx()*b.Dy()*4 {
		return b.Dx() * b.Dy()
	}
	bad := 0
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			c := img.NRGBAAt(x, y)
			p := argb[(y*b.Dx()+x)*4:]
			if p[0] != c.A || c.A == 0xff && (p[1] != c.R || p[2] != c.G || p[3] != c.B) {
				bad++
			}
		}
	}
	return bad
}

// filteredEnv returns the environment without the named variables.
func filteredEnv(drop ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(drop, name) {
			env = append(env, kv)
		}
	}
	return env
}
