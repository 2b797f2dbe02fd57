package tray

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

// The local socket is how another start reaches the agent where there is no
// session bus (Windows, macOS, a Linux login without D-Bus): a unix socket
// beside the lock, in a directory only the user can enter, or in a short
// folder of the user's own when that path is too long for a socket
// (socketPath). AF_UNIX works on Windows 10 and later too.
//
// The protocol is one line each way: the caller writes "show\n" or
// "quit\n"; the agent answers "ok\n" or "error <why>\n" once its loop did
// it, or "stopping\n" while it quits (ErrStopping), and closes.

// socketName is the socket's file in the lock's directory (socketPath).
const socketName = "tasktray.sock"

// maxRequestLine and maxReplyLine bound what either side reads from the
// other.
const (
	maxRequestLine = 64
	maxReplyLine   = 4096
)

// socketIOWait bounds one read or write of a request or reply: a caller
// that connects and says nothing must not hold a goroutine of the agent.
var socketIOWait = 2 * time.Second

// listenSocket opens the socket. Call it only while holding the lock: a
// file already there is then a crashed agent's, and is removed.
func listenSocket(dir string) (net.Listener, error) {
	path := socketPath(dir)
	if err := socketDirReady(path); err != nil {
		return nil, err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("removing the stale socket: %w", err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// acceptBackoff bounds the wait before serveSocket accepts again after a
// failed accept, as net/http's Server does: from the first to the last,
// doubling.
const (
	acceptBackoffFirst = 5 * time.Millisecond
	acceptBackoffLast  = time.Second
)

// serveSocket answers callers on ln until ctx ends, then closes ln (which
// removes the socket file) and returns once every caller's goroutine is
// done. A failed accept (no free file descriptor for a moment: EMFILE,
// ENFILE, ENOBUFS) is retried after a short backoff: the socket is the
// only way in on some systems, and one burst must not close it for good.
// Only a closed listener or the end of ctx stops it.
func serveSocket(ctx context.Context, ln net.Listener, requests chan<- Request, log *slog.Logger) {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	defer ln.Close() // also when it stops by itself
	var wg sync.WaitGroup
	defer wg.Wait()
	var backoff time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if errors.Is(err, net.ErrClosed) {
				log.Warn("the control socket stopped", "err", err)
				return
			}
			if backoff == 0 {
				backoff = acceptBackoffFirst
				log.Warn("the control socket cannot take a caller now; trying again", "err", err)
			} else {
				backoff = min(2*backoff, acceptBackoffLast)
			}
			t := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			continue
		}
		if backoff != 0 {
			log.Info("the control socket takes callers again")
			backoff = 0
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			serveCaller(ctx, c, requests, log)
		}()
	}
}

func serveCaller(ctx context.Context, c net.Conn, requests chan<- Request, log *slog.Logger) {
	defer c.Close()
	// A caller that says nothing is cut off when the agent stops.
	stop := context.AfterFunc(ctx, func() { c.Close() })
	c.SetReadDeadline(time.Now().Add(socketIOWait))
	cmd, err := readCommand(c)
	if !stop() {
		return
	}
	if err == nil {
		err = deliver(ctx, requests, cmd) // bounded, and ends with ctx
	} else {
		log.Debug("a bad request on the control socket", "err", err)
	}
	// The answer goes out even while the agent stops (a quit's answer
	// comes just before), bounded by the write deadline.
	c.SetWriteDeadline(time.Now().Add(socketIOWait))
	io.WriteString(c, formatReply(err))
}

// readCommand reads one request line.
func readCommand(r io.Reader) (Command, error) {
	line, err := readLine(r, maxRequestLine)
	if err != nil {
		return 0, err
	}
	switch line {
	case CommandShow.String():
		return CommandShow, nil
	case CommandQuit.String():
		return CommandQuit, nil
	}
	return 0, errors.New(msgUnknownCommand.String())
}

// readLine reads up to max bytes up to a newline, which it drops.
func readLine(r io.Reader, max int64) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, max)).ReadString('\n')
	if err != nil {
		if err == io.EOF {
			return "", errors.New("no complete line")
		}
		return "", err
	}
	return strings.TrimSuffix(line, "\n"), nil
}

// formatReply is the reply line for the loop's answer.
func formatReply(err error) string {
	if err == nil {
		return "ok\n"
	}
	if errors.Is(err, ErrStopping) {
		return "stopping\n"
	}
	why := strings.ReplaceAll(err.Error(), "\n", " ")
	if len(why) > maxReplyLine-len("error \n") {
		why = strings.ToValidUTF8(why[:maxReplyLine-len("error \n")], "")
	}
	return "error " + why + "\n"
}

// parseReply turns a reply line back into the agent's answer: nil,
// ErrStopping, or a *RefusedError saying why.
func parseReply(line string) error {
	switch line {
	case "ok":
		return nil
	case "stopping":
		return ErrStopping
	}
	if why, ok := strings.CutPrefix(line, "error "); ok {
		return &RefusedError{Why: why}
	}
	return fmt.Errorf("%w: a reply this version does not know", ErrNoAnswer)
}

// askSocket sends cmd over the socket in dir. errNoEndpoint means nobody
// listens there.
func askSocket(ctx context.Context, dir string, cmd Command) error {
	path := socketPath(dir)
	if err := socketDirReady(path); err != nil {
		return fmt.Errorf("%w: %v", errNoEndpoint, err)
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		if ctx.Err() != nil {
			return ErrNoAnswer
		}
		return fmt.Errorf("%w: %v", errNoEndpoint, err)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if _, err := io.WriteString(c, cmd.String()+"\n"); err != nil {
		return noAnswer(ctx, err)
	}
	line, err := readLine(c, maxReplyLine)
	if err != nil {
		return noAnswer(ctx, err)
	}
	return parseReply(line)
}

// noAnswer is why a caller got no reply: ErrNoAnswer when its ctx ended
// (which closed the link), else ErrHungUp: the agent closed it.
func noAnswer(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w: %v", ErrNoAnswer, err)
	}
	return fmt.Errorf("%w: %v", ErrHungUp, err)
}
