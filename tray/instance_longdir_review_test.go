package tray

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReviewSecondStartReachesAnAgentInALongDir: the instance directory is
// the runtime (or state) directory, whatever its length; a unix socket's
// address holds about 104-108 bytes. Where the socket is the only way in
// (Windows, macOS, a login without D-Bus), a second start must still reach
// the running agent and get its answer, not wait out its deadline.
func TestReviewSecondStartReachesAnAgentInALongDir(t *testing.T) {
	withoutSessionBus(t)
	dir := filepath.Join(shortDir(t), strings.Repeat("d", 40), strings.Repeat("e", 40))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Logf("instance dir: %d bytes, socket path %d bytes", len(dir), len(socketPath(dir)))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logged bytes.Buffer // written only inside StartInstance
	in, err := StartInstance(ctx, dir, slog.New(slog.NewTextHandler(&logged, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	got := answerRequests(ctx, in.Requests(), nil)
	askCtx, done := context.WithTimeout(ctx, wait)
	defer done()
	if err := ask(askCtx, dir, CommandShow, noBus); err != nil {
		t.Fatalf("a second start could not reach the agent holding the lock: %v\nthe agent logged: %s", err, logged.String())
	}
	if c := <-got; c != CommandShow {
		t.Fatalf("the loop got %v", c)
	}
}
