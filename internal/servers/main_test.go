package servers

import (
	"net/http"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them. The
// keep-alive connections the tests' requests left idle are closed first:
// their readers would otherwise end only once the (stopped) servers' side
// of the connection is seen closed, a little after the last test.
func TestMain(m *testing.M) { goleak.VerifyTestMain(closeIdle{m}) }

type closeIdle struct{ *testing.M }

func (c closeIdle) Run() int {
	code := c.M.Run()
	httpClient.CloseIdleConnections()
	http.DefaultClient.CloseIdleConnections()
	return code
}

// readWait bounds a read of something the server must send: a failure
// guard only, generous for -race on a loaded 2-core machine.
const readWait = 20 * time.Second
