package server

import (
	"context"
	"time"
)

// demoTasks are the samples RunDemo cycles through: every priority, with and
// without a body or a link, and some non-ASCII text.
var demoTasks = []TaskInput{
	{Title: "Review pull request #128", Body: "Alice asked for your review on \"Retry uploads with backoff\".", URL: "https://example.com/pulls/128", Priority: 3},
	{Title: "Build failed on main", Body: "Job test-linux failed after 4m12s.", URL: "https://example.com/ci/runs/9041", Priority: 5},
	{Title: "Sign the expense report", Priority: 2},
	{Title: "Standup in 5 minutes", Body: "Room Ada Lovelace, or the usual video link.", URL: "https://example.com/meet/standup", Priority: 4},
	{Title: "Disk 91% full on db-2", Body: "/var/lib/postgres grew 6 GiB today.", URL: "https://example.com/alerts/disk-db-2", Priority: 5},
	{Title: "Water the plants", Body: "Les plantes du bureau ont soif 🌱", Priority: 1},
	{Title: "Approve vacation request", Body: "Bob: 12–16 August.", URL: "https://example.com/hr/requests/77", Priority: 3},
	{Title: "Rotate the staging certificate", Body: "It expires in 7 days.", Priority: 4},
}

// RunDemo publishes a sample task to user every interval (which must be
// positive) until ctx ends, cycling through varied titles, bodies, links and
// priorities. Failures (an unknown user) are logged and the loop goes on,
// since the user may be added later.
func (s *Server) RunDemo(ctx context.Context, user string, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := s.Publish(user, demoTasks[i%len(demoTasks)]); err != nil {
			s.log.Warn("demo publish failed", "user", user, "err", err)
		}
	}
}
