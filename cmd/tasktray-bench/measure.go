package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"tasktray/internal/desktoptest"
	"tasktray/server"
)

// Quiet periods that end a wait for popups: missingQuiet while tasks are
// still missing (so a slow pipeline gets every chance), doneQuiet once all
// arrived (to catch late duplicates).
const (
	missingQuiet = 10 * time.Second
	doneQuiet    = 2 * time.Second
)

// idleResult is what a process costs while it waits.
type idleResult struct {
	window     time.Duration
	cpuPercent float64 // of one core, from the threads' schedstat (ns)
	// cpuTickPercent is the same from utime+stime in /proc/PID/stat, in
	// 10 ms ticks; it also counts threads that exited.
	cpuTickPercent float64
	wakeups        float64 // context switches per second, all threads
	threads        int
	children       int // processes it started that run, e.g. windows
	mem            memSample
	// exe is the binary the process runs at the end of the window: the
	// agent binary once tasktray has exec'd it.
	exe string
}

func (r idleResult) String() string {
	return fmt.Sprintf("idle %v: CPU %.4f%% (stat ticks %.3f%%), %.2f wake-ups/s, %d threads, %d children, VmRSS %.1f MB (%.1f MB anonymous), Pss %.1f MB, private %.1f MB",
		r.window.Round(time.Millisecond), r.cpuPercent, r.cpuTickPercent, r.wakeups, r.threads, r.children,
		mb(r.mem.rss), mb(r.mem.anon), mb(r.mem.pss), mb(r.mem.private))
}

// measureIdle samples p's counters d apart.
func measureIdle(ctx context.Context, p *process, d time.Duration) (idleResult, error) {
	before, err := readProc(p.pid())
	if err != nil {
		return idleResult{}, err
	}
	if err := sleep(ctx, d); err != nil {
		return idleResult{}, err
	}
	after, err := readProc(p.pid())
	if err != nil {
		return idleResult{}, fmt.Errorf("%w%s", err, p.logTail())
	}
	mem, err := readMem(p.pid())
	if err != nil {
		return idleResult{}, err
	}
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", p.pid()))
	if err != nil {
		return idleResult{}, err
	}
	wall := after.at.Sub(before.at)
	// A thread that exits takes its schedstat and switches with it: clamp
	// rather than wrap around.
	delta := func(a, b uint64) float64 { return float64(max(int64(a)-int64(b), 0)) }
	return idleResult{
		window:         wall,
		cpuPercent:     delta(after.cpuNanos, before.cpuNanos) / float64(wall.Nanoseconds()) * 100,
		cpuTickPercent: delta(after.cpuTicks, before.cpuTicks) * float64(time.Second/userHZ) / float64(wall.Nanoseconds()) * 100,
		wakeups:        delta(after.switches, before.switches) / wall.Seconds(),
		threads:        after.threads,
		children:       len(childPIDs(p.pid())),
		mem:            mem,
		exe:            exe,
	}, nil
}

// latencyResult is publish-to-Notify latency over one run of tasks.
type latencyResult struct {
	sent, lost, dups int
	// folded counts the tasks the agent folded into a summary popup ("7
	// new tasks") because the notification daemon fell behind its queue
	// (notify.DefaultQueueLen waiting): shown to the user, in Recent
	// tasks, but without a popup and a latency of their own.
	folded int
	// samples holds one latency per task that arrived, sorted.
	samples []time.Duration
	// timeline holds, per task that arrived, in publish order, when it was
	// published (from the first publish) and its latency.
	timeline       []timedLatency
	p50, p99, pmax time.Duration
	// cpuPerTask is the pipeline's CPU time over the run divided by the
	// tasks sent (schedstat, all threads).
	cpuPerTask time.Duration
	// capsCalls counts the GetCapabilities calls during the run, and
	// capsGap is the median time from one to the next Notify: the cost of
	// asking before every popup.
	capsCalls int
	capsGap   time.Duration
}

