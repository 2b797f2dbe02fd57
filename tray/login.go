package tray

import (
	"context"
	"errors"
	"os"
	"time"

	"tasktray/auth"
	"tasktray/backend"
	"tasktray/ipc"
)

// start loads the saved account and its token, or logs in for demo mode.
func (a *Agent) start(ctx context.Context) {
	if l := a.cfg.Login; l != nil {
		creds := auth.Credentials{Account: l.Account, Password: l.Password}
		l.Password = ""
		a.account = l.Account
		a.login(ctx, creds)
		return
	}
	if a.cfg.AccountPath == "" {
		return
	}
	acc, err := auth.LoadAccount(a.cfg.AccountPath)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			a.log.Warn("account file unreadable; log in again", "err", err)
		}
		return
	}
	a.account = acc
	sess, err := a.cfg.Tokens.Load(ctx, acc)
	if err != nil {
		a.log.Info("no stored token; log in from the tray menu", "account", acc.KeyringUser(), "why", err)
		return
	}
	a.startLink(ctx, sess)
}

// login runs the login call off the agent goroutine; loginDone reports back.
func (a *Agent) login(ctx context.Context, creds auth.Credentials) {
	kind, err := backend.Lookup(creds.Kind)
	var authn auth.Authenticator
	if err == nil {
		authn, err = kind.Authenticator(creds.Account)
	}
	if err != nil {
		a.onLoginDone(ctx, loginDone{err: err}) // we are the agent goroutine: no round trip
		return
	}
	go func() {
		lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		sess, err := authn.Login(lctx, creds)
		select {
		case a.events <- loginDone{sess: sess, err: err}:
		case <-ctx.Done():
		}
	}()
}

func (a *Agent) onLoginDone(ctx context.Context, ev loginDone) {
	if ev.err != nil {
		a.log.Warn("login failed", "err", ev.err)
		a.sendTo(ipc.ViewLogin, ipc.LoginResultOf(ev.err))
		return
	}
	a.account = ev.sess.Account
	if a.cfg.AccountPath != "" {
		if err := auth.SaveAccount(a.cfg.AccountPath, ev.sess.Account); err != nil {
			a.log.Error("saving the account file failed", "err", err)
		}
	}
	if a.cfg.Login == nil { // demo mode keeps its token out of the keyring
		if err := a.cfg.Tokens.Save(ctx, ev.sess); err != nil {
			a.log.Error("keeping the token failed", "err", err)
		}
	}
	if note := a.cfg.Tokens.Reason(); note != "" {
		a.log.Warn(note)
	}
	a.log.Info("logged in", "account", ev.sess.KeyringUser())
	a.sendTo(ipc.ViewLogin, ipc.LoginResultOf(nil))
	a.closeWindow(ipc.ViewLogin)
	a.startLink(ctx, ev.sess)
}

// logout revokes the token on the server where the kind can, forgets it
// locally, and drops the link. The account stays, to prefill the next login.
func (a *Agent) logout(ctx context.Context) {
	if !a.loggedIn {
		return
	}
	sess, err := a.cfg.Tokens.Load(ctx, a.account)
	if err == nil {
		if kind, err := backend.Lookup(sess.Kind); err == nil {
			if authn, err := kind.Authenticator(sess.Account); err == nil {
				lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				if err := authn.Logout(lctx, sess); err != nil && !errors.Is(err, auth.ErrNotSupported) {
					a.log.Warn("revoking the token on the server failed; it is forgotten here anyway", "err", err)
				}
				cancel()
			}
		}
	}
	if err := a.cfg.Tokens.Delete(ctx, a.account); err != nil {
		a.log.Error("removing the token from the keyring failed", "err", err)
	}
	a.stopLink()
	a.loggedIn = false
	a.log.Info("logged out", "account", a.account.KeyringUser())
	a.render()
}
