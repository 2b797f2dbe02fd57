package servers

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Names of the environment variables that scripts/servers.sh exports.
const (
	EnvGotifyBin     = "TASKTRAY_GOTIFY_BIN"
	EnvCentrifugoBin = "TASKTRAY_CENTRIFUGO_BIN"
)

const (
	healthTimeout = 20 * time.Second
	stopTimeout   = 10 * time.Second
	logTailBytes  = 64 << 10
)

// Bin returns the server binary that the environment variable name points
// at, for a realservers test. When name is unset the test is skipped on a
// developer's machine, but fails under CI (CI=true, as CI services set it):
// there a real-server test that skips proves nothing and must not pass.
// Anything else wrong with the path fails the test, as in BinFromEnv.
func Bin(t testing.TB, name string) string {
	t.Helper()
	if os.Getenv(name) == "" {
		if underCI() {
			t.Fatalf("%s is not set, and CI=true: a real-server test may not skip in CI (scripts/test.sh builds the servers and sets it)", name)
		}
		t.Skipf("%s is not set: `source scripts/servers.sh` builds the servers and sets it (under CI=true this fails)", name)
	}
	return BinFromEnv(t, name)
}

// underCI reports whether the tests run in CI, where skipping is failing.
func underCI() bool {
	v, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && v
}

// BinFromEnv returns the path in the environment variable name, failing the test with a hint
// when it is unset or does not point at an executable.
func BinFromEnv(t testing.TB, name string) string {
	t.Helper()
	bin := os.Getenv(name)
	if bin == "" {
		t.Fatalf("%s is not set: run ./scripts/test.sh, or `source scripts/servers.sh` to build the servers and set it", name)
	}
	info, err := os.Stat(bin)
	if err != nil {
		t.Fatalf("%s=%s: %v", name, bin, err)
	}
	if info.IsDir() || info.Mode()&0o111 == 0 {
		t.Fatalf("%s=%s is not an executable file", name, bin)
	}
	return bin
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	return addr
}

// portOf returns the port of a host:port address.
func portOf(addr string) int {
	_, port, _ := net.SplitHostPort(addr)
	n, _ := strconv.Atoi(port)
	return n
}

// process is one server process that can be stopped and started again with the same
// arguments, folder and log.
type process struct {
	name      string
	bin       string
	args      []string
	dir       string
	env       []string
	logPath   string
	healthURL string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
	err  error         // cmd.Wait's result, set before done is closed
}

// startProcess starts p, waits until it is healthy, and arranges for it to be killed (and its
// log printed if the test failed) when the test ends.
func startProcess(t testing.TB, p *process) {
	t.Helper()
	t.Cleanup(func() {
		if err := p.kill(); err != nil {
			t.Logf("%s: %v", p.name, err)
		}
		if t.Failed() {
			t.Logf("%s log (%s):\n%s", p.name, p.logPath, tailOf(p.logPath, logTailBytes))
		}
	})
	if err := p.start(); err != nil {
		t.Fatalf("starting %s: %v\n%s log (%s):\n%s", p.name, err, p.name, p.logPath, tailOf(p.logPath, logTailBytes))
	}
}

// start starts the process and waits until it is healthy. A process that
// exits at once because its port is taken is started again, for up to
// healthTimeout: the port was free when the test chose it, or the server
// held it until a restart, and on a busy machine another test's free-port
// probe (a listen on port 0) can be handed it for a moment in between.
func (p *process) start() error {
	deadline := time.Now().Add(healthTimeout)
	for {
		err := p.startOnce()
		if err == nil || !errors.Is(err, errPortTaken) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(portRetryPause)
	}
}

// portRetryPause is the pause before starting again a process whose port
// was taken.
const portRetryPause = 100 * time.Millisecond

// errPortTaken marks a process that exited because its address was in use.
var errPortTaken = errors.New("its port is taken")

