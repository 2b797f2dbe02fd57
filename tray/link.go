package tray

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"

	"tasktray/auth"
	"tasktray/backend"
	"tasktray/backend/native"
	"tasktray/conn"
	"tasktray/internal/settle"
	"tasktray/notify"
)

// link is one conn.Client run, for one account and token.
type link struct {
	client *conn.Client
	cancel context.CancelFunc
	done   chan struct{}
}

// startLink replaces the link with one for sess.
func (a *Agent) startLink(ctx context.Context, sess auth.Session) {
	a.stopLink()
	kind, err := backend.Lookup(sess.Kind)
	var addrs []conn.Address
	if err == nil {
		// The account's address, then each of its others (one service).
		addrs, err = kind.Addresses(sess.Account)
	}
	var dialer conn.Dialer
	if err == nil {
		dialer, err = conn.NewDialer(sess.Account.CAFile)
	}
	if err != nil {
		a.log.Error("cannot connect with this account", "err", err)
		a.state = conn.State{Phase: conn.Disconnected, Reason: err.Error()}
		a.render()
		return
	}
	for _, ad := range addrs {
		a.adaptToKind(ad.Protocol)
	}
	cfg := conn.Config{
		Protocol:   addrs[0].Protocol,
		Server:     addrs[0].Server,
		Alternates: addrs[1:],
		Token:      sess.Token,
		StartFrom:  sess.Resume,
		Cursor:     a.cursorStore(sess.Account),
		Dialer:     wrapDialer(addrs[0].Protocol, dialer),
		Logger:     a.log,
		// The platform says when the machine wakes (onResumed): the link
		// needs no wall-clock poll of its own while its server pings.
	}
	if a.cfg.ConnOptions != nil {
		a.cfg.ConnOptions(&cfg)
	}
	client, err := conn.New(cfg)
	if err != nil {
		a.log.Error("cannot start the link", "err", err)
		return
	}
	lctx, cancel := context.WithCancel(ctx)
	l := &link{client: client, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		if err := client.Run(lctx); err != nil {
			a.log.Error("link stopped", "err", err)
		}
	}()
	a.link = l
	a.loggedIn = true
	a.session = sess
	a.gap = nil
	a.render()
}

// dialerWrapper is a kind whose Protocol must see the link's dial: custom
// and ntfy scrub the token from a dial error (custom: the token may stand in
// the URL, and a dial error quotes it).
type dialerWrapper interface {
	WrapDialer(conn.Dialer) conn.Dialer
}

// adaptToKind gives the native kind the agent's logger for its warnings
// about odd frames (otherwise they go to slog.Default, outside the agent's
// handler).
func (a *Agent) adaptToKind(proto conn.Protocol) {
	if n, ok := proto.(*native.Protocol); ok {
		n.Log = a.log
	}
}

// wrapDialer wraps d with the kind's dialer wrapper, if it has one. One
// wrapper serves every address of the account: they share the kind and its
// options (backend.Kind.Addresses).
func wrapDialer(proto conn.Protocol, d conn.Dialer) conn.Dialer {
	if w, ok := proto.(dialerWrapper); ok {
		return w.WrapDialer(d)
	}
	return d
}

// stopLink ends the link and waits for it. It takes no task from the link
// meanwhile: a task taken counts as delivered, and one taken only to be
// dropped here would be lost, never resumed. Run never blocks on States,
// and a hand-over of a task gives way to the cancelled context.
func (a *Agent) stopLink() {
	if a.link == nil {
		return
	}
	a.link.cancel()
	<-a.link.done
	a.link = nil
	a.state = conn.State{}
}

// cursorStore keeps one resume cursor per account, named by a hash so the
// file name says nothing about the user.
func (a *Agent) cursorStore(acc auth.Account) conn.CursorStore {
	if a.cfg.StateDir == "" {
		return &conn.MemoryCursor{}
	}
	sum := sha256.Sum256([]byte(acc.Kind + "\x00" + acc.KeyringUser()))
	return conn.FileCursor{Path: filepath.Join(a.cfg.StateDir, "cursor-"+hex.EncodeToString(sum[:8])+".json")}
}

func (a *Agent) onState(ctx context.Context, s conn.State) {
	prev := a.state
	a.state = s
	if s.Phase == conn.AuthRequired && prev.Phase != conn.AuthRequired {
		a.popup(notify.Popup{
			ID:        "auth-required",
			Title:     msgAuthTitle.String(),
			Body:      msgAuthBody.String(),
			Priority:  conn.PriorityMax,
			Important: true,
		})
	}
	a.render()
}

func (a *Agent) onTask(ctx context.Context, t conn.Task) {
	settle.Busy() // a burst may follow: the collector keeps its pace
	t = capTask(t)
	a.recent.add(t)
	a.popup(notify.Popup{ID: t.ID, Title: t.Title, Body: t.Body, URL: t.URL, Priority: t.Priority})
	a.render()
}

// onRenewal keeps the token the server renewed, in place of the old one:
// the link uses it already, and the next start needs it.
func (a *Agent) onRenewal(r conn.Renewal) {
	if !a.loggedIn || r.Token == "" {
		return
	}
	a.session.Token, a.session.ExpiresAt = r.Token, r.ExpiresAt
	a.saveToken(a.session)
}

// onGap tells the user that the server could not supply every task missed
// while the link was down: a popup of its own and a line in the status,
// until Recent tasks is opened.
func (a *Agent) onGap(g conn.Gap) {
	a.gap = &g
	a.log.Warn("tasks may be missing", "before", g.Before, "why", g.Reason)
	a.popup(notify.Popup{
		ID:        "gap",
		Title:     msgGapTitle.String(),
		Body:      gapText(g),
		Priority:  conn.PriorityMax,
		Important: true,
	})
	a.render()
}

// gapText says which tasks may be missing, in the user's local time.
func gapText(g conn.Gap) string {
	if g.Before.IsZero() {
		return msgGapSome.String()
	}
	return msgGapBefore.F(g.Before.Local().Format("15:04"))
}

// onResumed makes the link check itself after the machine woke up: a link
// from before a suspend is usually dead, and the read deadline would take
// up to a minute to say so.
func (a *Agent) onResumed() {
	a.log.Info("the machine resumed from sleep; checking the link")
	if a.link != nil {
		a.link.client.Resumed()
	}
}
