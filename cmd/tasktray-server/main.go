// Command tasktray-server runs the reference server of tasktray's native
// protocol (docs/protocol.md) on its own.
//
//	tasktray-server -user alice:secret -publisher-key pk-demo
//	tasktray-server -users users.txt -addr :8080
//	tasktray-server -hash-password < password.txt >> users.txt # then prefix "name:"
//
// The users file holds one "name:bcrypt-hash" a line; blank lines and lines
// starting with # are skipped. The publisher key comes from -publisher-key,
// else from $TASKTRAY_PUBLISHER_KEY, else it is generated and printed once to
// stderr. SIGINT or SIGTERM shuts the server down gracefully.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"tasktray/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, stop, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, nil)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "tasktray-server:", err)
		os.Exit(1)
	}
}

// run is the command with its flags in args. It serves until ctx ends (main:
// SIGINT or SIGTERM), then calls stop, which lets a second signal kill the
// process the default way, and shuts down gracefully. listening, when not
// nil, is told the address once the server accepts connections.
func run(ctx context.Context, stop func(), args []string, stdin io.Reader, stdout, stderr io.Writer, listening func(addr string)) error {
	users := map[string]string{}
	fs := flag.NewFlagSet("tasktray-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		addr     = fs.String("addr", "127.0.0.1:8080", "address to listen on")
		usersArg = fs.String("users", "", "`FILE` of name:bcrypt-hash lines (# starts a comment)")
		pubKey   = fs.String("publisher-key", "", "key that POST /api/tasks requires (default $TASKTRAY_PUBLISHER_KEY, else generated)")
		history  = fs.Int("history", 1000, "tasks kept per user for resuming clients")
		tokenTTL = fs.Duration("token-ttl", 30*24*time.Hour, "lifetime of a token; a connected client is handed a new one at half of it")
		hashPw   = fs.Bool("hash-password", false, "print the bcrypt hash of the password on stdin's first line, and exit")
	)
	fs.Func("user", "a user as `name:password` (repeatable)", func(v string) error {
		name, pw, ok := strings.Cut(v, ":")
		if !ok || name == "" || pw == "" {
			return errors.New("want name:password")
		}
		hash, err := server.HashPassword(pw)
		if err != nil {
			return err
		}
		users[name] = hash
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *tokenTTL <= 0 {
		return errors.New("-token-ttl must be positive")
	}

	if *hashPw {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("read password from stdin: %w", err)
		}
		pw := strings.TrimRight(line, "\r\n")
		if pw == "" {
			return errors.New("empty password on stdin")
		}
		hash, err := server.HashPassword(pw)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, hash)
		return nil
	}

	if *usersArg != "" {
		if err := readUsers(*usersArg, users); err != nil {
			return err
		}
	}
	if len(users) == 0 {
		return errors.New("no users: give -user name:password or -users FILE")
	}
	key := *pubKey
	if key == "" {
		key = os.Getenv("TASKTRAY_PUBLISHER_KEY")
	}
	generated := key == ""
	if generated {
		raw := make([]byte, 18)
		rand.Read(raw) // never fails: crypto/rand crashes the program instead
		key = base64.RawURLEncoding.EncodeToString(raw)
	}

	log := slog.New(slog.NewTextHandler(stderr, nil))
	srv, err := server.New(server.Config{
		Users:        users,
		PublisherKey: key,
		TokenTTL:     *tokenTTL,
		HistorySize:  *history,
		Logger:       log,
	})
	if err != nil {
		return err
	}
	if generated {
		// The operator needs it to publish: print it once, outside the
		// structured logs, which must never hold a secret.
		fmt.Fprintln(stderr, "tasktray-server: generated publisher key:", key)
	}

	// Listen before serving so that a taken port fails the command at once.
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second, // WebSockets clear it after the upgrade
		IdleTimeout:       2 * time.Minute,
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "users", len(users))
	if listening != nil {
		listening(ln.Addr().String())
	}

	select {
	case err := <-served:
		srv.Close()
		return err
	case <-ctx.Done():
	}
	stop() // a second signal now kills the process the default way
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Shutdown stops new requests and waits for plain ones; it does not
	// track hijacked WebSockets, which srv.Close ends with code 1001.
	err = hs.Shutdown(shutCtx)
	srv.Close()
	return err
}

// readUsers adds the "name:bcrypt-hash" lines of a file to users.
func readUsers(path string, users map[string]string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, hash, ok := strings.Cut(line, ":")
		if !ok || name == "" || hash == "" {
			return fmt.Errorf("%s:%d: want name:bcrypt-hash", path, n)
		}
		users[name] = hash
	}
	return sc.Err()
}
