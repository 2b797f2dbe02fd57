package ntfy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"tasktray/auth"
	"tasktray/backend/internal/httpapi"
	"tasktray/i18n"
)

// maxResponse caps what is read of any answer (ntfy's are a few hundred
// bytes): a wrong server must not make us read a video.
const maxResponse = 4 << 20

// tokenLifetime is how long a login's token lasts: for good, in practice.
// Not "never" (expires 0): ntfy keeps 60 tokens per user and, in the
// transaction that creates one, deletes the rest by soonest expiry, "never"
// first and ties in the order of the token strings. A user past 60 tokens
// (every login on a new machine or after a reinstall makes one) then lost
// about every other new "never" token as it was made, and the login's next
// request got 401. A token that expires a century after its login expires
// after every earlier one, so the newest login's token is the one kept.
const tokenLifetime = 100 * 365 * 24 * time.Hour

// ErrTopicForbidden means the user may not read one of the account's topics.
var ErrTopicForbidden = i18n.NewError("ntfy.err.topic_forbidden", "not allowed to read the topic", "无权读取该主题")

// Authenticator logs in to an ntfy server: GET /v1/health to make sure it
// is one, POST /v1/account/token with basic auth for an access token that
// never expires (labelled "tasktray" in the web app's account page), then a
// check that the token may read every topic of the account.
type Authenticator struct {
	// HTTPClient makes the requests. Nil means a client with a 15 s timeout
	// that trusts the account's CA file. Redirects are never followed.
	HTTPClient *http.Client
}

var _ auth.Authenticator = Authenticator{}

// Login trades the username and password for an access token, and sets the
// session's Resume to the id of the newest cached message of its topics at
// login or, when there is none, the server's time of the login (ntfy's
// since= takes either). Errors wrap
// auth.ErrBadCredentials, ErrTopicForbidden, ErrBadTopics,
// auth.ErrUnreachable, auth.ErrTLS, auth.ErrNotServer, auth.ErrInsecure or
// auth.ErrBadURL (or are ctx's error); they never contain the password or
// the token.
func (a Authenticator) Login(ctx context.Context, c auth.Credentials) (auth.Session, error) {
	if err := c.Check(); err != nil {
		return auth.Session{}, err
	}
	topics, err := Topics(c.Account)
	if err != nil {
		return auth.Session{}, err
	}
	base, client, err := httpapi.Prepare(a.HTTPClient, c.Account)
	if err != nil {
		return auth.Session{}, err
	}
	defer httpapi.Release(a.HTTPClient, client)
	client = withOverlapRetry(client, true)
	if err := checkHealth(ctx, client, base); err != nil {
		return auth.Session{}, err
	}

	body, err := json.Marshal(map[string]any{"label": "tasktray", "expires": time.Now().Add(tokenLifetime).Unix()})
	if err != nil {
		return auth.Session{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base.JoinPath("v1", "account", "token").String(), bytes.NewReader(body))
	if err != nil {
		return auth.Session{}, err
	}
	req.SetBasicAuth(c.Username, c.Password)
	req.Header.Set("Content-Type", "application/json")
	resp, err := httpapi.Do(client, req)
	if err != nil {
		return auth.Session{}, err
	}
	defer httpapi.CloseBody(resp)
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusUnauthorized:
		// Also what a server without user accounts (no auth-file) says.
		return auth.Session{}, auth.ErrBadCredentials
	default:
		return auth.Session{}, httpapi.StatusErr(resp)
	}
	var created struct {
		Token string `json:"token"`
	}
	if err := httpapi.DecodeJSON(resp, maxResponse, &created); err != nil {
		return auth.Session{}, err
	}
	if created.Token == "" {
		return auth.Session{}, fmt.Errorf("%w: POST /v1/account/token answered without a token", auth.ErrNotServer)
	}
	// Where the server's history stands now, by its own clock (its Date
	// header; ours if it sends none): the first link resumes from there, so
	// a task published before it is up is not lost.
	at, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		at = time.Now()
	}
	s := auth.Session{Account: c.Account, Token: created.Token, Resume: strconv.FormatInt(at.Unix(), 10)}

	for _, topic := range topics {
		if err := checkRead(ctx, client, base, created.Token, topic); err != nil {
			if errors.Is(err, ErrTopicForbidden) {
				err = msgMayNotRead.Err(err, c.Username, topic)
			}
			// The token is of no use: do not leave it behind on the server.
			if lerr := a.Logout(ctx, s); lerr != nil {
				return auth.Session{}, errors.Join(err, lerr)
			}
			return auth.Session{}, err
		}
	}
	// The newest message at login, exactly: the Date header's second lets
	// in what was published earlier in that second.
	if id, _, err := latestID(ctx, client, base.JoinPath(strings.Join(topics, ","), "json"), created.Token); err != nil {
		if lerr := a.Logout(ctx, s); lerr != nil {
			return auth.Session{}, errors.Join(err, lerr)
		}
		return auth.Session{}, err
	} else if id != "" {
		s.Resume = id
	}
	return s, nil
}