func (r latencyResult) String() string {
	return fmt.Sprintf("publish->Notify p50 %s, p99 %s, max %s; %d sent, %d lost, %d duplicated, %d folded into a summary; CPU %s per task; %d GetCapabilities calls, median %s before their Notify",
		ms(r.p50), ms(r.p99), ms(r.pmax), r.sent, r.lost, r.dups, r.folded, us(r.cpuPerTask), r.capsCalls, ms(r.capsGap))
}

// measureLatency publishes cfg.tasks tasks at cfg.rate to the pipeline's
// user and matches each Notify call to its task by the title's number.
func (b *bench) measureLatency(ctx context.Context, pl pipeline, p *process) (latencyResult, error) {
	tag := pl.name + " task"
	mark, capsMark := b.rec.mark(), b.rec.capsMark()
	before, err := readProc(p.pid())
	if err != nil {
		return latencyResult{}, err
	}
	every := time.Duration(float64(time.Second) / b.cfg.rate)
	published, err := b.publish(ctx, pl.user, tag, b.cfg.tasks, every)
	if err != nil {
		return latencyResult{}, err
	}
	calls, err := b.awaitPopups(ctx, mark, b.cfg.tasks, p)
	if err != nil {
		return latencyResult{}, err
	}
	after, err := readProc(p.pid())
	if err != nil {
		return latencyResult{}, err
	}
	res := matchLatency(published, calls, tag)
	res.cpuPerTask = time.Duration(max(int64(after.cpuNanos)-int64(before.cpuNanos), 0) / int64(len(published)))
	caps := b.rec.capsSince(capsMark)
	res.capsCalls, res.capsGap = len(caps), capsGap(caps, calls)
	return res, nil
}

// capsGap returns the median time from a GetCapabilities call to the next
// Notify, over the Notify calls that had one since the Notify before them.
// Both lists are in arrival order.
func capsGap(caps []time.Time, calls []notifyCall) time.Duration {
	var gaps []time.Duration
	var prev time.Time
	i := 0
	for _, c := range calls {
		var last time.Time
		for ; i < len(caps) && !caps[i].After(c.at); i++ {
			last = caps[i]
		}
		if !last.IsZero() && last.After(prev) {
			gaps = append(gaps, c.at.Sub(last))
		}
		prev = c.at
	}
	slices.Sort(gaps)
	return quantile(gaps, 0.5)
}

// timedLatency is one task's latency and when it was published.
type timedLatency struct {
	published, latency time.Duration
}

// foldedSummary matches the agent's summary popup (English, as the bench
// runs it: notify's textNewTasks).
var foldedSummary = regexp.MustCompile(`^(\d+) new tasks?$`)

// matchLatency pairs each task with the first Notify call titled after it.
func matchLatency(published []time.Time, calls []notifyCall, tag string) latencyResult {
	res := latencyResult{sent: len(published)}
	first := make([]time.Time, len(published))
	for _, c := range calls {
		i, ok := taskNumber(c.summary, tag)
		if !ok {
			if m := foldedSummary.FindStringSubmatch(c.summary); m != nil {
				n, _ := strconv.Atoi(m[1])
				res.folded += n
			}
			continue
		}
		if i >= len(published) {
			continue
		}
		if !first[i].IsZero() {
			res.dups++
			continue
		}
		first[i] = c.at
		res.samples = append(res.samples, c.at.Sub(published[i]))
	}
	res.lost = max(0, len(published)-len(res.samples)-res.folded)
	for i, at := range first {
		if !at.IsZero() {
			res.timeline = append(res.timeline, timedLatency{published[i].Sub(published[0]), at.Sub(published[i])})
		}
	}
	slices.Sort(res.samples)
	res.p50, res.p99 = quantile(res.samples, 0.50), quantile(res.samples, 0.99)
	if n := len(res.samples); n > 0 {
		res.pmax = res.samples[n-1]
	}
	return res
}

// taskTitle is the title of task i of a run tagged tag.
func taskTitle(tag string, i int) string { return tag + " #" + strconv.Itoa(i) }