func (p *process) startOnce() error {
	p.mu.Lock()
	locked := true
	defer func() {
		if locked {
			p.mu.Unlock()
		}
	}()
	if p.running() {
		return fmt.Errorf("%s is already running", p.name)
	}
	logFile, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(logFile, "--- %s: start %s %v (in %s)\n", time.Now().Format(time.RFC3339Nano), p.bin, p.args, p.dir)

	cmd := exec.Command(p.bin, p.args...)
	cmd.Dir = p.dir
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	setDeathSignal(cmd)
	err = cmd.Start()
	// The child has its own copy of the file; ours is no longer needed.
	logFile.Close()
	if err != nil {
		return err
	}
	done := make(chan struct{})
	p.cmd, p.done, p.err = cmd, done, nil
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(done)
	}()
	// Unlocked: the goroutine above takes the lock before it closes done,
	// which waitHealthy waits on when the process exits.
	locked = false
	p.mu.Unlock()
	return p.waitHealthy(cmd, done)
}

// running reports whether the process was started and has not exited. p.mu must be held.
func (p *process) running() bool {
	if p.done == nil {
		return false
	}
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// waitHealthy polls the health URL until it answers 200, the process exits, or time runs out.
func (p *process) waitHealthy(cmd *exec.Cmd, done <-chan struct{}) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(healthTimeout)
	for {
		select {
		case <-done:
			p.mu.Lock()
			err := p.err
			p.mu.Unlock()
			if p.lastStartSaid("address already in use") {
				return fmt.Errorf("%s exited before it was healthy: %w (%v)", p.name, errPortTaken, err)
			}
			return fmt.Errorf("%s exited before it was healthy: %v", p.name, err)
		default:
		}
		resp, err := client.Get(p.healthURL)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if p.lastStartSaid("address already in use") {
			// ntfy says so and runs on without a listener.
			cmd.Process.Kill()
			<-done
			return fmt.Errorf("%s could not listen: %w", p.name, errPortTaken)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not healthy after %v (GET %s: last error %v)", p.name, healthTimeout, p.healthURL, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// lastStartSaid reports whether the log of the latest start holds text.
func (p *process) lastStartSaid(text string) bool {
	tail := tailOf(p.logPath, logTailBytes)
	if i := strings.LastIndex(tail, "\n--- "); i >= 0 {
		tail = tail[i:]
	}
	return strings.Contains(tail, text)
}

// stop asks the process to end (SIGTERM), and kills it if it has not within a few seconds.
// It does nothing if the process is not running.
func (p *process) stop() error {
	return p.end(syscall.SIGTERM)
}

// kill ends the process at once (SIGKILL), like a crash or a power cut.
func (p *process) kill() error {
	return p.end(os.Kill)
}

func (p *process) end(sig os.Signal) error {
	p.mu.Lock()
	cmd, done, running := p.cmd, p.done, p.running()
	p.mu.Unlock()
	if !running {
		return nil
	}
	if err := cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		// Signals other than Kill are not supported everywhere: fall back to Kill.
		_ = cmd.Process.Kill()
	}
	select {
	case <-done:
		return nil
	case <-time.After(stopTimeout):
	}
	_ = cmd.Process.Kill()
	select {
	case <-done:
		return fmt.Errorf("%s did not stop within %v of %v; killed it", p.name, stopTimeout, sig)
	case <-time.After(stopTimeout):
		return fmt.Errorf("%s (pid %d) did not exit even after SIGKILL", p.name, cmd.Process.Pid)
	}
}

// restart stops the process if it runs, and starts it again with the same settings.
func (p *process) restart() error {
	if err := p.stop(); err != nil {
		return err
	}
	return p.start()
}

// tailOf returns the last n bytes of a file, or a note saying why it could not be read.
func tailOf(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	offset := int64(0)
	prefix := ""
	if info.Size() > n {
		offset = info.Size() - n
		prefix = fmt.Sprintf("(... first %d bytes left out)\n", offset)
	}
	buf := make([]byte, info.Size()-offset)
	if _, err := f.ReadAt(buf, offset); err != nil {
		return fmt.Sprintf("(reading log: %v)", err)
	}
	return prefix + string(buf)
}
