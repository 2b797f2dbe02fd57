package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Targets of the issues "a tray app that costs nothing while it waits and
// is instant when a task comes" and "what the installed agent costs" (13).
// They are informational: a miss is reported, never fails a run.
const (
	targetIdleCPU     = 0.02 // % of one core
	targetWakeups     = 0.5  // per second, over the idle window (10 min in a full run)
	targetPss         = 12.0 // MB, idle Pss of the agent
	targetP99Ratio    = 2.0  // agent p99 / floor p99
	targetStartRatio  = 2.0  // agent / floor, median start to connected
	targetBurstBack   = 1.0  // MB, Pss "after" the burst minus Pss before it
	targetBurstCalls  = 6    // Notify calls for a whole burst
	targetBurstSingle = 5    // popups of single tasks in a burst, plus one summary
	targetBurstGrowth = 20.0 // MB, peak VmRSS minus before
)

// Markers around the section of the results document the bench rewrites.
const (
	docBegin = "<!-- tasktray-bench:begin -->"
	docEnd   = "<!-- tasktray-bench:end -->"
)

// results is everything one run measured.
type results struct {
	cfg          config
	when         time.Time
	source       string // the commit the agent was built from
	floor, agent pipelineResult
	// agentViaWindow are start to connected of the agent started as
	// bin/tasktray, which execs it; none with -agent.
	agentViaWindow []time.Duration
	burst          burstResult
}

// pipelineResult is what one pipeline measured.
type pipelineResult struct {
	name   string
	starts []time.Duration // start to connected, in start order
	idle   idleResult
	lat    latencyResult
}

// medianStart returns the median start to connected and the slowest one.
func (r pipelineResult) medianStart() (median, slowest time.Duration) {
	s := slices.Sorted(slices.Values(r.starts))
	return s[(len(s)-1)/2], s[len(s)-1]
}

// integrity says which tasks were lost or duplicated, the only failures
// of a run; "" when none.
func (r *results) integrity() string {
	var bad []string
	for _, p := range []pipelineResult{r.floor, r.agent} {
		if p.lat.lost > 0 || p.lat.dups > 0 {
			bad = append(bad, fmt.Sprintf("%s lost %d and duplicated %d of %d tasks", p.name, p.lat.lost, p.lat.dups, p.lat.sent))
		}
	}
	if b := r.burst; b.delivered != b.sent {
		bad = append(bad, fmt.Sprintf("the burst put %d of %d tasks in Recent tasks", b.delivered, b.sent))
	}
	return strings.Join(bad, "; ")
}

// header says when, where and how the run was made.
func (r *results) header() string {
	c := r.cfg
	return fmt.Sprintf("Run %s on %s; agent built from %s.\n\nCommand: `%s`; %s tasks at %g/s per pipeline, idle %v after %v settled, %d starts each, burst of %s in %v.",
		r.when.UTC().Format("2006-01-02 15:04 MST"), machine(), r.source, c.command,
		thousands(c.tasks), c.rate, c.idle, c.settle, c.starts, thousands(c.burst), c.burstOver)
}

// sourceOf names the commit checked out in root, "-dirty" when tracked
// files other than the bench's own results differ from it, or the binary
// measured when the bench did not build it.
func sourceOf(root, agentBin string) string {
	if agentBin != "" {
		return agentBin
	}
	head, err := exec.Command("git", "-C", root, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "an unknown commit"
	}
	source := "commit " + strings.TrimSpace(string(head))
	if status, err := exec.Command("git", "-C", root, "status", "--porcelain", "--untracked-files=no",
		"--", ".", ":!docs/benchmarks.md", ":!docs/benchmarks").Output(); err == nil && len(status) > 0 {
		source += "-dirty (uncommitted changes of the working tree)"
	}
	return source
}

