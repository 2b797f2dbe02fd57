package main

// The links mode (-links) measures the reference server alone: how much
// memory each link costs it, how long a publish takes to reach the last of
// N links, what its pings cost while nothing happens, and where it breaks.
// The server is the real tasktray-server binary in a process of its own,
// so its memory is measured without the bench's; the links are bare
// gorilla/websocket clients in the bench, each as the app's link is once
// the server's hello says it pings: it answers pings and sends nothing.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"

	"tasktray/auth"
	"tasktray/backend"
	"tasktray/server"
)

// Settings of one step of the links mode.
const (
	linksUser       = "bench"
	linksDialers    = 32 // links opened at once while ramping up
	linksPublishes  = 50 // publishes whose fan-out is timed
	linksPublishGap = 100 * time.Millisecond
	// linksDeliverWait is how long a publish may take to reach every link
	// before the step counts as broken.
	linksDeliverWait = 30 * time.Second
	// serverPingPeriod is the reference server's default ping period; a
	// link costs it one ping (and reads one pong) per period.
	serverPingPeriod = 30 * time.Second
	// linksFDReserve is how many descriptors a process needs besides its
	// links: listeners, /proc files, logs, the publisher's connection.
	linksFDReserve = 100
)

// linksConfig is what one links run measures.
type linksConfig struct {
	counts  []int         // N of each step
	idle    time.Duration // idle window per step: at least one ping period in full runs
	root    string
	doc     string // "" writes nothing
	plot    string
	command string
}

// linksStep is what one N measured.
type linksStep struct {
	n              int
	connected      int           // links open after the ramp
	ramp           time.Duration // time to open them all
	dialErrors     int
	firstDialError string
	baseKiB        uint64          // server RSS before any link
	linkedKiB      uint64          // server RSS with every link open, after the idle window
	fanout         []time.Duration // publish start to the last link's receipt, sorted
	lost           int             // (publish, link) pairs never received
	idleCPU        float64         // server CPU over the idle window, % of one core
	idleFor        time.Duration
	dropped        int    // links that ended during the step
	broke          string // why the step broke; "" when it held
}

// perLinkKiB is the server's memory per link.
func (s linksStep) perLinkKiB() float64 {
	if s.connected == 0 || s.linkedKiB < s.baseKiB {
		return 0
	}
	return float64(s.linkedKiB-s.baseKiB) / float64(s.connected)
}

// raiseFileLimit lifts the soft RLIMIT_NOFILE to the hard one: each link
// costs the bench one descriptor and the server (its child, which inherits
// the limit) another. It returns the limit now in force.
func raiseFileLimit() (uint64, error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
			return 0, err
		}
	}
	return l.Cur, nil
}

// runLinks measures every step of cfg, each against a fresh server.
func runLinks(ctx context.Context, cfg linksConfig, logf func(string, ...any)) ([]linksStep, uint64, error) {
	limit, err := raiseFileLimit()
	if err != nil {
		return nil, 0, fmt.Errorf("raising the file limit: %w", err)
	}
	logf("file descriptor limit: %d", limit)
	work, err := os.MkdirTemp("", "tasktray-bench-links-")
	if err != nil {
		return nil, 0, err
	}
	defer os.RemoveAll(work)
	bin := filepath.Join(work, "tasktray-server")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/tasktray-server")
	build.Dir = cfg.root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, 0, fmt.Errorf("building tasktray-server: %v\n%s", err, out)
	}
	var steps []linksStep
	for _, n := range cfg.counts {
		if uint64(n)+linksFDReserve > limit {
			// Both the bench and the server would run out of descriptors:
			// the machine's limit, not the server, is where this N breaks.
			steps = append(steps, linksStep{n: n, broke: fmt.Sprintf(
				"the file limit: %d descriptors per process, and each link takes one in the server and one in the bench (raise the hard limit, ulimit -Hn)", limit)})
			logf("links: N = %d: over the file limit %d", n, limit)
			break
		}
		logf("links: N = %d", n)
		s, err := measureLinks(ctx, bin, work, n, cfg.idle, logf)
		if err != nil {
			return steps, limit, err
		}
		logf("links: N = %d: %d connected in %v, %.1f KiB per link, fan-out p50 %v p99 %v, idle CPU %.2f %%, lost %d%s",
			n, s.connected, s.ramp.Round(time.Millisecond), s.perLinkKiB(), quantile(s.fanout, 0.5), quantile(s.fanout, 0.99), s.idleCPU, s.lost, brokeText(s.broke))
		steps = append(steps, s)
		if s.broke != "" {
			break // a bigger N breaks too; the table says where
		}
	}
	return steps, limit, nil
}

func brokeText(why string) string {
	if why == "" {
		return ""
	}
	return "; broke: " + why
}

