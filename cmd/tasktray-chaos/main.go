// Command tasktray-chaos runs the real client code against real servers
// behind a misbehaving proxy, one fault class at a time, and prints what
// was published, delivered, duplicated and lost (docs/chaos.md). Any loss,
// duplicate, crash, goroutine growth or freeze exits 1.
//
//	go run ./cmd/tasktray-chaos -short          # CI: every fault once
//	go run ./cmd/tasktray-chaos -duration 30m   # full: 30 minutes in all
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"regexp"
	"time"

	"tasktray/internal/chaos"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tasktray-chaos", flag.ContinueOnError)
	fs.SetOutput(stderr)
	short := fs.Bool("short", false, "inject each fault for 2 s per kind (CI)")
	total := fs.Duration("duration", 5*time.Minute, "how long the whole run lasts; shared out over the scenarios")
	every := fs.Duration("every", 5*time.Millisecond, "pause between two published tasks")
	freeze := fs.Duration("freeze", 60*time.Second, "watchdog: no delivery for this long while a task is missing fails the run")
	only := fs.String("run", "", "run only the scenarios whose kind/name matches this regular expression")
	skip := fs.String("skip", "", "leave out the scenarios whose kind/name matches this regular expression (known failures awaiting a fix; they are listed)")
	verbose := fs.Bool("v", false, "log the client's and the servers' debug lines to stderr")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	level := slog.LevelWarn + 100 // silent unless -v: the faults make the client warn on purpose
	if *verbose {
		level = slog.LevelDebug
	}
	opts := chaos.Options{Every: *every, Freeze: *freeze,
		Log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	type job struct {
		name string
		do   func() chaos.Result
	}
	var jobs []job
	for _, k := range chaos.Kinds() {
		if k.Skip != "" {
			jobs = append(jobs, job{k.Name, func() chaos.Result {
				r := chaos.Result{Kind: k.Name, Scenario: "*", Skip: k.Skip}
				if k.MissingBin && os.Getenv("CI") == "true" {
					r.Err = errors.New("CI=true and " + k.Skip + ": a step that should run may not skip")
				}
				return r
			}})
			continue
		}
		for _, sc := range chaos.Scenarios {
			jobs = append(jobs, job{k.Name + "/" + sc.Name, func() chaos.Result { return chaos.RunScenario(k, sc, opts) }})
		}
	}
	for _, sc := range chaos.AgentScenarios {
		jobs = append(jobs, job{"agent/" + sc.Name, func() chaos.Result { return chaos.RunAgentScenario(sc, opts) }})
	}
	re, err := regexp.Compile(*only)
	if err != nil {
		fmt.Fprintf(stderr, "-run: %v\n", err)
		return 2
	}
	var left []string
	var skipRe *regexp.Regexp
	if *skip != "" {
		if skipRe, err = regexp.Compile(*skip); err != nil {
			fmt.Fprintf(stderr, "-skip: %v\n", err)
			return 2
		}
	}
	var selected []job
	for _, j := range jobs {
		switch {
		case !re.MatchString(j.name):
		case skipRe != nil && skipRe.MatchString(j.name):
			left = append(left, j.name)
		default:
			selected = append(selected, j)
		}
	}
	if len(selected) == 0 {
		fmt.Fprintf(stderr, "no scenario matches %q\n", *only)
		return 2
	}
	opts.Duration = *total / time.Duration(len(selected))
	if *short {
		opts.Duration = 2 * time.Second
	}
	start := time.Now()
	var results []chaos.Result
	failed := 0
	for _, j := range selected {
		if ctx.Err() != nil {
			break
		}
		r := j.do()
		results = append(results, r)
		status := "ok"
		if r.Err != nil {
			status = "FAIL: " + r.Err.Error()
			failed++
		} else if r.Skip != "" {
			status = "skip: " + r.Skip
		}
		fmt.Fprintf(stderr, "%-40s %s (%v)\n", j.name, status, r.Elapsed.Round(100*time.Millisecond))
	}
	fmt.Fprintf(stdout, "tasktray-chaos: %d scenarios in %v (per scenario %v, a task every %v)\n\n",
		len(results), time.Since(start).Round(time.Second), opts.Duration, *every)
	chaos.WriteTable(stdout, results)
	for _, name := range left {
		fmt.Fprintf(stdout, "LEFT OUT (-skip) %s\n", name)
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stdout, "\ninterrupted")
		return 1
	}
	if failed > 0 {
		fmt.Fprintf(stdout, "\n%d scenario(s) FAILED\n", failed)
		return 1
	}
	fmt.Fprintln(stdout, "\nall scenarios passed: 0 lost, 0 duplicated, no freeze, no goroutine growth")
	return 0
}
