package centrifugo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gorilla/websocket"

	"tasktray/auth"
	"tasktray/conn"
)

// probeTimeout bounds the look at the stream that Login takes: a login
// must not hang on a server that answers the token endpoint but not the
// WebSocket.
const probeTimeout = 10 * time.Second

// streamTop connects once with token, subscribes to the account's channel
// without recovery and returns where its stream stands ("epoch:offset",
// the session's resume format), then closes. Centrifugo's token endpoint
// says nothing of the stream, and with no position the client's first
// subscribe cannot recover a task published between the login and that
// subscribe; from this position it can. "" with no error when the channel
// has no positioned stream (no history). It reuses the session's decoder,
// so the position has exactly the form the link resumes from. Errors never
// hold the token.
func streamTop(ctx context.Context, d conn.Dialer, acc auth.Account, token string) (string, error) {
	p, err := New(acc)
	if err != nil {
		return "", err
	}
	return p.streamTop(ctx, d, token)
}

var _ conn.HistoryLocator = (*Protocol)(nil)

// HistoryNow returns where the channel's stream stands now, as the login's
// resume point is (streamTop, over a link of its own, through the Dialer).
// conn asks it when it has no resume point at all (a damaged cursor file
// after an app restart): without a position the first subscribe takes the
// stream from wherever it stands when the subscribe arrives, and a task
// published between the link's open and then was lost.
func (p *Protocol) HistoryNow(ctx context.Context, token string) (string, error) {
	return p.streamTop(ctx, p.Dialer, token)
}

// streamTop is the look at the stream of the package's streamTop, on p's
// address and channel; nil d means conn.NewDialer with p's CA file.
func (p *Protocol) streamTop(ctx context.Context, d conn.Dialer, token string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if d == nil {
		wd, err := conn.NewDialer(p.caFile)
		if err != nil {
			return "", err
		}
		d = wd
	}
	u, h, err := p.Handshake(token, "")
	if err != nil {
		return "", err
	}
	ws, resp, err := d.DialContext(ctx, u, h)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		return "", fmt.Errorf("centrifugo: look at the stream: %w", err)
	}
	defer ws.Close()
	stop := context.AfterFunc(ctx, func() { ws.Close() }) // unblocks the read below
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		ws.SetReadDeadline(dl)
		ws.SetWriteDeadline(dl)
	}
	s := p.NewSession(token, "")
	frames, err := s.Open()
	if err != nil {
		return "", err
	}
	for {
		for _, f := range frames {
			if err := ws.WriteMessage(websocket.TextMessage, f); err != nil {
				return "", probeErr(ctx, err)
			}
		}
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return "", probeErr(ctx, err)
		}
		dec, err := s.Decode(msg)
		if err != nil {
			return "", err
		}
		if dec.Resume != "" {
			ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
			return dec.Resume, nil
		}
		if n := len(dec.Tasks); n > 0 {
			return dec.Tasks[n-1].Resume, nil
		}
		if s.(*session).gotSubscribe {
			return "", nil // subscribed, but the stream has no position
		}
		frames = dec.Reply
	}
}

// probeErr prefers ctx's error (a timeout or a cancelled login) over the
// read error it caused.
func probeErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return errors.Join(ctx.Err(), err)
	}
	return fmt.Errorf("centrifugo: look at the stream: %w", err)
}
