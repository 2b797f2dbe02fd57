package custom

import (
	"os"
	"strings"
	"testing"
	"time"

	"tasktray/backend/internal/backendtest"
	"tasktray/conn"
	"tasktray/internal/legacyserver"
)

// waitHeartbeats waits until the backend has recorded n heartbeats and
// returns their times.
func waitHeartbeats(t *testing.T, b *backend, n int, timeout time.Duration) []time.Time {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if hb := b.Heartbeats(); len(hb) >= n {
			return hb
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v only %d of %d heartbeats", timeout, len(b.Heartbeats()), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// intervals logs the gaps between heartbeats (figures, not checks: CI is
// noisy) and returns the mean.
func intervals(t *testing.T, hb []time.Time) time.Duration {
	var lo, hi, sum time.Duration
	for i := 1; i < len(hb); i++ {
		d := hb[i].Sub(hb[i-1])
		if i == 1 || d < lo {
			lo = d
		}
		hi = max(hi, d)
		sum += d
	}
	mean := sum / time.Duration(len(hb)-1)
	t.Logf("%d heartbeats: interval mean %v, min %v, max %v", len(hb), mean.Round(time.Millisecond), lo.Round(time.Millisecond), hi.Round(time.Millisecond))
	return mean
}

// The heartbeat keeps a backend that closes idle sockets from closing
// ours, and its echoes never become tasks.
func TestHeartbeatKeepsLinkAndEchoesAreNoTasks(t *testing.T) {
	b := startBackend(t, legacyserver.Config{Mode: legacyserver.Query, IdleTimeout: time.Second, Echo: "HeartBeat", Replay: -1})
	p := b.protocol(t, modeProfiles[legacyserver.Query]+`
[heartbeat]
interval = "100ms"
`+msgOnly)
	s := login(t, p)
	r := run(t, p, s, nil)
	// 25 heartbeats take 2.5 s, more than twice the idle timeout.
	intervals(t, waitHeartbeats(t, b, 25, waitLong))
	b.PushMsg("marker")
	seen := waitBodies(t, r, "marker")
	if len(r.Delivered()) != 1 {
		t.Errorf("delivered %v, want only the marker (echoes are no tasks)", seen)
	}
	if st := b.Stats(); st.IdleClosed != 0 || st.Accepted != 1 {
		t.Errorf("backend %+v: the heartbeat did not keep the socket", st)
	}
}

// The test backend closes a socket that sends no heartbeat (pings do not
// count), and the link comes back.
func TestBackendClosesIdleSocket(t *testing.T) {
	b := startBackend(t, legacyserver.Config{Mode: legacyserver.Query, IdleTimeout: 300 * time.Millisecond, Replay: -1})
	p := b.protocol(t, modeProfiles[legacyserver.Query]+`
[heartbeat]
text = ""
interval = "100ms"
`)
	s := login(t, p)
	r := run(t, p, s, nil)
	gen := r.State().Generation
	deadline := time.Now().Add(waitLong)
	for b.Stats().IdleClosed < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("backend never closed the silent socket: %+v", b.Stats())
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.WaitReconnected(waitLong, gen)
}

// The default heartbeat, measured: HeartBeat every 30 s. It takes over a
// minute, so it runs only with TASKTRAY_LONG=1.
func TestDefaultHeartbeatEvery30s(t *testing.T) {
	if os.Getenv("TASKTRAY_LONG") == "" {
		t.Skip("takes 95 s; set TASKTRAY_LONG=1")
	}
	b := startBackend(t, legacyserver.Config{Mode: legacyserver.Query, Replay: -1}) // closes after 70 s without one
	p := b.protocol(t, modeProfiles[legacyserver.Query])
	if ka := p.Keepalive(); ka.TextHeartbeat != "HeartBeat" || ka.HeartbeatEvery != 30*time.Second {
		t.Fatalf("keepalive %+v", ka)
	}
	s := login(t, p)
	r := run(t, p, s, nil)
	start := time.Now()
	hb := waitHeartbeats(t, b, 3, 2*time.Minute)
	t.Logf("first heartbeat %v after connecting", hb[0].Sub(start).Round(time.Millisecond))
	if mean := intervals(t, hb); mean < 25*time.Second || mean > 35*time.Second {
		t.Errorf("mean interval %v, want about 30 s", mean)
	}
	if st := b.Stats(); st.IdleClosed != 0 || st.Accepted != 1 || r.State().Phase != conn.Connected {
		t.Errorf("backend %+v, state %v", st, r.State())
	}
}

// A half-open link (nothing closed, nothing arrives) is found by the
// WebSocket pings and the heartbeat echo within dead_after, and the link
// comes back.
func TestDeadLinkFound(t *testing.T) {
	b := startBackend(t, legacyserver.Config{Mode: legacyserver.Query, Echo: "HeartBeat", Replay: -1})
	proxy := backendtest.StartProxy(t, b.addr(), nil)
	p := mustProtocol(t, strings.ReplaceAll(modeProfiles[legacyserver.Query], "{addr}", proxy.Addr())+`
[heartbeat]
interval = "200ms"
dead_after = "1s"
`)
	s := login(t, p)
	r := run(t, p, s, nil)
	gen := r.State().Generation
	proxy.Freeze()
	r.WaitReconnected(waitLong, gen)
}
