package ntfy

import (
	"context"

	"tasktray/conn"
)

var _ conn.HistoryLocator = (*Protocol)(nil)

// HistoryNow returns where the topics' history stands now: the id of the
// newest cached message, as the login's resume point is (latestID), or ""
// when the cache holds none. conn asks it when it has no resume point at
// all (a damaged cursor file after an app restart). Without it, the first
// link resumed from its own open, whose second (ntfy's times are whole
// seconds) holds messages delivered before the restart: its catch-up poll
// showed them again.
func (p *Protocol) HistoryNow(ctx context.Context, token string) (string, error) {
	return latestID(ctx, p.http, p.poll, token)
}
