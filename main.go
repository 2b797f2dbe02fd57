// Command tasktray tells you, the moment it happens, that a task of yours
// needs you: a tray icon that shows the link to your task server, and a
// native popup for every task.
//
//	tasktray              the always-on agent (tray icon, link, popups)
//	tasktray -demo        the same, against an embedded demo server
//	tasktray window VIEW  a window process; the agent starts these itself
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"tasktray/tray"
	"tasktray/window/app"
)

func main() {
	if len(os.Args) > 2 && os.Args[1] == "window" {
		if err := app.Run(os.Args[2], os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "tasktray window:", err)
			os.Exit(1)
		}
		return
	}
	demo := flag.Bool("demo", false, "run against an embedded demo server with a demo account and a sample task every few seconds")
	every := flag.Duration("demo-every", demoEvery, "how often the demo server publishes a sample task")
	coalesce := flag.Bool("coalesce", true, "turn a burst of tasks into one summary popup (every task still lands in Recent tasks)")
	verbose := flag.Bool("v", false, "log debug details")
	flag.Parse()

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// Before anything else starts: a second agent would pop every task
	// twice and write the cursor file beside the first.
	release, err := tray.LockInstance()
	if errors.Is(err, tray.ErrAlreadyRunning) {
		fmt.Fprintln(os.Stderr, tray.MsgAlreadyRunning)
		return
	}
	if err != nil {
		log.Error("tasktray cannot start", "err", err)
		os.Exit(1)
	}
	defer release()

	opts := tray.Options{Coalesce: *coalesce, Logger: log}
	if *demo {
		d, err := startDemo(ctx, *every, log)
		if err != nil {
			log.Error("demo server failed to start", "err", err)
			os.Exit(1)
		}
		defer d.Close()
		opts.Demo = d.Login()
	}
	if err := tray.Main(ctx, opts); err != nil {
		log.Error("tasktray stopped", "err", err)
		os.Exit(1)
	}
}
