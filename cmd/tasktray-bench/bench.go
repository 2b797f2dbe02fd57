package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"

	"tasktray/auth"
	"tasktray/internal/desktoptest"
)

// connectWait bounds how long a process may take to connect: far above any
// start time worth measuring, so that only a broken start fails the run.
const connectWait = 30 * time.Second

// Users of the reference server, one per pipeline so neither ever sees the
// other's tasks.
const (
	floorUser = "floor"
	agentUser = "agent"
)

// bench holds what every measurement of one run shares.
type bench struct {
	cfg       config
	agentBin  string
	windowBin string // bin/tasktray, which execs agentBin; "" with -agent
	floorBin  string
	srv       *refServer
	sess      *session
	rec       *recorder
	tray      *desktoptest.Watcher
	bus       *dbus.Conn // the bench's own connection, to ask the bus about callers
	floorTok  string
	logf      func(format string, args ...any)
}

// pipeline is one of the two things measured side by side.
type pipeline struct {
	name  string
	user  string
	start func() (*process, error)
	// hasTray says the process registers a tray icon, which the bench then
	// waits for before it measures idle.
	hasTray bool
}

// run sets up the session and the server, measures the floor, then the
// agent, then the agent's burst, and stops everything it started, also on
// failure.
func run(ctx context.Context, cfg config, logf func(format string, args ...any)) (res *results, err error) {
	res = &results{cfg: cfg, when: time.Now(), source: sourceOf(cfg.root, cfg.agentBin)}
	work, err := os.MkdirTemp("", "tasktray-bench-")
	if err != nil {
		return res, err
	}
	defer func() {
		if os.Getenv("TASKTRAY_KEEP_SESSION") == "1" {
			logf("kept the session's folder with the logs: %s", work)
			return
		}
		os.RemoveAll(work)
	}()

	b := &bench{cfg: cfg, logf: logf}
	if b.agentBin, b.windowBin, b.floorBin, err = build(ctx, cfg.root, work, cfg.agentBin, logf); err != nil {
		return res, err
	}
	if b.srv, err = startServer(2 * max(cfg.tasks, cfg.burst)); err != nil {
		return res, err
	}
	defer b.srv.close()
	logf("reference server at %s", b.srv.url)

	if b.sess, err = startSession(filepath.Join(work, "session")); err != nil {
		return res, err
	}
	defer func() { err = errors.Join(err, b.sess.stop()) }()
	logf("session: DISPLAY=%s, bus %s, gnome-keyring unlocked", b.sess.display, b.sess.busAddr)
	// go-keyring, under auth.SystemKeyring, finds the bus through the
	// environment; the token is seeded from this process.
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", b.sess.busAddr)

	if b.rec, err = newRecorder(b.sess.busAddr); err != nil {
		return res, err
	}
	defer b.rec.close()
	if b.tray, err = desktoptest.NewWatcher(b.sess.busAddr); err != nil {
		return res, err
	}
	defer b.closeTray()
	if b.bus, err = dbus.Connect(b.sess.busAddr); err != nil {
		return res, err
	}
	defer b.bus.Close()

	floorSess, err := b.srv.login(ctx, floorUser)
	if err != nil {
		return res, fmt.Errorf("logging in the floor: %w", err)
	}
	b.floorTok = floorSess.Token
	if err := b.seedAgent(ctx); err != nil {
		return res, err
	}

	floor := pipeline{name: "floor", user: floorUser, start: b.startFloor}
	agent := pipeline{name: "agent", user: agentUser, start: func() (*process, error) { return b.startAgent(false) }, hasTray: true}
	res.floor.name, res.agent.name = floor.name, agent.name
	fp, err := b.startPipeline(ctx, floor, &res.floor)
	defer func() { err = errors.Join(err, stopAll(fp)) }()
	if err != nil {
		return res, err
	}
	if b.windowBin != "" {
		// The same agent started as `tasktray` on a command line: the
		// window binary loads and execs the agent binary.
		viaWindow := pipeline{name: "agent via bin/tasktray", user: agentUser, start: func() (*process, error) { return b.startVia(b.windowBin) }}
		var hop pipelineResult
		p, err := b.startPipeline(ctx, viaWindow, &hop)
		if err = errors.Join(err, stopAll(p)); err != nil {
			return res, err
		}
		res.agentViaWindow = hop.starts
	}
	ap, err := b.startPipeline(ctx, agent, &res.agent)
	defer func() { err = errors.Join(err, stopAll(ap)) }()
	if err != nil {
		return res, err
	}
	if err := b.measureIdleBoth(ctx, fp, ap, &res.floor, &res.agent); err != nil {
		return res, err
	}
	for _, r := range []struct {
		pl  pipeline
		p   *process
		res *pipelineResult
	}{{floor, fp, &res.floor}, {agent, ap, &res.agent}} {
		b.logf("%s: %d tasks at %g/s", r.pl.name, b.cfg.tasks, b.cfg.rate)
		if r.res.lat, err = b.measureLatency(ctx, r.pl, r.p); err != nil {
			return res, err
		}
		b.logf("%s: %s", r.pl.name, r.res.lat)
		if err := r.p.crashed(); err != nil {
			return res, err
		}
	}
	// The burst's agent is another start of the agent, which would find
	// this one running and hand over to it (one agent per user).
	err = stopAll(fp, ap)
	fp, ap = nil, nil
	if err != nil {
		return res, err
	}
	res.burst, err = b.measureBurst(ctx)
	return res, err
}

