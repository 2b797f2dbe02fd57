// Command legacyserver runs the browser-era test backend
// (internal/legacyserver) on its own, to try the custom kind by hand:
//
//	go run ./internal/legacyserver/cmd/legacyserver -mode query -push 10s
//
// It never prints a token.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"time"

	"tasktray/internal/legacyserver"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8099", "listen address")
	mode := flag.String("mode", "query", "where the WebSocket takes the token: query, path, cookie, subprotocol")
	user := flag.String("user", "ann", "username")
	pass := flag.String("pass", "correct-horse", "password")
	idle := flag.Duration("idle", legacyserver.DefaultIdleTimeout, "close a socket without a heartbeat for this long")
	push := flag.Duration("push", 0, "push a message this often (0: never)")
	flag.Parse()

	s := legacyserver.New(legacyserver.Config{
		Mode: legacyserver.Mode(*mode), Username: *user, Password: *pass, IdleTimeout: *idle, Echo: "HeartBeat",
	})
	if *push > 0 {
		go func() {
			for i := 1; ; i++ {
				time.Sleep(*push)
				switch i % 3 {
				case 0:
					s.PushMsg(fmt.Sprintf("message %d without an id", i))
				case 1:
					s.PushText(fmt.Sprintf("plain text %d", i))
				default:
					s.PushTask(fmt.Sprintf("Task %d", i), "nested JSON with an id")
				}
			}
		}()
	}
	log.Printf("legacyserver (%s mode) on http://%s", *mode, *addr)
	log.Fatal(http.ListenAndServe(*addr, s.Handler()))
}
