// Command tasktray tells you, the moment it happens, that a task of yours
// needs you: a tray icon that shows the link to your task server, and a
// native popup for every task.
//
//	tasktray              the always-on agent (tray icon, link, popups)
//	tasktray -profile company.toml  log in to an existing backend (docs/custom.md)
//	tasktray -demo        the same, against an embedded demo server
//	tasktray -version     version, commit and build date
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
	"path/filepath"
	"syscall"

	"tasktray/backend/custom"
	"tasktray/internal/version"
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
	profile := flag.String("profile", "", "log in to an existing backend described by this profile (docs/custom.md); the login window then asks only for the username and password")
	verbose := flag.Bool("v", false, "log debug details")
	showVersion := flag.Bool("version", false, "print the version, commit and build date, and exit")
	flag.Parse()
	if *showVersion {
		fmt.Println(version.Get())
		return
	}

	// A bad profile stops here, before anything starts half-configured.
	profilePath, err := checkProfile(*profile)
	if err != nil {
		fmt.Fprintf(os.Stderr, tray.MsgBadProfile+"\n", err)
		os.Exit(2)
	}

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// Before anything else starts: a second agent would pop every task
	// twice and write the cursor file beside the first.
	var release func()
	release, err = tray.LockInstance()
	if errors.Is(err, tray.ErrAlreadyRunning) {
		fmt.Fprintln(os.Stderr, tray.MsgAlreadyRunning)
		return
	}
	if err != nil {
		log.Error("tasktray cannot start", "err", err)
		os.Exit(1)
	}
	defer release()

	opts := tray.Options{Coalesce: *coalesce, Profile: profilePath, Logger: log}
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

// checkProfile returns the absolute path of the -profile file, once it has
// read and checked it: the account keeps the path, so that an admin's edit
// applies on the next start.
func checkProfile(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if _, err := custom.LoadProfile(abs); err != nil {
		return "", err
	}
	return abs, nil
}
