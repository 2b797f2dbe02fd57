package logfile

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/adrg/xdg"
	"go.uber.org/goleak"
)

// lumberjack v2.2.1 starts a goroutine per Logger that Close does not end
// (natefinch/lumberjack#56, #205): one idle goroutine for the life of the
// agent's process, which opens one log.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("gopkg.in/natefinch/lumberjack%2ev2.(*Logger).millRun"))
}

// failAfter guards a test that would otherwise hang; it is not a timing
// assertion.
const failAfter = 10 * time.Second

// stuckDisk is a file whose writes block until released, as on a disk
// that stalls (a hung NFS home, a full USB stick being retried).
type stuckDisk struct {
	entered chan struct{} // one send per Write that started
	release chan struct{}
	mu      sync.Mutex
	buf     bytes.Buffer
}

func newStuckDisk() *stuckDisk {
	return &stuckDisk{entered: make(chan struct{}, 1<<16), release: make(chan struct{})}
}

func (d *stuckDisk) Write(p []byte) (int, error) {
	d.entered <- struct{}{}
	<-d.release
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.buf.Write(p)
}

func (d *stuckDisk) Close() error { return nil }

func (d *stuckDisk) String() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.buf.String()
}

// A disk that stops taking writes must not stop the logger's caller: the
// agent logs from its loop. Lines beyond the buffer are dropped, counted,
// and the count reaches the file once the disk recovers.
func TestSlowDiskDropsInsteadOfBlocking(t *testing.T) {
	const buffer, extra = 8, 5
	disk := newStuckDisk()
	a := NewAsync(disk, buffer)
	log := slog.New(slog.NewTextHandler(a, nil))

	log.Info("first") // taken by the writer, which then blocks in Write
	select {
	case <-disk.entered:
	case <-time.After(failAfter):
		t.Fatal("the writer never started writing")
	}
	logged := make(chan struct{})
	go func() {
		for i := range buffer + extra {
			log.Info("line", "n", i)
		}
		close(logged)
	}()
	select {
	case <-logged:
	case <-time.After(failAfter):
		close(disk.release)
		t.Fatal("logging blocked on a stuck disk")
	}
	if got := a.Dropped(); got != extra {
		t.Errorf("dropped %d lines, want %d (buffer %d)", got, extra, buffer)
	}
	close(disk.release)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	out := disk.String()
	if !strings.Contains(out, fmt.Sprintf("dropped=%d", extra)) {
		t.Errorf("the file does not say %d lines were dropped:\n%s", extra, out)
	}
	for i := range buffer {
		if !strings.Contains(out, fmt.Sprintf("n=%d\n", i)) {
			t.Errorf("buffered line %d is missing:\n%s", i, out)
		}
	}
}

func TestNewWritesTheFileWithoutSecrets(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	l, err := New(Options{Dir: dir, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	l.Info("logged in", "user", "alice", "token", "tok-SECRET-1", "password", "pw-SECRET-2")
	l.WithGroup("auth").Warn("refresh failed", "access_token", "tok-SECRET-3", slog.Group("hdr", "Authorization", "Bearer tok-SECRET-4"))
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if l.Path != filepath.Join(dir, FileName) {
		t.Errorf("Path = %q", l.Path)
	}
	file, err := os.ReadFile(l.Path)
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"file": string(file), "stderr": stderr.String(), "recorder": strings.Join(l.Recorder.Lines(), "\n")} {
		if strings.Contains(text, "SECRET") {
			t.Errorf("%s holds a secret:\n%s", name, text)
		}
	}
	if !strings.Contains(string(file), "user=alice") || !strings.Contains(string(file), "refresh failed") {
		t.Errorf("the file misses lines:\n%s", file)
	}
	if runtime.GOOS != "windows" {
		st, err := os.Stat(l.Path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			t.Errorf("log file mode %v: others can read it", st.Mode().Perm())
		}
	}
}

func TestRecorderKeepsTheLastWarningsAndErrors(t *testing.T) {
	l, err := New(Options{Dir: t.TempDir(), Last: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	log := l.With("part", "link") // what the tray holds is derived like this
	for i := range 5 {
		log.Warn("warned", "n", i)
		log.Info("informed", "n", i)
	}
	log.Error("failed", "n", 5)
	got := LastErrors(log)
	if len(got) != 3 {
		t.Fatalf("LastErrors = %q, want 3 lines", got)
	}
	for i, want := range []string{"n=3", "n=4", "n=5"} {
		if !strings.Contains(got[i], want) || !strings.Contains(got[i], "part=link") || strings.Contains(got[i], "informed") {
			t.Errorf("line %d = %q, want the warning or error with %s", i, got[i], want)
		}
	}
	if path, dropped, ok := FileOf(log); !ok || path != l.Path || dropped != 0 {
		t.Errorf("FileOf = %q, %d, %v; want %q, 0, true", path, dropped, ok, l.Path)
	}
	if LastErrors(slog.Default()) != nil {
		t.Error("a logger not made by New has last errors")
	}
}

func TestDirFollowsXDGStateHome(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("XDG_STATE_HOME applies on Linux")
	}
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	xdg.Reload()
	t.Cleanup(xdg.Reload)
	if got, want := Dir(), filepath.Join(state, "tasktray"); got != want {
		t.Errorf("Dir() = %q, want %q", got, want)
	}
}

// A warning quoting a huge error is cut in the record, at a whole
// character.
func TestRecorderCutsLongLines(t *testing.T) {
	r := NewRecorder(2)
	log := slog.New(r.Handler())
	log.Warn("failed", "err", strings.Repeat("服务器错误", 200))
	line := r.Lines()[0]
	body, cut := strings.CutSuffix(line, "…")
	if !cut || len(body) > maxRecordBytes || !utf8.ValidString(body) || !strings.HasPrefix(line, "time=") {
		t.Errorf("recorded %d bytes, cut %v, valid %v: ends %q", len(line), cut, utf8.ValidString(body), line[max(0, len(line)-12):])
	}
}