// measureLinks starts a server, opens n links, idles, times linksPublishes
// publishes to all, and stops everything it started.
func measureLinks(ctx context.Context, bin, work string, n int, idle time.Duration, logf func(string, ...any)) (s linksStep, err error) {
	s.n = n
	password, key := rand.Text(), rand.Text()
	hash, err := server.HashPassword(password)
	if err != nil {
		return s, err
	}
	users := filepath.Join(work, "users.txt")
	if err := os.WriteFile(users, []byte(linksUser+":"+hash+"\n"), 0o600); err != nil {
		return s, err
	}
	// Port 0: the server picks a free port itself and logs it (a port
	// found free here and closed again could be taken before it listens).
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-users", users, "-history", strconv.Itoa(linksPublishes+10))
	cmd.Env = append(os.Environ(), "TASKTRAY_PUBLISHER_KEY="+key, "GOMAXPROCS=2")
	srv, err := startProcess("tasktray-server", cmd, filepath.Join(work, fmt.Sprintf("server-%d.log", n)))
	if err != nil {
		return s, err
	}
	defer func() { err = errors.Join(err, srv.stop()) }()
	addr, err := listeningAddr(ctx, srv)
	if err != nil {
		return s, err
	}
	base := "http://" + addr
	if err := waitHealth(ctx, base, srv); err != nil {
		return s, err
	}
	acc := auth.Account{Kind: "native", Server: base, Username: linksUser}
	kind, _ := backend.Lookup("native")
	authn, err := kind.Authenticator(acc)
	if err != nil {
		return s, err
	}
	sess, err := authn.Login(ctx, auth.Credentials{Account: acc, Password: password})
	if err != nil {
		return s, fmt.Errorf("login: %w", err)
	}
	time.Sleep(time.Second) // let the start-up garbage settle before the baseline
	if s.baseKiB, err = readRSS(srv.pid()); err != nil {
		return s, err
	}

	pool := newLinkPool(linksPublishes)
	defer pool.closeAll()
	start := time.Now()
	var dialErrs atomic.Int64
	var firstErr atomic.Value
	work_ := make(chan int)
	var wg sync.WaitGroup
	for range linksDialers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work_ {
				if err := pool.dial(ctx, "ws://"+addr+"/ws", sess.Token); err != nil {
					dialErrs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}
	for i := range n {
		select {
		case work_ <- i:
		case <-ctx.Done():
		}
	}
	close(work_)
	wg.Wait()
	s.ramp = time.Since(start)
	s.connected = pool.size()
	s.dialErrors = int(dialErrs.Load())
	if e, ok := firstErr.Load().(string); ok {
		s.firstDialError = e
		s.broke = fmt.Sprintf("%d of %d links could not open (%s)", s.dialErrors, n, e)
	}
	if err := ctx.Err(); err != nil {
		return s, err
	}

	// Idle: every link open, nothing published; the server pings each one
	// every serverPingPeriod.
	before, err := readProc(srv.pid())
	if err != nil {
		return s, err
	}
	if err := sleep(ctx, idle); err != nil {
		return s, err
	}
	after, err := readProc(srv.pid())
	if err != nil {
		return s, err
	}
	s.idleFor = after.at.Sub(before.at)
	s.idleCPU = 100 * float64(after.cpuTicks-before.cpuTicks) / userHZ / s.idleFor.Seconds()
	if s.linkedKiB, err = readRSS(srv.pid()); err != nil {
		return s, err
	}

	// Fan-out: publish to the one user every link belongs to; each link
	// stamps the task's arrival.
	hc := &http.Client{Timeout: linksDeliverWait}
	for i := range linksPublishes {
		title := "links #" + strconv.Itoa(i)
		at := time.Now()
		if err := publishHTTP(ctx, hc, base, key, title); err != nil {
			return s, fmt.Errorf("publish: %w", err)
		}
		last, missing := pool.waitAll(ctx, i, linksDeliverWait)
		if missing > 0 {
			s.lost += missing
			if s.broke == "" {
				s.broke = fmt.Sprintf("publish %d reached %d of %d links within %v", i, s.connected-missing, s.connected, linksDeliverWait)
			}
			continue
		}
		s.fanout = append(s.fanout, last.Sub(at))
		if err := sleep(ctx, linksPublishGap); err != nil {
			return s, err
		}
	}
	slices.Sort(s.fanout)
	s.dropped = pool.dropped()
	if s.dropped > 0 && s.broke == "" {
		s.broke = fmt.Sprintf("%d links dropped", s.dropped)
	}
	if err := srv.crashed(); err != nil {
		s.broke = "server crashed: " + err.Error()
	}
	return s, nil
}

// listenLine is the line tasktray-server logs once it listens, with the
// address (cmd/tasktray-server: log.Info("listening", "addr", ...)).
var listenLine = regexp.MustCompile(`msg=listening addr=(\S+)`)

// listeningAddr waits for the server p to log the address it listens on.
func listeningAddr(ctx context.Context, p *process) (string, error) {
	deadline := time.Now().Add(connectWait)
	for {
		if b, err := os.ReadFile(p.log); err == nil {
			if m := listenLine.FindSubmatch(b); m != nil {
				return string(m[1]), nil
			}
		}
		if err := p.crashed(); err != nil {
			return "", err
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("tasktray-server did not say where it listens within %v%s", connectWait, p.logTail())
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return "", err
		}
	}
}

// waitHealth waits until the server answers GET /api/health.
func waitHealth(ctx context.Context, base string, p *process) error {
	deadline := time.Now().Add(connectWait)
	for {
		resp, err := http.Get(base + "/api/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if err := p.crashed(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("tasktray-server not healthy within %v%s", connectWait, p.logTail())
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return err
		}
	}
}

// publishHTTP publishes one task to linksUser through POST /api/tasks, as
// a site's backend does.
func publishHTTP(ctx context.Context, hc *http.Client, base, key, title string) error {
	body, _ := json.Marshal(map[string]any{"user": linksUser, "title": title})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/tasks", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("X-Publisher-Key", key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return nil
}

// linkPool is the bench's side of the links: each one's reader stamps when
// task number i (its title "links #i") arrived.
type linkPool struct {
	tasks   int
	mu      sync.Mutex
	conns   []*websocket.Conn
	got     [][]time.Time // per task number, one stamp per link that received it
	gone    int
	changed chan struct{}
	wg      sync.WaitGroup
	closing atomic.Bool
}

func newLinkPool(tasks int) *linkPool {
	return &linkPool{tasks: tasks, got: make([][]time.Time, tasks), changed: make(chan struct{})}
}

var linksDialer = websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 1024}

