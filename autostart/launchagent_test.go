package autostart

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The LaunchAgent code is plain file I/O, so it runs and is tested here;
// macOS itself only picks the directory (default_darwin.go).
func TestLaunchAgentEnableDisable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "LaunchAgents")
	e := LaunchAgent(dir, testApp("/Applications/tasktray & co.app/Contents/MacOS/tasktray"))
	wantState(t, e, Absent)
	if err := e.Enable(); err != nil {
		t.Fatal(err)
	}
	wantState(t, e, On)
	data, err := os.ReadFile(filepath.Join(dir, "io.github.tasktray.plist"))
	if err != nil {
		t.Fatal(err)
	}
	top, err := parsePlistDict(data)
	if err != nil {
		t.Fatalf("%v in\n%s", err, data)
	}
	if top["Label"] != "io.github.tasktray" || top["RunAtLoad"] != "true" || top["Disabled"] != "false" || top["ProgramArguments"] != "<array>" {
		t.Fatalf("plist keys %v", top)
	}
	if !strings.Contains(string(data), "<string>/Applications/tasktray &amp; co.app/Contents/MacOS/tasktray</string>") {
		t.Fatalf("the program path is not escaped:\n%s", data)
	}

	if err := e.Disable(); err != nil {
		t.Fatal(err)
	}
	wantState(t, e, Off)
	if err := e.Enable(); err != nil {
		t.Fatal(err)
	}
	wantState(t, e, On)
	if names, _ := os.ReadDir(dir); len(names) != 1 {
		t.Fatalf("the dir holds %v, want only the plist", names)
	}
}

func TestLaunchAgentStates(t *testing.T) {
	const head = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
`
	for _, tc := range []struct {
		name, text string
		want       State
	}{
		{"on", head + `<dict><key>Label</key><string>io.github.tasktray</string><key>ProgramArguments</key><array><string>/x</string></array><key>RunAtLoad</key><true/></dict></plist>`, On},
		{"disabled by someone else", head + `<dict><key>Disabled</key><true/><key>ProgramArguments</key><array><string>/x</string></array><key>Label</key><string>io.github.tasktray</string><key>RunAtLoad</key><true/></dict></plist>`, Off},
		{"not run at load", head + `<dict><key>Label</key><string>io.github.tasktray</string><key>Program</key><string>/x</string><key>RunAtLoad</key><false/></dict></plist>`, Off},
		{"binary", "bplist00\xd1\x01\x02", Damaged},
		{"truncated", head + `<dict><key>Label</key><string>io.github.tas`, Damaged},
		{"other label", head + `<dict><key>Label</key><string>com.example.other</string><key>RunAtLoad</key><true/></dict></plist>`, Damaged},
		{"no program", head + `<dict><key>Label</key><string>io.github.tasktray</string><key>RunAtLoad</key><true/></dict></plist>`, Damaged},
		{"not a plist", "<html></html>", Damaged},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "io.github.tasktray.plist"), []byte(tc.text), 0o644)
			e := LaunchAgent(dir, testApp("/x"))
			st, err := e.Status()
			if st != tc.want || (tc.want == Damaged) != errors.Is(err, ErrDamaged) {
				t.Fatalf("Status() = %v, %v; want %v", st, err, tc.want)
			}
		})
	}
}