// machine describes the computer: CPUs, kernel, Go.
func machine() string {
	model := "unknown CPU"
	if info, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(info), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	kernel, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return fmt.Sprintf("nproc %d, %s, Linux %s, %s", runtime.NumCPU(), model, strings.TrimSpace(string(kernel)), runtime.Version())
}

// table renders the results as a markdown table.
func (r *results) table() string {
	f, a, b := r.floor, r.agent, r.burst
	fStart, fSlow := f.medianStart()
	aStart, aSlow := a.medianStart()
	growth := mb(b.peakRSS) - mb(b.before.rss)

	var t bytes.Buffer
	row := func(cells ...string) { fmt.Fprintf(&t, "| %s |\n", strings.Join(cells, " | ")) }
	row("", "floor", "agent", "agent ÷ floor", "target (agent)", "")
	row("---", "---:", "---:", "---:", "---", "---")
	lat := fmt.Sprintf("%s tasks at %g/s", thousands(r.cfg.tasks), r.cfg.rate)
	row("publish → Notify p50, "+lat, ms(f.lat.p50), ms(a.lat.p50), ratio(a.lat.p50.Seconds(), f.lat.p50.Seconds()), "", "")
	row("publish → Notify p99", ms(f.lat.p99), ms(a.lat.p99), ratio(a.lat.p99.Seconds(), f.lat.p99.Seconds()),
		fmt.Sprintf("≤ %g× floor", targetP99Ratio), verdict(a.lat.p99 <= time.Duration(targetP99Ratio*float64(f.lat.p99))))
	row("publish → Notify max", ms(f.lat.pmax), ms(a.lat.pmax), ratio(a.lat.pmax.Seconds(), f.lat.pmax.Seconds()), "", "")
	row("lost / duplicated", lostDup(f.lat), lostDup(a.lat), "", "0 / 0", verdict(a.lat.lost == 0 && a.lat.dups == 0))
	row("folded into a summary popup (daemon behind the queue of 8)", "—", thousands(a.lat.folded), "", "", "")
	row("CPU per task while tasks flow (all threads)", us(f.lat.cpuPerTask), us(a.lat.cpuPerTask),
		ratio(a.lat.cpuPerTask.Seconds(), f.lat.cpuPerTask.Seconds()), "", "")
	row(fmt.Sprintf("idle CPU, %% of one core (%v)", r.cfg.idle), pct(f.idle.cpuPercent), pct(a.idle.cpuPercent),
		ratio(a.idle.cpuPercent, f.idle.cpuPercent), fmt.Sprintf("≤ %g %%", targetIdleCPU), verdict(a.idle.cpuPercent <= targetIdleCPU))
	row("idle wake-ups/s (context switches, all threads)", fmt.Sprintf("%.2f", f.idle.wakeups), fmt.Sprintf("%.2f", a.idle.wakeups),
		ratio(a.idle.wakeups, f.idle.wakeups), fmt.Sprintf("≤ %g", targetWakeups), verdict(a.idle.wakeups <= targetWakeups))
	row(fmt.Sprintf("idle Pss (smaps_rollup), after %v idle", r.cfg.idle), mbText(f.idle.mem.pss), mbText(a.idle.mem.pss),
		ratio(mb(a.idle.mem.pss), mb(f.idle.mem.pss)), fmt.Sprintf("≤ %g MB", targetPss), verdict(mb(a.idle.mem.pss) <= targetPss))
	row("idle private / VmRSS", mbText(f.idle.mem.private)+" / "+mbText(f.idle.mem.rss), mbText(a.idle.mem.private)+" / "+mbText(a.idle.mem.rss),
		ratio(mb(a.idle.mem.rss), mb(f.idle.mem.rss)), "", "")
	row(fmt.Sprintf("start → server sees the WebSocket, median of %d (slowest)", len(a.starts)),
		fmt.Sprintf("%s (%s)", ms(fStart), ms(fSlow)), fmt.Sprintf("%s (%s)", ms(aStart), ms(aSlow)),
		ratio(aStart.Seconds(), fStart.Seconds()), fmt.Sprintf("≤ %g× floor", targetStartRatio),
		verdict(aStart.Seconds() <= targetStartRatio*fStart.Seconds()))
	if len(r.agentViaWindow) > 0 {
		hop := pipelineResult{starts: r.agentViaWindow}
		hStart, hSlow := hop.medianStart()
		row("start as `tasktray` (execs the agent), median (slowest)", "", fmt.Sprintf("%s (%s)", ms(hStart), ms(hSlow)),
			ratio(hStart.Seconds(), fStart.Seconds()), "", "")
	}
	burst := fmt.Sprintf("burst of %s in %v, coalescing on", thousands(b.sent), r.cfg.burstOver)
	row(burst+": Notify calls", "—", fmt.Sprintf("%d (%d tasks + %s)", b.calls, b.singles, plural(b.summaries, "summary", "summaries")), "",
		fmt.Sprintf("≤ %d", targetBurstCalls), verdict(b.calls <= targetBurstCalls))
	row("burst: popups on screen (distinct ids)", "—", fmt.Sprint(b.popups), "",
		fmt.Sprintf("≤ %d + 1 summary", targetBurstSingle), verdict(b.singles <= targetBurstSingle && b.popups <= targetBurstSingle+1))
	row("burst: VmRSS before → peak → after", "—", fmt.Sprintf("%s → %s → %s", mbText(b.before.rss), mbText(b.peakRSS), mbText(b.after.rss)), "",
		fmt.Sprintf("growth ≤ %g MB", targetBurstGrowth), verdict(growth <= targetBurstGrowth))
	back := mb(b.after.pss) - mb(b.before.pss)
	row(fmt.Sprintf("burst: Pss before → %.0f s after the burst", b.afterBurst.Seconds()), "—",
		fmt.Sprintf("%s → %s (%+.1f MB)", mbText(b.before.pss), mbText(b.after.pss), back), "",
		fmt.Sprintf("≤ before + %g MB", targetBurstBack), verdict(back <= targetBurstBack))
	drain := fmt.Sprintf("complete %.1f s after the first publish", b.drain.Seconds())
	if b.delivered != b.sent {
		drain = fmt.Sprintf("count stopped changing at %.1f s", b.drain.Seconds())
	}
	row("burst: tasks in Recent tasks (tray menu's unread count)", "—",
		fmt.Sprintf("%s of %s, %s", thousands(b.delivered), thousands(b.sent), drain), "", "all", verdict(b.delivered == b.sent))
	return t.String()
}

