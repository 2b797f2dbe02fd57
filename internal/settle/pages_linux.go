package settle

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// dropBinaryPages unmaps the pages of this binary's read-only mappings
// (code and read-only data; never the writable data) with
// madvise(MADV_DONTNEED). For a private file mapping that only drops this
// process's page table entries: the next access maps the same bytes back
// from the page cache, or the file. It returns how many bytes it dropped.
func dropBinaryPages() (dropped int) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return 0
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		start, end, ok := readOnlyMapping(sc.Text(), exe)
		if !ok {
			continue
		}
		// The raw call: the range is no Go memory, so it takes addresses,
		// not a slice.
		if _, _, errno := unix.Syscall(unix.SYS_MADVISE, start, end-start, unix.MADV_DONTNEED); errno == 0 {
			dropped += int(end - start)
		}
	}
	return dropped
}

// readOnlyMapping parses one line of /proc/self/maps and says whether it
// maps path without write permission, and where.
//
//	00400000-00a50000 r-xp 00000000 fe:00 10683649   /usr/lib/tasktray/tasktray-agent
func readOnlyMapping(line, path string) (start, end uintptr, ok bool) {
	fields := strings.Fields(line)
	if len(fields) < 6 || strings.Join(fields[5:], " ") != path {
		return 0, 0, false
	}
	perms := fields[1]
	if len(perms) < 4 || perms[0] != 'r' || perms[1] != '-' || perms[3] != 'p' {
		return 0, 0, false
	}
	lo, hi, found := strings.Cut(fields[0], "-")
	if !found {
		return 0, 0, false
	}
	s, err1 := strconv.ParseUint(lo, 16, 64)
	e, err2 := strconv.ParseUint(hi, 16, 64)
	if err1 != nil || err2 != nil || e <= s {
		return 0, 0, false
	}
	return uintptr(s), uintptr(e), true
}
