//go:build realservers

package centrifugo_test

// A real two-node Centrifugo cluster over Redis: the account lists both
// nodes; the node the client is on is killed five times while tasks are
// published through the other; the link moves through the account's other
// URL and recovers what it missed from the Redis-backed history.
//
//	source scripts/servers.sh && go test -race -tags realservers -run Cluster -v ./backend/centrifugo/
//
// redis-server comes from Debian (apt-get install redis-server) or
// $TASKTRAY_REDIS_BIN; under CI=true a missing one fails the test.

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"tasktray/auth"
	"tasktray/backend"
	"tasktray/backend/internal/backendtest"
	"tasktray/conn"
	"tasktray/internal/servers"
)

// clusterKills is how many times the node the client is on is killed.
const clusterKills = 5

// publisher publishes tasks to alice's channel through one node of the
// cluster (which one can change) until stopped, and keeps the IDs of the
// publications the server confirmed.
type publisher struct {
	t *testing.T
	// sending is held through each publish, so that once through returns
	// no publish is in flight to the node published through before.
	sending sync.Mutex
	mu      sync.Mutex
	via     *servers.Centrifugo
	ids     []string
	stop    chan struct{}
	done    chan struct{}
}

func startPublisher(t *testing.T, via *servers.Centrifugo) *publisher {
	p := &publisher{t: t, via: via, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		for n := 1; ; n++ {
			select {
			case <-p.stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
			p.sending.Lock()
			p.mu.Lock()
			via := p.via
			p.mu.Unlock()
			// The node published through is never the one being killed, so a
			// publish either lands or fails outright: an error is a test failure.
			res, err := via.Publish(channel, map[string]any{"title": "cluster task " + strconv.Itoa(n), "priority": 4})
			if err != nil {
				p.sending.Unlock()
				t.Errorf("publish through %s: %v", via.URL, err)
				return
			}
			p.mu.Lock()
			p.ids = append(p.ids, res.Epoch+":"+strconv.FormatUint(res.Offset, 10))
			p.mu.Unlock()
			p.sending.Unlock()
		}
	}()
	t.Cleanup(p.end)
	return p
}

// through switches the node later tasks are published through, once a
// publish in flight has ended.
func (p *publisher) through(c *servers.Centrifugo) {
	p.sending.Lock()
	defer p.sending.Unlock()
	p.mu.Lock()
	p.via = c
	p.mu.Unlock()
}

// lastAfter returns the newest confirmed publication's ID and how many
// there are, waiting until there are more than after.
func (p *publisher) lastAfter(after int) (string, int) {
	deadline := time.Now().Add(waitLong)
	for {
		p.mu.Lock()
		n := len(p.ids)
		var id string
		if n > after {
			id = p.ids[n-1]
		}
		p.mu.Unlock()
		if id != "" {
			return id, n
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("no publication confirmed within %v", waitLong)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (p *publisher) end() {
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	<-p.done
}

func (p *publisher) published() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.ids...)
}

func TestRealClusterFailoverOverRedis(t *testing.T) {
	bin := servers.Bin(t, servers.EnvCentrifugoBin)
	redis := servers.StartRedis(t, servers.RedisBin(t))
	nodes := servers.StartCentrifugoCluster(t, bin, redis.Addr, 2)
	acc := auth.Account{Kind: "centrifugo", Server: nodes[0].URL, Servers: []string{nodes[1].URL}, Username: alice}
	kind, err := backend.Lookup(acc.Kind)
	if err != nil {
		t.Fatal(err)
	}
	addrs, err := kind.Addresses(acc)
	if err != nil {
		t.Fatal(err)
	}
	cursor := backendtest.CursorFile(t)
	r := backendtest.StartRun(t, conn.Config{
		Protocol: addrs[0].Protocol, Server: addrs[0].Server, Alternates: addrs[1:],
		Token: nodes[0].Token(alice, time.Hour), Cursor: cursor,
		Backoff: backendtest.FastBackoff, StableAfter: 200 * time.Millisecond,
	})
	on := 0 // the node the client is on: the account's first URL
	s := r.WaitState(waitLong, "connected to node A", func(s conn.State) bool { return s.Phase == conn.Connected })
	if s.Server != addrs[0].Server {
		t.Fatalf("first link on %q, want the first URL %q", s.Server, addrs[0].Server)
	}
	waitSubscribed(t, cursor)

	pub := startPublisher(t, nodes[1])
	for kill := 1; kill <= clusterKills; kill++ {
		other := 1 - on
		pub.through(nodes[other])
		id, n := pub.lastAfter(0)
		r.WaitFor(waitLong, id) // the link works on node `on`
		gen := r.State().Generation
		if err := nodes[on].Kill(); err != nil {
			t.Fatal(err)
		}
		s := r.WaitState(waitLong, "connected to the other node", func(s conn.State) bool {
			return s.Phase == conn.Connected && s.Generation > gen
		})
		moved := len(pub.published()) - n // published, at least, while the link moved
		if s.Server != addrs[other].Server {
			t.Fatalf("kill %d: link moved to %q, want %q", kill, s.Server, addrs[other].Server)
		}
		id, _ = pub.lastAfter(n) // published while the link moved, or after
		r.WaitFor(waitLong, id)
		t.Logf("kill %d: node %d killed, link on %s; %d publications in all, about %d of them while the link moved", kill, on, s.Server, len(pub.published()), moved)
		if err := nodes[on].Start(); err != nil {
			t.Fatal(err)
		}
		on = other
	}
	pub.end()
	published := pub.published()
	marker, err := nodes[on].Publish(channel, map[string]any{"title": "marker", "priority": 4})
	if err != nil {
		t.Fatal(err)
	}
	markerID := marker.Epoch + ":" + strconv.FormatUint(marker.Offset, 10)
	r.WaitFor(waitLong, markerID)
	r.CheckExactlyOnce("centrifugo cluster over redis", strconv.Itoa(clusterKills)+" node kills", append(published, markerID), 0)
}
