// Package cli is the agent's command line: its flags, the single-instance
// check, demo mode, and tray.Main. The tasktray binary runs it for every
// role but the window one.
package cli

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
	"tasktray/internal/logfile"
	"tasktray/internal/version"
	"tasktray/tray"
)

// Agent runs the agent with the command-line arguments args (without the
// program name) and returns the process's exit code.
func Agent(args []string) int {
	fs := flag.NewFlagSet("tasktray", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), msgUsage.String())
		fs.PrintDefaults()
	}
	demo := fs.Bool("demo", false, msgFlagDemo.String())
	every := fs.Duration("demo-every", demoEvery, msgFlagDemoEvery.String())
	coalesce := fs.Bool("coalesce", true, msgFlagCoalesce.String())
	profile := fs.String("profile", "", msgFlagProfile.String())
	verbose := fs.Bool("v", false, msgFlagVerbose.String())
	showVersion := fs.Bool("version", false, msgFlagVersion.String())
	show := fs.Bool("show", false, msgFlagShow.String())
	quit := fs.Bool("quit", false, msgFlagQuit.String())
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *showVersion {
		fmt.Println(version.Get())
		return 0
	}
	if *show && *quit {
		fmt.Fprintln(os.Stderr, msgShowAndQuit)
		return 2
	}
	if *show || *quit {
		cmd := tray.CommandShow
		if *quit {
			cmd = tray.CommandQuit
		}
		return command(context.Background(), tray.InstanceDir(), cmd, os.Stdout, os.Stderr)
	}

	// A bad profile stops here, before anything starts half-configured.
	profilePath, err := checkProfile(*profile)
	if err != nil {
		fmt.Fprintln(os.Stderr, tray.TextBadProfile.F(err))
		return 2
	}

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// Before anything else starts: a second agent would pop every task
	// twice and write the cursor file beside the first. A second start
	// asks the running agent to show its window instead, and exits.
	// Once the lock is ours, and before the ways in are served, the
	// keyring is asked for the saved account's token: its round trips
	// overlap everything up to the link's dial, which waits for them.
	var keys *tray.Keyring
	locked := func() {
		if !*demo {
			keys = tray.PrefetchKeyring(ctx)
		}
	}
	instance, code := becomeAgent(ctx, tray.InstanceDir(), log, os.Stdout, os.Stderr, locked)
	if instance == nil {
		return code
	}
	defer instance.Close() // after tray.Main: the lock is the last thing dropped
	// The log file only once the lock is ours: two agents must not rotate
	// one file. Its buffer keeps a slow disk from stalling the agent.
	logs, logErr := logfile.New(logfile.Options{Level: level, Stderr: os.Stderr})
	defer logs.Close()
	log = logs.Logger
	if logErr != nil {
		log.Warn("no log file; logging to stderr only", "err", logErr)
	}

	opts := tray.Options{Coalesce: *coalesce, Profile: profilePath, Requests: instance.Requests(), Keyring: keys, Logger: log}
	if *demo {
		d, err := startDemo(ctx, *every, log)
		if err != nil {
			log.Error("demo server failed to start", "err", err)
			return 1
		}
		defer d.Close()
		opts.Demo = d.Login()
	}
	if err := tray.Main(ctx, opts); err != nil {
		log.Error("tasktray stopped", "err", err)
		return 1
	}
	return 0
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
