package custom

import (
	"strings"
	"testing"

	"tasktray/backend/internal/backendtest"
	"tasktray/internal/legacyserver"
)

// README, "Nothing missed, from the first second": "a task published after
// the login and before the first task arrives, while the link is down, or
// while the app is not running is delivered". Here the backend has no task
// yet when the user logs in (a fresh account), so the login's resume point
// is "", and the first task is published before the link comes up.
func TestReviewFirstTaskOfAnEmptyBackendAfterLogin(t *testing.T) {
	for _, replay := range []int{-1, legacyserver.DefaultReplay} {
		name := "no re-send"
		if replay > 0 {
			name = "re-send of the last 5"
		}
		t.Run(name, func(t *testing.T) {
			b := startBackend(t, legacyserver.Config{Mode: legacyserver.Query, Replay: replay})
			p := b.protocol(t, modeProfiles[legacyserver.Query]+nested+`
[resume]
since_param = "since"
missed_url = "http://{addr}/api/messages/missed?since={since}&token={token}"
missed_items = "data"
`)
			s := login(t, p)
			first := b.PushTask("published after the login, before the link is up", "")
			r := run(t, p, s, backendtest.CursorFile(t))
			marker := b.PushTask("marker", "")
			r.WaitFor(waitLong, marker)
			got := r.Delivered()
			if strings.Join(got, ",") != first+","+marker {
				t.Errorf("login resume %q; delivered %v, want [%s %s]: the task published after the login was lost", s.Resume, got, first, marker)
			}
		})
	}
}
