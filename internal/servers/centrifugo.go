package servers

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Channel namespaces the test server configures. Channels named "tasks:<anything>" keep a
// history of CentrifugoHistorySize publications (24 h) and support recovery; "short:<anything>"
// the same with a history of only CentrifugoShortHistorySize, for gaps longer than the history.
const (
	CentrifugoNamespace        = "tasks"
	CentrifugoHistorySize      = 1000
	CentrifugoShortNamespace   = "short"
	CentrifugoShortHistorySize = 10
)

// CentrifugoExpiredCloseDelay is how long the test server keeps a connection whose token
// expired before it closes it with 3005 (Centrifugo's default is 25 s): short, so that a test
// sees an unrefreshed token end the link within seconds.
const CentrifugoExpiredCloseDelay = time.Second

// Centrifugo is a real Centrifugo server running for one test. Alone (StartCentrifugo) it has
// the in-memory engine: a restart loses history and starts a new epoch. In a cluster
// (StartCentrifugoCluster) its engine is Redis: a restart keeps history and epoch.
type Centrifugo struct {
	URL     string // base URL, for example http://127.0.0.1:41234
	Addr    string // host:port
	Secret  string // HMAC secret that connection tokens are signed with
	APIKey  string // key for the server API (X-API-Key)
	Dir     string // working folder: config.json
	LogPath string

	proc *process
}

// StartCentrifugo starts the Centrifugo binary bin in a fresh folder on a free loopback port
// and waits until GET /health answers. The server is killed when the test ends.
func StartCentrifugo(t testing.TB, bin string) *Centrifugo {
	t.Helper()
	return startCentrifugo(t, bin, rand.Text(), rand.Text(), nil)
}

// StartCentrifugoCluster starts n Centrifugo nodes sharing the Redis engine at redisAddr
// (history, recovery and publications go through Redis), with one secret and one API key:
// a token works on every node, and a publication through any node reaches the subscribers
// of all of them. Killing a node loses nothing: the history lives in Redis.
func StartCentrifugoCluster(t testing.TB, bin, redisAddr string, n int) []*Centrifugo {
	t.Helper()
	secret, key := rand.Text(), rand.Text()
	engine := map[string]any{
		"type":  "redis",
		"redis": map[string]any{"address": []string{"redis://" + redisAddr}},
	}
	nodes := make([]*Centrifugo, n)
	for i := range nodes {
		nodes[i] = startCentrifugo(t, bin, secret, key, engine)
	}
	return nodes
}

// startCentrifugo starts one node with the given secret, API key and engine (nil: memory).
func startCentrifugo(t testing.TB, bin, secret, apiKey string, engine map[string]any) *Centrifugo {
	t.Helper()
	dir := t.TempDir()
	addr := freeAddr(t)
	c := &Centrifugo{
		URL:     "http://" + addr,
		Addr:    addr,
		Secret:  secret,
		APIKey:  apiKey,
		Dir:     dir,
		LogPath: filepath.Join(dir, "centrifugo.log"),
	}
	config := map[string]any{
		"http_server": map[string]any{"address": "127.0.0.1", "port": portOf(addr)},
		"client": map[string]any{
			"token":               map[string]any{"hmac_secret_key": c.Secret},
			"expired_close_delay": CentrifugoExpiredCloseDelay.String(),
		},
		"channel": map[string]any{
			"namespaces": []any{
				namespace(CentrifugoNamespace, CentrifugoHistorySize),
				namespace(CentrifugoShortNamespace, CentrifugoShortHistorySize),
			},
		},
		"uni_websocket": map[string]any{"enabled": true},
		"http_api":      map[string]any{"key": c.APIKey},
		"health":        map[string]any{"enabled": true},
		"usage_stats":   map[string]any{"disabled": true},
		"log":           map[string]any{"level": "debug"},
	}
	if engine != nil {
		config["engine"] = engine
	}
	data, err := json.MarshalIndent(config, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	configPath := filepath.Join(dir, "config.json")
	if err := os.WriteFile(configPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	c.proc = &process{
		name:      "centrifugo",
		bin:       bin,
		args:      []string{"--config", configPath},
		dir:       dir,
		logPath:   c.LogPath,
		healthURL: c.URL + "/health",
	}
	startProcess(t, c.proc)
	return c
}

// namespace is the configuration of a channel namespace with a history of size publications
// that clients may subscribe to, recover in and read the history of.
func namespace(name string, size int) map[string]any {
	return map[string]any{
		"name":                         name,
		"history_size":                 size,
		"history_ttl":                  "24h",
		"force_recovery":               true,
		"allow_subscribe_for_client":   true,
		"allow_history_for_subscriber": true,
	}
}

// WebSocketURL is the bidirectional endpoint (JSON protocol): the first frame is
// {"id":1,"connect":{"token":"..."}}.
func (c *Centrifugo) WebSocketURL() string {
	return "ws://" + c.Addr + "/connection/websocket"
}

// UniWebSocketURL is the unidirectional endpoint: the first frame is {"token":"...","subs":{...}}.
func (c *Centrifugo) UniWebSocketURL() string {
	return "ws://" + c.Addr + "/connection/uni_websocket"
}

// Token returns a connection token (HS256 JWT) for user sub that expires after ttl, as a
// site's backend would mint it. A negative ttl gives an already expired token.
func (c *Centrifugo) Token(sub string, ttl time.Duration) string {
	now := time.Now()
	return c.SignToken(map[string]any{
		"sub": sub,
		"iat": now.Unix(),
		"exp": now.Add(ttl).Unix(),
	})
}

// SignToken signs any claims (for example with a "channels" list) with the server's secret.
func (c *Centrifugo) SignToken(claims map[string]any) string {
	token, err := signHS256([]byte(c.Secret), claims)
	if err != nil {
		// Only claims that cannot be encoded as JSON get here: a bug in the calling test.
		panic(err)
	}
	return token
}

// PublishResult is where a publication landed in the channel's history stream.
type PublishResult struct {
	Offset uint64 `json:"offset"`
	Epoch  string `json:"epoch"`
}

// Publish sends data (any JSON value) to a channel through the server API.
func (c *Centrifugo) Publish(channel string, data any) (PublishResult, error) {
	var out struct {
		Result PublishResult `json:"result"`
	}
	body := map[string]any{"channel": channel, "data": data}
	err := doJSON(http.MethodPost, c.URL+"/api/publish", body, &out, func(r *http.Request) {
		r.Header.Set("X-API-Key", c.APIKey)
	})
	return out.Result, err
}

// Stop ends the server gracefully (SIGTERM, then SIGKILL after a few seconds).
func (c *Centrifugo) Stop() error { return c.proc.stop() }

// Kill ends the server at once (SIGKILL), as a crash would.
func (c *Centrifugo) Kill() error { return c.proc.kill() }

// Start starts a killed or stopped server again on the same port with the same settings.
func (c *Centrifugo) Start() error { return c.proc.start() }

// Restart stops the server if it runs and starts it again on the same port with the same
// secret and key. With the memory engine history is lost and the epoch changes; with Redis
// both are kept.
func (c *Centrifugo) Restart() error { return c.proc.restart() }