// notes are the details behind the table, as a markdown list.
func (r *results) notes() string {
	f, a, b := r.floor, r.agent, r.burst
	var n bytes.Buffer
	fmt.Fprintf(&n, "- Idle CPU above is the threads' own CPU time in ns (`/proc/PID/task/*/schedstat`); utime+stime of `/proc/PID/stat`, in 10 ms ticks, gave floor %s, agent %s.\n",
		pct(f.idle.cpuTickPercent), pct(a.idle.cpuTickPercent))
	fmt.Fprintf(&n, "- The agent process measured runs %s (`/proc/PID/exe` at the end of the idle window).\n", a.idle.exe)
	fmt.Fprintf(&n, "- Idle VmRSS split: floor %s anonymous + %s files, agent %s anonymous + %s files (file pages are mostly the binary's own code and data).\n",
		mbText(f.idle.mem.anon), mbText(f.idle.mem.rss-f.idle.mem.anon), mbText(a.idle.mem.anon), mbText(a.idle.mem.rss-a.idle.mem.anon))
	fmt.Fprintf(&n, "- GetCapabilities calls during the latency run: floor %d, agent %d; the agent's came a median %s before their Notify.\n",
		f.lat.capsCalls, a.lat.capsCalls, ms(a.lat.capsGap))
	fmt.Fprintf(&n, "- Threads at idle: floor %d, agent %d; processes the agent had started (windows): %d.\n",
		f.idle.threads, a.idle.threads, a.idle.children)
	fmt.Fprintf(&n, "- Start → connected, each start: floor %s; agent %s; the burst's agent %s.\n",
		msList(f.starts), msList(a.starts), ms(b.start))
	if len(r.agentViaWindow) > 0 {
		fmt.Fprintf(&n, "- Start → connected as `bin/tasktray`, which loads the Fyne-linked binary and execs the agent: %s.\n", msList(r.agentViaWindow))
	}
	fmt.Fprintf(&n, "- Burst: published in %.1f s; Notify calls: %s, then %s (the last: %q).\n",
		b.publish.Seconds(), plural(b.singles, "single task", "single tasks"), plural(b.summaries, "summary", "summaries"), b.lastSummary)
	fmt.Fprintf(&n, "- Burst: memory \"after\" taken %.0f s after the last publish, %.0f s after the last popup; anonymous / Pss / private before %s / %s / %s, after %s / %s / %s.\n",
		b.afterBurst.Seconds(), b.afterWait.Seconds(), mbText(b.before.anon), mbText(b.before.pss), mbText(b.before.private),
		mbText(b.after.anon), mbText(b.after.pss), mbText(b.after.private))
	reasons := "none"
	if len(b.closeReasons) > 0 {
		reasons = strings.Join(b.closeReasons, "; ")
	}
	fmt.Fprintf(&n, "- Burst: the server dropped and the agent re-opened its WebSocket %d times (close reasons: %s).\n", b.reconnects, reasons)
	return n.String()
}

