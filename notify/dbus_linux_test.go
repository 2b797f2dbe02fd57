package notify

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.uber.org/goleak"

	"tasktray/assets"
	"tasktray/internal/desktoptest"
)

// busWait bounds every wait for the daemon or the notifier in these tests:
// generous, since they run with -race beside other packages on 2 cores.
const busWait = 10 * time.Second

// session starts a private session bus with a recorder in the place of the
// notification daemon, and a notifier made by NewDesktop on that bus whose
// opener reports on the returned channel.
func session(t *testing.T) (*desktoptest.NotificationRecorder, Notifier, <-chan string) {
	t.Helper()
	addr := desktoptest.StartSessionBus(t)
	rec := desktoptest.StartNotificationRecorder(t, addr)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	opened := make(chan string, 10)
	// These tests check what reaches the daemon, not the queue's folding
	// (hang_linux_test.go): room for all their popups at once.
	n, err := NewDesktop(Options{Open: func(u string) error { opened <- u; return nil }, queueLen: 1000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := n.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return rec, n, opened
}

// settle waits until the notifier has the daemon's answers to the calls
// it made so far (the recorder has got them): the recorder counts a call
// before it answers, and the queue sends popups one at a time, so once a
// later popup arrives, the answers before it are in.
func settle(t *testing.T, rec *desktoptest.NotificationRecorder, n Notifier, calls int) {
	t.Helper()
	mustShow(t, n, Popup{ID: "settle", Title: "settle"})
	if _, err := rec.WaitFor(calls+1, busWait); err != nil {
		t.Fatal(err)
	}
}

func mustShow(t *testing.T, n Notifier, p Popup) {
	t.Helper()
	if err := n.Show(context.Background(), p); err != nil {
		t.Fatal(err)
	}
}

func TestNotifyCall(t *testing.T) {
	rec, n, _ := session(t)
	mustShow(t, n, Popup{ID: "t1", Title: "Deploy <prod>", Body: "plain", Priority: 3})
	calls, err := rec.WaitFor(1, busWait)
	if err != nil {
		t.Fatal(err)
	}
	c := calls[0]
	if c.AppName != "tasktray" || c.ReplacesID != 0 || c.Summary != "Deploy <prod>" || c.Body != "plain" {
		t.Errorf("Notify call %+v", c)
	}
	// The icon is the app icon, by a file:// URI into the cache directory.
	want := "file://" + filepath.Join(os.Getenv("XDG_CACHE_HOME"), "tasktray", "icon.png")
	if c.AppIcon != want {
		t.Errorf("app icon %q, want %q", c.AppIcon, want)
	}
	if b, err := os.ReadFile(filepath.Join(os.Getenv("XDG_CACHE_HOME"), "tasktray", "icon.png")); err != nil || !bytes.Equal(b, assets.AppIcon) {
		t.Errorf("icon file: %v; equal to assets.AppIcon: %v", err, bytes.Equal(b, assets.AppIcon))
	}
}

func TestUrgencyAndTimeout(t *testing.T) {
	rec, n, _ := session(t)
	tests := []struct {
		priority int
		urgency  byte
		timeout  int32
	}{
		{0, 1, -1}, // not given: normal
		{1, 0, -1},
		{2, 0, -1},
		{3, 1, -1},
		{4, 1, -1},
		{5, 2, 0}, // critical stays until dismissed
		{9, 2, 0},
		{-1, 0, -1},
	}
	for _, tt := range tests {
		mustShow(t, n, Popup{Title: "t", Priority: tt.priority})
	}
	calls, err := rec.WaitFor(len(tests), busWait)
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		u, ok := calls[i].Urgency()
		if !ok || u != tt.urgency || calls[i].ExpireTimeout != tt.timeout {
			t.Errorf("priority %d: urgency %d (set %v), timeout %d; want %d, %d",
				tt.priority, u, ok, calls[i].ExpireTimeout, tt.urgency, tt.timeout)
		}
	}
}

func TestBodyMarkupEscaped(t *testing.T) {
	rec, n, _ := session(t)
	mustShow(t, n, Popup{Title: "<b>&", Body: "<b>&</b> a > b"})
	// dunst 1.9 parses markup without claiming body-markup.
	rec.SetCapabilities("body", "actions")
	mustShow(t, n, Popup{Title: "t", Body: "<a href='file:///etc'>x</a>"})
	calls, err := rec.WaitFor(2, busWait)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := calls[0].Body, "&lt;b&gt;&amp;&lt;/b&gt; a &gt; b"; got != want {
		t.Errorf("body %q, want %q", got, want)
	}
	if got, want := calls[0].Summary, "<b>&"; got != want {
		t.Errorf("summary %q, want %q: the spec has no markup there", got, want)
	}
	if got, want := calls[1].Body, "&lt;a href='file:///etc'&gt;x&lt;/a&gt;"; got != want {
		t.Errorf("body without body-markup %q, want %q", got, want)
	}
}

func TestActionsOnlyForWebURLs(t *testing.T) {
	rec, n, _ := session(t)
	tests := []struct {
		url  string
		open bool
	}{
		{"https://tasks.example.com/t/1", true},
		{"http://localhost:8080/t/1", true},
		{"HTTPS://EXAMPLE.COM/", true},
		{"", false},
		{"javascript:alert(1)", false},
		{"file:///etc/passwd", false},
		{"ftp://example.com/x", false},
		{"https:///no-host", false},
		{"/relative/path", false},
		{"tasktray://open", false},
	}
	for _, tt := range tests {
		mustShow(t, n, Popup{Title: tt.url, URL: tt.url})
	}
	calls, err := rec.WaitFor(len(tests), busWait)
	if err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		var want []string
		if tt.open {
			want = []string{"default", "Open", "open", "Open"}
		}
		if !slices.Equal(calls[i].Actions, want) {
			t.Errorf("URL %q: actions %q, want %q", tt.url, calls[i].Actions, want)
		}
	}
}

