package settle

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// binaryRss sums the resident KiB of this binary's read-only mappings, from
// /proc/self/smaps.
func binaryRss(t *testing.T) (kib int) {
	t.Helper()
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if fields := strings.Fields(line); len(fields) >= 5 && strings.Contains(fields[0], "-") {
			_, _, in = readOnlyMapping(line, exe)
			continue
		}
		if v, ok := strings.CutPrefix(line, "Rss:"); in && ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			kib += n
		}
	}
	return kib
}

func TestDropBinaryPages(t *testing.T) {
	before := binaryRss(t)
	if before == 0 {
		t.Fatal("no resident pages of this binary's read-only mappings to begin with")
	}
	dropped := dropBinaryPages()
	after := binaryRss(t)
	t.Logf("read-only mappings of the binary: %d KiB resident, dropped %d KiB of mappings, %d KiB resident after", before, dropped/1024, after)
	// What runs between the drop and the count (the runtime, reading
	// smaps) maps some pages back, 64 KiB around each: in this small test
	// binary that is most of its resident code; in the agent's, a fraction.
	if dropped == 0 || before-after < 512 {
		t.Fatalf("dropBinaryPages left %d of %d KiB resident (dropped %d bytes)", after, before, dropped)
	}
	// The code runs on: the kernel maps pages back as they are used.
	if got := strconv.Itoa(42); got != "42" {
		t.Fatal(got)
	}
}

func TestReadOnlyMapping(t *testing.T) {
	const exe = "/usr/lib/tasktray/tasktray-agent"
	for _, c := range []struct {
		line       string
		start, end uintptr
		ok         bool
	}{
		{"00400000-00a50000 r-xp 00000000 fe:00 10683649                           " + exe, 0x400000, 0xa50000, true},
		{"00a50000-0106a000 r--p 00650000 fe:00 10683649   " + exe, 0xa50000, 0x106a000, true},
		{"0106a000-01106000 rw-p 00c6a000 fe:00 10683649   " + exe, 0, 0, false}, // writable data: never
		{"7f00-7f10 r--p 00000000 fe:00 1   /usr/lib/x86_64-linux-gnu/libc.so.6", 0, 0, false},
		{"7f00-7f10 r--s 00000000 fe:00 1   " + exe, 0, 0, false}, // shared
		{"7ffd-7ffe rw-p 00000000 00:00 0   [stack]", 0, 0, false},
		{"garbage", 0, 0, false},
	} {
		start, end, ok := readOnlyMapping(c.line, exe)
		if start != c.start || end != c.end || ok != c.ok {
			t.Errorf("readOnlyMapping(%q) = %#x, %#x, %v; want %#x, %#x, %v", c.line, start, end, ok, c.start, c.end, c.ok)
		}
	}
}
