package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	// The command name may hold spaces and parentheses.
	stat := "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 9 0 123 456 789"
	got, err := parseStatCPU([]byte(stat))
	if err != nil || got != 10 {
		t.Fatalf("parseStatCPU = %d, %v; want 10 (utime 7 + stime 3)", got, err)
	}
	if _, err := parseStatCPU([]byte("4242 (x) S 1 2")); err == nil {
		t.Fatal("parseStatCPU accepted a short line")
	}
}

func TestStatusField(t *testing.T) {
	status := []byte("Name:\ttasktray\nVmRSS:\t   25220 kB\nvoluntary_ctxt_switches:\t42\n")
	for name, want := range map[string]uint64{"VmRSS": 25220, "voluntary_ctxt_switches": 42, "Missing": 0} {
		if got := statusField(status, name); got != want {
			t.Errorf("statusField(%q) = %d, want %d", name, got, want)
		}
	}
}

func TestReadProcOfItself(t *testing.T) {
	s, err := readProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if s.threads < 1 || s.cpuNanos == 0 {
		t.Fatalf("readProc of this test: %+v", s)
	}
	m, err := readMem(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if m.rss == 0 || m.pss == 0 || m.anon == 0 || m.anon > m.rss {
		t.Fatalf("readMem of this test: %+v", m)
	}
}

func TestQuantile(t *testing.T) {
	var s []time.Duration
	for i := 1; i <= 100; i++ {
		s = append(s, time.Duration(i))
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 50}, {0.99, 99}, {1, 100}, {0, 1}} {
		if got := quantile(s, c.q); got != c.want {
			t.Errorf("quantile(1..100, %g) = %d, want %d", c.q, got, c.want)
		}
	}
	if got := quantile(nil, 0.5); got != 0 {
		t.Errorf("quantile(nil) = %d", got)
	}
}

func TestMatchLatency(t *testing.T) {
	t0 := time.Now()
	published := []time.Time{t0, t0.Add(5 * time.Millisecond), t0.Add(10 * time.Millisecond)}
	calls := []notifyCall{
		{at: t0.Add(1 * time.Millisecond), summary: taskTitle("agent task", 0)},
		{at: t0.Add(7 * time.Millisecond), summary: taskTitle("agent task", 1)},
		{at: t0.Add(8 * time.Millisecond), summary: taskTitle("agent task", 1)}, // duplicate
		{at: t0.Add(9 * time.Millisecond), summary: "Recent tasks"},             // not a task of the run
		{at: t0.Add(9 * time.Millisecond), summary: taskTitle("floor task", 2)}, // another run's
	}
	r := matchLatency(published, calls, "agent task")
	if r.lost != 1 || r.dups != 1 || r.folded != 0 || len(r.samples) != 2 {
		t.Fatalf("lost %d, dups %d, folded %d, samples %v; want 1, 1, 0, 2 samples", r.lost, r.dups, r.folded, r.samples)
	}
	// Task 2 folded into the queue's summary: shown, not lost.
	r = matchLatency(published, append(calls, notifyCall{at: t0.Add(20 * time.Millisecond), summary: "1 new task"}), "agent task")
	if r.lost != 0 || r.folded != 1 || len(r.samples) != 2 {
		t.Fatalf("with a summary of 1: lost %d, folded %d, samples %d; want 0, 1, 2", r.lost, r.folded, len(r.samples))
	}
	if r.p50 != time.Millisecond || r.pmax != 2*time.Millisecond {
		t.Fatalf("p50 %v, max %v; want 1ms, 2ms", r.p50, r.pmax)
	}
	want := []timedLatency{{0, time.Millisecond}, {5 * time.Millisecond, 2 * time.Millisecond}}
	if !slices.Equal(r.timeline, want) {
		t.Fatalf("timeline %v, want %v", r.timeline, want)
	}
}

func TestTaskNumber(t *testing.T) {
	if i, ok := taskNumber(taskTitle("burst task", 9999), "burst task"); !ok || i != 9999 {
		t.Fatalf("taskNumber = %d, %v", i, ok)
	}
	for _, title := range []string{"burst task #", "burst task #-1", "burst task #1x", "9995 new tasks", "burst tasks #1"} {
		if _, ok := taskNumber(title, "burst task"); ok {
			t.Errorf("taskNumber(%q) matched", title)
		}
	}
}