// dial opens one link and starts its reader.
func (p *linkPool) dial(ctx context.Context, url, token string) error {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+token)
	ws, resp, err := linksDialer.DialContext(ctx, url, h)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		if resp != nil {
			return fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		return err
	}
	p.mu.Lock()
	p.conns = append(p.conns, ws)
	p.mu.Unlock()
	p.wg.Add(1)
	go p.read(ws)
	return nil
}

// read stamps the tasks of one link. gorilla answers the server's pings
// while it reads.
func (p *linkPool) read(ws *websocket.Conn) {
	defer p.wg.Done()
	var frame struct {
		Type  string `json:"type"`
		Title string `json:"title"`
	}
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			if !p.closing.Load() {
				p.mu.Lock()
				p.gone++
				p.mu.Unlock()
			}
			return
		}
		at := time.Now()
		frame.Type, frame.Title = "", ""
		if json.Unmarshal(msg, &frame) != nil || frame.Type != "task" {
			continue
		}
		var i int
		if _, err := fmt.Sscanf(frame.Title, "links #%d", &i); err != nil || i < 0 || i >= p.tasks {
			continue
		}
		p.mu.Lock()
		p.got[i] = append(p.got[i], at)
		if len(p.got[i]) == len(p.conns) {
			close(p.changed)
			p.changed = make(chan struct{})
		}
		p.mu.Unlock()
	}
}

// waitAll waits until every link received task i, and returns when the
// last one did, or how many had not when timeout passed.
func (p *linkPool) waitAll(ctx context.Context, i int, timeout time.Duration) (last time.Time, missing int) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		p.mu.Lock()
		got, want, changed := p.got[i], len(p.conns), p.changed
		p.mu.Unlock()
		if len(got) >= want {
			return slices.MaxFunc(got, func(a, b time.Time) int { return a.Compare(b) }), 0
		}
		select {
		case <-changed:
		case <-t.C:
			return time.Time{}, want - len(got)
		case <-ctx.Done():
			return time.Time{}, want - len(got)
		}
	}
}

func (p *linkPool) size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

func (p *linkPool) dropped() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.gone
}

// closeAll closes every link and waits for the readers.
func (p *linkPool) closeAll() {
	p.closing.Store(true)
	p.mu.Lock()
	for _, ws := range p.conns {
		ws.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// mainLinks runs the links mode and returns the exit status: 1 when the
// run failed or a step lost a task; a step that broke at a size is a
// finding, not a failure, unless it is the smallest one (-short in CI).
func mainLinks(ctx context.Context, cfg config, logf func(string, ...any)) int {
	lc := linksConfig{idle: cfg.idle, root: cfg.root, doc: cfg.doc, plot: cfg.plot, command: cfg.command}
	for _, f := range strings.Split(cfg.linkCounts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			logf("FAILED: -link-counts %q: want positive numbers separated by commas", cfg.linkCounts)
			return 2
		}
		lc.counts = append(lc.counts, n)
	}
	steps, limit, err := runLinks(ctx, lc, logf)
	if len(steps) > 0 {
		fmt.Println()
		fmt.Println(linksHeader(lc, limit))
		fmt.Println()
		fmt.Print(linksTable(steps))
	}
	if err != nil {
		logf("FAILED: %v", err)
		return 1
	}
	if lc.plot != "" {
		if err := plotLinks(lc.plot, steps); err != nil {
			logf("writing the plot: %v", err)
			return 1
		}
		logf("wrote %s", lc.plot)
	}
	if lc.doc != "" {
		if err := writeLinksDoc(lc.doc, lc.plot, lc, steps, limit); err != nil {
			logf("writing the results: %v", err)
			return 1
		}
		logf("wrote %s", lc.doc)
	}
	if steps[0].broke != "" {
		logf("FAILED: the reference server broke at %d links: %s", steps[0].n, steps[0].broke)
		return 1
	}
	return 0
}
