package autostart

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"tasktray/i18n"
)

// The tests compare English words; a machine set to Chinese (LC_ALL, LANG,
// or Wine's UI language) must not break them. init runs before TestMain.
func init() { i18n.SetLanguage("en") }

func TestTexts(t *testing.T) { i18n.CheckTexts(t) }

func testApp(command string) App {
	return App{ID: "io.github.tasktray", Name: "tasktray", Command: command}
}

// validate runs desktop-file-validate on path where it is installed; in CI
// on Linux its absence fails the test, since the check is the point.
func validate(t *testing.T, path string) {
	t.Helper()
	tool, err := exec.LookPath("desktop-file-validate")
	if err != nil {
		if os.Getenv("CI") == "true" && runtime.GOOS == "linux" {
			t.Fatal("desktop-file-validate is not installed (apt-get install desktop-file-utils)")
		}
		t.Log("desktop-file-validate not installed: the entry is not validated")
		return
	}
	out, err := exec.Command(tool, path).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		data, _ := os.ReadFile(path)
		t.Fatalf("desktop-file-validate %s: %v\n%s\nthe file:\n%s", path, err, out, data)
	}
}

func wantState(t *testing.T, e Entry, want State) {
	t.Helper()
	got, err := e.Status()
	if got != want || (err != nil) != (want == Damaged) {
		t.Fatalf("%s: Status() = %v, %v; want %v", e, got, err, want)
	}
}

func TestXDGEnableDisable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "autostart") // not there yet: Enable makes it
	e := XDG(dir, testApp("/usr/bin/tasktray"))
	path := filepath.Join(dir, "io.github.tasktray.desktop")
	if e.String() != path {
		t.Fatalf("entry at %s, want %s", e, path)
	}
	wantState(t, e, Absent)

	if err := e.Enable(); err != nil {
		t.Fatal(err)
	}
	wantState(t, e, On)
	validate(t, path)
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "\nExec=/usr/bin/tasktray\n") {
		t.Fatalf("the entry does not start /usr/bin/tasktray with no flags:\n%s", data)
	}

	if err := e.Disable(); err != nil {
		t.Fatal(err)
	}
	wantState(t, e, Off)
	validate(t, path)
	data, _ = os.ReadFile(path)
	if !strings.Contains(string(data), "\nHidden=true\n") {
		t.Fatalf("an off entry must say Hidden=true, as the desktop's settings do:\n%s", data)
	}

	if err := e.Enable(); err != nil {
		t.Fatal(err)
	}
	wantState(t, e, On)

	// Written whole and renamed: no temporary file is left beside it.
	names, _ := os.ReadDir(dir)
	if len(names) != 1 {
		t.Fatalf("the autostart dir holds %v, want only the entry", names)
	}
}

// The desktop's own settings turn an entry off by editing it; the user
// chose that, and Status must say Off whatever else the file holds.
func TestXDGOffWrittenByTheDesktop(t *testing.T) {
	for name, text := range map[string]string{
		// KDE's and GNOME's settings keep the file and add Hidden=true.
		"hidden": "[Desktop Entry]\nType=Application\nName=tasktray\nExec=/usr/bin/tasktray\nIcon=io.github.tasktray\nHidden=true\n",
		// GNOME's older Startup Applications (gnome-session-properties).
		"gnome-disabled": "[Desktop Entry]\nType=Application\nExec=/usr/bin/tasktray\nName=tasktray\nX-GNOME-Autostart-enabled=false\nX-GNOME-Autostart-Delay=5\n",
		// Hidden=true wins over an enabled GNOME key, as the spec reads it.
		"hidden-wins": "# edited by hand\n[Desktop Entry]\nType=Application\nName[zh_CN]=任务托盘\nName=tasktray\nExec=/usr/bin/tasktray\nX-GNOME-Autostart-enabled=true\nHidden = true\n\n[Desktop Action x]\nName=x\nExec=y\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "io.github.tasktray.desktop")
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			wantState(t, XDG(dir, testApp("/usr/bin/tasktray")), Off)
		})
	}
}

func TestXDGDamaged(t *testing.T) {
	for name, text := range map[string]string{
		"empty":       "",
		"zeros":       "\x00\x00\x00\x00\x00\x00",
		"not-utf8":    "[Desktop Entry]\nName=\xff\xfe\nExec=/usr/bin/tasktray\n",
		"no-group":    "Type=Application\nExec=/usr/bin/tasktray\n",
		"bad-line":    "[Desktop Entry]\nType=Application\nthis is not a key\nExec=/usr/bin/tasktray\n",
		"no-exec":     "[Desktop Entry]\nType=Application\nName=tasktray\n",
		"wrong-type":  "[Desktop Entry]\nType=Link\nURL=https://example.com\nExec=/usr/bin/tasktray\n",
		"other-group": "[Desktop Action x]\nExec=/usr/bin/tasktray\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "io.github.tasktray.desktop")
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			e := XDG(dir, testApp("/usr/bin/tasktray"))
			st, err := e.Status()
			if st != Damaged || !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), path) {
				t.Fatalf("Status() = %v, %v; want Damaged, naming %s", st, err, path)
			}
			// Enable replaces it with a good entry.
			if err := e.Enable(); err != nil {
				t.Fatal(err)
			}
			wantState(t, e, On)
			validate(t, path)
		})
	}
}

// A path with spaces, quotes, $ and % must reach Exec so that the desktop
// runs that very file.
func TestXDGExecQuoting(t *testing.T) {
	for _, tc := range []struct{ path, exec string }{
		{"/usr/bin/tasktray", `/usr/bin/tasktray`},
		{"/home/li lei/My Apps/tasktray", `"/home/li lei/My Apps/tasktray"`},
		{"/opt/100%/tasktray", `/opt/100%%/tasktray`},
		{`/opt/a"b$c/task tray`, `"/opt/a\\"b\\$c/task tray"`},
		{`/opt/back\slash/tasktray`, `"/opt/back\\\\slash/tasktray"`},
		{"/opt/任务/tasktray", "/opt/任务/tasktray"},
	} {
		dir := t.TempDir()
		e := XDG(dir, testApp(tc.path))
		if err := e.Enable(); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "io.github.tasktray.desktop")
		data, _ := os.ReadFile(path)
		if !strings.Contains(string(data), "\nExec="+tc.exec+"\n") {
			t.Errorf("%s: want Exec=%s in\n%s", tc.path, tc.exec, data)
		}
		validate(t, path)
		wantState(t, e, On)
	}
}

func TestXDGRefusesWhatItCannotWrite(t *testing.T) {
	dir := t.TempDir()
	for _, cmd := range []string{"tasktray", "", "/usr/bin/task\ntray"} {
		err := XDG(dir, testApp(cmd)).Enable()
		if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "io.github.tasktray.desktop")) {
			t.Errorf("Enable with command %q: %v; want an error naming the entry", cmd, err)
		}
	}
	if names, _ := os.ReadDir(dir); len(names) != 0 {
		t.Fatalf("a refused entry left %v", names)
	}

	// The autostart dir cannot be made: a file is in its place.
	blocked := filepath.Join(t.TempDir(), "autostart")
	os.WriteFile(blocked, nil, 0o644)
	err := XDG(blocked, testApp("/usr/bin/tasktray")).Enable()
	if err == nil || !strings.Contains(err.Error(), "cannot write the start-at-login entry") {
		t.Fatalf("Enable into a file: %v", err)
	}
}