// taskNumber parses a title made by taskTitle.
func taskNumber(title, tag string) (int, bool) {
	rest, ok := strings.CutPrefix(title, tag+" #")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(rest)
	return i, err == nil && i >= 0
}

// quantile returns the nearest-rank q-quantile of sorted samples.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(q*float64(len(sorted))+0.999999999) - 1 // ceil(q*n) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// publish publishes n tasks titled taskTitle(tag, i) to user, task i due
// at start + i*every. Each stamp is taken just before server.Publish.
// Late tasks go out at once, so the schedule holds on average even when a
// sleep overshoots.
func (b *bench) publish(ctx context.Context, user, tag string, n int, every time.Duration) ([]time.Time, error) {
	stamps := make([]time.Time, n)
	start := time.Now()
	for i := range n {
		if d := time.Until(start.Add(time.Duration(i) * every)); d > 0 {
			if err := sleep(ctx, d); err != nil {
				return nil, err
			}
		}
		stamps[i] = time.Now()
		in := server.TaskInput{Title: taskTitle(tag, i), Body: "Published by tasktray-bench."}
		if _, err := b.srv.Publish(user, in); err != nil {
			return nil, err
		}
	}
	return stamps, nil
}

// awaitPopups waits until want Notify calls came after mark and then none
// for doneQuiet, or none came for missingQuiet, and returns them. It fails
// only if p crashes.
func (b *bench) awaitPopups(ctx context.Context, mark, want int, p *process) ([]notifyCall, error) {
	for {
		n, changed := b.rec.count(mark)
		quiet := missingQuiet
		if n >= want {
			quiet = doneQuiet
		}
		t := time.NewTimer(quiet)
		select {
		case <-changed:
			t.Stop()
		case <-t.C:
			return b.rec.since(mark), p.crashed()
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-p.exited:
			t.Stop()
			return nil, p.crashed()
		}
	}
}

// burstResult is what a burst of tasks did to the agent with coalescing on.
type burstResult struct {
	sent    int
	publish time.Duration // how long publishing took
	// delivered is how many tasks the agent added to Recent tasks, from
	// the unread count its tray menu shows; drain is when the count was
	// complete, from the first publish.
	delivered int
	drain     time.Duration
	// Notify calls: singles are tasks' own popups, summaries the rest;
	// popups counts distinct notification ids, what a person saw.
	calls, singles, summaries, popups int
	lastSummary                       string
	before, after                     memSample
	peakRSS                           uint64
	afterWait                         time.Duration // from the last popup to the after sample
	afterBurst                        time.Duration // from the last publish to the after sample
	start                             time.Duration // start to connected of this agent
	reconnects                        int
	closeReasons                      []string
}

func (r burstResult) String() string {
	return fmt.Sprintf("burst of %d in %v: %d in Recent tasks after %v; %d Notify calls (%d singles, %d summaries, last %q), %d distinct popups; VmRSS %.1f -> peak %.1f -> %.1f MB; %d reconnects %v",
		r.sent, r.publish.Round(time.Millisecond), r.delivered, r.drain.Round(time.Millisecond), r.calls, r.singles,
		r.summaries, r.lastSummary, r.popups, mb(r.before.rss), mb(r.peakRSS), mb(r.after.rss), r.reconnects, r.closeReasons)
}

// unreadLabel is the Recent tasks entry of the agent's tray menu with a
// count, as tray.Systray.Render writes it.
var unreadLabel = regexp.MustCompile(`^Recent tasks \((\d+) unread\)`)

