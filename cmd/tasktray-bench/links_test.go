package main

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestLinksStepOnARealServer runs one small step of the links mode against
// the real tasktray-server binary: every link opens, every publish reaches
// every link once, and the figures are filled in.
func TestLinksStepOnARealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs tasktray-server")
	}
	work := t.TempDir()
	bin := filepath.Join(work, "tasktray-server")
	build := exec.Command("go", "build", "-o", bin, "tasktray/cmd/tasktray-server")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building tasktray-server: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const n = 40
	s, err := measureLinks(ctx, bin, work, n, 200*time.Millisecond, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	if s.broke != "" || s.connected != n || s.lost != 0 || s.dropped != 0 || len(s.fanout) != linksPublishes {
		t.Fatalf("step = %+v", s)
	}
	if s.perLinkKiB() <= 0 || s.linkedKiB <= s.baseKiB {
		t.Fatalf("memory per link %.1f KiB (RSS %d → %d KiB)", s.perLinkKiB(), s.baseKiB, s.linkedKiB)
	}
	if s.fanout[0] <= 0 {
		t.Fatalf("fan-out %v", s.fanout)
	}
}
