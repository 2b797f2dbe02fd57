package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// userHZ is the unit of utime and stime in /proc/PID/stat. The kernel
// exports them in USER_HZ, which is 100 on every Linux architecture Go
// supports, whatever CONFIG_HZ the kernel runs at.
const userHZ = 100

// procSample is one reading of a process's counters in /proc.
type procSample struct {
	at time.Time
	// cpuTicks is utime+stime of the whole process, exited threads
	// included, in 1/userHZ s (/proc/PID/stat). Over 60 s one tick is
	// 0.017% of a core: too coarse alone for a 0.02% target.
	cpuTicks uint64
	// cpuNanos is the time on a CPU of the live threads, in ns
	// (/proc/PID/task/*/schedstat): the precise figure.
	cpuNanos uint64
	// switches counts the context switches, voluntary and not, of the
	// live threads (/proc/PID/task/*/status): each is a wake-up or a
	// preemption.
	switches uint64
	threads  int
}

// memSample is a process's memory in KiB.
type memSample struct {
	rss     uint64 // VmRSS: every page mapped and resident, shared ones in full
	pss     uint64 // Pss: shared pages divided among the processes that map them
	private uint64 // Private_Clean + Private_Dirty: pages only this process maps
	anon    uint64 // Anonymous: heap, stacks and runtime data; the rest of rss is files, mostly the binary
}

// mb converts KiB to MB (10^6 bytes), the unit of the targets.
func mb(kib uint64) float64 { return float64(kib) * 1024 / 1e6 }

// readProc samples pid's CPU time and context switches.
func readProc(pid int) (procSample, error) {
	s := procSample{at: time.Now()}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, err
	}
	if s.cpuTicks, err = parseStatCPU(stat); err != nil {
		return s, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*", pid))
	if err != nil {
		return s, err
	}
	for _, task := range tasks {
		// A thread may exit between the Glob and the reads: skip it.
		sched, err := os.ReadFile(task + "/schedstat")
		if err != nil {
			continue
		}
		status, err := os.ReadFile(task + "/status")
		if err != nil {
			continue
		}
		ns, err := strconv.ParseUint(string(bytes.Fields(sched)[0]), 10, 64)
		if err != nil {
			return s, fmt.Errorf("%s/schedstat: %w", task, err)
		}
		vol := statusField(status, "voluntary_ctxt_switches")
		invol := statusField(status, "nonvoluntary_ctxt_switches")
		s.cpuNanos += ns
		s.switches += vol + invol
		s.threads++
	}
	return s, nil
}

// parseStatCPU returns utime+stime from the text of /proc/PID/stat. The
// command name in field 2 may hold spaces and parentheses, so fields are
// counted from the last ')'.
func parseStatCPU(stat []byte) (uint64, error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("no command name")
	}
	fields := strings.Fields(string(stat[end+1:]))
	// fields[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(fields) < 13 {
		return 0, fmt.Errorf("%d fields", len(fields)+2)
	}
	utime, err1 := strconv.ParseUint(fields[11], 10, 64)
	stime, err2 := strconv.ParseUint(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("utime %q, stime %q", fields[11], fields[12])
	}
	return utime + stime, nil
}

// statusField returns the number after "name:" in a /proc status-like
// file, stripped of a " kB" unit; 0 when absent.
func statusField(text []byte, name string) uint64 {
	sc := bufio.NewScanner(bytes.NewReader(text))
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || key != name {
			continue
		}
		n, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
		return n
	}
	return 0
}

// readRSS returns pid's VmRSS in KiB; cheap enough to poll every few ms.
func readRSS(pid int) (uint64, error) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return statusField(status, "VmRSS"), nil
}

// readMem returns pid's VmRSS, Pss and private memory.
func readMem(pid int) (memSample, error) {
	rss, err := readRSS(pid)
	if err != nil {
		return memSample{}, err
	}
	rollup, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return memSample{}, err
	}
	return memSample{
		rss:     rss,
		pss:     statusField(rollup, "Pss"),
		private: statusField(rollup, "Private_Clean") + statusField(rollup, "Private_Dirty"),
		anon:    statusField(rollup, "Anonymous"),
	}, nil
}

// childPIDs lists the processes pid has started that still run, such as
// the agent's window processes.
func childPIDs(pid int) []string {
	var kids []string
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, t := range tasks {
		b, _ := os.ReadFile(t)
		kids = append(kids, strings.Fields(string(b))...)
	}
	return kids
}
