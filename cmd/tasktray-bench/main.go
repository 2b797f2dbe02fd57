// Command tasktray-bench measures what the tray agent costs while it waits
// and how fast it turns a task into a popup, side by side with a floor: a
// bare gorilla/websocket client that calls org.freedesktop.Notifications
// .Notify for each frame (./floor), the least any client can do.
//
// Both receive their tasks from one reference server in this process and
// send their popups to one recorder on a private session bus, which stamps
// each Notify call on arrival. The agent is the real thing as the packages
// install it: bin/tasktray, built from the module root, which execs
// lib/tasktray/tasktray-agent (cmd/tasktray-agent), in a throwaway desktop
// session (Xvfb, dbus-daemon, an unlocked gnome-keyring, a tray watcher)
// with its account file and token stored beforehand, as after a login. For
// each pipeline it measures start to connected and publish-to-Notify
// latency, and both idle side by side over a window with no traffic; then
// a second agent, with coalescing on, takes a burst. See
// docs/benchmarks.md for what each figure means.
//
//	go run ./cmd/tasktray-bench          full run (about 13 min: 10 of them
//	                                     idle); rewrites the
//	                                     results in docs/benchmarks.md and
//	                                     docs/benchmarks/latency.png
//	go run ./cmd/tasktray-bench -short   CI run (about 40 s); writes nothing
//	go run ./cmd/tasktray-bench -links   the reference server's limits: 1,000,
//	                                     5,000 and 10,000 simulated links (about
//	                                     4 min); rewrites its section of
//	                                     docs/benchmarks.md and
//	                                     docs/benchmarks/links.png
//	go run ./cmd/tasktray-bench -links -short   CI run of it: 1,000 links
//	                                     (under a minute); writes nothing
//
// The exit status is 1 only when a task was lost or duplicated or a process
// crashed or could not start; a missed time or size target never fails a
// run. Everything the bench starts is stopped by its PID at the end, also on
// failure or Ctrl-C. TASKTRAY_KEEP_SESSION=1 keeps the run's folder with the
// logs of the agent, the floor and the session's daemons.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// config is what one run measures.
type config struct {
	short      bool
	tasks      int           // latency: tasks per pipeline
	rate       float64       // latency: tasks per second
	idle       time.Duration // idle window
	settle     time.Duration // from connected to the idle window
	starts     int           // process starts per pipeline, for start to connected
	burst      int           // tasks in the burst
	burstOver  time.Duration // how long the burst lasts
	burstAfter time.Duration // from the burst's last publish to the "after" memory sample
	// burstSettle is how long the burst's agent waits, connected, before
	// the burst: long enough that it has settled (cmd/tasktray-agent
	// settles 20-30 s after its start), so "before" is its idle memory.
	burstSettle time.Duration
	agentBin    string // a prebuilt agent; "" builds one
	root        string // the module root
	doc, plot   string // where to write the results; "" writes nothing
	command     string // how the run was started, for the record
	links       bool   // measure the reference server's limits instead (links.go)
	linkCounts  string // the N of each links step, comma-separated
}

func main() {
	cfg, err := parseFlags()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tasktray-bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "[bench %s] %s\n", time.Now().Format("15:04:05.000"), fmt.Sprintf(format, args...))
	}
	if cfg.links {
		os.Exit(mainLinks(ctx, cfg, logf))
	}

	res, err := run(ctx, cfg, logf)
	if err != nil {
		logf("FAILED: %v", err)
		os.Exit(1)
	}
	table := res.table()
	fmt.Println()
	fmt.Println(res.header())
	fmt.Println()
	fmt.Print(table)
	fmt.Println()
	fmt.Print(res.notes())

	if cfg.plot != "" {
		if err := plotLatency(cfg.plot, res.floor.lat, res.agent.lat); err != nil {
			logf("writing the plot: %v", err)
			os.Exit(1)
		}
		logf("wrote %s", cfg.plot)
	}
	if cfg.doc != "" {
		if err := res.writeDoc(cfg.doc, cfg.plot); err != nil {
			logf("writing the results: %v", err)
			os.Exit(1)
		}
		logf("wrote %s", cfg.doc)
	}
	if bad := res.integrity(); bad != "" {
		logf("FAILED: %s", bad)
		os.Exit(1)
	}
}

