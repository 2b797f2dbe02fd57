package chaos

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"tasktray/auth"
	"tasktray/backend/custom"
	"tasktray/backend/native"
	"tasktray/conn"
	"tasktray/internal/legacyserver"
	"tasktray/internal/servers"
	"tasktray/server"
)

// ErrUnsupported is returned by a Backend for a fault its server kind has
// no equivalent of; the scenario is reported as n/a for that kind.
var ErrUnsupported = errors.New("not supported by this kind")

// errDown is returned by Publish while the server is down.
var errDown = errors.New("server down")

// Backend is one real server of one kind, reached through a Proxy.
type Backend interface {
	// Publish sends a task titled title; an error means it was not
	// published (it is not counted).
	Publish(title string) error
	// Login logs in through the proxy, as the app does.
	Login(ctx context.Context) (auth.Session, error)
	// Protocol is the kind's conn.Protocol, pointed at the proxy.
	Protocol() conn.Protocol
	// Revoke makes every token invalid and ends the server's links.
	Revoke() error
	// Restart stops the server and starts it again on the same address,
	// keeping its history and tokens (a server with a database), or with
	// a new history and no tokens when newEpoch.
	Restart(newEpoch bool) error
	Proxy() *Proxy
	Close()
}

// dialerBackend is a Backend whose kind needs its own conn.Dialer.
type dialerBackend interface {
	Dialer(p conn.Protocol) conn.Dialer
}

// Kind starts a Backend of one server kind.
type Kind struct {
	Name string
	// Skip, when not empty, says why the kind cannot run here.
	Skip string
	// MissingBin says Skip is for a server binary not given: under CI=true
	// that fails the run (a step that should run may not skip).
	MissingBin bool
	Start      func(log *slog.Logger) (Backend, error)
	// Every, when longer than Options.Every, paces the publisher for this
	// kind: a server whose history is short must keep, for the longest
	// outage a scenario makes, what was published meanwhile, or the loss
	// is the server's (reported as a Gap), not the client's.
	Every time.Duration
	// Unsupported names the scenarios this kind has no equivalent of,
	// and why.
	Unsupported map[string]string
}

// Kinds are the server kinds that have a server on this machine.
func Kinds() []Kind {
	ks := []Kind{
		{Name: "native", Start: startNative},
		{Name: "custom", Start: startCustom, Unsupported: map[string]string{
			"restart new epoch": "a browser-era backend names no epoch: a restart that forgets its ids cannot be told from a replay",
		}},
	}
	gotifyKind := Kind{Name: "gotify", Start: startGotify, Unsupported: map[string]string{
		"restart new epoch": "Gotify keeps its ids in its database",
	}}
	if os.Getenv(servers.EnvGotifyBin) == "" {
		gotifyKind.Skip, gotifyKind.MissingBin = servers.EnvGotifyBin+" not set (source scripts/servers.sh)", true
	}
	ks = append(ks, gotifyKind)
	ntfyKind := Kind{Name: "ntfy", Start: startNtfy, Unsupported: map[string]string{
		"restart new epoch": "ntfy keeps its message cache on disk",
	}}
	if os.Getenv(servers.EnvNtfyBin) == "" {
		ntfyKind.Skip, ntfyKind.MissingBin = servers.EnvNtfyBin+" not set (source scripts/servers.sh)", true
	}
	// History 1000 (internal/servers); a half-open link lasts up to its
	// 35 s read deadline: one task per 50 ms keeps 700 in that time.
	centrifugoKind := Kind{Name: "centrifugo", Start: startCentrifugo, Every: 50 * time.Millisecond, Unsupported: map[string]string{
		"restart same epoch": "this Centrifugo keeps its history in memory: every restart is a new epoch",
		"token revoked":      "a Centrifugo token is a signed JWT, good until it expires",
	}}
	if os.Getenv(servers.EnvCentrifugoBin) == "" {
		centrifugoKind.Skip, centrifugoKind.MissingBin = servers.EnvCentrifugoBin+" not set (source scripts/servers.sh)", true
	}
	ks = append(ks, ntfyKind, centrifugoKind)
	return ks
}

// listener restarts an http.Server on the same address.
type listener struct {
	addr string
	hs   *http.Server
}

func (l *listener) serve(h http.Handler) error {
	// The old socket may linger a moment, and while the server was down
	// any process's connection may have been handed the port as its own
	// (ephemeral) one: wait for it rather than fail the scenario.
	var ln net.Listener
	var err error
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if ln, err = net.Listen("tcp", l.addr); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		return err
	}
	l.addr = ln.Addr().String()
	l.hs = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go l.hs.Serve(ln)
	return nil
}

const (
	chaosUser = "chaos"
	chaosPass = "chaos-password-1"
)

// nativeBackend is the reference server, in-process.
type nativeBackend struct {
	log   *slog.Logger
	mu    sync.Mutex
	srv   *server.Server
	ln    listener
	up    bool
	proxy *Proxy
	proto *native.Protocol
	body  string // of each published task
}

func newReference(log *slog.Logger) (*server.Server, error) {
	srv, err := server.New(server.Config{
		BcryptCost:  bcrypt.MinCost,
		HistorySize: 1 << 20, // this suite is about the seams, not the history bound
		PingPeriod:  time.Second,
		Logger:      log,
	})
	if err != nil {
		return nil, err
	}
	return srv, srv.AddUser(chaosUser, chaosPass)
}

