package autostart

import (
	"os"
	"path/filepath"
	"testing"
)

// TestReviewXDGEntriesTheDesktopWrote: what desktops' own settings leave
// in the file around the keys that matter: CRLF line ends (an entry edited
// on Windows or by some tools), localized keys, keys of other desktops,
// comments, spaces around "=", and other groups whose own Hidden or
// X-GNOME-Autostart-enabled must not count.
func TestReviewXDGEntriesTheDesktopWrote(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		want       State
	}{
		{"CRLF, off by Hidden", "[Desktop Entry]\r\nType=Application\r\nName=tasktray\r\nExec=/usr/bin/tasktray\r\nHidden=true\r\n", Off},
		{"CRLF, on", "[Desktop Entry]\r\nType=Application\r\nName=tasktray\r\nExec=/usr/bin/tasktray\r\n", On},
		{"localized and foreign keys, GNOME off", "# written by gnome-session-properties\n[Desktop Entry]\nType=Application\nName=tasktray\nName[zh_CN]=任务托盘\nComment[de]=Aufgaben\nExec=/usr/bin/tasktray\nX-GNOME-Autostart-Delay=10\nX-KDE-autostart-phase=2\nOnlyShowIn=GNOME;KDE;\nX-GNOME-Autostart-enabled=false\n", Off},
		{"spaces around =", "[Desktop Entry]\nType = Application\nExec = /usr/bin/tasktray\nHidden = true\n", Off},
		{"Hidden=true only in an action group", "[Desktop Entry]\nType=Application\nExec=/usr/bin/tasktray\nActions=Show;\n\n[Desktop Action Show]\nName=Show\nExec=/usr/bin/tasktray -show\nHidden=true\nX-GNOME-Autostart-enabled=false\n", On},
		{"Hidden=false in an action group after Hidden=true", "[Desktop Entry]\nType=Application\nExec=/usr/bin/tasktray\nHidden=true\n[Desktop Action Show]\nName=Show\nExec=/usr/bin/tasktray -show\nHidden=false\n", Off},
		{"localized Hidden key is not Hidden", "[Desktop Entry]\nType=Application\nExec=/usr/bin/tasktray\nHidden[de]=true\n", On},
		{"no final newline", "[Desktop Entry]\nType=Application\nExec=/usr/bin/tasktray\nHidden=true", Off},
	} {
		dir := t.TempDir()
		e := XDG(dir, testApp("/usr/bin/tasktray"))
		if err := os.WriteFile(e.String(), []byte(tc.file), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := e.Status()
		if got != tc.want || err != nil {
			t.Errorf("%s: Status() = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}

// TestReviewXDGOffSurvivesToggles: quick off/on/off leaves the last choice,
// each written whole (no temporary file left beside it).
func TestReviewXDGOffSurvivesToggles(t *testing.T) {
	dir := t.TempDir()
	e := XDG(dir, testApp("/home/li lei/My Apps/tasktray"))
	for i := 0; i < 20; i++ {
		var err error
		if i%2 == 0 {
			err = e.Enable()
		} else {
			err = e.Disable()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	wantState(t, e, Off)
	names, _ := os.ReadDir(dir)
	if len(names) != 1 {
		t.Fatalf("files in the autostart dir: %v", names)
	}
	// A new Entry for the same place (the agent's next start) reads it.
	wantState(t, XDG(dir, testApp("/home/li lei/My Apps/tasktray")), Off)
	validate(t, filepath.Join(dir, "io.github.tasktray.desktop"))
}