// measureBurst starts the agent with coalescing on, publishes cfg.burst
// tasks over cfg.burstOver, and counts its popups, its memory and the
// tasks that reached Recent tasks.
func (b *bench) measureBurst(ctx context.Context) (res burstResult, err error) {
	res.sent = b.cfg.burst
	opened := b.srv.links.opened(agentUser)
	p, err := b.startAgent(true)
	if err != nil {
		return res, err
	}
	defer func() { err = errors.Join(err, p.stop()) }()
	at, err := b.srv.links.waitOpen(ctx, agentUser, opened, p, connectWait)
	if err != nil {
		return res, err
	}
	res.start = at.Sub(p.started)
	item, err := b.trayItem(ctx, p)
	if err != nil {
		return res, err
	}
	if err := sleep(ctx, time.Until(p.started.Add(b.cfg.burstSettle))); err != nil {
		return res, err
	}
	unread0, err := b.unread(item)
	if err != nil {
		return res, err
	}
	if res.before, err = readMem(p.pid()); err != nil {
		return res, err
	}
	closed0 := b.srv.links.closed(agentUser)

	peak := watchPeakRSS(p.pid(), 10*time.Millisecond)
	defer peak()
	mark := b.rec.mark()
	b.logf("agent (coalescing on): burst of %d tasks in %v", b.cfg.burst, b.cfg.burstOver)
	t0 := time.Now()
	if _, err := b.publish(ctx, agentUser, "burst task", b.cfg.burst, b.cfg.burstOver/time.Duration(b.cfg.burst)); err != nil {
		return res, err
	}
	res.publish = time.Since(t0)

	// Every task should reach Recent tasks; the menu's count says when.
	// A slow agent gets all the time it needs as long as the count grows.
	lastGrowth := time.Now()
	for {
		n, err := b.unread(item)
		if err != nil {
			return res, err
		}
		if n-unread0 > res.delivered {
			lastGrowth = time.Now()
		}
		res.delivered, res.drain = n-unread0, time.Since(t0)
		if res.delivered >= b.cfg.burst || time.Since(lastGrowth) > missingQuiet {
			break
		}
		if err := p.crashed(); err != nil {
			return res, err
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return res, err
		}
	}
	// The coalescer shows its last summary up to a window after the
	// burst; the burst is over once no popup came for missingQuiet.
	calls, err := b.awaitPopups(ctx, mark, 1<<30, p)
	if err != nil {
		return res, err
	}
	// "After" is cfg.burstAfter after the last publish, and never before
	// the popups have stopped.
	published := t0.Add(res.publish)
	if err := sleep(ctx, time.Until(published.Add(b.cfg.burstAfter))); err != nil {
		return res, err
	}
	res.peakRSS = peak()
	if res.after, err = readMem(p.pid()); err != nil {
		return res, err
	}
	res.afterBurst = time.Since(published)
	if len(calls) > 0 {
		res.afterWait = time.Since(calls[len(calls)-1].at)
	}
	ids := map[uint32]bool{}
	for _, c := range calls {
		ids[c.id] = true
		if _, ok := taskNumber(c.summary, "burst task"); ok {
			res.singles++
		} else {
			res.summaries++
			res.lastSummary = c.summary
		}
	}
	res.calls, res.popups = len(calls), len(ids)
	res.reconnects = b.srv.links.opened(agentUser) - opened - 1
	res.closeReasons = b.srv.links.closeReasons(agentUser, closed0)
	b.logf("agent: %s", res)
	return res, p.crashed()
}

// unread reads the agent's unread count off its tray menu: the count of
// tasks in Recent tasks that nobody opened.
func (b *bench) unread(item desktoptest.Item) (int, error) {
	menu, err := b.tray.MenuLayout(item)
	if err != nil {
		return 0, err
	}
	for _, mi := range menu {
		if m := unreadLabel.FindStringSubmatch(mi.Label); m != nil {
			return strconv.Atoi(m[1])
		}
		if strings.HasPrefix(mi.Label, "Recent tasks") {
			return 0, nil
		}
	}
	return 0, fmt.Errorf("no Recent tasks entry in the tray menu")
}

// watchPeakRSS polls pid's VmRSS every period until the returned function
// is first called; that and every later call return the highest value
// seen, in KiB.
func watchPeakRSS(pid int, period time.Duration) (stop func() uint64) {
	var peak uint64 // written by the poller, read once it has finished
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			if rss, err := readRSS(pid); err == nil {
				peak = max(peak, rss)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	var once sync.Once
	return func() uint64 {
		once.Do(func() { close(done) })
		<-finished
		return peak
	}
}
