package servers

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// EnvRedisBin names the redis-server binary for the cluster tests; unset,
// redis-server is looked up in PATH (Debian's package redis-server).
const EnvRedisBin = "TASKTRAY_REDIS_BIN"

// Redis is a redis-server running for one test on a loopback port, with
// no persistence: the shared engine of a Centrifugo cluster.
type Redis struct {
	Addr    string // host:port
	LogPath string
}

// RedisBin returns the redis-server to run: $TASKTRAY_REDIS_BIN, else
// redis-server in PATH. When there is none the test is skipped on a
// developer's machine and fails under CI=true, like Bin.
func RedisBin(t testing.TB) string {
	t.Helper()
	if os.Getenv(EnvRedisBin) != "" {
		return BinFromEnv(t, EnvRedisBin)
	}
	bin, err := exec.LookPath("redis-server")
	if err == nil {
		return bin
	}
	if underCI() {
		t.Fatalf("no redis-server in PATH and %s unset, and CI=true: install Debian's redis-server (scripts/setup.sh)", EnvRedisBin)
	}
	t.Skipf("no redis-server in PATH and %s unset: apt-get install redis-server (under CI=true this fails)", EnvRedisBin)
	return ""
}

// StartRedis starts bin on a free loopback port, without saving anything
// to disk, and waits until it answers PING. It is killed when the test
// ends.
func StartRedis(t testing.TB, bin string) *Redis {
	t.Helper()
	dir := t.TempDir()
	addr := freeAddr(t)
	r := &Redis{Addr: addr, LogPath: filepath.Join(dir, "redis.log")}
	logFile, err := os.Create(r.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(portOf(addr)),
		"--save", "", "--appendonly", "no", "--dir", dir, "--protected-mode", "yes")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	setDeathSignal(cmd)
	err = cmd.Start()
	logFile.Close()
	if err != nil {
		t.Fatalf("starting redis-server: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("redis log (%s):\n%s", r.LogPath, tailOf(r.LogPath, logTailBytes))
		}
	})
	deadline := time.Now().Add(healthTimeout)
	for !r.pong() {
		select {
		case <-done:
			t.Fatalf("redis-server exited before it answered PING:\n%s", tailOf(r.LogPath, logTailBytes))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not answer PING within %v:\n%s", healthTimeout, tailOf(r.LogPath, logTailBytes))
		}
		time.Sleep(20 * time.Millisecond)
	}
	return r
}

// pong reports whether the server answers PING with +PONG.
func (r *Redis) pong() bool {
	c, err := net.DialTimeout("tcp", r.Addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.TrimSpace(line) == "+PONG"
}