func TestNoActionsWithoutCapability(t *testing.T) {
	rec, n, _ := session(t)
	rec.SetCapabilities("body", "body-markup")
	mustShow(t, n, Popup{Title: "t", URL: "https://example.com/"})
	calls, err := rec.WaitFor(1, busWait)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls[0].Actions) != 0 {
		t.Errorf("actions %q sent to a daemon without the actions capability", calls[0].Actions)
	}
}

// TestClickOpens clicks popups the way a daemon reports it. Signals arrive
// in order, so when the opener sees the URL of a later click, the clicks
// before it that opened nothing were already handled.
func TestClickOpens(t *testing.T) {
	rec, n, opened := session(t)
	mustShow(t, n, Popup{Title: "web", URL: "https://example.com/task/1"})
	mustShow(t, n, Popup{Title: "script", URL: "javascript:alert(1)"})
	mustShow(t, n, Popup{Title: "file", URL: "file:///etc/passwd"})
	mustShow(t, n, Popup{Title: "second web", URL: "http://example.com/task/2"})
	calls, err := rec.WaitFor(4, busWait)
	if err != nil {
		t.Fatal(err)
	}
	settle(t, rec, n, 4)
	web, script, file, web2 := calls[0].ID, calls[1].ID, calls[2].ID, calls[3].ID

	emit := func(id uint32, key string) {
		t.Helper()
		if err := rec.EmitAction(id, key); err != nil {
			t.Fatal(err)
		}
	}
	expect := func(want string) {
		t.Helper()
		select {
		case got := <-opened:
			if got != want {
				t.Errorf("opened %q, want %q", got, want)
			}
		case <-time.After(busWait):
			t.Fatalf("nothing opened, want %q", want)
		}
	}

	emit(web, "default")
	expect("https://example.com/task/1")
	emit(script, "default")
	emit(file, "default")
	emit(file, "open")
	emit(web, "snooze") // not one of ours
	emit(web2+100, "default")
	emit(web2, "open")
	expect("http://example.com/task/2")

	// Once the daemon reports a popup closed, a click on it opens nothing.
	if err := rec.EmitClosed(web, desktoptest.ClosedDismissed); err != nil {
		t.Fatal(err)
	}
	emit(web, "default")
	emit(web2, "default")
	expect("http://example.com/task/2")
	select {
	case got := <-opened:
		t.Errorf("also opened %q", got)
	default:
	}
}

func TestSameIDReplaces(t *testing.T) {
	rec, n, opened := session(t)
	mustShow(t, n, Popup{ID: SummaryID, Title: "12 new tasks"})
	mustShow(t, n, Popup{ID: "other", Title: "other", URL: "https://example.com/other"})
	mustShow(t, n, Popup{ID: SummaryID, Title: "37 new tasks"})
	calls, err := rec.WaitFor(3, busWait)
	if err != nil {
		t.Fatal(err)
	}
	if calls[0].ReplacesID != 0 || calls[1].ReplacesID != 0 || calls[2].ReplacesID != calls[0].ID {
		t.Errorf("replaces ids %d, %d, %d; want 0, 0, %d", calls[0].ReplacesID, calls[1].ReplacesID, calls[2].ReplacesID, calls[0].ID)
	}

	settle(t, rec, n, 3)

	// A closed popup is not replaced: a new one shows. The click on the
	// other popup comes after the close, so once it opens, the notifier has
	// seen the close too.
	if err := rec.EmitClosed(calls[0].ID, desktoptest.ClosedExpired); err != nil {
		t.Fatal(err)
	}
	if err := rec.EmitAction(calls[1].ID, "default"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-opened:
	case <-time.After(busWait):
		t.Fatal("click not handled")
	}
	mustShow(t, n, Popup{ID: SummaryID, Title: "40 new tasks"})
	calls, err = rec.WaitFor(5, busWait)
	if err != nil {
		t.Fatal(err)
	}
	if calls[4].ReplacesID != 0 {
		t.Errorf("popup replaces %d, which had closed", calls[4].ReplacesID)
	}
}

