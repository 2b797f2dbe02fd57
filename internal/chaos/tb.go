package chaos

import (
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
)

// tb lets the command start the real servers of internal/servers, whose
// helpers take a testing.TB, outside a test: Fatal panics with a tbFatal
// that the caller recovers, Cleanup runs at close. Only the methods those
// helpers call are implemented; any other panics (nil embedded TB), which
// is loud on purpose.
type tb struct {
	testing.TB
	name string
	log  *slog.Logger

	mu       sync.Mutex
	cleanups []func()
	dirs     []string
	failed   bool
}

type tbFatal string

func newTB(name string, log *slog.Logger) *tb { return &tb{name: name, log: log} }

func (t *tb) Helper()      {}
func (t *tb) Name() string { return t.name }
func (t *tb) Failed() bool { t.mu.Lock(); defer t.mu.Unlock(); return t.failed }
func (t *tb) Fatal(a ...any) {
	t.mu.Lock()
	t.failed = true
	t.mu.Unlock()
	panic(tbFatal(fmt.Sprint(a...)))
}
func (t *tb) Fatalf(f string, a ...any) { t.Fatal(fmt.Sprintf(f, a...)) }
func (t *tb) Skipf(f string, a ...any)  { t.Fatal("skip: " + fmt.Sprintf(f, a...)) }
func (t *tb) Logf(f string, a ...any)   { t.log.Debug(fmt.Sprintf(f, a...)) }
func (t *tb) Cleanup(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cleanups = append(t.cleanups, f)
}

func (t *tb) TempDir() string {
	d, err := os.MkdirTemp("", "chaos-server-")
	if err != nil {
		t.Fatal(err)
	}
	t.mu.Lock()
	t.dirs = append(t.dirs, d)
	t.mu.Unlock()
	return d
}

// close runs the cleanups, last first, and removes the folders.
func (t *tb) close() {
	t.mu.Lock()
	cs, ds := t.cleanups, t.dirs
	t.cleanups, t.dirs = nil, nil
	t.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		cs[i]()
	}
	for _, d := range ds {
		os.RemoveAll(d)
	}
}

// catch turns a tbFatal panic into an error, for the function that
// called the helpers.
func catch(err *error) {
	if r := recover(); r != nil {
		f, ok := r.(tbFatal)
		if !ok {
			panic(r)
		}
		*err = fmt.Errorf("%s", string(f))
	}
}