// writeDoc rewrites the section between docBegin and docEnd of the
// markdown file at path with the results, and links the plot if any.
func (r *results) writeDoc(path, plot string) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	head, rest, ok1 := bytes.Cut(doc, []byte(docBegin))
	_, tail, ok2 := bytes.Cut(rest, []byte(docEnd))
	if !ok1 || !ok2 {
		return fmt.Errorf("%s lacks the markers %s and %s", path, docBegin, docEnd)
	}
	var out bytes.Buffer
	out.Write(head)
	fmt.Fprintf(&out, "%s\n<!-- written by cmd/tasktray-bench; edits here are overwritten -->\n\n%s\n\n%s\n%s", docBegin, r.header(), r.table(), r.notes())
	if plot != "" {
		if rel, err := filepath.Rel(filepath.Dir(path), plot); err == nil {
			fmt.Fprintf(&out, "\n![publish → Notify latency, floor and agent](%s)\n", filepath.ToSlash(rel))
		}
	}
	out.WriteString("\n" + docEnd)
	out.Write(tail)
	return os.WriteFile(path, out.Bytes(), 0o644)
}

// verdict words a target check.
func verdict(ok bool) string {
	if ok {
		return "PASS"
	}
	return "MISS"
}

// ms formats d in milliseconds, with more digits for short ones.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v < 10:
		return fmt.Sprintf("%.2f ms", v)
	case v < 100:
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.0f ms", v)
}

// us formats d in microseconds.
func us(d time.Duration) string { return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond)) }

// msList formats durations as a comma-separated list of milliseconds.
func msList(ds []time.Duration) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = ms(d)
	}
	return strings.Join(parts, ", ")
}

// pct formats a percentage of one core.
func pct(v float64) string { return fmt.Sprintf("%.4f %%", v) }

// mbText formats KiB as MB.
func mbText(kib uint64) string { return fmt.Sprintf("%.1f MB", mb(kib)) }

// ratio formats a/b, or "—" when b is zero (a floor that costs nothing
// measurable has no ratio).
func ratio(a, b float64) string {
	if b <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// lostDup formats the lost and duplicated counts.
func lostDup(r latencyResult) string { return fmt.Sprintf("%d / %d", r.lost, r.dups) }

// plural formats n with the word for one or for many.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// thousands formats n with thousands separators: 10000 is "10,000".
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
