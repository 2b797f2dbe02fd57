// Command floor is tasktray-bench's floor: the least a client can do to
// turn a task of the reference server into a desktop popup. It dials the
// WebSocket with a bearer token, and for each task frame calls
// org.freedesktop.Notifications.Notify once, waiting for the reply, as a
// notifier must to learn the popup's id. Nothing else: no reconnect, no
// heartbeat of its own (gorilla answers the server's pings while reading),
// no tray, no keyring.
//
// tasktray-bench builds and starts it with TASKTRAY_BENCH_URL (the ws://
// URL of /ws), TASKTRAY_BENCH_TOKEN and DBUS_SESSION_BUS_ADDRESS. It is a
// binary of its own so that its memory is that of this code alone.
package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"

	"github.com/godbus/dbus/v5"
	"github.com/gorilla/websocket"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

// run connects to the bus and the server, then turns frames into Notify
// calls until the link fails or the process is stopped.
func run() error {
	bus, err := dbus.Connect(os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
	if err != nil {
		return err
	}
	defer bus.Close()
	notifications := bus.Object("org.freedesktop.Notifications", "/org/freedesktop/Notifications")

	header := http.Header{"Authorization": {"Bearer " + os.Getenv("TASKTRAY_BENCH_TOKEN")}}
	ws, _, err := websocket.DefaultDialer.Dial(os.Getenv("TASKTRAY_BENCH_URL"), header)
	if err != nil {
		return err
	}
	defer ws.Close()

	// The same arguments as the agent's popup of a normal task with no URL.
	hints := map[string]dbus.Variant{"urgency": dbus.MakeVariant(byte(1))}
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return err
		}
		var frame struct {
			Type  string `json:"type"`
			Title string `json:"title"`
			Body  string `json:"body"`
		}
		if json.Unmarshal(msg, &frame) != nil || frame.Type != "task" {
			continue
		}
		var id uint32
		err = notifications.Call("org.freedesktop.Notifications.Notify", 0,
			"tasktray-floor", uint32(0), "", frame.Title, frame.Body, []string{}, hints, int32(-1)).Store(&id)
		if err != nil {
			return err
		}
	}
}