// build builds the floor client and, unless given an agent binary, the
// two binaries as the packages install them: dir/lib/tasktray/tasktray-agent
// (the agent alone, no Fyne), which the desktop starts (the .desktop
// file's Exec, and the autostart entry the agent writes with its own
// path), and dir/bin/tasktray (the Fyne-linked window binary), which execs
// the agent when started without a window role (internal/binpath). It
// returns the agent binary and the window binary, "" when given an agent.
func build(ctx context.Context, root, dir, agentBin string, logf func(string, ...any)) (agent, window, floor string, err error) {
	floor = filepath.Join(dir, "floor")
	targets := [][2]string{{floor, "./cmd/tasktray-bench/floor"}}
	if agentBin == "" {
		agentBin = filepath.Join(dir, "lib", "tasktray", "tasktray-agent")
		window = filepath.Join(dir, "bin", "tasktray")
		targets = append(targets, [2]string{agentBin, "./cmd/tasktray-agent"}, [2]string{window, "."})
	}
	for _, t := range targets {
		logf("go build -o %s %s", t[0], t[1])
		cmd := exec.CommandContext(ctx, "go", "build", "-o", t[0], t[1])
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", "", "", fmt.Errorf("go build %s: %v\n%s", t[1], err, out)
		}
	}
	return agentBin, window, floor, nil
}

// seedAgent logs the agent's user in and stores what a login in the app
// would: the account file and the token in the session's keyring.
func (b *bench) seedAgent(ctx context.Context) error {
	sess, err := b.srv.login(ctx, agentUser)
	if err != nil {
		return fmt.Errorf("logging in the agent's user: %w", err)
	}
	path := filepath.Join(b.sess.configHome(), "tasktray", "account.json")
	if err := auth.SaveAccount(path, sess.Account); err != nil {
		return err
	}
	store := auth.NewTokenStore(auth.NewSystemKeyring(0))
	if err := store.Save(ctx, sess); err != nil {
		return err
	}
	if !store.Persistent() {
		return fmt.Errorf("the token did not reach gnome-keyring: %s", store.Reason())
	}
	return nil
}

// startAgent starts the real agent in the session; coalesce=false gives
// every task its own popup.
func (b *bench) startAgent(coalesce bool) (*process, error) {
	cmd := exec.Command(b.agentBin, fmt.Sprintf("-coalesce=%t", coalesce))
	cmd.Env = b.sess.env()
	return startProcess("agent", cmd, b.sess.logPath("agent"))
}