func startNative(log *slog.Logger) (Backend, error) {
	srv, err := newReference(log)
	if err != nil {
		return nil, err
	}
	b := &nativeBackend{log: log, srv: srv, ln: listener{addr: "127.0.0.1:0"}}
	if err := b.ln.serve(srv); err != nil {
		return nil, err
	}
	b.up = true
	if b.proxy, err = StartProxy("http://" + b.ln.addr); err != nil {
		b.ln.hs.Close()
		return nil, err
	}
	if b.proto, err = native.New(b.proxy.URL()); err != nil {
		return nil, err
	}
	b.proto.Log = log
	return b, nil
}

func (b *nativeBackend) Publish(title string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.up {
		return errDown
	}
	_, err := b.srv.Publish(chaosUser, server.TaskInput{Title: title, Body: b.body})
	return err
}

func (b *nativeBackend) Login(ctx context.Context) (auth.Session, error) {
	return native.Authenticator{}.Login(ctx, auth.Credentials{
		Account: auth.Account{Kind: "native", Server: b.proxy.URL(), Username: chaosUser}, Password: chaosPass})
}

func (b *nativeBackend) Protocol() conn.Protocol { return b.proto }
func (b *nativeBackend) Proxy() *Proxy           { return b.proxy }

func (b *nativeBackend) Revoke() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.srv.Revoke(chaosUser)
	return nil
}

func (b *nativeBackend) Restart(newEpoch bool) error {
	b.mu.Lock()
	b.up = false
	b.ln.hs.Close()
	b.srv.DropConnections()
	old := b.srv
	b.mu.Unlock()
	time.Sleep(500 * time.Millisecond) // down for a moment: a few dials fail
	b.mu.Lock()
	defer b.mu.Unlock()
	if newEpoch {
		old.Close()
		srv, err := newReference(b.log)
		if err != nil {
			return err
		}
		b.srv = srv
	}
	if err := b.ln.serve(b.srv); err != nil {
		return err
	}
	b.up = true
	return nil
}

func (b *nativeBackend) Close() {
	b.proxy.Close()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ln.hs.Close()
	b.srv.Close()
}

// customBackend is internal/legacyserver, a browser-era backend, driven by
// the custom kind with a profile that resumes by id.
type customBackend struct {
	mu    sync.Mutex
	srv   *legacyserver.Server
	ln    listener
	up    bool
	proxy *Proxy
	proto *custom.Protocol
}

const customProfile = `
[login]
url = "http://{addr}/api/auth/login"
username_field = "userName"
password_field = "passWord"
token_from = "json"
token_path = "data.token"
[connect]
url = "ws://{addr}/websocket?token={token}"
token_in = "query"
[heartbeat]
interval = "500ms"
dead_after = "3s"
[mapping]
id = "data.id"
title = "data.title"
body = "data.content"
time = "ts"
plain_text = "ignore"
[resume]
since_param = "since"
missed_url = "http://{addr}/api/messages/missed?since={since}&token={token}"
missed_items = "data"
`

func startCustom(log *slog.Logger) (Backend, error) {
	srv := legacyserver.New(legacyserver.Config{Mode: legacyserver.Query, Username: chaosUser, Password: chaosPass,
		Echo: "HeartBeat", Replay: 20})
	b := &customBackend{srv: srv, ln: listener{addr: "127.0.0.1:0"}}
	if err := b.ln.serve(srv.Handler()); err != nil {
		return nil, err
	}
	b.up = true
	var err error
	if b.proxy, err = StartProxy("http://" + b.ln.addr); err != nil {
		b.ln.hs.Close()
		return nil, err
	}
	p, err := custom.ParseProfile([]byte(strings.ReplaceAll(customProfile, "{addr}", b.proxy.Addr())))
	if err != nil {
		return nil, fmt.Errorf("chaos: custom profile: %w", err)
	}
	if b.proto, err = custom.NewProtocol(p, auth.Account{Kind: custom.KindName, Username: chaosUser}); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *customBackend) Publish(title string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.up {
		return errDown
	}
	b.srv.PushTask(title, "chaos")
	return nil
}

func (b *customBackend) Login(ctx context.Context) (auth.Session, error) {
	return custom.Authenticator{Profile: b.proto.Profile}.Login(ctx, auth.Credentials{
		Account: auth.Account{Kind: custom.KindName, Username: chaosUser}, Password: chaosPass})
}

func (b *customBackend) Protocol() conn.Protocol { return b.proto }
func (b *customBackend) Proxy() *Proxy           { return b.proxy }

func (b *customBackend) Revoke() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.srv.RevokeAll()
	b.srv.Kick()
	return nil
}

// Restart keeps the backend's state; such a backend has no epoch, so a
// restart that forgets its ids cannot be told from a replay.
func (b *customBackend) Restart(newEpoch bool) error {
	if newEpoch {
		return ErrUnsupported
	}
	b.mu.Lock()
	b.up = false
	b.ln.hs.Close()
	b.srv.Kick()
	b.mu.Unlock()
	time.Sleep(500 * time.Millisecond)
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.ln.serve(b.srv.Handler()); err != nil {
		return err
	}
	b.up = true
	return nil
}

func (b *customBackend) Close() {
	b.proxy.Close()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ln.hs.Close()
	b.srv.Kick()
}
