package ntfy

import (
	"context"
	"strconv"
	"time"

	"tasktray/conn"
)

var _ conn.HistoryLocator = (*Protocol)(nil)

// HistoryNow returns where the topics' history stands now: the id of the
// last cached message, as the login's resume point is (latestID), or, when
// the cache holds none, the server's time then (its Date header; ours
// without one), as the login takes it. conn asks it when it has no resume
// point at all (a damaged cursor file and its copy after an app restart).
// Without it, the first link resumed from its own open, whose second
// (ntfy's times are whole seconds) holds messages delivered before the
// restart: its catch-up poll showed them again; and with an empty cache a
// link without since= replays nothing: a task published after the restart
// but before a link was up (the first handshake refused, the network not
// yet there) was lost.
func (p *Protocol) HistoryNow(ctx context.Context, token string) (string, error) {
	id, at, err := latestID(ctx, p.http, p.poll, token)
	if err != nil || id != "" {
		return id, err
	}
	if at.IsZero() {
		at = time.Now()
	}
	return strconv.FormatInt(at.Unix(), 10), nil
}