// parseFlags reads the command line. -short changes the defaults of the
// flags not given.
func parseFlags() (config, error) {
	var cfg config
	flag.BoolVar(&cfg.short, "short", false, "CI run: 200 tasks, idle 5 s, burst of 1,000 in 1 s sampled 2 s after; writes no results")
	flag.IntVar(&cfg.tasks, "tasks", 2000, "latency: tasks per pipeline")
	flag.Float64Var(&cfg.rate, "rate", 200, "latency: tasks per second")
	flag.DurationVar(&cfg.idle, "idle", 10*time.Minute, "idle window, connected with no traffic (floor and agent side by side)")
	flag.DurationVar(&cfg.settle, "settle", 5*time.Second, "wait from connected to the idle window")
	flag.IntVar(&cfg.starts, "starts", 5, "process starts per pipeline, for start to connected")
	flag.IntVar(&cfg.burst, "burst", 1000, "tasks in the burst (agent, coalescing on)")
	flag.DurationVar(&cfg.burstOver, "burst-over", time.Second, "how long the burst lasts")
	flag.DurationVar(&cfg.burstAfter, "burst-after", time.Minute, "from the burst's last publish to the memory sample \"after\" (taken no earlier than 10 s after the last popup)")
	flag.DurationVar(&cfg.burstSettle, "burst-settle", time.Minute, "wait from the burst agent's start to the burst, so that \"before\" is its idle memory")
	flag.StringVar(&cfg.agentBin, "agent", "", "agent binary to measure, started as is (default: go build tasktray and tasktray-agent, installed side by side, and start tasktray)")
	flag.StringVar(&cfg.doc, "doc", "docs/benchmarks.md", "markdown file whose results section to rewrite; \"\" for none")
	flag.StringVar(&cfg.plot, "plot", "docs/benchmarks/latency.png", "latency plot to write; \"\" for none (-links: docs/benchmarks/links.png)")
	flag.BoolVar(&cfg.links, "links", false, "measure the reference server's limits with simulated links instead (-short: 1,000 links, writes nothing)")
	flag.StringVar(&cfg.linkCounts, "link-counts", "1000,5000,10000", "-links: the numbers of links to measure, in order")
	flag.Parse()
	if flag.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q", flag.Args())
	}

	given := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if cfg.links && !given["plot"] {
		flag.Set("plot", "docs/benchmarks/links.png")
	}
	if cfg.short && cfg.links {
		for name, value := range map[string]string{"link-counts": "1000", "idle": "5s", "doc": "", "plot": ""} {
			if !given[name] {
				flag.Set(name, value)
			}
		}
	} else if cfg.short {
		short := map[string]string{"tasks": "200", "idle": "5s", "settle": "1s", "starts": "2",
			"burst": "1000", "burst-over": "1s", "burst-after": "2s", "burst-settle": "1s", "doc": "", "plot": ""}
		for name, value := range short {
			if !given[name] {
				flag.Set(name, value)
			}
		}
	} else if cfg.links && !given["idle"] {
		flag.Set("idle", "35s") // at least one ping of every link
	}
	if cfg.tasks < 1 || cfg.burst < 1 || cfg.starts < 1 || cfg.rate <= 0 || cfg.idle <= 0 || cfg.burstOver <= 0 {
		return cfg, fmt.Errorf("-tasks, -burst, -starts, -rate, -idle and -burst-over must be positive")
	}

	out, err := exec.Command("go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return cfg, fmt.Errorf("run tasktray-bench inside the tasktray module (go env GOMOD: %q, %v)", gomod, err)
	}
	cfg.root = filepath.Dir(gomod)
	for _, p := range []*string{&cfg.doc, &cfg.plot} {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(cfg.root, *p)
		}
	}
	cfg.command = os.Getenv("TASKTRAY_BENCH_COMMAND")
	if cfg.command == "" {
		cfg.command = strings.Join(append([]string{"go run ./cmd/tasktray-bench"}, os.Args[1:]...), " ")
	}
	return cfg, nil
}
