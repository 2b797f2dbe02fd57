//go:build linux

package tray

import (
	"context"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// acceptWatch is the real listener, telling the test each time its Accept
// returned an error: a marker that does not depend on what serveSocket
// does with the error.
type acceptWatch struct {
	net.Listener
	failed chan error
}

func (l acceptWatch) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		select {
		case l.failed <- err:
		default:
		}
	}
	return c, err
}

// TestReviewSocketSurvivesRunningOutOfFiles: for a moment the agent has no
// free file descriptor (a burst of callers that connect and say nothing
// holds one each for socketIOWait), so accept(2) fails with EMFILE. Once
// descriptors are free again, another start must still reach the agent.
func TestReviewSocketSurvivesRunningOutOfFiles(t *testing.T) {
	withoutSessionBus(t)
	dir := shortDir(t)
	ln, err := listenSocket(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	w := acceptWatch{Listener: ln, failed: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	reqs := make(chan Request)
	answerRequests(ctx, reqs, nil)
	go func() { defer close(served); serveSocket(ctx, w, reqs, quiet) }()
	t.Cleanup(func() { cancel(); <-served })

	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	// The lowest free descriptor: the caller's socket takes it, and the
	// agent's accept finds none below the lowered limit.
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	lowest := f.Fd()
	f.Close()
	low := lim
	low.Cur = uint64(lowest) + 1
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	c, dialErr := net.Dial("unix", socketPath(dir))
	var acceptErr error
	if dialErr == nil {
		select {
		case acceptErr = <-w.failed: // sent before Accept returns, so before serveSocket sees it
		case <-time.After(wait): // a failure guard only
		}
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if dialErr != nil {
		t.Fatalf("dial under the low limit: %v", dialErr)
	}
	c.Close()
	if acceptErr == nil {
		t.Fatal("accept did not fail under the lowered limit: the test did not run out of descriptors")
	}

	// Descriptors are free again: the next start asks.
	askCtx, done := context.WithTimeout(ctx, wait)
	defer done()
	err = askSocket(askCtx, dir, CommandShow)
	if err == nil {
		return
	}
	select {
	case <-served:
		t.Fatalf("after one failed accept (%v) the control socket stopped serving for good: ask = %v", acceptErr, err)
	default:
		t.Fatalf("ask = %v", err)
	}
}