// startVia starts the agent through another binary, such as bin/tasktray.
func (b *bench) startVia(bin string) (*process, error) {
	cmd := exec.Command(bin, "-coalesce=false")
	cmd.Env = b.sess.env()
	return startProcess("agent", cmd, b.sess.logPath("agent"))
}

// startFloor starts the floor client in the session.
func (b *bench) startFloor() (*process, error) {
	cmd := exec.Command(b.floorBin)
	cmd.Env = append(b.sess.env(),
		"TASKTRAY_BENCH_URL=ws"+strings.TrimPrefix(b.srv.url, "http")+"/ws",
		"TASKTRAY_BENCH_TOKEN="+b.floorTok)
	return startProcess("floor", cmd, b.sess.logPath("floor"))
}

// startPipeline starts the pipeline's process cfg.starts times, recording
// start to connected in res.starts; the last process stays up and is
// returned (nil only if none started), with its tray icon registered when
// the pipeline has one.
func (b *bench) startPipeline(ctx context.Context, pl pipeline, res *pipelineResult) (*process, error) {
	var p *process
	for i := range b.cfg.starts {
		if p != nil {
			if err := p.stop(); err != nil {
				return nil, err
			}
		}
		n := b.srv.links.opened(pl.user)
		var err error
		if p, err = pl.start(); err != nil {
			return nil, err
		}
		at, err := b.srv.links.waitOpen(ctx, pl.user, n, p, connectWait)
		if err != nil {
			return p, err
		}
		res.starts = append(res.starts, at.Sub(p.started))
		b.logf("%s: start %d connected after %v", pl.name, i+1, at.Sub(p.started).Round(time.Microsecond))
	}
	if pl.hasTray {
		if _, err := b.trayItem(ctx, p); err != nil {
			return p, err
		}
	}
	return p, nil
}

// measureIdleBoth lets the floor and the agent, both connected, settle and
// then idle side by side for cfg.idle: the same minutes of the same
// machine, and one wait instead of two (a full run idles 10 minutes).
func (b *bench) measureIdleBoth(ctx context.Context, fp, ap *process, floor, agent *pipelineResult) error {
	if err := sleep(ctx, b.cfg.settle); err != nil {
		return err
	}
	b.logf("floor and agent: idle for %v (connected, no traffic, no window)", b.cfg.idle)
	var ferr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		floor.idle, ferr = measureIdle(ctx, fp, b.cfg.idle)
	}()
	var aerr error
	agent.idle, aerr = measureIdle(ctx, ap, b.cfg.idle)
	<-done
	if err := errors.Join(ferr, aerr, fp.crashed(), ap.crashed()); err != nil {
		return err
	}
	b.logf("floor: %s", floor.idle)
	b.logf("agent: %s", agent.idle)
	return nil
}

// trayItem waits for the tray icon of p to register with the watcher,
// and returns it. Items are told apart by the PID of their bus connection.
func (b *bench) trayItem(ctx context.Context, p *process) (desktoptest.Item, error) {
	deadline := time.Now().Add(connectWait)
	for {
		for _, it := range b.tray.Items() {
			var pid uint32
			err := b.bus.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, it.Service).Store(&pid)
			if err == nil && int(pid) == p.pid() {
				return it, nil
			}
		}
		if err := p.crashed(); err != nil {
			return desktoptest.Item{}, err
		}
		if time.Now().After(deadline) {
			return desktoptest.Item{}, fmt.Errorf("the agent registered no tray icon within %v%s", connectWait, p.logTail())
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return desktoptest.Item{}, err
		}
	}
}

// closeTray closes the tray watcher once the icons of the agents, all
// stopped by now, are gone. Closing it while it still drops one panics:
// Watcher.dropVanished calls prop.SetMust on the closed connection
// (internal/desktoptest/watcher.go, publishLocked).
func (b *bench) closeTray() {
	for deadline := time.Now().Add(stopGrace); len(b.tray.Items()) > 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	b.tray.Close()
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
