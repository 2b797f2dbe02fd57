package tray

import (
	"bufio"
	"context"
	"net"
	"strings"
	"testing"
)

// TestReviewSilentAndGarbageCallers: callers that connect and never write,
// and one that sends a huge line with no newline, neither keep another
// start from reaching the agent nor keep Close waiting (goleak, in
// TestMain, checks that nothing they started is left).
func TestReviewSilentAndGarbageCallers(t *testing.T) {
	withoutSessionBus(t)
	dir := shortDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in, err := StartInstance(ctx, dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			in.Close()
		}
	}()
	got := answerRequests(ctx, in.Requests(), nil)

	var silent []net.Conn
	defer func() {
		for _, c := range silent {
			c.Close()
		}
	}()
	for range 50 {
		c, err := net.Dial("unix", socketPath(dir))
		if err != nil {
			t.Fatal(err)
		}
		silent = append(silent, c)
	}

	// A huge line with no newline: the agent reads at most maxRequestLine
	// bytes and answers an error (or hangs up); it never waits for more.
	g, err := net.Dial("unix", socketPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		g.Write([]byte(strings.Repeat("x", 1<<20))) // fails once the agent hangs up
	}()
	if line, err := bufio.NewReader(g).ReadString('\n'); err == nil && !strings.HasPrefix(line, "error ") {
		t.Errorf("reply to garbage: %q", line)
	}
	g.Close()
	<-wrote

	askCtx, done := context.WithTimeout(ctx, wait)
	defer done()
	if err := ask(askCtx, dir, CommandShow, noBus); err != nil {
		t.Fatalf("with 50 silent callers connected: %v", err)
	}
	if c := <-got; c != CommandShow {
		t.Fatalf("the loop got %v", c)
	}
	in.Close() // the silent callers are still connected: it must not wait for them
	closed = true
}

// TestReviewAskWaitsForAnAgentStillStarting: a second start while the
// first holds the lock but serves nothing yet (between Lock and its
// socket), and whose loop has not started: it waits, then gets the answer.
func TestReviewAskWaitsForAnAgentStillStarting(t *testing.T) {
	withoutSessionBus(t)
	dir := shortDir(t)
	release, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	askCtx, done := context.WithTimeout(context.Background(), wait)
	defer done()
	answer := make(chan error, 1)
	go func() { answer <- ask(askCtx, dir, CommandShow, noBus) }()

	// The first start goes on: its socket, then its loop.
	ln, err := listenSocket(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	reqs := make(chan Request)
	served := make(chan struct{})
	go func() { defer close(served); serveSocket(ctx, ln, reqs, quiet) }()
	defer func() { cancel(); <-served }()
	got := answerRequests(ctx, reqs, nil)
	if err := <-answer; err != nil {
		t.Fatalf("a start while the agent was starting: %v", err)
	}
	if c := <-got; c != CommandShow {
		t.Fatalf("the loop got %v", c)
	}
}