// latestID returns the id of the last cache row of the topics: since=<id>
// then replays exactly the rows after it, so nothing published before is
// shown again and nothing after it is lost. "" when no topic has a cached
// message (the Date header's time stands then: nothing before the login
// can be replayed). poll is the topics' /json address.
//
// ntfy's since=latest gives each topic's newest message by date, then row;
// the last row may be another: a message cached after one dated a second
// later (two publishers, or a slow request), or, of several topics' newest
// of one second, whichever ntfy listed first. So from the newest by date it
// asks since=<id> until no row comes after (rows only grow, so this ends;
// maxLatestSteps bounds it while messages keep coming).
//
// at is when the server answered the first question, by its clock (zero
// when it sent no Date header).
func latestID(ctx context.Context, client *http.Client, poll *url.URL, token string) (id string, at time.Time, err error) {
	msgs, at, err := pollSince(ctx, client, poll, token, "latest", httpapi.StatusErr)
	if err != nil {
		return "", at, err
	}
	var newest event
	for _, e := range msgs {
		if sinceRe().MatchString(e.ID) && (newest.ID == "" || e.Time >= newest.Time) {
			newest = e
		}
	}
	for range maxLatestSteps {
		if newest.ID == "" {
			break
		}
		after, _, err := pollSince(ctx, client, poll, token, newest.ID, httpapi.StatusErr)
		if err != nil {
			return "", at, err
		}
		next := lastValid(after)
		if next.ID == "" || next.ID == newest.ID {
			break
		}
		newest = next
	}
	return newest.ID, at, nil
}

// maxLatestSteps bounds latestID's walk to the last cache row.
const maxLatestSteps = 8

// lastValid is the last message of msgs whose id since= takes.
func lastValid(msgs []event) event {
	for i := len(msgs) - 1; i >= 0; i-- {
		if sinceRe().MatchString(msgs[i].ID) {
			return msgs[i]
		}
	}
	return event{}
}

// Logout revokes s.Token: DELETE /v1/account/token authenticated with it. A
// token the server no longer knows (401) counts as revoked.
func (a Authenticator) Logout(ctx context.Context, s auth.Session) error {
	base, client, err := httpapi.Prepare(a.HTTPClient, s.Account)
	if err != nil {
		return err
	}
	defer httpapi.Release(a.HTTPClient, client)
	// A 401 may be ntfy's overlap (overlapRetry), which would leave the
	// token alive on the server: only one that persists means "revoked".
	client = withOverlapRetry(client, true)
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, base.JoinPath("v1", "account", "token").String(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.Token)
	resp, err := httpapi.Do(client, req)
	if err != nil {
		return err
	}
	defer httpapi.CloseBody(resp)
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
		return nil
	}
	return httpapi.StatusErr(resp)
}

// checkHealth makes sure base is an ntfy server: GET /v1/health answers
// {"healthy":true} without authentication.
func checkHealth(ctx context.Context, client *http.Client, base *url.URL) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base.JoinPath("v1", "health").String(), nil)
	if err != nil {
		return err
	}
	var h struct {
		Healthy *bool `json:"healthy"`
	}
	if err := httpapi.DoJSON(client, req, maxResponse, &h); err != nil {
		return err
	}
	if h.Healthy == nil {
		return fmt.Errorf("%w: %s answers /v1/health, but not as an ntfy server", auth.ErrNotServer, base.Host)
	}
	return nil
}

// checkRead asks for no message of topic (poll=1&since=none), which ntfy
// answers 200 only to a token that may read it, and 403 otherwise.
func checkRead(ctx context.Context, client *http.Client, base *url.URL, token, topic string) error {
	u := base.JoinPath(topic, "json")
	u.RawQuery = url.Values{"poll": {"1"}, "since": {"none"}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := httpapi.Do(client, req)
	if err != nil {
		return err
	}
	defer httpapi.CloseBody(resp)
	switch resp.StatusCode {
	case http.StatusOK:
		return nil
	case http.StatusForbidden:
		return ErrTopicForbidden
	}
	return httpapi.StatusErr(resp)
}
