package servers

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// envBinHelper makes TestBinHelper run: it is the test binary's own child.
const envBinHelper = "TASKTRAY_SERVERS_BIN_HELPER"

// TestBinHelper is not a test of its own: TestBinUnderCI runs it in a child
// process, where it asks for a binary whose variable is unset.
func TestBinHelper(t *testing.T) {
	if os.Getenv(envBinHelper) == "" {
		t.Skip("run by TestBinUnderCI in a child process")
	}
	Bin(t, "TASKTRAY_NO_SUCH_SERVER_BIN")
	t.Log("Bin returned")
}

// A missing server binary skips a realservers test on a developer's machine,
// and fails it under CI=true.
func TestBinUnderCI(t *testing.T) {
	for _, c := range []struct {
		ci       string
		wantFail bool
		want     string
	}{
		{"", false, "--- SKIP: TestBinHelper"},
		{"false", false, "--- SKIP: TestBinHelper"},
		{"true", true, "--- FAIL: TestBinHelper"},
		{"1", true, "--- FAIL: TestBinHelper"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBinHelper$", "-test.v")
		cmd.Env = append(os.Environ(), envBinHelper+"=1", "CI="+c.ci, "TASKTRAY_NO_SUCH_SERVER_BIN=")
		out, err := cmd.CombinedOutput()
		if failed := err != nil; failed != c.wantFail {
			t.Errorf("CI=%q: failed %v, want %v:\n%s", c.ci, failed, c.wantFail, out)
		}
		if !strings.Contains(string(out), c.want) || strings.Contains(string(out), "Bin returned") {
			t.Errorf("CI=%q: want %q and no return from Bin in:\n%s", c.ci, c.want, out)
		}
	}
}
