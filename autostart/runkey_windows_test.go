package autostart

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"

	"golang.org/x/sys/windows/registry"
)

// testBase is a key of the test's own under HKCU standing for
// Software\Microsoft\Windows\CurrentVersion, deleted afterwards, so a test
// run never touches the user's real Run key.
func testBase(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	base := `Software\tasktray-test\` + hex.EncodeToString(b)
	t.Cleanup(func() {
		for _, k := range []string{base + `\Explorer\StartupApproved\Run`, base + `\Explorer\StartupApproved`, base + `\Explorer`, base + `\Run`, base} {
			if err := registry.DeleteKey(registry.CURRENT_USER, k); err != nil && !errors.Is(err, registry.ErrNotExist) {
				t.Logf("deleting HKCU\\%s: %v", k, err)
			}
		}
	})
	return base
}

func readRun(t *testing.T, base string) string {
	t.Helper()
	v, err := readString(base+`\Run`, "tasktray")
	if err != nil {
		t.Fatalf("reading the Run value: %v", err)
	}
	return v
}

func TestRunKeyEnableDisable(t *testing.T) {
	base := testBase(t)
	e := RunKey(base, testApp(`C:\Program Files\tasktray\tasktray.exe`))
	wantState(t, e, Absent)
	if err := e.Enable(); err != nil {
		t.Fatal(err)
	}
	wantState(t, e, On)
	if got, want := readRun(t, base), `"C:\Program Files\tasktray\tasktray.exe"`; got != want {
		t.Fatalf("Run value %s, want %s", got, want)
	}

	if err := e.Disable(); err != nil {
		t.Fatal(err)
	}
	wantState(t, e, Off)
	readRun(t, base) // kept, so Task Manager lists tasktray as off
	k, err := registry.OpenKey(registry.CURRENT_USER, base+`\Explorer\StartupApproved\Run`, registry.QUERY_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	mark, _, err := k.GetBinaryValue("tasktray")
	k.Close()
	if err != nil || len(mark) != 12 || mark[0] != 3 {
		t.Fatalf("StartupApproved mark %x, %v; want 03 and a FILETIME", mark, err)
	}

	if err := e.Enable(); err != nil {
		t.Fatal(err)
	}
	wantState(t, e, On)
}

// Task Manager and Settings turn an app off with the StartupApproved mark;
// Status must say Off, also once the Run value is gone.
func TestRunKeyOffWrittenByTaskManager(t *testing.T) {
	base := testBase(t)
	e := RunKey(base, testApp(`C:\tasktray.exe`))
	if err := e.Enable(); err != nil {
		t.Fatal(err)
	}
	k, _, err := registry.CreateKey(registry.CURRENT_USER, base+`\Explorer\StartupApproved\Run`, registry.SET_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	// Seen from Task Manager: an enabled mark, then a disabled one.
	k.SetBinaryValue("tasktray", []byte{2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	wantState(t, e, On)
	k.SetBinaryValue("tasktray", []byte{3, 0, 0, 0, 0xd4, 0x0d, 0x43, 0x8d, 0xc8, 0x3b, 0xd9, 0x01})
	wantState(t, e, Off)
	run, err := registry.OpenKey(registry.CURRENT_USER, base+`\Run`, registry.SET_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	run.DeleteValue("tasktray")
	run.Close()
	wantState(t, e, Off)
}

func TestRunKeyDamaged(t *testing.T) {
	base := testBase(t)
	e := RunKey(base, testApp(`C:\tasktray.exe`))
	k, _, err := registry.CreateKey(registry.CURRENT_USER, base+`\Run`, registry.SET_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	k.SetDWordValue("tasktray", 1)
	k.Close()
	if st, err := e.Status(); st != Damaged || !errors.Is(err, ErrDamaged) {
		t.Fatalf("Status() = %v, %v; want Damaged", st, err)
	}
	if err := e.Enable(); err != nil {
		t.Fatal(err)
	}
	wantState(t, e, On)
}