func TestUnreadLabel(t *testing.T) {
	m := unreadLabel.FindStringSubmatch("Recent tasks (10000 unread)…")
	if m == nil || m[1] != "10000" {
		t.Fatalf("unreadLabel on the menu's wording: %v", m)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 10000: "10,000", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestOneTwoFive(t *testing.T) {
	var labels []string
	for _, tick := range (oneTwoFive{}).Ticks(0.3, 20) {
		if tick.Label != "" {
			labels = append(labels, tick.Label)
		}
	}
	if got := strings.Join(labels, " "); got != "0.5 1 2 5 10 20" {
		t.Fatalf("labels %q", got)
	}
}

// sampleResults are results as a run might give them.
func sampleResults() *results {
	lat := func(base time.Duration) latencyResult {
		r := latencyResult{sent: 1000}
		for i := range 1000 {
			r.samples = append(r.samples, base+time.Duration(i*i)*time.Microsecond/100)
		}
		for i, d := range r.samples {
			r.timeline = append(r.timeline, timedLatency{time.Duration(i) * 5 * time.Millisecond, d})
		}
		r.p50, r.p99, r.pmax = quantile(r.samples, 0.5), quantile(r.samples, 0.99), r.samples[999]
		return r
	}
	idle := idleResult{window: time.Minute, cpuPercent: 0.003, wakeups: 0.4, threads: 5, mem: memSample{rss: 8000, pss: 6000, private: 5000, anon: 1300}}
	return &results{
		cfg:   config{tasks: 1000, rate: 200, idle: time.Minute, settle: 5 * time.Second, starts: 2, burst: 10000, burstOver: 10 * time.Second, command: "go run ./cmd/tasktray-bench"},
		when:  time.Date(2025, 1, 2, 3, 4, 0, 0, time.UTC),
		floor: pipelineResult{name: "floor", starts: []time.Duration{4 * time.Millisecond, 3 * time.Millisecond}, idle: idle, lat: lat(400 * time.Microsecond)},
		agent: pipelineResult{name: "agent", starts: []time.Duration{30 * time.Millisecond, 20 * time.Millisecond}, idle: idle, lat: lat(900 * time.Microsecond)},
		burst: burstResult{sent: 10000, delivered: 10000, calls: 8, singles: 5, summaries: 3, popups: 6},
	}
}

func TestWriteDocKeepsTheRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "benchmarks.md")
	doc := "# Benchmarks\n\nintro\n\n" + docBegin + "\nold results\n" + docEnd + "\n\n## Analysis\n\nkept\n"
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	res := sampleResults()
	for range 2 { // rewriting twice gives the same file
		if err := res.writeDoc(path, filepath.Join(filepath.Dir(path), "benchmarks", "latency.png")); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(path)
	got := string(b)
	for _, want := range []string{"# Benchmarks\n\nintro\n\n" + docBegin, "| publish → Notify p99 |", "](benchmarks/latency.png)",
		docEnd + "\n\n## Analysis\n\nkept\n", "Run 2025-01-02 03:04 UTC"} {
		if !strings.Contains(got, want) {
			t.Errorf("document lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "old results") || strings.Count(got, docBegin) != 1 {
		t.Errorf("old section not replaced exactly once:\n%s", got)
	}
	if err := os.WriteFile(path, []byte("no markers"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := res.writeDoc(path, ""); err == nil {
		t.Error("writeDoc accepted a file without markers")
	}
}

func TestPlotLatency(t *testing.T) {
	dir := os.Getenv("TASKTRAY_BENCH_PLOT_DIR") // set it to look at the image
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, "latency.png")
	res := sampleResults()
	if err := plotLatency(path, res.floor.lat, res.agent.lat); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || !strings.HasPrefix(string(b), "\x89PNG") {
		t.Fatalf("no PNG written: %v", err)
	}
}

func TestIntegrity(t *testing.T) {
	res := sampleResults()
	if bad := res.integrity(); bad != "" {
		t.Fatalf("integrity of a clean run: %q", bad)
	}
	res.agent.lat.dups = 1
	res.burst.delivered = 9999
	bad := res.integrity()
	if !strings.Contains(bad, "agent lost 0 and duplicated 1") || !strings.Contains(bad, "9,999") && !strings.Contains(bad, "9999") {
		t.Fatalf("integrity = %q", bad)
	}
}

func TestCapsGap(t *testing.T) {
	t0 := time.Now()
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	caps := []time.Time{at(0), at(10), at(19)}
	calls := []notifyCall{
		{at: at(1)},  // 1 ms after its GetCapabilities
		{at: at(5)},  // none since the Notify before: not counted
		{at: at(13)}, // 3 ms after the one at 10
		{at: at(20)}, // 1 ms after the one at 19
	}
	if got := capsGap(caps, calls); got != time.Millisecond {
		t.Fatalf("capsGap = %v, want the median 1ms of 1, 3, 1 ms", got)
	}
	if got := capsGap(nil, calls); got != 0 {
		t.Fatalf("capsGap without GetCapabilities = %v", got)
	}
}
