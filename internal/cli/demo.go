package cli

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net"
	"net/http"
	"time"

	"tasktray/auth"
	"tasktray/server"
	"tasktray/tray"
)

// demoEvery is how often the demo server publishes a sample task.
const demoEvery = 8 * time.Second

// demoServer is the embedded reference server of demo mode, on a random
// loopback port, with one account and a sample task every few seconds.
type demoServer struct {
	srv      *server.Server
	http     *http.Server
	url      string
	password string
	cancel   context.CancelFunc
}

func startDemo(ctx context.Context, every time.Duration, log *slog.Logger) (*demoServer, error) {
	password := rand.Text() // fresh each run; never shown or stored
	srv, err := server.New(server.Config{Logger: log.With("component", "demo-server")})
	if err != nil {
		return nil, err
	}
	if err := srv.AddUser("demo", password); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	dctx, cancel := context.WithCancel(ctx)
	go srv.RunDemo(dctx, "demo", every)
	url := "http://" + ln.Addr().String()
	log.Info("demo server running", "url", url, "user", "demo")
	return &demoServer{srv: srv, http: hs, url: url, password: password, cancel: cancel}, nil
}

// Login is what the agent logs in with at start.
func (d *demoServer) Login() *tray.Login {
	return &tray.Login{
		Account:  auth.Account{Kind: "native", Server: d.url, Username: "demo"},
		Password: d.password,
	}
}

func (d *demoServer) Close() {
	d.cancel()
	d.srv.Close()
	d.http.Close()
}