// TestCoalescedBurstOnTheBus sends 10,000 tasks through a Coalescer to the
// daemon and counts what reaches it.
func TestCoalescedBurstOnTheBus(t *testing.T) {
	rec, n, _ := session(t)
	clock := newFakeClock()
	c := NewCoalescer(n, CoalescerOptions{Clock: clock})
	for i := range 10000 {
		mustShow(t, c, Popup{ID: "task", Title: "task", URL: "https://example.com/"})
		if i%1000 == 0 {
			clock.Advance(100 * time.Millisecond)
		}
	}
	clock.Advance(DefaultWindow)
	clock.Advance(time.Hour)
	calls, err := rec.WaitFor(DefaultMax+1, busWait)
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) != DefaultMax+1 || calls[DefaultMax].Summary != "9996 new tasks" || len(calls[DefaultMax].Actions) != 0 {
		t.Errorf("daemon got %d popups, the last %+v; want %d and a summary of 9996 tasks without actions",
			len(calls), calls[len(calls)-1], DefaultMax+1)
	}
}

func TestShowWithoutDaemon(t *testing.T) {
	addr := desktoptest.StartSessionBus(t)
	conn := desktoptest.Connect(t, addr)
	n, err := NewDBus(conn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := n.Show(ctx, Popup{Title: "t"}); err == nil {
		t.Error("Show succeeded with no notification daemon on the bus")
	}
}

// TestCloseKeepsCallersConn checks that a notifier on a connection it was
// given stops its goroutine and leaves the connection usable.
func TestCloseKeepsCallersConn(t *testing.T) {
	addr := desktoptest.StartSessionBus(t)
	desktoptest.StartNotificationRecorder(t, addr)
	conn := desktoptest.Connect(t, addr)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	ignore := goleak.IgnoreCurrent()

	n, err := NewDBus(conn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustShow(t, n, Popup{Title: "t"})
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	if err := n.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	goleak.VerifyNone(t, ignore)
	var names []string
	if err := conn.BusObject().Call("org.freedesktop.DBus.ListNames", 0).Store(&names); err != nil {
		t.Errorf("caller's connection unusable after Close: %v", err)
	}
}

// TestNewDaemonIsAskedAgain: capabilities are asked once per daemon, so
// when another daemon takes the name (dunst restarted, a new desktop
// shell), its own capabilities apply to the next popups.
func TestNewDaemonIsAskedAgain(t *testing.T) {
	addr := desktoptest.StartSessionBus(t)
	first := desktoptest.StartNotificationRecorder(t, addr)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	n, err := NewDesktop(Options{Open: func(string) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	mustShow(t, n, Popup{Title: "one", URL: "https://example.com/"})
	if calls, err := first.WaitFor(1, busWait); err != nil || len(calls[0].Actions) == 0 {
		t.Fatalf("first daemon: %v, actions %v", err, calls)
	}
	first.Close()
	second := desktoptest.StartNotificationRecorder(t, addr)
	second.SetCapabilities("body")
	deadline := time.Now().Add(busWait)
	for { // the owner change reaches the notifier as a signal: wait for it to apply
		mustShow(t, n, Popup{Title: "two", URL: "https://example.com/"})
		calls, err := second.WaitFor(1, busWait)
		if err != nil {
			t.Fatal(err)
		}
		if last := calls[len(calls)-1]; len(last.Actions) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("popups still carry actions the new daemon does not have")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTextBoundsOnTheBus: a title or body of any length or encoding
// reaches the daemon cut at a rune boundary within its cap, as valid UTF-8
// without NUL; godbus refuses to send anything else, which lost the popup.
func TestTextBoundsOnTheBus(t *testing.T) {
	rec, n, _ := session(t)
	long := strings.Repeat("任务", 2000)
	mustShow(t, n, Popup{Title: long, Body: long})
	mustShow(t, n, Popup{Title: "bad \xff\x00 bytes", Body: "body \xc3\x28 \x00"})
	calls, err := rec.WaitFor(2, busWait)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range calls {
		for _, s := range []string{c.Summary, c.Body} {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Errorf("sent %q: not valid UTF-8 without NUL", s)
			}
		}
	}
	if c := calls[0]; len(c.Summary) > maxTitleBytes || len(c.Body) > maxBodyBytes ||
		!strings.HasPrefix(long, strings.TrimSuffix(c.Summary, ellipsis)) || !strings.HasPrefix(long, strings.TrimSuffix(c.Body, ellipsis)) {
		t.Errorf("long text sent as %d+%d bytes, want at most %d+%d, cut from the start", len(c.Summary), len(c.Body), maxTitleBytes, maxBodyBytes)
	}
	if c := calls[1]; c.Summary != "bad \uFFFD bytes" || c.Body != "body \uFFFD( " {
		t.Errorf("sent %q / %q", c.Summary, c.Body)
	}
}

// TestClicksAfterDaemonRestart is defect 9 of issue 10. A daemon that
// keeps its popups in a history never reports them closed, so the notifier
// remembers as many as it may; then the daemon restarts and counts ids from
// 1 again. Clicks on the new daemon's popups must open their own links,
// never the old daemon's, and an old id must not be sent as replaces_id.
func TestClicksAfterDaemonRestart(t *testing.T) {
	addr := desktoptest.StartSessionBus(t)
	first := desktoptest.StartNotificationRecorder(t, addr)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	opened := make(chan string, 10)
	n, err := NewDesktop(Options{Open: func(u string) error { opened <- u; return nil }, queueLen: maxTracked + 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })

	for i := range maxTracked {
		mustShow(t, n, Popup{ID: fmt.Sprint("old-", i), Title: "old", URL: fmt.Sprint("https://example.com/old/", i)})
	}
	mustShow(t, n, Popup{ID: SummaryID, Title: "old summary"})
	if _, err := first.WaitFor(maxTracked+1, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	// A daemon that leaves without answering a popup gets it shown by the
	// next one; here the first answers all before it goes.
	settle(t, first, n, maxTracked+1)
	first.Close()
	second := desktoptest.StartNotificationRecorder(t, addr)
	mustShow(t, n, Popup{ID: "new", Title: "new", URL: "https://example.com/new"})
	mustShow(t, n, Popup{ID: SummaryID, Title: "new summary"})
	// The first daemon may leave before its answer to the last popup
	// reaches the notifier, which then shows that popup again on the new
	// daemon: find ours by title. The summary is sent last.
	var calls []desktoptest.Notification
	var newPopup, newSummary desktoptest.Notification
	for want := 2; newSummary.ID == 0; want++ {
		var err error
		if calls, err = second.WaitFor(want, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		for _, c := range calls {
			switch c.Summary {
			case "new":
				newPopup = c
			case "new summary":
				newSummary = c
			}
		}
	}
	if newPopup.ID == 0 || newPopup.ID > 2 || newSummary.ID == 0 {
		t.Fatalf("the restarted daemon got %+v; the test needs ours among its first ids", calls)
	}
	if newSummary.ReplacesID != 0 {
		t.Errorf("summary sent to the new daemon replaces %d, an id of the old one", newSummary.ReplacesID)
	}

	emit := func(id uint32, key string) {
		t.Helper()
		if err := second.EmitAction(id, key); err != nil {
			t.Fatal(err)
		}
	}
	expect := func(want string) {
		t.Helper()
		select {
		case got := <-opened:
			if got != want {
				t.Errorf("opened %q, want %q", got, want)
			}
		case <-time.After(busWait):
			t.Fatalf("nothing opened, want %q", want)
		}
	}
	emit(newPopup.ID, "default")
	expect("https://example.com/new")
	// Id 5 on the new daemon is someone else's popup; on the old one it was
	// ours, with a link. Signals arrive in order: once the next click
	// opens, the one before it was handled.
	emit(5, "default")
	emit(newPopup.ID, "open")
	expect("https://example.com/new")
}

// TestStaleDaemonName: a daemon may leave before its NameOwnerChanged
// reaches the notifier, which then calls a unique name nobody has; it asks
// the bus who has the service now and shows the popup there.
func TestStaleDaemonName(t *testing.T) {
	addr := desktoptest.StartSessionBus(t)
	rec := desktoptest.StartNotificationRecorder(t, addr)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	n, err := NewDBus(desktoptest.Connect(t, addr), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	n.mu.Lock()
	n.daemon, n.caps = ":1.9999", map[string]bool{"actions": true} // as if it had left unheard
	n.mu.Unlock()
	mustShow(t, n, Popup{Title: "t"})
	if calls, err := rec.WaitFor(1, busWait); err != nil || calls[0].Summary != "t" {
		t.Errorf("popup did not reach the daemon: %v %+v", err, calls)
	}
}
