package tray

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"time"

	"tasktray/auth"
	"tasktray/backend"
	"tasktray/ipc"
)

// Bounds on the calls to a server outside the link.
const (
	loginTimeout  = 30 * time.Second
	logoutTimeout = 5 * time.Second
)

// start loads the saved account and then its token, or logs in for demo
// mode. The file and the keyring answer as events: the loop does not wait.
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
	path := a.cfg.AccountPath
	a.disk.do(func(context.Context) any {
		acc, err := auth.LoadAccount(path)
		return accountLoaded{acc: acc, err: err}
	})
}

func (a *Agent) onAccountLoaded(ev accountLoaded) {
	if ev.err != nil {
		if !errors.Is(ev.err, os.ErrNotExist) {
			a.log.Warn("account file unreadable; log in again", "err", ev.err)
		}
		return
	}
	if a.loggedIn { // the user logged in while the file was read
		return
	}
	a.account = ev.acc
	a.loadToken(ev.acc)
}

// loadToken asks the keyring for acc's token; tokenLoaded answers.
func (a *Agent) loadToken(acc auth.Account) {
	tokens := a.cfg.Tokens
	a.keyring.do(func(ctx context.Context) any {
		sess, err := tokens.Load(ctx, acc)
		return tokenLoaded{acc: acc, sess: sess, err: err}
	})
}

func (a *Agent) onTokenLoaded(ctx context.Context, ev tokenLoaded) {
	if a.loggedIn || ev.acc.KeyringUser() != a.account.KeyringUser() {
		return // a login or log-out came first
	}
	switch {
	case ev.err == nil:
		a.stopKeyringRetry()
		a.startLink(ctx, ev.sess)
	case auth.KeyringMayRecover(ev.err):
		// Locked, not running yet, or an unlock prompt still open: the
		// login is not forgotten, it waits for the keyring.
		a.log.Info("the keyring cannot be read yet; trying again", "why", ev.err)
		a.waitForKeyring(keyringLoad, ev.err, func() { a.loadToken(ev.acc) })
		a.render()
	default:
		a.stopKeyringRetry()
		a.log.Info("no stored token; log in from the tray menu", "account", ev.acc.KeyringUser(), "why", ev.err)
		a.render()
	}
}

// saveToken keeps sess's token in the keyring, off the loop; tokenSaved
// answers. Demo mode keeps its token out of the keyring.
func (a *Agent) saveToken(sess auth.Session) {
	if a.cfg.Login != nil {
		return
	}
	tokens := a.cfg.Tokens
	a.keyring.do(func(ctx context.Context) any {
		if err := tokens.Save(ctx, sess); err != nil {
			return nil // only when ctx ended: the agent is quitting
		}
		return tokenSaved{sess: sess, err: tokens.Err()}
	})
}

func (a *Agent) onTokenSaved(ev tokenSaved) {
	if !a.loggedIn || ev.sess.KeyringUser() != a.session.KeyringUser() || ev.sess.Token != a.session.Token {
		return // logged out, or a newer token is on its way
	}
	if ev.err != nil && auth.KeyringMayRecover(ev.err) {
		if a.keyringWait == nil { // the first failure: say it once, plainly
			a.log.Warn(a.cfg.Tokens.Reason())
		}
		a.log.Info("the keyring cannot take the token yet; it is kept in memory meanwhile", "why", ev.err)
		sess := ev.sess
		a.waitForKeyring(keyringSave, ev.err, func() { a.saveToken(sess) })
	} else {
		a.stopKeyringRetry()
		if note := a.cfg.Tokens.Reason(); note != "" {
			a.log.Warn(note)
		}
	}
	a.render()
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
	// The CA file is the window's: it shows the account's (State.CAFile),
	// so an empty one means the user cleared it, and is honoured.
	prev := a.account
	go func() {
		lctx, cancel := context.WithTimeout(ctx, loginTimeout)
		defer cancel()
		sess, err := authn.Login(lctx, creds)
		sess.CAFile = creds.CAFile
		keepOtherAddresses(&sess.Account, prev)
		a.report(ctx, loginDone{sess: sess, err: err})
	}()
}

// keepOtherAddresses carries the service's other addresses (Servers, which
// an admin writes in the account file; the login window has no field for
// them) over to a new login's account when it is a login to the same
// service: same kind, same server. A login to another service drops them.
func keepOtherAddresses(acc *auth.Account, prev auth.Account) {
	same := func(a, b string) bool { return strings.EqualFold(strings.TrimRight(a, "/"), strings.TrimRight(b, "/")) }
	if len(acc.Servers) == 0 && acc.Kind == prev.Kind && same(acc.Server, prev.Server) {
		acc.Servers = slices.Clone(prev.Servers)
	}
}

// report hands ev to the loop from another goroutine, unless ctx ends.
func (a *Agent) report(ctx context.Context, ev any) {
	select {
	case a.events <- ev:
	case <-ctx.Done():
	}
}

func (a *Agent) onLoginDone(ctx context.Context, ev loginDone) {
	if ev.err != nil {
		a.log.Warn("login failed", "err", ev.err)
		a.sendTo(ipc.ViewLogin, ipc.LoginResultOf(ev.err))
		return
	}
	a.account = ev.sess.Account
	if path := a.cfg.AccountPath; path != "" {
		acc := ev.sess.Account
		log := a.log
		a.disk.do(func(context.Context) any {
			if err := auth.SaveAccount(path, acc); err != nil {
				log.Error("saving the account file failed", "err", err)
			}
			return nil
		})
	}
	a.stopKeyringRetry() // a load or save for an earlier login is moot
	a.log.Info("logged in", "account", ev.sess.KeyringUser())
	a.sendTo(ipc.ViewLogin, ipc.LoginResultOf(nil))
	a.closeWindow(ipc.ViewLogin)
	a.startLink(ctx, ev.sess)
	a.saveToken(ev.sess)
	a.startAtLoginAfterFirstLogin()
}

// logout drops the link and forgets the token here at once; revoking it on
// the server (where the kind can) and removing it from the keyring happen
// off the loop. The account stays, to prefill the next login.
func (a *Agent) logout(ctx context.Context) {
	if !a.loggedIn {
		return
	}
	sess := a.session
	a.stopLink()
	a.stopKeyringRetry()
	a.loggedIn = false
	a.session = auth.Session{}
	log := a.log
	if kind, err := backend.Lookup(sess.Kind); err == nil {
		if authn, err := kind.Authenticator(sess.Account); err == nil {
			a.network.do(func(ctx context.Context) any {
				lctx, cancel := context.WithTimeout(ctx, logoutTimeout)
				defer cancel()
				if err := authn.Logout(lctx, sess); err != nil && !errors.Is(err, auth.ErrNotSupported) {
					log.Warn("revoking the token on the server failed; it is forgotten here anyway", "err", err)
				}
				return nil
			})
		}
	}
	tokens, acc := a.cfg.Tokens, a.account
	a.keyring.do(func(ctx context.Context) any {
		if err := tokens.Delete(ctx, acc); err != nil {
			log.Error("removing the token from the keyring failed", "err", err)
		}
		return nil
	})
	a.log.Info("logged out", "account", a.account.KeyringUser())
	a.render()
}
